//! The page's state as a URL query, for share links, reloads and embeds.
//!
//! Stable parameters: `scenario=<id>`, `step=<n>`, `seed=<n>`, `embed=1`,
//! `theme=light|dark|auto`, `lanes=a|b|both`; for free play also
//! `a=<config>`, `b=<config>` and `log=<actions>` in [`crate::notation`].
//! A config reads `auth.balancer.servers[.store_ms[.token_ttl_s[.session_ttl_s]]]`,
//! e.g. `local.sticky.3` or `jwt-deny.rr.2.4.900`.
//!
//! Reading never fails: whatever a link gets wrong is replaced by the closest
//! valid value and reported in a [`Notice`] that says what and why.

use crate::action::Action;
use crate::config::{AuthMode, LaneConfig, Strategy};
use crate::notation::{parse_actions, url_form};
use crate::playground::Playground;
use crate::scenario::Scenario;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

/// Which lanes an embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Both,
    A,
    B,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub seed: u64,
    /// A scenario id and how many of its steps are played; configs and
    /// actions then come from the scenario.
    pub scenario: Option<(&'static str, usize)>,
    pub configs: [LaneConfig; 2],
    pub actions: Vec<Action>,
    pub embed: bool,
    pub theme: Theme,
    pub lanes: Shown,
}

/// Something a link got wrong, and what is shown instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice(pub String);

impl Default for Link {
    fn default() -> Link {
        Link {
            seed: 1,
            scenario: None,
            configs: [LaneConfig::stateless(), LaneConfig::stateful()],
            actions: Vec::new(),
            embed: false,
            theme: Theme::Auto,
            lanes: Shown::Both,
        }
    }
}

impl Link {
    /// The playground this link describes.
    pub fn playground(&self) -> Playground {
        match self.scenario.and_then(|(id, step)| Some((Scenario::find(id)?, step))) {
            Some((s, step)) => Playground::from_scenario(&s, self.seed, step),
            None => {
                let mut p = Playground::new(self.seed, self.configs);
                for a in &self.actions {
                    let _ = p.apply(a.clone());
                }
                p
            }
        }
    }

    /// The query string (without `?`), defaults left out.
    pub fn to_query(&self) -> String {
        let d = Link::default();
        let mut q = String::new();
        let mut put = |k: &str, v: &str| {
            let _ = write!(q, "{}{k}={v}", if q.is_empty() { "" } else { "&" });
        };
        match self.scenario {
            Some((id, step)) => {
                put("scenario", id);
                put("step", &step.to_string());
            }
            None => {
                for (i, k) in ["a", "b"].iter().enumerate() {
                    if self.configs[i] != d.configs[i] {
                        put(k, &config_text(&self.configs[i]));
                    }
                }
                if !self.actions.is_empty() {
                    put("log", &percent_encode(&url_form(&self.actions)));
                }
            }
        }
        if self.seed != d.seed {
            put("seed", &self.seed.to_string());
        }
        if self.embed {
            put("embed", "1");
        }
        match self.theme {
            Theme::Auto => {}
            Theme::Light => put("theme", "light"),
            Theme::Dark => put("theme", "dark"),
        }
        match self.lanes {
            Shown::Both => {}
            Shown::A => put("lanes", "a"),
            Shown::B => put("lanes", "b"),
        }
        q
    }

