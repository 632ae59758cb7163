//! A database lane's requests: the balancer picks an app server, the app
//! server gets a connection the lane's way ([`Pooling`]) and runs the user's
//! statement on PostgreSQL (`fleet/db/`). Every message that crosses a
//! backend connection is recorded in an `Entry::Db`, with a trace of what
//! the pool and the database did; a crash drops the dead server's
//! connections and the database rolls back what they held.

use super::Lane;
use crate::base::ids::{ServerNo, User};
use crate::fleet::balancer::{Pick, NONE_HEALTHY_STATUS, REFUSED_STATUS};
use crate::fleet::config::App;
use crate::fleet::db::postgres::Stmt;
use crate::fleet::db::{DbRecord, Pg, PgMsg, Pooling, Side, SqlOp, POOL_SIZE, QUERY_WAIT_TIMEOUT_S, STATEMENT};
use crate::fleet::exchange::{Entry, Trace};
use crate::wire::pg::{Frontend, TxStatus};
use std::rc::Rc;

mod load;

/// What one step did, filled in as it goes.
struct Step {
    msgs: Vec<PgMsg>,
    trace: Vec<String>,
    queue_timeout: bool,
}

impl Step {
    fn say(&mut self, line: String) {
        self.trace.push(line);
    }
}

/// The extended-query messages that run [`STATEMENT`] for `owner`, after a
/// Parse when the driver has not prepared it (`name`: empty for the unnamed
/// statement, which a stateless request sends every time).
fn execute_msgs(name: &str, parse: bool, owner: &str) -> Vec<Frontend> {
    let mut out = Vec::with_capacity(5);
    if parse {
        out.push(Frontend::Parse { name: name.into(), sql: STATEMENT.1.into() });
    }
    out.push(Frontend::Bind { portal: String::new(), statement: name.into(), params: vec![Some(owner.into())] });
    out.push(Frontend::Describe { portal: true, name: String::new() });
    out.push(Frontend::Execute { portal: String::new(), max_rows: 0 });
    out.push(Frontend::Sync);
    out
}

/// What an app server's driver sends for `op` in the session and PgBouncer
/// lanes, given whether its statement cache holds [`STATEMENT`]: nothing for
/// a prepare it has cached, a Parse first for an execute it has not. The
/// real-fleet twin sends these to a real PgBouncer.
pub fn driver_messages(op: &SqlOp, owner: &str, cached: bool) -> Vec<Frontend> {
    match op {
        SqlOp::Prepare if cached => Vec::new(),
        SqlOp::Prepare => prepare_msgs(),
        SqlOp::Execute => execute_msgs(STATEMENT.0, !cached, owner),
        op => plain(op, owner).map(|s| vec![Frontend::Query(s.sql())]).unwrap_or_default(),
    }
}

/// Parse [`STATEMENT`] under its name, then Sync.
fn prepare_msgs() -> Vec<Frontend> {
    vec![Frontend::Parse { name: STATEMENT.0.into(), sql: STATEMENT.1.into() }, Frontend::Sync]
}

fn status_word(s: TxStatus) -> String {
    format!("ReadyForQuery {} ({})", char::from(s.byte()), s.meaning())
}

impl Lane {
    /// The database and every backend connection it served.
    pub fn pg(&self) -> &Pg {
        &self.pg
    }

    /// `sql alice begin`: the user's app sends one request to an app server,
    /// which runs the statement on the database the lane's way.
    pub(crate) fn sql(&mut self, user: User, op: &SqlOp, action_no: u32) {
        let (true, App::Db(pooling)) = (self.config.app.is_db(), self.config.app) else {
            return self.event(
                action_no,
                format!(
                    "{} sent no SQL: this lane runs the {}, which has no database connection",
                    user.username(),
                    self.config.app
                ),
            );
        };
        let mut step = Step { msgs: Vec::new(), trace: Vec::new(), queue_timeout: false };
        let server = self.route(user, &mut step);
        if let Some(no) = server {
            match pooling {
                Pooling::Session => self.sql_session(no, user, op, &mut step),
                Pooling::Transaction => self.sql_bouncer(no, user, op, &mut step),
                Pooling::Stateless => self.sql_stateless(no, user, op, &mut step),
            }
        }
        let record = DbRecord {
            action: action_no,
            at: self.now,
            client: user.username().to_owned(),
            op: op.to_string(),
            server,
            messages: step.msgs,
            trace: step.trace,
            queue_timeout: step.queue_timeout,
        };
        self.entries.push(Entry::Db(Rc::new(record)));
    }

