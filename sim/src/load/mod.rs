//! Load runs: N load users × M requests each through one lane, with faults
//! at chosen points, counted per simulated second for charts.
//!
//! A run is deterministic and resumable: [`Run::step`] plays at most so many
//! requests and returns, and any split into steps gives the same numbers as
//! one call, so the page can run it in slices in a worker, show progress and
//! stop at any point. Request `k` goes to load user `k mod N`; the route a
//! logged-in user asks for is drawn from the mix by a hash of `k`, not from
//! the lane's random stream, so both lanes of a run see the same traffic.
//!
//! Time: a run lasts [`SECONDS`] simulated seconds whatever its size (the
//! rate is the total over that), so a fault at 30 % lands at 30 s and the
//! balancer's health checks (every 5 s) take the same share of every run.
//! The clock moves once per simulated second.
//!
//! Live traffic is a run without a plan's length: load users send a chosen
//! number of requests every simulated second, up to [`LIVE_SECONDS`], while
//! the visitor injects faults ([`Run::inject`]); its reports carry only the
//! last [`LIVE_WINDOW`] seconds, for rolling charts.
//!
//! Links and the command line write plans as text: `10000x100` for the size,
//! `30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop` for the
//! faults (percent, then the action in `text::notation`), `40.30.20.10`
//! for the mix (weights of /api/me, /api/cart, /api/orders, adding to the cart).
#![deny(clippy::arithmetic_side_effects)]

use crate::base::ids::LaneId;
use crate::base::quote::quoted;
use crate::fleet::config::{LaneConfig, MAX_SERVERS};
use crate::fleet::exchange::Entry;
use crate::fleet::lane::traffic::LoadRoute;
use crate::fleet::lane::Lane;
use crate::playground::Action;
use crate::text::notation::{parse_actions, url_form};
use serde::{Deserialize, Serialize};

/// Most load users in a run.
pub const MAX_CLIENTS: u32 = 10_000;
/// Most requests per load user.
pub const MAX_REQUESTS: u32 = 1_000;
/// Most faults in a schedule.
pub const MAX_FAULTS: usize = 16;
/// Simulated length of every run.
pub const SECONDS: u64 = 100;
/// Most requests per simulated second of live traffic.
pub const MAX_LIVE_RATE: u32 = 2_000;
/// Live traffic stops after this many simulated seconds (10 minutes): a
/// link or a forgotten tab cannot ask for unbounded work, and at the top
/// rate that is 1,200,000 requests a lane, the size of the largest load run.
pub const LIVE_SECONDS: u64 = 600;
/// Seconds a live report carries, for charts that roll.
pub const LIVE_WINDOW: usize = 60;
/// Latency histogram: one bin per millisecond below this, the last bin for the rest.
pub const LATENCY_BINS: usize = 64;
/// What servers and the store hold is looked at every this many simulated
/// seconds (and at the end): it visits every session, and a round-robin lane
/// of local sessions piles up hundreds of thousands of them. Looking every
/// second cost more than the requests themselves.
pub const HELD_EVERY: u64 = 5;

/// Weights of what a logged-in load user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mix {
    /// Weight of `GET /api/me`, 0 to 100.
    pub me: u8,
    /// Weight of `GET /api/cart`, 0 to 100.
    pub cart: u8,
    /// Weight of `GET /api/orders?page=1`, 0 to 100.
    pub orders: u8,
    /// Weight of `POST /api/cart/items` (a mug), 0 to 100.
    pub add: u8,
}

impl Default for Mix {
    /// What `load N M` actions send: /api/me, /api/cart, /api/orders in turn.
    fn default() -> Mix {
        Mix { me: 1, cart: 1, orders: 1, add: 0 }
    }
}

