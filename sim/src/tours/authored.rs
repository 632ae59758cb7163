//! A tour of one's own: a teacher's tour as a JSON file, e.g.
//!
//! ```json
//! {"statelab_tour": 1, "title": "Crash the sticky server", "a": "jwt.rr.3", "b": "local.sticky.3",
//!  "steps": [
//!   {"do": ["login alice", "me alice"], "say": "Alice logs in and is pinned to S1.", "highlight": ["Set-Cookie"]},
//!   {"do": ["crash 1", "wait 10s", "me alice"], "say": "S1 dies with her session.",
//!    "ask": {"prompt": "Will alice's request succeed?", "about": "succeeds", "lanes": ["A", "B"]}}]}
//! ```
//!
//! `do` holds actions in the notation the free-play log uses; `a`/`b` are
//! lane-config codes; `seed`, `lesson`, `highlight` and `ask` are optional.
//! Files and links are untrusted: sizes are bounded ([`LIMITS`]), every
//! action is played while checking, so one that would do nothing is refused
//! where it stands, and text holding control or bidi characters is refused
//! (they could reorder or hide what a learner reads). Text is plain: the view
//! renders it as text, never markup. Errors name the step, the field, and
//! for a syntax error the line and column.
#![deny(clippy::arithmetic_side_effects)]

use super::question::{entry_counts, last_requests_since};
use super::{Outcome, Question, Scenario, Step, AUTHORED_ID};
use crate::base::ids::LaneId;
use crate::base::quote::{is_hidden, quoted};
use crate::fleet::config::LaneConfig;
use crate::playground::{Action, Playground};
use crate::text::notation::parse_actions;
use crate::text::{config_text, parse_config};
use crate::wire::b64;
use crate::wire::json::{write_str, Json};
use std::fmt::{self, Write};

/// The version of the file format this engine reads (`"statelab_tour": 1`).
const VERSION: u64 = 1;

/// How much an author's tour may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Bytes of JSON text (a link carries 4/3 as many characters).
    pub bytes: usize,
    /// Steps.
    pub steps: usize,
    /// Actions in one step.
    pub actions: usize,
    /// Characters in a narration (the longest built-in one has 450: fits a
    /// 360×800 screen beside its question and evidence).
    pub say: usize,
    /// Characters in the title, the lesson and a question.
    pub title: usize,
    /// Characters in the lesson.
    pub lesson: usize,
    /// Characters in a question.
    pub prompt: usize,
    /// Work ([`Action::work`]) of the whole tour: every step replays it.
    pub work: u64,
}

/// The bounds every author's tour is held to.
pub const LIMITS: Limits =
    Limits { bytes: 24_000, steps: 30, actions: 12, say: 600, title: 80, lesson: 300, prompt: 200, work: 20_000 };

/// The header names a step may highlight: those the built-in tours do.
pub const HEADERS: [&str; 10] = [
    "Authorization",
    "Cookie",
    "Set-Cookie",
    "X-API-Key",
    "Retry-After",
    "Upgrade",
    "Connection",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Accept",
    "Origin",
];

/// Why a tour file or link was refused: where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthoredError {
    /// `line 3, column 7`, `step 2, \`do\` action 1`, `\`title\``…
    pub at: String,
    /// What was wrong there.
    pub message: String,
}

impl fmt::Display for AuthoredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.at, self.message)
        }
    }
}

impl std::error::Error for AuthoredError {}

fn fail<T>(at: impl Into<String>, message: impl Into<String>) -> Result<T, AuthoredError> {
    Err(AuthoredError { at: at.into(), message: message.into() })
}

impl Scenario {
    /// Reads and checks an author's tour file; with its seed.
    pub fn from_json(text: &str) -> Result<(Scenario, u64), AuthoredError> {
        if text.len() > LIMITS.bytes {
            return fail("", format!("the tour is {} bytes; at most {} are read", text.len(), LIMITS.bytes));
        }
        let json = Json::parse(text).or_else(|e| fail(locate(text, &e), strip_offset(&e)))?;
        read(&json)
    }

