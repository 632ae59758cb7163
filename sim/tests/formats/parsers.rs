//! Properties that reach past each parser's first check: validly signed
//! tokens with arbitrary claims, Set-Cookie headers with arbitrary
//! attributes held to the `cookie` crate, typed requests from random header
//! lists held to RFC 9112 framing, notation at its numeric limits, and
//! WebSocket frames of every opcode and length form, whole, in streams,
//! edited and hostile; FTP command lines of every verb with hostile
//! arguments and multi-line replies whose lines look like their end, built,
//! edited and past their bounds; PostgreSQL messages of every kind, with
//! hostile strings, in the other spellings clients write, in streams,
//! edited and with hostile lengths.
//! No `proptest_config` here: 256 cases per property unless `PROPTEST_CASES`
//! says otherwise.

use crate::gen::{self, Attr};
use proptest::prelude::*;
use statelab_sim::base::QUOTED_CHARS;
use statelab_sim::link::Link;
use statelab_sim::text as notation;
use statelab_sim::wire::cookie::SetCookie;
use statelab_sim::wire::ftp::{self, FtpErrorKind};
use statelab_sim::wire::http::parse_request;
use statelab_sim::wire::json::Json;
use statelab_sim::wire::jwt::{self, Rejection};
use statelab_sim::wire::pg::{self, PgError, PgErrorKind};
use statelab_sim::wire::ws::{self, FrameErrorKind};
use statelab_sim::Scenario;

