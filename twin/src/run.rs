//! `statelab-twin run`: each scenario played on both lanes' real fleets at
//! once (one thread a lane), compared with the simulation, written as
//! `<id>.json` in the shape of `statelab transcript <id> --json`, and summed
//! up in a table.

use crate::compare::{self, Row, DECLARED, NOT_COMPARED};
use crate::driver::{Driver, RealConn, RealExchange};
use crate::fleet::{free_base, Fleet};
use serde_json::json;
use statelab_sim::fleet::Kind;
use statelab_sim::text::parse_actions;
use statelab_sim::tours::{Listing, Scenario, Step, TOURS};
use statelab_sim::wire::jwt::Key;
use statelab_sim::LaneConfig;
use statelab_sim::LaneId;
use statelab_sim::{Exchange, Playground};
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct Options {
    pub ids: Vec<String>,
    pub out: PathBuf,
    pub seed: u64,
    /// Free play instead of scenarios: both lanes' configs and an action log in the notation.
    pub free: Option<([LaneConfig; 2], String)>,
}

/// A free-play log as a one-step scenario named `free-play`, keeping only the
/// actions the playground accepts (as a link would).
fn free_play(lanes: [LaneConfig; 2], log: &str, seed: u64) -> Result<Scenario, String> {
    let parsed = parse_actions(log).map_err(|e| format!("--log: {e}"))?;
    let mut p = Playground::new(seed, lanes);
    for a in parsed {
        let _ = p.apply(a);
    }
    Ok(Scenario {
        id: "free-play",
        title: "Free play".into(),
        lesson: "".into(),
        lanes,
        steps: vec![Step {
            script: log.to_owned().into(),
            actions: p.actions().to_vec(),
            say: "".into(),
            focus: (&[][..]).into(),
            ask: None,
        }],
    })
}

/// Plays one lane of `s` on a fresh fleet in `dir`.
/// What a lane's driver brings back: its exchanges and its WebSocket connections.
type Played = (Vec<RealExchange>, Vec<RealConn>);

fn play_lane(s: &Scenario, seed: u64, keys: Vec<Key>, lane: LaneId, dir: &Path, base: u16) -> Result<Played, String> {
    let first = keys.first().map(|k| (k.kid.clone(), k.secret.clone())).ok_or("the lane has no key")?;
    let config = s.lanes[lane.index()];
    let mut fleet = Fleet::start(config, dir, base, first)?;
    let mut driver = Driver::new(&mut fleet, lane, s.lanes, seed, keys);
    for (i, action) in s.steps.iter().flat_map(|st| &st.actions).enumerate() {
        driver.apply(action).map_err(|e| format!("action {} (`{action:?}`): {e}", i + 1))?;
    }
    Ok(driver.finish())
}

fn lane_json(
    label: &str,
    p: &Playground,
    lane: LaneId,
    real: &[RealExchange],
    conns: &[RealConn],
) -> serde_json::Value {
    let sim = p.lane(lane);
    let exchanges: Vec<_> = real
        .iter()
        .map(|x| {
            let mut trace = vec![format!(
                "HAProxy log: server {} status {} termination {}",
                x.tried.as_deref().unwrap_or("<NOSRV>"),
                x.status,
                x.termination
            )];
            if let Some(why) = &x.why {
                trace.push(format!("server refused: {why}"));
            }
            json!({
                "seq": x.seq,
                "server": x.server,
                "status": x.status,
                "request": String::from_utf8_lossy(&x.request),
                "response": String::from_utf8_lossy(&x.response),
                "trace": trace,
                "latency_ms": x.latency_ms,
            })
        })
        .collect();
    let keys: Vec<&str> =
        if sim.signs_credentials() { sim.key_history().iter().map(|k| k.secret.as_str()).collect() } else { vec![] };
    let connections: Vec<_> = conns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": i + 1,
                "client": c.client,
                "server": c.server,
                "handshake": c.handshake,
                "close_code": c.close,
                "frames": c.frames,
            })
        })
        .collect();
    json!({ "label": label, "config": sim.config(), "jwt_keys": keys, "exchanges": exchanges, "connections": connections })
}

/// Plays, compares and writes one scenario.
fn scenario(s: &Scenario, seed: u64, out: &Path, scratch: &Path) -> Result<Row, String> {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let base_a = free_base(21_000)?;
    let base_b = free_base(base_a + 16)?;
    let dirs = [scratch.join(format!("{}-a", s.id)), scratch.join(format!("{}-b", s.id))];
    // Each lane's driver gets the keys its simulated lane signed with (the playground itself stays on this thread).
    let (keys_a, keys_b) = (p.lane(LaneId::A).key_history().to_vec(), p.lane(LaneId::B).key_history().to_vec());
    let (a, b) = std::thread::scope(|t| {
        let a = t.spawn(|| play_lane(s, seed, keys_a, LaneId::A, &dirs[0], base_a));
        let b = t.spawn(|| play_lane(s, seed, keys_b, LaneId::B, &dirs[1], base_b));
        (a.join(), b.join())
    });
    let joined = |r: std::thread::Result<Result<Played, String>>, l: &str| {
        r.map_err(|_| format!("lane {l}'s driver panicked"))?.map_err(|e| format!("lane {l}: {e}"))
    };
    let real = [joined(a, "A")?, joined(b, "B")?];
    let mut row = Row { id: s.id.to_owned(), steps: s.steps.len(), ..Row::default() };
    for id in LaneId::ALL {
        let sim: Vec<&Exchange> = p.lane(id).exchanges().collect();
        compare::lane(&mut row, id.label(), &sim, &real[id.index()].0);
        compare::connections(&mut row, id.label(), p.lane(id), &real[id.index()].1);
    }
    let doc = json!({
        "scenario": s.id,
        "seed": seed,
        "lanes": LaneId::ALL.map(|id| lane_json(id.label(), &p, id, &real[id.index()].0, &real[id.index()].1)),
        "twin": {
            "statuses_equal": row.statuses_equal,
            "servers_equal": row.servers_equal,
            "exchanges": row.exchanges,
            "connections": row.connections,
            "connections_equal": row.connections_equal,
            "deliveries": LaneId::ALL.map(|id| json!({
                "lane": id.label(),
                "simulated": compare::deliveries(&compare::sim_connections(p.lane(id))),
                "real": compare::deliveries(&real[id.index()].1),
            })),
            "undeclared": row.undeclared,
            "notes": row.notes,
        },
    });
    let path = out.join(format!("{}.json", s.id));
    std::fs::write(&path, format!("{doc:#}\n")).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(row)
}