impl Mix {
    /// `40.30.20.10`: weights of me, cart, orders, add (each 0–100, not all 0).
    pub fn parse(text: &str) -> Result<Mix, String> {
        let w: Vec<u8> = text
            .split(['.', ','])
            .map(|p| p.trim().parse::<u8>().ok().filter(|w| *w <= 100))
            .collect::<Option<_>>()
            .ok_or_else(|| format!("mix `{}` is not four weights from 0 to 100, like 40.30.20.10", quoted(text)))?;
        match w[..] {
            [me, cart, orders, add] if me | cart | orders | add != 0 => Ok(Mix { me, cart, orders, add }),
            [_, _, _, _] => Err("the mix needs at least one weight above 0".into()),
            _ => Err(format!("mix `{}` is not four weights (me, cart, orders, add), like 40.30.20.10", quoted(text))),
        }
    }

    /// The mix as links write it and [`Mix::parse`] reads it: `40.30.20.10`.
    pub fn text(&self) -> String {
        format!("{}.{}.{}.{}", self.me, self.cart, self.orders, self.add)
    }

    /// The route of request `k`: a hash of `k` against the weights.
    fn route(&self, k: u64) -> LoadRoute {
        let total = [self.me, self.cart, self.orders, self.add].iter().map(|w| u64::from(*w)).sum::<u64>();
        let mut r = splitmix(k).checked_rem(total).unwrap_or(0);
        for (w, route) in [(self.me, LoadRoute::Me), (self.cart, LoadRoute::Cart), (self.orders, LoadRoute::Orders)] {
            match r.checked_sub(u64::from(w)) {
                Some(rest) => r = rest,
                None => return route,
            }
        }
        LoadRoute::AddToCart
    }
}

/// SplitMix64's finaliser: a well-spread, platform-independent hash.
fn splitmix(k: u64) -> u64 {
    let mut z = k.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A fault and the share of the run (percent of its requests) before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fault {
    /// Percent of the run's requests played before it, 0 to 100; at 100 it
    /// lands after the last request.
    pub at: u8,
    /// What happens: a fault or an operation, never a user's step; serialised
    /// in the action notation (`crash 1`).
    #[serde(serialize_with = "action_text")]
    pub action: Action,
}

fn action_text<S: serde::Serializer>(a: &Action, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&a.to_string())
}

/// What a run does: its size, its mix and its faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Load users; a run clamps it to 1..=[`MAX_CLIENTS`].
    pub clients: u32,
    /// Requests each load user sends; a run clamps it to 1..=[`MAX_REQUESTS`].
    /// 0 in live traffic, which has no length.
    pub requests: u32,
    /// What logged-in load users ask for.
    pub mix: Mix,
    /// Faults in order of their point in the run; at the same point, in the
    /// order written.
    pub faults: Vec<Fault>,
}

impl Plan {
    /// `clients` load users sending `requests` each, with the default mix and
    /// no faults.
    pub fn new(clients: u32, requests: u32) -> Plan {
        Plan { clients, requests, mix: Mix::default(), faults: Vec::new() }
    }

    /// `10000x100`: load users × requests each, within [`MAX_CLIENTS`] × [`MAX_REQUESTS`].
    pub fn parse_size(text: &str) -> Result<(u32, u32), String> {
        two_numbers(
            text,
            "load",
            "a load run",
            "<clients>x<requests>, like 1000x100",
            [("clients", MAX_CLIENTS), ("requests per client", MAX_REQUESTS)],
        )
    }

    /// `1000x500`: live traffic's load users × requests per simulated second.
    pub fn parse_live(text: &str) -> Result<(u32, u32), String> {
        two_numbers(
            text,
            "live",
            "live traffic",
            "<users>x<requests per second>, like 1000x500",
            [("users", MAX_CLIENTS), ("requests per second", MAX_LIVE_RATE)],
        )
    }

