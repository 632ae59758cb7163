//! `statelab`: scenario transcripts for documentation authors, and load runs.
//!
//! Exit codes: 0 done; 1 the output could not be written (stdout closed or
//! full); 2 the arguments were wrong (the message says which and how).
//! Output formats are stable, since docs and scripts read them: `scenarios`
//! prints one id per line, `transcript --json` keeps its shape.

use clap::{Parser, Subcommand, ValueEnum};
use statelab_sim::fleet::Kind as LaneKind;
use statelab_sim::load::{designs, Mix, Plan, Run};
use statelab_sim::text;
use statelab_sim::tours::{self, Scenario};
use statelab_sim::{App, AuthMode, LaneConfig, LaneId, Playground, Store, Strategy};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "statelab",
    version,
    about = "Scenario transcripts of the Statelab simulation: raw HTTP of a stateless and a stateful fleet, side by side"
)]
struct Cli {
    /// Seed of the simulation (same seed, same bytes)
    #[arg(long, global = true, default_value_t = 1, value_name = "N", value_parser = whole_number)]
    seed: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List scenario ids, one per line
    Scenarios,
    /// Both lanes' raw HTTP (and WebSocket bytes) for a scenario played to its end, or for a free-play log
    Transcript {
        /// A scenario id (`statelab scenarios` lists them); or none, with --log or --tour
        #[arg(required_unless_present_any = ["log", "tour"], conflicts_with_all = ["log", "tour"])]
        id: Option<String>,
        /// An author's tour file (JSON; see README, "Write your own tour"), played with its own seed
        #[arg(long, value_name = "FILE", conflicts_with = "log")]
        tour: Option<std::path::PathBuf>,
        /// A free-play log in the action notation: 'login alice, connect alice, say alice hi'
        #[arg(long, value_name = "ACTIONS", requires_all = ["a", "b"])]
        log: Option<String>,
        /// Lane A's configuration code with --log (`jwt.rr.3`, `chat-pubsub:jwt.leastconn.3`)
        #[arg(long, value_name = "CODE", requires = "log")]
        a: Option<String>,
        /// Lane B's configuration code with --log
        #[arg(long, value_name = "CODE", requires = "log")]
        b: Option<String>,
        /// Machine-readable JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Author tours: `statelab tour check FILE` says whether a tour file is valid, and where it is not
    Tour {
        #[command(subcommand)]
        command: TourCommand,
    },
    /// A lane's HAProxy configuration and the commands that start its real fleet: with the twin, or
    /// pyftpdlib servers behind HAProxy in TCP mode for an FTP lane; for a database lane, what the
    /// twin runs (PostgreSQL, PgBouncer)
    Fleet {
        /// A lane configuration as in links: [app:]auth.strategy.servers (`local.sticky.3`, `ftp:local.iphash.3`)
        config: String,
    },
    /// Every design measured on one workload (a user for ten minutes, then logout): bytes, store and
    /// database trips per request, refreshes, how long a copy works after logout, state held where;
    /// then access-token lifetimes against refresh traffic
    Designs {
        /// Machine-readable JSON instead of a Markdown table
        #[arg(long)]
        json: bool,
    },
    /// A tour step's evidence (each lane's statuses, servers, the header and trace lines that matter, the
    /// fleet) as an SVG figure, for pages that show images but no iframes, such as a README on GitHub
    #[command(
        override_usage = "statelab figure <TOUR> <STEP> --svg [-o FILE]\n       statelab figure --all --svg <DIR>"
    )]
    Figure {
        /// A tour id (`statelab scenarios` lists them); with --all, the directory to write into
        #[arg(value_name = "TOUR|DIR")]
        tour: String,
        /// The step, from 1 (the figure shows what that step did)
        step: Option<String>,
        /// Write SVG (the one format so far, asked for by name so that others can follow)
        #[arg(long, required = true)]
        svg: bool,
        /// Write the figure to FILE instead of stdout
        #[arg(short, long, value_name = "FILE", conflicts_with = "all")]
        output: Option<PathBuf>,
        /// Every step of every tour, each written as DIR/<tour>-<step>.svg
        #[arg(long)]
        all: bool,
    },
    /// One lane's exchanges as HAR 1.2
    Har {
        /// A scenario id (`statelab scenarios` lists them)
        id: String,
        /// Which lane
        #[arg(long, value_enum, default_value_t = Lane::B, ignore_case = true)]
        lane: Lane,
    },
    /// A load run through one lane: the same totals the page's load panel shows. On a chat or game
    /// lane each load user logs in, opens a WebSocket and then sends a message (or a move) a turn
    Load {
        /// The lane's design (each with round robin over 3 servers, but sticky; the chat and game lanes
        /// with least connections over 3 servers, JWT in the handshake's URL)
        #[arg(long, value_enum, required_unless_present = "config", conflicts_with = "config")]
        lane: Option<Kind>,
        /// Any lane as a configuration code instead, as in links (`game-memory:jwt.room.3`)
        #[arg(long, value_name = "CODE")]
        config: Option<String>,
        /// Load users (1 to 10,000)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
        clients: u32,
        /// Requests per load user (1 to 1,000)
        #[arg(long, value_name = "M", value_parser = clap::value_parser!(u32).range(1..=1_000))]
        requests: u32,
        /// Faults at points of the run, as in links: 30.crash.1~50.store.down~60.store.up
        #[arg(long, default_value = "", value_name = "SCHEDULE")]
        faults: String,
        /// Weights of /api/me, /api/cart, /api/orders and adding to the cart
        #[arg(long, default_value = "1.1.1.0", value_name = "W.W.W.W")]
        mix: String,
        /// Machine-readable JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum TourCommand {
    /// Checks a tour file: its syntax (line and column), every field, and every step played on the
    /// lanes (an action that would do nothing is named). Exit 2 and the first problem if it is not valid
    Check {
        /// The tour file (JSON)
        file: std::path::PathBuf,
    },
}

