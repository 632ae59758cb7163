//! What a run reports: counts per simulated second, what servers and the
//! store hold, the faults as markers, totals and latency percentiles.

use super::plan::Mix;
use super::thousands;
use crate::base::tally::Tally;
use crate::fleet::config::MAX_SERVERS;
use crate::fleet::db::PoolStats;
use crate::fleet::exchange::SocketStats;
use crate::fleet::ftp::FileStats;
use crate::fleet::Kind;
use serde::{Deserialize, Serialize};

/// One simulated second of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Second {
    /// Requests answered with a status below 400.
    pub ok: u64,
    /// Requests refused with 401; their load user logs in again next time.
    pub unauthorized: u64,
    /// 502/503: the balancer or the store could not serve.
    pub unavailable: u64,
    /// 429: over an API key's rate limit. Counted apart from `other`: it is
    /// the limiter doing its job, not the fleet failing.
    pub limited: u64,
    /// Other failures (4xx but 401 and 429).
    pub other: u64,
    /// Requests that were a login, sent because the load user held no credential.
    pub logins: u64,
    /// `POST /token/refresh` requests the app sent before a request, its
    /// access token having expired: traffic of its own, not in `ok` nor `failed`.
    pub refreshes: u64,
    /// Round trips to the shared store, refreshes included.
    pub store_trips: u64,
    /// Bytes of the `Authorization` and `Cookie` request headers sent.
    pub credential_bytes: u64,
    /// Requests per server number (index 0 = S1), and how many the balancer answered itself.
    pub per_server: [u64; MAX_SERVERS as usize],
    /// Requests the balancer answered itself: 503 with no server in rotation,
    /// 502 when the server it chose was down.
    pub balancer: u64,
    /// What was held at the end of the second, every [`HELD_EVERY`] seconds.
    pub held: Option<Held>,
    /// Connection lanes: what happened on the load users' WebSockets.
    #[serde(default)]
    pub sockets: Sockets,
    /// File lanes: sessions held, logins and downloads.
    #[serde(default)]
    pub files: Files,
    /// Database lanes: the pools' checkouts, waits and connections.
    #[serde(default)]
    pub pools: Pools,
}

/// What happened on a file lane in a second (or a whole run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Files {
    /// FTP sessions held per server number (index 0 = S1) at the end of the
    /// second; in a run's totals, at its end.
    pub held: [u32; MAX_SERVERS as usize],
    /// Turns a load user's download was still arriving: nothing sent.
    pub waiting: u64,
    /// The lane's file counts over the second, flattened as `sockets` are.
    #[serde(flatten)]
    pub counts: FileStats,
}

impl Files {
    /// FTP sessions held now, on all servers.
    pub fn held_total(&self) -> u64 {
        total(&self.held)
    }

    /// Adds `other`'s counts to these; `held` becomes `other`'s (the later look).
    pub fn add(&mut self, other: &Files) {
        self.held = other.held;
        self.waiting = self.waiting.saturating_add(other.waiting);
        self.counts.add(&other.counts);
    }
}

/// What happened in a database lane's pools in a second (or a whole run).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pools {
    /// Connections lent to a request per pool at the end of the second
    /// (index 0 = S1's pool; a PgBouncer lane has one pool, index 0); in a
    /// run's totals, at its end.
    pub in_use: [u32; MAX_SERVERS as usize],
    /// Connections open to the database per pool, as `in_use` is indexed.
    pub open: [u32; MAX_SERVERS as usize],
    /// The lane's pool counts over the second, flattened as `sockets` are.
    #[serde(flatten)]
    pub counts: PoolStats,
}

impl Pools {
    /// Connections lent now, in all pools.
    pub fn in_use_total(&self) -> u64 {
        total(&self.in_use)
    }

    /// Adds `other`'s counts to these; `in_use` becomes `other`'s (the later look).
    pub fn add(&mut self, other: &Pools) {
        self.in_use = other.in_use;
        self.open = other.open;
        self.counts.add(&other.counts);
    }
}

