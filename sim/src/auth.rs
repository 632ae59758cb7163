//! Authentication, apart from the shop: how each lane's mode issues a
//! credential at login, recognises it on later requests, and revokes it at
//! logout. Every step that matters is told in the trace.

use crate::config::{AuthMode, Store};
use crate::cookie::{cookie_value, SetCookie};
use crate::http::{Request, Response};
use crate::json::ObjectWriter;
use crate::jwt::{self, Claims, Key};
use crate::ledger::{Fate, Kept};
use crate::routes::{body_field, short, Ctx, Handled, SESSION_COOKIE, SIGNED_COOKIE};
use crate::store::{Session, StoreValue};
use crate::time::{human_duration, SimTime};

/// Who the request is from, and where their session state lives.
pub(crate) struct Principal {
    pub user: String,
    pub name: String,
    pub role: String,
    pub hold: Hold,
}

impl Principal {
    fn of(s: &Session, hold: Hold) -> Principal {
        Principal { user: s.user.clone(), name: s.name.clone(), role: s.role.clone(), hold }
    }
}

pub(crate) enum Hold {
    Token { jti: String, exp: u64 },
    Local(String),
    Shared(String, Session),
    Cookie(Session),
}

pub(crate) fn login(cx: &mut Ctx, req: &Request) -> Handled {
    let (Some(user), Some(password)) = (body_field(&req.body, "username"), body_field(&req.body, "password")) else {
        return Err(cx.bad_request("body must be JSON {\"username\": \"…\", \"password\": \"…\"}"));
    };
    cx.db_trip(|| format!("database: look up account \"{user}\""));
    let account = match cx.backend.db.account(&user) {
        Some(a) if a.password == password => a.clone(),
        _ => {
            cx.trace.say(|| "wrong username or password: no credential issued".into());
            return Err(cx.error(401, "invalid username or password"));
        }
    };
    let ttl = cx.session_ttl_ms();
    let session = Session {
        user: user.clone(),
        name: account.name.clone(),
        role: account.role.clone(),
        cart: Vec::new(),
        cursor: 0,
        expires: cx.now.plus_ms(ttl),
    };
    let welcome = ObjectWriter::new().str("user", &user).str("name", &account.name).finish();
    match cx.config.auth {
        AuthMode::Jwt { .. } => {
            let iat = cx.now.secs();
            let claims = Claims {
                sub: user,
                name: account.name,
                role: account.role,
                iat,
                exp: iat + u64::from(cx.config.token_ttl_s),
                nbf: None,
                jti: cx.rng.hex128()[..16].to_owned(),
            };
            let key = cx.backend.signing_key();
            let token = jwt::encode(&claims, key, cx.backend.rotated);
            let kid = key.kid.clone();
            let server = cx.server.name();
            cx.trace.say(|| {
                format!(
                    "signed a JWT with fleet key {kid} (HS256), exp in {}; {server} stores nothing",
                    human_duration(u64::from(cx.config.token_ttl_s))
                )
            });
            let body =
                format!("{{\"token\":\"{token}\",\"token_type\":\"Bearer\",\"expires_in\":{}}}", cx.config.token_ttl_s);
            Ok(cx.respond(200, body))
        }
        AuthMode::ServerSession { store } => {
            let id = cx.rng.hex128();
            match store {
                Store::Local => {
                    let bytes = session.bytes(&id);
                    let server = cx.server.name();
                    cx.trace
                        .say(|| format!("created sessions[\"{}…\"] in {server}'s memory ({bytes} bytes)", short(&id)));
                    cx.server.sessions.insert(id.clone(), session);
                    cx.ledger.issue(&id, Kept::Memory(cx.server.no), cx.now);
                }
                Store::Shared => {
                    cx.store_trip(|| format!("store SET session:{}… EX {}", short(&id), ttl / 1000))?;
                    let expires = session.expires;
                    cx.backend.store.set(format!("session:{id}"), StoreValue::Session(session), expires);
                    cx.ledger.issue(&id, Kept::Store(cx.server.no), cx.now);
                }
            }
            let mut r = cx.respond(200, welcome);
            r.headers.push("Set-Cookie", SetCookie::session(SESSION_COOKIE, id).to_string());
            Ok(r)
        }
        AuthMode::SignedCookie => {
            let value = cx.sign_cookie(&session);
            cx.trace.say(|| {
                format!(
                    "signed the session itself into the cookie ({} bytes); nothing stored on the server",
                    value.len()
                )
            });
            let mut r = cx.respond(200, welcome);
            r.headers.push("Set-Cookie", SetCookie::session(SIGNED_COOKIE, value).to_string());
            Ok(r)
        }
    }
}

