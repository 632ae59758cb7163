//! `statelab`: scenario transcripts for documentation authors.

use statelab_sim::scenario::{self, Scenario};
use statelab_sim::transcript;
use std::process::ExitCode;

const USAGE: &str = "usage:
  statelab scenarios                               list scenario ids
  statelab transcript <id> [--seed N] [--json]     both lanes' raw HTTP for a scenario";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("statelab: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("scenarios") => Ok(scenario::IDS.iter().map(|id| format!("{id}\n")).collect()),
        Some("transcript") => {
            let id = args.get(1).ok_or("transcript needs a scenario id")?;
            let s =
                Scenario::find(id).ok_or_else(|| format!("no scenario \"{id}\"; `statelab scenarios` lists them"))?;
            let (mut seed, mut as_json) = (1u64, false);
            let mut rest = args[2..].iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--json" => as_json = true,
                    "--seed" => {
                        let n = rest.next().ok_or("--seed needs a number")?;
                        seed = n.parse().map_err(|_| format!("--seed takes a whole number, not \"{n}\""))?;
                    }
                    other => return Err(format!("unknown option \"{other}\"")),
                }
            }
            Ok(if as_json {
                format!("{}\n", transcript::scenario_json(&s, seed))
            } else {
                transcript::scenario_text(&s, seed)
            })
        }
        Some(other) => Err(format!("unknown command \"{other}\"")),
        None => Err("no command".into()),
    }
}
