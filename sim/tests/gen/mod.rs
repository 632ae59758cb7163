//! Input generators shared by the parser properties
//! (`tests/formats/parsers.rs`) and the fuzz run (`tests/formats/fuzz.rs`,
//! driven by `cargo xtask fuzz`); `tests/formats/main.rs` declares this module
//! with `#[path]`, and any other test binary may do the same. They aim past
//! the first check of each parser: tokens are validly signed so their claims
//! get read, headers and requests are mostly well formed so framing rules
//! get exercised, and every generated text may then be mutated by hand-style
//! edits. Each generated value carries what it was built from, so properties
//! can state the verdict independently of the parser.

use proptest::prelude::*;
use proptest::sample::Index;
use statelab_sim::base::{SimTime, MAX_SECS, START};
use statelab_sim::wire::ftp::{self, Arg, Reply, Verb};
use statelab_sim::wire::jwt::{Key, MAX_TOKEN_BYTES};
use statelab_sim::wire::pg::{self, Backend, Column, Frontend, TxStatus};
use statelab_sim::wire::ws::{self, Frame, Opcode, Sender};
use statelab_sim::{Action, User};

/// The server clock tokens are checked against, unless a test picks another.
pub const NOW: u64 = START.secs();

/// The keys every generated token is checked against.
pub fn fleet() -> [Key; 2] {
    [Key::new("k1", "statelab-fleet-key"), Key::new("k2", "rotated-key")]
}

/// Up to three edits of `text` as a user might make them: a character
/// deleted or typed, a span doubled, the rest cut off.
pub fn mutated(text: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (text, prop::collection::vec((0u8..4, any::<Index>(), any::<Index>(), "\\PC{0,3}|[;,=:.~&%\"\\\\\r\n ]"), 0..3))
        .prop_map(|(mut text, edits)| {
            for (kind, at, to, typed) in edits {
                let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let a = bounds[at.index(bounds.len())];
                let b = bounds[to.index(bounds.len())].max(a);
                match kind {
                    0 => text.replace_range(a..b, ""),
                    1 => text.insert_str(a, &typed),
                    2 => {
                        let span = text[a..b].to_owned();
                        text.insert_str(a, &span);
                    }
                    _ => text.truncate(a),
                }
            }
            text
        })
}

/// Sometimes the text as built, sometimes edited by hand.
pub fn maybe_mutated(text: impl Strategy<Value = String> + 'static) -> impl Strategy<Value = String> {
    let text = text.boxed();
    prop_oneof![3 => text.clone(), 1 => mutated(text)]
}

// ---------------------------------------------------------------- JWT

/// A claim's value: a whole number (a time only up to [`MAX_SECS`]) or any
/// other JSON text, which is never a time.
#[derive(Clone, Debug)]
pub enum Claim {
    Whole(u64),
    Other(String),
}

impl Claim {
    pub fn json(&self) -> String {
        match self {
            Claim::Whole(n) => n.to_string(),
            Claim::Other(text) => text.clone(),
        }
    }