/// What happened on a connection lane's WebSockets in a second (or a whole
/// run): its messages, where they reached, and the connections' comings and goings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sockets {
    /// Connections open per server number (index 0 = S1) at the end of the
    /// second; in a run's totals, at its end.
    pub open: [u32; MAX_SERVERS as usize],
    /// Chat lines or moves load users sent on an open connection.
    pub sent: u64,
    /// Turns a load user had no connection, its app waiting to reconnect:
    /// a message it could not send.
    pub offline: u64,
    /// The lane's own socket counts over the second (deliveries to a member
    /// of the sender's room, the sender's own included; misses; handshakes,
    /// drops, closes, frames): flattened, so the JSON lists them beside the rest.
    #[serde(flatten)]
    pub counts: SocketStats,
}

impl Sockets {
    /// Connections open now, on all servers.
    pub fn open_total(&self) -> u64 {
        total(&self.open)
    }

    /// Adds `other`'s counts to these; `open` becomes `other`'s (the later look).
    pub fn add(&mut self, other: &Sockets) {
        self.open = other.open;
        self.sent = self.sent.saturating_add(other.sent);
        self.offline = self.offline.saturating_add(other.offline);
        self.counts.add(&other.counts);
    }
}

/// Live sessions and their bytes per server number (0 for a server not in
/// the pool), then the shared store's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Live in-memory sessions per server number (index 0 = S1).
    pub sessions: [u32; MAX_SERVERS as usize],
    /// Bytes of state per server number, as
    /// [`Lane::server_bytes`](crate::fleet::Lane::server_bytes) counts them:
    /// sessions (ids plus JSON) and counters, and on connection lanes what
    /// the server holds for each open connection and its rooms' matches.
    pub session_bytes: [u32; MAX_SERVERS as usize],
    /// Live entries in the shared store: sessions, revoked token ids, refresh
    /// tokens and families, opaque tokens or rate counters, as the lane's design keeps.
    pub store_sessions: u32,
    /// Bytes of those entries, as
    /// [`SharedStore::bytes`](crate::fleet::SharedStore::bytes) counts them.
    pub store_bytes: u32,
}

impl Second {
    /// Requests answered in this second, whatever the status.
    pub fn requests(&self) -> u64 {
        self.ok.saturating_add(self.failed())
    }
    /// Requests answered with a status of 400 or more.
    pub fn failed(&self) -> u64 {
        self.unauthorized.saturating_add(self.unavailable).saturating_add(self.limited).saturating_add(self.other)
    }
}

/// A fault as it landed: before which request, in which second, and what the lane said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Requests played before it landed.
    pub at: u64,
    /// The simulated second it landed in, counted from 0 at the run's start.
    pub second: u64,
    /// The fault in the action notation (`crash 1`).
    pub action: String,
    /// What the lane's events said of it, joined by `; `.
    pub text: String,
    /// The lane's clock at the fault, as its events write times (`09:00:09`),
    /// so a time in `text` can be read against it.
    #[serde(default)]
    pub clock: String,
}

