//! `statelab-twin`: the real-fleet twin of Statelab's simulation.
//!
//! - `run [ID...] [--out DIR] [--seed N]`: every scenario (or those named) on
//!   HAProxy, Redis and real servers, compared with the simulation; exits 1
//!   on any difference that is not a declared simplification. With
//!   `--log ACTIONS [--a CONFIG] [--b CONFIG]`, a free-play log instead.
//! - `fleet CONFIG [--base PORT]`: one lane's fleet (`local.sticky.3`, as in
//!   links) on 127.0.0.1 until Ctrl-C, for trying a scenario by hand.
//! - `pg [ID...] [--out DIR]`: the database tours on a real PostgreSQL: a
//!   session or stateless lane's bytes replayed, then its requests again
//!   through real pools (deadpool-postgres); a transaction-mode lane through
//!   a real PgBouncer (`pg.rs`); exits 1 on any difference.
//! - `server ...`: one shop server; the twin starts these itself.
//!
//! `cargo xtask twin` installs HAProxy, Redis and libfaketime first.

mod compare;
mod driver;
mod fleet;
mod pg;
mod procs;
mod run;
mod server;
mod store_clock;

use statelab_sim::LaneConfig;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: statelab-twin run [ID...] [--out DIR] [--seed N]
       statelab-twin run --log ACTIONS [--a CONFIG] [--b CONFIG] [--out DIR] [--seed N]   (free play, as in links)
       statelab-twin pg [ID...] [--out DIR]          (the database tours on a real PostgreSQL)
       statelab-twin fleet CONFIG [--base PORT]     (CONFIG as in links: local.sticky.3)
       statelab-twin server --name S1 --port P --lane CONFIG --keys FILE --store-port P --db-port P";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("server") => server(&args[1..]).map(|()| true),
        Some("run") => procs::install_interrupt_handler().and_then(|()| run(&args[1..])),
        Some("pg") => procs::install_interrupt_handler().and_then(|()| pg_replay(&args[1..])),
        Some("fleet") => procs::install_interrupt_handler().and_then(|()| fleet(&args[1..])).map(|()| true),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            procs::kill_all();
            eprintln!("statelab-twin: {e}");
            ExitCode::from(2)
        }
    }
}

fn pg_replay(args: &[String]) -> Result<bool, String> {
    let (ids, opts) = split_args(args)?;
    let out = PathBuf::from(opt(&opts, "out").unwrap_or("target/twin-pg"));
    pg::run(&ids, &out)
}

/// `--name value` pairs, in order.
type Opts = Vec<(String, String)>;

/// The words that are not options, and the options.
fn split_args(args: &[String]) -> Result<(Vec<String>, Opts), String> {
    let (mut words, mut opts) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.strip_prefix("--") {
            Some(name) => {
                let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
                opts.push((name.to_owned(), value.clone()));
            }
            None => words.push(a.clone()),
        }
    }
    Ok((words, opts))
}

fn opt<'a>(opts: &'a [(String, String)], name: &str) -> Option<&'a str> {
    opts.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn need<'a>(opts: &'a [(String, String)], name: &str) -> Result<&'a str, String> {
    opt(opts, name).ok_or_else(|| format!("--{name} is required"))
}

fn port(text: &str) -> Result<u16, String> {
    text.parse().map_err(|_| format!("`{text}` is not a port"))
}

fn server(args: &[String]) -> Result<(), String> {
    let (_, o) = split_args(args)?;
    server::run(server::Options {
        name: need(&o, "name")?.to_owned(),
        port: port(need(&o, "port")?)?,
        lane: statelab_sim::text::parse_config(need(&o, "lane")?)?,
        keys: PathBuf::from(need(&o, "keys")?),
        store_port: port(need(&o, "store-port")?)?,
        db_port: port(need(&o, "db-port")?)?,
    })
}

fn run(args: &[String]) -> Result<bool, String> {
    let (ids, o) = split_args(args)?;
    let seed = opt(&o, "seed").map_or(Ok(1), |s| s.parse().map_err(|_| format!("--seed `{s}` is not a number")))?;
    let lane = |name: &str, default: LaneConfig| opt(&o, name).map_or(Ok(default), statelab_sim::text::parse_config);
    let free = match opt(&o, "log") {
        Some(log) => Some(([lane("a", LaneConfig::stateless())?, lane("b", LaneConfig::stateful())?], log.to_owned())),
        None => None,
    };
    run::run(run::Options { ids, out: PathBuf::from(opt(&o, "out").unwrap_or("target/twin")), seed, free })
}

fn fleet(args: &[String]) -> Result<(), String> {
    let (words, o) = split_args(args)?;
    let code = words.first().ok_or("name a lane configuration, e.g. `fleet local.sticky.3`")?;
    let lane = statelab_sim::text::parse_config(code)?;
    let base = opt(&o, "base").map_or(Ok(statelab_sim::text::BASE_PORT), port)?;
    // The directory the page's "Run it yourself" names (haproxy::LAB_DIR) for the default port.
    let dir = PathBuf::from(format!("/tmp/statelab-fleet-{base}"));
    // A fixed key for a hand-run fleet: nothing here is secret, it is a lab.
    let key = ("k1".to_owned(), "statelab-fleet-key-for-trying-things-by-hand".to_owned());
    let _fleet = fleet::Fleet::start(lane, &dir, base, key)?;
    println!("{lane} on http://127.0.0.1:{base}/ (HAProxy; its configuration is {}/haproxy.cfg)", dir.display());
    println!(
        "servers S1…S{} on ports {}…{}; logs in {}",
        lane.servers,
        base + 1,
        base + u16::from(lane.servers),
        dir.display()
    );
    println!("Ctrl-C stops every process this started.");
    // Bounded like every loop here: a lab fleet stops by itself after 8 hours.
    std::thread::sleep(std::time::Duration::from_secs(8 * 3600));
    Ok(())
}
