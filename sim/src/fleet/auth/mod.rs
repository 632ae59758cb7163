//! Authentication, apart from the shop: how each lane's mode issues a
//! credential at login, recognises it on later requests, and revokes it at
//! logout, one file per mode. Every step that matters is told in the trace.

mod api_key;
mod jwt;
mod opaque;
mod refresh;
mod session;
mod signed_cookie;

pub(crate) use api_key::rotate as rotate_key;
pub use api_key::sha256_hex as api_key_hash;
pub(crate) use refresh::refresh;

use crate::fleet::config::AuthMode;
use crate::fleet::handling::{body_field, Ctx, Handled};
use crate::fleet::store::{Holder, Session};
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;

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

    fn holding(h: &Holder, hold: Hold) -> Principal {
        Principal { user: h.user.clone(), name: h.name.clone(), role: h.role.clone(), hold }
    }
}

/// Where the authenticated user's state is: nowhere but the token (whose
/// `sid`, in refresh lanes, names its refresh family), a server's memory,
/// the shared store, the signed cookie itself, an opaque token's entry in
/// the store, or an API key's row in the database.
pub(crate) enum Hold {
    Token { jti: String, exp: u64, sid: Option<String> },
    Local(String),
    Shared(String, Session),
    Cookie(Session),
    Opaque(String),
    Key { hash: String, key_id: String },
}

/// `POST /login`: checks the password against the database, then issues the
/// lane's credential for a fresh session.
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
    let session = Session {
        user,
        name: account.name,
        role: account.role,
        cart: Vec::new(),
        cursor: 0,
        expires: cx.now.plus_ms(cx.session_ttl_ms()),
    };
    match cx.config.auth {
        AuthMode::Jwt { .. } => Ok(jwt::issue(cx, session)),
        AuthMode::ServerSession { store } => session::issue(cx, session, store),
        AuthMode::SignedCookie => Ok(signed_cookie::issue(cx, &session)),
        AuthMode::Refresh => refresh::issue(cx, session),
        AuthMode::Opaque => opaque::issue(cx, &session),
        AuthMode::ApiKey { .. } => Ok(api_key::issue(cx, &session)),
    }
}

/// The body of a login's answer in the session modes.
fn welcome(s: &Session) -> String {
    ObjectWriter::new().str("user", &s.user).str("name", &s.name).finish()
}

/// Who sent `req`, by the lane's credential; a refusal says why in the trace.
/// `metered`: whether the request counts against an API key's rate limit.
pub(crate) fn authenticate(cx: &mut Ctx, req: &Request, metered: bool) -> Result<Principal, Response> {
    match cx.config.auth {
        AuthMode::Jwt { denylist } => jwt::recognise(cx, req, denylist),
        AuthMode::ServerSession { store } => session::recognise(cx, req, store),
        AuthMode::SignedCookie => signed_cookie::recognise(cx, req),
        AuthMode::Refresh => jwt::recognise(cx, req, false),
        AuthMode::Opaque => opaque::recognise(cx, req),
        AuthMode::ApiKey { .. } => api_key::recognise(cx, req, metered),
    }
}

/// `POST /logout`: revokes what can be revoked, and says how long a copy of
/// the credential still works.
pub(crate) fn logout(cx: &mut Ctx, who: Principal) -> Handled {
    let mut r = cx.respond(200, "{\"logged_out\":true}".into());
    match who.hold {
        Hold::Token { exp, sid, .. } if cx.config.auth == AuthMode::Refresh => {
            refresh::revoke(cx, sid.as_deref(), exp, &mut r)?
        }
        Hold::Token { jti, exp, .. } => jwt::revoke(cx, &jti, exp)?,
        Hold::Opaque(token) => opaque::revoke(cx, &token)?,
        Hold::Key { hash, key_id } => api_key::revoke(cx, &hash, &key_id),
        Hold::Local(id) => session::revoke_local(cx, &id, &mut r),
        Hold::Shared(id, _) => session::revoke_shared(cx, &id, &mut r)?,
        Hold::Cookie(s) => signed_cookie::revoke(cx, &s, &mut r),
    }
    Ok(r)
}
