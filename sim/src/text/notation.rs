//! A compact text form of actions, e.g. `login alice, me alice, crash 1,
//! wait 10s`. Scenarios are written in it, and share links carry it (with
//! `.` between words and `~` between actions, which URLs leave alone).
//! Parsing never panics and says which action is wrong and why.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::ids::LaneId;
use crate::base::ids::User;
use crate::base::quote::quoted;
use crate::fleet::FileOp;
use crate::playground::Action;
use crate::wire::jwt::TokenEdit;
use std::fmt::{self, Write};

/// Why a piece of notation is not an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotationError {
    /// 1-based position of the action in the list.
    pub action: usize,
    pub text: String,
    pub message: String,
}

impl fmt::Display for NotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action {} (`{}`): {}", self.action, quoted(&self.text), self.message)
    }
}

impl std::error::Error for NotationError {}

/// Parses a list of actions separated by `,` or `~`, words by spaces or `.`.
pub fn parse_actions(text: &str) -> Result<Vec<Action>, NotationError> {
    text.split([',', '~'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .enumerate()
        .map(|(i, a)| {
            parse_action(a).map_err(|message| NotationError {
                action: i.saturating_add(1),
                text: a.to_owned(),
                message,
            })
        })
        .collect()
}

/// The URL form: words joined by `.`, actions by `~`.
pub fn url_form(actions: &[Action]) -> String {
    let mut out = String::new();
    for (i, a) in actions.iter().enumerate() {
        if i > 0 {
            out.push('~');
        }
        let _ = write!(out, "{}", a);
    }
    out.replace(' ', ".")
}

fn parse_action(text: &str) -> Result<Action, String> {
    let words: Vec<&str> = text.split([' ', '.']).filter(|w| !w.is_empty()).collect();
    let w = &words[..];
    let action = match w {
        [] => return Err("empty action".into()),
        ["login", ..] => Action::Login { user: user_at(w, 1)?, wrong_password: w.get(2) == Some(&"wrong") },
        ["me", ..] => Action::Me { user: user_at(w, 1)? },
        ["add", ..] => Action::AddToCart { user: user_at(w, 1)?, sku: arg(w, 2, "sku")?.to_owned() },
        ["cart", ..] => Action::ViewCart { user: user_at(w, 1)? },
        ["page", ..] => Action::OrdersPage { user: user_at(w, 1)?, page: number_at(w, 2, "page")? },
        ["next", ..] => Action::NextPage { user: user_at(w, 1)? },
        ["logout", ..] => Action::Logout { user: user_at(w, 1)? },
        ["refresh", ..] => Action::Refresh { user: user_at(w, 1)? },
        ["rotate-key", ..] => Action::RotateApiKey { user: user_at(w, 1)? },
        ["tamper" | "edit" | "edit-refresh", ..] => credential_edit(w)?,
        ["connect", ..] => Action::Connect { user: user_at(w, 1)? },
        ["say", ..] => Action::Say { user: user_at(w, 1)?, text: chat_text(&w[2.min(w.len())..])? },
        ["move", ..] => Action::Move { user: user_at(w, 1)?, dx: step_at(w, 2, "dx")?, dy: step_at(w, 3, "dy")? },
        ["ping", ..] => Action::Ping { user: user_at(w, 1)? },
        ["disconnect", ..] => Action::Disconnect { user: user_at(w, 1)? },
        ["frame", ..] => Action::Frame {
            user: user_at(w, 1)?,
            // As for `raw`: no bytes have an empty base64url form, so no third word.
            bytes: crate::wire::b64::decode(w.get(2).unwrap_or(&"")).ok_or("frame bytes are not base64url")?,
        },
        ["cd", ..] => Action::File { user: user_at(w, 1)?, op: FileOp::Cd(path_at(w)?) },
        ["ls", ..] => Action::File { user: user_at(w, 1)?, op: FileOp::Ls },
        ["get", ..] => Action::File { user: user_at(w, 1)?, op: FileOp::Get(path_at(w)?) },
        ["resume", ..] => Action::File { user: user_at(w, 1)?, op: FileOp::Resume },
        ["quit", ..] => Action::File { user: user_at(w, 1)?, op: FileOp::Quit },
        ["sql", ..] => Action::Sql { user: user_at(w, 1)?, op: crate::fleet::SqlOp::parse(&w[2.min(w.len())..])? },
        ["drain", ..] => Action::Drain { server: server_at(w, 1)? },
        ["config", lane, ..] => {
            let lane = LaneId::parse(lane).ok_or_else(|| format!("`{lane}` is not a lane (a or b)"))?;
            // The config's own fields are `.`-separated words too: join the rest back.
            let config = crate::text::config_code::parse_config(&w[2..].join("."))?;
            Action::Configure { lane, config }
        }
        ["replay", ..] => Action::Replay { user: user_at(w, 1)?, seq: number_at(w, 2, "request number")? },
        ["raw", ..] => {
            // As for `edit`: empty text has an empty base64url form, so no third word.
            let bytes = crate::wire::b64::decode(w.get(2).unwrap_or(&"")).ok_or("request text is not base64url")?;
            Action::Raw {
                user: user_at(w, 1)?,
                text: String::from_utf8(bytes).map_err(|_| "request text is not UTF-8")?,
            }
        }
        ["crash", ..] => Action::Crash { server: server_at(w, 1)? },
        ["restart", ..] => Action::Restart { server: server_at(w, 1)? },
        ["bounce", ..] => Action::Bounce { server: server_at(w, 1)? },
        ["store", "down"] => Action::StoreDown,
        ["store", "up"] => Action::StoreUp,
        ["skew", ..] => skew(w)?,
        ["rotate", "keep"] => Action::RotateKey { keep_old: true },
        ["rotate", "drop"] => Action::RotateKey { keep_old: false },
        ["add-server"] => Action::AddServer,
        ["remove-server"] => Action::RemoveServer,
        ["wait", d] => Action::Advance { ms: parse_duration(d)? },
        ["load", ..] => {
            let users = number_at(w, 1, "user count")?.try_into().map_err(|_| "too many users")?;
            Action::Load { users, requests: number_at(w, 2, "request count")? }
        }
        ["store" | "rotate" | "wait" | "add-server" | "remove-server", ..] => return Err(wrong_words(w)),
        [v, ..] => return Err(format!("unknown action `{}`", quoted(v))),
    };
    Ok(action)
}

/// `tamper [lane] user claim=value|none`, `edit [lane] user base64url` or
/// `edit-refresh [lane] user base64url` (the refresh cookie): an optional
/// lane right after the verb edits that lane's credential only.
fn credential_edit(w: &[&str]) -> Result<Action, String> {
    let lane = w.get(1).and_then(|l| LaneId::parse(l));
    // Where the user's word is, and the edit's after it.
    let (at, next) = if lane.is_some() { (2, 3) } else { (1, 2) };
    let edit = match (w[0], w.get(next)) {
        ("tamper", Some(&"none")) => TokenEdit::AlgNone,
        ("tamper", _) => {
            let (name, value) =
                arg(w, next, "claim=value")?.split_once('=').ok_or("tamper takes claim=value or none")?;
            if !is_word(name) || !(value.is_empty() || is_word(value)) {
                return Err("claim names and values are letters, digits, `_` and `-`".into());
            }
            TokenEdit::Claim { name: name.into(), value: value.into() }
        }
        (verb, _) => {
            // An empty credential has an empty base64url form: no last word.
            let text = w.get(next).unwrap_or(&"");
            let bytes = crate::wire::b64::decode(text).ok_or("credential text is not base64url")?;
            let value = String::from_utf8(bytes).map_err(|_| "credential text is not UTF-8")?;
            if verb == "edit-refresh" {
                TokenEdit::SetRefresh { value }
            } else {
                TokenEdit::Set { value }
            }
        }
    };
    Ok(Action::Tamper { user: user_at(w, at)?, edit, lane })
}

/// A chat message's words, joined by single spaces (`.`, `,` and `~`
/// separate words and actions in links).
fn chat_text(words: &[&str]) -> Result<String, String> {
    if words.is_empty() {
        return Err("missing the message (words after the user)".into());
    }
    let text = words.join(" ");
    crate::fleet::check_chat_text(&text)?;
    Ok(text)
}

/// A game move's step along one axis: −1, 0 or 1.
fn step_at(w: &[&str], i: usize, what: &str) -> Result<i8, String> {
    let text = arg(w, i, what)?;
    match text.parse::<i8>() {
        Ok(n @ -1..=1) => Ok(n),
        _ => Err(format!("{what} `{}` must be -1, 0 or 1", quoted(text))),
    }
}

/// `skew server seconds` (or `…ms`), clamped to a year either way.
fn skew(w: &[&str]) -> Result<Action, String> {
    let text = arg(w, 2, "seconds")?;
    let (n, unit) = match text.strip_suffix("ms") {
        Some(ms) => (ms, 1),
        None => (text.trim_end_matches('s'), 1000),
    };
    let n: i64 = n.parse().map_err(|_| format!("`{}` is not a number of seconds", quoted(text)))?;
    Ok(Action::Skew { server: server_at(w, 1)?, ms: n.saturating_mul(unit).clamp(-YEAR_MS, YEAR_MS) })
}

/// A known verb with the wrong words: what it takes, and what was wrong.
fn wrong_words(w: &[&str]) -> String {
    let (takes, count) = match w[0] {
        "store" => ("up or down", 1),
        "rotate" => ("keep or drop", 1),
        "wait" => ("one duration, like 30s or 5min", 1),
        _ => ("nothing after it", 0),
    };
    let given = match w[1..].get(count) {
        Some(extra) => format!("; `{}` is one word too many", quoted(extra)),
        None => w.get(count).filter(|_| count > 0).map_or_else(String::new, |g| format!(", not `{}`", quoted(g))),
    };
    format!("{} takes {takes}{given}", w[0])
}

/// Word `i`, or what is missing.
fn arg<'a>(w: &[&'a str], i: usize, what: &str) -> Result<&'a str, String> {
    w.get(i).copied().ok_or_else(|| format!("missing {what}"))
}

