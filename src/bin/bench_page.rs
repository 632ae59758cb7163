//! The playground alone, for `cargo xtask bench`'s render benchmark. Built
//! into target/bench-dist/, never into the shipped dist/.

fn main() {
    statelab::panic_box::install();
    yew::Renderer::<statelab::playground::PlaygroundView>::new().render();
}
