//! The playground alone, staged for end-to-end tests and the render
//! benchmark until it ships on the main page. Built into
//! target/playground-dist/, never into the shipped dist/.

fn main() {
    statelab::panic_box::install();
    yew::Renderer::<statelab::playground::PlaygroundView>::new().render();
}
