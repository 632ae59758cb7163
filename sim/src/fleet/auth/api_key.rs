//! API keys for third-party clients: a long random key sent as `X-API-Key`
//! on every request and looked up by its SHA-256 in the database, which
//! keeps no key itself. The rate limit per client (all its keys together) is state even in a
//! "stateless" API: counted in each server's memory, each server sees only
//! its share; counted in the shared store, every server enforces the same limit.

use super::{Hold, Principal};
use crate::base::time::SimTime;
use crate::fleet::config::{AuthMode, Store, API_KEY_HEADER, RATE_LIMIT, RATE_WINDOW_S};
use crate::fleet::handling::{short, Ctx, Handled};
use crate::fleet::store::{keys, ApiKeyRow, Session};
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Login, as a developer dashboard's "create key": a new key, shown once;
/// the database keeps its hash.
pub(super) fn issue(cx: &mut Ctx, session: &Session) -> Response {
    let (key, key_id) = new_key(cx, &session.user);
    let user = session.user.clone();
    cx.trace.say(|| format!("made {key_id} for {user}; the key is in this answer only"));
    answer(cx, &key, &key_id)
}

/// `POST /keys/rotate`: a new key for the same account, and the one that
/// asked deleted at once (what to do when a key has leaked).
pub(crate) fn rotate(cx: &mut Ctx, who: Principal) -> Handled {
    let Hold::Key { hash, key_id: old } = who.hold else {
        let mode = cx.config.auth;
        return Err(cx.refuse(404, "this API issues no API keys", || {
            format!("no route /keys/rotate here: a lane of {mode} issues no API keys")
        }));
    };
    delete(cx, &hash, &old);
    let (key, key_id) = new_key(cx, &who.user);
    cx.trace.say(|| format!("rotated {old} → {key_id}: the old key is refused from now on, on every server"));
    Ok(answer(cx, &key, &key_id))
}

fn new_key(cx: &mut Ctx, user: &str) -> (String, String) {
    let key = format!("sk_{}", cx.rng.hex128());
    let key_id = format!("key_{}", &cx.rng.hex128()[..8]);
    let hash = sha256_hex(&key);
    cx.db_trip(|| format!("database: INSERT api_keys (sha256 {}…, {key_id}, {user})", short(&hash)));
    cx.backend.db.api_keys.insert(hash, ApiKeyRow { user: user.to_owned(), key_id: key_id.clone() });
    (key, key_id)
}

fn answer(cx: &mut Ctx, key: &str, key_id: &str) -> Response {
    cx.respond(200, ObjectWriter::new().str("api_key", key).str("key_id", key_id).finish())
}

/// The key's hash looked up in the database, then, if the request is
/// `metered`, the key's rate limit.
pub(super) fn recognise(cx: &mut Ctx, req: &Request, metered: bool) -> Result<Principal, Response> {
    let Some(key) = req.headers.get(API_KEY_HEADER).map(str::trim) else {
        return Err(cx.unauthorized(|| format!("no `{API_KEY_HEADER}` header: no key to look up")));
    };
    let hash = sha256_hex(key);
    cx.db_trip(|| format!("database: SELECT … FROM api_keys WHERE sha256 = {}…", short(&hash)));
    let Some(row) = cx.backend.db.api_keys.get(&hash).cloned() else {
        return Err(
            cx.unauthorized(|| format!("no key whose SHA-256 is {}…: revoked, rotated or never issued", short(&hash)))
        );
    };
    let Some(account) = cx.backend.db.account(&row.user).cloned() else {
        return Err(cx.unauthorized(|| format!("{} belongs to no account", row.key_id)));
    };
    if metered {
        limit(cx, &row.user)?;
    } else {
        let key_id = &row.key_id;
        cx.trace.say(|| {
            format!("{key_id}: managing the key is not rate limited, so a leaked key can always be rotated or revoked")
        });
    }
    Ok(Principal {
        user: row.user,
        name: account.name,
        role: account.role,
        hold: Hold::Key { hash, key_id: row.key_id },
    })
}

/// Counts this request against the client's window; past [`RATE_LIMIT`], a
/// 429 with `Retry-After` until the window ends. The count is the account's,
/// all its keys together: counted per key, rotating the key (which is not
/// metered) would open a fresh window each time and lift the limit.
fn limit(cx: &mut Ctx, client: &str) -> Result<(), Response> {
    let now = cx.now;
    let window_end = now.plus_ms(u64::from(RATE_WINDOW_S) * 1000);
    let (count, ends, whose) = match cx.config.auth {
        AuthMode::ApiKey { limiter: Store::Shared } => {
            cx.store_trip(|| format!("store INCR rate:{client}; EXPIRE rate:{client} {RATE_WINDOW_S} NX"))?;
            let (n, ends) = cx.backend.store.incr(&keys::rate(client), now, window_end);
            (n, ends, "the shared store's count, which every server sees".to_owned())
        }
        _ => {
            let (n, ends) = cx.server.count_request(client, now, window_end);
            (n, ends, format!("{}'s own count: other servers' requests are not in it", cx.server.name()))
        }
    };
    let left = retry_after(ends, now);
    if count > RATE_LIMIT {
        let mut r = cx.refuse(429, "rate limit exceeded", || {
            format!("{client}'s keys: request {count} in this {RATE_WINDOW_S} s window, over the limit of {RATE_LIMIT} ({whose}) — retry in {left} s")
        });
        r.headers.push("Retry-After", left.to_string());
        return Err(r);
    }
    cx.trace
        .say(|| format!("{client}'s keys: request {count} of {RATE_LIMIT} in this {RATE_WINDOW_S} s window ({whose})"));
    Ok(())
}

/// Whole seconds until `ends`, rounded up, at least 1.
fn retry_after(ends: SimTime, now: SimTime) -> u64 {
    ends.0.saturating_sub(now.0).div_ceil(1000).max(1)
}

/// Logout revokes the key that asked: its row is gone, so every server's next lookup fails.
pub(super) fn revoke(cx: &mut Ctx, hash: &str, key_id: &str) {
    delete(cx, hash, key_id);
    cx.trace.say(|| format!("{key_id} revoked: every server looks keys up, so it is refused from the next request on"));
    cx.cost.revocation_window_s = Some(0);
}

fn delete(cx: &mut Ctx, hash: &str, key_id: &str) {
    cx.db_trip(|| format!("database: DELETE FROM api_keys WHERE sha256 = {}… ({key_id})", short(hash)));
    cx.backend.db.api_keys.remove(hash);
}

/// An API key's SHA-256 as 64 lowercase hex digits, as the database keys
/// its row: what the view looks a key up by.
pub fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