    /// The time it names, if it is one.
    pub fn time(&self) -> Option<u64> {
        match *self {
            Claim::Whole(n) if n <= MAX_SECS => Some(n),
            _ => None,
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn claim() -> impl Strategy<Value = Claim> {
    prop_oneof![
        4 => (NOW - 3_000..NOW + 3_000).prop_map(Claim::Whole),
        2 => prop::sample::select(vec![0, 1, MAX_SECS, MAX_SECS + 1, u64::MAX / 1000, u64::MAX - 29, u64::MAX])
            .prop_map(Claim::Whole),
        1 => any::<u64>().prop_map(Claim::Whole),
        1 => (i64::MIN..0).prop_map(|n| Claim::Other(n.to_string())),
        1 => "[1-9][0-9]{20,60}".prop_map(Claim::Other),
        1 => prop::sample::select(vec!["1e308", "-1e308", "1E400", "0.5", "-0", "1768468500.0", "1.7684685e9"])
            .prop_map(|s| Claim::Other(s.to_owned())),
        1 => any::<f64>().prop_map(|f| Claim::Other(serde_json::to_string(&f).expect("floats serialise"))),
        1 => "\\PC{0,12}".prop_map(|s| Claim::Other(json_string(&s))),
        1 => prop::sample::select(vec![
            "null", "true", "[]", "{}", "[1768468500]", r#"{"exp":1768468500}"#,
            r#"{"a":[{"b":{"c":[null,1e308,"\u202e"]}}]}"#,
        ])
        .prop_map(|s| Claim::Other(s.to_owned())),
    ]
}

/// A string member (`sub`, `name`, `role`, `jti`): its JSON text, and whether
/// that text is a string.
fn text_member() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        8 => "\\PC{0,10}".prop_map(|s| (json_string(&s), true)),
        1 => Just(("1".to_owned(), false)),
        1 => Just(("null".to_owned(), false)),
    ]
}

/// A validly shaped, usually validly signed token, and everything needed
/// to say whether the fleet must accept it.
#[derive(Clone, Debug)]
pub struct SignedToken {
    pub token: String,
    pub now: u64,
    /// alg is HS256 and the kid (or its absence) names a key of [`fleet`].
    pub header_ok: bool,
    pub signature_ok: bool,
    /// `sub`, `name`, `role` and `jti` are all present and strings.
    pub texts_ok: bool,
    pub duplicate: bool,
    pub iat: Option<Claim>,
    pub exp: Option<Claim>,
    pub nbf: Option<Claim>,
}

impl SignedToken {
    /// What the fleet must decide, from how the token was built.
    pub fn must_accept(&self) -> bool {
        let time = |c: &Option<Claim>| c.as_ref().and_then(Claim::time);
        let (Some(_), Some(exp)) = (time(&self.iat), time(&self.exp)) else { return false };
        let nbf_ok = match &self.nbf {
            None => true,
            Some(c) => c.time().is_some_and(|nbf| self.now.saturating_add(30) >= nbf),
        };
        self.token.len() <= MAX_TOKEN_BYTES
            && self.header_ok
            && self.signature_ok
            && self.texts_ok
            && !self.duplicate
            && nbf_ok
            && self.now < exp + 30
    }
}

pub fn signed_token() -> impl Strategy<Value = SignedToken> {
    // Half the tokens are sound but for their times, so verdicts often hinge
    // on the claims; the rest vary every part.
    let sound = (
        (Just("HS256"), prop::sample::select(vec![None, Some("k1"), Some("k2")])),
        (
            prop::collection::vec("[a-z]{1,8}".prop_map(|s| Some((json_string(&s), true))), 4),
            (NOW - 2_000..NOW + 200).prop_map(|t| Some(Claim::Whole(t))),
            (NOW - 200..NOW + 2_000).prop_map(|t| Some(Claim::Whole(t))),
            prop::option::weighted(0.3, (NOW - 200..NOW + 200).prop_map(Claim::Whole)),
            prop::collection::vec("\\PC{0,12}", 0..3),
        ),
        any::<bool>(),
        Just(false),
        Just(false),
        Just(NOW),
    );
    let header = (
        prop::sample::select(vec!["HS256", "HS256", "HS256", "none", "HS512", "hs256"]),
        prop::sample::select(vec![None, Some("k1"), Some("k2"), Some("k9")]),
    );
    let members = (
        prop::collection::vec(prop::option::weighted(0.95, text_member()), 4),
        prop::option::weighted(0.9, claim()),
        prop::option::weighted(0.9, claim()),
        prop::option::weighted(0.3, claim()),
        prop::collection::vec(prop_oneof![9 => "\\PC{0,12}", 1 => (0usize..12_000).prop_map(|n| "x".repeat(n))], 0..4),
    );
    let now = prop_oneof![8 => Just(NOW), 4 => NOW - 4_000..NOW + 4_000, 1 => Just(0u64), 1 => Just(u64::MAX), 1 => any::<u64>()];
    let any_part = (header, members, any::<bool>(), prop::bool::weighted(0.1), prop::bool::weighted(0.1), now);
    prop_oneof![sound.boxed(), any_part.boxed()].prop_map(
        |((alg, kid), (texts, iat, exp, nbf, extra), with_typ, duplicate, forged, now)| {
            let mut head = format!("{{\"alg\":{}", json_string(alg));
            if with_typ {
                head.push_str(",\"typ\":\"JWT\"");
            }
            if let Some(kid) = kid {
                head.push_str(&format!(",\"kid\":{}", json_string(kid)));
            }
            head.push('}');
            let mut body = Vec::new();
            for (name, member) in ["sub", "name", "role", "jti"].iter().zip(&texts) {
                if let Some((text, _)) = member {
                    body.push(format!("\"{name}\":{text}"));
                }
            }
            for (name, claim) in [("iat", &iat), ("exp", &exp), ("nbf", &nbf)] {
                if let Some(c) = claim {
                    body.push(format!("\"{name}\":{}", c.json()));
                }
            }
            for (i, value) in extra.iter().enumerate() {
                body.push(format!("\"x{i}\":{}", json_string(value)));
            }
            // A second `sub` is a duplicate only when there is a first.
            let duplicate = duplicate && texts[0].is_some();
            if duplicate {
                body.push("\"sub\":\"again\"".to_owned());
            }
            let payload = format!("{{{}}}", body.join(","));
            let fleet = fleet();
            let key = if kid == Some("k2") { &fleet[1] } else { &fleet[0] };
            let input = format!(
                "{}.{}",
                statelab_sim::wire::b64::encode(head.as_bytes()),
                statelab_sim::wire::b64::encode(payload.as_bytes())
            );
            let mut signature = key.sign(&input);
            if forged {
                signature[0] ^= 1;
            }
            SignedToken {
                token: format!("{input}.{}", statelab_sim::wire::b64::encode(&signature)),
                now,
                header_ok: alg == "HS256" && kid != Some("k9"),
                signature_ok: !forged,
                texts_ok: texts.iter().all(|m| m.as_ref().is_some_and(|(_, is_string)| *is_string)),
                duplicate,
                iat,
                exp,
                nbf,
            }
        },
    )
}

// ---------------------------------------------------------------- Set-Cookie

/// One attribute of a `Set-Cookie`, as written.
#[derive(Clone, Debug)]
pub enum Attr {
    MaxAge(String),
    /// An IMF-fixdate of a real instant.
    Expires(SimTime),
    /// Text that is not an IMF-fixdate.
    ExpiresGarbage(String),
    Path(String),
    Domain(String),
    Flag(&'static str),
    SameSite(String),
    Unknown(String),
}

impl Attr {
    fn text(&self, name_case: u8) -> String {
        let name = |n: &str| match name_case {
            0 => n.to_owned(),
            1 => n.to_ascii_lowercase(),
            _ => n.to_ascii_uppercase(),
        };
        match self {
            Attr::MaxAge(v) => format!("{}={v}", name("Max-Age")),
            Attr::Expires(t) => format!("{}={}", name("Expires"), t.http_date()),
            Attr::ExpiresGarbage(v) => format!("{}={v}", name("Expires")),
            Attr::Path(v) => format!("{}={v}", name("Path")),
            Attr::Domain(v) => format!("{}={v}", name("Domain")),
            Attr::Flag(f) => name(f),
            Attr::SameSite(v) => format!("{}={v}", name("SameSite")),
            Attr::Unknown(v) => v.clone(),
        }
    }
}

fn attr() -> impl Strategy<Value = Attr> {
    prop_oneof![
        3 => prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            (-100i64..100_000).prop_map(|n| n.to_string()),
            prop::sample::select(vec![
                "99999999999999999999", "-99999999999999999999", "18446744073709551616", "", "-", "+5", "1e3",
                " 60 ", "0x10", "٣", "60s",
            ])
            .prop_map(str::to_owned),
        ]
        .prop_map(Attr::MaxAge),
        2 => (0..=MAX_SECS).prop_map(|s| Attr::Expires(SimTime::from_secs(s).expect("bounded above"))),
        1 => prop_oneof![
            "[a-zA-Z0-9 ,:-]{0,30}",
            Just("Thu, 01 Jan 9223372036854775807 00:00:00 GMT".to_owned()),
            Just("Sat, 01 Jan 10000 00:00:00 GMT".to_owned()),
            Just("Wed, 31 Dec 1969 23:59:59 GMT".to_owned()),
        ]
        .prop_map(Attr::ExpiresGarbage),
        1 => "(/[a-z]{0,5}){0,3}|[a-z]{0,4}".prop_map(Attr::Path),
        1 => "\\.{0,2}[a-zA-Z.]{0,12}".prop_map(Attr::Domain),
        2 => prop::sample::select(vec!["Secure", "HttpOnly", "Partitioned"]).prop_map(Attr::Flag),
        1 => "Strict|Lax|None|strict|NONE|bogus|".prop_map(Attr::SameSite),
        1 => "[A-Za-z-]{1,8}(=[a-z0-9 ]{0,6})?"
            .prop_filter("unknown to both parsers", |a| {
                let name = a.split('=').next().unwrap_or("");
                !["path", "domain", "expires", "max-age", "secure", "httponly", "samesite", "partitioned"]
                    .iter()
                    .any(|known| name.eq_ignore_ascii_case(known))
            })
            .prop_map(Attr::Unknown),
    ]
}

/// A `Set-Cookie` value and the attributes it was written from.
#[derive(Clone, Debug)]
pub struct SetCookieText {
    pub text: String,
    pub attrs: Vec<Attr>,
}

pub fn set_cookie() -> impl Strategy<Value = SetCookieText> {
    (
        "[A-Za-z0-9_]{1,8}|[ A-Za-z_]{0,3}",
        "[A-Za-z0-9._~-]{0,16}| ?\"[a-z]{0,4}\" ?",
        prop::collection::vec((attr(), 0u8..3), 0..8),
        prop_oneof![4 => Just(0usize), 1 => 0usize..9_000],
    )
        .prop_map(|(name, value, attrs, padding)| {
            let mut text = format!("{name}={value}{}", "v".repeat(padding));
            for (a, case) in &attrs {
                text.push_str("; ");
                text.push_str(&a.text(*case));
            }
            SetCookieText { text, attrs: attrs.into_iter().map(|(a, _)| a).collect() }
        })
}

// ---------------------------------------------------------------- raw requests

/// A header line of a typed request.
#[derive(Clone, Debug)]
pub enum Field {
    Host(String),
    ContentLength(String),
    TransferEncoding(String),
    Other(String, String),
}

impl Field {
    fn line(&self) -> String {
        match self {
            Field::Host(v) => format!("Host: {v}"),
            Field::ContentLength(v) => format!("Content-Length:{v}"),
            Field::TransferEncoding(v) => format!("Transfer-Encoding: {v}"),
            Field::Other(n, v) => format!("{n}: {v}"),
        }
    }
}

/// A typed request built from a list of header lines.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub text: String,
    pub fields: Vec<Field>,
    pub body: String,
}

impl RawRequest {
    /// RFC 9112 framing as the editor applies it: one Host, no
    /// Transfer-Encoding, at most one Content-Length of 1*DIGIT equal to the
    /// body's length, and no body without it.
    pub fn framing_ok(&self) -> bool {
        let count = |f: fn(&Field) -> bool| self.fields.iter().filter(|x| f(x)).count();
        let lengths: Vec<&str> = self
            .fields
            .iter()
            .filter_map(|f| match f {
                Field::ContentLength(v) => Some(v.trim_matches([' ', '\t'])),
                _ => None,
            })
            .collect();
        let length_ok = match lengths[..] {
            [] => self.body.is_empty(),
            [v] => !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && v.parse() == Ok(self.body.len()),
            _ => false,
        };
        count(|f| matches!(f, Field::Host(_))) == 1
            && count(|f| matches!(f, Field::TransferEncoding(_))) == 0
            && length_ok
    }
}