proptest! {
    /// The server (`verify`) and the decoder (`inspect`) never panic, give the
    /// same verdict, and it is the verdict the token was built to get.
    #[test]
    fn signed_tokens_get_the_verdict_their_claims_call_for(t in gen::signed_token()) {
        let fleet = gen::fleet();
        let verdict = jwt::verify(&t.token, &fleet, t.now);
        let seen = jwt::inspect(&t.token, &fleet, t.now);
        prop_assert_eq!(verdict.is_ok(), t.must_accept(), "{:?} for {:?}", verdict, t);
        match (&verdict, &seen) {
            (Ok(_), Ok(i)) => prop_assert_eq!(&i.verdict, &Ok(())),
            (Err(why), Ok(i)) => prop_assert_eq!(&i.verdict, &Err(why.clone())),
            (Err(why), Err(same)) => prop_assert_eq!(why, same),
            (Ok(_), Err(e)) => prop_assert!(false, "inspect refused a token verify accepts: {e}"),
        }
        if let Ok(i) = &seen {
            // The decoder shows a date exactly when the claim is one.
            if !t.duplicate {
                prop_assert_eq!(i.exp, t.exp.as_ref().and_then(gen::Claim::time));
                prop_assert_eq!(i.iat, t.iat.as_ref().and_then(gen::Claim::time));
            }
        }
        if let Err(why) = verdict {
            let text = why.to_string();
            prop_assert!(text.chars().count() < 200 + 2 * QUOTED_CHARS, "{text}");
            if let Rejection::Expired { exp, .. } = why {
                prop_assert_eq!(Some(exp), t.exp.as_ref().and_then(gen::Claim::time));
            }
        }
    }

    /// Where the `cookie` crate defines an attribute, we read it the same way.
    #[test]
    fn set_cookie_attributes_read_like_the_cookie_crate(c in gen::set_cookie()) {
        let ours = SetCookie::parse(&c.text);
        if c.text.len() > statelab_sim::wire::cookie::MAX_COOKIE_BYTES {
            prop_assert_eq!(ours, None);
            return Ok(());
        }
        let theirs = cookie::Cookie::parse(c.text.as_str());
        prop_assert_eq!(ours.is_some(), theirs.is_ok(), "{:?}", c.text);
        let (Some(ours), Ok(theirs)) = (ours, theirs) else { return Ok(()) };
        prop_assert_eq!((ours.name.as_str(), ours.value.as_str()), (theirs.name(), theirs.value()));
        prop_assert_eq!(ours.secure, theirs.secure().unwrap_or(false));
        prop_assert_eq!(ours.http_only, theirs.http_only().unwrap_or(false));
        let same_site = theirs.same_site().map(|s| format!("{s:?}"));
        prop_assert_eq!(ours.same_site.map(|s| format!("{s:?}")), same_site);
        prop_assert_eq!(ours.domain, theirs.domain().map(|d| d.trim_start_matches('.').to_ascii_lowercase()));
        // RFC 6265 §5.2.4: a Path not starting with `/` means the default path;
        // the crate keeps the text as written.
        prop_assert_eq!(ours.path.as_deref(), theirs.path().filter(|p| p.starts_with('/')));
        // The crate reads `Max-Age=` as the largest age and `Max-Age=-` as zero;
        // RFC 6265 §5.2.2 ignores both, as we do.
        let undefined_age = c.attrs.iter().any(|a| matches!(a, Attr::MaxAge(v) if matches!(v.trim(), "" | "-")));
        if !undefined_age {
            prop_assert_eq!(ours.max_age.map(|s| s.max(0)), theirs.max_age().map(|d| d.whole_seconds()));
        }
        let their_expiry = theirs.expires_datetime().map(|t| t.unix_timestamp());
        if let Some(t) = ours.expires {
            // The simulated clock starts at 1970: earlier dates are the epoch.
            prop_assert_eq!(Some(t.secs() as i64), their_expiry.map(|e| e.max(0)));
        } else if !c.attrs.iter().any(|a| matches!(a, Attr::ExpiresGarbage(_))) {
            // The crate also reads older date forms; only IMF-fixdates are generated here.
            prop_assert_eq!(their_expiry, None);
        }
    }

    /// A request is accepted exactly when its framing is sound, and what is
    /// accepted survives the wire; refusals point inside the text.
    #[test]
    fn typed_requests_are_held_to_rfc_9112_framing(r in gen::raw_request()) {
        match parse_request(&r.text) {
            Ok(req) => {
                prop_assert!(r.framing_ok(), "accepted {:?}", r.text);
                prop_assert_eq!(&req.body, &r.body);
                let mut slots = [httparse::EMPTY_HEADER; 64];
                let mut theirs = httparse::Request::new(&mut slots);
                prop_assert!(theirs.parse(req.to_wire().as_bytes()).is_ok_and(|s| s.is_complete()));
                prop_assert_eq!(parse_request(&req.to_wire()), Ok(req));
            }
            Err(e) => {
                prop_assert!(!r.framing_ok(), "{e} for {:?}", r.text);
                prop_assert!(e.line >= 1 && e.line as usize <= r.fields.len() + 3, "{e} for {:?}", r.text);
                prop_assert!(e.column >= 1);
            }
        }
    }

    #[test]
    fn notation_round_trips_numbers_at_their_limits(actions in prop::collection::vec(gen::extreme_action(), 0..10)) {
        let text = notation::url_form(&actions);
        prop_assert_eq!(notation::parse_actions(&text).unwrap(), actions);
    }

    #[test]
    fn hostile_notation_links_and_json_never_panic(n in gen::notation_text(), q in gen::link_query(), j in gen::json_text()) {
        if let Err(e) = notation::parse_actions(&n) {
            prop_assert!(e.to_string().chars().count() < 200 + 2 * QUOTED_CHARS, "{e}");
        }
        let (link, _) = Link::from_query(&q);
        prop_assert!(link.actions.iter().all(|a| statelab_sim::Playground::validate(a).is_ok()));
        if let Ok(v) = Json::parse(&j) {
            prop_assert_eq!(Json::parse(&v.to_text()), Ok(v));
        }
    }

    /// A valid frame parses back to itself from exactly its bytes, whatever
    /// follows it; every proper prefix of it is only incomplete.
    #[test]
    fn websocket_frames_round_trip(frame in gen::ws_frame(), after in prop::collection::vec(any::<u8>(), 0..4)) {
        let mut wire = frame.to_wire();
        let n = wire.len();
        prop_assert_eq!(n, frame.wire_len());
        wire.extend(after);
        prop_assert_eq!(ws::parse_frame(&wire), Ok((frame.clone(), n)));
        for cut in [0, 1, 2, n / 2, n - 1].into_iter().filter(|&cut| cut < n) {
            let e = ws::parse_frame(&wire[..cut]).unwrap_err();
            match e.kind {
                FrameErrorKind::Incomplete { needed, given, exact } => {
                    prop_assert_eq!((e.offset, given), (0, cut));
                    prop_assert!(needed > cut && needed <= n && (!exact || needed == n), "{e}");
                }
                _ => prop_assert!(false, "{e} for the first {cut} of {n} bytes"),
            }
        }
        prop_assert!(frame.describe().len() >= 6);
    }

    /// A stream parses back to its frames, and holds to its sender's masking
    /// and not the other end's.
    #[test]
    fn websocket_streams_round_trip(s in gen::ws_stream()) {
        let wire = s.wire();
        prop_assert_eq!(ws::parse_frames(&wire), Ok(s.frames.clone()));
        prop_assert_eq!(ws::parse_frames_sent_by(&wire, s.sender), Ok(s.frames.clone()));
        let other = match s.sender {
            ws::Sender::Client => ws::Sender::Server,
            ws::Sender::Server => ws::Sender::Client,
        };
        prop_assert_eq!(ws::parse_frames_sent_by(&wire, other).is_ok(), s.frames.is_empty());
    }

    /// Edited bytes never panic the parser. What it accepts has one spelling,
    /// so the frames encode back to exactly the input; a refusal names a byte
    /// inside it.
    #[test]
    fn websocket_edited_bytes_parse_exactly_or_name_a_byte(bytes in gen::mutated_bytes(gen::ws_stream().prop_map(|s| s.wire()))) {
        check_websocket_bytes(&bytes)?;
    }

    /// A header claiming more than the limit (up to 2^64 - 1) is refused from
    /// the header alone, never asked for more bytes.
    #[test]
    fn websocket_hostile_lengths_are_refused_unread(bytes in gen::hostile_header()) {
        let e = ws::parse_frame(&bytes).unwrap_err();
        prop_assert!(e.offset <= 2 && !matches!(e.kind, FrameErrorKind::Incomplete { .. }), "{e}");
        check_websocket_bytes(&bytes)?;
    }

    /// Typed hex reads back what `hex` wrote, and any text gets bytes or an
    /// error that points inside it.
    #[test]
    fn typed_hex_round_trips_or_points_inside(bytes in prop::collection::vec(any::<u8>(), 0..40), text in "([0-9a-fA-F]{1,4}|0[xX]|[ ,\n\tgx])*") {
        prop_assert_eq!(ws::parse_hex(&ws::hex(&bytes)), Ok(bytes));
        if let Err(e) = ws::parse_hex(&text) {
            let line = text.split('\n').nth(e.line as usize - 1);
            prop_assert!(line.is_some_and(|l| e.column >= 1 && e.column as usize <= l.chars().count()), "{e} for {text:?}");
        }
    }
}

