fn main() {
    statelab::panic_box::install();
    statelab::takeover::start();
}
