//! Load users on a database lane (`crate::load` runs): each turn, a load
//! user's app places an order. The balancer picks an app server; the order
//! then needs a database connection for as long as its transaction lasts,
//! from a pool that may make it wait (`fleet/db/pool.rs`).
//!
//! What the three designs hold a connection for, at [`DATABASE_MS`] a round trip:
//! - session state on pooled connections: `BEGIN`, the `INSERT`, `COMMIT`,
//!   three round trips, from the app server's own pool of [`POOL_SIZE`];
//! - PgBouncer in transaction mode: the same three, on one of PgBouncer's
//!   [`POOL_SIZE`] server connections, shared by every app server (the app
//!   servers' client connections to PgBouncer are many and cheap, and not
//!   what runs out);
//! - the stateless way: the whole transaction in one message, one round trip.
//!
//! Counts only; the lane's playground state is not touched.

use super::Lane;
use crate::base::ids::ServerNo;
use crate::base::words::how_many;
use crate::fleet::config::{App, MAX_SERVERS};
use crate::fleet::db::pool::{Checkout, Pool, POOL_WAIT_MS};
use crate::fleet::db::{PoolStats, Pooling, POOL_SIZE, QUERY_WAIT_TIMEOUT_S};
use crate::fleet::exchange::Trace;
use crate::fleet::handling::{BALANCER_MS, DATABASE_MS, SERVER_MS};
use crate::fleet::lane::traffic::{Outcome, FIRST};

/// Opening a connection: the startup message, then authentication.
const OPEN_ROUND_TRIPS: u64 = 2;

/// The pool an app server's orders draw from: its own, or PgBouncer's (0).
fn pool_key(pooling: Pooling, no: ServerNo) -> ServerNo {
    match pooling {
        Pooling::Transaction => 0,
        Pooling::Session | Pooling::Stateless => no,
    }
}

impl Lane {
    /// Load user `user` (0-based) places an order `offset_ms` into the
    /// current simulated second.
    pub(crate) fn db_traffic(&mut self, user: u32, offset_ms: u64) -> Outcome {
        let App::Db(pooling) = self.config.app else { unreachable!("a load run sends orders only on a database lane") };
        let ci = FIRST + user as usize;
        let at = self.now.0.saturating_add(offset_ms);
        self.pg.load_clock = at;
        // What the balancer reads: the request and the client's address. Load
        // users never log in, so the request carries no credential.
        let req = self.clients[ci].request(self.config.auth.credential(), "POST", "/api/orders".into(), None, self.now);
        let trace = Trace::new(false);
        let pick = self.balancer.pick(&req, &self.clients[ci].addr, &self.servers, self.now, &mut self.rng, &trace);
        let no = match pick.forwarded() {
            Ok(slot) => self.servers[slot].no,
            Err(status) => {
                self.pg.load_stats.refused += 1;
                return Outcome::answer(status, None, BALANCER_MS);
            }
        };
        let round_trips = if pooling == Pooling::Stateless { 1 } else { 3 };
        let hold = round_trips * u64::from(DATABASE_MS);
        let open = OPEN_ROUND_TRIPS * u64::from(DATABASE_MS);
        let timeout =
            if pooling == Pooling::Transaction { u64::from(QUERY_WAIT_TIMEOUT_S) * 1_000 } else { POOL_WAIT_MS };
        let key = pool_key(pooling, no);
        let pg = &mut *self.pg;
        let i = match pg.load_pools.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                pg.load_pools.push((key, Pool::new(POOL_SIZE)));
                pg.load_pools.len() - 1
            }
        };
        let stats = &mut pg.load_stats;
        let (status, spent) = match pg.load_pools[i].1.checkout(at, no, hold, open, timeout) {
            Checkout::Lent { wait_ms, opened } => {
                stats.checkouts += 1;
                stats.waited += u64::from(wait_ms > 0);
                stats.wait_ms = stats.wait_ms.saturating_add(wait_ms);
                stats.opened += u64::from(opened);
                (200, wait_ms.saturating_add(if opened { open } else { 0 }).saturating_add(hold))
            }
            Checkout::TimedOut => {
                stats.timeouts += 1;
                (503, timeout)
            }
        };
        let spent = u32::try_from(spent).unwrap_or(u32::MAX);
        Outcome::answer(status, Some(no), (BALANCER_MS + SERVER_MS).saturating_add(spent))
    }

    /// The latest moment a load run's orders have reached, in simulated
    /// milliseconds: the clock, or the last order's arrival in its second.
    pub(crate) fn load_clock(&self) -> u64 {
        self.now.0.max(self.pg.load_clock)
    }

    /// A load run's pool counts so far.
    pub(crate) fn pool_stats(&self) -> &PoolStats {
        &self.pg.load_stats
    }

    /// Each pool's connections lent at `at` (simulated milliseconds) and
    /// open (index 0 = S1's pool, or PgBouncer's).
    pub(crate) fn load_pools_at(&self, at: u64) -> ([u32; MAX_SERVERS as usize], [u32; MAX_SERVERS as usize]) {
        let (mut in_use, mut open) = ([0u32; MAX_SERVERS as usize], [0u32; MAX_SERVERS as usize]);
        for (key, pool) in &self.pg.load_pools {
            let i = usize::from(*key).saturating_sub(1);
            if let (Some(u), Some(n)) = (in_use.get_mut(i), open.get_mut(i)) {
                *u = pool.in_use(at);
                *n = pool.open();
            }
        }
        (in_use, open)
    }

    /// App server `no`'s process died: the load orders whose transactions it
    /// held open are aborted. What the fault's event says of them, if any.
    pub(super) fn load_db_lost(&mut self, no: ServerNo, pooling: Pooling) -> Option<String> {
        let at = self.load_clock();
        let key = pool_key(pooling, no);
        let pg = &mut *self.pg;
        let pool = pg.load_pools.iter_mut().find(|(k, _)| *k == key).map(|(_, p)| p)?;
        let closes = pooling != Pooling::Transaction;
        let open = pool.open();
        let lost = pool.abort(at, no, closes);
        pg.load_stats.aborted += lost.in_flight;
        pg.load_stats.dropped += lost.queued;
        let txns = how_many(lost.in_flight, "load order's transaction", "load orders' transactions");
        let queued = match lost.queued {
            0 => String::new(),
            n => format!("; {} queued for a connection never ran", how_many(n, "load order", "load orders")),
        };
        let conns = how_many(u64::from(open), "load connection", "load connections");
        let said = match (closes, lost.in_flight, lost.queued) {
            (true, _, _) if open == 0 => return None,
            (true, 0, _) => format!("S{no}'s pool of {conns} closed with no transaction open"),
            (true, _, _) => format!("S{no}'s pool of {conns} closed; PostgreSQL rolled back {txns} open on it"),
            (false, 0, 0) => return None,
            (false, 0, _) => format!("PgBouncer had lent S{no} no server connection"),
            (false, 1, _) => format!("PgBouncer rolled back {txns} S{no} held open and freed its server connection"),
            (false, _, _) => format!("PgBouncer rolled back {txns} S{no} held open and freed their server connections"),
        };
        Some(said + &queued)
    }
}
