//! The fuzz harness behind `cargo xtask fuzz`: a parser fed inputs from a
//! proptest strategy under `catch_unwind`, tallied (inputs, accepted,
//! refused, panics, time). The engine's parsers use it (`fuzz.rs`), and so
//! does the view's embed-message parser (`src/host.rs`, which includes this
//! file by path): one harness, one table.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

/// One parser's run.
pub(crate) struct Tally {
    parser: &'static str,
    inputs: u64,
    accepted: u64,
    refused: u64,
    /// Inputs it panicked on.
    pub(crate) panics: u64,
    parsing: Duration,
    total: Duration,
}

/// The number in environment variable `name`, or `default`.
pub(crate) fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `parse` on `inputs` values of `strategy`; `parse` says whether the
/// input was accepted, and panics on anything it must never see.
pub(crate) fn fuzz<T: Debug>(
    parser: &'static str,
    inputs: u64,
    seed: u64,
    strategy: impl Strategy<Value = T>,
    parse: impl Fn(&T) -> bool,
) -> Tally {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    // Filters reject now and then; over a million inputs that adds up.
    let config = Config { max_local_rejects: u32::MAX, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let mut t =
        Tally { parser, inputs, accepted: 0, refused: 0, panics: 0, parsing: Duration::ZERO, total: Duration::ZERO };
    let start = Instant::now();
    for _ in 0..inputs {
        let input = strategy.new_tree(&mut runner).expect("the generators do not give up").current();
        let at = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| parse(&input)));
        t.parsing += at.elapsed();
        match outcome {
            Ok(true) => t.accepted += 1,
            Ok(false) => t.refused += 1,
            Err(_) => {
                if t.panics == 0 {
                    eprintln!("{parser} panicked on {input:?}");
                }
                t.panics += 1;
            }
        }
    }
    t.total = start.elapsed();
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>9.1} s {:>9.1} s",
        t.parser,
        t.inputs,
        t.accepted,
        t.refused,
        t.panics,
        t.parsing.as_secs_f64(),
        t.total.as_secs_f64()
    );
    t
}

/// The run's first lines: what it feeds, and the table's heading.
pub(crate) fn print_header(inputs: u64, seed: u64) {
    println!("fuzz: {inputs} inputs per parser, seed {seed}");
    println!(
        "{:<12} {:>10} {:>10} {:>10} {:>7} {:>11} {:>11}",
        "parser", "inputs", "accepted", "refused", "panics", "parsing", "with gen"
    );
}
