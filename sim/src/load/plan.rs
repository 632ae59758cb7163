//! What a run plays: its size, its route mix and its fault schedule, as
//! links and the command line write them.

use super::{thousands, MAX_CLIENTS, MAX_FAULTS, MAX_LIVE_RATE, MAX_REQUESTS, SECONDS};
use crate::base::quote::quoted;
use crate::fleet::config::{LaneConfig, MAX_SERVERS};
use crate::fleet::lane::traffic::LoadRoute;
use crate::playground::Action;
use crate::text::notation::{parse_actions, url_form};
use serde::{Deserialize, Serialize};

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
    pub(super) fn route(&self, k: u64) -> LoadRoute {
        let total = [self.me, self.cart, self.orders, self.add].iter().map(|w| u64::from(*w)).sum::<u64>();
        let mut r = crate::base::rng::splitmix(k).checked_rem(total).unwrap_or(0);
        for (w, route) in [(self.me, LoadRoute::Me), (self.cart, LoadRoute::Cart), (self.orders, LoadRoute::Orders)] {
            match r.checked_sub(u64::from(w)) {
                Some(rest) => r = rest,
                None => return route,
            }
        }
        LoadRoute::AddToCart
    }
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
                | Action::Drain { server: no }
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
pub(super) fn is_fault(a: &Action) -> bool {
    matches!(
        a,
        Action::Crash { .. }
            | Action::Restart { .. }
            | Action::Bounce { .. }
            | Action::Drain { .. }
            | Action::StoreDown
            | Action::StoreUp
            | Action::Skew { .. }
            | Action::RotateKey { .. }
            | Action::AddServer
            | Action::RemoveServer
    )
}

/// Why `text`, an action as it was written, is refused.
pub(super) fn not_a_fault(text: &str) -> String {
    format!(
        "`{}` is not a fault: faults are crash, restart, bounce, drain, store down|up, skew, rotate keep|drop, add-server, remove-server",
        quoted(text)
    )
}
