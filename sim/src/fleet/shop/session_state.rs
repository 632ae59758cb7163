//! Where a request's session state lives, for the routes that change it:
//! server memory, the shared store, a signed cookie, or nowhere (a token).

use crate::fleet::auth::{Hold, Principal};
use crate::fleet::config::SIGNED_COOKIE;
use crate::fleet::handling::{short, Ctx};
use crate::fleet::store::{Session, StoreValue};
use crate::wire::cookie::SetCookie;
use crate::wire::http::Response;

/// Runs `f` on the session that holds the cart and cursor, wherever it lives.
pub(super) fn with_session<R>(cx: &mut Ctx, who: &mut Principal, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    match &mut who.hold {
        Hold::Local(id) => cx.server.sessions.get_mut(id.as_str()).map(f),
        Hold::Shared(_, s) | Hold::Cookie(s) => Some(f(s)),
        Hold::Token { .. } | Hold::Opaque(_) | Hold::Key { .. } => None,
    }
}

/// Writes a changed session back where it lives; a signed cookie is re-issued.
pub(super) fn save(cx: &mut Ctx, who: &Principal, response: &mut Response) -> Result<(), Response> {
    match &who.hold {
        Hold::Shared(id, s) => {
            cx.store_trip(|| format!("store SET session:{}…", short(id)))?;
            cx.backend.store.set(format!("session:{id}"), StoreValue::Session(s.clone()), s.expires);
        }
        Hold::Cookie(s) => {
            let value = cx.sign_cookie(s);
            cx.trace.say(|| format!("re-signed the cookie with the new state: now {} bytes", value.len()));
            response.headers.push("Set-Cookie", SetCookie::session(SIGNED_COOKIE, value).to_string());
        }
        Hold::Local(id) => {
            let server = cx.server.name();
            cx.trace.say(|| format!("updated sessions[\"{}…\"] in {server}'s memory", short(id)));
        }
        Hold::Token { .. } | Hold::Opaque(_) | Hold::Key { .. } => {}
    }
    Ok(())
}
