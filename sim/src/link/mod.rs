//! The engine's state as a URL query, for share links, reloads and embeds.
//!
//! Parameters read here: `scenario=<id>`, `step=<n>`, `seed=<n>`; an
//! author's tour as `tour=<base64url of its file>` with `step=<n>` (the tour
//! holds its own lanes and seed; see [`crate::tours`]'s `authored`); for free
//! play also `a=<config>`, `b=<config>` and `log=<actions>` in
//! [`crate::text::notation`]. A config reads
//! `auth.balancer.servers[.store_ms[.token_ttl_s[.session_ttl_s]]]`,
//! e.g. `local.sticky.3` or `jwt-deny.rr.2.4.900`. How the page is shown
//! (`embed`, `theme`, `lanes`) is the view's business: [`Link::read`] hands
//! back every pair it does not know, decoded, for the view to read.
//!
//! Reading never fails: whatever a link gets wrong is replaced by the closest
//! valid value and reported in a [`Notice`] that says what and why. Notices
//! quote input only through [`crate::base::quote::quoted`].

#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use crate::fleet::config::LaneConfig;
use crate::playground::Action;
use crate::playground::Playground;
use crate::text::notation::{parse_actions, url_form};
use crate::text::{config_text, number_problem, parse_config};
use crate::tours::{listing, Scenario, TourPos, AUTHORED_ID};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::fmt::Write;
use std::num::IntErrorKind;
use std::rc::Rc;

/// The seed of a link that names none: every tour step's page plays it, and
/// the site's step figures (`figures/`) are drawn with it.
pub const DEFAULT_SEED: u64 = 1;

/// Everything a link fixes: enough to rebuild the same [`Playground`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The seed of the simulation's random stream (`seed=`; 1 by default).
    pub seed: u64,
    /// A scenario id and how many of its steps are played; configs and
    /// actions then come from the scenario.
    pub scenario: Option<TourPos>,
    /// Lane A's and lane B's configs (`a=`, `b=`); for a scenario link,
    /// the scenario's own.
    pub configs: [LaneConfig; 2],
    /// The free-play action log (`log=`), played in order; empty for a
    /// scenario link.
    pub actions: Vec<Action>,
    /// An author's tour (`tour=`); `scenario` then names [`AUTHORED_ID`].
    pub authored: Option<LinkedTour>,
}

/// An author's tour as a link carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedTour {
    /// The `tour=` value as the link has it: base64url of the tour's file,
    /// which also holds its seed.
    pub text: Rc<str>,
    /// The tour read from it. `None` in a build without author tours (the
    /// `authored` feature): the page's size-gated bundles keep the text for
    /// the bundle that reads it, and move there.
    pub tour: Option<Rc<Scenario>>,
}

/// Something a link got wrong, and what is shown instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice(pub String);

/// A decoded `key=value` pair this module does not read.
pub type Pair = (String, String);

impl Default for Link {
    fn default() -> Link {
        Link {
            seed: DEFAULT_SEED,
            scenario: None,
            configs: [LaneConfig::stateless(), LaneConfig::stateful()],
            actions: Vec::new(),
            authored: None,
        }
    }
}

impl Link {
    /// The playground this link describes, and why part of its log was not
    /// played: a link may ask for only so much work (see
    /// [`Playground::from_recipe_bounded`]), so a short link cannot freeze the page.
    pub fn playground(&self) -> (Playground, Option<Notice>) {
        if let (Some(at), Some(s)) = (self.scenario, self.authored.as_ref().and_then(|a| a.tour.as_ref())) {
            return (Playground::from_scenario(s, self.seed, at.step), None);
        }
        match self.scenario.and_then(TourPos::find) {
            Some((s, step)) => (Playground::from_scenario(&s, self.seed, step), None),
            None => {
                let recipe =
                    crate::playground::Recipe { seed: self.seed, configs: self.configs, actions: self.actions.clone() };
                let (p, cut) = Playground::from_recipe_bounded(&recipe);
                (p, cut.map(Notice))
            }
        }
    }

    /// The query string (without `?`), defaults left out.
    pub fn to_query(&self) -> String {
        let tour = self.authored.as_ref().map(|a| &*a.text);
        query(self.seed, self.scenario, tour, &self.configs, &encode(&url_form(&self.actions)))
    }