    /// The balancer's pick for the app's request; `None` when no app server answered.
    fn route(&mut self, user: User, step: &mut Step) -> Option<ServerNo> {
        let ci = user.index();
        let req = self.clients[ci].request(self.config.auth.credential(), "POST", "/api/orders".into(), None, self.now);
        let trace = Trace::new(true);
        match self.balancer.pick(&req, &self.clients[ci].addr, &self.servers, self.now, &mut self.rng, &trace) {
            Pick::NoneHealthy { reason } => {
                step.say(format!("{reason}: {NONE_HEALTHY_STATUS}, nothing reached the database"));
                None
            }
            Pick::Refused { slot, reason } => {
                step.say(format!(
                    "{reason}; S{} is down: {REFUSED_STATUS}, nothing reached the database",
                    self.servers[slot].no
                ));
                None
            }
            Pick::Forward { slot, reason, .. } => {
                step.say(reason);
                // The app server handles the request, whatever the database then answers.
                self.servers[slot].handled += 1;
                Some(self.servers[slot].no)
            }
        }
    }

    /// A connection from app server `no`'s own pool: the one idle longest
    /// (deadpool's FIFO), or a new one while the pool has room.
    fn checkout(&mut self, no: ServerNo, step: &mut Step) -> u32 {
        let idle = self.pg.conns.iter().filter(|c| c.open() && c.side == Side::Server(no)).min_by_key(|c| c.returned);
        if let Some(c) = idle {
            let (id, state) = (c.id, c.state_line());
            let left = if c.has_state() { format!(", as the last request left it: {state}") } else { String::new() };
            step.say(format!("S{no}'s pool lends pg#{id}{left}"));
            return id;
        }
        let id = self.open_backend(Side::Server(no), step);
        step.say(format!("S{no}'s pool has no idle connection: it opens pg#{id} (pool size {POOL_SIZE})"));
        id
    }

    fn open_backend(&mut self, side: Side, step: &mut Step) -> u32 {
        let pid = 10_000 + self.rng.below(20_000);
        let secret = self.rng.below(u32::MAX);
        self.pg.open(side, self.now, pid, secret, &mut step.msgs)
    }

    fn query(&mut self, id: u32, stmts: &[Stmt], step: &mut Step) -> TxStatus {
        let status = self.pg.query(id, stmts, self.now, &mut step.msgs);
        step.say(format!("pg#{id}: {}", status_word(status)));
        status
    }

    fn extended(&mut self, id: u32, msgs: &[Frontend], owner: &str, step: &mut Step) -> TxStatus {
        let status = self.pg.extended(id, msgs, owner, &mut step.msgs);
        step.say(format!("pg#{id}: {}", status_word(status)));
        status
    }

    /// Session state on pooled connections: the statement runs as asked,
    /// and the connection goes back with whatever it now holds.
    fn sql_session(&mut self, no: ServerNo, user: User, op: &SqlOp, step: &mut Step) {
        let id = self.checkout(no, step);
        let owner = user.username();
        match op {
            SqlOp::Prepare | SqlOp::Execute => {
                // The driver caches statements per connection, and this
                // connection is the server's: it knows whether to Parse.
                let cached = self.pg.conn(id).is_some_and(|c| c.prepared.iter().any(|p| p == STATEMENT.0));
                let msgs = driver_messages(op, owner, cached);
                match (msgs.is_empty(), op) {
                    (true, _) => step.say(format!(
                        "the driver's cache says {} is prepared on pg#{id}: nothing to send",
                        STATEMENT.0
                    )),
                    (false, SqlOp::Execute) if !cached => {
                        step.say(format!("pg#{id} has not prepared {}: the driver prepares it first", STATEMENT.0));
                    }
                    _ => {}
                }
                if !msgs.is_empty() {
                    self.extended(id, &msgs, owner, step);
                }
            }
            op => {
                if let Some(stmt) = plain(op, owner) {
                    self.query(id, &[stmt], step);
                }
            }
        }
        self.pg.give_back(id);
        let left = self.pg.conn(id).map(|c| (c.has_state(), c.state_line()));
        if let Some((true, state)) = left {
            step.say(format!("S{no} returns pg#{id} to its pool as it is, with no reset: {state}"));
        }
    }