/// Reads and checks an author's tour file; the error names the file, then where in it.
fn read_tour(file: &std::path::Path) -> Result<(Scenario, u64), String> {
    let name = file.display();
    let text = std::fs::read_to_string(file).map_err(|e| format!("{name}: {e}"))?;
    Scenario::from_json(&text).map_err(|e| format!("{name}: {e}"))
}

/// The lane designs a load run compares: the page's default lanes are `jwt` (A) and `local` (B).
#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    /// Stateless JWT, round robin
    Jwt,
    /// Sessions in server memory, round robin
    Local,
    /// Sessions in server memory, sticky cookie
    Sticky,
    /// Sessions in a shared store, round robin
    Shared,
    /// Signed-cookie sessions, round robin
    Signed,
    /// Access JWTs that live 10 s and a refresh token in the shared store, round robin
    Refresh,
    /// Opaque tokens looked up in the shared store on every request, round robin
    Opaque,
    /// API keys, each server counting the rate limit in its own memory, round robin
    ApikeyLocal,
    /// API keys, the rate limit counted in the shared store, round robin
    Apikey,
    /// A chat room kept in each server's memory: a message reaches only connections on the sender's server
    ChatMemory,
    /// A chat room over the store's pub/sub: every server passes each message to its own connections
    ChatPubsub,
    /// A game whose match lives in the memory of each server that runs it
    GameMemory,
    /// The same game, each move checkpointed to the store so a match survives its server
    GameCheckpoint,
}

impl Kind {
    fn config(self) -> LaneConfig {
        match self {
            Kind::Jwt => LaneConfig::stateless(),
            Kind::Local => LaneConfig::stateful(),
            Kind::Sticky => LaneConfig::stateful().with_balancer(Strategy::StickyCookie),
            Kind::Shared => LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared }),
            Kind::Signed => LaneConfig::stateless().with_auth(AuthMode::SignedCookie),
            // The default 15-minute access token outlives a 100 s run: no refresh would show.
            Kind::Refresh => LaneConfig {
                token_ttl_s: statelab_sim::load::ACCESS_TTL_S,
                ..LaneConfig::stateless().with_auth(AuthMode::Refresh)
            },
            Kind::Opaque => LaneConfig::stateless().with_auth(AuthMode::Opaque),
            Kind::ApikeyLocal => LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Local }),
            Kind::Apikey => LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Shared }),
            Kind::ChatMemory => connections(App::Chat(Store::Local)),
            Kind::ChatPubsub => connections(App::Chat(Store::Shared)),
            Kind::GameMemory => connections(App::Game(Store::Local)),
            Kind::GameCheckpoint => connections(App::Game(Store::Shared)),
        }
    }
}