    /// Reads a query string (with or without the leading `?`); every
    /// parameter it does not know is a notice.
    pub fn from_query(query: &str) -> (Link, Vec<Notice>) {
        let (link, mut notices, others) = Link::read(query);
        for (key, _) in others {
            notices.push(Notice(format!("unknown parameter `{}` was ignored", quoted(&key))));
        }
        (link, notices)
    }

    /// Reads a query string, handing back the decoded pairs it does not know
    /// (in order) for the page to read.
    pub fn read(query: &str) -> (Link, Vec<Notice>, Vec<Pair>) {
        let mut reading = Reading { link: Link::default(), notes: Vec::new() };
        let mut others = Vec::new();
        // These three depend on each other, so they are read once every pair is in.
        let (mut scenario, mut step, mut log, mut tour) = (None, None, None, None);
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = reading.pair(pair) else { continue };
            match key.as_str() {
                "scenario" => scenario = Some(value),
                "step" => step = Some(value),
                "seed" => reading.seed(&value),
                "a" | "b" => reading.config(&key, &value),
                "log" => log = Some(value),
                "tour" => tour = Some(value),
                _ => others.push((key, value)),
            }
        }
        // A tour's `step` is the tour's, not a stray one.
        let builtin_step = if scenario.is_none() && tour.is_some() { None } else { step.as_deref() };
        let mut played = reading.scenario(scenario.as_deref(), builtin_step, log.is_some());
        if let Some(tour) = tour {
            if played {
                reading.note("`tour` was ignored: the link also names a built-in `scenario`".into());
            } else {
                played = reading.authored(tour, step.as_deref(), log.is_some());
            }
        }
        if let Some(log) = log.filter(|_| !played) {
            reading.log(&log);
        }
        (reading.link, reading.notes, others)
    }
}

/// A link as read so far, and what it got wrong.
struct Reading {
    link: Link,
    notes: Vec<Notice>,
}

impl Reading {
    fn note(&mut self, s: String) {
        self.notes.push(Notice(s));
    }

