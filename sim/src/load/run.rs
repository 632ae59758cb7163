//! A run in progress: the lane, the plan, and the requests played so far.

use super::latency::{bin_of, percentile};
use super::plan::{is_fault, not_a_fault, Mix, Plan};
use super::report::{Files, Held, Marker, Pools, Report, Second, Sockets, Totals};
use super::{HELD_EVERY, LATENCY_BINS, LIVE_SECONDS, LIVE_WINDOW, MAX_CLIENTS, MAX_LIVE_RATE, MAX_REQUESTS};
use crate::base::ids::LaneId;
use crate::base::tally::Tally;
use crate::fleet::config::LaneConfig;
use crate::fleet::db::PoolStats;
use crate::fleet::exchange::{Entry, SocketStats};
use crate::fleet::ftp::FileStats;
use crate::fleet::lane::traffic::Outcome;
use crate::fleet::lane::{FileTurn, Lane, LoadTurn};
use crate::fleet::Kind;
use crate::playground::Action;

/// A load run through one lane, played in steps.
#[derive(Clone, Debug)]
pub struct Run {
    plan: Plan,
    /// Requests in all and per simulated second: the plan's, or live traffic's.
    total: u64,
    rate: u64,
    live: bool,
    seed: u64,
    lane: Lane,
    /// Requests played.
    k: u64,
    /// Faults fired.
    fired: usize,
    current: Second,
    seconds: Vec<Second>,
    latency: Vec<u64>,
    latency_sum: u64,
    logins: u64,
    markers: Vec<Marker>,
    peak_sessions: u64,
    peak_state_bytes: u64,
    /// The lane's kind, which says what a turn is (see [`Report::kind`]).
    kind: Option<Kind>,
    /// The lane's socket, file and pool counts when the last second closed.
    socket_mark: SocketStats,
    file_mark: FileStats,
    pool_mark: PoolStats,
    peak_open: u64,
    peak_held: u64,
    peak_in_use: u64,
}

impl Run {
    /// A fresh lane (stream 0 of `seed`, so both lanes of a page run and the
    /// command agree) with the plan's load users, before the first request.
    pub fn new(plan: Plan, config: LaneConfig, seed: u64) -> Run {
        let plan = Plan {
            clients: plan.clients.clamp(1, MAX_CLIENTS),
            requests: plan.requests.clamp(1, MAX_REQUESTS),
            ..plan
        };
        let (total, rate) = (plan.total(), plan.rate());
        Run::start(plan, total, rate, false, config, seed)
    }

    /// Live traffic: `clients` load users sending `rate` requests per
    /// simulated second (within [`MAX_CLIENTS`] and [`MAX_LIVE_RATE`]) for
    /// at most [`LIVE_SECONDS`]; faults come by [`Run::inject`].
    pub fn live(clients: u32, rate: u32, mix: Mix, config: LaneConfig, seed: u64) -> Run {
        let plan = Plan { clients: clients.clamp(1, MAX_CLIENTS), requests: 0, mix, faults: Vec::new() };
        let rate = u64::from(rate.clamp(1, MAX_LIVE_RATE));
        Run::start(plan, rate.saturating_mul(LIVE_SECONDS), rate, true, config, seed)
    }

    fn start(plan: Plan, total: u64, rate: u64, live: bool, config: LaneConfig, seed: u64) -> Run {
        let mut lane = Lane::new(config, seed, LaneId::A);
        lane.add_load_users(plan.clients);
        lane.keep_counts_only();
        let kind = lane.config().app.kind();
        Run {
            plan,
            total,
            rate,
            live,
            seed,
            lane,
            k: 0,
            fired: 0,
            current: Second::default(),
            seconds: Vec::new(),
            latency: vec![0; LATENCY_BINS],
            latency_sum: 0,
            logins: 0,
            markers: Vec::new(),
            peak_sessions: 0,
            peak_state_bytes: 0,
            kind,
            socket_mark: SocketStats::default(),
            file_mark: FileStats::default(),
            pool_mark: PoolStats::default(),
            peak_open: 0,
            peak_held: 0,
            peak_in_use: 0,
        }
    }

    /// The plan, its size clamped to the limits (`requests` 0 for live traffic).
    pub fn plan(&self) -> &Plan {
        &self.plan
    }
    /// The lane the run plays through, as far as it has got.
    pub fn lane(&self) -> &Lane {
        &self.lane
    }
    /// Requests played so far.
    pub fn done(&self) -> u64 {
        self.k
    }
    /// Requests the run plays in all, and per simulated second.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// Requests per simulated second.
    pub fn rate(&self) -> u64 {
        self.rate
    }
    /// Whether every request of the run has been played.
    pub fn finished(&self) -> bool {
        self.k >= self.total
    }

