//! Database lanes (issue 21): each app server reaches one PostgreSQL through
//! a pool, and the pool decides what a connection's session state (a `SET`,
//! a prepared statement, a temporary table, an open transaction) means for
//! the next request.
//! `postgres.rs` is the database's side, statement by statement in PostgreSQL
//! 15's words; `record.rs` is what a lane records of each step; the lane's
//! side (routing, the pools, PgBouncer, faults) is `fleet/lane/db.rs`.
//!
//! Nothing here is needed by the other kinds of lane, so it can be
//! feature-gated as a whole.

pub(crate) mod pool;
pub(crate) mod postgres;
mod record;

pub use pool::POOL_WAIT_MS;
pub use postgres::{Pg, PgConn, Side, Tx, CATALOG_SKUS, POOL_SIZE, SERVER_VERSION, STATEMENT, TEMP_TABLE};
pub use record::{DbRecord, PgMsg};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Running totals of a database lane's pools under a load run, and
/// (flattened into [`Pools`](crate::load::Pools)) its counts per second.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolStats {
    /// Orders a pool lent a connection to.
    pub checkouts: u64,
    /// Of those, the ones that waited for a connection another order held.
    pub waited: u64,
    /// Milliseconds those orders waited, added up.
    pub wait_ms: u64,
    /// Orders that gave up waiting at the pool's timeout: nothing of them ran.
    pub timeouts: u64,
    /// Connections opened to the database, each a startup and authentication.
    pub opened: u64,
    /// Transactions under way on a connection when their app server died:
    /// the database rolled them back (each was counted when its pool lent the connection).
    pub aborted: u64,
    /// Orders queued for a connection when their app server died: they never
    /// ran (each was counted when its pool promised the connection).
    #[serde(default)]
    pub dropped: u64,
    /// Orders that reached no app server (502, 503).
    pub refused: u64,
}

impl crate::base::tally::Tally for PoolStats {
    fn places(&mut self) -> Vec<&mut u64> {
        vec![
            &mut self.checkouts,
            &mut self.waited,
            &mut self.wait_ms,
            &mut self.timeouts,
            &mut self.opened,
            &mut self.aborted,
            &mut self.dropped,
            &mut self.refused,
        ]
    }
}
/// How long PgBouncer keeps a client queued for a server connection before it
/// answers `query_wait_timeout` and closes the client connection (its default).
pub const QUERY_WAIT_TIMEOUT_S: u32 = 120;

/// How a lane's app servers hold their connections to PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Each app server has a pool of [`POOL_SIZE`] connections; a request
    /// checks one out and gives it back as it is, with whatever session
    /// state it now holds (deadpool's or HikariCP's default: no reset).
    Session,
    /// The app servers' connections go to PgBouncer in transaction mode,
    /// which lends a server connection for one transaction at a time:
    /// session state stays on whichever server connection it landed on.
    Transaction,
    /// Each request is one self-contained round trip that carries its own
    /// context (the time zone in the SQL, an unnamed statement, a whole
    /// transaction in one message): nothing stays on the connection.
    Stateless,
}

impl Pooling {
    /// The three, in the order forms list them.
    pub const ALL: [Pooling; 3] = [Pooling::Session, Pooling::Transaction, Pooling::Stateless];

    /// The lane-config code's app word: `db-session`, `db-txn`, `db-stateless`.
    pub fn code(self) -> &'static str {
        match self {
            Pooling::Session => "db-session",
            Pooling::Transaction => "db-txn",
            Pooling::Stateless => "db-stateless",
        }
    }
}

impl fmt::Display for Pooling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pooling::Session => "database, session state on pooled connections",
            Pooling::Transaction => "database behind PgBouncer (transaction mode)",
            Pooling::Stateless => "database, each statement with its context",
        })
    }
}