    /// A `key=value` pair decoded, or a notice.
    fn pair(&mut self, pair: &str) -> Option<(String, String)> {
        let (raw_key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = decode(raw_key).zip(decode(raw));
        if decoded.is_none() {
            self.note(format!("`{}` is not valid URL encoding; it was ignored", quoted(raw_key)));
        }
        decoded
    }

    fn seed(&mut self, value: &str) {
        match value.parse() {
            Ok(s) => self.link.seed = s,
            Err(e) => self.note(format!("seed `{}` {}; using seed 1", quoted(value), number_problem(&e))),
        }
    }

    /// Lane A's or lane B's config, for key `a` or `b`.
    fn config(&mut self, key: &str, value: &str) {
        let i = usize::from(key == "b");
        match parse_config(value) {
            Ok(c) => self.link.configs[i] = c,
            Err(e) => self.note(format!(
                "lane {} config `{}`: {e}; using the default",
                key.to_ascii_uppercase(),
                quoted(value)
            )),
        }
    }

    /// Sets the link to the named scenario at its step; whether it did
    /// (a scenario link plays the scenario's own steps, not a log).
    fn scenario(&mut self, scenario: Option<&str>, step: Option<&str>, has_log: bool) -> bool {
        match scenario.map(|id| (id, listing(id))) {
            Some((_, Some(t))) => {
                self.tour(t.id, t.build(), step, has_log);
                true
            }
            Some((id, None)) => {
                self.note(format!("there is no scenario `{}`; showing free play instead", quoted(id)));
                false
            }
            None if step.is_some() => {
                self.note("`step` needs a `scenario`; it was ignored".into());
                false
            }
            None => false,
        }
    }

    /// Sets the link to the author's tour a `tour=` value carries, at its
    /// step; whether it did. A tour that does not read is a notice that
    /// says where it is wrong, and the page shows free play.
    #[cfg(feature = "authored")]
    fn authored(&mut self, value: String, step: Option<&str>, has_log: bool) -> bool {
        match Scenario::from_link(&value) {
            Ok((s, seed)) => {
                let n = self.step(AUTHORED_ID, Some(s.steps.len()), step);
                self.link.scenario = Some(TourPos { tour: AUTHORED_ID, step: n });
                self.link.configs = s.lanes;
                self.link.seed = seed;
                self.link.authored = Some(LinkedTour { text: value.into(), tour: Some(Rc::new(s)) });
                self.ignore_log(has_log);
                true
            }
            Err(e) => {
                self.note(format!("the tour in this link was refused ({e}); showing free play instead"));
                false
            }
        }
    }

    /// A build without author tours keeps the `tour=` value unread, at the
    /// step asked for, as it keeps a built-in tour it does not carry: the
    /// page moves to the bundle that reads it, which checks both.
    #[cfg(not(feature = "authored"))]
    fn authored(&mut self, value: String, step: Option<&str>, has_log: bool) -> bool {
        let n = self.step(AUTHORED_ID, None, step);
        self.link.scenario = Some(TourPos { tour: AUTHORED_ID, step: n });
        self.link.authored = Some(LinkedTour { text: value.into(), tour: None });
        self.ignore_log(has_log);
        true
    }

    fn ignore_log(&mut self, has_log: bool) {
        if has_log {
            self.note("`log` was ignored: a tour link plays the tour's own steps".into());
        }
    }

    /// Sets the link to tour `id` at the step `step` asks for; `built` is the
    /// tour when this build carries it. A tour it does not carry is kept as
    /// asked, for the page to move to a bundle that plays it (which checks
    /// the step against the tour's steps). Either way it ignores `a`, `b`
    /// and `log`: only the tour decides the bundle, or two bundles could
    /// send a page back and forth.
    fn tour(&mut self, id: &'static str, built: Option<Scenario>, step: Option<&str>, has_log: bool) {
        let n = self.step(id, built.as_ref().map(|s| s.steps.len()), step);
        self.link.scenario = Some(TourPos { tour: id, step: n });
        self.link.configs = built.map_or(Link::default().configs, |s| s.lanes);
        if has_log {
            self.note("`log` was ignored: a scenario link plays the scenario's own steps".into());
        }
    }

    /// How many of tour `id`'s steps `step` asks for: within its `steps`
    /// when this build knows them, as asked when not. A step that is not a
    /// number is step 0, and one too large for any tour the last (step 0
    /// when the steps are not known), each with a note, as a carried tour's.
    fn step(&mut self, id: &str, steps: Option<usize>, step: Option<&str>) -> usize {
        let Some(text) = step else { return 0 };
        match (text.parse::<usize>(), steps) {
            (Ok(n), None) => n,
            (Ok(n), Some(steps)) if n <= steps => n,
            (Ok(n), Some(steps)) => {
                self.note(format!("step {n} is past the end of `{id}` ({steps} steps); showing step {steps}"));
                steps
            }
            (Err(e), _) => {
                let past = matches!(e.kind(), IntErrorKind::PosOverflow);
                let shown = if past { steps.unwrap_or(0) } else { 0 };
                self.note(format!("step `{}` {}; showing step {shown} of `{id}`", quoted(text), number_problem(&e)));
                shown
            }
        }
    }

    /// The free-play log, as far as it makes sense.
    fn log(&mut self, log: &str) {
        let (actions, problem) = parse_prefix(log);
        self.link.actions = actions;
        if let Some(p) = problem {
            let shown = match self.link.actions.len() {
                0 => "so no action is played".to_owned(),
                1 => "showing the one action before it".to_owned(),
                n => format!("showing the {n} actions before it"),
            };
            self.note(format!("the action log stops making sense at {p}; {shown}"));
        }
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
        return (actions, Some(format!("action {} (`{}`): {refused}", i.saturating_add(1), quoted(piece))));
    }
    (actions, None)
}

/// What a query value may not hold unescaped; notation stays readable.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'=');

/// A value as a query writes it (`%`-escaped, notation left readable).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// `None` for a broken `%` escape (the crate would pass it through as text)
/// or bytes that are not UTF-8. `+` is a space, as in forms.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let broken = b.iter().enumerate().any(|(i, &c)| {
        c == b'%'
            && !b.get(i.saturating_add(1)..i.saturating_add(3)).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if broken {
        return None;
    }
    percent_decode_str(&s.replace('+', " ")).decode_utf8().ok().map(|c| c.into_owned())
}