fn field(body_len: usize) -> impl Strategy<Value = Field> {
    prop_oneof![
        3 => "[a-z.]{0,12}(:[0-9]{1,5})?".prop_map(Field::Host),
        2 => prop_oneof![
            3 => Just(format!(" {body_len}")),
            1 => (0usize..50).prop_map(|n| format!(" {n}")),
            1 => prop::sample::select(vec![
                " +2", " -1", " 2 2", " 0x2", "", " ", "\t 3 ", " 2, 2", " 99999999999999999999999", " 1e1", " ٣",
            ])
            .prop_map(str::to_owned),
        ]
        .prop_map(Field::ContentLength),
        1 => "chunked|gzip, chunked|identity|chunked, chunked|".prop_map(Field::TransferEncoding),
        4 => other_field(),
    ]
}

/// Any header but the framing ones, which are generated as such.
fn other_field() -> impl Strategy<Value = Field> {
    ("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~]{0,20}")
        .prop_filter("not a framing header", |(n, _)| {
            !["host", "content-length", "transfer-encoding"].iter().any(|f| n.eq_ignore_ascii_case(f))
        })
        .prop_map(|(n, v)| Field::Other(n, v))
}

/// Host, other headers and, for a body, its Content-Length, in any order.
fn sound_fields(body_len: usize) -> impl Strategy<Value = Vec<Field>> {
    let others = prop::collection::vec(other_field(), 0..5);
    let length =
        if body_len == 0 { prop::option::weighted(0.3, Just(0)).boxed() } else { Just(Some(body_len)).boxed() };
    ("[a-z.]{1,12}", others, length)
        .prop_map(|(host, mut fields, length)| {
            fields.push(Field::Host(host));
            fields.extend(length.map(|n| Field::ContentLength(format!(" {n}"))));
            fields
        })
        .prop_shuffle()
}

pub fn raw_request() -> impl Strategy<Value = RawRequest> {
    ("[ -~]{0,24}", "GET|POST|PUT|DELETE", "/[a-zA-Z0-9/?=&_.-]{0,16}", any::<bool>(), any::<bool>())
        .prop_flat_map(|(body, method, target, crlf, blank)| {
            let fields =
                prop_oneof![sound_fields(body.len()).boxed(), prop::collection::vec(field(body.len()), 0..8).boxed()];
            (fields, Just((body, method, target, crlf, blank)))
        })
        .prop_map(|(fields, (body, method, target, crlf, blank))| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("{method} {target} HTTP/1.1");
            for f in &fields {
                text.push_str(eol);
                text.push_str(&f.line());
            }
            if blank || !body.is_empty() {
                text.push_str(eol);
                text.push_str(eol);
                text.push_str(&body);
            }
            RawRequest { text, fields, body }
        })
}

// ---------------------------------------------------------------- notation, links, JSON

fn user() -> impl Strategy<Value = User> {
    prop::sample::select(User::ALL.to_vec())
}

/// Actions whose numbers sit at the limits notation allows.
pub fn extreme_action() -> impl Strategy<Value = Action> {
    const YEAR_MS: i64 = 366 * 86_400_000;
    let edge_u32 = prop::sample::select(vec![0, 1, u32::MAX - 1, u32::MAX]);
    prop_oneof![
        (user(), edge_u32.clone()).prop_map(|(user, page)| Action::OrdersPage { user, page }),
        (user(), edge_u32.clone()).prop_map(|(user, seq)| Action::Replay { user, seq }),
        (prop::sample::select(vec![0, 1, u16::MAX]), edge_u32)
            .prop_map(|(users, requests)| Action::Load { users, requests }),
        (any::<u8>(), prop_oneof![Just(YEAR_MS), Just(-YEAR_MS), -YEAR_MS..=YEAR_MS, Just(0)])
            .prop_map(|(server, ms)| Action::Skew { server, ms }),
        prop_oneof![Just(YEAR_MS as u64), Just(0), 0..=YEAR_MS as u64].prop_map(|ms| Action::Advance { ms }),
        any::<u8>().prop_map(|server| Action::Crash { server }),
        (user(), "\\PC{0,40}").prop_map(|(user, text)| Action::Raw { user, text }),
    ]
}

const NOTATION_WORDS: &[&str] = &[
    "login",
    "me",
    "add",
    "cart",
    "page",
    "next",
    "logout",
    "tamper",
    "edit",
    "replay",
    "raw",
    "crash",
    "restart",
    "store",
    "down",
    "up",
    "skew",
    "rotate",
    "keep",
    "drop",
    "add-server",
    "remove-server",
    "wait",
    "load",
    "alice",
    "bob",
    "carol",
    "wrong",
    "none",
    "role=admin",
    "S1",
    "10s",
    "16m",
    "1h",
    "2d",
    "-60",
    "4294967296",
    "18446744073709551615",
    "-9223372036854775808",
    "9999999999999999999999ms",
    "R0VUIC8gSFRUUC8xLjE",
    ",",
    "~",
    ".",
];

/// Notation text: real action lists, word salad from its vocabulary, or either edited.
pub fn notation_text() -> impl Strategy<Value = String> {
    let real = prop::collection::vec(extreme_action(), 0..6).prop_map(|a| statelab_sim::text::url_form(&a));
    let salad = prop::collection::vec(prop::sample::select(NOTATION_WORDS), 0..12).prop_map(|w| w.join(" "));
    maybe_mutated(prop_oneof![real, salad])
}

/// A share-link query: known keys with plausible, extreme or odd values.
pub fn link_query() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        prop::sample::select(vec![
            "sticky-crash",
            "1",
            "0",
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "dark",
            "both",
            "a",
            "local.sticky.3",
            "jwt-deny.rr.2.4.900",
            "shared.sticky.4.12",
            "jwt.rr.255.4294967295.4294967296",
            "%",
            "%zz",
            "%E2%80%AE",
            "",
        ])
        .prop_map(str::to_owned),
        notation_text(),
        "[a-z0-9.%~-]{0,16}",
    ];
    let key = prop::sample::select(vec!["scenario", "step", "seed", "a", "b", "log", "embed", "theme", "lanes", "x"]);
    maybe_mutated(
        prop::collection::vec((key, value), 0..8)
            .prop_map(|kv| kv.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")),
    )
}

fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,4})?",
        "\\PC{0,8}".prop_map(|s| json_string(&s)),
        Just("\"\\ud83d\\ude00\\u0000\\/\"".to_owned()),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-z]{0,3}", inner), 0..6).prop_map(|m| {
                let members: Vec<String> = m.iter().map(|(k, v)| format!("{}:{v}", json_string(k))).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// JSON text: nested values (with duplicate names now and then), deep
/// nesting at the limit, or either edited.
pub fn json_text() -> impl Strategy<Value = String> {
    maybe_mutated(prop_oneof![
        8 => json_value(),
        1 => (120usize..140).prop_map(|n| format!("{}1{}", "[".repeat(n), "]".repeat(n))),
    ])
}

// ---------------------------------------------------------------- WebSocket frames

/// Up to three edits of bytes as corruption or a hand edit makes them: a bit
/// flipped, a byte overwritten, bytes typed in, a span deleted, the rest cut off.
pub fn mutated_bytes(bytes: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let edit = (0u8..5, any::<Index>(), any::<Index>(), any::<u8>(), prop::collection::vec(any::<u8>(), 1..4));
    (bytes, prop::collection::vec(edit, 1..4)).prop_map(|(mut bytes, edits)| {
        for (kind, at, to, byte, typed) in edits {
            let a = at.index(bytes.len() + 1);
            let b = to.index(bytes.len() + 1).max(a);
            match (kind, bytes.get_mut(a)) {
                (0, Some(slot)) => *slot ^= 1 << (byte % 8),
                (1, Some(slot)) => *slot = byte,
                (2, _) => drop(bytes.splice(a..a, typed)),
                (3, _) => drop(bytes.drain(a..b)),
                _ => bytes.truncate(a),
            }
        }
        bytes
    })
}

