//! `cargo xtask fuzz [INPUTS] [--seed N]`: every parser (JSON, JWT verify and
//! inspect, Set-Cookie, typed requests, WebSocket frames, FTP commands and
//! replies, PostgreSQL client and server messages, share links, notation, author tours) fed INPUTS
//! generated inputs each (default 1,000,000) under `catch_unwind`, in a
//! release build of `statelab-sim`'s `fuzz` test (`sim/tests/formats/fuzz.rs`,
//! in the `formats` test binary). It prints inputs, accepted, refused, panics
//! and time per parser, and fails on any panic.
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
    println!("==> fuzzing every parser: {inputs} inputs each, seed {seed} (release build)");
    crate::run(
        cmd("cargo")
            .args(["test", "--release", "-p", "statelab-sim", "--test", "formats"])
            .args(["--", "fuzz::", "--ignored", "--nocapture"])
            .env("FUZZ_INPUTS", &inputs)
            .env("FUZZ_SEED", &seed),
    )
}
