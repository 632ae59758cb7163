//! A session or stateless lane with a real pool in each app server:
//! deadpool-postgres over tokio-postgres, as a Rust app would run it.
//!
//! The bytes replay (`replay_lane`) sends the engine's messages on the
//! connections the engine chose, so it cannot catch the engine choosing
//! wrongly. Here the choosing is real: each app server the lane's requests
//! reach gets its own `deadpool_postgres::Pool` of [`POOL_SIZE`], in FIFO
//! order with `RecyclingMethod::Fast` (deadpool's defaults: a connection
//! goes back with no reset, which is what the engine's session lane claims),
//! and each request asks it for a connection. On a session lane the app
//! sends what the user's request asks (`simple_query` for a statement,
//! `prepare_cached` and `query` for the prepared one, so deadpool's own
//! per-connection statement cache decides whether to prepare); on a
//! stateless lane it sends the statements the engine's app composed, each
//! carrying its context (a simple query, or `query_typed` for the unnamed
//! statement), and asks for no connection when the engine sent nothing.
//!
//! A crash is the app server's process dying: its connections are cut at
//! the relay, so PostgreSQL sees them close with no Terminate and rolls back
//! what they held, and the server comes back with a new, empty pool.
//!
//! For each request, compared with the engine: which of the app server's
//! connections carried it (the first it opened, the second…), and its
//! answers as `outline` reads them, with ReadyForQuery taken once, at the
//! end of the request (tokio-postgres prepares in a round trip of its own,
//! where the engine's driver sends Parse with the Bind, so the count of
//! round trips differs; the status each request leaves does not).

use super::tap::{frames, Tap};
use super::{answers_in, db_records, outline, sent_in, Postgres};
use deadpool_postgres::{Manager, ManagerConfig, Pool, QueueMode, RecyclingMethod};
use statelab_sim::fleet::{driver_messages, App, Pooling, Side, SqlOp, POOL_SIZE, STATEMENT};
use statelab_sim::wire::pg::{parse_backend_from, Backend, Frontend};
use statelab_sim::Lane;
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::NoTls;

/// An app server as the twin runs it: its pool, which connects through its
/// own relay, so each connection the relay sees is this server's.
struct AppServer {
    tap: Tap,
    pool: Pool,
    /// The first of the relay's connections the current process opened.
    alive_from: usize,
}

fn new_pool(tap: &Tap, db: &str) -> Result<Pool, String> {
    let mut config = tokio_postgres::Config::new();
    config.host("127.0.0.1").port(tap.port()).user("shop").dbname(db);
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager).max_size(POOL_SIZE).queue_mode(QueueMode::Fifo).build().map_err(|e| format!("deadpool: {e}"))
}

/// A database error is an answer (the relay has it); anything else means
/// the request never got one.
fn answered<T>(result: Result<T, tokio_postgres::Error>) -> Result<(), String> {
    match result {
        Err(e) if e.as_db_error().is_none() => Err(format!("tokio-postgres: {e}")),
        _ => Ok(()),
    }
}

/// What a session lane's app sends for `op`, on a connection from `pool`.
async fn session_request(pool: &Pool, op: &SqlOp, owner: &str) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| format!("deadpool: {e}"))?;
    let param: &(dyn ToSql + Sync) = &owner;
    match op {
        SqlOp::Prepare => answered(client.prepare_cached(STATEMENT.1).await),
        SqlOp::Execute => match client.prepare_cached(STATEMENT.1).await {
            Ok(statement) => answered(client.query(&statement, &[param]).await),
            Err(e) => answered::<()>(Err(e)),
        },
        op => {
            for m in driver_messages(op, owner, false) {
                if let Frontend::Query(sql) = m {
                    answered(client.simple_query(&sql).await)?;
                }
            }
            Ok(())
        }
    }
}