/// A connection lane as `--lane` runs it: JWT, least connections over 3 servers.
fn connections(app: App) -> LaneConfig {
    LaneConfig::stateless().with_app(app).with_balancer(Strategy::LeastConnections)
}

#[derive(Clone, Copy, ValueEnum)]
enum Lane {
    A,
    B,
}

/// Plays a free-play log on two lanes; an action the playground refuses is an error that names it.
fn free_play(log: &str, a: &str, b: &str, seed: u64) -> Result<Playground, String> {
    let configs = [text::parse_config(a)?, text::parse_config(b)?];
    let actions = text::parse_actions(log).map_err(|e| format!("--log: {}", e.message))?;
    let mut p = Playground::new(seed, configs);
    for (i, action) in actions.into_iter().enumerate() {
        let said = action.to_string();
        p.apply(action).map_err(|e| format!("--log: action {} `{said}` was refused: {e}", i + 1))?;
    }
    Ok(p)
}

fn whole_number(s: &str) -> Result<u64, String> {
    s.parse().map_err(|_| format!("not a whole number from 0 to {}", u64::MAX))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: asked for, so printed to stdout, exit 0.
            return match write!(std::io::stdout().lock(), "{e}") {
                Ok(()) => ExitCode::SUCCESS,
                Err(w) => output_error(&w),
            };
        }
        Err(e) => {
            let text = e.to_string();
            let mut lines = text.lines();
            let mut first = lines.next().unwrap_or("invalid arguments").trim_start_matches("error: ").to_owned();
            // "the following required arguments were not provided:" lists them on the lines below.
            if first.ends_with(':') {
                let missing: Vec<&str> = lines.take_while(|l| l.starts_with("  ")).map(str::trim).collect();
                first = format!("{first} {}", missing.join(", "));
            }
            eprintln!("statelab: {first}; see `statelab --help`");
            return ExitCode::from(2);
        }
    };
    let out = match run(&cli) {
        Ok(out) => out,
        Err(Failure(code, msg)) => {
            eprintln!("statelab: {msg}");
            return ExitCode::from(code);
        }
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output_error(&e),
    }
}

fn output_error(e: &std::io::Error) -> ExitCode {
    eprintln!("statelab: could not write the output: {e}");
    ExitCode::from(1)
}

/// Why a command failed, with its exit code: 2 for the arguments (every
/// `String` error is about them), 1 for a file that could not be written.
struct Failure(u8, String);

impl From<String> for Failure {
    fn from(msg: String) -> Failure {
        Failure(2, msg)
    }
}

/// `statelab figure`: one step to stdout or `output`, or with `all` every
/// step of every tour into the directory `tour` names.
fn figure(tour: &str, step: Option<&str>, output: Option<&Path>, all: bool, seed: u64) -> Result<String, Failure> {
    let write = |path: &Path, svg: &str| {
        std::fs::write(path, svg).map_err(|e| Failure(1, format!("could not write {}: {e}", path.display())))
    };
    if all {
        if let Some(step) = step {
            return Err(format!("--all writes every step of every tour into one directory; remove `{step}`").into());
        }
        let dir = Path::new(tour);
        std::fs::create_dir_all(dir).map_err(|e| Failure(1, format!("could not create {}: {e}", dir.display())))?;
        let mut written = String::new();
        for s in tours::all() {
            for n in 1..=s.steps.len() {
                let path = dir.join(s.figure_file(n));
                write(&path, &step_figure(&s, n, seed)?)?;
                written.push_str(&format!("{}\n", path.display()));
            }
        }
        return Ok(written);
    }
    let s = Scenario::find(tour).ok_or_else(|| format!("no tour \"{tour}\"; `statelab scenarios` lists them"))?;
    let steps = s.steps.len();
    let Some(step) = step else {
        return Err(
            format!("which step of {tour}? Give a number from 1 to {steps}: `statelab figure {tour} 1 --svg`").into()
        );
    };
    let n = step.parse::<usize>().ok().filter(|n| (1..=steps).contains(n)).ok_or_else(|| {
        format!("tour {tour} has steps 1 to {steps}; there is no step \"{}\"", statelab_sim::base::quoted(step))
    })?;
    let svg = step_figure(&s, n, seed)?;
    match output {
        Some(path) => write(path, &svg).map(|()| String::new()),
        None => Ok(svg),
    }
}