proptest! {
    /// A command line parses exactly when it was built sound, to the verb
    /// and argument it was built from, and writes back to the same line with
    /// the verb in upper case; a CR or LF in an argument is refused, never
    /// split into a second command.
    #[test]
    fn ftp_commands_parse_as_built(c in gen::ftp_command()) {
        match ftp::parse_command(&c.text) {
            Ok(cmd) => {
                prop_assert!(c.must_accept(), "accepted {:?} as {:?}", c.text, cmd);
                prop_assert_eq!(cmd.verb, c.verb);
                prop_assert_eq!(&cmd.arg, &c.arg);
            }
            Err(e) => prop_assert!(!c.must_accept(), "{e} for {:?}", c.text),
        }
        check_ftp_command(&c.text)?;
    }

    /// Edited command lines never panic the parser; see [`check_ftp_command`].
    #[test]
    fn ftp_edited_commands_parse_exactly_or_point_inside(text in gen::mutated(gen::ftp_command().prop_map(|c| c.text))) {
        check_ftp_command(&text)?;
    }

    /// A built reply parses back to itself from exactly its bytes, whatever
    /// follows; its lines are the ones given, CR, LF and NUL replaced and a
    /// middle line starting with a digit padded; every proper prefix is only
    /// incomplete; two in a row parse as two.
    #[test]
    fn ftp_replies_round_trip(parts in gen::ftp_reply(), after in gen::ftp_reply(), cut in any::<prop::sample::Index>()) {
        let reply = parts.reply();
        let last = parts.lines.len() - 1;
        for (i, (given, got)) in parts.lines.iter().zip(&reply.lines).enumerate() {
            let clean: String = given.chars().map(|c| if matches!(c, '\r' | '\n' | '\0') { '\u{FFFD}' } else { c }).collect();
            let padded = i > 0 && i < last && clean.starts_with(|c: char| c.is_ascii_digit());
            prop_assert_eq!(got, &if padded { format!(" {clean}") } else { clean });
        }
        let wire = reply.to_wire();
        let next = after.reply();
        let both = format!("{wire}{}", next.to_wire());
        prop_assert_eq!(ftp::parse_reply(&both), Ok((reply.clone(), wire.len())));
        prop_assert_eq!(ftp::parse_replies(&both), Ok(vec![reply.clone(), next]));
        let bounds: Vec<usize> = wire.char_indices().map(|(i, _)| i).collect();
        for end in [0, bounds[cut.index(bounds.len())], wire.len() - 1] {
            let e = ftp::parse_reply(&wire[..end]).unwrap_err();
            prop_assert_eq!(e.kind, FtpErrorKind::Incomplete, "{} for the first {} bytes of {:?}", e, end, wire);
        }
        prop_assert!(!reply.meaning().is_empty());
        prop_assert_eq!(reply.is_positive(), reply.code < 400);
    }

    /// Edited replies never panic the parser; see [`check_ftp_replies`].
    #[test]
    fn ftp_edited_replies_parse_exactly_or_point_inside(text in gen::mutated(gen::ftp_reply().prop_map(|r| r.reply().to_wire()))) {
        check_ftp_replies(&text)?;
    }

    /// Past 64 lines or 8 KiB a reply is refused as too long, never asked
    /// for more, however it goes on.
    #[test]
    fn ftp_hostile_replies_are_refused_unread(text in gen::ftp_hostile_reply()) {
        let e = ftp::parse_reply(&text).unwrap_err();
        prop_assert_eq!(e.kind, FtpErrorKind::Invalid, "{}", e);
        prop_assert!(e.message.contains("at most"), "{}", e);
        check_ftp_replies(&text)?;
    }

    /// Any address and port come back from the 227 reply, read off the wire.
    #[test]
    fn ftp_pasv_round_trips(addr in any::<[u8; 4]>(), port in any::<u16>()) {
        let (reply, _) = ftp::parse_reply(&ftp::pasv_reply(addr, port).to_wire()).unwrap();
        prop_assert_eq!(ftp::parse_pasv(&reply), Ok((addr, port)));
    }
}