/// What a stateless lane's app sends: the statements the engine's app
/// composed, each carrying its own context, on one connection from `pool`.
async fn stateless_request(pool: &Pool, sent: &[Frontend]) -> Result<(), String> {
    let client = pool.get().await.map_err(|e| format!("deadpool: {e}"))?;
    let mut unnamed: Option<(&str, Vec<Option<String>>)> = None;
    for m in sent {
        match m {
            Frontend::Query(sql) => answered(client.simple_query(sql).await)?,
            Frontend::Parse { name, sql } if name.is_empty() => unnamed = Some((sql, Vec::new())),
            Frontend::Bind { params, .. } => {
                if let Some((_, values)) = unnamed.as_mut() {
                    values.extend(params.iter().cloned());
                }
            }
            Frontend::Sync => {
                if let Some((sql, values)) = unnamed.take() {
                    // UNKNOWN, as the engine's Parse leaves each type for the server to infer.
                    let typed: Vec<(&(dyn ToSql + Sync), Type)> =
                        values.iter().map(|v| (v as &(dyn ToSql + Sync), Type::UNKNOWN)).collect();
                    answered(client.query_typed(sql, &typed).await)?;
                }
            }
            // The pool opens its connections itself, as deadpool's manager.
            Frontend::Startup { .. } | Frontend::Describe { .. } | Frontend::Execute { .. } => {}
            other => return Err(format!("a stateless app does not send {other:?}")),
        }
    }
    Ok(())
}

/// The server's messages on one connection from byte `from` on, read from
/// its start so that each DataRow is read with the columns it belongs to.
/// tokio-postgres asks for every extended-query result in binary, which the
/// engine's reader (text only, like the engine) refuses: so a DataRow after
/// a BindComplete is read here by the column types of the statement last
/// described (the RowDescription right after a ParameterDescription, which
/// answers the driver's Describe of a statement: a simple query's columns
/// are not the prepared statement's), and the ParameterDescription itself
/// is passed over.
fn heard(bytes: &[u8], from: usize) -> Result<Vec<Backend>, String> {
    let (frames, whole) = frames(bytes);
    if !whole {
        return Err("a message cut short".into());
    }
    let (mut out, mut binary, mut types, mut described) = (Vec::new(), false, Vec::new(), false);
    for (at, tag, body) in frames {
        let message = match tag {
            b't' => None,
            b'D' if binary => Some(Backend::DataRow(binary_row(body, &types)?)),
            _ => {
                let (m, _) = parse_backend_from(bytes, at).map_err(|e| e.to_string())?;
                match &m {
                    Backend::BindComplete => binary = true,
                    Backend::ReadyForQuery(_) => binary = false,
                    Backend::RowDescription(columns) if described => {
                        types = columns.iter().map(|c| c.type_oid).collect()
                    }
                    _ => {}
                }
                Some(m)
            }
        };
        described = tag == b't';
        out.extend(message.filter(|_| at >= from));
    }
    Ok(out)
}

/// One DataRow's values in binary, as text: int8, int4 and text are all the
/// shop's statements return.
fn binary_row(body: &[u8], types: &[u32]) -> Result<Vec<Option<String>>, String> {
    let cut = || "a DataRow cut short".to_owned();
    let count = u16::from_be_bytes(body.get(..2).ok_or_else(cut)?.try_into().map_err(|_| cut())?) as usize;
    let (mut at, mut values) = (2usize, Vec::with_capacity(count));
    for i in 0..count {
        let len = i32::from_be_bytes(body.get(at..at + 4).ok_or_else(cut)?.try_into().map_err(|_| cut())?);
        at += 4;
        if len < 0 {
            values.push(None);
            continue;
        }
        let v = body.get(at..at + len as usize).ok_or_else(cut)?;
        at += len as usize;
        values.push(Some(match (types.get(i), v.len()) {
            (Some(20), 8) => i64::from_be_bytes(v.try_into().map_err(|_| cut())?).to_string(),
            (Some(23), 4) => i32::from_be_bytes(v.try_into().map_err(|_| cut())?).to_string(),
            (Some(25), _) => String::from_utf8(v.to_vec()).map_err(|e| e.to_string())?,
            (t, _) => return Err(format!("a binary value of type {t:?}, which the shop never returns")),
        }));
    }
    Ok(values)
}

/// An outline with ReadyForQuery kept once, at the end: the status the
/// request left its connection in.
fn settled(lines: Vec<String>) -> Vec<String> {
    let last = lines.iter().rev().find(|l| l.starts_with("Z ")).cloned();
    lines.into_iter().filter(|l| !l.starts_with("Z ")).chain(last).collect()
}

