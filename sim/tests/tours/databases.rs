//! The database tours keep the promises their narrations make, for the
//! reasons they give — tested where the easy guess is wrong: Bob's insert
//! succeeded and is still gone; a statement the driver prepared is missing;
//! a COMMIT answered `COMMIT` and committed nothing.

use statelab_sim::fleet::{DbRecord, PgMsg};
use statelab_sim::wire::pg::{Backend, TxStatus};
use statelab_sim::{Entry, Lane, LaneId, Playground, Scenario};

fn played(id: &str) -> Playground {
    let s = Scenario::find(id).unwrap();
    Playground::from_scenario(&s, 1, s.steps.len())
}

fn records(lane: &Lane) -> Vec<&DbRecord> {
    lane.entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Db(r) => Some(&**r),
            _ => None,
        })
        .collect()
}

/// The `n`th record (0-based) of `client` doing `op`.
fn step<'a>(lane: &'a Lane, client: &str, op: &str, n: usize) -> &'a DbRecord {
    records(lane).into_iter().filter(|r| r.client == client && r.op == op).nth(n).unwrap()
}

/// The values of the last DataRow of a record.
fn row(r: &DbRecord) -> Vec<String> {
    r.messages
        .iter()
        .rev()
        .find_map(|m| match m {
            PgMsg::Back(_, Backend::DataRow(v)) => Some(v.iter().map(|x| x.clone().unwrap_or_default()).collect()),
            _ => None,
        })
        .unwrap()
}

