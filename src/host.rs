//! The embed message API, version 1 (docs/embed-api.md): what a host page
//! may ask of an embedded frame, and what the frame tells it. Messages are
//! objects `{statelab: 1, type, …}`. This module only reads and writes them
//! (as JSON text, so it is tested natively); `hooks/embed.rs` carries them
//! across `postMessage` and acts on them.
//!
//! A host's message is untrusted input: it is bounded in size, read with the
//! engine's strict JSON parser, and anything wrong with it is answered with
//! an `error` message that says what and why, quoting safely.
#![deny(clippy::arithmetic_side_effects)]

use crate::page::Theme;
use statelab_sim::base::quoted;
use statelab_sim::wire::json::{Json, ObjectWriter};
use statelab_sim::LaneId;

/// The version this frame speaks: the `statelab` member of every message.
pub const VERSION: u64 = 1;

/// A message longer than this (as JSON) is refused unread: no command needs
/// more than a few dozen bytes.
pub const MAX_MESSAGE: usize = 4096;

/// The commands a host may send, by their `type`.
pub const COMMANDS: [&str; 7] = ["goto", "next", "prev", "play", "pause", "reset", "theme"];

/// A host's command, read but not yet checked against the frame's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Goto(u64),
    Next,
    Prev,
    Play,
    Pause,
    Reset,
    Theme(Theme),
}

/// What the frame does for a command, checked against where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Do {
    /// Show this step of the followed tour.
    Step(usize),
    Play,
    Pause,
    /// Back to the state the frame opened with.
    Reset,
    Theme(Theme),
}

/// Reads one message from the host (`text`: the message as JSON). `Ok(None)`:
/// not a Statelab message at all (no `statelab` member, or not an object),
/// which other scripts on the host may well send, so it is ignored without
/// an answer.
pub fn read(text: &str) -> Result<Option<Command>, String> {
    if text.len() > MAX_MESSAGE {
        return Err(format!("message of {} bytes refused: at most {MAX_MESSAGE}", text.len()));
    }
    let Ok(json) = Json::parse(text) else { return Ok(None) };
    let Some(version) = json.get("statelab") else { return Ok(None) };
    if version.as_u64() != Some(VERSION) {
        return Err(format!("unsupported version `statelab: {}`: this frame speaks version {VERSION}", short(version)));
    }
    let kind = match json.get("type") {
        Some(Json::Str(kind)) => kind.as_str(),
        Some(other) => return Err(format!("`type` must be a string, got `{}`", short(other))),
        None => return Err(format!("message has no `type`; expected one of {}", COMMANDS.join(", "))),
    };
    Ok(Some(match kind {
        "goto" => match json.get("step") {
            Some(step) => Command::Goto(step.as_u64().ok_or_else(|| {
                format!("goto: `step` must be a whole number of steps played (0 or more), got `{}`", short(step))
            })?),
            None => return Err("goto: missing `step` (the number of steps played, 0 for the tour's start)".into()),
        },
        "next" => Command::Next,
        "prev" => Command::Prev,
        "play" => Command::Play,
        "pause" => Command::Pause,
        "reset" => Command::Reset,
        "theme" => Command::Theme(match json.get("theme").and_then(Json::as_str) {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            Some("auto") => Theme::Auto,
            _ => {
                let got = json.get("theme").map_or("nothing".to_owned(), |t| format!("`{}`", short(t)));
                return Err(format!("theme: `theme` must be \"light\", \"dark\" or \"auto\", got {got}"));
            }
        }),
        other => {
            return Err(format!("unknown message type `{}`; expected one of {}", quoted(other), COMMANDS.join(", ")))
        }
    }))
}

/// Checks `command` against where the frame stands: `at`, the followed tour's
/// step and its number of steps (`None` in free play).
pub fn check(command: Command, at: Option<(usize, usize)>) -> Result<Do, String> {
    let tour = |name: &str| match at {
        Some(at) => Ok(at),
        None => Err(format!("{name}: this embed shows free play, not a tour, so it has no steps")),
    };
    match command {
        Command::Goto(step) => {
            let (_, steps) = tour("goto")?;
            match usize::try_from(step) {
                Ok(step) if step <= steps => Ok(Do::Step(step)),
                _ => Err(format!("goto: step {step} is past the end: this tour has steps 0 to {steps}")),
            }
        }
        Command::Next => match tour("next")? {
            (step, steps) if step < steps => Ok(Do::Step(step.saturating_add(1))),
            (_, steps) => Err(format!("next: already at the last step ({steps} of {steps})")),
        },
        Command::Prev => match tour("prev")? {
            (0, _) => Err("prev: already at the tour's start (step 0)".into()),
            (step, _) => Ok(Do::Step(step.saturating_sub(1))),
        },
        Command::Play => tour("play").map(|_| Do::Play),
        Command::Pause => tour("pause").map(|_| Do::Pause),
        Command::Reset => Ok(Do::Reset),
        Command::Theme(theme) => Ok(Do::Theme(theme)),
    }
}