    /// Plays at most `max` more requests; `true` when the run is complete.
    pub fn step(&mut self, max: u64) -> bool {
        let (total, rate) = (self.total, self.rate);
        let end = self.k.saturating_add(max).min(total);
        while self.k < end {
            self.fire_due(self.k);
            match self.kind {
                Some(Kind::Connections) => self.turn(self.k),
                Some(Kind::Files) => self.file_turn(self.k),
                Some(Kind::Db) => self.order(self.k),
                None => self.request(self.k),
            }
            self.k = self.k.saturating_add(1);
            if self.k.is_multiple_of(rate) {
                self.close_second();
            }
        }
        if self.k >= total && self.fired < self.plan.faults.len() {
            // Faults at 100 % land after the last request, in a second of their own.
            self.fire_due(total);
            self.close_second();
        } else if self.k >= total && self.current != Second::default() {
            self.close_second();
        }
        self.finished()
    }

    /// A fault now, outside the schedule (live traffic): before the next
    /// request. What a user does is refused, as in a schedule.
    pub fn inject(&mut self, action: &Action) -> Result<(), String> {
        if !is_fault(action) {
            return Err(not_a_fault(&action.to_string()));
        }
        self.fault(action);
        Ok(())
    }

    fn fire_due(&mut self, k: u64) {
        while let Some(f) = self.plan.faults.get(self.fired) {
            if self.plan.fault_index(f.at) > k {
                break;
            }
            let action = f.action.clone();
            self.fired = self.fired.saturating_add(1);
            self.fault(&action);
        }
    }