    /// PgBouncer in transaction mode: a server connection is lent to the
    /// app server's client connection until its transaction ends.
    fn sql_bouncer(&mut self, no: ServerNo, user: User, op: &SqlOp, step: &mut Step) {
        let owner = user.username();
        let li = match self.pg.links.iter().position(|l| l.0 == no) {
            Some(i) => i,
            None => {
                self.pg.links.push((no, Vec::new(), "UTC".into()));
                self.pg.links.len() - 1
            }
        };
        let cached = self.pg.links[li].1.iter().any(|p| p == STATEMENT.0);
        let driver = driver_messages(op, owner, cached);
        if matches!(op, SqlOp::Prepare | SqlOp::Execute) && driver.is_empty() {
            // The client sends PgBouncer nothing, so PgBouncer lends nothing:
            // no server connection is opened, reset or waited for.
            return step.say(format!(
                "the driver's cache says {} is prepared on this connection: nothing to send",
                STATEMENT.0
            ));
        }
        let held = self.pg.conns.iter().find(|c| c.open() && c.lent_to == Some(no)).map(|c| c.id);
        let id = match held {
            Some(id) => {
                step.say(format!("S{no}'s client connection is in a transaction: PgBouncer keeps it on pg#{id}"));
                id
            }
            None => {
                let idle = self.pg.conns.iter().filter(|c| c.open() && c.side == Side::Bouncer && c.lent_to.is_none());
                match idle.max_by_key(|c| c.returned) {
                    Some(c) => {
                        step.say(format!(
                            "PgBouncer lends S{no}'s client connection pg#{}, the idle server connection used last",
                            c.id
                        ));
                        c.id
                    }
                    None if self.pg.conns.iter().filter(|c| c.open() && c.side == Side::Bouncer).count()
                        < POOL_SIZE =>
                    {
                        let id = self.open_backend(Side::Bouncer, step);
                        step.say(format!(
                            "PgBouncer has no idle server connection: it opens pg#{id} (pool size {POOL_SIZE})"
                        ));
                        id
                    }
                    None => {
                        step.say(format!("PgBouncer's {POOL_SIZE} server connections are all lent to open transactions: S{no}'s client waits in its queue, and nothing frees one"));
                        step.say(format!("PgBouncer answers ERROR: query_wait_timeout (SQLSTATE 08P01) after {QUERY_WAIT_TIMEOUT_S} s and closes the client connection"));
                        step.queue_timeout = true;
                        self.pg.links.remove(li);
                        return;
                    }
                }
            }
        };
        self.pg.conn_mut(id).lent_to = Some(no);
        let remembered = self.pg.links[li].2.clone();
        if self.pg.conn(id).is_some_and(|c| c.timezone != remembered) {
            step.say(format!("PgBouncer tracks TimeZone for each client: it sets pg#{id} back to {remembered} first"));
            self.query(id, &[Stmt::SetTz(remembered)], step);
        }
        let status = match op {
            SqlOp::Prepare | SqlOp::Execute => {
                if !cached {
                    self.pg.links[li].1.push(STATEMENT.0.into());
                } else if matches!(op, SqlOp::Execute) {
                    step.say(format!("the driver prepared {} on this client connection before, so it sends Bind alone; PgBouncer may have lent another server connection since", STATEMENT.0));
                }
                self.extended(id, &driver, owner, step)
            }
            op => {
                let stmts: Vec<Stmt> = plain(op, owner).into_iter().collect();
                let status = self.query(id, &stmts, step);
                let tz = self.pg.conn(id).map(|c| c.timezone.clone()).unwrap_or_default();
                self.pg.links[li].2 = tz;
                status
            }
        };
        if status == TxStatus::Idle {
            self.pg.conn_mut(id).lent_to = None;
            self.pg.give_back(id);
            // Session state outlives the transaction: the next client lent it gets it.
            let kept = match self.pg.conn(id) {
                Some(c) if c.has_state() => format!(", with its session as it is: {}", c.state_line()),
                _ => String::new(),
            };
            step.say(format!("the transaction is over (I): PgBouncer takes pg#{id} back for any client{kept}"));
        } else {
            step.say(format!("pg#{id} stays lent to S{no}'s client connection until its transaction ends"));
        }
    }