/// A payload length that sits on or next to the boundaries of the three
/// length forms (125/126, 65535/65536) more often than chance would put it.
/// Long payloads are rare so the fuzz run stays fast.
pub fn payload_len() -> impl Strategy<Value = usize> {
    prop_oneof![
        16 => 0usize..=130,
        2 => prop::sample::select(vec![124, 125, 126, 127, 65534, 65535, 65536, 65537]),
        2 => 131usize..=2000,
        1 => 2000usize..=70_000,
    ]
}

/// `len` bytes from `seed`: cheap to make at any length (proptest would
/// draw a 64 KiB vector one byte at a time), and different for each seed.
pub fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            // xorshift64: a full-period generator in three lines.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// UTF-8 text of exactly `len` bytes: `sample` (any characters) repeated and
/// cut at a character boundary, then padded with ASCII to the length.
pub fn text_of_len(sample: &str, len: usize) -> String {
    let mut text = String::with_capacity(len);
    if !sample.is_empty() {
        while text.len() < len {
            text.push_str(sample);
        }
    }
    let mut end = text.len().min(len);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    while text.len() < len {
        text.push('a');
    }
    text
}

/// Close codes a close frame may carry (RFC 6455 §7.4): the registered
/// ones, and the ends of the library and private ranges.
pub const SENDABLE_CLOSE_CODES: [u16; 20] = [
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3001, 3999, 4000, 4001, 4321, 4998,
    4999,
];

/// A close payload: a sendable code and a reason of up to 123 bytes, or
/// none at all.
fn close_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => Just(vec![]),
        6 => (prop::sample::select(SENDABLE_CLOSE_CODES.to_vec()), "\\PC{0,40}", 0usize..=123).prop_map(|(code, sample, len)| {
            Frame::close(code, &text_of_len(&sample, len)).payload
        }),
    ]
}

/// A valid frame on its own, as [`ws::parse_frame`] must take it: every
/// opcode, every length form, masked or not; data frames final or not.
pub fn ws_frame() -> impl Strategy<Value = Frame> {
    let mask = proptest::option::of(any::<[u8; 4]>());
    let data = (
        prop::sample::select(vec![Opcode::Text, Opcode::Binary, Opcode::Continuation]),
        any::<bool>(),
        payload_len(),
        any::<u64>(),
        "\\PC{1,12}",
    )
        .prop_map(|(opcode, fin, len, seed, sample)| {
            let payload = match opcode {
                Opcode::Text => text_of_len(&sample, len).into_bytes(),
                _ => filler(len, seed),
            };
            Frame { fin, opcode, mask: None, payload }
        });
    let control = prop_oneof![
        (prop::sample::select(vec![Opcode::Ping, Opcode::Pong]), 0usize..=125, any::<u64>())
            .prop_map(|(opcode, len, seed)| Frame { fin: true, opcode, mask: None, payload: filler(len, seed) }),
        close_payload().prop_map(|payload| Frame { fin: true, opcode: Opcode::Close, mask: None, payload }),
    ];
    (prop_oneof![3 => data, 2 => control], mask).prop_map(|(frame, mask)| Frame { mask, ..frame })
}

/// One direction of a connection, as [`ws::parse_frames`] must take it:
/// messages whole or in fragments (text split anywhere, inside characters
/// too), pings and pongs between fragments, and perhaps a close at the end;
/// every frame masked when a client sent it, none when a server did.
#[derive(Clone, Debug)]
pub struct WsStream {
    /// Who sent it.
    pub sender: Sender,
    /// The frames in order.
    pub frames: Vec<Frame>,
    /// The messages they carry, in the order a receiver completes them.
    pub messages: Vec<WsMessage>,
}

/// What a receiver hands its application: a whole data message or a
/// control frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsMessage {
    /// A text message, joined from its fragments.
    Text(String),
    /// A binary message, joined from its fragments.
    Binary(Vec<u8>),
    /// A ping, pong or close.
    Control(Frame),
}

impl WsStream {
    /// Every frame's bytes, one after the other.
    pub fn wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &self.frames {
            f.encode_into(&mut out);
        }
        out
    }
}

/// A data message and where its payload is cut into fragments.
fn ws_message() -> impl Strategy<Value = (WsMessage, Vec<Index>, Vec<Frame>)> {
    let control = (prop::sample::select(vec![Opcode::Ping, Opcode::Pong]), 0usize..=125, any::<u64>())
        .prop_map(|(opcode, len, seed)| Frame { fin: true, opcode, mask: None, payload: filler(len, seed) });
    let message = prop_oneof![
        ("\\PC{1,8}", payload_len()).prop_map(|(sample, len)| WsMessage::Text(text_of_len(&sample, len))),
        (payload_len(), any::<u64>()).prop_map(|(len, seed)| WsMessage::Binary(filler(len, seed))),
        control.clone().prop_map(WsMessage::Control),
    ];
    (message, prop::collection::vec(any::<Index>(), 0..4), prop::collection::vec(control, 0..3))
}

/// See [`WsStream`].
pub fn ws_stream() -> impl Strategy<Value = WsStream> {
    let close = proptest::option::of(close_payload());
    (any::<bool>(), prop::collection::vec(ws_message(), 0..6), close, any::<u64>()).prop_map(
        |(client, messages, close, seed)| {
            let sender = if client { Sender::Client } else { Sender::Server };
            let mut keys = filler(4 * 64, seed).into_iter();
            let mut mask = || client.then(|| [(); 4].map(|_| keys.next().unwrap_or(0)));
            let mut frames = Vec::new();
            let mut delivered = Vec::new();
            for (message, cuts, between) in messages {
                let (opcode, payload) = match &message {
                    WsMessage::Text(t) => (Opcode::Text, t.as_bytes().to_vec()),
                    WsMessage::Binary(b) => (Opcode::Binary, b.clone()),
                    WsMessage::Control(f) => {
                        frames.push(Frame { mask: mask(), ..f.clone() });
                        delivered.push(message);
                        continue;
                    }
                };
                let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(payload.len() + 1)).collect();
                cuts.sort_unstable();
                cuts.dedup();
                cuts.push(payload.len());
                let mut start = 0;
                for (n, &end) in cuts.iter().enumerate() {
                    let fin = n + 1 == cuts.len();
                    let opcode = if n == 0 { opcode } else { Opcode::Continuation };
                    frames.push(Frame { fin, opcode, mask: mask(), payload: payload[start..end].to_vec() });
                    start = end;
                    // Control frames may come between the fragments.
                    if let (false, Some(c)) = (fin, between.get(n)) {
                        frames.push(Frame { mask: mask(), ..c.clone() });
                        delivered.push(WsMessage::Control(c.clone()));
                    }
                }
                delivered.push(message);
            }
            if let Some(payload) = close {
                let frame = Frame { fin: true, opcode: Opcode::Close, mask: None, payload };
                frames.push(Frame { mask: mask(), ..frame.clone() });
                delivered.push(WsMessage::Control(frame));
            }
            WsStream { sender, frames, messages: delivered }
        },
    )
}

/// A header claiming a payload past [`ws::MAX_PAYLOAD`], up to 2^64 - 1 (the
/// top bit set too), with any first byte, masked or not, and a few bytes
/// after it: the parser must refuse it without trying to read or reserve it.
pub fn hostile_header() -> impl Strategy<Value = Vec<u8>> {
    let claim = prop_oneof![
        Just(u64::MAX),
        Just(1 << 63),
        Just((1 << 63) - 1),
        Just(1 << 32),
        Just(u64::from(u32::MAX)),
        Just(ws::MAX_PAYLOAD as u64 + 1),
        (ws::MAX_PAYLOAD as u64 + 1)..=u64::MAX,
    ];
    // Mostly a sound first byte, so the length is what gets judged.
    let b0 = prop_oneof![3 => prop::sample::select(vec![0x81, 0x82, 0x01, 0x02, 0x80, 0x00, 0x88, 0x89, 0x8a]), 1 => any::<u8>()];
    (b0, any::<bool>(), claim, prop::collection::vec(any::<u8>(), 0..16)).prop_map(|(b0, masked, len, rest)| {
        let mut bytes = vec![b0, if masked { 0xFF } else { 0x7F }];
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend(rest);
        bytes
    })
}