/// "1st", "2nd": a connection by the order its app server opened it.
fn nth(i: usize) -> String {
    let suffix = match ((i + 1) % 10, (i + 1) % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{}{suffix}", i + 1)
}

/// One lane replayed through real pools: (requests compared, differences).
pub(super) fn replay(pg: &Postgres, lane: &Lane, db: &str) -> Result<(usize, Vec<String>), String> {
    let stateless = match lane.config().app {
        App::Db(Pooling::Session) => false,
        App::Db(Pooling::Stateless) => true,
        other => return Err(format!("{db}: a {other} lane has no pool in its app servers")),
    };
    pg.fresh_database(db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio: {e}"))?;
    let conns = &lane.pg().conns;
    // Each engine connection as its app server's first, second…
    let nth_of = |id: u32| -> Option<usize> {
        let c = conns.iter().find(|c| c.id == id)?;
        Some(conns.iter().filter(|o| o.side == c.side && o.id < id).count())
    };
    let mut apps: BTreeMap<u8, AppServer> = BTreeMap::new();
    let mut dead: BTreeSet<u32> = BTreeSet::new();
    let (mut compared, mut diffs) = (0, Vec::new());
    for r in db_records(lane) {
        // An app server whose connections the engine closed by now died.
        let died: BTreeSet<u8> = conns
            .iter()
            .filter(|c| c.closed.as_ref().is_some_and(|(at, _)| *at <= r.at) && dead.insert(c.id))
            .filter_map(|c| if let Side::Server(no) = c.side { Some(no) } else { None })
            .collect();
        for no in died {
            if let Some(app) = apps.get_mut(&no) {
                crash(pg, app, db)?;
            }
        }
        let Some(no) = r.server else { continue };
        let sent = sent_in(&r.messages);
        if stateless && sent.is_empty() {
            continue;
        }
        let app = match apps.entry(no) {
            std::collections::btree_map::Entry::Occupied(a) => a.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let tap = rt.block_on(Tap::start(pg.port)).map_err(|e| format!("the relay: {e}"))?;
                let pool = new_pool(&tap, db)?;
                v.insert(AppServer { tap, pool, alive_from: 0 })
            }
        };
        let before = app.tap.heard_lengths();
        let words: Vec<&str> = r.op.split(' ').collect();
        let op = SqlOp::parse(&words).map_err(|e| format!("{} sql {}: {e}", r.client, r.op))?;
        rt.block_on(async {
            match stateless {
                true => stateless_request(&app.pool, &sent).await,
                false => session_request(&app.pool, &op, &r.client).await,
            }
        })
        .map_err(|e| format!("{} sql {} via S{no}: {e}", r.client, r.op))?;
        app.tap.await_ready(&before).map_err(|e| format!("{} sql {} via S{no}: {e}", r.client, r.op))?;
        // The engine's side: the connections that carried the request, and their answers.
        let ours_used: BTreeSet<usize> = r.messages.iter().filter_map(|m| nth_of(m.conn())).collect();
        let ours = answers_in(&r.messages);
        let (theirs_used, theirs) = heard_since(&app.tap, &before).map_err(|e| format!("S{no}'s {e}"))?;
        compared += 1;
        let name = |used: &BTreeSet<usize>| match used.is_empty() {
            true => "no".to_owned(),
            false => used.iter().map(|&i| nth(i)).collect::<Vec<_>>().join(" and "),
        };
        if ours_used != theirs_used {
            diffs.push(format!(
                "{} sql {} via S{no}: the engine used S{no}'s {} connection, deadpool its {}",
                r.client,
                r.op,
                name(&ours_used),
                name(&theirs_used)
            ));
        }
        let (a, b) = (settled(outline(&ours)), settled(outline(&theirs)));
        if a != b {
            diffs.push(format!("{} sql {} via S{no}: engine {a:?}, deadpool and PostgreSQL {b:?}", r.client, r.op));
        }
    }
    Ok((compared, diffs))
}

/// deadpool's side of a request: the connections the relay heard from since
/// their lengths were `before`, and what PostgreSQL said on them.
fn heard_since(tap: &Tap, before: &[usize]) -> Result<(BTreeSet<usize>, Vec<Backend>), String> {
    let (mut used, mut answers) = (BTreeSet::new(), Vec::new());
    for (i, len) in tap.heard_lengths().into_iter().enumerate() {
        let from = before.get(i).copied().unwrap_or(0);
        if len > from {
            used.insert(i);
            answers.extend(heard(&tap.heard(i), from).map_err(|e| format!("{} connection: {e}", nth(i)))?);
        }
    }
    Ok((used, answers))
}

/// App server `app`'s process dies: its connections are cut with no
/// Terminate, PostgreSQL's backends for them exit (rolling back what they
/// held), and it comes back with a new, empty pool.
fn crash(pg: &Postgres, app: &mut AppServer, db: &str) -> Result<(), String> {
    app.tap.cut();
    // Only the connections opened since the last crash: the earlier ones' backends are gone.
    for pid in app.tap.pids(app.alive_from) {
        pg.await_exit(pid)?;
    }
    app.alive_from = app.tap.opened();
    // The old pool's clients find their sockets closed; the new process starts empty.
    app.pool = new_pool(&app.tap, db)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{heard, nth, settled};
    use statelab_sim::wire::pg::{Backend, Column, TxStatus};

    fn frame(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(u32::try_from(body.len() + 4).unwrap().to_be_bytes());
        out.extend(body);
        out
    }

    /// A prepare's round trip (with the ParameterDescription the engine's
    /// reader does not take), a simple query with other columns, then an
    /// execute whose row is in binary: the count is read by the column type
    /// the prepare described, not the simple query's, and a simple query's
    /// row after it is text again.
    #[test]
    fn binary_rows_are_read_by_the_columns_the_prepare_described() {
        let column = |name: &str, type_oid, type_len| Column { name: name.into(), type_oid, type_len };
        let mut bytes = Backend::ParseComplete.to_wire();
        bytes.extend(frame(b't', &[0, 1, 0, 0, 0, 25]));
        bytes.extend(Backend::RowDescription(vec![column("count", 20, 8)]).to_wire());
        bytes.extend(Backend::ReadyForQuery(TxStatus::Idle).to_wire());
        let select = vec![column("now", 1184, 8), column("count", 20, 8)];
        bytes.extend(Backend::RowDescription(select).to_wire());
        bytes.extend(Backend::DataRow(vec![Some("2026-01-15 09:00:00+00".into()), Some("0".into())]).to_wire());
        bytes.extend(Backend::ReadyForQuery(TxStatus::Idle).to_wire());
        let execute = bytes.len();
        bytes.extend(Backend::BindComplete.to_wire());
        let mut row = vec![0, 1, 0, 0, 0, 8];
        row.extend(3i64.to_be_bytes());
        bytes.extend(frame(b'D', &row));
        bytes.extend(Backend::CommandComplete("SELECT 1".into()).to_wire());
        bytes.extend(Backend::ReadyForQuery(TxStatus::InTransaction).to_wire());
        bytes.extend(Backend::DataRow(vec![Some("7".into())]).to_wire());
        bytes.extend(Backend::ReadyForQuery(TxStatus::Idle).to_wire());
        let read = heard(&bytes, execute).unwrap();
        assert_eq!(
            read,
            [
                Backend::BindComplete,
                Backend::DataRow(vec![Some("3".into())]),
                Backend::CommandComplete("SELECT 1".into()),
                Backend::ReadyForQuery(TxStatus::InTransaction),
                Backend::DataRow(vec![Some("7".into())]),
                Backend::ReadyForQuery(TxStatus::Idle),
            ]
        );
        assert_eq!(heard(&bytes, 0).unwrap().len(), 12, "the ParameterDescription alone is passed over");
        assert!(heard(&bytes[..bytes.len() - 2], 0).is_err(), "a message cut short");
    }

    #[test]
    fn connections_are_counted_in_english() {
        let names: Vec<String> = [0, 1, 2, 3, 10, 11, 12, 20, 110].into_iter().map(nth).collect();
        assert_eq!(names, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "111th"]);
    }

    #[test]
    fn a_request_is_settled_by_its_last_ready_for_query() {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(settled(lines(&["Z I", "D 3", "C SELECT 1", "Z T"])), lines(&["D 3", "C SELECT 1", "Z T"]));
        assert_ne!(settled(lines(&["C BEGIN", "Z T"])), settled(lines(&["C BEGIN", "Z I"])));
    }
}
