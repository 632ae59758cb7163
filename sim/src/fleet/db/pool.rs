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

/// One connection of a pool: when it is next free (simulated milliseconds
/// since the lane's start), and the app server whose order holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot {
    free_at: u64,
    holder: ServerNo,
}

/// A pool of at most `size` connections, opened as they are first needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pool {
    size: usize,
    slots: Vec<Slot>,
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

impl Pool {
    pub(crate) fn new(size: usize) -> Pool {
        Pool { size, slots: Vec::with_capacity(size) }
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
        let first = (0..self.slots.len()).min_by_key(|&i| self.slots[i].free_at);
        match first {
            Some(i) if self.slots[i].free_at <= at => {
                self.slots[i] = Slot { free_at: at.saturating_add(hold_ms), holder };
                Checkout::Lent { wait_ms: 0, opened: false }
            }
            _ if self.slots.len() < self.size => {
                self.slots.push(Slot { free_at: at.saturating_add(open_ms).saturating_add(hold_ms), holder });
                Checkout::Lent { wait_ms: 0, opened: true }
            }
            Some(i) => {
                let free_at = self.slots[i].free_at;
                let wait_ms = free_at.saturating_sub(at);
                if wait_ms > timeout_ms {
                    return Checkout::TimedOut;
                }
                self.slots[i] = Slot { free_at: free_at.saturating_add(hold_ms), holder };
                Checkout::Lent { wait_ms, opened: false }
            }
            None => Checkout::TimedOut,
        }
    }

    /// Connections lent at `at`: busy with an order.
    pub(crate) fn in_use(&self, at: u64) -> u32 {
        self.slots.iter().filter(|s| s.free_at > at).count() as u32
    }

    /// Connections open to the database.
    pub(crate) fn open(&self) -> u32 {
        self.slots.len() as u32
    }

    /// App server `holder`'s process died at `at`: the transactions its
    /// orders held open are aborted. `close` says what happens to their
    /// connections: closed with the process (its own pool), or, behind
    /// PgBouncer, rolled back and free for the next client. Returns how many
    /// transactions were in flight.
    pub(crate) fn abort(&mut self, at: u64, holder: ServerNo, close: bool) -> u64 {
        let in_flight = self.slots.iter().filter(|s| s.holder == holder && s.free_at > at).count() as u64;
        if close {
            self.slots.retain(|s| s.holder != holder);
        } else {
            for s in self.slots.iter_mut().filter(|s| s.holder == holder && s.free_at > at) {
                s.free_at = at;
            }
        }
        in_flight
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
    fn a_crash_aborts_only_its_servers_transactions_in_flight() {
        let mut own = Pool::new(2);
        own.checkout(0, 1, 9, 0, 0);
        own.checkout(0, 2, 9, 0, 0);
        assert_eq!(own.abort(5, 1, true), 1);
        assert_eq!(own.open(), 1, "S1's connection closed with its process");
        let mut bouncer = Pool::new(2);
        bouncer.checkout(0, 1, 9, 0, 0);
        bouncer.checkout(0, 2, 9, 0, 0);
        assert_eq!(bouncer.abort(5, 2, false), 1);
        assert_eq!((bouncer.open(), bouncer.in_use(5)), (2, 1), "PgBouncer keeps S2's server connection, free");
        assert_eq!(bouncer.abort(20, 1, false), 0, "S1's order had finished by then: nothing in flight");
    }
}