/// Frame bytes for the fuzz run, with the verdict they must get when it is
/// known: valid streams (must parse), hostile headers (must be refused), and
/// either mutated (anything but a panic).
pub fn ws_bytes() -> impl Strategy<Value = (Option<bool>, Vec<u8>)> {
    let stream = ws_stream().prop_map(|s| s.wire()).boxed();
    prop_oneof![
        3 => stream.clone().prop_map(|b| (Some(true), b)),
        1 => hostile_header().prop_map(|b| (Some(false), b)),
        3 => mutated_bytes(stream).prop_map(|b| (None, b)),
        1 => mutated_bytes(hostile_header()).prop_map(|b| (None, b)),
    ]
}

// ---------------------------------------------------------------- FTP

/// A command line built from a verb and an argument, as a user might type
/// it: the verb in any case, the argument hostile (spaces anywhere, any
/// Unicode, CR/LF and NUL injection attempts, lengths at the limit), with or
/// without the final CRLF.
#[derive(Clone, Debug)]
pub struct FtpCommandText {
    pub text: String,
    pub verb: Verb,
    /// The argument as built; `None` when nothing follows the verb.
    pub arg: Option<String>,
}

impl FtpCommandText {
    /// Whether the line must parse, from how it was built: the argument the
    /// verb calls for, at most 512 bytes, no CR, LF or NUL (a line may not
    /// smuggle in another), and the form RFC 959, 2428 and 3659 give `TYPE`,
    /// `EPSV` and `REST`.
    pub fn must_accept(&self) -> bool {
        match (self.verb.takes_arg(), &self.arg) {
            (Arg::Required | Arg::Optional, Some(a)) => {
                !a.is_empty()
                    && a.len() <= ftp::MAX_ARG_BYTES
                    && !a.contains(['\r', '\n', '\0'])
                    && arg_form_ok(self.verb, a)
            }
            (Arg::Optional | Arg::None, None) => true,
            _ => false,
        }
    }
}

fn arg_form_ok(verb: Verb, a: &str) -> bool {
    match verb {
        Verb::Type => {
            let forms = ["A", "E", "I", "A N", "A T", "A C", "E N", "E T", "E C"];
            let size = a.get(..2).is_some_and(|l| l.eq_ignore_ascii_case("L "))
                && (3..=5).contains(&a.len())
                && a[2..].bytes().all(|b| b.is_ascii_digit());
            forms.iter().any(|f| f.eq_ignore_ascii_case(a)) || size
        }
        Verb::Rest => {
            let digits = a.trim_start_matches('0');
            a.bytes().all(|b| b.is_ascii_digit())
                && (digits.len() < 20 || (digits.len() == 20 && digits <= "18446744073709551615"))
        }
        Verb::Epsv => ["1", "2", "ALL"].iter().any(|f| f.eq_ignore_ascii_case(a)),
        _ => true,
    }
}

/// Arguments that try to break the line or the parser.
fn ftp_arg() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9._/-]{1,24}",
        2 => "[ a-z./]{0,12}",
        2 => "\\PC{1,16}",
        1 => ("\\PC{1,4}", (ftp::MAX_ARG_BYTES - 3)..=(ftp::MAX_ARG_BYTES + 2))
            .prop_map(|(sample, len)| text_of_len(&sample, len)),
        2 => prop::sample::select(vec![
            "a\r\nDELE b", "big.iso\r\nRETR /etc/passwd", "a\nDELE b", "a\rb", "a\0b", "x\r\n", "\r\nQUIT", "\r",
            "\n", "a\u{2028}b", "a\u{85}b", "\u{202e}osi.gib", "\t", " ", "  ", "a ", " a", "é",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Arguments of the verbs whose argument has a form, sound and not.
fn ftp_formed_arg(verb: Verb) -> BoxedStrategy<String> {
    let forms: Vec<&str> = match verb {
        Verb::Type => {
            vec!["A", "I", "a", "i", "E", "A N", "a t", "E C", "L 8", "l 36", "I N", "X", "L", "L 1234", "AN"]
        }
        Verb::Rest => vec![
            "0",
            "100",
            "18446744073709551615",
            "18446744073709551616",
            "000000000000000000000007",
            "-1",
            "+5",
            "1e3",
            "12x",
            "٣",
        ],
        Verb::Epsv => vec!["1", "2", "ALL", "all", "3", "0", "ALL ", "IPv4"],
        _ => return ftp_arg().boxed(),
    };
    prop_oneof![3 => prop::sample::select(forms).prop_map(str::to_owned), 1 => ftp_arg()].boxed()
}

/// See [`FtpCommandText`].
pub fn ftp_command() -> impl Strategy<Value = FtpCommandText> {
    (prop::sample::select(Verb::ALL.to_vec()), 0u8..10, 0u8..3, any::<bool>())
        .prop_flat_map(|(verb, presence, case, crlf)| {
            // Mostly the argument the verb calls for; now and then the other way.
            let with_arg = match verb.takes_arg() {
                Arg::Required => presence != 0,
                Arg::Optional => presence % 2 == 0,
                Arg::None => presence == 0,
            };
            let arg = if with_arg { ftp_formed_arg(verb).prop_map(Some).boxed() } else { Just(None).boxed() };
            (Just(verb), arg, Just(case), Just(crlf))
        })
        .prop_map(|(verb, arg, case, crlf)| {
            let word: String = match case {
                0 => verb.as_str().to_owned(),
                1 => verb.as_str().to_ascii_lowercase(),
                _ => verb
                    .as_str()
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i % 2 == 0 { c.to_ascii_lowercase() } else { c })
                    .collect(),
            };
            let mut text = word;
            if let Some(arg) = &arg {
                text.push(' ');
                text.push_str(arg);
            }
            if crlf {
                text.push_str("\r\n");
            }
            // An argument ending in CRLF, with no CRLF after it, is the
            // line's own CRLF: the text cannot say otherwise.
            let arg = match arg {
                Some(a) if !crlf && a.ends_with("\r\n") => Some(a[..a.len() - 2].to_owned()),
                arg => arg,
            };
            FtpCommandText { text, verb, arg }
        })
}

/// What [`Reply::multi`] is given: a code and lines, some of which look
/// like the end of the reply (another code and a space, the same code and
/// `-`, digits) or try to break it (CR, LF, NUL).
#[derive(Clone, Debug)]
pub struct FtpReplyParts {
    pub code: u16,
    pub lines: Vec<String>,
}

impl FtpReplyParts {
    pub fn reply(&self) -> Reply {
        let lines: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        Reply::multi(self.code, &lines)
    }
}

/// Reply codes servers send, and any other in 100-599.
fn ftp_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => prop::sample::select(vec![
            110, 120, 125, 150, 200, 202, 211, 212, 213, 214, 215, 220, 221, 225, 226, 227, 229, 230, 250, 257, 331,
            332, 350, 421, 425, 426, 450, 451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552, 553,
        ]),
        1 => 100u16..600,
    ]
}

/// A reply line; `true` puts the reply's own code and a space in front.
fn ftp_reply_line() -> impl Strategy<Value = (bool, String)> {
    prop_oneof![
        6 => "\\PC{0,30}".prop_map(|s| (false, s)),
        2 => "[ -~]{0,30}".prop_map(|s| (false, s)),
        2 => "\\PC{0,12}".prop_map(|s| (true, s)),
        2 => (100u16..1000, prop::sample::select(vec![" ", "-", "", "x", "  "]), "[ -~]{0,12}")
            .prop_map(|(n, sep, rest)| (false, format!("{n}{sep}{rest}"))),
        1 => prop::sample::select(vec![
            "", " ", " EPSV", "a\r\nb", "\r\n221 Goodbye", "\n", "\r", "\0", "a\u{2028}b", "\u{85}", "\u{202e}",
        ])
        .prop_map(|s| (false, s.to_owned())),
    ]
}