    /// Reads an author's tour from a link's `tour=` value (base64url of the
    /// file, see [`Scenario::to_link`]).
    pub fn from_link(value: &str) -> Result<(Scenario, u64), AuthoredError> {
        let most = LIMITS.bytes.div_ceil(3).saturating_mul(4);
        if value.len() > most {
            return fail("", format!("the tour link is {} characters; at most {most} are read", value.len()));
        }
        let bytes = b64::decode(value).map_or_else(|| fail("", "the tour link is not base64url"), Ok)?;
        let text = String::from_utf8(bytes).or_else(|_| fail("", "the tour link does not hold UTF-8 text"))?;
        Scenario::from_json(&text)
    }

    /// The tour as a file [`Scenario::from_json`] reads back: one step a line.
    pub fn to_json(&self, seed: u64) -> String {
        let mut out = String::from("{\"statelab_tour\": 1, \"title\": ");
        write_str(&mut out, &self.title);
        if !self.lesson.is_empty() {
            out.push_str(", \"lesson\": ");
            write_str(&mut out, &self.lesson);
        }
        for (key, config) in ["a", "b"].iter().zip(&self.lanes) {
            let _ = write!(out, ", \"{key}\": ");
            write_str(&mut out, &config_text(config));
        }
        if seed != 1 {
            let _ = write!(out, ", \"seed\": {seed}");
        }
        out.push_str(",\n \"steps\": [");
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            step_json(&mut out, step);
        }
        out.push_str("]}\n");
        out
    }

    /// The `tour=` value of a link that carries this tour.
    pub fn to_link(&self, seed: u64) -> String {
        b64::encode(self.to_json(seed).as_bytes())
    }
}

fn step_json(out: &mut String, step: &Step) {
    out.push_str("{\"do\": [");
    for (i, a) in step.actions.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, &a.to_string());
    }
    out.push_str("], \"say\": ");
    write_str(out, &step.say);
    if !step.focus.is_empty() {
        out.push_str(", \"highlight\": [");
        for (i, h) in step.focus.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_str(out, h);
        }
        out.push(']');
    }
    if let Some(q) = &step.ask {
        out.push_str(", \"ask\": {\"prompt\": ");
        write_str(out, &q.prompt);
        let _ = write!(out, ", \"about\": \"{}\", \"lanes\": [", q.about.key());
        for (i, id) in q.asked().enumerate() {
            let _ = write!(out, "{}\"{}\"", if i > 0 { ", " } else { "" }, id.label());
        }
        out.push_str("]}");
    }
    out.push('}');
}

/// `line L, column C` for the byte offset a JSON error ends with
/// (`wire::json` says `… at byte N`); columns count characters.
fn locate(text: &str, error: &str) -> String {
    let Some(byte) = split_offset(error).1 else { return String::new() };
    let before = text.get(..byte).unwrap_or(text);
    let line = before.matches('\n').count().saturating_add(1);
    let column = before.rsplit('\n').next().unwrap_or("").chars().count().saturating_add(1);
    format!("line {line}, column {column}")
}

fn strip_offset(error: &str) -> String {
    split_offset(error).0.to_owned()
}

/// `("expected `:`", Some(17))` from `expected `:` at byte 17`; split on
/// spaces, as a `&str` pattern would bring a substring searcher into the
/// page's bundle for this alone.
fn split_offset(error: &str) -> (&str, Option<usize>) {
    let mut words = error.rsplitn(4, ' ');
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some(n), Some("byte"), Some("at"), Some(what)) => match n.parse() {
            Ok(byte) => (what, Some(byte)),
            Err(_) => (error, None),
        },
        _ => (error, None),
    }
}

/// The members a tour file may have, so a misspelt one is refused rather
/// than silently ignored.
const TOUR_KEYS: [&str; 7] = ["statelab_tour", "title", "lesson", "a", "b", "seed", "steps"];
const STEP_KEYS: [&str; 4] = ["do", "say", "highlight", "ask"];
const ASK_KEYS: [&str; 3] = ["prompt", "about", "lanes"];

