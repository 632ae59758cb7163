//! The database's side of a database lane: one PostgreSQL 15 with a table
//! of orders, and each backend connection's session state (the transaction
//! status that ReadyForQuery carries, `TimeZone`, prepared statements, a
//! temporary table, the rows its open transaction wrote), answering the
//! app's messages as PostgreSQL does, with its error texts and SQLSTATEs.
//!
//! The app's SQL is one of a few statements it builds itself ([`Stmt`]); the
//! bytes on the wire are their text, and the database acts on what they say.

use crate::base::ids::ServerNo;
use crate::base::time::SimTime;
use crate::fleet::connection::Chunk;
use crate::fleet::db::zone_offset;
use crate::wire::pg::{Backend, Column, Frontend, TxStatus};

/// Connections in each app server's pool (and in PgBouncer's pool).
pub const POOL_SIZE: usize = 2;
/// What the server reports as `server_version` at startup: Debian 12's PostgreSQL.
pub const SERVER_VERSION: &str = "15.18 (Debian 15.18-0+deb12u1)";
/// The one prepared statement: its name and SQL.
pub const STATEMENT: (&str, &str) = ("orders_by_owner", "SELECT count(*) FROM orders WHERE owner = $1");
/// The products `orders.sku` references (`REFERENCES products`): the shop's catalogue.
pub const CATALOG_SKUS: [&str; 5] = crate::fleet::store::CATALOG;

/// int8, the type of `count(*)`.
const INT8: u32 = 20;
/// timestamptz, the type of `now()`.
const TIMESTAMPTZ: u32 = 1184;
/// timestamp, the type of `now() AT TIME ZONE …`.
const TIMESTAMP: u32 = 1114;
/// The temporary table's name.
pub const TEMP_TABLE: &str = "cart";

/// Who holds a backend connection: an app server's pool, or PgBouncer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The pool inside app server `S<n>`.
    Server(ServerNo),
    /// PgBouncer's pool, shared by every app server.
    Bouncer,
}

/// One backend connection: a PostgreSQL process and its session state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgConn {
    /// 1-based, per lane: `pg#2` on screen.
    pub id: u32,
    /// The backend's process id, as BackendKeyData told it.
    pub pid: u32,
    /// Whose pool it is in.
    pub side: Side,
    /// When it was opened.
    pub opened: SimTime,
    /// When and why it ended, once it has: the database rolled back what it held.
    pub closed: Option<(SimTime, String)>,
    /// The transaction status its last ReadyForQuery carried.
    pub status: TxStatus,
    /// The session's `TimeZone`.
    pub timezone: String,
    /// Names of the statements prepared on it (not transactional: a
    /// rollback keeps them).
    pub prepared: Vec<String>,
    /// Rows its open transaction inserted, by (owner, sku): no other
    /// connection sees them until COMMIT.
    pub pending: Vec<(String, String)>,
    /// Its temporary table [`TEMP_TABLE`] and the items in it, once
    /// created: it belongs to this session, and no other connection sees it.
    pub cart: Option<Vec<String>>,
    /// Its open transaction, if any.
    pub tx: Option<Tx>,
    /// PgBouncer only: the app server whose client connection this server
    /// connection is lent to, for the rest of a transaction.
    pub lent_to: Option<ServerNo>,
    /// Order of its last return to its pool (FIFO for app pools, LIFO for PgBouncer).
    pub returned: u64,
    /// Every byte each way, in order.
    pub wire: Vec<Chunk>,
    /// The `TimeZone` the client was last told (a ParameterStatus follows a change).
    reported_tz: String,
}

impl PgConn {
    /// Whether it is still open.
    pub fn open(&self) -> bool {
        self.closed.is_none()
    }

    /// Whether it holds session state a reset would clear: a setting, a
    /// prepared statement, or a transaction.
    pub fn has_state(&self) -> bool {
        self.timezone != "UTC" || !self.prepared.is_empty() || self.cart.is_some() || self.status != TxStatus::Idle
    }