/// What a user's app asks of the database (`sql alice begin`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum SqlOp {
    /// `BEGIN`.
    Begin,
    /// `COMMIT`.
    Commit,
    /// `ROLLBACK`.
    Rollback,
    /// `SET TimeZone TO '…'`.
    SetTz {
        /// One of [`ZONES`].
        zone: String,
    },
    /// Prepare [`STATEMENT`] under its name.
    Prepare,
    /// Run the prepared statement for the user.
    Execute,
    /// `INSERT INTO orders …` one row for the user.
    Insert {
        /// The product; one outside [`CATALOG_SKUS`] breaks the foreign key.
        sku: String,
    },
    /// `SELECT now(), count(*) FROM orders`.
    Select,
    /// `CREATE TEMP TABLE cart (sku text NOT NULL)`: the user's cart as a
    /// temporary table, which lives on the backend connection that made it.
    Temp,
    /// `INSERT INTO cart (sku) VALUES ('…')`: one item into the temporary cart.
    Cart {
        /// The item (a temporary table cannot reference `products`: any
        /// word the notation takes goes in).
        sku: String,
    },
}

/// The time zones `SET TimeZone` takes here, with their UTC offset in
/// minutes on the lanes' date (January, so no daylight saving time).
pub const ZONES: [(&str, i32); 4] = [("UTC", 0), ("Europe/Paris", 60), ("Asia/Tokyo", 540), ("America/New_York", -300)];

/// The offset of a zone in [`ZONES`], in minutes.
pub fn zone_offset(zone: &str) -> Option<i32> {
    ZONES.iter().find(|(z, _)| *z == zone).map(|(_, m)| *m)
}

impl SqlOp {
    /// Reads the words after `sql <user>`; the error says what is accepted.
    pub fn parse(words: &[&str]) -> Result<SqlOp, String> {
        Ok(match words {
            ["begin"] => SqlOp::Begin,
            ["commit"] => SqlOp::Commit,
            ["rollback"] => SqlOp::Rollback,
            ["prepare"] => SqlOp::Prepare,
            ["execute"] => SqlOp::Execute,
            ["select"] => SqlOp::Select,
            ["tz", zone] => match zone_offset(zone) {
                Some(_) => SqlOp::SetTz { zone: (*zone).to_owned() },
                None => {
                    let known: Vec<&str> = ZONES.iter().map(|(z, _)| *z).collect();
                    return Err(format!(
                        "time zone `{}` is not one of {}",
                        crate::base::quote::quoted(zone),
                        known.join(", ")
                    ));
                }
            },
            ["insert", sku] if is_sku(sku) => SqlOp::Insert { sku: (*sku).to_owned() },
            ["temp"] => SqlOp::Temp,
            ["cart", sku] if is_sku(sku) => SqlOp::Cart { sku: (*sku).to_owned() },
            ["insert" | "cart", _] => return Err("a product is 1 to 20 lowercase letters, digits or `-`".into()),
            [] => return Err(format!("missing the statement: {STATEMENTS}")),
            [w, ..] => {
                return Err(format!(
                    "`{}` is not a statement here: {STATEMENTS} (with their words, no more)",
                    crate::base::quote::quoted(w)
                ))
            }
        })
    }
}

/// What `sql <user>` takes, for the parser's errors.
const STATEMENTS: &str =
    "begin, commit, rollback, tz <zone>, prepare, execute, insert <sku>, select, temp or cart <sku>";

fn is_sku(s: &str) -> bool {
    (1..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl fmt::Display for SqlOp {
    /// The notation's words: `begin`, `tz Asia/Tokyo`, `insert book`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlOp::Begin => f.write_str("begin"),
            SqlOp::Commit => f.write_str("commit"),
            SqlOp::Rollback => f.write_str("rollback"),
            SqlOp::SetTz { zone } => write!(f, "tz {zone}"),
            SqlOp::Prepare => f.write_str("prepare"),
            SqlOp::Execute => f.write_str("execute"),
            SqlOp::Insert { sku } => write!(f, "insert {sku}"),
            SqlOp::Select => f.write_str("select"),
            SqlOp::Temp => f.write_str("temp"),
            SqlOp::Cart { sku } => write!(f, "cart {sku}"),
        }
    }
}