/// The run's totals: what the command prints and the page's tables show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Requests played so far.
    pub requests: u64,
    /// Requests answered with a status below 400.
    pub ok: u64,
    /// Requests answered with a status of 400 or more.
    pub failed: u64,
    /// Requests refused with 401.
    pub unauthorized: u64,
    /// Requests answered 502 or 503, by the balancer or for a store outage.
    pub unavailable: u64,
    /// Requests answered 429, over an API key's rate limit.
    pub limited: u64,
    /// Requests that were a login.
    pub logins: u64,
    /// `POST /token/refresh` requests the app sent on its own, besides `requests`.
    pub refreshes: u64,
    /// Round trips to the shared store, refreshes included.
    pub store_trips: u64,
    /// Requests answered per server number (index 0 = S1).
    pub per_server: [u64; MAX_SERVERS as usize],
    /// Requests the balancer answered itself (502, 503).
    pub balancer: u64,
    /// Mean simulated latency, in milliseconds rounded down.
    pub latency_mean_ms: u64,
    /// Median latency in milliseconds, read from the histogram: the first
    /// millisecond of the bin it falls in (`load/latency.rs`), so exact
    /// below 64 ms and within a 32nd above.
    pub p50_ms: u32,
    /// 95th percentile of latency in milliseconds, as `p50_ms` is read.
    pub p95_ms: u32,
    /// 99th percentile of latency in milliseconds, as `p50_ms` is read.
    pub p99_ms: u32,
    /// Bytes of the `Authorization` and `Cookie` request headers, in all.
    pub credential_bytes: u64,
    /// Mean bytes of `Authorization` and `Cookie` per request that carried one, in tenths.
    pub credential_mean_tenths: u64,
    /// Sessions destroyed by crashes, restarts and removed servers.
    pub sessions_lost: u64,
    /// The most sessions and store entries (refresh tokens, opaque tokens,
    /// rate counters, denylist marks), and bytes of them and of servers'
    /// counters, held at one look (every [`HELD_EVERY`] s).
    pub peak_sessions: u64,
    /// The most bytes of session state held at one look: servers' memory plus
    /// the store's entries.
    pub peak_state_bytes: u64,
    /// Connection lanes: the seconds' counts added up, and the connections open at the end.
    #[serde(default)]
    pub sockets: Sockets,
    /// Connection lanes: the most connections open at the end of a second.
    #[serde(default)]
    pub peak_open: u64,
    /// File lanes: the seconds' counts added up, and the sessions held at the end.
    #[serde(default)]
    pub files: Files,
    /// File lanes: the most FTP sessions held at the end of a second.
    #[serde(default)]
    pub peak_held: u64,
    /// Database lanes: the seconds' counts added up, and the connections lent at the end.
    #[serde(default)]
    pub pools: Pools,
    /// Database lanes: the most connections lent at the end of a second.
    #[serde(default)]
    pub peak_in_use: u64,
}

/// Everything a chart or table of a run needs, as far as the run has got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// `stateless JWT · round robin · 3 servers`
    pub lane: String,
    /// `jwt.rr.3`
    pub config: String,
    /// The seed of the lane's random stream.
    pub seed: u64,
    /// Load users.
    pub clients: u32,
    /// Requests per load user; 0 for live traffic.
    pub requests: u32,
    /// What logged-in load users ask for.
    pub mix: Mix,
    /// Requests the run plays in all: the plan's size, or for live traffic its
    /// rate for [`LIVE_SECONDS`].
    pub total: u64,
    /// Requests played so far.
    pub done: u64,
    /// Requests per simulated second.
    pub rate: u64,
    /// Totals over the requests played so far.
    pub totals: Totals,
    /// Latency histogram: requests per bin, [`LATENCY_BINS`] bins
    /// (`load/latency.rs`: one per millisecond below 64 ms, then 32 per
    /// doubling, the last for 67,108,864 ms or more).
    pub latency: Vec<u64>,
    /// Every closed second, then the one under way if a run's step stopped
    /// midway (see `live` for live traffic).
    pub seconds: Vec<Second>,
    /// Every fault as it landed, in order.
    pub markers: Vec<Marker>,
    /// Live traffic (`requests` is then 0): `seconds` are only the last
    /// [`LIVE_WINDOW`] closed seconds, the first of them second `first_second`.
    #[serde(default)]
    pub live: bool,
    /// Number of the first second in `seconds`: 0, unless live traffic has
    /// run past [`LIVE_WINDOW`] seconds.
    #[serde(default)]
    pub first_second: u64,
    /// The lane's kind beyond the shop's, which says what a turn is: on a
    /// connection lane a login, a handshake or a message (counted in
    /// `sockets`); on a file lane an FTP login or a download (`files`); on a
    /// database lane an order placed through a pool (`pools`).
    #[serde(default)]
    pub kind: Option<Kind>,
}