    /// Its session state in a line: `T · TimeZone=Asia/Tokyo · prepared orders_by_owner · temporary table cart (1 row) · 1 uncommitted row`.
    pub fn state_line(&self) -> String {
        let mut out = vec![format!("{}", char::from(self.status.byte()))];
        out.push(format!("TimeZone={}", self.timezone));
        if !self.prepared.is_empty() {
            out.push(format!("prepared {}", self.prepared.join(", ")));
        }
        match self.cart.as_ref().map(Vec::len) {
            None => {}
            Some(1) => out.push(format!("temporary table {TEMP_TABLE} (1 row)")),
            Some(n) => out.push(format!("temporary table {TEMP_TABLE} ({n} rows)")),
        }
        match self.pending.len() {
            0 => {}
            1 => out.push("1 uncommitted row".into()),
            n => out.push(format!("{n} uncommitted rows")),
        }
        out.join(" · ")
    }
}

/// An open transaction: when it began (`now()` inside it), and what a
/// rollback restores (a `SET` and DDL are transactional in PostgreSQL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tx {
    /// When BEGIN ran.
    pub began: SimTime,
    /// The session's `TimeZone` then.
    pub timezone: String,
    /// The temporary table then, by its row count (`None`: no table): a
    /// rollback drops a table created since, or the rows added since. Its
    /// rows are only ever appended, so a count is enough, and BEGIN costs
    /// the same however full the table is (a link's actions are counted
    /// as one unit of work each).
    pub cart: Option<usize>,
}

/// A statement the app sends in a Query message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stmt {
    Begin,
    Commit,
    Rollback,
    SetTz(String),
    Insert {
        owner: String,
        sku: String,
    },
    /// `SELECT now(), count(*) FROM orders`; with a zone, `now()` is taken
    /// `AT TIME ZONE` it (the statement carries its context).
    Select(Option<String>),
    /// `CREATE TEMP TABLE cart (sku text NOT NULL)`.
    CreateTemp,
    /// `INSERT INTO cart (sku) VALUES ('…')`.
    CartInsert(String),
}

impl Stmt {
    /// The SQL text sent.
    pub(crate) fn sql(&self) -> String {
        match self {
            Stmt::Begin => "BEGIN".into(),
            Stmt::Commit => "COMMIT".into(),
            Stmt::Rollback => "ROLLBACK".into(),
            Stmt::SetTz(zone) => format!("SET TimeZone TO '{zone}'"),
            Stmt::Insert { owner, sku } => format!("INSERT INTO orders (owner, sku) VALUES ('{owner}', '{sku}')"),
            Stmt::Select(None) => "SELECT now(), count(*) FROM orders".into(),
            Stmt::Select(Some(zone)) => {
                format!("SELECT now() AT TIME ZONE '{zone}' AS now, count(*) FROM orders")
            }
            Stmt::CreateTemp => format!("CREATE TEMP TABLE {TEMP_TABLE} (sku text NOT NULL)"),
            Stmt::CartInsert(sku) => format!("INSERT INTO {TEMP_TABLE} (sku) VALUES ('{sku}')"),
        }
    }

    /// Several statements as one simple Query's text.
    pub(crate) fn batch(stmts: &[Stmt]) -> String {
        stmts.iter().map(Stmt::sql).collect::<Vec<_>>().join("; ")
    }
}