fn user_at(w: &[&str], i: usize) -> Result<User, String> {
    arg(w, i, "user (alice, bob or carol)").and_then(parse_user)
}

/// A file action's path: the words after the user joined back with `.`,
/// since a link's notation breaks words at dots (`get alice big.bin`).
fn path_at(w: &[&str]) -> Result<String, String> {
    let path = w.get(2..).unwrap_or_default().join(".");
    if path.is_empty() {
        return Err("a path is missing, such as /pub or big.bin".into());
    }
    crate::fleet::check_path(&path)?;
    Ok(path)
}

fn number_at(w: &[&str], i: usize, what: &str) -> Result<u32, String> {
    arg(w, i, what)?.parse::<u32>().map_err(|_| format!("{what} must be a whole number"))
}

fn server_at(w: &[&str], i: usize) -> Result<u8, String> {
    let s = arg(w, i, "server number")?;
    s.trim_start_matches(['S', 's']).parse::<u8>().map_err(|_| format!("`{}` is not a server number", quoted(s)))
}

const YEAR_MS: i64 = 366 * 86_400_000;

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn parse_user(w: &str) -> Result<User, String> {
    User::ALL
        .into_iter()
        .find(|u| u.username() == w)
        .ok_or_else(|| format!("unknown user `{}` (alice, bob or carol)", quoted(w)))
}