    /// `30.crash.1~50.store.down`: percent, then a fault in the action notation.
    pub fn parse_faults(text: &str) -> Result<Vec<Fault>, String> {
        let mut faults = Vec::new();
        for item in text.split('~').map(str::trim).filter(|s| !s.is_empty()) {
            if faults.len() >= MAX_FAULTS {
                return Err(format!("a schedule holds at most {MAX_FAULTS} faults"));
            }
            let (at, rest) = item.split_once(['.', ' ']).unwrap_or((item, ""));
            let at = at
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= 100)
                .ok_or_else(|| format!("fault `{}` does not start with a percent from 0 to 100", quoted(item)))?;
            let action = match parse_actions(rest).map_err(|e| e.message) {
                Ok(mut a) if a.len() == 1 => a.remove(0),
                Ok(_) => return Err(format!("fault `{}` is not one action", quoted(item))),
                Err(e) => return Err(format!("fault `{}`: {e}", quoted(item))),
            };
            if !is_fault(&action) {
                return Err(not_a_fault(rest));
            }
            faults.push(Fault { at, action });
        }
        // Stable: faults at the same point keep the order they were written in.
        faults.sort_by_key(|f| f.at);
        Ok(faults)
    }

    /// Refuses a schedule whose fault names a server that a lane of
    /// `config` does not have at that point (after the schedule's own
    /// add-server and remove-server): a run would otherwise mark a crash on
    /// its charts that never happened.
    pub fn check_fleet(&self, config: &LaneConfig) -> Result<(), String> {
        let mut servers = config.sanitized().servers;
        for f in &self.faults {
            match f.action {
                Action::AddServer => servers = servers.saturating_add(1).min(MAX_SERVERS),
                Action::RemoveServer => servers = servers.saturating_sub(1).max(1),
                Action::Crash { server: no }
                | Action::Restart { server: no }
                | Action::Bounce { server: no }
                | Action::Skew { server: no, .. }
                    if no == 0 || no > servers =>
                {
                    return Err(format!(
                        "fault `{}.{}` names S{no}, but the lane `{}` has only {servers} server{} at that point",
                        f.at,
                        url_form(std::slice::from_ref(&f.action)),
                        crate::text::config_text(config),
                        if servers == 1 { "" } else { "s" }
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The faults as a link writes them.
    pub fn faults_text(&self) -> String {
        let items: Vec<String> =
            self.faults.iter().map(|f| format!("{}.{}", f.at, url_form(std::slice::from_ref(&f.action)))).collect();
        items.join("~")
    }

    /// Requests in the whole run: load users × requests each.
    pub fn total(&self) -> u64 {
        u64::from(self.clients).saturating_mul(u64::from(self.requests))
    }

    /// Requests per simulated second.
    pub fn rate(&self) -> u64 {
        self.total().div_ceil(SECONDS).max(1)
    }

    /// The request index before which a fault at `at` percent happens.
    pub fn fault_index(&self, at: u8) -> u64 {
        self.total().saturating_mul(u64::from(at)) / 100
    }
}

/// `AxB` (the link's parameter `key`) as two whole numbers within their
/// maxima; the error says what is wrong, naming the parameter and `what` it asks for.
fn two_numbers(text: &str, key: &str, what: &str, shape: &str, limits: [(&str, u32); 2]) -> Result<(u32, u32), String> {
    let bad = || format!("{key} `{}` is not {shape}", quoted(text));
    let (a, b) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let number = |s: &str, (name, max): (&str, u32)| -> Result<u32, String> {
        let digits = s.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        match digits.parse::<u32>() {
            Ok(n @ 1..) if n <= max => Ok(n),
            Ok(0) => Err(format!("{what} cannot have 0 {name}")),
            _ => Err(format!(
                "{what} is limited to {} {name} (the link asks for {})",
                thousands(u64::from(max)),
                quoted(digits)
            )),
        }
    };
    Ok((number(a, limits[0])?, number(b, limits[1])?))
}

/// Faults and operations a schedule may hold: nothing a user does.
fn is_fault(a: &Action) -> bool {
    matches!(
        a,
        Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Bounce { .. }
            | Action::StoreDown
            | Action::StoreUp
            | Action::Skew { .. }
            | Action::RotateKey { .. }
            | Action::AddServer
            | Action::RemoveServer
    )
}

/// Why `text`, an action as it was written, is refused.
fn not_a_fault(text: &str) -> String {
    format!(
        "`{}` is not a fault: faults are crash, restart, bounce, store down|up, skew, rotate keep|drop, add-server, remove-server",
        quoted(text)
    )
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One simulated second of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Second {
    /// Requests answered with a status below 400.
    pub ok: u64,
    /// Requests refused with 401; their load user logs in again next time.
    pub unauthorized: u64,
    /// 502/503: the balancer or the store could not serve.
    pub unavailable: u64,
    /// Other failures (4xx but 401).
    pub other: u64,
    /// Requests that were a login, sent because the load user held no credential.
    pub logins: u64,
    /// Bytes of the `Authorization` and `Cookie` request headers sent.
    pub credential_bytes: u64,
    /// Requests per server number (index 0 = S1), and how many the balancer answered itself.
    pub per_server: [u64; MAX_SERVERS as usize],
    /// Requests the balancer answered itself: 503 with no server in rotation,
    /// 502 when the server it chose was down.
    pub balancer: u64,
    /// What was held at the end of the second, every [`HELD_EVERY`] seconds.
    pub held: Option<Held>,
}

/// Live sessions and their bytes per server number (0 for a server not in
/// the pool), then the shared store's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// Live in-memory sessions per server number (index 0 = S1).
    pub sessions: [u32; MAX_SERVERS as usize],
    /// Bytes of those sessions per server number: ids plus session JSON.
    pub session_bytes: [u32; MAX_SERVERS as usize],
    /// Live entries in the shared store: sessions, or revoked token ids in a
    /// JWT lane with a denylist.
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
        self.unauthorized.saturating_add(self.unavailable).saturating_add(self.other)
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
    /// Requests that were a login.
    pub logins: u64,
    /// Requests answered per server number (index 0 = S1).
    pub per_server: [u64; MAX_SERVERS as usize],
    /// Requests the balancer answered itself (502, 503).
    pub balancer: u64,
    /// Mean simulated latency, in milliseconds rounded down.
    pub latency_mean_ms: u64,
    /// Median latency in milliseconds, read from the histogram, so at most
    /// `LATENCY_BINS - 1` (63).
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
    /// The most sessions, and bytes of them, held at one look (every [`HELD_EVERY`] s).
    pub peak_sessions: u64,
    /// The most bytes of session state held at one look: servers' memory plus
    /// the store's entries.
    pub peak_state_bytes: u64,
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
    /// Latency histogram: requests per whole millisecond, [`LATENCY_BINS`]
    /// bins, the last for that many milliseconds or more.
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
}

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
            self.request(self.k);
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
                Entry::Exchange(_) => None,
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
        let s = &mut self.current;
        match o.status {
            0..=399 => s.ok = s.ok.saturating_add(1),
            401 => s.unauthorized = s.unauthorized.saturating_add(1),
            502 | 503 => s.unavailable = s.unavailable.saturating_add(1),
            _ => s.other = s.other.saturating_add(1),
        }
        s.logins = s.logins.saturating_add(u64::from(o.login));
        s.credential_bytes = s.credential_bytes.saturating_add(u64::from(o.credential_bytes));
        match o.server.and_then(|no| s.per_server.get_mut(usize::from(no).saturating_sub(1))) {
            Some(n) => *n = n.saturating_add(1),
            None => s.balancer = s.balancer.saturating_add(1),
        }
        let bin = (o.latency_ms as usize).min(LATENCY_BINS.saturating_sub(1));
        if let Some(n) = self.latency.get_mut(bin) {
            *n = n.saturating_add(1);
        }
        self.latency_sum = self.latency_sum.saturating_add(u64::from(o.latency_ms));
        self.logins = self.logins.saturating_add(u64::from(o.login));
    }

    /// Ends the simulated second: every [`HELD_EVERY`] seconds and at the
    /// end, what servers and store hold; then the clock moves.
    fn close_second(&mut self) {
        let mut s = std::mem::take(&mut self.current);
        let n = (self.seconds.len() as u64).saturating_add(1);
        if n.is_multiple_of(HELD_EVERY) || self.k >= self.total {
            s.held = Some(self.held());
        }
        self.seconds.push(s);
        self.lane.elapse_unswept(1_000);
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
                *b = server.session_bytes();
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
            latency_mean_ms: self.latency_sum.checked_div(self.k).unwrap_or(0),
            p50_ms: percentile(&self.latency, 50),
            p95_ms: percentile(&self.latency, 95),
            p99_ms: percentile(&self.latency, 99),
            credential_bytes: stats.credential_bytes,
            credential_mean_tenths: stats.mean_credential_tenths().unwrap_or(0),
            sessions_lost: stats.sessions_lost,
            peak_sessions: self.peak_sessions,
            peak_state_bytes: self.peak_state_bytes,
            ..Totals::default()
        };
        for s in self.seconds.iter().chain(under_way) {
            t.ok = t.ok.saturating_add(s.ok);
            t.failed = t.failed.saturating_add(s.failed());
            t.unauthorized = t.unauthorized.saturating_add(s.unauthorized);
            t.unavailable = t.unavailable.saturating_add(s.unavailable);
            t.balancer = t.balancer.saturating_add(s.balancer);
            for (a, b) in t.per_server.iter_mut().zip(s.per_server) {
                *a = a.saturating_add(b);
            }
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
        }
    }
}

/// The smallest latency (ms) at or below which `p` percent of requests fall.
fn percentile(bins: &[u64], p: u64) -> u32 {
    let n: u64 = bins.iter().sum();
    if n == 0 {
        return 0;
    }
    let want = n.saturating_mul(p).div_ceil(100).max(1);
    let mut seen = 0u64;
    for (ms, c) in bins.iter().enumerate() {
        seen = seen.saturating_add(*c);
        if seen >= want {
            return ms as u32;
        }
    }
    bins.len().saturating_sub(1) as u32
}

impl Report {
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
            thousands(t.failed.saturating_sub(t.unauthorized).saturating_sub(t.unavailable))
        );
        let _ = writeln!(out, "logins: {}", thousands(t.logins));
        let _ = writeln!(
            out,
            "latency: mean {} ms, p50 {} ms, p95 {} ms, p99 {} ms",
            t.latency_mean_ms, t.p50_ms, t.p95_ms, t.p99_ms
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
        let _ = writeln!(
            out,
            "sessions lost: {}; most held at one look (every 5 s): {} sessions, {} bytes",
            thousands(t.sessions_lost),
            thousands(t.peak_sessions),
            thousands(t.peak_state_bytes)
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
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_within_bounds_and_say_what_is_wrong() {
        assert_eq!(Plan::parse_size("10000x100"), Ok((10_000, 100)));
        assert_eq!(Plan::parse_size("3X7"), Ok((3, 7)));
        let e = Plan::parse_size("99999999x1").unwrap_err();
        assert_eq!(e, "a load run is limited to 10,000 clients (the link asks for 99999999)");
        let e = Plan::parse_size("10x1001").unwrap_err();
        assert!(e.contains("1,000 requests per client"), "{e}");
        assert_eq!(Plan::parse_size("0x5").unwrap_err(), "a load run cannot have 0 clients");
        assert!(Plan::parse_size("ten").unwrap_err().contains("<clients>x<requests>"));
        assert!(Plan::parse_size("-1x5").unwrap_err().contains("<clients>x<requests>"));
        assert!(Plan::parse_size("1x+5").unwrap_err().contains("<clients>x<requests>"));
        let e = Plan::parse_size(&format!("{}x1", "9".repeat(400))).unwrap_err();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn live_sizes_read_within_their_own_bounds() {
        assert_eq!(Plan::parse_live("1000x500"), Ok((1000, 500)));
        let e = Plan::parse_live("10x2001").unwrap_err();
        assert_eq!(e, "live traffic is limited to 2,000 requests per second (the link asks for 2001)");
        assert!(Plan::parse_live("10").unwrap_err().starts_with("live `10` is not <users>x<requests per second>"));
        assert_eq!(Plan::parse_live("0x5").unwrap_err(), "live traffic cannot have 0 users");
    }

    #[test]
    fn fault_schedules_round_trip_and_refuse_user_actions() {
        let text = "30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop";
        let faults = Plan::parse_faults(text).unwrap();
        assert_eq!(faults.len(), 5);
        assert_eq!(faults[0], Fault { at: 30, action: Action::Crash { server: 1 } });
        let plan = Plan { faults, ..Plan::new(10, 10) };
        assert_eq!(plan.faults_text(), text);
        assert_eq!(Plan::parse_faults("70.restart 1~30.crash 1").unwrap()[0].at, 30, "sorted by point");
        assert!(Plan::parse_faults("30.me.alice").unwrap_err().contains("not a fault"));
        assert!(Plan::parse_faults("130.crash.1").unwrap_err().contains("percent"));
        assert!(Plan::parse_faults("30.fly").unwrap_err().contains("unknown action"));
        // A fault on a server the lane does not have is refused, counting the schedule's own changes.
        let plan = |text: &str| Plan { faults: Plan::parse_faults(text).unwrap(), ..Plan::new(10, 10) };
        let three = LaneConfig::stateless();
        assert_eq!(
            plan("10.crash.7").check_fleet(&three).unwrap_err(),
            "fault `10.crash.7` names S7, but the lane `jwt.rr.3` has only 3 servers at that point"
        );
        assert!(plan("10.add-server~20.crash.4").check_fleet(&three).is_ok());
        assert!(plan("10.remove-server~20.restart.3").check_fleet(&three).unwrap_err().contains("only 2 servers"));
        assert!(plan("10.crash.3~20.store.down").check_fleet(&three).is_ok());
        assert!(plan("10.crash.7").check_fleet(&three.with_servers(8)).is_ok());
        assert!(Plan::parse_faults(&"1.crash.1~".repeat(17)).unwrap_err().contains("at most 16"));
        assert_eq!(Plan::parse_faults("").unwrap(), vec![]);
    }

    #[test]
    fn mixes_read_and_draw_every_weighted_route() {
        assert_eq!(Mix::parse("40.30.20.10"), Ok(Mix { me: 40, cart: 30, orders: 20, add: 10 }));
        assert!(Mix::parse("0.0.0.0").is_err());
        assert!(Mix::parse("1.2.3").is_err());
        assert!(Mix::parse("101.0.0.0").is_err());
        let mix = Mix { me: 1, cart: 0, orders: 0, add: 3 };
        let adds = (0..4000).filter(|k| mix.route(*k) == LoadRoute::AddToCart).count();
        assert!((2800..3200).contains(&adds), "{adds}");
        assert!((0..4000).all(|k| matches!(mix.route(k), LoadRoute::Me | LoadRoute::AddToCart)));
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        let mut bins = vec![0u64; LATENCY_BINS];
        bins[3] = 90;
        bins[7] = 9;
        bins[40] = 1;
        assert_eq!((percentile(&bins, 50), percentile(&bins, 95), percentile(&bins, 99)), (3, 7, 7));
        bins[40] = 2;
        assert_eq!(percentile(&bins, 99), 40);
        assert_eq!(percentile(&[0; 4], 50), 0);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