/// The database: its committed rows and every backend connection ever
/// opened, with the app-side state of the pools in front of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pg {
    /// Every connection, in the order they opened.
    pub conns: Vec<PgConn>,
    /// Committed orders, by (owner, sku).
    pub orders: Vec<(String, String)>,
    /// Counter behind [`PgConn::returned`].
    pub(crate) returns: u64,
    /// Transaction mode: per app server, what its client connection to
    /// PgBouncer believes: the statements its driver prepared (its cache),
    /// and the `TimeZone` PgBouncer remembers for it.
    pub(crate) links: Vec<(ServerNo, Vec<String>, String)>,
    /// Stateless mode: per user (by index), the context each request carries:
    /// a time zone, and the statements of a transaction not yet sent.
    pub(crate) carried: [(Option<String>, Option<Vec<String>>); 3],
    /// Stateless mode: per user, the cart the app carries in its requests
    /// instead of a temporary table on a connection.
    pub(crate) carts: [Vec<String>; 3],
    /// A load run's pools, in time (`pool.rs`): one per app server, or
    /// PgBouncer's one; and what they did.
    pub(crate) load_pools: Vec<(ServerNo, super::pool::Pool)>,
    pub(crate) load_stats: super::PoolStats,
    /// The latest load order's arrival, in simulated milliseconds: a fault
    /// between orders lands after it.
    pub(crate) load_clock: u64,
}

fn aborted() -> Backend {
    Backend::error("25P02", "current transaction is aborted, commands ignored until end of transaction block")
}

fn warning(sqlstate: &str, message: &str) -> Backend {
    Backend::NoticeResponse(vec![
        (b'S', "WARNING".into()),
        (b'V', "WARNING".into()),
        (b'C', sqlstate.into()),
        (b'M', message.into()),
    ])
}

/// A `timestamptz` or, without an offset, a `timestamp` as PostgreSQL
/// writes it in text: `2026-01-15 18:00:03+09`, the fraction only when
/// there is one, without trailing zeros.
pub(crate) fn pg_time(at: SimTime, offset_min: Option<i32>) -> String {
    let shifted = at.offset(i64::from(offset_min.unwrap_or(0)) * 60_000);
    let iso = shifted.iso8601();
    let mut out = format!("{} {}", &iso[..10], &iso[11..19]);
    let ms = shifted.0 % 1000;
    if ms != 0 {
        out.push_str(format!(".{ms:03}").trim_end_matches('0'));
    }
    if let Some(m) = offset_min {
        let sign = if m < 0 { '-' } else { '+' };
        let (h, mm) = (m.unsigned_abs() / 60, m.unsigned_abs() % 60);
        out.push_str(&format!("{sign}{h:02}"));
        if mm != 0 {
            out.push_str(&format!(":{mm:02}"));
        }
    }
    out
}

impl Pg {
    /// Connection `pg#id`.
    pub fn conn(&self, id: u32) -> Option<&PgConn> {
        self.conns.get(usize::try_from(id).ok()?.checked_sub(1)?)
    }

    pub(crate) fn conn_mut(&mut self, id: u32) -> &mut PgConn {
        let i = usize::try_from(id).unwrap_or(usize::MAX).saturating_sub(1);
        &mut self.conns[i]
    }

    /// Opens a backend connection for `side`: the startup message and the
    /// server's answer up to its first ReadyForQuery, recorded in `msgs`.
    pub(crate) fn open(
        &mut self,
        side: Side,
        now: SimTime,
        pid: u32,
        secret: u32,
        msgs: &mut Vec<super::PgMsg>,
    ) -> u32 {
        let id = self.conns.len() as u32 + 1;
        let startup = Frontend::Startup {
            user: "shop".into(),
            database: "shop".into(),
            params: vec![("client_encoding".into(), "UTF8".into())],
        };
        let mut answer = vec![Backend::AuthenticationOk];
        for (name, value) in [
            ("application_name", ""),
            ("client_encoding", "UTF8"),
            ("DateStyle", "ISO, MDY"),
            ("default_transaction_read_only", "off"),
            ("in_hot_standby", "off"),
            ("integer_datetimes", "on"),
            ("IntervalStyle", "postgres"),
            ("is_superuser", "off"),
            ("server_encoding", "UTF8"),
            ("server_version", SERVER_VERSION),
            ("session_authorization", "shop"),
            ("standard_conforming_strings", "on"),
            ("TimeZone", "UTC"),
        ] {
            answer.push(Backend::ParameterStatus { name: name.into(), value: value.into() });
        }
        answer.push(Backend::BackendKeyData { pid, secret });
        answer.push(Backend::ReadyForQuery(TxStatus::Idle));
        let mut conn = PgConn {
            id,
            pid,
            side,
            opened: now,
            closed: None,
            status: TxStatus::Idle,
            timezone: "UTC".into(),
            prepared: Vec::new(),
            pending: Vec::new(),
            cart: None,
            tx: None,
            lent_to: None,
            returned: 0,
            wire: Vec::new(),
            reported_tz: "UTC".into(),
        };
        conn.exchange(&[startup], &answer, msgs);
        self.conns.push(conn);
        id
    }

