//! Opaque access tokens: a random reference that means nothing by itself.
//! Every server asks the shared store what it stands for on every request
//! (RFC 7662 introspection, as a key lookup): stateful for the fleet, and
//! revocable at once.

use super::{jwt, Hold, Principal};
use crate::base::quote::quoted;
use crate::fleet::handling::{short, Ctx};
use crate::fleet::store::{keys, Session, StoreValue};
use crate::wire::http::{Request, Response};

/// Login: a random token, kept in the store as long as the lane's token lifetime.
pub(super) fn issue(cx: &mut Ctx, session: &Session) -> Result<Response, Response> {
    let token = cx.rng.hex128();
    let ttl = cx.config.token_ttl_s;
    cx.store_trip(|| format!("store SET token:{}… EX {ttl} (user {})", short(&token), session.user))?;
    let expires = cx.now.plus_ms(u64::from(ttl) * 1000);
    cx.backend.store.set(keys::token(&token), StoreValue::Access(session.holder()), expires);
    Ok(jwt::bearer_answer(cx, &token))
}

/// Introspection: the token is whatever the store says it is, or nothing.
pub(super) fn recognise(cx: &mut Ctx, req: &Request) -> Result<Principal, Response> {
    let Some(token) = req.bearer_token().map(|t| t.trim().to_owned()) else {
        return Err(cx.unauthorized(|| "no `Authorization: Bearer` header: nothing to look up".into()));
    };
    cx.store_trip(|| format!("store GET token:{}… (introspection: what does this token mean?)", short(&token)))?;
    match cx.backend.store.get(&keys::token(&token), cx.now) {
        Some(StoreValue::Access(h)) => {
            let who = Principal::holding(h, Hold::Opaque(token));
            cx.trace.say(|| format!("active: the store says it is {}'s", who.user));
            Ok(who)
        }
        _ => Err(cx.unauthorized(|| {
            format!("token:{}… is not in the store — not active: revoked, expired or never issued (the token itself says nothing)", quoted(short(&token)))
        })),
    }
}

/// Logout deletes the token from the store: every server's next lookup fails.
pub(super) fn revoke(cx: &mut Ctx, token: &str) -> Result<(), Response> {
    cx.store_trip(|| format!("store DEL token:{}…: revoked at once, for every server", short(token)))?;
    cx.backend.store.delete(&keys::token(token));
    cx.cost.revocation_window_s = Some(0);
    Ok(())
}