    /// Reads a query string (with or without the leading `?`).
    pub fn from_query(query: &str) -> (Link, Vec<Notice>) {
        let mut link = Link::default();
        let mut notes = Vec::new();
        let mut note = |s: String| notes.push(Notice(s));
        let mut step: Option<&str> = None;
        let mut log: Option<String> = None;
        let mut scenario: Option<String> = None;
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(value) = percent_decode(raw) else {
                note(format!("`{key}` is not valid URL encoding; it was ignored"));
                continue;
            };
            match key {
                "scenario" => scenario = Some(value),
                "step" => step = Some(raw),
                "seed" => match value.parse() {
                    Ok(s) => link.seed = s,
                    Err(_) => note(format!("seed `{value}` is not a whole number; using seed 1")),
                },
                "a" | "b" => {
                    let i = usize::from(key == "b");
                    match parse_config(&value) {
                        Ok(c) => link.configs[i] = c,
                        Err(e) => {
                            note(format!("lane {} config `{value}`: {e}; using the default", key.to_ascii_uppercase()))
                        }
                    }
                }
                "log" => log = Some(value),
                "embed" => link.embed = value == "1" || value == "true",
                "theme" => match value.as_str() {
                    "auto" => link.theme = Theme::Auto,
                    "light" => link.theme = Theme::Light,
                    "dark" => link.theme = Theme::Dark,
                    _ => note(format!("theme `{value}` is not light, dark or auto; following the system")),
                },
                "lanes" => match value.as_str() {
                    "both" => link.lanes = Shown::Both,
                    "a" => link.lanes = Shown::A,
                    "b" => link.lanes = Shown::B,
                    _ => note(format!("lanes `{value}` is not a, b or both; showing both")),
                },
                _ => note(format!("unknown parameter `{key}` was ignored")),
            }
        }
        match scenario.as_deref().map(|id| (id, Scenario::find(id))) {
            Some((_, Some(s))) => {
                let steps = s.steps.len();
                let n = match step.map(str::parse::<usize>) {
                    None => 0,
                    Some(Ok(n)) if n <= steps => n,
                    Some(Ok(n)) => {
                        note(format!("step {n} is past the end of `{}` ({steps} steps); showing step {steps}", s.id));
                        steps
                    }
                    Some(Err(_)) => {
                        note(format!("step `{}` is not a number; showing the start of `{}`", step.unwrap_or(""), s.id));
                        0
                    }
                };
                link.scenario = Some((s.id, n));
                link.configs = s.lanes;
                if log.is_some() {
                    note("`log` was ignored: a scenario link plays the scenario's own steps".into());
                }
                return (link, notes);
            }
            Some((id, None)) => note(format!("there is no scenario `{id}`; showing free play instead")),
            None if step.is_some() => note("`step` needs a `scenario`; it was ignored".into()),
            None => {}
        }
        if let Some(log) = log {
            let (actions, problem) = parse_prefix(&log);
            link.actions = actions;
            if let Some(p) = problem {
                note(format!(
                    "the action log stops making sense at {p}; showing the {} actions before it",
                    link.actions.len()
                ));
            }
        }
        (link, notes)
    }
}

/// The longest valid prefix of an action log, and the first problem.
fn parse_prefix(log: &str) -> (Vec<Action>, Option<String>) {
    let mut actions = Vec::new();
    for (i, piece) in log.split(['~', ',']).filter(|p| !p.trim().is_empty()).enumerate() {
        let refused = match parse_actions(piece) {
            Ok(mut one) => match one.pop().map(|a| Playground::validate(&a).map(|()| a)) {
                Some(Ok(a)) => {
                    actions.push(a);
                    continue;
                }
                Some(Err(e)) => e.to_string(),
                None => continue,
            },
            Err(e) => e.message,
        };
        return (actions, Some(format!("action {} (`{piece}`): {refused}", i + 1)));
    }
    (actions, None)
}

pub fn config_text(c: &LaneConfig) -> String {
    let mut out = format!("{}.{}.{}", c.auth.code(), c.balancer.code(), c.servers);
    let d = LaneConfig::stateless();
    let tail =
        [(c.store_latency_ms, d.store_latency_ms), (c.token_ttl_s, d.token_ttl_s), (c.session_ttl_s, d.session_ttl_s)];
    let keep = tail.iter().rposition(|(v, dv)| v != dv).map_or(0, |i| i + 1);
    for (v, _) in &tail[..keep] {
        let _ = write!(out, ".{v}");
    }
    out
}