    /// A simple Query of `stmts` on `pg#id`; returns the ReadyForQuery status.
    pub(crate) fn query(&mut self, id: u32, stmts: &[Stmt], now: SimTime, msgs: &mut Vec<super::PgMsg>) -> TxStatus {
        let mut orders = std::mem::take(&mut self.orders);
        let conn = self.conn_mut(id);
        let mut answer = Vec::new();
        for stmt in stmts {
            if !conn.statement(stmt, now, &mut orders, &mut answer) {
                break;
            }
        }
        conn.ready(&mut answer);
        let status = conn.status;
        conn.exchange(&[Frontend::Query(Stmt::batch(stmts))], &answer, msgs);
        self.orders = orders;
        status
    }

    /// Extended-query messages ending with Sync on `pg#id`; returns the
    /// ReadyForQuery status. After an error the server skips to the Sync.
    pub(crate) fn extended(
        &mut self,
        id: u32,
        front: &[Frontend],
        owner: &str,
        msgs: &mut Vec<super::PgMsg>,
    ) -> TxStatus {
        let committed = self.orders.iter().filter(|(o, _)| o == owner).count();
        let conn = self.conn_mut(id);
        let mut answer = Vec::new();
        let mut failed = false;
        let mut unnamed = false;
        for m in front {
            if failed && *m != Frontend::Sync {
                continue;
            }
            let reply = match m {
                _ if conn.status == TxStatus::Failed && *m != Frontend::Sync => Err(aborted()),
                Frontend::Parse { name, .. } if name.is_empty() => {
                    unnamed = true;
                    Ok(vec![Backend::ParseComplete])
                }
                Frontend::Parse { name, .. } if conn.prepared.contains(name) => {
                    Err(Backend::error("42P05", &format!("prepared statement \"{name}\" already exists")))
                }
                Frontend::Parse { name, .. } => {
                    conn.prepared.push(name.clone());
                    Ok(vec![Backend::ParseComplete])
                }
                Frontend::Bind { statement, .. }
                    if (statement.is_empty() && !unnamed)
                        || (!statement.is_empty() && !conn.prepared.contains(statement)) =>
                {
                    let shown = if statement.is_empty() { "unnamed prepared statement" } else { statement };
                    Err(Backend::error("26000", &format!("prepared statement \"{shown}\" does not exist")))
                }
                Frontend::Bind { .. } => Ok(vec![Backend::BindComplete]),
                Frontend::Describe { .. } => Ok(vec![Backend::RowDescription(vec![Column {
                    name: "count".into(),
                    type_oid: INT8,
                    type_len: 8,
                }])]),
                Frontend::Execute { .. } => {
                    let mine = conn.pending.iter().filter(|(o, _)| o == owner).count();
                    let count = committed.saturating_add(mine);
                    Ok(vec![
                        Backend::DataRow(vec![Some(count.to_string())]),
                        Backend::CommandComplete("SELECT 1".into()),
                    ])
                }
                Frontend::Sync => {
                    conn.ready(&mut answer);
                    Ok(vec![])
                }
                Frontend::Startup { .. } | Frontend::Query(_) | Frontend::Terminate => Ok(vec![]),
            };
            match reply {
                Ok(ms) => answer.extend(ms),
                Err(e) => {
                    answer.push(e);
                    failed = true;
                    if conn.status == TxStatus::InTransaction {
                        conn.status = TxStatus::Failed;
                    }
                }
            }
        }
        let status = conn.status;
        conn.exchange(front, &answer, msgs);
        status
    }