    fn fault(&mut self, action: &Action) {
        let before = self.lane.entry_count();
        // Index 0: a load run has no log; events only need an order.
        action.act_on(&mut self.lane, 0);
        let text: Vec<&str> = self.lane.entries()[before..]
            .iter()
            .filter_map(|e| match e {
                Entry::Event(ev) => Some(ev.text.as_str()),
                Entry::Exchange(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
            })
            .collect();
        let clock = self.lane.now().to_string();
        self.markers.push(Marker {
            at: self.k,
            second: self.seconds.len() as u64,
            action: action.to_string(),
            text: text.join("; "),
            clock,
        });
    }

    fn request(&mut self, k: u64) {
        let clients = u64::from(self.plan.clients);
        let user = k.checked_rem(clients).unwrap_or(0) as u32;
        let o = self.lane.traffic(user, self.plan.mix.route(k), 0);
        self.count(o);
    }

    /// A connection lane's turn `k`: load user `k mod N` logs in, opens its
    /// connection, or sends a message on it (the mix is not used).
    fn turn(&mut self, k: u64) {
        let clients = u64::from(self.plan.clients);
        let user = k.checked_rem(clients).unwrap_or(0) as u32;
        match self.lane.socket_traffic(user, k) {
            LoadTurn::Http(o) => self.count(o),
            LoadTurn::Sent { latency_ms, store_trips } => {
                let s = &mut self.current;
                s.sockets.sent = s.sockets.sent.saturating_add(1);
                s.store_trips = s.store_trips.saturating_add(u64::from(store_trips));
                self.time(latency_ms);
            }
            LoadTurn::Offline => {
                let s = &mut self.current;
                s.sockets.offline = s.sockets.offline.saturating_add(1);
            }
        }
    }

    /// A file lane's turn `k`: load user `k mod N` logs in (FTP), downloads,
    /// resumes what a fault cut, or waits for its download.
    fn file_turn(&mut self, k: u64) {
        let clients = u64::from(self.plan.clients);
        let user = k.checked_rem(clients).unwrap_or(0) as u32;
        match self.lane.file_traffic(user, k) {
            FileTurn::Answered(o) => self.count(o),
            FileTurn::Waiting => {
                let s = &mut self.current.files;
                s.waiting = s.waiting.saturating_add(1);
            }
        }
    }

    /// A database lane's turn `k`: load user `k mod N` places an order,
    /// spread evenly over the simulated second.
    fn order(&mut self, k: u64) {
        let clients = u64::from(self.plan.clients);
        let user = k.checked_rem(clients).unwrap_or(0) as u32;
        let offset_ms = k.checked_rem(self.rate).unwrap_or(0).saturating_mul(1_000).checked_div(self.rate).unwrap_or(0);
        let o = self.lane.db_traffic(user, offset_ms);
        self.count(o);
    }

    fn time(&mut self, latency_ms: u32) {
        let bin = bin_of(latency_ms);
        if let Some(n) = self.latency.get_mut(bin) {
            *n = n.saturating_add(1);
        }
        self.latency_sum = self.latency_sum.saturating_add(u64::from(latency_ms));
    }

    fn count(&mut self, o: Outcome) {
        let s = &mut self.current;
        match o.status {
            0..=399 => s.ok = s.ok.saturating_add(1),
            401 => s.unauthorized = s.unauthorized.saturating_add(1),
            429 => s.limited = s.limited.saturating_add(1),
            502 | 503 => s.unavailable = s.unavailable.saturating_add(1),
            _ => s.other = s.other.saturating_add(1),
        }
        s.logins = s.logins.saturating_add(u64::from(o.login));
        s.refreshes = s.refreshes.saturating_add(u64::from(o.refreshed));
        s.store_trips = s.store_trips.saturating_add(u64::from(o.store_trips));
        s.credential_bytes = s.credential_bytes.saturating_add(u64::from(o.credential_bytes));
        match o.server.and_then(|no| s.per_server.get_mut(usize::from(no).saturating_sub(1))) {
            Some(n) => *n = n.saturating_add(1),
            None => s.balancer = s.balancer.saturating_add(1),
        }
        self.time(o.latency_ms);
        self.logins = self.logins.saturating_add(u64::from(o.login));
    }

    /// Ends the simulated second: every [`HELD_EVERY`] seconds and at the
    /// end, what servers and store hold; then the clock moves.
    fn close_second(&mut self) {
        match self.kind {
            // Reconnects fall due as the clock moves: they belong to this second.
            Some(Kind::Connections) => self.lane.pass_time_unswept(1_000),
            // So do downloads that finish and sessions that idle out.
            Some(Kind::Files) => {
                self.lane.elapse_unswept(1_000);
                self.lane.file_load_tick();
            }
            Some(Kind::Db) | None => {}
        }
        let mut s = std::mem::take(&mut self.current);
        match self.kind {
            Some(Kind::Connections) => self.count_sockets(&mut s.sockets),
            Some(Kind::Files) => self.count_files(&mut s.files),
            Some(Kind::Db) => self.count_pools(&mut s.pools),
            None => {}
        }
        let n = (self.seconds.len() as u64).saturating_add(1);
        if n.is_multiple_of(HELD_EVERY) || self.k >= self.total {
            s.held = Some(self.held());
        }
        self.seconds.push(s);
        if matches!(self.kind, Some(Kind::Db) | None) {
            self.lane.elapse_unswept(1_000);
        }
    }

    /// A file lane's counts since the last second closed, and the FTP
    /// sessions each server holds now.
    fn count_files(&mut self, f: &mut Files) {
        let now = self.lane.file_stats().clone();
        let was = std::mem::replace(&mut self.file_mark, now.clone());
        f.counts = now.since(&was);
        f.held = self.lane.ftp_sessions_held();
        self.peak_held = self.peak_held.max(f.held_total());
    }

    /// A database lane's pool counts since the last second closed, and the
    /// connections each pool has lent at the second's end (orders of this
    /// second still in their transaction).
    fn count_pools(&mut self, p: &mut Pools) {
        let now = self.lane.pool_stats().clone();
        let was = std::mem::replace(&mut self.pool_mark, now.clone());
        p.counts = now.since(&was);
        (p.in_use, p.open) = self.lane.load_pools_at(self.lane.now().0.saturating_add(1_000));
        self.peak_in_use = self.peak_in_use.max(p.in_use_total());
    }

    /// The lane's socket counts since the last second closed, and the
    /// connections open on each server now.
    fn count_sockets(&mut self, w: &mut Sockets) {
        let now = self.lane.stats().sockets.clone();
        let was = std::mem::replace(&mut self.socket_mark, now.clone());
        w.counts = now.since(&was);
        for server in self.lane.servers() {
            if let Some(n) = w.open.get_mut(usize::from(server.no).saturating_sub(1)) {
                *n = server.connections;
            }
        }
        self.peak_open = self.peak_open.max(w.open_total());
    }

    fn held(&mut self) -> Held {
        self.lane.sweep();
        let now = self.lane.now();
        let mut h = Held::default();
        let (mut sessions, mut bytes) = (0u64, 0u64);
        for server in self.lane.servers() {
            let i = usize::from(server.no).saturating_sub(1);
            if let (Some(n), Some(b)) = (h.sessions.get_mut(i), h.session_bytes.get_mut(i)) {
                *n = server.sessions.len() as u32;
                *b = self.lane.server_bytes(server);
                sessions = sessions.saturating_add(u64::from(*n));
                bytes = bytes.saturating_add(u64::from(*b));
            }
        }
        let store = self.lane.store();
        h.store_sessions = store.entries(now).count() as u32;
        h.store_bytes = store.bytes(now);
        sessions = sessions.saturating_add(u64::from(h.store_sessions));
        bytes = bytes.saturating_add(u64::from(h.store_bytes));
        self.peak_sessions = self.peak_sessions.max(sessions);
        self.peak_state_bytes = self.peak_state_bytes.max(bytes);
        h
    }

    /// The run so far: totals, the latency histogram, every closed second
    /// and the one under way.
    pub fn report(&self) -> Report {
        let under_way = (self.current != Second::default()).then_some(&self.current);
        let stats = self.lane.stats();
        let mut t = Totals {
            requests: self.k,
            logins: self.logins,
            // Over the turns that were answered: a turn that waited or was
            // offline sent nothing and has no latency.
            latency_mean_ms: self.latency_sum.checked_div(self.latency.iter().sum()).unwrap_or(0),
            p50_ms: percentile(&self.latency, 50),
            p95_ms: percentile(&self.latency, 95),
            p99_ms: percentile(&self.latency, 99),
            credential_bytes: stats.credential_bytes,
            credential_mean_tenths: stats.mean_credential_tenths().unwrap_or(0),
            sessions_lost: stats.sessions_lost,
            peak_sessions: self.peak_sessions,
            peak_state_bytes: self.peak_state_bytes,
            peak_open: self.peak_open,
            peak_held: self.peak_held,
            peak_in_use: self.peak_in_use,
            ..Totals::default()
        };
        for s in self.seconds.iter().chain(under_way) {
            t.ok = t.ok.saturating_add(s.ok);
            t.failed = t.failed.saturating_add(s.failed());
            t.unauthorized = t.unauthorized.saturating_add(s.unauthorized);
            t.unavailable = t.unavailable.saturating_add(s.unavailable);
            t.limited = t.limited.saturating_add(s.limited);
            t.refreshes = t.refreshes.saturating_add(s.refreshes);
            t.store_trips = t.store_trips.saturating_add(s.store_trips);
            t.balancer = t.balancer.saturating_add(s.balancer);
            for (a, b) in t.per_server.iter_mut().zip(s.per_server) {
                *a = a.saturating_add(b);
            }
            t.sockets.add(&s.sockets);
            t.files.add(&s.files);
            t.pools.add(&s.pools);
        }
        // Open now, whether or not a second has closed since.
        for server in self.lane.servers() {
            if let Some(n) = t.sockets.open.get_mut(usize::from(server.no).saturating_sub(1)) {
                *n = server.connections;
            }
        }
        // The second under way: a kind's counts are taken as it closes, so
        // what happened since the last close is added here, and what is held
        // or lent is looked at now.
        match self.kind {
            Some(Kind::Connections) => t.sockets.counts.add(&self.lane.stats().sockets.since(&self.socket_mark)),
            Some(Kind::Files) => {
                t.files.counts.add(&self.lane.file_stats().since(&self.file_mark));
                t.files.held = self.lane.ftp_sessions_held();
            }
            Some(Kind::Db) => {
                t.pools.counts.add(&self.lane.pool_stats().since(&self.pool_mark));
                (t.pools.in_use, t.pools.open) = self.lane.load_pools_at(self.lane.load_clock());
            }
            None => {}
        }
        // Live charts roll: only the last closed seconds travel to them (a
        // second half played would draw as a dip in traffic).
        let charted = self.seconds.iter().chain(under_way.filter(|_| !self.live));
        let first = if self.live { self.seconds.len().saturating_sub(LIVE_WINDOW) } else { 0 };
        // Servers added or removed during the run change the fleet, not the
        // configuration it started with: say both.
        let mut lane = self.lane.describe();
        let fleet = self.lane.servers().len();
        if fleet != usize::from(self.lane.config().servers) {
            lane.push_str(&format!(", {fleet} servers now"));
        }
        Report {
            lane,
            config: crate::text::config_text(self.lane.config()),
            seed: self.seed,
            clients: self.plan.clients,
            requests: self.plan.requests,
            mix: self.plan.mix,
            total: self.total,
            done: self.k,
            rate: self.rate,
            totals: t,
            latency: self.latency.clone(),
            seconds: charted.skip(first).cloned().collect(),
            markers: self.markers.clone(),
            live: self.live,
            first_second: first as u64,
            kind: self.kind,
        }
    }
}