pub(crate) fn authenticate(cx: &mut Ctx, req: &Request) -> Result<Principal, Response> {
    match cx.config.auth {
        AuthMode::Jwt { denylist } => {
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
                hold: Hold::Token { jti: claims.jti, exp: claims.exp },
            })
        }
        AuthMode::ServerSession { store } => {
            let Some(id) = req.headers.get("Cookie").and_then(|c| cookie_value(c, SESSION_COOKIE)) else {
                return Err(cx.unauthorized(|| format!("no {SESSION_COOKIE} cookie: not logged in")));
            };
            let id = id.to_owned();
            let ttl = cx.session_ttl_ms();
            let now = cx.now;
            match store {
                Store::Local => {
                    let server = cx.server.name();
                    match cx.server.sessions.get_mut(&id) {
                        Some(s) if s.expires > now => {
                            // Idle timeout slides on each use.
                            s.expires = now.plus_ms(ttl);
                            let who = Principal::of(s, Hold::Local(id.clone()));
                            cx.trace.say(|| {
                                format!("found sessions[\"{}…\"] in {server}'s memory: {}", short(&id), who.user)
                            });
                            Ok(who)
                        }
                        Some(s) => {
                            // The lane also drops expired sessions as its clock moves; the server still checks on
                            // lookup, as a real one would, rather than trust that sweep.
                            let expired = s.expires;
                            cx.server.sessions.remove(&id);
                            cx.ledger.settle(&id, Fate::Expired(expired));
                            let r = cx.unauthorized(|| {
                                format!(
                                    "sessions[\"{}…\"] on {server} expired (idle {})",
                                    short(&id),
                                    human_duration(ttl / 1000)
                                )
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
                Store::Shared => {
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
        AuthMode::SignedCookie => {
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
            cx.trace
                .say(|| format!("verified the cookie's HMAC with the fleet key — no lookup; user {}", session.user));
            Ok(Principal {
                user: session.user.clone(),
                name: session.name.clone(),
                role: session.role.clone(),
                hold: Hold::Cookie(session),
            })
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
    r.headers.push("Set-Cookie", SetCookie::session(SESSION_COOKIE, "").deleted().to_string());
    r
}

/// Checks and decodes a signed-cookie session: `base64url(json).base64url(hmac)`.
pub fn open_signed_cookie(value: &str, keys: &[Key]) -> Result<Session, &'static str> {
    let (payload, sig) = value.split_once('.').ok_or("no signature part")?;
    let sig = crate::b64::decode(sig).ok_or("signature is not base64url")?;
    if !keys.iter().any(|k| k.verify(payload, &sig)) {
        return Err("HMAC does not match: the cookie was edited or signed with another key");
    }
    let json = crate::b64::decode(payload).ok_or("payload is not base64url")?;
    std::str::from_utf8(&json).ok().and_then(|j| Session::from_json(j).ok()).ok_or("payload is not a session")
}

pub(crate) fn logout(cx: &mut Ctx, who: Principal) -> Handled {
    let now_s = cx.now.secs();
    let clear = |name: &str| SetCookie::session(name, "").deleted().to_string();
    let mut r = cx.respond(200, "{\"logged_out\":true}".into());
    match who.hold {
        Hold::Token { jti, exp } => {
            if matches!(cx.config.auth, AuthMode::Jwt { denylist: true }) {
                let ttl = exp.saturating_sub(now_s);
                cx.store_trip(|| format!("store SET deny:{jti} EX {ttl} (denylist until exp)"))?;
                cx.backend.store.set(
                    format!("deny:{jti}"),
                    StoreValue::Revoked,
                    SimTime::from_secs(exp).unwrap_or(SimTime(u64::MAX)),
                );
                cx.work.revocation_window_s = Some(0);
            } else {
                let left = exp.saturating_sub(now_s);
                cx.trace.say(|| {
                    format!(
                        "nothing to revoke: no server keeps the token, so a copy stays valid until exp ({})",
                        human_duration(left)
                    )
                });
                cx.work.revocation_window_s = Some(left);
            }
        }
        Hold::Local(id) => {
            cx.server.sessions.remove(&id);
            cx.ledger.settle(&id, Fate::LoggedOut(cx.now));
            let server = cx.server.name();
            cx.trace.say(|| format!("deleted sessions[\"{}…\"] from {server}'s memory: revoked at once", short(&id)));
            r.headers.push("Set-Cookie", clear(SESSION_COOKIE));
            cx.work.revocation_window_s = Some(0);
        }
        Hold::Shared(id, _) => {
            cx.store_trip(|| format!("store DEL session:{}…", short(&id)))?;
            cx.backend.store.delete(&format!("session:{id}"));
            cx.ledger.settle(&id, Fate::LoggedOut(cx.now));
            r.headers.push("Set-Cookie", clear(SESSION_COOKIE));
            cx.work.revocation_window_s = Some(0);
        }
        Hold::Cookie(s) => {
            let left = s.expires.0.saturating_sub(cx.now.0) / 1000;
            cx.trace.say(|| format!("asked the browser to drop the cookie; the server has nothing to delete, so a copy stays valid until it expires ({})", human_duration(left)));
            r.headers.push("Set-Cookie", clear(SIGNED_COOKIE));
            cx.work.revocation_window_s = Some(left);
        }
    }
    Ok(r)
}
