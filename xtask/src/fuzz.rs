//! `cargo xtask fuzz [INPUTS] [--seed N]`: every parser (JSON, JWT verify and
//! inspect, Set-Cookie, typed requests, WebSocket frames, FTP commands and
//! replies, PostgreSQL client and server messages, share links, notation, author tours) fed INPUTS
//! generated inputs each (default 1,000,000) under `catch_unwind`, in a
//! release build of `statelab-sim`'s `fuzz` test (`sim/tests/formats/fuzz.rs`,
//! in the `formats` test binary); then the view's embed-message parser
//! (`src/host.rs`, its `fuzz` test, built natively) the same way, with the
//! same harness (`sim/tests/formats/harness.rs`). It prints inputs, accepted,
//! refused, panics and time per parser, and fails on any panic.
//! Not part of `cargo xtask test`: it takes minutes.

use crate::cmd;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut inputs = "1000000".to_owned();
    let mut seed = "1".to_owned();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" => seed = it.next().ok_or("--seed needs a number")?.clone(),
            n => inputs = n.to_owned(),
        }
    }
    for (what, value) in [("INPUTS", &inputs), ("--seed", &seed)] {
        value.parse::<u64>().map_err(|_| format!("{what} must be a whole number, not `{value}`"))?;
    }
    // The engine's parsers, then the view's parser of what a host page sends an embed.
    let runs: [(&str, &[&str], &str); 2] = [
        ("every engine parser", &["-p", "statelab-sim", "--test", "formats"], "fuzz::"),
        ("the embed messages (src/host.rs)", &["-p", "statelab", "--lib"], "host::fuzz::"),
    ];
    for (what, target, filter) in runs {
        println!("==> fuzzing {what}: {inputs} inputs each, seed {seed} (release build)");
        crate::run(
            cmd("cargo")
                .args(["test", "--release"])
                .args(target)
                .args(["--", filter, "--ignored", "--nocapture"])
                .env("FUZZ_INPUTS", &inputs)
                .env("FUZZ_SEED", &seed),
        )?;
    }
    Ok(())
}