fn members<'a>(v: &'a Json, at: &str, known: &[&str]) -> Result<&'a [(String, Json)], AuthoredError> {
    let Json::Obj(m) = v else { return fail(at, "expected an object") };
    if let Some((k, _)) = m.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return fail(at, format!("unknown field `{}` (known: {})", quoted(k), known.join(", ")));
    }
    Ok(m)
}

/// A string member: required or not, checked as plain text of at most `max` characters.
fn text(obj: &Json, key: &str, at: &str, max: usize, required: bool) -> Result<String, AuthoredError> {
    let here = if at.is_empty() { format!("`{key}`") } else { format!("{at}, `{key}`") };
    let s = match obj.get(key) {
        None if !required => return Ok(String::new()),
        None => return fail(here, "missing"),
        Some(Json::Str(s)) => s,
        Some(_) => return fail(here, "expected a string"),
    };
    let n = s.chars().count();
    if n > max {
        return fail(here, format!("{n} characters; at most {max}"));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| is_hidden(*c)) {
        return fail(
            here,
            format!(
                "character {} is U+{:04X}, a control or bidirectional character that could hide or reorder text; remove it",
                i.saturating_add(1),
                u32::from(c)
            ),
        );
    }
    if required && s.trim().is_empty() {
        return fail(here, "is empty");
    }
    Ok(s.clone())
}

fn read(json: &Json) -> Result<(Scenario, u64), AuthoredError> {
    members(json, "the tour", &TOUR_KEYS)?;
    match json.get("statelab_tour") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(_) => return fail("`statelab_tour`", format!("this engine reads version {VERSION}")),
        None => {
            return fail("`statelab_tour`", format!("missing: a tour file starts {{\"statelab_tour\": {VERSION}, …"))
        }
    }
    let title = text(json, "title", "", LIMITS.title, true)?;
    let lesson = text(json, "lesson", "", LIMITS.lesson, false)?;
    let mut lanes = [LaneConfig::stateless(), LaneConfig::stateful()];
    for (key, lane) in ["a", "b"].iter().zip(&mut lanes) {
        let code = text(json, key, "", 64, true)?;
        *lane = parse_config(&code).or_else(|e| fail(format!("`{key}`"), format!("`{}`: {e}", quoted(&code))))?;
    }
    let seed = match json.get("seed") {
        None => 1,
        Some(v) => v.as_u64().map_or_else(|| fail("`seed`", "expected a whole number from 0 to 2^64 − 1"), Ok)?,
    };
    let Some(Json::Arr(raw_steps)) = json.get("steps") else { return fail("`steps`", "missing, or not a list") };
    if raw_steps.is_empty() || raw_steps.len() > LIMITS.steps {
        return fail("`steps`", format!("{} steps; a tour has 1 to {}", raw_steps.len(), LIMITS.steps));
    }
    let mut p = Playground::new(seed, lanes);
    let mut work = 0u64;
    let mut steps = Vec::new();
    for (i, raw) in raw_steps.iter().enumerate() {
        let at = format!("step {}", i.saturating_add(1));
        let step = read_step(raw, &at)?;
        // Where each lane's exchanges stood (cloning the playground would
        // bring every lane part's Clone into the page's bundle).
        let had = entry_counts(&p);
        for (j, a) in step.actions.iter().enumerate() {
            let here = format!("{at}, `do` action {} (`{a}`)", j.saturating_add(1));
            work = work.saturating_add(a.work());
            if work > LIMITS.work {
                return fail(here, format!("the tour's actions would cost more than {} units of work", LIMITS.work));
            }
            p.record(a.clone()).or_else(|e| fail(here, e.to_string()))?;
        }
        if let Some(q) = &step.ask {
            let seen = last_requests_since(had, &p);
            if let Some(id) = q.asked().find(|id| seen[id.index()].is_none()) {
                return fail(
                    format!("{at}, `ask`"),
                    format!("lane {} sends no request in this step, so there is nothing to predict", id.label()),
                );
            }
        }
        steps.push(step);
    }
    Ok((Scenario { id: AUTHORED_ID, title: title.into(), lesson: lesson.into(), lanes, steps }, seed))
}