/// `n / d` rounded to nearest, without floats; 0 when `d` is 0.
fn rounded_ratio(n: u64, d: u64) -> u64 {
    n.saturating_add(d / 2).checked_div(d).unwrap_or(0)
}

impl Report {
    /// The lane's app, read from its configuration code.
    pub fn app(&self) -> Option<crate::fleet::App> {
        crate::text::parse_config(&self.config).ok().map(|c| c.app)
    }

    /// The totals as the `statelab load` command prints them.
    pub fn text(&self) -> String {
        use std::fmt::Write;
        let t = &self.totals;
        let mut out = String::new();
        let _ = writeln!(out, "lane: {} ({}), seed {}", self.lane, self.config, self.seed);
        let _ = writeln!(
            out,
            "requests: {} of {} ({} clients × {}), {} per simulated second",
            thousands(t.requests),
            thousands(self.total),
            thousands(u64::from(self.clients)),
            thousands(u64::from(self.requests)),
            thousands(self.rate)
        );
        let _ = writeln!(
            out,
            "ok: {}; failed: {} (401: {}, 502/503: {}, other: {})",
            thousands(t.ok),
            thousands(t.failed),
            thousands(t.unauthorized),
            thousands(t.unavailable),
            thousands(t.failed.saturating_sub(t.unauthorized).saturating_sub(t.unavailable).saturating_sub(t.limited))
        );
        let _ = writeln!(out, "logins: {}", thousands(t.logins));
        let _ = writeln!(
            out,
            "latency: mean {} ms, p50 {}, p95 {}, p99 {}",
            thousands(t.latency_mean_ms),
            binned_ms(t.p50_ms),
            binned_ms(t.p95_ms),
            binned_ms(t.p99_ms)
        );
        let _ = writeln!(
            out,
            "credential bytes: {} in all, {}.{} per request that carried one",
            thousands(t.credential_bytes),
            t.credential_mean_tenths / 10,
            t.credential_mean_tenths % 10
        );
        let servers: Vec<String> = t
            .per_server
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| format!("S{} {}", i.saturating_add(1), thousands(*n)))
            .chain((t.balancer > 0).then(|| format!("balancer {}", thousands(t.balancer))))
            .collect();
        let _ = writeln!(out, "answered by: {}", servers.join(", "));
        if self.app() == Some(crate::fleet::App::Ftp) {
            // An FTP lane's sessions are the FTP server's, in its own memory:
            // counted below, with no byte count to claim for them.
            let _ = writeln!(out, "sessions lost: {} (FTP sessions, counted below)", thousands(t.sessions_lost));
        } else {
            let _ = writeln!(
                out,
                "sessions lost: {}; most held at one look (every 5 s): {} sessions and store entries, {} bytes",
                thousands(t.sessions_lost),
                thousands(t.peak_sessions),
                thousands(t.peak_state_bytes)
            );
        }
        // Lines added after the ones scripts already read, for every lane alike.
        let _ = writeln!(out, "rate limited (429): {}", thousands(t.limited));
        let _ = writeln!(
            out,
            "refreshes: {} (POST /token/refresh, sent by the app when its access token expired)",
            thousands(t.refreshes)
        );
        let hundredths = rounded_ratio(t.store_trips.saturating_mul(100), t.requests);
        let _ = writeln!(
            out,
            "store round trips: {}, {} per simulated second, {}.{:02} per request",
            thousands(t.store_trips),
            thousands(rounded_ratio(t.store_trips.saturating_mul(self.rate), t.requests)),
            hundredths / 100,
            hundredths % 100
        );
        for m in &self.markers {
            let _ = writeln!(
                out,
                "fault before request {} (second {}): {} — {}",
                thousands(m.at),
                m.second,
                m.action,
                m.text
            );
        }
        match self.kind {
            Some(Kind::Connections) => self.sockets_text(&mut out),
            Some(Kind::Files) => self.files_text(&mut out),
            Some(Kind::Db) => self.pools_text(&mut out),
            None => {}
        }
        out
    }

    /// A file lane's lines: sessions, logins and downloads in all, then from
    /// each fault to the next (or the end).
    fn files_text(&self, out: &mut String) {
        use std::fmt::Write;
        let f = &self.totals.files;
        let c = &f.counts;
        let ftp = self.app() == Some(crate::fleet::App::Ftp);
        if ftp {
            let held = per_server(&f.held);
            let _ = writeln!(
                out,
                "FTP sessions: {} logins, held at the end: {} ({}); most held at the end of a second: {}; lost with a server: {}; closed idle: {}",
                thousands(c.logins),
                thousands(f.held_total()),
                if held.is_empty() { "none".to_owned() } else { held.join(", ") },
                thousands(self.totals.peak_held),
                thousands(c.sessions_lost),
                thousands(c.idle_closed)
            );
        }
        let _ = writeln!(
            out,
            "downloads: {} started, {} resumed ({}), {} completed, {} cut by a fault; {} file bytes arrived",
            thousands(c.started),
            thousands(c.resumed),
            if ftp { "REST" } else { "Range" },
            thousands(c.completed),
            thousands(c.cut),
            thousands(c.bytes)
        );
        if ftp {
            let _ = writeln!(
                out,
                "refused: {} transfers 425 (the data connection reached another server than PASV's, or none), {} connections no server took; {} turns waited for a download",
                thousands(c.no_data),
                thousands(c.refused),
                thousands(f.waiting)
            );
        } else {
            let _ = writeln!(
                out,
                "refused: {} requests no server took (502/503); {} turns waited for a download",
                thousands(c.refused),
                thousands(f.waiting)
            );
        }
        self.after_faults(
            out,
            |after: &Second, acc: &mut Files| acc.add(&after.files),
            |acc: &Files| {
                let c = &acc.counts;
                let downloads = format!(
                    "{} started, {} resumed, {} cut",
                    thousands(c.started),
                    thousands(c.resumed),
                    thousands(c.cut)
                );
                match ftp {
                    true => {
                        format!("{} logins, {downloads}, {} refused 425", thousands(c.logins), thousands(c.no_data))
                    }
                    false => downloads,
                }
            },
        );
    }

    /// A database lane's lines: the pools' checkouts, waits and connections
    /// in all, then from each fault to the next (or the end).
    fn pools_text(&self, out: &mut String) {
        use std::fmt::Write;
        let p = &self.totals.pools;
        let c = &p.counts;
        let _ = writeln!(
            out,
            "pool checkouts: {}; waited for a connection: {} ({} ms on average for those that waited); gave up at the pool's timeout: {}",
            thousands(c.checkouts),
            thousands(c.waited),
            thousands(c.wait_ms.checked_div(c.waited).unwrap_or(0)),
            thousands(c.timeouts)
        );
        // PgBouncer's one pool sits at index 0; an app server's pool at its server's.
        let open: Vec<String> = if self.app() == Some(crate::fleet::App::Db(crate::fleet::Pooling::Transaction)) {
            vec![format!("PgBouncer {}", thousands(u64::from(p.open[0])))]
        } else {
            per_server(&p.open).into_iter().map(|s| s.replacen(' ', "'s pool ", 1)).collect()
        };
        let _ = writeln!(
            out,
            "database connections: {} opened, open at the end: {} ({}); most lent at the end of a second: {}; transactions a crash aborted: {}; queued orders a crash dropped: {}",
            thousands(c.opened),
            thousands(total(&p.open)),
            if open.is_empty() { "none".to_owned() } else { open.join(", ") },
            thousands(self.totals.peak_in_use),
            thousands(c.aborted),
            thousands(c.dropped)
        );
        self.after_faults(
            out,
            |after: &Second, acc: &mut Pools| acc.add(&after.pools),
            |acc: &Pools| {
                format!(
                    "{} checkouts, {} waited, {} timed out, {} aborted, {} dropped from a queue, {} connections opened",
                    thousands(acc.counts.checkouts),
                    thousands(acc.counts.waited),
                    thousands(acc.counts.timeouts),
                    thousands(acc.counts.aborted),
                    thousands(acc.counts.dropped),
                    thousands(acc.counts.opened)
                )
            },
        );
    }

    /// One line per fault: `add` sums the seconds from it to the next fault
    /// (or the end), `say` words the sum.
    fn after_faults<T: Default>(&self, out: &mut String, add: impl Fn(&Second, &mut T), say: impl Fn(&T) -> String) {
        use std::fmt::Write;
        for (i, m) in self.markers.iter().enumerate() {
            let end = self.markers.get(i.saturating_add(1)).map_or(u64::MAX, |n| n.second);
            let mut acc = T::default();
            let from = m.second.saturating_sub(self.first_second);
            for s in self.seconds.iter().skip(from as usize).take(end.saturating_sub(m.second) as usize) {
                add(s, &mut acc);
            }
            let _ = writeln!(
                out,
                "after {} (seconds {}–{}): {}",
                m.action,
                m.second,
                end.min(self.first_second.saturating_add(self.seconds.len() as u64)),
                say(&acc)
            );
        }
    }

    /// A connection lane's lines: its connections and messages in all, then
    /// from each fault to the next (or the end).
    fn sockets_text(&self, out: &mut String) {
        use std::fmt::Write;
        let w = &self.totals.sockets;
        let open: Vec<String> = w
            .open
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| format!("S{} {}", i.saturating_add(1), thousands(u64::from(*n))))
            .collect();
        let _ = writeln!(
            out,
            "connections: {} opened ({} by apps reconnecting), {} reconnect attempts failed; closed: {} dropped (1006), {} going away (1001), {} policy (1008)",
            thousands(w.counts.opened),
            thousands(w.counts.reconnects),
            thousands(w.counts.failed_attempts),
            thousands(w.counts.dropped),
            thousands(w.counts.going_away),
            thousands(w.counts.policy_closed)
        );
        let _ = writeln!(
            out,
            "open at the end: {} ({}); most open at the end of a second: {}",
            thousands(w.open_total()),
            if open.is_empty() { "none".to_owned() } else { open.join(", ") },
            thousands(self.totals.peak_open)
        );
        let _ = writeln!(
            out,
            "messages: {} sent, {} deliveries, {} missed, {} not sent (the app was reconnecting); {} frames, {} bytes",
            thousands(w.sent),
            thousands(w.counts.delivered),
            thousands(w.counts.missed),
            thousands(w.offline),
            thousands(w.counts.frames),
            thousands(w.counts.frame_bytes)
        );
        if w.counts.moves_lost > 0 || self.config.starts_with("game") {
            let _ = writeln!(out, "game moves lost with a server's memory: {}", thousands(w.counts.moves_lost));
        }
        self.after_faults(
            out,
            |s: &Second, acc: &mut Sockets| acc.add(&s.sockets),
            |after: &Sockets| {
                format!(
                "{} deliveries, {} missed, {} not sent; {} dropped, {} going away, {} reconnects, {} failed attempts",
                thousands(after.counts.delivered),
                thousands(after.counts.missed),
                thousands(after.offline),
                thousands(after.counts.dropped),
                thousands(after.counts.going_away),
                thousands(after.counts.reconnects),
                thousands(after.counts.failed_attempts)
            )
            },
        );
    }
}

/// `S1 12, S3 4`: the servers (or pools) with a non-zero count.
fn per_server(counts: &[u32]) -> Vec<String> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| format!("S{} {}", i.saturating_add(1), thousands(u64::from(*n))))
        .collect()
}

/// A percentile read from the latency histogram, as the bin it fell in:
/// `12 ms` below 64 ms, `2,048–2,111 ms` above, and for the last bin, which
/// holds every latency from there up, `67,108,864 ms or more`.
pub fn binned_ms(ms: u32) -> String {
    super::latency::bin_label(super::latency::bin_of(ms))
}

/// A count per server (or pool), added up.
fn total(per_server: &[u32]) -> u64 {
    per_server.iter().map(|n| u64::from(*n)).sum()
}