/// See [`FtpReplyParts`]: one line, a few, or up to the 64-line limit.
pub fn ftp_reply() -> impl Strategy<Value = FtpReplyParts> {
    let count = prop_oneof![8 => 1usize..8, 1 => 8usize..=ftp::MAX_REPLY_LINES];
    (ftp_code(), count)
        .prop_flat_map(|(code, n)| {
            prop::collection::vec(ftp_reply_line(), n).prop_map(move |lines| FtpReplyParts {
                code,
                lines: lines.into_iter().map(|(own, s)| if own { format!("{code} {s}") } else { s }).collect(),
            })
        })
        // 64 lines of wide characters can pass 8 KiB, now and then.
        .prop_filter("within the parser's bounds", |r| r.reply().to_wire().len() <= ftp::MAX_REPLY_BYTES)
}

/// Replies no bounded reader may take: past 64 lines or 8 KiB without
/// ending, with or without more after.
pub fn ftp_hostile_reply() -> impl Strategy<Value = String> {
    prop_oneof![
        (ftp_code(), (ftp::MAX_REPLY_LINES)..200, any::<bool>()).prop_map(|(code, n, ended)| {
            let mut text = format!("{code}-begun\r\n{}", "more\r\n".repeat(n));
            if ended {
                text.push_str(&format!("{code} End\r\n"));
            }
            text
        }),
        (ftp_code(), (ftp::MAX_REPLY_BYTES - 5)..20_000, "\\PC{1,3}")
            .prop_map(|(code, len, sample)| { format!("{code} {}\r\n", text_of_len(&sample, len)) }),
    ]
}

/// Reply text for the fuzz run, with the verdict it must get when known.
pub fn ftp_reply_text() -> impl Strategy<Value = (Option<bool>, String)> {
    let wire = ftp_reply().prop_map(|r| r.reply().to_wire()).boxed();
    prop_oneof![
        3 => wire.clone().prop_map(|w| (Some(true), w)),
        1 => ftp_hostile_reply().prop_map(|w| (Some(false), w)),
        3 => mutated(wire).prop_map(|w| (None, w)),
        1 => mutated(ftp_hostile_reply()).prop_map(|w| (None, w)),
    ]
}

/// Command lines for the fuzz run, with the verdict they must get when known.
pub fn ftp_command_text() -> impl Strategy<Value = (Option<bool>, String)> {
    prop_oneof![
        3 => ftp_command().prop_map(|c| (Some(c.must_accept()), c.text)),
        1 => mutated(ftp_command().prop_map(|c| c.text)).prop_map(|t| (None, t)),
    ]
}

// ---------------------------------------------------------------- PostgreSQL messages

/// A string a message carries: mostly SQL-ish text, often any characters at
/// all (quotes, bidi overrides, emoji), now and then control characters and
/// NULs, which the encoders cut at (see [`pg_received_frontend`]), and now
/// and then long.
pub fn pg_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-zA-Z0-9_ $;'\"*=(),.]{0,16}",
        4 => "\\PC{0,12}",
        2 => "[\\x00-\\x1f a-z\\x7f]{0,8}",
        1 => ("\\PC{1,6}", 0usize..=3000).prop_map(|(sample, len)| text_of_len(&sample, len)),
    ]
}

/// A name (of a statement, portal or parameter): empty half the time for
/// statements and portals, as the unnamed ones are the common case.
fn pg_name() -> impl Strategy<Value = String> {
    prop_oneof![2 => Just(String::new()), 2 => "[a-z_][a-z0-9_]{0,10}", 1 => pg_text()]
}

/// A Bind parameter or DataRow value: NULL, or text with its length before
/// it (NULs and all), sometimes long enough to make the message big.
fn pg_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        6 => pg_text().prop_map(Some),
        1 => ("\\PC{1,4}", payload_len()).prop_map(|(sample, len)| Some(text_of_len(&sample, len))),
    ]
}

/// A startup message as a client builds it: a user (never empty, so a
/// server would take it), a database or none, and other parameters whose
/// names are never `user` or `database` once cut at a NUL.
pub fn pg_startup() -> impl Strategy<Value = Frontend> {
    // Short enough that six pairs stay under a server's 10,000 bytes.
    let short = || pg_text().prop_map(|t| t.chars().take(100).collect::<String>());
    let param = (short(), short()).prop_map(|(name, value)| {
        let sent = name.split('\0').next().unwrap_or_default();
        // The encoder drops a pair whose name is empty once cut.
        let name = if matches!(sent, "user" | "database") { format!("_{name}") } else { name };
        (name, value)
    });
    let database = prop_oneof![Just(String::new()), "[a-z_][a-z0-9_]{0,10}", short()];
    ("[a-zA-Z_]\\PC{0,15}", database, prop::collection::vec(param, 0..6))
        .prop_map(|(user, database, params)| Frontend::Startup { user, database, params })
}

/// A frontend message after the startup: every kind but Terminate, which
/// ends a stream (see [`pg_client`]), so it comes only here and there.
pub fn pg_frontend() -> impl Strategy<Value = Frontend> {
    prop_oneof![
        4 => pg_text().prop_map(Frontend::Query),
        2 => (pg_name(), pg_text()).prop_map(|(name, sql)| Frontend::Parse { name, sql }),
        3 => (pg_name(), pg_name(), prop::collection::vec(pg_value(), 0..6))
            .prop_map(|(portal, statement, params)| Frontend::Bind { portal, statement, params }),
        2 => (any::<bool>(), pg_name()).prop_map(|(portal, name)| Frontend::Describe { portal, name }),
        2 => (pg_name(), prop_oneof![Just(0u32), any::<u32>()])
            .prop_map(|(portal, max_rows)| Frontend::Execute { portal, max_rows }),
        2 => Just(Frontend::Sync),
        1 => Just(Frontend::Terminate),
    ]
}

fn pg_fields() -> impl Strategy<Value = Vec<(u8, String)>> {
    let code = prop_oneof![
        6 => prop::sample::select(b"SVCMDHPpqWstcdnFLR".to_vec()),
        1 => any::<u8>(), // 0 among them: the encoder leaves such a field out
    ];
    prop::collection::vec((code, pg_text()), 0..7)
}

/// A backend message of every kind this module has.
pub fn pg_backend() -> impl Strategy<Value = Backend> {
    let column = (
        pg_text(),
        prop_oneof![3 => prop::sample::select(vec![16u32, 20, 23, 25, 1043, 2950]), 1 => any::<u32>()],
        prop_oneof![3 => prop::sample::select(vec![-2i16, -1, 1, 4, 8, 16]), 1 => any::<i16>()],
    )
        .prop_map(|(name, type_oid, type_len)| Column { name, type_oid, type_len });
    let status = prop::sample::select(vec![TxStatus::Idle, TxStatus::InTransaction, TxStatus::Failed]);
    prop_oneof![
        1 => Just(Backend::AuthenticationOk),
        2 => (pg_text(), pg_text()).prop_map(|(name, value)| Backend::ParameterStatus { name, value }),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(pid, secret)| Backend::BackendKeyData { pid, secret }),
        3 => status.prop_map(Backend::ReadyForQuery),
        3 => prop::collection::vec(column, 0..6).prop_map(Backend::RowDescription),
        4 => prop::collection::vec(pg_value(), 0..8).prop_map(Backend::DataRow),
        2 => pg_text().prop_map(Backend::CommandComplete),
        1 => Just(Backend::EmptyQueryResponse),
        2 => pg_fields().prop_map(Backend::ErrorResponse),
        1 => pg_fields().prop_map(Backend::NoticeResponse),
        1 => (prop::sample::select(vec!["25P02", "42P01", "40001", "XX000"]), pg_text())
            .prop_map(|(code, message)| Backend::error(code, &message)),
        1 => Just(Backend::ParseComplete),
        1 => Just(Backend::BindComplete),
        1 => Just(Backend::NoData),
    ]
}

