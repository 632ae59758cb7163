//! What the lanes and the playground do: the ideas each lane demonstrates,
//! the playground's undo, configure and refusals, properties of random
//! runs, and load runs.
//!
//! proptest keeps the failing seeds of `properties.rs` and `playground.rs` in
//! `tests/proptest-regressions/<file>.txt`: its default place once a test's
//! directory has a `main.rs` (beside the source file otherwise).

mod ideas;
mod load;
mod playground;
mod properties;
