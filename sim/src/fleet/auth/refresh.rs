//! The hybrid: a short-lived access JWT that needs no lookup, and an opaque
//! refresh token kept in the shared store, rotated at every use, with reuse
//! detection (OAuth 2.0 Security BCP §4.14): the store keeps each login's
//! family and its one current token, so presenting an older one — a copy
//! someone kept — revokes the whole family.

use super::jwt;
use crate::base::time::human_duration;
use crate::fleet::config::{AuthMode, REFRESH_COOKIE, REFRESH_PATH};
use crate::fleet::handling::{short, Ctx, Handled};
use crate::fleet::store::{keys, Holder, Session, StoreValue};
use crate::wire::cookie::{cookie_value, SameSite, SetCookie};
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;

/// Login: a new family, its first refresh token in the store and in the
/// cookie, and an access token that names the family in `sid`.
pub(super) fn issue(cx: &mut Ctx, session: Session) -> Handled {
    let family = cx.rng.hex128()[..16].to_owned();
    let holder = session.holder();
    let token = store_token(cx, &family, holder.clone())?;
    let access = jwt::sign(cx, &holder, Some(family));
    let mut r = jwt::bearer_answer(cx, &access);
    r.headers.push("Set-Cookie", cookie(token, cx.config.session_ttl_s).to_string());
    Ok(r)
}

/// `POST /token/refresh`: the cookie's refresh token, if it is its family's
/// current one, is swapped for a new one and a new access token.
pub(crate) fn refresh(cx: &mut Ctx, req: &Request) -> Handled {
    if cx.config.auth != AuthMode::Refresh {
        let mode = cx.config.auth;
        return Err(cx.refuse(404, "this API issues no refresh tokens", || {
            format!("no route {REFRESH_PATH} here: a lane of {mode} issues no refresh tokens")
        }));
    }
    let Some(token) = req.headers.get("Cookie").and_then(|c| cookie_value(c, REFRESH_COOKIE)).map(str::to_owned) else {
        return Err(refused(cx, || format!("no {REFRESH_COOKIE} cookie: nothing to refresh with")));
    };
    cx.store_trip(|| format!("store GET refresh:{}…", short(&token)))?;
    let (family, holder) = match cx.backend.store.get(&keys::refresh(&token), cx.now) {
        Some(StoreValue::Refresh { family, holder }) => (family.clone(), holder.clone()),
        _ => {
            return Err(refused(cx, || {
                format!("refresh:{}… is not in the store: expired, or never issued", short(&token))
            }))
        }
    };
    cx.store_trip(|| format!("store GET family:{family} (its current refresh token)"))?;
    match cx.backend.store.get(&keys::family(&family), cx.now) {
        Some(StoreValue::Family(current)) if *current == token => {}
        Some(StoreValue::Family(current)) => {
            let current = short(current).to_owned();
            cx.store_trip(|| format!("store DEL family:{family}"))?;
            cx.backend.store.delete(&keys::family(&family));
            return Err(refused(cx, || {
                format!("reuse detected: refresh:{}… was already rotated (the family's current one is {current}…), so someone holds a copy — revoked the whole family {family}", short(&token))
            }));
        }
        _ => {
            return Err(refused(cx, || {
                format!("family {family} is revoked (by a logout or a detected reuse): its refresh tokens are void")
            }))
        }
    }
    let next = store_token(cx, &family, holder.clone())?;
    cx.trace.say(|| format!("rotated: refresh:{}… is now used; a second use revokes the family", short(&token)));
    let access = jwt::sign(cx, &holder, Some(family));
    let mut r = jwt::bearer_answer(cx, &access);
    r.headers.push("Set-Cookie", cookie(next, cx.config.session_ttl_s).to_string());
    Ok(r)
}

/// A new refresh token for `family`, made its current one in one pipelined
/// round trip; both keys live as long as a refresh token does.
fn store_token(cx: &mut Ctx, family: &str, holder: Holder) -> Result<String, Response> {
    let token = cx.rng.hex128();
    let ttl = cx.config.session_ttl_s;
    cx.store_trip(|| {
        format!(
            "store SET refresh:{}… EX {ttl}; SET family:{family} {}… EX {ttl} (one pipeline)",
            short(&token),
            short(&token)
        )
    })?;
    let expires = cx.now.plus_ms(u64::from(ttl) * 1000);
    let family = family.to_owned();
    cx.backend.store.set(keys::refresh(&token), StoreValue::Refresh { family: family.clone(), holder }, expires);
    cx.backend.store.set(keys::family(&family), StoreValue::Family(token.clone()), expires);
    Ok(token)
}

/// A refused refresh: 401, and the browser is told to drop its refresh
/// cookie. No `WWW-Authenticate: Bearer`: this endpoint takes a cookie, not a bearer token.
fn refused(cx: &mut Ctx, why: impl FnOnce() -> String) -> Response {
    cx.trace.say(why);
    let body = ObjectWriter::new().str("error", "refresh refused: please log in again").finish();
    let mut r = cx.respond(401, body);
    r.headers.push("Set-Cookie", cookie(String::new(), 0).deleted().to_string());
    r
}

/// `refresh_token=…; Path=/token/refresh; Max-Age=…; HttpOnly; Secure;
/// SameSite=Strict`: the browser sends it to the refresh endpoint only, and
/// page scripts cannot read it.
fn cookie(token: String, ttl_s: u32) -> SetCookie {
    SetCookie {
        path: Some(REFRESH_PATH.to_owned()),
        max_age: Some(i64::from(ttl_s)),
        same_site: Some(SameSite::Strict),
        ..SetCookie::session(REFRESH_COOKIE, token)
    }
}

/// Logout revokes the family the access token names; the access token
/// itself, which no server looks up, works until its `exp`.
pub(super) fn revoke(cx: &mut Ctx, sid: Option<&str>, exp: u64, r: &mut Response) -> Result<(), Response> {
    let left = exp.saturating_sub(cx.now.secs());
    match sid {
        Some(family) => {
            cx.store_trip(|| format!("store DEL family:{family}: its refresh tokens are void"))?;
            cx.backend.store.delete(&keys::family(family));
        }
        None => cx.trace.say(|| "the access token names no refresh family (no sid): nothing to revoke".into()),
    }
    cx.trace.say(|| {
        format!(
            "the access token itself is checked by signature alone, so a copy still works until exp ({})",
            human_duration(left)
        )
    });
    r.headers.push("Set-Cookie", cookie(String::new(), 0).deleted().to_string());
    cx.cost.revocation_window_s = Some(left);
    Ok(())
}