/// A value as written, cut short and quoted for an error message.
fn short(value: &Json) -> String {
    let text = value.to_text();
    let cut: String = text.chars().take(40).collect();
    let ellipsis = if cut.len() < text.len() { "…" } else { "" };
    format!("{}{ellipsis}", quoted(&cut))
}

fn message(kind: &str) -> ObjectWriter {
    ObjectWriter::new().num("statelab", VERSION).str("type", kind)
}

fn tour_member(writer: ObjectWriter, tour: Option<&str>) -> ObjectWriter {
    match tour {
        Some(tour) => writer.str("tour", tour),
        None => writer.raw("tour", "null"),
    }
}

/// `ready {tour, step, steps}`: the app has taken the frame over and takes
/// commands. In free play `tour` is null and `step`, `steps` are 0.
pub fn ready(tour: Option<&str>, step: usize, steps: usize) -> String {
    tour_member(message("ready"), tour).num("step", step as u64).num("steps", steps as u64).finish()
}

/// `step {tour, step}`: the frame now shows another step.
pub fn step(tour: Option<&str>, step: usize) -> String {
    tour_member(message("step"), tour).num("step", step as u64).finish()
}

/// `action {lanes: [{lane, statuses}]}`: actions were applied; each lane's
/// HTTP statuses of their requests, in order.
pub fn action(lanes: &[(LaneId, Vec<u16>)]) -> String {
    let items: Vec<String> = lanes
        .iter()
        .map(|(lane, statuses)| {
            let list: Vec<String> = statuses.iter().map(u16::to_string).collect();
            let list = format!("[{}]", list.join(","));
            ObjectWriter::new().str("lane", &lane.to_string()).raw("statuses", &list).finish()
        })
        .collect();
    message("action").raw("lanes", &format!("[{}]", items.join(","))).finish()
}

/// `resize {height}`: the page's height in CSS pixels.
pub fn resize(height: u64) -> String {
    message("resize").num("height", height).finish()
}

