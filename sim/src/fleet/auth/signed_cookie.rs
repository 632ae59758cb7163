//! Signed-cookie sessions: the session itself, HMAC-signed, in the cookie.
//! Servers keep nothing, so nothing can be revoked before it expires.

use super::{welcome, Hold, Principal};
use crate::base::time::human_duration;
use crate::fleet::config::SIGNED_COOKIE;
use crate::fleet::handling::Ctx;
use crate::fleet::store::Session;
use crate::wire::cookie::{cookie_value, SetCookie};
use crate::wire::http::{Request, Response};
use crate::wire::jwt::Key;

pub(super) fn issue(cx: &mut Ctx, session: &Session) -> Response {
    let value = cx.sign_cookie(session);
    cx.trace.say(|| {
        format!("signed the session itself into the cookie ({} bytes); nothing stored on the server", value.len())
    });
    let mut r = cx.respond(200, welcome(session));
    r.headers.push("Set-Cookie", SetCookie::session(SIGNED_COOKIE, value).to_string());
    r
}

pub(super) fn recognise(cx: &mut Ctx, req: &Request) -> Result<Principal, Response> {
    let Some(value) = req.headers.get("Cookie").and_then(|c| cookie_value(c, SIGNED_COOKIE)) else {
        return Err(cx.unauthorized(|| format!("no {SIGNED_COOKIE} cookie: not logged in")));
    };
    let session = open_signed_cookie(value, &cx.backend.keys).map_err(|why| {
        let why = why.to_owned();
        cx.unauthorized(|| format!("signed cookie rejected: {why}"))
    })?;
    if session.expires <= cx.now {
        return Err(cx.unauthorized(|| format!("signed cookie expired at {}", session.expires)));
    }
    cx.trace.say(|| format!("verified the cookie's HMAC with the fleet key — no lookup; user {}", session.user));
    Ok(Principal {
        user: session.user.clone(),
        name: session.name.clone(),
        role: session.role.clone(),
        hold: Hold::Cookie(session),
    })
}

/// Checks and decodes a signed-cookie session: `base64url(json).base64url(hmac)`.
pub(crate) fn open_signed_cookie(value: &str, keys: &[Key]) -> Result<Session, &'static str> {
    let (payload, sig) = value.split_once('.').ok_or("no signature part")?;
    let sig = crate::wire::b64::decode(sig).ok_or("signature is not base64url")?;
    if !keys.iter().any(|k| k.verify(payload, &sig)) {
        return Err("HMAC does not match: the cookie was edited or signed with another key");
    }
    let json = crate::wire::b64::decode(payload).ok_or("payload is not base64url")?;
    std::str::from_utf8(&json).ok().and_then(|j| Session::from_json(j).ok()).ok_or("payload is not a session")
}

/// Logout can only ask the browser to drop the cookie: a copy stays valid until it expires.
pub(super) fn revoke(cx: &mut Ctx, s: &Session, r: &mut Response) {
    let left = s.expires.0.saturating_sub(cx.now.0) / 1000;
    cx.trace.say(|| format!("asked the browser to drop the cookie; the server has nothing to delete, so a copy stays valid until it expires ({})", human_duration(left)));
    r.headers.push("Set-Cookie", SetCookie::session(SIGNED_COOKIE, "").deleted().to_string());
    cx.cost.revocation_window_s = Some(left);
}