/// The query of a link with these parts, the log as its `log=` value
/// ([`encode`] of [`url_form`]): the page writes its address on every change
/// and keeps that text up to date rather than rewrite a long log each time.
/// An author's tour is its `tour=` value ([`Scenario::to_link`]), which
/// holds its seed.
pub fn query(seed: u64, scenario: Option<TourPos>, tour: Option<&str>, configs: &[LaneConfig; 2], log: &str) -> String {
    let d = Link::default();
    let mut q = String::new();
    let mut put = |k: &str, v: &str| {
        let _ = write!(q, "{}{k}={v}", if q.is_empty() { "" } else { "&" });
    };
    match (scenario, tour) {
        (Some(at), Some(tour)) => {
            // Encoded: a build that does not read author tours forwards the
            // value it was given, whatever it holds (base64url is unchanged).
            put("tour", &encode(tour));
            put("step", &at.step.to_string());
            return q;
        }
        (Some(at), None) => {
            put("scenario", at.tour);
            put("step", &at.step.to_string());
        }
        (None, _) => {
            for (i, k) in ["a", "b"].iter().enumerate() {
                if configs[i] != d.configs[i] {
                    put(k, &config_text(&configs[i]));
                }
            }
            if !log.is_empty() {
                put("log", log);
            }
        }
    }
    if seed != d.seed {
        put("seed", &seed.to_string());
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::ids::User;
    use crate::base::LaneId;

    /// The first tour this build carries: each bundle's build carries only
    /// some (`fleet/kind.rs`), and `cargo xtask test` runs these tests in each.
    fn carried() -> Scenario {
        crate::tours::TOURS.iter().find_map(|t| t.build()).expect("every build carries some tours")
    }

    #[test]
    fn documented_parameters_read_as_documented() {
        let s = carried();
        let (l, notes, others) = Link::read(&format!("?scenario={}&step=2&embed=1&theme=dark&lanes=b&seed=7", s.id));
        assert_eq!(notes, vec![]);
        assert_eq!(l.scenario, Some(TourPos { tour: s.id, step: 2 }));
        assert_eq!(l.seed, 7);
        assert_eq!(l.configs, s.lanes);
        assert_eq!(l.to_query(), format!("scenario={}&step=2&seed=7", s.id));
        // How the page is shown is handed to the view, decoded, in order.
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        assert_eq!(others, pairs(&[("embed", "1"), ("theme", "dark"), ("lanes", "b")]));
        let (_, _, others) = Link::read("th%65me=d%61rk&x");
        assert_eq!(others, pairs(&[("theme", "dark"), ("x", "")]));
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

    /// A build that does not carry a tour (the page's bundles, `fleet/kind.rs`)
    /// still reads its link whole, for the bundle that plays it; a build that
    /// carries it reads the same.
    #[test]
    fn a_tour_link_keeps_its_tour_and_step_in_any_build() {
        for tour in ["ftp-session", "ws-handshake", "db-leaky-set", "sticky-crash"] {
            let (l, n) = Link::from_query(&format!("scenario={tour}&step=2"));
            assert_eq!((l.scenario, n), (Some(TourPos { tour, step: 2 }), vec![]), "{tour}");
        }
    }

    /// In a build that does not carry the tour (a bundle without its kind:
    /// `tour` is handed no built tour), a step it cannot read is step 0 with
    /// a note, as in a build that carries it, not a silent 0.
    #[test]
    fn an_uncarried_tours_unreadable_step_is_step_0_and_says_so() {
        let read = |step: &str| {
            let mut r = Reading { link: Link::default(), notes: Vec::new() };
            r.tour("ftp-session", None, Some(step), false);
            (r.link.scenario, r.notes, r.link.configs)
        };
        let (at, notes, configs) = read("two");
        assert_eq!(at, Some(TourPos { tour: "ftp-session", step: 0 }));
        assert_eq!(notes, vec![Notice("step `two` is not a whole number; showing step 0 of `ftp-session`".into())]);
        assert_eq!(configs, Link::default().configs, "the lanes are the tour's to set, in its bundle");
        let (at, notes, _) = read("99999999999999999999999");
        assert_eq!(at, Some(TourPos { tour: "ftp-session", step: 0 }));
        assert_eq!(
            notes,
            vec![Notice("step `99999999999999999999999` is too large; showing step 0 of `ftp-session`".into())]
        );
        // A number is kept as asked, with no note: the bundle that plays the tour checks it.
        assert_eq!(read("40"), (Some(TourPos { tour: "ftp-session", step: 40 }), vec![], Link::default().configs));
        // The same words as a carried tour's.
        let s = carried();
        let (_, n) = Link::from_query(&format!("scenario={}&step=two", s.id));
        assert_eq!(n, vec![Notice(format!("step `two` is not a whole number; showing step 0 of `{}`", s.id))]);
    }

    #[test]
    fn bad_links_open_the_closest_valid_state_and_say_why() {
        let (l, n) = Link::from_query("scenario=nope&step=2");
        assert_eq!(l.scenario, None);
        assert_eq!(n, vec![Notice("there is no scenario `nope`; showing free play instead".into())]);

        let s = carried();
        let last = s.steps.len();
        let (l, n) = Link::from_query(&format!("scenario={}&step=99", s.id));
        assert_eq!(l.scenario, Some(TourPos { tour: s.id, step: last }));
        let said = format!("step 99 is past the end of `{}` ({last} steps); showing step {last}", s.id);
        assert!(n[0].0.contains(&said), "{n:?}");

        let (l, n) = Link::from_query("log=login.alice~me.alice~fly.bob~me.alice");
        assert_eq!(
            l.actions,
            vec![Action::Login { user: User::Alice, wrong_password: false }, Action::Me { user: User::Alice }]
        );
        assert!(
            n[0].0.contains("action 3 (`fly.bob`): unknown action `fly`; showing the 2 actions before it"),
            "{n:?}"
        );
        let (_, n) = Link::from_query("log=fly.bob~me.alice");
        assert!(n[0].0.ends_with("unknown action `fly`; so no action is played"), "{n:?}");
        let (_, n) = Link::from_query("log=me.alice~fly.bob");
        assert!(n[0].0.ends_with("; showing the one action before it"), "{n:?}");

        let (l, n) = Link::from_query("a=quantum.rr.3&seed=x&pink=1&b=local.rr.42&q=%ZZ");
        assert_eq!(l, Link::default());
        let all = n.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(" | ");
        for expect in [
            "lane A config `quantum.rr.3`: the auth mode",
            "seed `x`",
            "unknown parameter `pink`",
            "42 servers is outside 1 to 8",
            "`q` is not valid URL encoding",
        ] {
            assert!(all.contains(expect), "{expect} in {all}");
        }
    }

    #[test]
    fn numbers_say_too_large_and_escapes_are_strict() {
        let (_, n) = Link::from_query("a=local.sticky.4294967296&seed=18446744073709551616");
        assert!(n[0].0.contains("the server count `4294967296` is too large"), "{n:?}");
        assert!(n[1].0.contains("seed `18446744073709551616` is too large"), "{n:?}");
        // `%+5` was once read as the byte 5.
        let (l, n) = Link::from_query("seed=%+5");
        assert_eq!(l.seed, 1);
        assert_eq!(n, vec![Notice("`seed` is not valid URL encoding; it was ignored".into())]);
        for bad in ["%", "%4", "%G1", "%c3%28"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode("a%20b+c%7E").as_deref(), Some("a b c~"));
    }

    #[test]
    fn step_is_percent_decoded_like_the_rest() {
        let s = carried();
        let last = s.steps.len();
        let (l, n) = Link::from_query(&format!("scenario={}&step=%32", s.id));
        assert_eq!((l.scenario, n), (Some(TourPos { tour: s.id, step: 2 }), vec![]));
        let (l, n) = Link::from_query(&format!("scenario={}&step=99999999999999999999999", s.id));
        assert_eq!(l.scenario, Some(TourPos { tour: s.id, step: last }));
        assert!(n[0].0.contains(&format!("is too large; showing step {last} of `{}`", s.id)), "{n:?}");
    }

    #[test]
    fn notices_quote_input_bounded_and_escaped() {
        let long = "x".repeat(20_000);
        let (_, n) = Link::from_query(&format!("scenario={long}&a=%E2%80%AE{long}&log=me.alice~{long}&{long}=1"));
        assert_eq!(n.len(), 4, "{n:?}");
        for Notice(text) in &n {
            assert!(text.chars().count() < 300, "{text}");
            assert!(!text.contains('\u{202E}'), "{text}");
        }
        assert!(n[0].0.starts_with("lane A config `\\u{202e}xxx"), "{n:?}");
        let (_, n) = Link::from_query("log=me.alice~%E2%80%AEfly.alice");
        assert!(n[0].0.contains("action 2 (`\\u{202e}fly.alice`): unknown action `\\u{202e}fly`"), "{n:?}");
    }

    #[test]
    #[cfg(feature = "authored")]
    fn an_authors_tour_rides_in_the_link_and_a_broken_one_says_where() {
        let file = r#"{"statelab_tour": 1, "title": "T", "a": "jwt.rr.2", "b": "local.rr.2", "seed": 9,
            "steps": [{"do": ["login alice"], "say": "In."}, {"do": ["me alice"], "say": "Again <b>."}]}"#;
        let (tour, seed) = Scenario::from_json(file).unwrap();
        let value = tour.to_link(seed);
        let (l, n) = Link::from_query(&format!("tour={value}&step=2"));
        assert_eq!(n, vec![]);
        assert_eq!((l.scenario, l.seed), (Some(TourPos { tour: AUTHORED_ID, step: 2 }), 9));
        assert_eq!(l.authored.as_ref().and_then(|a| a.tour.as_deref()), Some(&tour));
        assert_eq!(l.to_query(), format!("tour={value}&step=2"));
        let (p, _) = l.playground();
        assert_eq!(p.actions().len(), 2);
        assert_eq!(p.lane(LaneId::B).exchange(2).unwrap().response.status, 401, "round robin lost the session");

        let (l, n) = Link::from_query(&format!("tour={}&step=1", &value[..value.len() - 8]));
        assert_eq!((l.scenario, l.authored), (None, None));
        assert!(n[0].0.starts_with("the tour in this link was refused ("), "{n:?}");
        let (_, n) = Link::from_query(&format!("tour={value}&scenario=cart"));
        assert_eq!(n, vec![Notice("`tour` was ignored: the link also names a built-in `scenario`".into())]);
        let (_, n) = Link::from_query(&format!("tour={}", "A".repeat(40_000)));
        assert!(n[0].0.contains("the tour link is 40000 characters; at most 32000 are read"), "{n:?}");
    }

    /// Where author tours are not read (the size-gated bundles), a tour link
    /// is kept as it came, for the page to take to the bundle that reads it.
    #[test]
    #[cfg(not(feature = "authored"))]
    fn a_build_without_author_tours_keeps_a_tour_link_unread_for_the_one_that_reads_it() {
        let (l, n) = Link::from_query("tour=eyJub3QiOiAicmVhZCJ9&step=3&log=login.alice");
        assert_eq!(n, vec![Notice("`log` was ignored: a tour link plays the tour's own steps".into())]);
        assert_eq!(l.scenario, Some(TourPos { tour: AUTHORED_ID, step: 3 }));
        assert_eq!(l.authored, Some(LinkedTour { text: "eyJub3QiOiAicmVhZCJ9".into(), tour: None }));
        assert_eq!(l.to_query(), "tour=eyJub3QiOiAicmVhZCJ9&step=3");
        // Whatever it holds goes on as it came, for the bundle that reads it
        // to refuse: the rest of the address stays the link's own.
        let (l, _) = Link::from_query("tour=x%26scenario%3Dcart%23top");
        assert_eq!(l.to_query(), "tour=x%26scenario=cart%23top&step=0");
        assert_eq!(Link::from_query(&l.to_query()).0, l);
    }

    #[test]
    fn a_lane_targeted_edit_changes_only_that_lane_and_survives_the_link() {
        let (link, n) = Link::from_query("log=login.alice~edit.a.alice.eA");
        assert_eq!(n, vec![]);
        let (p, cut) = link.playground();
        assert_eq!(cut, None);
        assert_eq!(p.lane(LaneId::A).credential(User::Alice).as_deref(), Some("x"));
        let b = p.lane(LaneId::B).credential(User::Alice).unwrap();
        assert_ne!(b, "x", "lane B keeps its session cookie");
        assert_eq!(link.to_query(), "log=login.alice~edit.a.alice.eA");
    }
}