    /// The connection dies with no Terminate (its client's process is gone):
    /// PostgreSQL notices the closed socket and rolls back what it held.
    /// Returns how many uncommitted rows were rolled back, and whether a
    /// transaction was open.
    pub(crate) fn drop_conn(&mut self, id: u32, at: SimTime, why: &str) -> (usize, bool) {
        let conn = self.conn_mut(id);
        let open = conn.status != TxStatus::Idle;
        let rows = conn.pending.len();
        conn.pending.clear();
        conn.cart = None;
        conn.tx = None;
        conn.lent_to = None;
        conn.closed = Some((at, why.to_owned()));
        (rows, open)
    }

    /// Hands `pg#id` back to its pool.
    pub(crate) fn give_back(&mut self, id: u32) {
        self.returns += 1;
        let n = self.returns;
        self.conn_mut(id).returned = n;
    }
}

impl PgConn {
    /// One statement of a simple Query; false when it failed and the rest
    /// of the Query is skipped.
    fn statement(
        &mut self,
        stmt: &Stmt,
        now: SimTime,
        orders: &mut Vec<(String, String)>,
        out: &mut Vec<Backend>,
    ) -> bool {
        let in_tx = self.status != TxStatus::Idle;
        if self.status == TxStatus::Failed && !matches!(stmt, Stmt::Commit | Stmt::Rollback) {
            out.push(aborted());
            return false;
        }
        match stmt {
            Stmt::Begin => {
                if in_tx {
                    out.push(warning("25001", "there is already a transaction in progress"));
                } else {
                    self.tx = Some(Tx {
                        began: now,
                        timezone: self.timezone.clone(),
                        cart: self.cart.as_ref().map(Vec::len),
                    });
                    self.status = TxStatus::InTransaction;
                }
                out.push(Backend::CommandComplete("BEGIN".into()));
            }
            Stmt::Commit | Stmt::Rollback => {
                let tag = match (stmt, self.status) {
                    (_, TxStatus::Idle) => {
                        out.push(warning("25P01", "there is no transaction in progress"));
                        if *stmt == Stmt::Commit {
                            "COMMIT"
                        } else {
                            "ROLLBACK"
                        }
                    }
                    (Stmt::Commit, TxStatus::InTransaction) => {
                        orders.append(&mut self.pending);
                        "COMMIT"
                    }
                    // COMMIT of a failed transaction rolls it back, and says so in its tag.
                    _ => {
                        if let Some(tx) = self.tx.take() {
                            self.timezone = tx.timezone;
                            self.cart = tx.cart.map(|rows| {
                                let mut cart = self.cart.take().unwrap_or_default();
                                cart.truncate(rows);
                                cart
                            });
                        }
                        "ROLLBACK"
                    }
                };
                self.pending.clear();
                self.tx = None;
                self.status = TxStatus::Idle;
                out.push(Backend::CommandComplete(tag.into()));
            }
            Stmt::SetTz(zone) => {
                self.timezone = zone.clone();
                out.push(Backend::CommandComplete("SET".into()));
            }
            Stmt::Insert { owner, sku } => {
                if !CATALOG_SKUS.contains(&sku.as_str()) {
                    out.push(Backend::ErrorResponse(vec![
                        (b'S', "ERROR".into()),
                        (b'V', "ERROR".into()),
                        (b'C', "23503".into()),
                        (
                            b'M',
                            "insert or update on table \"orders\" violates foreign key constraint \"orders_sku_fkey\""
                                .into(),
                        ),
                        (b'D', format!("Key (sku)=({sku}) is not present in table \"products\".")),
                    ]));
                    if in_tx {
                        self.status = TxStatus::Failed;
                    }
                    return false;
                }
                let row = (owner.clone(), sku.clone());
                if in_tx {
                    self.pending.push(row);
                } else {
                    orders.push(row);
                }
                out.push(Backend::CommandComplete("INSERT 0 1".into()));
            }
            Stmt::Select(zone) => {
                let at = self.tx.as_ref().map_or(now, |tx| tx.began);
                let (ty, value) = match zone {
                    Some(z) => (TIMESTAMP, pg_time(at.offset(i64::from(zone_offset(z).unwrap_or(0)) * 60_000), None)),
                    None => (TIMESTAMPTZ, pg_time(at, Some(zone_offset(&self.timezone).unwrap_or(0)))),
                };
                let count = orders.len().saturating_add(self.pending.len());
                out.push(Backend::RowDescription(vec![
                    Column { name: "now".into(), type_oid: ty, type_len: 8 },
                    Column { name: "count".into(), type_oid: INT8, type_len: 8 },
                ]));
                out.push(Backend::DataRow(vec![Some(value), Some(count.to_string())]));
                out.push(Backend::CommandComplete("SELECT 1".into()));
            }
            Stmt::CreateTemp => {
                if self.cart.is_some() {
                    return self
                        .fail(Backend::error("42P07", &format!("relation \"{TEMP_TABLE}\" already exists")), out);
                }
                self.cart = Some(Vec::new());
                out.push(Backend::CommandComplete("CREATE TABLE".into()));
            }
            Stmt::CartInsert(sku) => match self.cart.as_mut() {
                Some(rows) => {
                    rows.push(sku.clone());
                    out.push(Backend::CommandComplete("INSERT 0 1".into()));
                }
                None => {
                    // PostgreSQL points at the name in the statement: the
                    // 1-based character position of the error (`P`).
                    let sql = stmt.sql();
                    let at = sql.find(TEMP_TABLE).map_or(0, |i| sql[..i].chars().count() + 1);
                    let error = Backend::ErrorResponse(vec![
                        (b'S', "ERROR".into()),
                        (b'V', "ERROR".into()),
                        (b'C', "42P01".into()),
                        (b'M', format!("relation \"{TEMP_TABLE}\" does not exist")),
                        (b'P', at.to_string()),
                    ]);
                    return self.fail(error, out);
                }
            },
        }
        true
    }

