fn main() {
    statelab::panic_box::install();
    yew::Renderer::<statelab::App>::new().render();
}