fn tags(r: &DbRecord) -> Vec<&str> {
    r.messages
        .iter()
        .filter_map(|m| match m {
            PgMsg::Back(_, Backend::CommandComplete(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_step_that_sends_ends_with_ready_for_query() {
    for id in ["db-leaky-set", "db-txn-pooling", "db-crash-txn", "db-pool-exhaustion", "db-temp-table"] {
        let p = played(id);
        for l in LaneId::ALL {
            for r in records(p.lane(l)) {
                if let Some(last) = r.messages.last() {
                    assert!(matches!(last, PgMsg::Back(_, Backend::ReadyForQuery(_))), "{id} {l}: {}", r.op);
                }
            }
        }
    }
}

#[test]
fn a_set_and_an_open_transaction_leak_through_the_pool() {
    let p = played("db-leaky-set");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    // Bob never set a zone: lane A answers him in Tokyo time, on the very
    // connection Alice's SET ran on.
    let set = step(a, "alice", "tz Asia/Tokyo", 0);
    let bob = step(a, "bob", "select", 0);
    assert_eq!(bob.conns(), set.conns());
    assert!(row(bob)[0].ends_with("+09"), "{:?}", row(bob));
    assert!(set.messages.iter().any(|m| matches!(m, PgMsg::Back(_, Backend::ParameterStatus { name, value }) if name == "TimeZone" && value == "Asia/Tokyo")));
    // Lane B sent nothing for the SET, and Bob's query names his zone.
    assert!(step(b, "alice", "tz Asia/Tokyo", 0).messages.is_empty());
    assert!(!row(step(b, "bob", "select", 0))[0].contains('+'));
    // Bob's insert succeeded (INSERT 0 1) — inside Alice's transaction (T) —
    // and her rollback took it: his count is 0. Lane B keeps it.
    let insert = step(a, "bob", "insert mug", 0);
    assert_eq!((tags(insert), insert.status()), (vec!["INSERT 0 1"], Some(TxStatus::InTransaction)));
    assert_eq!(row(step(a, "bob", "select", 1))[1], "0");
    assert_eq!(step(b, "bob", "insert mug", 0).status(), Some(TxStatus::Idle));
    assert_eq!(row(step(b, "bob", "select", 1))[1], "1");
}

#[test]
fn transaction_pooling_loses_a_prepared_statement_and_fails_the_transaction() {
    let p = played("db-txn-pooling");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let (prepared, exec) = (step(b, "alice", "prepare", 0), step(b, "alice", "execute", 0));
    assert_eq!(prepared.error(), None);
    assert_ne!(prepared.conns(), exec.conns(), "PgBouncer lent another server connection");
    assert_eq!(exec.error(), Some("26000"));
    assert_eq!(exec.status(), Some(TxStatus::Failed));
    // The driver sent Bind alone: it believed the statement was there.
    assert!(!exec
        .messages
        .iter()
        .any(|m| matches!(m, PgMsg::Front(_, statelab_sim::wire::pg::Frontend::Parse { .. }))));
    let on = |r: &DbRecord| b.pg().conn(r.conns()[0]).unwrap().prepared.clone();
    assert_eq!((on(prepared), on(exec)), (vec!["orders_by_owner".to_owned()], vec![]));
    // Lane A: the same connection, the statement there, still T.
    let exec_a = step(a, "alice", "execute", 0);
    assert_eq!((exec_a.error(), exec_a.status()), (None, Some(TxStatus::InTransaction)));
    assert_eq!(step(a, "alice", "prepare", 0).conns(), exec_a.conns());
    for l in [a, b] {
        assert_eq!(step(l, "alice", "rollback", 0).status(), Some(TxStatus::Idle));
    }
}

#[test]
fn a_crash_rolls_back_and_the_next_commit_commits_nothing() {
    let p = played("db-crash-txn");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let crash = a.entries().iter().find_map(|e| match e {
        Entry::Event(ev) if ev.text.contains("crashed") => Some(ev.text.clone()),
        _ => None,
    });
    assert!(crash.unwrap().contains("rolled back its open transaction and the 1 row it wrote"));
    assert!(a.pg().conn(1).unwrap().closed.is_some());
    // The COMMIT answers COMMIT and I, with no error: only a warning says
    // there was no transaction, on a new connection.
    let commit = step(a, "alice", "commit", 0);
    assert_eq!((commit.error(), commit.status(), tags(commit)), (None, Some(TxStatus::Idle), vec!["COMMIT"]));
    assert_eq!(commit.conns(), vec![2]);
    assert!(commit.messages.iter().any(
        |m| matches!(m, PgMsg::Back(_, Backend::NoticeResponse(f)) if f.iter().any(|(k, v)| *k == b'C' && v == "25P01"))
    ));
    assert_eq!(row(step(a, "alice", "select", 0))[1], "0");
    // Lane B sent the whole transaction at once, after the crash.
    assert_eq!(tags(step(b, "alice", "commit", 0)), ["BEGIN", "INSERT 0 1", "COMMIT"]);
    assert_eq!(row(step(b, "alice", "select", 0))[1], "1");
}

#[test]
fn open_transactions_hold_every_server_connection_pgbouncer_has() {
    let p = played("db-pool-exhaustion");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let waited = step(b, "carol", "begin", 0);
    assert!(waited.messages.is_empty());
    assert!(waited.queue_timeout, "{:?}", waited.trace);
    assert!(waited.trace.iter().any(|t| t.contains("query_wait_timeout")), "{:?}", waited.trace);
    assert!(!step(b, "carol", "begin", 1).queue_timeout, "the second begin found a server connection");
    assert_eq!(step(b, "carol", "begin", 1).status(), Some(TxStatus::InTransaction));
    assert_eq!(step(a, "carol", "begin", 0).status(), Some(TxStatus::InTransaction));
    assert_eq!(b.pg().conns.len(), 2, "PgBouncer never opened a third");
}

#[test]
fn sql_is_refused_where_no_lane_has_a_database_and_runs_where_one_does() {
    use statelab_sim::text::parse_actions;
    use statelab_sim::LaneConfig;
    let begin = parse_actions("sql alice begin").unwrap().remove(0);
    let mut shops = Playground::new(1, [LaneConfig::stateless(), LaneConfig::stateful()]);
    let refused = shops.apply(begin.clone()).unwrap_err();
    assert!(refused.to_string().contains("neither lane runs a database app"), "{refused}");
    let mut mixed = Playground::new(1, [LaneConfig::stateless(), Scenario::find("db-leaky-set").unwrap().lanes[0]]);
    mixed.apply(begin).unwrap();
    assert_eq!(records(mixed.lane(LaneId::B))[0].status(), Some(TxStatus::InTransaction));
    assert!(records(mixed.lane(LaneId::A)).is_empty(), "the shop lane only says why it sent nothing");
}

/// A prepare the driver has cached sends PgBouncer nothing, so it lends
/// nothing: with both server connections held by open transactions, the
/// easy guess (it queues like any request, times out, and the client
/// connection and its cache are gone) is wrong — the later execute sends
/// Bind alone.
#[test]
fn a_cached_prepare_sends_pgbouncer_nothing_and_waits_for_nothing() {
    use statelab_sim::text::parse_actions;
    let mut p = Playground::new(1, [Scenario::find("db-pool-exhaustion").unwrap().lanes[1]; 2]);
    // Round robin: alice S1, bob S2, carol S3, alice S1, bob S2, carol S3, alice S1.
    let actions = "sql alice prepare, sql bob begin, sql carol begin, sql alice prepare, sql bob commit, sql carol commit, sql alice execute";
    for a in parse_actions(actions).unwrap() {
        p.apply(a).unwrap();
    }
    let b = p.lane(LaneId::B);
    let again = step(b, "alice", "prepare", 1);
    assert_eq!(again.server, Some(1));
    assert!(again.messages.is_empty());
    assert!(!again.queue_timeout && !again.trace.iter().any(|t| t.contains("query_wait_timeout")), "{:?}", again.trace);
    let execute = step(b, "alice", "execute", 0);
    assert_eq!(execute.server, Some(1));
    assert!(execute
        .messages
        .iter()
        .all(|m| !matches!(m, PgMsg::Front(_, statelab_sim::wire::pg::Frontend::Parse { .. }))));
    assert_eq!(b.pg().conns.len(), 2);
}

#[test]
fn the_app_server_that_takes_a_statement_counts_it_handled() {
    // db-txn-pooling's two app servers share the statements by round robin.
    let p = played("db-txn-pooling");
    for id in LaneId::ALL {
        let lane = p.lane(id);
        let served: Vec<u64> = lane
            .servers()
            .iter()
            .map(|s| records(lane).iter().filter(|r| r.server == Some(s.no)).count() as u64)
            .collect();
        let handled: Vec<u64> = lane.servers().iter().map(|s| s.handled).collect();
        assert_eq!(handled, served, "lane {id}");
        assert!(handled.iter().all(|n| *n > 0), "lane {id}: both app servers took some: {handled:?}");
    }
}

/// The fields of a record's first ErrorResponse, by code.
fn error_field(r: &DbRecord, code: u8) -> Option<String> {
    r.messages.iter().find_map(|m| match m {
        PgMsg::Back(_, Backend::ErrorResponse(f)) => f.iter().find(|(k, _)| *k == code).map(|(_, v)| v.clone()),
        _ => None,
    })
}

/// Where the easy guess is wrong: Alice's own insert into the table she
/// created fails behind PgBouncer, while Carol, who never created one,
/// writes into Alice's through the session pool.
#[test]
fn a_temporary_table_stays_on_its_connection_and_goes_to_whoever_is_lent_it() {
    let p = played("db-temp-table");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    for l in [a, b] {
        let made = step(l, "alice", "temp", 0);
        assert_eq!((tags(made), made.status(), made.conns()), (vec!["CREATE TABLE"], Some(TxStatus::Idle), vec![1]));
    }
    // Lane B: Bob's transaction holds pg#1, so Alice's insert goes on pg#2.
    let mine = step(b, "alice", "cart mug", 0);
    assert_eq!((mine.conns(), mine.error(), mine.status()), (vec![2], Some("42P01"), Some(TxStatus::Idle)));
    assert_eq!(error_field(mine, b'M').as_deref(), Some("relation \"cart\" does not exist"));
    // PostgreSQL points at the name: "INSERT INTO " is 12 characters.
    assert_eq!(error_field(mine, b'P').as_deref(), Some("13"));
    let bob = step(b, "bob", "cart tee", 0);
    assert_eq!((bob.conns(), tags(bob), bob.status()), (vec![1], vec!["INSERT 0 1"], Some(TxStatus::InTransaction)));
    assert_eq!(step(b, "carol", "cart socks", 0).error(), Some("42P01"));
    // Lane A: Alice's own pool lends her pg#1 again; Carol, through the same
    // server, gets it too; Bob's connection on S2 has no table and his
    // transaction fails.
    assert_eq!(tags(step(a, "alice", "cart mug", 0)), ["INSERT 0 1"]);
    let carol = step(a, "carol", "cart socks", 0);
    assert_eq!((carol.conns(), tags(carol), carol.error()), (vec![1], vec!["INSERT 0 1"], None));
    let bob = step(a, "bob", "cart tee", 0);
    assert_eq!((bob.conns(), bob.error(), bob.status()), (vec![2], Some("42P01"), Some(TxStatus::Failed)));
    // Bob's rollback: in lane B it takes his row out of Alice's table.
    for l in [a, b] {
        assert_eq!(step(l, "bob", "rollback", 0).status(), Some(TxStatus::Idle));
    }
    let back = &step(b, "bob", "rollback", 0).trace;
    assert!(
        back.last().is_some_and(|t| t.contains("takes pg#1 back") && t.ends_with("temporary table cart (0 rows)")),
        "{back:?}"
    );
    let cart = |l: &Lane, id: u32| l.pg().conn(id).unwrap().cart.clone();
    assert_eq!(cart(a, 1), Some(vec!["mug".to_owned(), "socks".to_owned()]));
    assert_eq!((cart(a, 2), cart(b, 1), cart(b, 2)), (None, Some(vec![]), None));
}

/// A stateless lane keeps the cart in the app's requests: nothing reaches
/// a connection, so nothing is there to leak or to miss.
#[test]
fn a_stateless_lane_sends_no_temporary_table() {
    use statelab_sim::text::parse_actions;
    let lanes = Scenario::find("db-leaky-set").unwrap().lanes;
    let mut p = Playground::new(1, [lanes[1], lanes[1]]);
    for a in parse_actions("sql alice temp, sql alice cart mug, sql bob cart tee").unwrap() {
        p.apply(a).unwrap();
    }
    let l = p.lane(LaneId::A);
    assert!(records(l).iter().all(|r| r.messages.is_empty()));
    assert!(step(l, "bob", "cart tee", 0).trace.iter().any(|t| t.contains("now 1 item")), "bob's cart is his own");
    assert!(l.pg().conns.is_empty());
}