fn cut(s: &str) -> String {
    s.split('\0').next().unwrap_or_default().to_owned()
}

/// What a receiver gets of a frontend message: every NUL-terminated string
/// cut at its first NUL, and a startup pair with an empty name left out;
/// length-prefixed values whole. Written here from the module's notes, not
/// from its code.
pub fn pg_received_frontend(m: &Frontend) -> Frontend {
    match m {
        Frontend::Startup { user, database, params } => Frontend::Startup {
            user: cut(user),
            database: cut(database),
            params: params.iter().map(|(n, v)| (cut(n), cut(v))).filter(|(n, _)| !n.is_empty()).collect(),
        },
        Frontend::Query(sql) => Frontend::Query(cut(sql)),
        Frontend::Parse { name, sql } => Frontend::Parse { name: cut(name), sql: cut(sql) },
        Frontend::Bind { portal, statement, params } => {
            Frontend::Bind { portal: cut(portal), statement: cut(statement), params: params.clone() }
        }
        Frontend::Describe { portal, name } => Frontend::Describe { portal: *portal, name: cut(name) },
        Frontend::Execute { portal, max_rows } => Frontend::Execute { portal: cut(portal), max_rows: *max_rows },
        Frontend::Sync | Frontend::Terminate => m.clone(),
    }
}

/// What a receiver gets of a backend message: strings cut at their first
/// NUL, error and notice fields coded 0 left out.
pub fn pg_received_backend(m: &Backend) -> Backend {
    let fields = |fields: &[(u8, String)]| fields.iter().filter(|(c, _)| *c != 0).map(|(c, v)| (*c, cut(v))).collect();
    match m {
        Backend::ParameterStatus { name, value } => Backend::ParameterStatus { name: cut(name), value: cut(value) },
        Backend::RowDescription(columns) => {
            Backend::RowDescription(columns.iter().map(|c| Column { name: cut(&c.name), ..c.clone() }).collect())
        }
        Backend::CommandComplete(tag) => Backend::CommandComplete(cut(tag)),
        Backend::ErrorResponse(f) => Backend::ErrorResponse(fields(f)),
        Backend::NoticeResponse(f) => Backend::NoticeResponse(fields(f)),
        _ => m.clone(),
    }
}

/// A connection's client messages: the startup, then any others, and
/// perhaps a Terminate at the end, never before it.
pub fn pg_client() -> impl Strategy<Value = Vec<Frontend>> {
    (pg_startup(), prop::collection::vec(pg_frontend(), 0..8), any::<bool>()).prop_map(|(startup, rest, terminate)| {
        let mut messages = vec![startup];
        messages.extend(rest.into_iter().filter(|m| *m != Frontend::Terminate));
        if terminate {
            messages.push(Frontend::Terminate);
        }
        messages
    })
}

/// A connection's server messages, in any order.
pub fn pg_server() -> impl Strategy<Value = Vec<Backend>> {
    prop::collection::vec(pg_backend(), 0..10)
}

/// Messages' bytes, one after the other.
pub fn pg_wire<'a>(messages: impl IntoIterator<Item = &'a Frontend>) -> Vec<u8> {
    let mut out = Vec::new();
    messages.into_iter().for_each(|m| m.encode_into(&mut out));
    out
}