/// What holds of any text given to the command parser; shared with the fuzz
/// run. What it accepts is one line with nothing smuggled in, writes back as
/// the text with the verb in upper case and a CRLF, and parses again to
/// itself; a refusal points inside the line (or just after it).
pub fn check_ftp_command(text: &str) -> Result<(), TestCaseError> {
    match ftp::parse_command(text) {
        Ok(cmd) => {
            let wire = cmd.to_wire();
            prop_assert!(!cmd.arg.as_deref().unwrap_or("").contains(['\r', '\n', '\0']), "{cmd:?}");
            prop_assert_eq!(wire.matches("\r\n").count(), 1);
            let typed = text.strip_suffix("\r\n").unwrap_or(text);
            let verb_len = cmd.verb.as_str().len();
            prop_assert!(typed[..verb_len].eq_ignore_ascii_case(cmd.verb.as_str()));
            prop_assert_eq!(&wire[verb_len..], &format!("{}\r\n", &typed[verb_len..]));
            prop_assert_eq!(ftp::parse_command(&wire), Ok(cmd.clone()));
            prop_assert_eq!(format!("{}\r\n", cmd.shown()), wire);
        }
        Err(e) => {
            prop_assert_eq!(e.line, 1);
            prop_assert!(e.column >= 1 && e.column as usize <= text.chars().count() + 1, "{e} for {text:?}");
            prop_assert_eq!(e.kind, FtpErrorKind::Invalid);
            prop_assert!(e.message.chars().count() < 200 + 2 * QUOTED_CHARS, "{e}");
        }
    }
    Ok(())
}

/// What holds of any text given to the reply parser; shared with the fuzz
/// run. Each reply it accepts writes back to exactly the bytes it took
/// (unless a middle line starts with a digit, which a writer pads); a
/// refusal points at a line of the text and a column on it (or just after).
pub fn check_ftp_replies(text: &str) -> Result<(), TestCaseError> {
    let mut at = 0;
    while at < text.len() {
        match ftp::parse_reply(&text[at..]) {
            Ok((reply, taken)) => {
                prop_assert!(taken > 0 && taken <= ftp::MAX_REPLY_BYTES);
                prop_assert!(reply.lines.len() <= ftp::MAX_REPLY_LINES);
                let middle = reply.lines.get(1..reply.lines.len().saturating_sub(1)).unwrap_or_default();
                if !middle.iter().any(|l| l.starts_with(|c: char| c.is_ascii_digit())) {
                    prop_assert_eq!(reply.to_wire(), &text[at..at + taken]);
                }
                at += taken;
            }
            Err(e) => {
                let line = text[at..].split('\n').nth(e.line as usize - 1);
                prop_assert!(line.is_some(), "{e} for {text:?}");
                let width = line.unwrap_or("").chars().count();
                prop_assert!(e.column >= 1 && e.column as usize <= width + 1, "{e} for {text:?}");
                prop_assert!(e.message.chars().count() < 300, "{e}");
                break;
            }
        }
    }
    if let Err(e) = ftp::parse_replies(text) {
        prop_assert!(e.line >= 1 && e.column >= 1, "{e}");
    }
    Ok(())
}

