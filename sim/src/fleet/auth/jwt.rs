//! Stateless authentication: an HS256 JWT any server verifies with the fleet
//! key, with an optional denylist in the shared store (revocation, bought
//! with state).

use super::{Hold, Principal};
use crate::base::time::{human_duration, SimTime};
use crate::fleet::handling::Ctx;
use crate::fleet::store::{Holder, Session, StoreValue};
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;
use crate::wire::jwt::{self, Claims};

pub(super) fn issue(cx: &mut Ctx, session: Session) -> Response {
    let token = sign(cx, &session.holder(), None);
    bearer_answer(cx, &token)
}

/// Signs a token of the lane's lifetime for `who`; `sid` names
/// the refresh family it belongs to (refresh lanes).
pub(super) fn sign(cx: &mut Ctx, who: &Holder, sid: Option<String>) -> String {
    let iat = cx.now.secs();
    let claims = Claims {
        sub: who.user.clone(),
        name: who.name.clone(),
        role: who.role.clone(),
        iat,
        exp: iat + u64::from(cx.config.token_ttl_s),
        nbf: None,
        jti: cx.rng.hex128()[..16].to_owned(),
        sid,
    };
    let key = cx.backend.signing_key();
    let token = jwt::encode(&claims, key, cx.backend.rotated);
    let kid = key.kid.clone();
    let server = cx.server.name();
    let ttl = human_duration(u64::from(cx.config.token_ttl_s));
    match &claims.sid {
        None => cx.trace.say(|| format!("signed a JWT with fleet key {kid} (HS256), exp in {ttl}; {server} stores nothing")),
        Some(family) => cx.trace.say(|| {
            format!("signed an access JWT with fleet key {kid} (HS256), exp in {ttl}, naming family {family} in sid; no server keeps a copy")
        }),
    }
    token
}

/// The answer that hands the app a bearer token (RFC 6749 §5.1's members).
pub(super) fn bearer_answer(cx: &mut Ctx, token: &str) -> Response {
    let body = ObjectWriter::new()
        .str("token", token)
        .str("token_type", "Bearer")
        .num("expires_in", cx.config.token_ttl_s.into())
        .finish();
    cx.respond(200, body)
}

/// Verifies the bearer JWT with the fleet's keys; with `denylist`, asks the
/// store whether its `jti` was revoked.
pub(super) fn recognise(cx: &mut Ctx, req: &Request, denylist: bool) -> Result<Principal, Response> {
    let Some(token) = req.bearer_token() else {
        return Err(cx.unauthorized(|| "no `Authorization: Bearer` header: nothing to verify".into()));
    };
    let now_s = cx.now.secs();
    let (claims, header) = match cx.backend.verified.verify(token.trim(), &cx.backend.keys, now_s) {
        Ok(ok) => ok,
        Err(why) => return Err(cx.unauthorized(|| format!("JWT rejected: {why}"))),
    };
    let kid = header.kid.unwrap_or_else(|| jwt::FIRST_KID.into());
    cx.trace.say(|| {
        format!(
            "verified HS256 signature with fleet key {kid} — no lookup; sub={}, exp in {}",
            claims.sub,
            human_duration(claims.exp.saturating_sub(now_s))
        )
    });
    if denylist {
        let key = format!("deny:{}", claims.jti);
        cx.store_trip(|| format!("store GET {key} (denylist)"))?;
        if cx.backend.store.get(&key, cx.now).is_some() {
            return Err(cx.unauthorized(|| format!("jti {} is on the denylist: revoked at logout", claims.jti)));
        }
    }
    Ok(Principal {
        user: claims.sub,
        name: claims.name,
        role: claims.role,
        hold: Hold::Token { jti: claims.jti, exp: claims.exp, sid: claims.sid },
    })
}

/// With a denylist, the token's `jti` is refused from now until `exp`;
/// without one, nothing can be revoked and a copy works until `exp`.
pub(super) fn revoke(cx: &mut Ctx, jti: &str, exp: u64) -> Result<(), Response> {
    let now_s = cx.now.secs();
    let left = exp.saturating_sub(now_s);
    if matches!(cx.config.auth, crate::fleet::config::AuthMode::Jwt { denylist: true }) {
        cx.store_trip(|| format!("store SET deny:{jti} EX {left} (denylist until exp)"))?;
        cx.backend.store.set(
            format!("deny:{jti}"),
            StoreValue::Revoked,
            SimTime::from_secs(exp).unwrap_or(SimTime(u64::MAX)),
        );
        cx.cost.revocation_window_s = Some(0);
    } else {
        cx.trace.say(|| {
            format!(
                "nothing to revoke: no server keeps the token, so a copy stays valid until exp ({})",
                human_duration(left)
            )
        });
        cx.cost.revocation_window_s = Some(left);
    }
    Ok(())
}
