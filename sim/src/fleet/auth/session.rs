//! Stateful authentication: a random session id in `Set-Cookie`, the session
//! kept in the memory of the server that made it, or in the shared store.

use super::{welcome, Hold, Principal};
use crate::base::time::human_duration;
use crate::fleet::config::{Store, SESSION_COOKIE};
use crate::fleet::handling::{short, Ctx, Handled};
use crate::fleet::ledger::{Fate, Kept};
use crate::fleet::store::{Session, StoreValue};
use crate::wire::cookie::{cookie_value, SetCookie};
use crate::wire::http::{Request, Response};

pub(super) fn issue(cx: &mut Ctx, session: Session, store: Store) -> Handled {
    let id = cx.rng.hex128();
    let body = welcome(&session);
    match store {
        Store::Local => {
            let bytes = session.bytes(&id);
            let server = cx.server.name();
            cx.trace.say(|| format!("created sessions[\"{}…\"] in {server}'s memory ({bytes} bytes)", short(&id)));
            cx.server.sessions.insert(id.clone(), session);
            cx.ledger.issue(&id, Kept::Memory(cx.server.no), cx.now);
        }
        Store::Shared => {
            let ttl_s = cx.session_ttl_ms() / 1000;
            cx.store_trip(|| format!("store SET session:{}… EX {ttl_s}", short(&id)))?;
            let expires = session.expires;
            cx.backend.store.set(format!("session:{id}"), StoreValue::Session(session), expires);
            cx.ledger.issue(&id, Kept::Store(cx.server.no), cx.now);
        }
    }
    let mut r = cx.respond(200, body);
    r.headers.push("Set-Cookie", SetCookie::session(SESSION_COOKIE, id).to_string());
    Ok(r)
}

pub(super) fn recognise(cx: &mut Ctx, req: &Request, store: Store) -> Result<Principal, Response> {
    let Some(id) = req.headers.get("Cookie").and_then(|c| cookie_value(c, SESSION_COOKIE)) else {
        return Err(cx.unauthorized(|| format!("no {SESSION_COOKIE} cookie: not logged in")));
    };
    let id = id.to_owned();
    match store {
        Store::Local => in_memory(cx, id),
        Store::Shared => {
            let (ttl, now) = (cx.session_ttl_ms(), cx.now);
            cx.store_trip(|| format!("store GETEX session:{}… EX {}", short(&id), ttl / 1000))?;
            match cx.backend.store.get_ex(&format!("session:{id}"), now, now.plus_ms(ttl)) {
                Some(StoreValue::Session(s)) => Ok(Principal::of(s, Hold::Shared(id, s.clone()))),
                _ => {
                    let r = cx.unauthorized(|| format!("session:{id} not in the store"));
                    Err(forget(cx, r))
                }
            }
        }
    }
}

/// Looks the id up in this server's own memory: another server's sessions
/// are out of its reach.
fn in_memory(cx: &mut Ctx, id: String) -> Result<Principal, Response> {
    let (ttl, now) = (cx.session_ttl_ms(), cx.now);
    let server = cx.server.name();
    match cx.server.sessions.get_mut(&id) {
        Some(s) if s.expires > now => {
            // Idle timeout slides on each use.
            s.expires = now.plus_ms(ttl);
            let who = Principal::of(s, Hold::Local(id.clone()));
            cx.trace.say(|| format!("found sessions[\"{}…\"] in {server}'s memory: {}", short(&id), who.user));
            Ok(who)
        }
        Some(s) => {
            // The lane also drops expired sessions as its clock moves; the server still checks on
            // lookup, as a real one would, rather than trust that sweep.
            let expired = s.expires;
            cx.server.sessions.remove(&id);
            cx.ledger.settle(&id, Fate::Expired(expired));
            let r = cx.unauthorized(|| {
                format!("sessions[\"{}…\"] on {server} expired (idle {})", short(&id), human_duration(ttl / 1000))
            });
            Err(forget(cx, r))
        }
        // Whole: the id in question may differ from a real one only at its end.
        None => {
            let r = cx.unauthorized(|| format!("sessions[\"{id}\"] not found on {server}"));
            Err(forget(cx, r))
        }
    }
}

/// A refusal of a session id the server does not know also clears the
/// browser's cookie (`Max-Age=0`), as session libraries do — tower-sessions
/// does, which the real-fleet twin runs: the user must log in again even if a
/// later request reaches the server that still holds the session.
fn forget(cx: &mut Ctx, mut r: Response) -> Response {
    cx.trace.say(|| {
        "cleared the browser's session_id cookie (Max-Age=0): an id the server does not know is forgotten".into()
    });
    r.headers.push("Set-Cookie", cleared());
    r
}

/// Logout deletes the session from this server's memory: revoked at once.
pub(super) fn revoke_local(cx: &mut Ctx, id: &str, r: &mut Response) {
    cx.server.sessions.remove(id);
    cx.ledger.settle(id, Fate::LoggedOut(cx.now));
    let server = cx.server.name();
    cx.trace.say(|| format!("deleted sessions[\"{}…\"] from {server}'s memory: revoked at once", short(id)));
    r.headers.push("Set-Cookie", cleared());
    cx.cost.revocation_window_s = Some(0);
}

/// Logout deletes the session from the shared store: revoked at once, for every server.
pub(super) fn revoke_shared(cx: &mut Ctx, id: &str, r: &mut Response) -> Result<(), Response> {
    cx.store_trip(|| format!("store DEL session:{}…", short(id)))?;
    cx.backend.store.delete(&format!("session:{id}"));
    cx.ledger.settle(id, Fate::LoggedOut(cx.now));
    r.headers.push("Set-Cookie", cleared());
    cx.cost.revocation_window_s = Some(0);
    Ok(())
}

/// The `Set-Cookie` that makes the browser drop its session id (`Max-Age=0`).
fn cleared() -> String {
    SetCookie::session(SESSION_COOKIE, "").deleted().to_string()
}