/// [`pg_wire`] for the server's side.
pub fn pg_backend_wire<'a>(messages: impl IntoIterator<Item = &'a Backend>) -> Vec<u8> {
    let mut out = Vec::new();
    messages.into_iter().for_each(|m| m.encode_into(&mut out));
    out
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

fn framed(type_byte: Option<u8>, body: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = type_byte.into_iter().collect();
    out.extend_from_slice(&(body.len() as u32 + 4).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The other spellings of a message that real clients write and the reader
/// must take, built byte by byte here, with the message they mean: a Bind
/// with its text format codes written out (none, one for all or one per
/// parameter; any number of result codes, as libpq writes one), and a
/// startup with `user` and `database` anywhere among the parameters and an
/// empty `database` sent or not.
pub fn pg_spelled_frontend() -> impl Strategy<Value = (Vec<u8>, Frontend)> {
    let bind = ("[a-z]{0,4}", "[a-z]{0,4}", prop::collection::vec(pg_value(), 0..5), 0u8..3, 0u16..4).prop_map(
        |(portal, statement, params, form, results)| {
            let mut body = Vec::new();
            cstr(&mut body, &portal);
            cstr(&mut body, &statement);
            let formats = match form {
                0 => 0,
                1 => 1,
                _ => params.len() as u16,
            };
            body.extend_from_slice(&formats.to_be_bytes());
            body.extend(std::iter::repeat_n(0u8, 2 * formats as usize));
            body.extend_from_slice(&(params.len() as u16).to_be_bytes());
            for v in &params {
                match v {
                    Some(v) => {
                        body.extend_from_slice(&(v.len() as i32).to_be_bytes());
                        body.extend_from_slice(v.as_bytes());
                    }
                    None => body.extend_from_slice(&(-1i32).to_be_bytes()),
                }
            }
            body.extend_from_slice(&results.to_be_bytes());
            body.extend(std::iter::repeat_n(0u8, 2 * results as usize));
            (framed(Some(b'B'), &body), Frontend::Bind { portal, statement, params })
        },
    );
    let startup = (
        "[a-z]{1,6}",
        prop_oneof![Just(None), Just(Some(String::new())), "[a-z]{1,6}".prop_map(Some)],
        prop::collection::vec(
            (
                "[a-z_]{1,8}".prop_filter("not user or database", |n| n != "user" && n != "database"),
                "\\PC{0,8}".prop_map(|v| cut(&v)),
            ),
            0..4,
        ),
        any::<Index>(),
        any::<Index>(),
    )
        .prop_map(|(user, database, params, user_at, database_at)| {
            let mut pairs: Vec<(String, String)> = params.clone();
            pairs.insert(user_at.index(pairs.len() + 1), ("user".into(), user.clone()));
            if let Some(db) = &database {
                pairs.insert(database_at.index(pairs.len() + 1), ("database".into(), db.clone()));
            }
            let mut body = pg::PROTOCOL_3_0.to_be_bytes().to_vec();
            for (n, v) in &pairs {
                cstr(&mut body, n);
                cstr(&mut body, v);
            }
            body.push(0);
            (framed(None, &body), Frontend::Startup { user, database: database.unwrap_or_default(), params })
        });
    prop_oneof![bind, startup]
}

/// A header claiming a length no reader may take: past [`pg::MAX_MESSAGE`]
/// (past [`pg::MAX_STARTUP`] for a startup), negative, or below the
/// 4 bytes of the length itself; a known type byte before it most of the
/// time, and a few bytes after. `true` with a startup header.
pub fn pg_hostile_header() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let len = prop_oneof![
        Just(i32::MIN),
        Just(-1i32),
        0i32..4,
        Just(i32::MAX),
        Just(pg::MAX_MESSAGE as i32 + 1),
        (pg::MAX_MESSAGE as i32 + 1)..=i32::MAX,
        i32::MIN..0,
    ];
    let type_byte = prop_oneof![3 => prop::sample::select(b"QPBDESXRKZTCINn12".to_vec()), 1 => any::<u8>()];
    (any::<bool>(), type_byte, len, prop::collection::vec(any::<u8>(), 0..12)).prop_map(|(startup, b, len, rest)| {
        let mut bytes = if startup { vec![] } else { vec![b] };
        let len = if startup && len > 8 { len.max(pg::MAX_STARTUP as i32 + 1) } else { len };
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend(rest);
        (startup, bytes)
    })
}

/// Client bytes for the fuzz run, with the verdict they must get when it
/// is known: whole connections and other spellings (must parse), hostile
/// headers (must be refused), and any of them edited (anything but a panic).
pub fn pg_frontend_bytes() -> impl Strategy<Value = (Option<bool>, Vec<u8>)> {
    let client = pg_client().prop_map(|ms| pg_wire(&ms)).boxed();
    let spelled = pg_spelled_frontend()
        .prop_map(|(bytes, m)| {
            // A spelled Bind follows a startup, as on a connection.
            let mut wire = match m {
                Frontend::Startup { .. } => vec![],
                _ => Frontend::Startup { user: "u".into(), database: String::new(), params: vec![] }.to_wire(),
            };
            wire.extend(bytes);
            wire
        })
        .boxed();
    let hostile = pg_hostile_header()
        .prop_map(|(startup, bytes)| {
            let mut wire = if startup {
                vec![]
            } else {
                Frontend::Startup { user: "u".into(), database: String::new(), params: vec![] }.to_wire()
            };
            wire.extend(bytes);
            wire
        })
        .boxed();
    prop_oneof![
        3 => client.clone().prop_map(|b| (Some(true), b)),
        1 => spelled.clone().prop_map(|b| (Some(true), b)),
        1 => hostile.clone().prop_map(|b| (Some(false), b)),
        3 => mutated_bytes(client).prop_map(|b| (None, b)),
        1 => mutated_bytes(spelled).prop_map(|b| (None, b)),
        1 => mutated_bytes(hostile).prop_map(|b| (None, b)),
    ]
}

/// Server bytes for the fuzz run, as [`pg_frontend_bytes`].
pub fn pg_backend_bytes() -> impl Strategy<Value = (Option<bool>, Vec<u8>)> {
    let server = pg_server().prop_map(|ms| pg_backend_wire(&ms)).boxed();
    let hostile = pg_hostile_header().prop_filter_map("typed headers", |(startup, b)| (!startup).then_some(b)).boxed();
    prop_oneof![
        3 => server.clone().prop_map(|b| (Some(true), b)),
        1 => hostile.clone().prop_map(|b| (Some(false), b)),
        4 => mutated_bytes(server).prop_map(|b| (None, b)),
        1 => mutated_bytes(hostile).prop_map(|b| (None, b)),
    ]
}

/// Narrations an author might write, or an attacker: markup, entities,
/// quotes and JSON escapes, emoji, and text at the length limit.
fn narration() -> impl Strategy<Value = String> {
    prop_oneof![
        // A narration of spaces alone is empty to the reader (a refusal the
        // broken tours test), so a valid one starts with a letter.
        "[a-zA-Z][a-zA-Z ,.']{0,79}",
        prop::sample::select(vec![
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "&lt;b&gt; &amp; \"quoted\" \\ backslash",
            "café ☕ — S1 → S2 🚀",
            "]]></p><p>",
            "{{ title }} ${x} `code`",
        ])
        .prop_map(str::to_owned),
        (1usize..=statelab_sim::tours::LIMITS.say).prop_map(|n| "é".repeat(n)),
    ]
}

/// Actions a generated step can always play, whatever came before: none of
/// them can be refused as doing nothing.
const SAFE_ACTIONS: [&str; 6] = ["login alice", "me alice", "login bob", "me bob", "wait 10s", "cart alice"];

/// What a generated tour was built to get: read as built, or refused at
/// this place (the start of the error's `at`).
#[derive(Clone, Debug)]
pub enum TourVerdict {
    Valid {
        narrations: Vec<String>,
    },
    Refused(String),
    /// Edited by hand: only never panic.
    Unknown,
}

/// A tour file: valid ones with hostile narrations and questions, and ones
/// broken in one known way (a bidi character in a narration, too many
/// steps or actions, an action that does not parse, a narration too long,
/// an unknown header), each carrying where the refusal must point; and
/// any of them edited by hand.
pub fn author_tour() -> impl Strategy<Value = (TourVerdict, String)> {
    let step = (
        prop::collection::vec(prop::sample::select(SAFE_ACTIONS.to_vec()), 1..4),
        narration(),
        prop::option::of((prop::sample::select(vec!["succeeds", "status", "server"]), 1u8..4)),
        prop::sample::subsequence(statelab_sim::tours::HEADERS.to_vec(), 0..3),
    );
    let lanes = prop::sample::select(vec![
        "jwt.rr.3",
        "local.sticky.3",
        "shared.rr.2",
        "signed.iphash.4",
        "chat-pubsub:jwt.leastconn.3",
    ]);
    let built = (lanes.clone(), lanes, prop::collection::vec(step, 1..8), 0u8..8, any::<Index>(), any::<u64>()).prop_map(
        |(a, b, steps, breakage, at, seed)| {
            let n = at.index(steps.len());
            let mut narrations = Vec::new();
            let mut rendered = Vec::new();
            for (actions, say, ask, headers) in &steps {
                let mut actions: Vec<String> = actions.iter().map(|a| json_string(a)).collect();
                let mut step = String::new();
                let mut q = String::new();
                if let Some((about, lanes)) = ask {
                    // The step's last action sends a request in both lanes.
                    actions.push(json_string("me alice"));
                    let named = [(1, "\"A\""), (2, "\"B\"")].iter().filter(|(bit, _)| lanes & bit != 0).map(|(_, l)| *l).collect::<Vec<_>>();
                    q = format!(", \"ask\": {{\"prompt\": {}, \"about\": \"{about}\", \"lanes\": [{}]}}", json_string("Will alice's request succeed?"), named.join(", "));
                }
                let hs = headers.iter().map(|h| json_string(h)).collect::<Vec<_>>().join(", ");
                step.push_str(&format!("{{\"do\": [{}], \"say\": {}, \"highlight\": [{hs}]{q}}}", actions.join(", "), json_string(say)));
                narrations.push(say.clone());
                rendered.push(step);
            }
            let place = format!("step {}", n + 1);
            let verdict = match breakage {
                0 => {
                    let say = json_string(&steps[n].1);
                    rendered[n] = rendered[n].replacen(&say, &json_string(&format!("{}\u{2066}", steps[n].1)), 1);
                    TourVerdict::Refused(format!("{place}, `say`"))
                }
                1 => {
                    let extra = statelab_sim::tours::LIMITS.steps + 1 - rendered.len().min(statelab_sim::tours::LIMITS.steps);
                    // Short steps, so the count is what is over, not the size.
                    rendered.extend(std::iter::repeat_n("{\"do\": [\"wait 10s\"], \"say\": \"x\"}".to_owned(), extra));
                    TourVerdict::Refused("`steps`".into())
                }
                2 => {
                    let many = vec![json_string("wait 10s"); statelab_sim::tours::LIMITS.actions + 1].join(", ");
                    rendered[n] = format!("{{\"do\": [{many}], \"say\": \"x\"}}");
                    TourVerdict::Refused(format!("{place}, `do`"))
                }
                3 => {
                    rendered[n] = "{\"do\": [\"fly alice\"], \"say\": \"x\"}".into();
                    TourVerdict::Refused(format!("{place}, `do` action 1"))
                }
                4 => {
                    let long = json_string(&"x".repeat(statelab_sim::tours::LIMITS.say + 1));
                    rendered[n] = format!("{{\"do\": [\"me alice\"], \"say\": {long}}}");
                    TourVerdict::Refused(format!("{place}, `say`"))
                }
                5 => {
                    rendered[n] = "{\"do\": [\"me alice\"], \"say\": \"x\", \"highlight\": [\"X-Evil\"]}".into();
                    TourVerdict::Refused(format!("{place}, `highlight`"))
                }
                _ => TourVerdict::Valid { narrations },
            };
            let text = format!(
                "{{\"statelab_tour\": 1, \"title\": \"Generated <i>tour</i>\", \"a\": \"{a}\", \"b\": \"{b}\", \"seed\": {seed},\n \"steps\": [\n  {}]}}",
                rendered.join(",\n  ")
            );
            (verdict, text)
        },
    );
    let built = built.boxed();
    prop_oneof![4 => built.clone(), 1 => mutated(built.prop_map(|(_, t)| t)).prop_map(|t| (TourVerdict::Unknown, t))]
}
