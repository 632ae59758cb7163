fn main() {
    yew::Renderer::<statelab::App>::new().render();
}