fn read_step(raw: &Json, at: &str) -> Result<Step, AuthoredError> {
    members(raw, at, &STEP_KEYS)?;
    let Some(Json::Arr(raw_actions)) = raw.get("do") else {
        return fail(format!("{at}, `do`"), "missing, or not a list of actions");
    };
    if raw_actions.is_empty() || raw_actions.len() > LIMITS.actions {
        return fail(
            format!("{at}, `do`"),
            format!("{} actions; a step has 1 to {}", raw_actions.len(), LIMITS.actions),
        );
    }
    let mut actions = Vec::new();
    for (j, v) in raw_actions.iter().enumerate() {
        let here = format!("{at}, `do` action {}", j.saturating_add(1));
        let Some(t) = v.as_str() else { return fail(here, "expected a string such as \"login alice\"") };
        actions.push(one_action(t).or_else(|e| fail(here, e))?);
    }
    let say = text(raw, "say", at, LIMITS.say, true)?;
    let focus = highlight(raw.get("highlight"), at)?;
    let ask = match raw.get("ask") {
        None => None,
        Some(q) => Some(question(q, &format!("{at}, `ask`"))?),
    };
    let script = actions.iter().map(Action::to_string).collect::<Vec<_>>().join(", ");
    Ok(Step { script: script.into(), actions, say: say.into(), focus: focus.into(), ask })
}

/// Exactly one action (a `,` would smuggle in more than the count allows).
fn one_action(text: &str) -> Result<Action, String> {
    let mut parsed = parse_actions(text).map_err(|e| e.message)?;
    match (parsed.pop(), parsed.is_empty()) {
        (Some(a), true) => {
            Playground::validate(&a).map_err(|e| e.to_string())?;
            Ok(a)
        }
        (None, _) => Err("empty".into()),
        (Some(_), false) => Err("one action per string; put the next one in its own string".into()),
    }
}

/// The highlighted headers, each one of [`HEADERS`] (so `'static`, as a
/// built-in step's are), in [`HEADERS`] order, each once.
fn highlight(v: Option<&Json>, at: &str) -> Result<Vec<&'static str>, AuthoredError> {
    let here = format!("{at}, `highlight`");
    let names = match v {
        None => return Ok(Vec::new()),
        Some(Json::Arr(names)) => names,
        Some(_) => return fail(here, "expected a list of header names"),
    };
    let mut picked = [false; HEADERS.len()];
    for n in names {
        let name = n.as_str().map_or_else(|| fail(&here, "expected a header name"), Ok)?;
        let Some(i) = HEADERS.iter().position(|h| h.eq_ignore_ascii_case(name)) else {
            return fail(here, format!("`{}` is not one of {}", quoted(name), HEADERS.join(", ")));
        };
        picked[i] = true;
    }
    Ok(HEADERS.iter().zip(picked).filter(|(_, p)| *p).map(|(h, _)| *h).collect())
}