proptest! {
    /// A valid frontend message parses back to what a receiver gets of it
    /// (strings cut at a NUL) from exactly its bytes, whatever follows it;
    /// every proper prefix of it is only incomplete.
    #[test]
    fn pg_frontend_messages_round_trip(
        m in prop_oneof![gen::pg_startup(), gen::pg_frontend()],
        after in prop::collection::vec(any::<u8>(), 0..4),
    ) {
        let startup = m.type_byte().is_none();
        let mut wire = m.to_wire();
        let n = wire.len();
        wire.extend(after);
        prop_assert_eq!(pg::parse_frontend(&wire, startup), Ok((gen::pg_received_frontend(&m), n)));
        check_pg_prefixes(&wire[..n], |b| pg::parse_frontend(b, startup).map(drop))?;
        prop_assert!(m.describe().len() >= 2);
    }

    /// The same of backend messages.
    #[test]
    fn pg_backend_messages_round_trip(m in gen::pg_backend(), after in prop::collection::vec(any::<u8>(), 0..4)) {
        let mut wire = m.to_wire();
        let n = wire.len();
        wire.extend(after);
        prop_assert_eq!(pg::parse_backend(&wire), Ok((gen::pg_received_backend(&m), n)));
        check_pg_prefixes(&wire[..n], |b| pg::parse_backend(b).map(drop))?;
        prop_assert!(m.describe().len() >= 2);
    }

    /// A Bind with its text format codes written out, and a startup with
    /// `user` and `database` anywhere, read as the message they mean, which
    /// then encodes in the one spelling the encoders write.
    #[test]
    fn pg_other_spellings_read_as_meant((bytes, m) in gen::pg_spelled_frontend()) {
        let startup = m.type_byte().is_none();
        prop_assert_eq!(pg::parse_frontend(&bytes, startup), Ok((m.clone(), bytes.len())));
        let wire = m.to_wire();
        prop_assert!(wire.len() <= bytes.len());
        prop_assert_eq!(pg::parse_frontend(&wire, startup), Ok((m, wire.len())));
    }

    /// A connection's client bytes (startup first, Terminate last if at all)
    /// and server bytes parse back to their messages.
    #[test]
    fn pg_streams_round_trip(client in gen::pg_client(), server in gen::pg_server()) {
        let expected: Vec<_> = client.iter().map(gen::pg_received_frontend).collect();
        prop_assert_eq!(pg::parse_frontend_stream(&gen::pg_wire(&client)), Ok(expected));
        let expected: Vec<_> = server.iter().map(gen::pg_received_backend).collect();
        prop_assert_eq!(pg::parse_backend_stream(&gen::pg_backend_wire(&server)), Ok(expected));
    }

    /// Edited bytes never panic either parser. What the backend parser
    /// accepts encodes back to exactly the input; what the frontend parser
    /// accepts encodes to a spelling no longer that parses the same. A
    /// refusal names a byte inside the input.
    #[test]
    fn pg_edited_bytes_parse_exactly_or_name_a_byte(
        client in gen::mutated_bytes(gen::pg_client().prop_map(|c| gen::pg_wire(&c))),
        server in gen::mutated_bytes(gen::pg_server().prop_map(|s| gen::pg_backend_wire(&s))),
    ) {
        check_pg_frontend_bytes(&client)?;
        check_pg_backend_bytes(&server)?;
    }

    /// A length past the limit, negative or below 4 is refused from the
    /// header alone, never asked for more bytes.
    #[test]
    fn pg_hostile_lengths_are_refused_unread((startup, bytes) in gen::pg_hostile_header()) {
        let mut errors = vec![pg::parse_frontend(&bytes, startup).unwrap_err()];
        if !startup {
            errors.push(pg::parse_backend(&bytes).unwrap_err());
        }
        for e in errors {
            prop_assert!(e.offset <= 1 && e.kind == PgErrorKind::Invalid, "{e}");
            check_pg_error(&e, bytes.len())?;
        }
    }
}

