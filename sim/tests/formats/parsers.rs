//! Properties that reach past each parser's first check: validly signed
//! tokens with arbitrary claims, Set-Cookie headers with arbitrary
//! attributes held to the `cookie` crate, typed requests from random header
//! lists held to RFC 9112 framing, and notation at its numeric limits.
//! No `proptest_config` here: 256 cases per property unless `PROPTEST_CASES`
//! says otherwise.

use crate::gen::{self, Attr};
use proptest::prelude::*;
use statelab_sim::base::QUOTED_CHARS;
use statelab_sim::link::Link;
use statelab_sim::text as notation;
use statelab_sim::wire::cookie::SetCookie;
use statelab_sim::wire::http::parse_request;
use statelab_sim::wire::json::Json;
use statelab_sim::wire::jwt::{self, Rejection};

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
}