    /// Each request carries its context; nothing stays on the connection.
    fn sql_stateless(&mut self, no: ServerNo, user: User, op: &SqlOp, step: &mut Step) {
        let owner = user.username();
        let ui = user.index();
        let stmts = match op {
            SqlOp::SetTz { zone } => {
                self.pg.carried[ui].0 = Some(zone.clone());
                return step
                    .say(format!("{owner}'s app keeps TimeZone {zone} and names it in each query: nothing is sent"));
            }
            SqlOp::Begin => {
                self.pg.carried[ui].1.get_or_insert_with(Vec::new);
                return step.say(format!(
                    "{owner}'s app starts collecting the transaction's statements: nothing is sent until commit"
                ));
            }
            SqlOp::Rollback => {
                let dropped = match self.pg.carried[ui].1.take().map_or(0, |b| b.len()) {
                    1 => "the 1 insert".to_owned(),
                    n => format!("the {n} inserts"),
                };
                return step.say(format!(
                    "{owner}'s app drops {dropped} it was collecting: nothing was sent, so nothing to undo"
                ));
            }
            SqlOp::Prepare => {
                return step.say(format!(
                    "the app keeps the SQL of {}; each execute sends it whole: nothing is sent",
                    STATEMENT.0
                ));
            }
            SqlOp::Insert { sku } if self.pg.carried[ui].1.is_some() => {
                if let Some(b) = self.pg.carried[ui].1.as_mut() {
                    b.push(sku.clone());
                }
                return step.say(format!("{owner}'s app adds the insert to her transaction, sent whole at commit"));
            }
            SqlOp::Commit => match self.pg.carried[ui].1.take() {
                None => return step.say(format!("{owner}'s app has no transaction to commit: nothing is sent")),
                Some(skus) => {
                    let mut stmts = vec![Stmt::Begin];
                    stmts.extend(skus.into_iter().map(|sku| Stmt::Insert { owner: owner.into(), sku }));
                    stmts.push(Stmt::Commit);
                    stmts
                }
            },
            SqlOp::Temp => {
                return step.say(format!(
                    "{owner}'s app keeps the cart in what each request carries, not in a temporary table on a connection: nothing is sent"
                ));
            }
            SqlOp::Cart { sku } => {
                let cart = &mut self.pg.carts[ui];
                cart.push(sku.clone());
                let items = match cart.len() {
                    1 => "1 item".to_owned(),
                    n => format!("{n} items"),
                };
                return step
                    .say(format!("{owner}'s app adds {sku} to the cart it carries, now {items}: nothing is sent"));
            }
            SqlOp::Execute => {
                let id = self.checkout(no, step);
                self.extended(id, &execute_msgs("", true, owner), owner, step);
                self.pg.give_back(id);
                return;
            }
            SqlOp::Insert { sku } => vec![Stmt::Insert { owner: owner.into(), sku: sku.clone() }],
            SqlOp::Select => vec![Stmt::Select(Some(self.pg.carried[ui].0.clone().unwrap_or_else(|| "UTC".into())))],
        };
        let id = self.checkout(no, step);
        if self.query(id, &stmts, step) == TxStatus::Failed {
            step.say("the batch failed: the app rolls back before the connection goes back".into());
            self.query(id, &[Stmt::Rollback], step);
        }
        self.pg.give_back(id);
    }