pub fn parse_config(text: &str) -> Result<LaneConfig, String> {
    let parts: Vec<&str> = text.split('.').collect();
    let auth = AuthMode::ALL
        .into_iter()
        .find(|a| Some(&a.code()) == parts.first())
        .ok_or_else(|| format!("the auth mode must be one of {}", AuthMode::ALL.map(AuthMode::code).join(", ")))?;
    let strategy = match parts.get(1) {
        None => Strategy::RoundRobin,
        Some(p) => Strategy::ALL
            .into_iter()
            .find(|s| s.code() == *p)
            .ok_or_else(|| format!("the balancer must be one of {}", Strategy::ALL.map(Strategy::code).join(", ")))?,
    };
    let num = |i: usize, default: u32, what: &str| -> Result<u32, String> {
        parts.get(i).map_or(Ok(default), |p| p.parse().map_err(|_| format!("{what} `{p}` is not a whole number")))
    };
    let d = LaneConfig::stateless();
    let servers = num(2, u32::from(d.servers), "the server count")?;
    if !(1..=u32::from(crate::config::MAX_SERVERS)).contains(&servers) {
        return Err(format!("{servers} servers is outside 1 to {}", crate::config::MAX_SERVERS));
    }
    if parts.len() > 6 {
        return Err("too many fields".into());
    }
    Ok(LaneConfig {
        auth,
        balancer: strategy,
        servers: servers as u8,
        store_latency_ms: num(3, d.store_latency_ms, "the store latency")?,
        token_ttl_s: num(4, d.token_ttl_s, "the token lifetime")?,
        session_ttl_s: num(5, d.session_ttl_s, "the session timeout")?,
    }
    .sanitized())
}

/// Escapes what a query value may not hold; notation is mostly left readable.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~=".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `None` for a broken `%` escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::User;

    #[test]
    fn documented_parameters_read_as_documented() {
        let (l, notes) = Link::from_query("?scenario=sticky-crash&step=3&embed=1&theme=dark&lanes=b&seed=7");
        assert_eq!(notes, vec![]);
        assert_eq!(l.scenario, Some(("sticky-crash", 3)));
        assert_eq!((l.embed, l.theme, l.lanes, l.seed), (true, Theme::Dark, Shown::B, 7));
        assert_eq!(l.configs, Scenario::find("sticky-crash").unwrap().lanes);
        assert_eq!(l.to_query(), "scenario=sticky-crash&step=3&seed=7&embed=1&theme=dark&lanes=b");
    }

    #[test]
    fn free_play_round_trips_configs_and_log() {
        let link = Link {
            configs: [parse_config("jwt-deny.iphash.2.9.60").unwrap(), parse_config("signed.sticky.5").unwrap()],
            actions: parse_actions(
                "login alice, tamper alice role=admin, wait 10s, raw bob R0VUIC8gSFRUUC8xLjENCkhvc3Q6IGE",
            )
            .unwrap(),
            ..Link::default()
        };
        let q = link.to_query();
        assert!(
            q.starts_with(
                "a=jwt-deny.iphash.2.9.60&b=signed.sticky.5&log=login.alice~tamper.alice.role=admin~wait.10s~"
            ),
            "{q}"
        );
        assert_eq!(Link::from_query(&q), (link, vec![]));
    }

    #[test]
    fn bad_links_open_the_closest_valid_state_and_say_why() {
        let (l, n) = Link::from_query("scenario=nope&step=2");
        assert_eq!(l.scenario, None);
        assert_eq!(n, vec![Notice("there is no scenario `nope`; showing free play instead".into())]);

        let (l, n) = Link::from_query("scenario=cart&step=99");
        assert_eq!(l.scenario, Some(("cart", 3)));
        assert!(n[0].0.contains("step 99 is past the end of `cart` (3 steps); showing step 3"));

        let (l, n) = Link::from_query("log=login.alice~me.alice~fly.bob~me.alice");
        assert_eq!(
            l.actions,
            vec![Action::Login { user: User::Alice, wrong_password: false }, Action::Me { user: User::Alice }]
        );
        assert!(
            n[0].0.contains("action 3 (`fly.bob`): unknown action `fly`; showing the 2 actions before it"),
            "{n:?}"
        );

        let (l, n) = Link::from_query("a=quantum.rr.3&seed=x&theme=pink&b=local.rr.42&q=%ZZ");
        assert_eq!(l, Link::default());
        let all = n.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(" | ");
        for expect in [
            "lane A config `quantum.rr.3`: the auth mode",
            "seed `x`",
            "theme `pink`",
            "42 servers is outside 1 to 8",
            "`q` is not valid URL encoding",
        ] {
            assert!(all.contains(expect), "{expect} in {all}");
        }
    }
}
