//! A connection pool under load, in time: what a load run's orders meet
//! (`fleet/lane/db/load.rs`). The playground's steps run one at a time and
//! never wait; thousands of load users do, so here each connection is the
//! moment it is next free, and an order that finds none free waits for the
//! first to come back, in arrival order (deadpool's waiters and PgBouncer's
//! queue are both first come, first served), or gives up at the pool's timeout.

use crate::base::ids::ServerNo;

/// How long an app server's pool lets an order wait for a connection
/// before it gives up: deadpool's `timeouts.wait`, as apps set it (unset,
/// deadpool waits for ever).
pub const POOL_WAIT_MS: u64 = 5_000;

/// One order's use of a connection: from `start` to `end` (simulated
/// milliseconds since the lane's start), for app server `holder`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Use {
    start: u64,
    end: u64,
    holder: ServerNo,
}

/// A pool of at most `size` connections, opened as they are first needed.
/// Each connection keeps the uses it has promised, in order: the one under
/// way, then the orders queued behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pool {
    size: usize,
    slots: Vec<Vec<Use>>,
}

/// What a checkout came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Checkout {
    /// A connection: after waiting `wait_ms` for it, and opening it first
    /// when `opened` (the pool had room and none was free).
    Lent { wait_ms: u64, opened: bool },
    /// Every connection stays busy past the timeout: the order gives up.
    TimedOut,
}

/// What a dead app server's orders were doing when it died.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lost {
    /// Transactions under way on a connection: the database rolls them back.
    pub in_flight: u64,
    /// Orders queued for a connection: they never ran.
    pub queued: u64,
}

impl Pool {
    pub(crate) fn new(size: usize) -> Pool {
        Pool { size, slots: Vec::with_capacity(size) }
    }

    fn free_at(uses: &[Use]) -> u64 {
        uses.last().map_or(0, |u| u.end)
    }

    /// An order of app server `holder` arrives at `at` and needs a connection
    /// for `hold_ms` (plus `open_ms` if it has to open one). It takes the
    /// connection free longest, opens one if none is free and there is
    /// room, or waits at most `timeout_ms` for the first to come back.
    pub(crate) fn checkout(
        &mut self,
        at: u64,
        holder: ServerNo,
        hold_ms: u64,
        open_ms: u64,
        timeout_ms: u64,
    ) -> Checkout {
        for uses in &mut self.slots {
            // What ended by now is history: arrivals come in time order.
            let done = uses.iter().take_while(|u| u.end <= at).count();
            uses.drain(..done);
        }
        let first = (0..self.slots.len()).min_by_key(|&i| Pool::free_at(&self.slots[i]));
        let (slot, start, opened) = match first {
            Some(i) if Pool::free_at(&self.slots[i]) <= at => (i, at, false),
            _ if self.slots.len() < self.size => {
                self.slots.push(Vec::new());
                (self.slots.len() - 1, at, true)
            }
            Some(i) => {
                let start = Pool::free_at(&self.slots[i]);
                if start.saturating_sub(at) > timeout_ms {
                    return Checkout::TimedOut;
                }
                (i, start, false)
            }
            None => return Checkout::TimedOut,
        };
        let busy = hold_ms.saturating_add(if opened { open_ms } else { 0 });
        self.slots[slot].push(Use { start, end: start.saturating_add(busy), holder });
        Checkout::Lent { wait_ms: start.saturating_sub(at), opened }
    }

    /// Connections lent at `at`: busy with an order.
    pub(crate) fn in_use(&self, at: u64) -> u32 {
        self.slots.iter().filter(|uses| uses.iter().any(|u| u.start <= at && at < u.end)).count() as u32
    }

    /// Connections open to the database.
    pub(crate) fn open(&self) -> u32 {
        self.slots.len() as u32
    }

    /// App server `holder`'s process died at `at`: its transaction under way
    /// on a connection is aborted, and its queued orders never run. `close`
    /// says what happens to the connections: closed with the process (its
    /// own pool), or, behind PgBouncer, rolled back and free for the next
    /// client. Other servers' queued orders keep the places they were given
    /// (they could start sooner now; their waits were counted as promised).
    pub(crate) fn abort(&mut self, at: u64, holder: ServerNo, close: bool) -> Lost {
        let mut lost = Lost::default();
        for uses in &mut self.slots {
            uses.retain(|u| {
                let gone = u.holder == holder && u.end > at;
                if gone && u.start <= at {
                    lost.in_flight += 1;
                } else if gone {
                    lost.queued += 1;
                }
                !gone
            });
        }
        if close {
            // Its own pool: every connection was the dead process's.
            self.slots.clear();
        }
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_open_connections_up_to_the_size_then_wait_in_arrival_order() {
        let mut p = Pool::new(2);
        assert_eq!(p.checkout(0, 1, 9, 6, 1_000), Checkout::Lent { wait_ms: 0, opened: true });
        assert_eq!(p.checkout(1, 1, 9, 6, 1_000), Checkout::Lent { wait_ms: 0, opened: true });
        assert_eq!((p.open(), p.in_use(2)), (2, 2));
        // Free at 15 and 16: the third waits for the first, the fourth for the second.
        assert_eq!(p.checkout(2, 1, 9, 6, 1_000), Checkout::Lent { wait_ms: 13, opened: false });
        assert_eq!(p.checkout(3, 1, 9, 6, 1_000), Checkout::Lent { wait_ms: 13, opened: false });
        // Both busy until 24 and 25: one arriving at 20 with a 3 ms timeout gives up.
        assert_eq!(p.checkout(20, 1, 9, 6, 3), Checkout::TimedOut);
        assert_eq!(p.checkout(30, 1, 9, 6, 3), Checkout::Lent { wait_ms: 0, opened: false });
        assert_eq!(p.open(), 2, "never more than its size");
    }

    #[test]
    fn a_crash_takes_only_its_servers_orders_in_flight_and_queued() {
        let mut own = Pool::new(2);
        own.checkout(0, 1, 9, 0, 1_000);
        own.checkout(0, 1, 9, 0, 1_000);
        own.checkout(1, 1, 9, 0, 1_000);
        assert_eq!(own.abort(5, 1, true), Lost { in_flight: 2, queued: 1 });
        assert_eq!(own.open(), 0, "its connections closed with its process");
        // Behind PgBouncer: S1 and S2 share two connections; S2 dies with one
        // transaction under way and one order queued behind S1's.
        let mut bouncer = Pool::new(2);
        bouncer.checkout(0, 1, 9, 0, 1_000);
        bouncer.checkout(0, 2, 9, 0, 1_000);
        bouncer.checkout(1, 1, 9, 0, 1_000); // queued behind the first: 9 to 18
        bouncer.checkout(2, 2, 9, 0, 1_000); // queued behind the second: 9 to 18
        assert_eq!(bouncer.abort(5, 2, false), Lost { in_flight: 1, queued: 1 });
        assert_eq!((bouncer.open(), bouncer.in_use(5)), (2, 1), "PgBouncer keeps its connections; S1's is busy");
        // S1's queued order keeps its place; the connection S2 held is free at once.
        assert_eq!(bouncer.checkout(6, 1, 9, 0, 1_000), Checkout::Lent { wait_ms: 0, opened: false });
        assert_eq!(bouncer.abort(20, 1, false), Lost::default(), "S1's orders had all finished by then");
    }
}
