fn main() {
    statelab::panic_box::install();
    yew::Renderer::<statelab::playground::PlaygroundView>::with_props(statelab::playground::PlaygroundProps {
        site: true,
    })
    .render();
}