    /// App server `no`'s process is gone: its connections close with no
    /// Terminate, and PostgreSQL rolls back what they held. The clause an
    /// event adds; empty when there was nothing.
    pub(super) fn drop_db(&mut self, no: ServerNo) -> String {
        let (true, App::Db(pooling)) = (self.config.app.is_db(), self.config.app) else { return String::new() };
        let now = self.now;
        let ids: Vec<u32> = match pooling {
            Pooling::Transaction => {
                self.pg.links.retain(|l| l.0 != no);
                self.pg.conns.iter().filter(|c| c.open() && c.lent_to == Some(no)).map(|c| c.id).collect()
            }
            _ => self.pg.conns.iter().filter(|c| c.open() && c.side == Side::Server(no)).map(|c| c.id).collect(),
        };
        let mut parts = Vec::new();
        for id in ids {
            let why = match pooling {
                Pooling::Transaction => format!("S{no}'s client left mid-transaction: PgBouncer closed it"),
                _ => format!("S{no}'s process died: closed with no Terminate"),
            };
            let (rows, open) = self.pg.drop_conn(id, now, &why);
            parts.push(match (open, rows) {
                (false, _) => format!("pg#{id} closed"),
                (true, 0) => format!("pg#{id} closed; PostgreSQL rolled back its open transaction"),
                (true, 1) => {
                    format!("pg#{id} closed; PostgreSQL rolled back its open transaction and the 1 row it wrote")
                }
                (true, n) => {
                    format!("pg#{id} closed; PostgreSQL rolled back its open transaction and the {n} rows it wrote")
                }
            });
        }
        let load = self.load_db_lost(no, pooling);
        match (pooling, parts.is_empty(), load) {
            (_, false, load) => {
                format!("; database: {}{}", parts.join("; "), load.map_or(String::new(), |l| format!("; {l}")))
            }
            (_, true, Some(load)) => format!("; database: {load}"),
            (Pooling::Transaction, true, None) => {
                "; PgBouncer had lent it no server connection: nothing to roll back".into()
            }
            (_, true, None) => String::new(),
        }
    }
}

/// The one-statement Query an op is, in the session and PgBouncer lanes;
/// `None` for the extended-query ops (prepare, execute).
fn plain(op: &SqlOp, owner: &str) -> Option<Stmt> {
    Some(match op {
        SqlOp::Begin => Stmt::Begin,
        SqlOp::Commit => Stmt::Commit,
        SqlOp::Rollback => Stmt::Rollback,
        SqlOp::SetTz { zone } => Stmt::SetTz(zone.clone()),
        SqlOp::Insert { sku } => Stmt::Insert { owner: owner.into(), sku: sku.clone() },
        SqlOp::Select => Stmt::Select(None),
        SqlOp::Temp => Stmt::CreateTemp,
        SqlOp::Cart { sku } => Stmt::CartInsert(sku.clone()),
        SqlOp::Prepare | SqlOp::Execute => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The driver's cache decides: a cached prepare sends nothing, a cached
    /// execute sends Bind alone (what loses the statement behind PgBouncer),
    /// an uncached one Parses first; the other ops are one simple Query.
    #[test]
    fn driver_messages_follow_the_statement_cache() {
        assert_eq!(driver_messages(&SqlOp::Prepare, "alice", true), vec![]);
        assert!(matches!(
            driver_messages(&SqlOp::Prepare, "alice", false)[..],
            [Frontend::Parse { .. }, Frontend::Sync]
        ));
        let bound = driver_messages(&SqlOp::Execute, "alice", true);
        assert!(
            matches!(&bound[..], [Frontend::Bind { statement, params, .. }, Frontend::Describe { .. }, Frontend::Execute { .. }, Frontend::Sync]
            if statement == STATEMENT.0 && params == &vec![Some("alice".to_owned())])
        );
        assert!(matches!(
            driver_messages(&SqlOp::Execute, "alice", false)[..],
            [Frontend::Parse { .. }, Frontend::Bind { .. }, ..]
        ));
        assert_eq!(
            driver_messages(&SqlOp::SetTz { zone: "Asia/Tokyo".into() }, "bob", false),
            vec![Frontend::Query("SET TimeZone TO 'Asia/Tokyo'".into())]
        );
        assert_eq!(
            driver_messages(&SqlOp::Insert { sku: "mug".into() }, "bob", true),
            vec![Frontend::Query("INSERT INTO orders (owner, sku) VALUES ('bob', 'mug')".into())]
        );
    }
}