    /// A statement's error: the rest of the Query is skipped, and an open
    /// transaction is failed (`E`) until it ends.
    fn fail(&mut self, error: Backend, out: &mut Vec<Backend>) -> bool {
        out.push(error);
        if self.status == TxStatus::InTransaction {
            self.status = TxStatus::Failed;
        }
        false
    }

    /// ReadyForQuery, after a ParameterStatus if `TimeZone` changed since
    /// the client was last told (PostgreSQL reports it just before).
    fn ready(&mut self, out: &mut Vec<Backend>) {
        if self.timezone != self.reported_tz {
            self.reported_tz = self.timezone.clone();
            out.push(Backend::ParameterStatus { name: "TimeZone".into(), value: self.timezone.clone() });
        }
        out.push(Backend::ReadyForQuery(self.status));
    }

    /// Records what crossed: the client's messages, then the server's.
    fn exchange(&mut self, front: &[Frontend], back: &[Backend], msgs: &mut Vec<super::PgMsg>) {
        let mut bytes = Vec::new();
        for m in front {
            m.encode_into(&mut bytes);
            msgs.push(super::PgMsg::Front(self.id, m.clone()));
        }
        self.wire.push(Chunk { from_client: true, bytes });
        let mut bytes = Vec::new();
        for m in back {
            m.encode_into(&mut bytes);
            msgs.push(super::PgMsg::Back(self.id, m.clone()));
        }
        self.wire.push(Chunk { from_client: false, bytes });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::START;

    #[test]
    fn times_are_written_as_postgresql_writes_them() {
        assert_eq!(pg_time(START, Some(0)), "2026-01-15 09:00:00+00");
        assert_eq!(pg_time(START.plus_ms(3_500), Some(540)), "2026-01-15 18:00:03.5+09");
        assert_eq!(pg_time(START.plus_ms(120), Some(-300)), "2026-01-15 04:00:00.12-05");
        assert_eq!(pg_time(START, None), "2026-01-15 09:00:00");
    }

    /// The tags, SQLSTATEs and status of one Query, as a line.
    fn run(pg: &mut Pg, stmts: &[Stmt]) -> String {
        let mut msgs = Vec::new();
        pg.query(1, stmts, START, &mut msgs);
        let words: Vec<String> = msgs
            .iter()
            .filter_map(|m| match m {
                super::super::PgMsg::Back(_, Backend::CommandComplete(t)) => Some(t.clone()),
                super::super::PgMsg::Back(_, Backend::ErrorResponse(f)) => {
                    f.iter().find(|(k, _)| *k == b'C').map(|(_, v)| v.clone())
                }
                super::super::PgMsg::Back(_, Backend::ReadyForQuery(s)) => Some(char::from(s.byte()).to_string()),
                _ => None,
            })
            .collect();
        words.join(" ")
    }

    /// A temporary table is the session's, and its creation and rows are
    /// transactional: a rollback undoes both, a commit keeps them.
    #[test]
    fn a_temporary_table_is_created_filled_and_rolled_back_as_postgresql_does() {
        let mut pg = Pg::default();
        pg.open(Side::Server(1), START, 1, 1, &mut Vec::new());
        let cart = |pg: &Pg| pg.conn(1).unwrap().cart.clone();
        assert_eq!(run(&mut pg, &[Stmt::CartInsert("mug".into())]), "42P01 I");
        assert_eq!(
            run(&mut pg, &[Stmt::Begin, Stmt::CreateTemp, Stmt::CartInsert("mug".into())]),
            "BEGIN CREATE TABLE INSERT 0 1 T"
        );
        assert_eq!(run(&mut pg, &[Stmt::Rollback]), "ROLLBACK I");
        assert_eq!(cart(&pg), None, "the rollback dropped the table it created");
        assert_eq!(run(&mut pg, &[Stmt::CreateTemp, Stmt::CartInsert("mug".into())]), "CREATE TABLE INSERT 0 1 I");
        // A second CREATE fails the transaction; what follows is ignored; the
        // rollback restores the table as it was at BEGIN.
        assert_eq!(
            run(&mut pg, &[Stmt::Begin, Stmt::CartInsert("tee".into()), Stmt::CreateTemp]),
            "BEGIN INSERT 0 1 42P07 E"
        );
        assert_eq!(run(&mut pg, &[Stmt::CartInsert("socks".into())]), "25P02 E");
        assert_eq!(run(&mut pg, &[Stmt::Commit]), "ROLLBACK I");
        assert_eq!(cart(&pg), Some(vec!["mug".to_owned()]));
        assert_eq!(
            run(&mut pg, &[Stmt::Begin, Stmt::CartInsert("tee".into()), Stmt::Commit]),
            "BEGIN INSERT 0 1 COMMIT I"
        );
        assert_eq!(cart(&pg), Some(vec!["mug".to_owned(), "tee".to_owned()]));
        assert!(pg.conn(1).unwrap().state_line().ends_with("temporary table cart (2 rows)"));
        // The session ends: its temporary table goes with it.
        pg.drop_conn(1, START, "gone");
        assert_eq!(cart(&pg), None);
    }
}