fn question(v: &Json, at: &str) -> Result<Question, AuthoredError> {
    members(v, at, &ASK_KEYS)?;
    let prompt = text(v, "prompt", at, LIMITS.prompt, true)?;
    let about = match v.get("about").and_then(Json::as_str) {
        Some(k) => Outcome::from_key(k).map_or_else(
            || {
                let known = Outcome::ALL.map(Outcome::key).join(", ");
                fail(format!("{at}, `about`"), format!("`{}` is not one of {known}", quoted(k)))
            },
            Ok,
        )?,
        None => return fail(format!("{at}, `about`"), "missing: one of succeeds, status, server"),
    };
    let mut lanes = [false; 2];
    let Some(Json::Arr(named)) = v.get("lanes") else {
        return fail(format!("{at}, `lanes`"), "missing: a list such as [\"A\", \"B\"]");
    };
    for n in named {
        let id = match n.as_str() {
            Some("A" | "a") => LaneId::A,
            Some("B" | "b") => LaneId::B,
            _ => return fail(format!("{at}, `lanes`"), "each lane is \"A\" or \"B\""),
        };
        lanes[id.index()] = true;
    }
    if lanes == [false; 2] {
        return fail(format!("{at}, `lanes`"), "name at least one lane");
    }
    Ok(Question { prompt: prompt.into(), about, lanes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"statelab_tour": 1, "title": "Crash", "a": "jwt.rr.3", "b": "local.sticky.3",
 "steps": [
  {"do": ["login alice", "me alice"], "say": "Alice logs in.", "highlight": ["set-cookie", "Cookie"]},
  {"do": ["crash 1", "wait 10s", "me alice"], "say": "S1 dies.",
   "ask": {"prompt": "Will alice's request succeed?", "about": "succeeds", "lanes": ["A", "B"]}}]}"#;

    #[test]
    fn a_tour_file_reads_and_round_trips() {
        let (s, seed) = Scenario::from_json(GOOD).unwrap();
        assert_eq!((s.id, seed, s.steps.len()), (super::super::AUTHORED_ID, 1, 2));
        assert_eq!(*s.steps[0].focus, ["Cookie", "Set-Cookie"]);
        assert_eq!(s.steps[1].script, "crash 1, wait 10s, me alice");
        let again = Scenario::from_json(&s.to_json(seed)).unwrap();
        assert_eq!(again, (s.clone(), seed));
        assert_eq!(Scenario::from_link(&s.to_link(7)).unwrap(), (s, 7));
    }

    #[test]
    fn errors_name_the_place() {
        let e = |t: &str| Scenario::from_json(t).unwrap_err().to_string();
        assert_eq!(e("{\"statelab_tour\": 1,\n  \"title\" \"x\"}"), "line 2, column 11: expected `:`");
        let no_server = GOOD.replace("\"crash 1\"", "\"crash 9\"");
        assert_eq!(e(&no_server), "step 2, `do` action 1 (`crash 9`): there is no S9 in either lane");
        let unknown = GOOD.replace("\"crash 1\"", "\"fly <b>\"");
        assert!(e(&unknown).starts_with("step 2, `do` action 1: unknown action `fly`"), "{}", e(&unknown));
        let two = GOOD.replace("\"crash 1\"", "\"crash 1, crash 2\"");
        assert!(e(&two).ends_with("one action per string; put the next one in its own string"), "{}", e(&two));
        let twice = GOOD.replace("\"wait 10s\"", "\"crash 1\"");
        assert!(e(&twice).starts_with("step 2, `do` action 2 (`crash 1`): "), "{}", e(&twice));
        let bidi = GOOD.replace("S1 dies.", "S1 \u{202E}dies.");
        assert_eq!(
            e(&bidi),
            "step 2, `say`: character 4 is U+202E, a control or bidirectional character that could hide or reorder text; remove it"
        );
        let header = GOOD.replace("\"Cookie\"]", "\"X-Evil\"]");
        assert!(e(&header).starts_with("step 1, `highlight`: `X-Evil` is not one of Authorization"), "{}", e(&header));
        let nothing_to_ask = GOOD.replace("\"crash 1\", \"wait 10s\", \"me alice\"", "\"crash 1\"");
        assert_eq!(
            e(&nothing_to_ask),
            "step 2, `ask`: lane A sends no request in this step, so there is nothing to predict"
        );
        let typo = GOOD.replace("\"say\": \"Alice", "\"sya\": \"x\", \"say\": \"Alice");
        assert!(e(&typo).starts_with("step 1: unknown field `sya`"), "{}", e(&typo));
        assert!(e(&"x".repeat(LIMITS.bytes + 1)).contains("at most 24000 are read"));
        assert_eq!(Scenario::from_link("!!").unwrap_err().to_string(), "the tour link is not base64url");
    }
}