/// The tours a run with none named plays, and the file lanes' tours it
/// leaves out, each told by its listing's kind: file lanes need a real FTP
/// server, which this twin does not start yet (played when asked for by
/// name, and reported as not played); the database tours run on
/// PostgreSQL instead (`statelab-twin pg`).
fn default_tours() -> (Vec<&'static str>, Vec<&'static str>) {
    let (files, rest): (Vec<&Listing>, Vec<&Listing>) =
        TOURS.iter().filter(|t| t.kind != Some(Kind::Db)).partition(|t| t.kind == Some(Kind::Files));
    (rest.iter().map(|t| t.id).collect(), files.iter().map(|t| t.id).collect())
}

pub fn run(o: Options) -> Result<bool, String> {
    let ids: Vec<String> = if o.ids.is_empty() {
        let (rest, files) = default_tours();
        if !files.is_empty() {
            println!("not played on the real fleet yet (no FTP server in the twin): {}", files.join(", "));
        }
        rest.into_iter().map(str::to_owned).collect()
    } else {
        o.ids
    };
    let scenarios: Vec<Scenario> = match &o.free {
        Some((lanes, log)) => vec![free_play(*lanes, log, o.seed)?],
        None => ids
            .iter()
            .map(|id| {
                Scenario::find(id).ok_or_else(|| format!("no scenario \"{id}\"; `statelab scenarios` lists them"))
            })
            .collect::<Result<_, _>>()?,
    };
    std::fs::create_dir_all(&o.out).map_err(|e| format!("{}: {e}", o.out.display()))?;
    // Sockets live here: a short path under /tmp keeps them within the
    // 108 bytes a Unix socket's path may take.
    let scratch = std::env::temp_dir().join(format!("statelab-twin-{}", std::process::id()));
    let started = Instant::now();
    let mut rows = Vec::new();
    for s in &scenarios {
        let t = Instant::now();
        let row = scenario(s, o.seed, &o.out, &scratch).unwrap_or_else(|e| Row {
            id: s.id.to_owned(),
            steps: s.steps.len(),
            undeclared: 1,
            notes: vec![format!("not played to the end: {e}")],
            ..Row::default()
        });
        println!("  {} played in {:.1} s", s.id, t.elapsed().as_secs_f64());
        rows.push(row);
    }
    print_table(&rows);
    println!("\ndeclared differences (the simulation simplifies on purpose):");
    for d in &DECLARED {
        println!("  {}: {}\n    why: {}", d.code, d.what, d.why);
    }
    println!("not compared:");
    for n in NOT_COMPARED {
        println!("  - {n}");
    }
    let agree = rows.iter().filter(|r| r.undeclared == 0).count();
    println!(
        "\n{agree} of {} scenarios agree with the simulation ({:.0} s; transcripts in {})",
        scenarios.len(),
        started.elapsed().as_secs_f64(),
        o.out.display()
    );
    // Scratch (configs, logs, Redis data) is kept only when something disagreed.
    if agree == scenarios.len() {
        let _ = std::fs::remove_dir_all(&scratch);
    } else {
        println!("fleet logs and configs kept in {}", scratch.display());
    }
    Ok(agree == scenarios.len())
}

fn print_table(rows: &[Row]) {
    println!(
        "\n{:<22} {:>5}  {:<14} {:<14} {:<12} notes",
        "scenario", "steps", "statuses equal", "servers equal", "conns equal"
    );
    for r in rows {
        let notes = if r.notes.is_empty() { "—".to_owned() } else { r.notes.join("; ") };
        let conns =
            if r.connections == 0 { "—".to_owned() } else { format!("{}/{}", r.connections_equal, r.connections) };
        println!(
            "{:<22} {:>5}  {:<14} {:<14} {conns:<12} {notes}",
            r.id,
            r.steps,
            format!("{}/{}", r.statuses_equal, r.exchanges),
            format!("{}/{}", r.servers_equal, r.exchanges)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_run_leaves_out_the_database_tours_and_lists_the_file_tours_apart_by_their_lanes() {
        let (played, files) = default_tours();
        for s in statelab_sim::tours::all() {
            let id = s.id;
            let has = |f: fn(statelab_sim::App) -> bool| s.lanes.iter().any(|l| f(l.app));
            match (has(statelab_sim::App::is_db), has(statelab_sim::App::is_files)) {
                (true, _) => assert!(!played.contains(&id) && !files.contains(&id), "{id}: a database tour"),
                (false, true) => assert!(files.contains(&id) && !played.contains(&id), "{id}: a file tour"),
                (false, false) => assert!(played.contains(&id) && !files.contains(&id), "{id}: played"),
            }
        }
        assert!(files.len() > 1 && played.len() > 10, "{files:?} {played:?}");
        assert_eq!(played.len() + files.len(), TOURS.iter().filter(|t| t.kind != Some(Kind::Db)).count());
    }
}