/// Every proper prefix of one message's bytes is incomplete, asking for more
/// than it has and no more than the whole (exactly the whole once the length
/// is read).
fn check_pg_prefixes(wire: &[u8], parse: impl Fn(&[u8]) -> Result<(), PgError>) -> Result<(), TestCaseError> {
    let n = wire.len();
    for cut in [0, 1, 4, 5, 8, n / 2, n - 1].into_iter().filter(|&cut| cut < n) {
        let e = parse(&wire[..cut]).unwrap_err();
        match e.kind {
            PgErrorKind::Incomplete { needed, given, exact } => {
                prop_assert_eq!((e.offset, given), (0, cut));
                prop_assert!(needed > cut && needed <= n && (!exact || needed == n), "{e}");
            }
            PgErrorKind::Invalid => prop_assert!(false, "{e} for the first {cut} of {n} bytes"),
        }
    }
    Ok(())
}

/// What holds of any refusal: it names a byte of the input, an incomplete
/// message asks for more than there is, and the words are short.
fn check_pg_error(e: &PgError, len: usize) -> Result<(), TestCaseError> {
    prop_assert!(e.offset <= len, "{e} for {len} bytes");
    if let PgErrorKind::Incomplete { needed, given, .. } = e.kind {
        prop_assert!(needed > given && e.offset.checked_add(given) == Some(len), "{e}");
    }
    prop_assert!(e.to_string().chars().count() < 200 + QUOTED_CHARS, "{e}");
    Ok(())
}

/// What holds of any bytes given to the frontend stream parser; shared with
/// the fuzz run.
pub fn check_pg_frontend_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    match pg::parse_frontend_stream(bytes) {
        Ok(messages) => {
            let again = gen::pg_wire(&messages);
            prop_assert!(again.len() <= bytes.len(), "accepted bytes that encode longer");
            prop_assert_eq!(pg::parse_frontend_stream(&again), Ok(messages));
        }
        Err(e) => check_pg_error(&e, bytes.len())?,
    }
    Ok(())
}

/// What holds of any bytes given to the backend stream parser; shared with
/// the fuzz run. A server's messages have one spelling each.
pub fn check_pg_backend_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    match pg::parse_backend_stream(bytes) {
        Ok(messages) => {
            prop_assert!(gen::pg_backend_wire(&messages) == bytes, "accepted bytes that encode differently")
        }
        Err(e) => check_pg_error(&e, bytes.len())?,
    }
    Ok(())
}

/// What holds of any bytes given to the frame parser; shared with the fuzz run.
pub fn check_websocket_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    match ws::parse_frames(bytes) {
        Ok(frames) => {
            let mut again = Vec::new();
            for f in &frames {
                f.encode_into(&mut again);
            }
            prop_assert!(again == bytes, "accepted bytes that encode differently");
        }
        Err(e) => {
            prop_assert!(e.offset <= bytes.len(), "{e} for {} bytes", bytes.len());
            if let FrameErrorKind::Incomplete { needed, given, .. } = e.kind {
                prop_assert!(needed > given && e.offset.checked_add(given) == Some(bytes.len()), "{e}");
            }
            prop_assert!(e.to_string().len() < 200, "{e}");
        }
    }
    Ok(())
}

proptest! {
    /// An author's tour: valid ones (with markup, entities and emoji in their
    /// narrations) read back exactly, survive the file and the link forms
    /// unchanged, and keep their narrations as text; broken ones are refused
    /// at the step and field they were broken at; none panic.
    #[test]
    fn author_tours_read_or_say_where_they_are_wrong((verdict, text) in gen::author_tour()) {
        let read = Scenario::from_json(&text);
        match verdict {
            gen::TourVerdict::Valid { narrations } => {
                let (s, seed) = read.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let said: Vec<String> = s.steps.iter().map(|st| st.say.to_string()).collect();
                prop_assert_eq!(said, narrations);
                let again = Scenario::from_json(&s.to_json(seed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&again, &(s.clone(), seed));
                prop_assert_eq!(Scenario::from_link(&s.to_link(seed)).ok(), Some((s, seed)));
            }
            gen::TourVerdict::Refused(at) => {
                let e = read.err().ok_or_else(|| TestCaseError::fail("accepted a broken tour"))?;
                prop_assert!(e.at.starts_with(&at), "{} (expected at {})", e, at);
                prop_assert!(!e.message.is_empty());
            }
            gen::TourVerdict::Unknown => {
                if let Err(e) = read {
                    // Refusals are shown on the page: quoted, never raw input.
                    prop_assert!(!e.to_string().chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')), "{}", e);
                }
            }
        }
    }
}