/// `error {message}`: a host's message was refused, and why.
pub fn error(why: &str) -> String {
    message("error").str("message", why).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Result<Option<Command>, String> {
        read(text)
    }

    #[test]
    fn every_documented_command_reads() {
        assert_eq!(cmd(r#"{"statelab":1,"type":"goto","step":3}"#), Ok(Some(Command::Goto(3))));
        for (kind, c) in [
            ("next", Command::Next),
            ("prev", Command::Prev),
            ("play", Command::Play),
            ("pause", Command::Pause),
            ("reset", Command::Reset),
        ] {
            assert_eq!(cmd(&format!(r#"{{"statelab":1,"type":"{kind}"}}"#)), Ok(Some(c)));
        }
        assert_eq!(cmd(r#"{"type":"theme","theme":"dark","statelab":1}"#), Ok(Some(Command::Theme(Theme::Dark))));
        // Members added by a later minor version are not an error.
        assert_eq!(cmd(r#"{"statelab":1,"type":"next","from":"course-7"}"#), Ok(Some(Command::Next)));
    }

    #[test]
    fn messages_for_others_are_ignored_without_an_answer() {
        for text in ["\"hello\"", "null", "[1]", r#"{"type":"statelab:resize","height":4}"#, "{not json", ""] {
            assert_eq!(cmd(text), Ok(None), "{text}");
        }
    }

    #[test]
    fn malformed_messages_say_exactly_what_is_wrong() {
        let err = |t: &str| cmd(t).unwrap_err();
        assert_eq!(
            err(r#"{"statelab":2,"type":"next"}"#),
            "unsupported version `statelab: 2`: this frame speaks version 1"
        );
        assert_eq!(
            err(r#"{"statelab":"1","type":"next"}"#),
            "unsupported version `statelab: \"1\"`: this frame speaks version 1"
        );
        assert_eq!(
            err(r#"{"statelab":1}"#),
            "message has no `type`; expected one of goto, next, prev, play, pause, reset, theme"
        );
        assert_eq!(err(r#"{"statelab":1,"type":7}"#), "`type` must be a string, got `7`");
        assert_eq!(
            err(r#"{"statelab":1,"type":"jump\u202e"}"#),
            "unknown message type `jump\\u{202e}`; expected one of goto, next, prev, play, pause, reset, theme"
        );
        assert_eq!(
            err(r#"{"statelab":1,"type":"goto"}"#),
            "goto: missing `step` (the number of steps played, 0 for the tour's start)"
        );
        assert_eq!(
            err(r#"{"statelab":1,"type":"goto","step":-1}"#),
            "goto: `step` must be a whole number of steps played (0 or more), got `-1`"
        );
        assert_eq!(
            err(r#"{"statelab":1,"type":"goto","step":1.5}"#),
            "goto: `step` must be a whole number of steps played (0 or more), got `1.5`"
        );
        assert_eq!(
            err(r#"{"statelab":1,"type":"theme","theme":"<b>pink</b>"}"#),
            "theme: `theme` must be \"light\", \"dark\" or \"auto\", got `\"<b>pink</b>\"`"
        );
        assert_eq!(
            err(r#"{"statelab":1,"type":"theme"}"#),
            "theme: `theme` must be \"light\", \"dark\" or \"auto\", got nothing"
        );
        let long = format!(r#"{{"statelab":1,"type":"next","pad":"{}"}}"#, "x".repeat(MAX_MESSAGE));
        assert_eq!(err(&long), format!("message of {} bytes refused: at most 4096", long.len()));
        let cut = err(&format!(r#"{{"statelab":1,"type":"theme","theme":"{}"}}"#, "y".repeat(100)));
        assert!(cut.ends_with("…`"), "{cut}");
    }

    #[test]
    fn commands_are_checked_against_where_the_frame_stands() {
        let tour = Some((2, 4));
        assert_eq!(check(Command::Goto(4), tour), Ok(Do::Step(4)));
        assert_eq!(check(Command::Goto(0), tour), Ok(Do::Step(0)));
        assert_eq!(
            check(Command::Goto(5), tour),
            Err("goto: step 5 is past the end: this tour has steps 0 to 4".into())
        );
        assert_eq!(
            check(Command::Goto(u64::MAX), tour),
            Err(format!("goto: step {} is past the end: this tour has steps 0 to 4", u64::MAX))
        );
        assert_eq!(check(Command::Next, tour), Ok(Do::Step(3)));
        assert_eq!(check(Command::Prev, tour), Ok(Do::Step(1)));
        assert_eq!(check(Command::Next, Some((4, 4))), Err("next: already at the last step (4 of 4)".into()));
        assert_eq!(check(Command::Prev, Some((0, 4))), Err("prev: already at the tour's start (step 0)".into()));
        assert_eq!(
            check(Command::Play, None),
            Err("play: this embed shows free play, not a tour, so it has no steps".into())
        );
        assert_eq!(check(Command::Reset, None), Ok(Do::Reset));
        assert_eq!(check(Command::Theme(Theme::Light), None), Ok(Do::Theme(Theme::Light)));
    }

    #[test]
    fn events_are_the_documented_json() {
        assert_eq!(
            ready(Some("sticky-crash"), 2, 4),
            r#"{"statelab":1,"type":"ready","tour":"sticky-crash","step":2,"steps":4}"#
        );
        assert_eq!(ready(None, 0, 0), r#"{"statelab":1,"type":"ready","tour":null,"step":0,"steps":0}"#);
        assert_eq!(step(Some("cart"), 3), r#"{"statelab":1,"type":"step","tour":"cart","step":3}"#);
        assert_eq!(
            action(&[(LaneId::A, vec![200, 200]), (LaneId::B, vec![401])]),
            r#"{"statelab":1,"type":"action","lanes":[{"lane":"A","statuses":[200,200]},{"lane":"B","statuses":[401]}]}"#
        );
        assert_eq!(resize(812), r#"{"statelab":1,"type":"resize","height":812}"#);
        assert_eq!(error("a \"quote\"</script>"), r#"{"statelab":1,"type":"error","message":"a \"quote\"</script>"}"#);
        for text in [ready(None, 0, 0), action(&[(LaneId::B, vec![])]), error("x")] {
            assert!(Json::parse(&text).is_ok(), "{text}");
        }
    }
}

/// Whatever a host sends, reading it never panics, answers in bounded words,
/// and a command read is one of the documented ones.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(r#""statelab":1"#.to_owned()),
            any::<i64>().prop_map(|n| format!(r#""statelab":{n}"#)),
            prop::sample::select(COMMANDS.to_vec()).prop_map(|t| format!(r#""type":"{t}""#)),
            ".{0,12}".prop_map(|t| format!(r#""type":{}"#, Json::Str(t).to_text())),
            any::<i64>().prop_map(|n| format!(r#""step":{n}"#)),
            prop::sample::select(vec!["light", "dark", "auto", "pink", ""]).prop_map(|t| format!(r#""theme":"{t}""#)),
            ".{0,8}".prop_map(|t| format!(r#""extra":{}"#, Json::Str(t).to_text())),
        ]
    }

    /// A message object of up to four members, each name once.
    pub(super) fn message() -> impl Strategy<Value = String> {
        prop::collection::vec(member(), 0..5).prop_map(|members| {
            let mut seen = std::collections::BTreeSet::new();
            let members: Vec<String> =
                members.into_iter().filter(|m| seen.insert(m.split(':').next().unwrap_or("").to_owned())).collect();
            format!("{{{}}}", members.join(","))
        })
    }

    /// Where the frame stands: `None` (free play) or a step of a tour.
    pub(super) fn at() -> impl Strategy<Value = Option<(usize, usize)>> {
        prop::option::of((0usize..10).prop_flat_map(|steps| (0..=steps, Just(steps))))
    }

    /// Reads `text` and checks what it read at `at`, as the frame does;
    /// `Err` when an answer breaks a promise of this module, otherwise
    /// whether the command was accepted.
    pub(super) fn read_and_check(text: &str, at: Option<(usize, usize)>) -> Result<bool, String> {
        let bounded =
            |e: String| if e.len() < 200 { Ok(false) } else { Err(format!("an answer of {} bytes: {e}", e.len())) };
        match read(text) {
            Ok(Some(c)) => {
                if !text.contains(r#""statelab":1"#) {
                    return Err(format!("read {c:?} from a message without `\"statelab\":1`"));
                }
                match check(c, at) {
                    Ok(Do::Step(n)) if at.is_none_or(|(_, steps)| n > steps) => {
                        Err(format!("step {n} from {c:?} at {at:?}"))
                    }
                    Ok(_) => Ok(true),
                    Err(e) => bounded(e),
                }
            }
            Ok(None) => Ok(false),
            Err(e) => bounded(e),
        }
    }

    proptest! {
        #[test]
        fn reading_and_checking_never_panic(text in message(), at in at(), junk in ".{0,20}") {
            for text in [text, junk] {
                if let Err(e) = read_and_check(&text, at) {
                    prop_assert!(false, "{}", e);
                }
            }
        }
    }
}

/// The fuzz entry behind `cargo xtask fuzz` for the host's messages: the
/// messages the properties above generate, text of any kind, messages
/// past [`MAX_MESSAGE`] and deep nesting, `FUZZ_INPUTS` of them (default
/// 1,000,000) from `FUZZ_SEED`, each read and checked under `catch_unwind`
/// by the engine's fuzz harness. Ignored by plain `cargo test`: it is meant
/// for `--release`.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "../sim/tests/formats/harness.rs"]
// The harness's counters and clocks count at most FUZZ_INPUTS inputs.
#[allow(clippy::arithmetic_side_effects)]
mod harness;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz {
    use super::harness::{env_number, fuzz, print_header};
    use super::properties::{at, message, read_and_check};
    use proptest::prelude::*;

    #[test]
    #[ignore = "run by `cargo xtask fuzz` in release"]
    fn fuzz_the_host_messages() {
        let inputs = env_number("FUZZ_INPUTS", 1_000_000);
        let seed = env_number("FUZZ_SEED", 1);
        print_header(inputs, seed);
        // Commands as documented, each with the member it needs, in either order.
        let commands = (
            prop::sample::select(super::COMMANDS.to_vec()),
            0u64..12,
            prop::sample::select(vec!["light", "dark", "auto"]),
            any::<bool>(),
        )
            .prop_map(|(kind, step, theme, first)| {
                let extra = match kind {
                    "goto" => format!(r#""step":{step}"#),
                    "theme" => format!(r#""theme":"{theme}""#),
                    _ => r#""x":null"#.to_owned(),
                };
                let head = format!(r#""statelab":1,"type":"{kind}""#);
                if first {
                    format!("{{{extra},{head}}}")
                } else {
                    format!("{{{head},{extra}}}")
                }
            });
        let texts = prop_oneof![
            3 => commands,
            4 => message(),
            2 => ".{0,64}",
            // Past the size bound, by a little or a lot.
            1 => (message(), 4_000usize..4_200).prop_map(|(m, pad)| format!("{m}{}", " ".repeat(pad))),
            // Nesting as deep as the size bound lets it be.
            1 => (0usize..2_040).prop_map(|n| format!(r#"{{"statelab":1,"type":"goto","step":{}1{}}}"#, "[".repeat(n), "]".repeat(n))),
        ];
        let t = fuzz("host-message", inputs, seed, (texts, at()), |(text, at)| match read_and_check(text, *at) {
            Ok(accepted) => accepted,
            Err(e) => panic!("{e}"),
        });
        assert_eq!(t.panics, 0, "the embed-message parser panicked; the first input is printed above");
    }
}
