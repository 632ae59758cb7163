//! `statelab`: scenario transcripts for documentation authors.

use statelab_sim::scenario::{self, Scenario};
use statelab_sim::{export, transcript, Playground};
use std::process::ExitCode;

const USAGE: &str = "usage:
  statelab scenarios                               list scenario ids
  statelab transcript <id> [--seed N] [--json]     both lanes' raw HTTP for a scenario
  statelab har <id> [--seed N] [--lane a|b]        one lane's exchanges as HAR 1.2 (default lane b)";

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
        Some(cmd @ ("transcript" | "har")) => {
            let id = args.get(1).ok_or_else(|| format!("{cmd} needs a scenario id"))?;
            let s =
                Scenario::find(id).ok_or_else(|| format!("no scenario \"{id}\"; `statelab scenarios` lists them"))?;
            let (mut seed, mut as_json, mut lane) = (1u64, false, 1usize);
            let mut rest = args[2..].iter();
            while let Some(flag) = rest.next() {
                match flag.as_str() {
                    "--json" if cmd == "transcript" => as_json = true,
                    "--seed" => {
                        let n = rest.next().ok_or("--seed needs a number")?;
                        seed = n.parse().map_err(|_| format!("--seed takes a whole number, not \"{n}\""))?;
                    }
                    "--lane" if cmd == "har" => {
                        lane = match rest.next().map(String::as_str) {
                            Some("a" | "A") => 0,
                            Some("b" | "B") => 1,
                            _ => return Err("--lane takes a or b".into()),
                        }
                    }
                    other => return Err(format!("unknown option \"{other}\"")),
                }
            }
            Ok(match (cmd, as_json) {
                ("har", _) => {
                    format!("{}\n", export::har(Playground::from_scenario(&s, seed, s.steps.len()).lane(lane)))
                }
                (_, true) => format!("{}\n", transcript::scenario_json(&s, seed)),
                _ => transcript::scenario_text(&s, seed),
            })
        }
        Some(other) => Err(format!("unknown command \"{other}\"")),
        None => Err("no command".into()),
    }
}