/// `10s`, `16m`, `1h`, `2d`, or plain milliseconds.
fn parse_duration(w: &str) -> Result<u64, String> {
    let (num, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
    let n: u64 = num.parse().map_err(|_| format!("`{}` is not a duration such as 10s, 16m or 1h", quoted(w)))?;
    let ms = match unit {
        "" | "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("unknown unit in `{}`: use s, m, h or d", quoted(w))),
    };
    // Bounded so a link cannot push the clock past any meaningful date.
    n.checked_mul(ms).filter(|&t| t <= YEAR_MS as u64).ok_or_else(|| "durations are limited to a year".into())
}

fn duration(ms: u64) -> String {
    match ms {
        0 => "0s".into(),
        ms if ms % 86_400_000 == 0 => format!("{}d", ms / 86_400_000),
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = self.user().map_or("", User::username);
        match self {
            Action::Login { wrong_password: true, .. } => write!(f, "login {who} wrong"),
            Action::Login { .. } => write!(f, "login {who}"),
            Action::Me { .. } => write!(f, "me {who}"),
            Action::AddToCart { sku, .. } => write!(f, "add {who} {sku}"),
            Action::ViewCart { .. } => write!(f, "cart {who}"),
            Action::OrdersPage { page, .. } => write!(f, "page {who} {page}"),
            Action::NextPage { .. } => write!(f, "next {who}"),
            Action::Logout { .. } => write!(f, "logout {who}"),
            Action::Refresh { .. } => write!(f, "refresh {who}"),
            Action::RotateApiKey { .. } => write!(f, "rotate-key {who}"),
            Action::Tamper { edit, lane, .. } => {
                let lane = lane.map_or(String::new(), |l| format!("{} ", l.code()));
                match edit {
                    TokenEdit::AlgNone => write!(f, "tamper {lane}{who} none"),
                    TokenEdit::Claim { name, value } => write!(f, "tamper {lane}{who} {name}={value}"),
                    TokenEdit::Set { value } => {
                        write!(f, "edit {lane}{who} {}", crate::wire::b64::encode(value.as_bytes()))
                    }
                    TokenEdit::SetRefresh { value } => {
                        write!(f, "edit-refresh {lane}{who} {}", crate::wire::b64::encode(value.as_bytes()))
                    }
                }
            }
            Action::Configure { lane, config } => {
                write!(f, "config {} {}", lane.code(), crate::text::config_code::config_text(config))
            }
            Action::Replay { seq, .. } => write!(f, "replay {who} {seq}"),
            Action::Connect { .. } => write!(f, "connect {who}"),
            Action::Say { text, .. } => write!(f, "say {who} {text}"),
            Action::Move { dx, dy, .. } => write!(f, "move {who} {dx} {dy}"),
            Action::Ping { .. } => write!(f, "ping {who}"),
            Action::Disconnect { .. } => write!(f, "disconnect {who}"),
            Action::Frame { bytes, .. } => write!(f, "frame {who} {}", crate::wire::b64::encode(bytes)),
            Action::File { op, .. } => match op {
                FileOp::Cd(path) => write!(f, "cd {who} {path}"),
                FileOp::Ls => write!(f, "ls {who}"),
                FileOp::Get(path) => write!(f, "get {who} {path}"),
                FileOp::Resume => write!(f, "resume {who}"),
                FileOp::Quit => write!(f, "quit {who}"),
            },
            Action::Sql { op, .. } => write!(f, "sql {who} {op}"),
            Action::Drain { server } => write!(f, "drain {server}"),
            Action::Raw { text, .. } => write!(f, "raw {who} {}", crate::wire::b64::encode(text.as_bytes())),
            Action::Crash { server } => write!(f, "crash {server}"),
            Action::Restart { server } => write!(f, "restart {server}"),
            Action::Bounce { server } => write!(f, "bounce {server}"),
            Action::StoreDown => f.write_str("store down"),
            Action::StoreUp => f.write_str("store up"),
            Action::Skew { server, ms } if ms % 1000 == 0 => write!(f, "skew {server} {}", ms / 1000),
            Action::Skew { server, ms } => write!(f, "skew {server} {ms}ms"),
            Action::RotateKey { keep_old: true } => f.write_str("rotate keep"),
            Action::RotateKey { keep_old: false } => f.write_str("rotate drop"),
            Action::AddServer => f.write_str("add-server"),
            Action::RemoveServer => f.write_str("remove-server"),
            Action::Advance { ms } => write!(f, "wait {}", duration(*ms)),
            Action::Load { users, requests } => write!(f, "load {users} {requests}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scenario_style() {
        let a = parse_actions("login alice, crash 1, wait 10s, me alice, tamper alice role=admin, skew 2 -60").unwrap();
        assert_eq!(a[0], Action::Login { user: User::Alice, wrong_password: false });
        assert_eq!(a[1], Action::Crash { server: 1 });
        assert_eq!(a[2], Action::Advance { ms: 10_000 });
        assert_eq!(a[5], Action::Skew { server: 2, ms: -60_000 });
        assert_eq!(url_form(&a), "login.alice~crash.1~wait.10s~me.alice~tamper.alice.role=admin~skew.2.-60");
        assert_eq!(parse_actions(&url_form(&a)).unwrap(), a);
    }

    #[test]
    fn typed_frames_travel_as_base64url() {
        // RFC 6455 §5.7's masked ping "Hello".
        let bytes = vec![0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        let a = vec![Action::Frame { user: User::Alice, bytes }];
        assert_eq!(url_form(&a), "frame.alice.iYU3-iE9f59NUVg");
        assert_eq!(parse_actions(&url_form(&a)).unwrap(), a);
    }

    #[test]
    fn credential_edits_name_their_lane_and_round_trip() {
        let a = vec![
            Action::Tamper { user: User::Bob, edit: TokenEdit::Set { value: "abc".into() }, lane: Some(LaneId::A) },
            Action::Tamper { user: User::Bob, edit: TokenEdit::Set { value: String::new() }, lane: Some(LaneId::B) },
            Action::Tamper { user: User::Bob, edit: TokenEdit::AlgNone, lane: Some(LaneId::B) },
            Action::Tamper { user: User::Bob, edit: TokenEdit::Set { value: String::new() }, lane: None },
            Action::Tamper {
                user: User::Carol,
                edit: TokenEdit::SetRefresh { value: "f00d".into() },
                lane: Some(LaneId::A),
            },
        ];
        assert_eq!(url_form(&a), "edit.a.bob.YWJj~edit.b.bob.~tamper.b.bob.none~edit.bob.~edit-refresh.a.carol.ZjAwZA");
        assert_eq!(parse_actions(&url_form(&a)).unwrap(), a);
        assert!(parse_actions("edit c bob YWJj").is_err());
    }

    #[test]
    fn errors_name_the_action_and_the_problem() {
        let e = parse_actions("me alice, me mallory").unwrap_err();
        assert_eq!(e.action, 2);
        assert!(e.message.contains("unknown user `mallory`"), "{e}");
        assert!(parse_actions("wait 5y").unwrap_err().message.contains("unit"));
        assert!(parse_actions("wait 9999999d").unwrap_err().message.contains("a year"));
        assert!(parse_actions("fly alice").unwrap_err().message.contains("unknown action"));
        for (text, says) in [
            ("store sideways", "store takes up or down, not `sideways`"),
            ("store", "store takes up or down"),
            ("rotate now", "rotate takes keep or drop, not `now`"),
            ("wait", "wait takes one duration, like 30s or 5min"),
            ("add-server 2", "add-server takes nothing after it; `2` is one word too many"),
            ("store down now", "store takes up or down; `now` is one word too many"),
            ("wait 30s more", "wait takes one duration, like 30s or 5min; `more` is one word too many"),
        ] {
            assert!(parse_actions(text).unwrap_err().message.ends_with(says), "{text}: {says}");
        }
        assert!(parse_actions("raw alice !!").unwrap_err().message.contains("base64url"));
        assert!(parse_actions("frame alice !!").unwrap_err().message.contains("frame bytes are not base64url"));
        assert_eq!(parse_actions(" , ~ ").unwrap(), vec![]);
    }

    #[test]
    fn numbers_at_their_limits_are_refused_or_clamped() {
        assert!(parse_actions("page alice 4294967296").unwrap_err().message.contains("whole number"));
        assert!(parse_actions("load 70000 1").unwrap_err().message.contains("too many users"));
        assert!(parse_actions("wait 18446744073709551615s").unwrap_err().message.contains("a year"));
        assert!(parse_actions("wait 99999999999999999999").unwrap_err().message.contains("duration"));
        let skew = parse_actions("skew 1 -9223372036854775808, skew 1 9223372036854775807ms").unwrap();
        assert_eq!(skew, [Action::Skew { server: 1, ms: -YEAR_MS }, Action::Skew { server: 1, ms: YEAR_MS }]);
        let empty = [Action::Raw { user: User::Carol, text: String::new() }];
        assert_eq!(parse_actions(&url_form(&empty)).unwrap(), empty, "empty text has no third word");
        let e = parse_actions(&format!("fly\u{202E}{}", "x".repeat(100))).unwrap_err();
        assert!(e.to_string().len() < 200 && e.to_string().contains("\\u{202e}"), "{e}");
    }
}
