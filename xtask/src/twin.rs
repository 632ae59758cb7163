//! `cargo xtask twin [ID...] [--out DIR]`: HAProxy, Redis and libfaketime
//! installed if missing, the twin built, every scenario (or those named)
//! replayed on the real fleet and compared with the simulation; the
//! database tours (all, or those named) on PostgreSQL and PgBouncer.
//! `cargo xtask twin --fleet CONFIG` starts one lane's fleet by hand instead.

use crate::{cmd, run_captured, setup};

const USAGE: &str =
    "cargo xtask twin [ID...] [--out DIR]   the scenarios (all, or those named) on HAProxy, Redis and real
                                      servers (database tours: PostgreSQL and PgBouncer), compared with the
                                      simulation; transcripts in DIR (target/twin)
cargo xtask twin --log ACTIONS --a CONFIG --b CONFIG   free play: any link's log on the real fleet
cargo xtask twin --fleet CONFIG      one lane's real fleet on 127.0.0.1:8000 until Ctrl-C (CONFIG as in links)";

/// Runs the twin; `Ok((agreeing, scenarios))`, or an error when it could not run.
pub fn run(args: &[String]) -> Result<(u64, u64), String> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok((0, 0));
    }
    println!("==> setup (the real-fleet twin)");
    setup::twin_tools()?;
    if let Some(i) = args.iter().position(|a| a == "--fleet") {
        let config = args.get(i + 1).ok_or("--fleet needs a lane configuration, e.g. local.sticky.3")?;
        println!("\n==> statelab-twin fleet {config}");
        crate::run(cmd("cargo").args(["run", "-q", "-p", "statelab-twin", "--", "fleet", config]))?;
        return Ok((0, 0));
    }
    // Database tours named here run on PostgreSQL (`statelab-twin pg`), not on the HTTP fleet.
    let (db, rest): (Vec<&String>, Vec<&String>) = args.iter().partition(|a| is_db_tour(a));
    let http_named = rest.iter().any(|a| statelab_sim::tours::listing(a).is_some() || *a == "--log");
    let (mut agree, mut of) = (0, 0);
    if args.is_empty() || http_named || db.is_empty() {
        println!("\n==> cargo build -p statelab-twin, then every scenario on HAProxy, Redis and real servers");
        let mut c = cmd("cargo");
        c.args(["run", "-q", "-p", "statelab-twin", "--color", "never", "--", "run"]).args(&rest);
        if !args.iter().any(|a| a == "--out") {
            c.args(["--out", "target/twin"]);
        }
        let (_, out) = run_captured(&mut c)?;
        (agree, of) = agreement(&out).ok_or("the twin printed no agreement line (see above)")?;
        if !args.is_empty() && db.is_empty() {
            return Ok((agree, of));
        }
    }
    println!("\n==> the database tours' bytes on a real PostgreSQL (statelab-twin pg)");
    let pg =
        crate::run(cmd("cargo").args(["run", "-q", "-p", "statelab-twin", "--color", "never", "--", "pg"]).args(&db));
    // The database tours count as one more check: all their answers agree, or not.
    Ok((agree + u64::from(pg.is_ok()), of + 1))
}

/// Whether `id` names a database tour, which the twin replays on PostgreSQL.
fn is_db_tour(id: &str) -> bool {
    statelab_sim::tours::listing(id).is_some_and(|t| t.kind == Some(statelab_sim::fleet::Kind::Db))
}

/// Reads the twin's closing line: `N of M scenarios agree with the simulation …`.
fn agreement(output: &str) -> Option<(u64, u64)> {
    output.lines().rev().find_map(|l| {
        let rest = l.strip_suffix(')').unwrap_or(l);
        let (n, rest) = rest.split_once(" of ")?;
        let (m, tail) = rest.split_once(' ')?;
        tail.starts_with("scenarios agree").then_some(())?;
        Some((n.trim().parse().ok()?, m.parse().ok()?))
    })
}

#[cfg(test)]
mod tests {
    use super::{agreement, is_db_tour};

    #[test]
    fn named_database_tours_go_to_postgresql_and_the_others_to_the_http_fleet() {
        assert!(is_db_tour("db-temp-table") && is_db_tour("db-leaky-set"));
        assert!(!is_db_tour("sticky-crash") && !is_db_tour("ftp-session") && !is_db_tour("--out"));
    }

    #[test]
    fn reads_the_closing_line() {
        let out =
            "table\n11 of 12 scenarios agree with the simulation (30 s; transcripts in target/twin)\nfleet logs kept\n";
        assert_eq!(agreement(out), Some((11, 12)));
        assert_eq!(agreement("nothing here"), None);
    }
}