/// Step `n` of `s`, played on `seed`, as its figure.
fn step_figure(s: &Scenario, n: usize, seed: u64) -> Result<String, String> {
    let played = Playground::from_scenario(s, seed, n);
    s.figure(n, &played).ok_or_else(|| format!("tour {} has no step {n}", s.id))
}

fn run(cli: &Cli) -> Result<String, Failure> {
    let find =
        |id: &str| Scenario::find(id).ok_or_else(|| format!("no scenario \"{id}\"; `statelab scenarios` lists them"));
    Ok(match &cli.command {
        Command::Scenarios => tours::IDS.iter().map(|id| format!("{id}\n")).collect(),
        Command::Transcript { id: Some(id), json: true, .. } => {
            format!("{}\n", tours::scenario_json(&find(id)?, cli.seed))
        }
        Command::Transcript { id: Some(id), json: false, .. } => tours::scenario_text(&find(id)?, cli.seed),
        Command::Transcript { id: None, tour: Some(file), json, .. } => {
            let (s, seed) = read_tour(file)?;
            if *json {
                format!("{}\n", tours::scenario_json(&s, seed))
            } else {
                tours::scenario_text(&s, seed)
            }
        }
        Command::Tour { command: TourCommand::Check { file } } => {
            let (s, _) = read_tour(file)?;
            let asked = s.steps.iter().filter(|st| st.ask.is_some()).count();
            format!(
                "{}: a valid tour, “{}”: {} steps, {asked} asking a question\n",
                file.display(),
                s.title,
                s.steps.len()
            )
        }
        Command::Transcript { id: None, tour: None, log, a, b, json } => {
            let (log, a, b) = (log.as_deref().unwrap_or(""), a.as_deref().unwrap_or(""), b.as_deref().unwrap_or(""));
            let p = free_play(log, a, b, cli.seed)?;
            if *json {
                format!("{}\n", tours::played_json(&p, log, cli.seed))
            } else {
                tours::played_text(&p, log, cli.seed)
            }
        }
        Command::Fleet { config } => statelab_sim::text::run_it_yourself_for(config)?,
        Command::Designs { json: true } => {
            format!("{}\n", serde_json::json!({ "designs": designs::compare(), "access_ttl": designs::tradeoff() }))
        }
        Command::Designs { json: false } => {
            designs::markdown(&designs::compare()) + "\n" + &designs::tradeoff_markdown(&designs::tradeoff())
        }
        Command::Figure { tour, step, output, all, svg: _ } => {
            return figure(tour, step.as_deref(), output.as_deref(), *all, cli.seed);
        }
        Command::Har { id, lane } => {
            let s = find(id)?;
            let lane = match lane {
                Lane::A => LaneId::A,
                Lane::B => LaneId::B,
            };
            let played = Playground::from_scenario(&s, cli.seed, s.steps.len());
            format!("{}\n", text::har(played.lane(lane)))
        }
        Command::Load { lane, config, clients, requests, faults, mix, json } => {
            let config = match (lane, config) {
                (Some(kind), _) => kind.config(),
                (None, code) => text::parse_config(code.as_deref().unwrap_or(""))?,
            };
            let plan =
                Plan { faults: Plan::parse_faults(faults)?, mix: Mix::parse(mix)?, ..Plan::new(*clients, *requests) };
            plan.check_fleet(&config)?;
            let mut run = Run::new(plan, config, cli.seed);
            run.step(u64::MAX);
            let report = run.report();
            if *json {
                let summary = serde_json::json!({
                    "lane": report.lane, "config": report.config, "seed": report.seed,
                    "clients": report.clients, "requests": report.requests, "total": report.total,
                    "rate": report.rate, "mix": report.mix, "totals": report.totals,
                    "faults": report.markers,
                });
                let mut summary = summary;
                // What a kind's turns did, per simulated second: connections
                // open and messages; sessions held and downloads; pool waits.
                let seconds: Vec<serde_json::Value> = report
                    .seconds
                    .iter()
                    .filter_map(|s| match report.kind? {
                        LaneKind::Connections => serde_json::to_value(&s.sockets).ok(),
                        LaneKind::Files => serde_json::to_value(&s.files).ok(),
                        LaneKind::Db => serde_json::to_value(&s.pools).ok(),
                    })
                    .collect();
                if report.kind.is_some() {
                    summary["seconds"] = serde_json::json!(seconds);
                }
                format!("{summary}\n")
            } else {
                report.text()
            }
        }
    })
}
