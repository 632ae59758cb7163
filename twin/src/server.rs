//! A real shop server: the simulation's API on axum/hyper, each auth mode done
//! the way the ecosystem does it — `jsonwebtoken` for JWTs, `tower-sessions`
//! (memory store, or the Redis store when shared) for server sessions,
//! axum-extra's `SignedCookieJar` for signed-cookie sessions, the denylist,
//! refresh tokens and their families, opaque tokens and shared rate-limit
//! counters in Redis, API keys by their SHA-256 in the database. Its clock is the process clock, which the twin moves with
//! libfaketime; it reads the fleet's keys from a file on every request, so a
//! key rotation is a file the twin rewrites.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, Key as CookieKey, SameSite, SignedCookieJar};
use fred::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use statelab_sim::fleet::{AuthMode, LaneConfig, Store};
use statelab_sim::fleet::{Database, CATALOG};
use statelab_sim::fleet::{Route, UserRoute};
use statelab_sim::fleet::{API_KEY_HEADER, RATE_LIMIT, RATE_WINDOW_S, REFRESH_COOKIE, REFRESH_PATH};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};
use tower_sessions_redis_store::RedisStore;

use crate::store_clock::OnServerClock;

mod socket;
pub use socket::SERVER_HEADER;

pub const SESSION_COOKIE: &str = "session_id";
pub const SIGNED_COOKIE: &str = "session";

pub struct Options {
    pub name: String,
    pub port: u16,
    pub lane: LaneConfig,
    pub keys: PathBuf,
    pub store_port: u16,
    pub db_port: u16,
}

struct App {
    name: String,
    lane: LaneConfig,
    keys: PathBuf,
    /// The shared store: sessions (shared mode) and the denylist.
    store: Pool,
    /// The shop's database: carts of lanes that keep no session, API keys.
    db: Pool,
    /// Rate-limit windows by API client (the account), when each server counts its own:
    /// this process's memory, lost when it restarts.
    windows: Mutex<HashMap<String, Window>>,
    /// WebSocket connections and the rooms this process holds (connection lanes).
    hub: socket::Hub,
    /// A fresh handle on session `id` in the lane's session store (server-session
    /// lanes), for re-checking a connection's session as a new request would.
    sessions: Option<SessionMaker>,
}

type SessionMaker = Box<dyn Fn(tower_sessions::session::Id) -> Session + Send + Sync>;

/// One key's rate-limit window: the requests counted in it, and when it
/// ends, in ms on this server's clock.
#[derive(Clone, Copy, Debug)]
struct Window {
    count: u32,
    ends: u64,
}

/// Who a token or key stands for.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Who {
    user: String,
    name: String,
    role: String,
}

/// What the store keeps under an opaque token (`token:<tok>`) or a refresh
/// token (`refresh:<tok>`). Redis keeps the machine's clock while the
/// servers' clocks jump with the simulation's waits (see `store_clock.rs`),
/// so the key's `EX` alone would outlive a simulated expiry: the grant also
/// carries its end on the clock of the server that made it, and is read as
/// gone once that has passed on the reader's ([`live_grant`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Grant {
    #[serde(flatten)]
    who: Who,
    /// A refresh token's family (one login's chain of rotations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    family: Option<String>,
    /// When it stops being accepted, in ms since the epoch.
    expires: u64,
}

/// What a signed-cookie session carries, and what a server session holds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct ShopSession {
    user: String,
    name: String,
    role: String,
    cart: Vec<String>,
    cursor: u32,
    /// Signed cookies only: when it stops being accepted, in ms since the epoch.
    #[serde(default)]
    expires: u64,
}

enum Hold {
    /// A verified JWT; `sid` names its refresh family (refresh lanes).
    Token {
        jti: String,
        exp: u64,
        sid: Option<String>,
    },
    Opaque {
        token: String,
        who: Who,
    },
    Key {
        hash: String,
        who: Who,
    },
    Session(Session, ShopSession),
    Cookie(ShopSession),
}

/// A refusal: status, message, for 401s and 429s a short code saying why
/// (which the twin compares with the simulation's reason), and a header it
/// sends along.
struct Refusal {
    status: StatusCode,
    message: &'static str,
    why: &'static str,
    header: Option<(HeaderName, String)>,
}

impl Refusal {
    const fn new(status: StatusCode, message: &'static str, why: &'static str) -> Refusal {
        Refusal { status, message, why, header: None }
    }

    fn with(self, name: HeaderName, value: String) -> Refusal {
        Refusal { header: Some((name, value)), ..self }
    }
}

fn redis_pool(port: u16) -> Result<Pool, String> {
    let config = Config::from_url(&format!("redis://127.0.0.1:{port}")).map_err(|e| e.to_string())?;
    let mut b = Builder::from_config(config);
    // Fail at once while Redis is down (the outage is the point), and
    // reconnect quickly once it is back.
    b.with_config(|c| c.fail_fast = true)
        // A bound for a Redis that does not answer. During an outage a command
        // can wait for it rather than fail at once, so it must stay well under
        // the driver's 5 s read timeout (at 5 s, shared-store's request in the
        // outage timed out in the driver instead of getting its 503); and over
        // the ~1 s a write took on a heavily loaded machine (at 800 ms a cart
        // write was answered 503 "session store unavailable" after 986 ms).
        .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(2))
        .with_connection_config(|c| {
            c.max_command_attempts = 1;
            c.connection_timeout = Duration::from_millis(500);
        })
        .set_policy(ReconnectPolicy::new_constant(0, 20));
    b.build_pool(1).map_err(|e| e.to_string())
}

pub fn run(o: Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(serve(o))
}

async fn serve(o: Options) -> Result<(), String> {
    let (store, db) = (redis_pool(o.store_port)?, redis_pool(o.db_port)?);
    for pool in [&store, &db] {
        pool.connect();
        // Redis may be down when a server starts (an outage): it serves anyway.
        let _ = tokio::time::timeout(Duration::from_secs(1), pool.wait_for_connect()).await;
    }
    let expiry = Expiry::OnInactivity(time::Duration::seconds(o.lane.session_ttl_s.into()));
    let memory = MemoryStore::default();
    let shared = OnServerClock(RedisStore::new(store.clone()));
    let sessions: Option<SessionMaker> = match o.lane.auth {
        AuthMode::ServerSession { store: Store::Local } => {
            let s = Arc::new(memory.clone());
            Some(Box::new(move |id| Session::new(Some(id), s.clone(), Some(expiry))))
        }
        AuthMode::ServerSession { store: Store::Shared } => {
            let s = Arc::new(shared.clone());
            Some(Box::new(move |id| Session::new(Some(id), s.clone(), Some(expiry))))
        }
        _ => None,
    };
    let app = Arc::new(App {
        name: o.name,
        lane: o.lane,
        keys: o.keys,
        store: store.clone(),
        db,
        windows: Mutex::default(),
        hub: socket::Hub::default(),
        sessions,
    });
    if o.lane.app == statelab_sim::fleet::App::Chat(Store::Shared) {
        if let Err(e) = socket::subscribe(app.clone(), o.store_port).await {
            eprintln!("could not subscribe to the chat room: {e}");
        }
    }
    let router = Router::new().route("/_twin/drain", axum::routing::post(socket::drain)).fallback(shop).with_state(app);
    let router = match o.lane.auth {
        AuthMode::ServerSession { store: kind } => {
            macro_rules! layer {
                ($store:expr) => {
                    SessionManagerLayer::new($store)
                        .with_name(SESSION_COOKIE)
                        .with_same_site(tower_sessions::cookie::SameSite::Lax)
                        .with_expiry(expiry)
                        // Saved on every request, so the idle timeout slides.
                        .with_always_save(true)
                };
            }
            match kind {
                Store::Local => router.layer(layer!(memory)),
                Store::Shared => router.layer(layer!(shared)),
            }
        }
        _ => router,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", o.port)).await.map_err(|e| e.to_string())?;
    axum::serve(listener, router).await.map_err(|e| e.to_string())
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The fleet's keys, oldest first: lines `kid secret`; the last one signs.
fn keys(app: &App) -> Vec<(String, String)> {
    std::fs::read_to_string(&app.keys)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, s)| (k.to_owned(), s.to_owned())))
        .collect()
}

/// `n` random bytes in lowercase hex.
fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn refuse(app: &App, r: Refusal) -> Response {
    let Refusal { status, message, why, header } = r;
    let mut body = json!({ "error": message });
    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS) {
        body["why"] = json!(why);
    }
    let mut resp = reply(status, body);
    // As the simulation names the scheme: in plain JWT lanes only.
    if status == StatusCode::UNAUTHORIZED && matches!(app.lane.auth, AuthMode::Jwt { .. }) {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"shop\", error=\"invalid_token\""),
        );
    }
    if let Some((name, value)) = header {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            resp.headers_mut().append(name, value);
        }
    }
    resp
}

fn unauthorized(why: &'static str) -> Refusal {
    Refusal::new(StatusCode::UNAUTHORIZED, "not logged in: please log in again", why)
}

const STORE_DOWN: Refusal = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, "session store unavailable", "store-down");

/// A store or database error answered as the outage it usually is; the
/// error itself goes to the server's log (kept when a run disagrees), so
/// a timeout on a loaded machine is not mistaken for an outage.
fn store_down(e: impl std::fmt::Display) -> Refusal {
    eprintln!("503 store-down: {e}");
    STORE_DOWN
}

async fn shop(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if Route::parse(parts.uri.path()) == Some(Route::Socket) && parts.method == axum::http::Method::GET {
        let session = parts.extensions.get::<Session>().cloned();
        return socket::upgrade(app, parts, session).await;
    }
    let body = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = parts.uri.path();
    let Some(route) = Route::parse(path) else {
        return reply(StatusCode::NOT_FOUND, json!({ "error": format!("no route {path}") }));
    };
    if parts.method.as_str() != route.method() {
        let mut r =
            reply(StatusCode::METHOD_NOT_ALLOWED, json!({ "error": format!("{path} takes {}", route.method()) }));
        r.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static(route.method()));
        return r;
    }
    let session = parts.extensions.get::<Session>().cloned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let result = match route {
        Route::Health => Ok(reply(StatusCode::OK, json!({ "status": "ok" }))),
        Route::Login => login(&app, &parts.headers, session, &body).await,
        Route::Refresh => refresh(&app, &parts.headers).await,
        // A handshake is a GET, taken above: this one is not a WebSocket handshake.
        Route::Socket => Ok(reply(StatusCode::NOT_FOUND, json!({ "error": format!("no route {path}") }))),
        // As in the simulation, managing one's key is not rate limited.
        Route::User(r) => {
            match authenticate(&app, &parts.headers, session, !matches!(r, UserRoute::RotateKey | UserRoute::Logout))
                .await
            {
                Ok(hold) => serve_user(&app, &parts.headers, r, hold, &body, &query).await,
                Err(e) => Err(e),
            }
        }
    };
    result.unwrap_or_else(|r| refuse(&app, r))
}

async fn login(app: &App, headers: &HeaderMap, session: Option<Session>, body: &Value) -> Result<Response, Refusal> {
    let (Some(user), Some(password)) = (body["username"].as_str(), body["password"].as_str()) else {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "body must be JSON {\"username\": \"…\", \"password\": \"…\"}",
            "",
        ));
    };
    let db = Database::default();
    let account = match db.account(user) {
        Some(a) if a.password == password => a.clone(),
        _ => return Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid username or password", "password")),
    };
    let welcome = json!({ "user": user, "name": account.name });
    let who = Who { user: user.into(), name: account.name, role: account.role };
    match app.lane.auth {
        AuthMode::Jwt { .. } => Ok(bearer(app, &sign(app, &who, None)?)),
        AuthMode::Refresh => {
            let family = random_hex(8);
            let token = new_refresh_token(app, &family, &who).await?;
            let access = sign(app, &who, Some(&family))?;
            Ok(with_refresh_cookie(bearer(app, &access), &token, app.lane.session_ttl_s))
        }
        AuthMode::Opaque => {
            let token = random_hex(16);
            let ttl = app.lane.token_ttl_s;
            let grant = Grant { who, family: None, expires: now_ms() + u64::from(ttl) * 1000 };
            let _: () = app
                .store
                .set(format!("token:{token}"), grant_json(&grant), Some(Expiration::EX(ttl.into())), None, false)
                .await
                .map_err(store_down)?;
            Ok(bearer(app, &token))
        }
        AuthMode::ApiKey { .. } => issue_key(app, &who.user).await,
        AuthMode::ServerSession { .. } => {
            let data = ShopSession { user: who.user, name: who.name, role: who.role, ..ShopSession::default() };
            let session = session.ok_or(STORE_DOWN)?;
            // A fresh id at login (no session fixation), written at once so a
            // store outage is a 503 here as in the simulation.
            session.cycle_id().await.map_err(store_down)?;
            session.insert("shop", &data).await.map_err(store_down)?;
            session.save().await.map_err(store_down)?;
            Ok(reply(StatusCode::OK, welcome))
        }
        AuthMode::SignedCookie => {
            let data = ShopSession {
                user: who.user,
                name: who.name,
                role: who.role,
                expires: now_ms() + u64::from(app.lane.session_ttl_s) * 1000,
                ..ShopSession::default()
            };
            let jar = signed_jar(app, headers).ok_or(STORE_DOWN)?;
            Ok((jar.add(signed_cookie(&data)), reply(StatusCode::OK, welcome)).into_response())
        }
    }
}

/// An access JWT of the lane's lifetime for `who`; `sid` names its refresh
/// family (refresh lanes).
fn sign(app: &App, who: &Who, sid: Option<&str>) -> Result<String, Refusal> {
    let keys = keys(app);
    let (kid, secret) = keys.last().ok_or(STORE_DOWN)?;
    let iat = now_ms() / 1000;
    let exp = iat + u64::from(app.lane.token_ttl_s);
    let mut claims =
        json!({ "sub": who.user, "name": who.name, "role": who.role, "iat": iat, "exp": exp, "jti": random_hex(8) });
    if let Some(sid) = sid {
        claims["sid"] = json!(sid);
    }
    let mut h = Header::new(Algorithm::HS256);
    // Tokens name their key once there is more than one, as in the simulation.
    h.kid = (keys.len() > 1 || kid != "k1").then(|| kid.clone());
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|_| Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "could not sign", ""))
}

/// The answer that hands the app a bearer token (RFC 6749 §5.1's members).
fn bearer(app: &App, token: &str) -> Response {
    reply(StatusCode::OK, json!({ "token": token, "token_type": "Bearer", "expires_in": app.lane.token_ttl_s }))
}

fn grant_json(grant: &Grant) -> String {
    serde_json::to_string(grant).unwrap_or_default()
}

/// The grant under `key` if it is live on this server's clock (see [`Grant`]).
async fn live_grant(app: &App, key: &str) -> Result<Option<Grant>, Refusal> {
    let raw: Option<String> = app.store.get(key).await.map_err(store_down)?;
    Ok(raw.and_then(|j| serde_json::from_str::<Grant>(&j).ok()).filter(|g| g.expires > now_ms()))
}

/// A new refresh token for `family`, made the family's current one; both
/// keys live as long as a refresh token does, written in one pipeline.
async fn new_refresh_token(app: &App, family: &str, who: &Who) -> Result<String, Refusal> {
    let token = random_hex(16);
    let ttl = app.lane.session_ttl_s;
    let grant = Grant { who: who.clone(), family: Some(family.to_owned()), expires: now_ms() + u64::from(ttl) * 1000 };
    let ex = Some(Expiration::EX(ttl.into()));
    let pipe = app.store.next().pipeline();
    let _: () =
        pipe.set(format!("refresh:{token}"), grant_json(&grant), ex.clone(), None, false).await.map_err(store_down)?;
    let _: () = pipe.set(format!("family:{family}"), token.as_str(), ex, None, false).await.map_err(store_down)?;
    let _: () = pipe.all().await.map_err(store_down)?;
    Ok(token)
}

/// `refresh_token=…; Path=/token/refresh; Max-Age=…; HttpOnly; Secure;
/// SameSite=Strict` (Max-Age=0 and no value clears it): the browser sends it
/// to the refresh endpoint alone, and page scripts cannot read it.
fn refresh_cookie(token: &str, max_age_s: u32) -> String {
    Cookie::build((REFRESH_COOKIE, token.to_owned()))
        .path(REFRESH_PATH)
        .max_age(time::Duration::seconds(max_age_s.into()))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .build()
        .to_string()
}

fn with_refresh_cookie(mut r: Response, token: &str, max_age_s: u32) -> Response {
    if let Ok(v) = header::HeaderValue::from_str(&refresh_cookie(token, max_age_s)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// A refused refresh: 401, and the browser is told to drop its refresh cookie.
fn refused_refresh(why: &'static str) -> Refusal {
    unauthorized(why).with(header::SET_COOKIE, refresh_cookie("", 0))
}

/// `POST /token/refresh`: the cookie's refresh token, if it is its family's
/// current one, is swapped for a new one and a new access token; an older
/// one (a copy someone kept) revokes the whole family.
async fn refresh(app: &App, headers: &HeaderMap) -> Result<Response, Refusal> {
    if app.lane.auth != AuthMode::Refresh {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "this API issues no refresh tokens", ""));
    }
    let jar = CookieJar::from_headers(headers);
    let token = jar.get(REFRESH_COOKIE).map(|c| c.value().to_owned()).ok_or(unauthorized("no-credential"))?;
    let Some(grant) = live_grant(app, &format!("refresh:{token}")).await? else {
        return Err(refused_refresh("unknown-refresh"));
    };
    // The family's key needs no clock of its own: it was last set with its
    // current token, so it ends no earlier than any live token of its family.
    let family = grant.family.unwrap_or_default();
    let current: Option<String> = app.store.get(format!("family:{family}")).await.map_err(store_down)?;
    match current {
        Some(current) if current == token => {}
        Some(_) => {
            let _: i64 = app.store.del(format!("family:{family}")).await.map_err(store_down)?;
            return Err(refused_refresh("reused"));
        }
        None => return Err(refused_refresh("family-revoked")),
    }
    let next = new_refresh_token(app, &family, &grant.who).await?;
    let access = sign(app, &grant.who, Some(&family))?;
    Ok(with_refresh_cookie(bearer(app, &access), &next, app.lane.session_ttl_s))
}

/// The key's SHA-256 in hex, which the database keys it by: the key itself is kept nowhere.
fn sha256_hex(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// A new API key for `user`, as a developer dashboard's "create key": its
/// hash and id in the database, the key itself in this answer only.
async fn issue_key(app: &App, user: &str) -> Result<Response, Refusal> {
    let key = format!("sk_{}", random_hex(16));
    let key_id = format!("key_{}", random_hex(4));
    let row = [("user", user), ("key_id", key_id.as_str())];
    let _: () = app.db.hset(format!("api_key:{}", sha256_hex(&key)), row).await.map_err(store_down)?;
    Ok(reply(StatusCode::OK, json!({ "api_key": key, "key_id": key_id })))
}

async fn delete_key(app: &App, hash: &str) -> Result<(), Refusal> {
    let _: i64 = app.db.del(format!("api_key:{hash}")).await.map_err(store_down)?;
    Ok(())
}

/// Counts this request in the key's window, which starts at the key's first
/// request; past [`RATE_LIMIT`], a 429 with `Retry-After` until it ends.
async fn limit(app: &App, limiter: Store, client: &str) -> Result<(), Refusal> {
    let now = now_ms();
    let w = match limiter {
        Store::Local => {
            let mut windows = app.windows.lock().unwrap_or_else(PoisonError::into_inner);
            let w = counted(windows.get(client).copied(), now);
            windows.insert(client.to_owned(), w);
            w
        }
        Store::Shared => shared_count(app, client, now, counted(None, now)).await?,
    };
    if w.count > RATE_LIMIT {
        let left = (w.ends - now).div_ceil(1000).max(1);
        return Err(Refusal::new(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded", "rate-limited")
            .with(header::RETRY_AFTER, left.to_string()));
    }
    Ok(())
}

/// `window` with one more request at `now`; the first of a new window once
/// it has ended, or when there was none.
fn counted(window: Option<Window>, now: u64) -> Window {
    match window {
        Some(w) if w.ends > now => Window { count: w.count + 1, ..w },
        _ => Window { count: 1, ends: now + u64::from(RATE_WINDOW_S) * 1000 },
    }
}

/// The shared count: `HINCRBY` and `EXPIRE … NX` on `rate:<key id>` in one
/// transaction, as Redis's fixed-window limiter does. Redis keeps the
/// machine's clock, while the twin moves the servers' clocks for the
/// simulation's waits (see `store_clock.rs`): a `wait 10s` passes in far
/// less real time, so the key's TTL alone would keep the old window
/// open. The window's end, as this server's clock computes it, is kept next
/// to the count (`HSETNX`), and a window that has ended on this clock starts
/// afresh; the TTL only lets Redis drop the key in the end.
async fn shared_count(app: &App, client: &str, now: u64, fresh: Window) -> Result<Window, Refusal> {
    let key = format!("rate:{client}");
    let tx = app.store.next().multi();
    let _: () = tx.hincrby(&key, "count", 1).await.map_err(store_down)?;
    let _: () = tx.hsetnx(&key, "ends", fresh.ends).await.map_err(store_down)?;
    let _: () =
        tx.expire(&key, RATE_WINDOW_S.into(), Some(fred::types::ExpireOptions::NX)).await.map_err(store_down)?;
    let _: () = tx.hget(&key, "ends").await.map_err(store_down)?;
    let (count, _, _, ends): (u32, i64, i64, u64) = tx.exec(true).await.map_err(store_down)?;
    if ends > now {
        return Ok(Window { count, ends });
    }
    let tx = app.store.next().multi();
    let _: () = tx.hset(&key, [("count", 1), ("ends", fresh.ends)]).await.map_err(store_down)?;
    let _: () = tx.expire(&key, RATE_WINDOW_S.into(), None).await.map_err(store_down)?;
    let _: () = tx.exec(true).await.map_err(store_down)?;
    Ok(fresh)
}

/// The jar that signs with the newest key.
fn signed_jar(app: &App, headers: &HeaderMap) -> Option<SignedCookieJar> {
    let (_, secret) = keys(app).pop()?;
    Some(SignedCookieJar::from_headers(headers, CookieKey::derive_from(secret.as_bytes())))
}

fn signed_cookie(data: &ShopSession) -> Cookie<'static> {
    let payload = statelab_sim::wire::b64::encode(serde_json::to_string(data).unwrap_or_default().as_bytes());
    Cookie::build((SIGNED_COOKIE, payload)).path("/").http_only(true).secure(true).same_site(SameSite::Lax).build()
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    Some(v.strip_prefix("Bearer ")?.trim())
}

async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    session: Option<Session>,
    metered: bool,
) -> Result<Hold, Refusal> {
    match app.lane.auth {
        AuthMode::Jwt { denylist } => verify_jwt(app, headers, denylist).await,
        AuthMode::Refresh => verify_jwt(app, headers, false).await,
        AuthMode::Opaque => {
            let token = bearer_token(headers).ok_or(unauthorized("no-credential"))?.to_owned();
            let grant = live_grant(app, &format!("token:{token}")).await?.ok_or(unauthorized("not-active"))?;
            Ok(Hold::Opaque { token, who: grant.who })
        }
        AuthMode::ApiKey { limiter } => {
            let key =
                headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok()).ok_or(unauthorized("no-credential"))?.trim();
            let hash = sha256_hex(key);
            let row: HashMap<String, String> = app.db.hgetall(format!("api_key:{hash}")).await.map_err(store_down)?;
            let (Some(user), Some(_)) = (row.get("user"), row.get("key_id")) else {
                return Err(unauthorized("unknown-api-key"));
            };
            let account = Database::default().account(user).cloned().ok_or(unauthorized("unknown-api-key"))?;
            // Counted per client, as in the simulation: per key, a rotation would reset it.
            if metered {
                limit(app, limiter, user).await?;
            }
            Ok(Hold::Key { hash, who: Who { user: user.clone(), name: account.name, role: account.role } })
        }
        AuthMode::ServerSession { .. } => {
            let session = session.ok_or(unauthorized("no-credential"))?;
            let had_cookie = headers
                .get_all(header::COOKIE)
                .iter()
                .any(|v| v.to_str().is_ok_and(|c| c.split(';').any(|p| p.trim().starts_with("session_id="))));
            match session.get::<ShopSession>("shop").await {
                Ok(Some(data)) => Ok(Hold::Session(session, data)),
                Ok(None) => Err(unauthorized(if had_cookie { "unknown-session" } else { "no-credential" })),
                Err(e) => Err(store_down(e)),
            }
        }
        AuthMode::SignedCookie => {
            let mut seen = false;
            for (_, secret) in keys(app).iter().rev() {
                let jar = SignedCookieJar::from_headers(headers, CookieKey::derive_from(secret.as_bytes()));
                if let Some(c) = jar.get(SIGNED_COOKIE) {
                    let data = statelab_sim::wire::b64::decode(c.value())
                        .and_then(|j| serde_json::from_slice::<ShopSession>(&j).ok())
                        .ok_or(unauthorized("malformed"))?;
                    if data.expires <= now_ms() {
                        return Err(unauthorized("expired"));
                    }
                    return Ok(Hold::Cookie(data));
                }
                seen = true;
            }
            let carried = headers
                .get_all(header::COOKIE)
                .iter()
                .any(|v| v.to_str().is_ok_and(|c| c.split(';').any(|p| p.trim().starts_with("session="))));
            Err(unauthorized(if seen && carried { "bad-signature" } else { "no-credential" }))
        }
    }
}

/// The bearer JWT verified with the fleet's keys; with `denylist`, its `jti`
/// looked up among the revoked.
async fn verify_jwt(app: &App, headers: &HeaderMap, denylist: bool) -> Result<Hold, Refusal> {
    let token = bearer_token(headers).ok_or(unauthorized("no-credential"))?;
    let head = jsonwebtoken::decode_header(token)
        .map_err(|_| unauthorized(if says_alg_none(token) { "alg-none" } else { "malformed" }))?;
    let keys = keys(app);
    let kid = head.kid.unwrap_or_else(|| "k1".into());
    let (_, secret) = keys.iter().find(|(k, _)| *k == kid).ok_or(unauthorized("unknown-key"))?;
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = statelab_sim::wire::jwt::LEEWAY_S;
    v.set_required_spec_claims(&["exp", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &v)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => unauthorized("expired"),
            jsonwebtoken::errors::ErrorKind::InvalidSignature => unauthorized("bad-signature"),
            _ => unauthorized("malformed"),
        })?
        .claims;
    let jti = str_of(&claims["jti"]);
    if denylist {
        let hit: Option<String> = app.store.get(format!("deny:{jti}")).await.map_err(store_down)?;
        if hit.is_some() {
            return Err(unauthorized("revoked"));
        }
    }
    Ok(Hold::Token { jti, exp: claims["exp"].as_u64().unwrap_or(0), sid: claims["sid"].as_str().map(str::to_owned) })
}

async fn serve_user(
    app: &App,
    headers: &HeaderMap,
    route: UserRoute,
    hold: Hold,
    body: &Value,
    query: &str,
) -> Result<Response, Refusal> {
    match route {
        UserRoute::Me => Ok(me(app, headers, &hold)),
        UserRoute::CartItems => add_to_cart(app, headers, hold, body).await,
        UserRoute::Cart => cart(app, headers, hold).await,
        UserRoute::Orders => orders_page(headers, hold, query),
        UserRoute::OrdersNext => next_orders(app, headers, hold).await,
        UserRoute::Logout => logout(app, headers, hold).await,
        UserRoute::RotateKey => rotate_key(app, hold).await,
    }
}

fn me(app: &App, headers: &HeaderMap, hold: &Hold) -> Response {
    let Who { user, name, role } = who(headers, hold);
    reply(StatusCode::OK, json!({ "user": user, "name": name, "role": role, "served_by": app.name }))
}

/// Whom the request is from.
fn who(headers: &HeaderMap, hold: &Hold) -> Who {
    match hold {
        Hold::Token { .. } => {
            // The token's claims, read again: authentication keeps only its id and expiry.
            let c = token_claims(headers);
            Who { user: str_of(&c["sub"]), name: str_of(&c["name"]), role: str_of(&c["role"]) }
        }
        Hold::Opaque { who, .. } | Hold::Key { who, .. } => who.clone(),
        Hold::Session(_, d) | Hold::Cookie(d) => {
            Who { user: d.user.clone(), name: d.name.clone(), role: d.role.clone() }
        }
    }
}

async fn add_to_cart(app: &App, headers: &HeaderMap, hold: Hold, body: &Value) -> Result<Response, Refusal> {
    let sku = match body["sku"].as_str() {
        Some(s) if CATALOG.contains(&s) => s.to_owned(),
        _ => {
            return Err(Refusal::new(StatusCode::BAD_REQUEST, "body must be JSON {\"sku\": \"…\"} of a known sku", ""))
        }
    };
    match hold {
        Hold::Session(session, mut data) => {
            data.cart.push(sku);
            session.insert("shop", &data).await.map_err(store_down)?;
            Ok(reply(StatusCode::CREATED, json!({ "cart": data.cart })))
        }
        Hold::Cookie(mut data) => {
            data.cart.push(sku);
            let jar = signed_jar(app, headers).ok_or(STORE_DOWN)?;
            Ok((jar.add(signed_cookie(&data)), reply(StatusCode::CREATED, json!({ "cart": data.cart })))
                .into_response())
        }
        // No session to keep the cart in: the database keeps it.
        sessionless => {
            let key = format!("cart:{}", who(headers, &sessionless).user);
            let _: i64 = app.db.rpush(&key, sku).await.map_err(store_down)?;
            let cart: Vec<String> = app.db.lrange(&key, 0, -1).await.map_err(store_down)?;
            Ok(reply(StatusCode::CREATED, json!({ "cart": cart })))
        }
    }
}

async fn cart(app: &App, headers: &HeaderMap, hold: Hold) -> Result<Response, Refusal> {
    let cart = match hold {
        Hold::Session(_, data) | Hold::Cookie(data) => data.cart,
        sessionless => {
            app.db.lrange(format!("cart:{}", who(headers, &sessionless).user), 0, -1).await.map_err(store_down)?
        }
    };
    Ok(reply(StatusCode::OK, json!({ "items": cart })))
}

fn orders_page(headers: &HeaderMap, hold: Hold, query: &str) -> Result<Response, Refusal> {
    let page = query.split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|p| p.parse::<u32>().ok());
    let Some(page) = page.filter(|&p| p >= 1) else {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "give ?page=N with N ≥ 1", ""));
    };
    Ok(orders(&who(headers, &hold).user, page))
}

async fn next_orders(app: &App, headers: &HeaderMap, hold: Hold) -> Result<Response, Refusal> {
    match hold {
        Hold::Token { .. } | Hold::Opaque { .. } | Hold::Key { .. } => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "a stateless API keeps no cursor between requests: ask for /api/orders?page=N",
            "",
        )),
        Hold::Session(session, mut data) => {
            data.cursor += 1;
            session.insert("shop", &data).await.map_err(store_down)?;
            Ok(orders(&data.user, data.cursor))
        }
        Hold::Cookie(mut data) => {
            data.cursor += 1;
            let jar = signed_jar(app, headers).ok_or(STORE_DOWN)?;
            Ok((jar.add(signed_cookie(&data)), orders(&data.user, data.cursor)).into_response())
        }
    }
}

async fn logout(app: &App, headers: &HeaderMap, hold: Hold) -> Result<Response, Refusal> {
    let done = reply(StatusCode::OK, json!({ "logged_out": true }));
    match hold {
        // The access token itself still works until its exp: only its family can go.
        Hold::Token { sid, .. } if app.lane.auth == AuthMode::Refresh => {
            if let Some(family) = sid {
                let _: i64 = app.store.del(format!("family:{family}")).await.map_err(store_down)?;
            }
            Ok(with_refresh_cookie(done, "", 0))
        }
        Hold::Token { jti, exp, .. } => {
            if matches!(app.lane.auth, AuthMode::Jwt { denylist: true }) {
                let ttl = exp.saturating_sub(now_ms() / 1000).max(1) as i64;
                let _: () = app
                    .store
                    .set(format!("deny:{jti}"), "1", Some(Expiration::EX(ttl)), None, false)
                    .await
                    .map_err(store_down)?;
            }
            Ok(done)
        }
        Hold::Opaque { token, .. } => {
            let _: i64 = app.store.del(format!("token:{token}")).await.map_err(store_down)?;
            Ok(done)
        }
        Hold::Key { hash, .. } => {
            delete_key(app, &hash).await?;
            Ok(done)
        }
        Hold::Session(session, _) => {
            session.flush().await.map_err(store_down)?;
            Ok(done)
        }
        Hold::Cookie(_) => {
            let jar = signed_jar(app, headers).ok_or(STORE_DOWN)?;
            Ok((jar.remove(Cookie::build(SIGNED_COOKIE).path("/")), done).into_response())
        }
    }
}

/// `POST /keys/rotate`: a new key for the same account, and the one that
/// asked deleted at once (what to do when a key has leaked).
async fn rotate_key(app: &App, hold: Hold) -> Result<Response, Refusal> {
    let Hold::Key { hash, who } = hold else {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "this API issues no API keys", ""));
    };
    delete_key(app, &hash).await?;
    issue_key(app, &who.user).await
}

/// Whether a token's header asks for no signature (`jsonwebtoken` refuses to
/// parse such a header at all; the reason is told apart for the comparison).
fn says_alg_none(token: &str) -> bool {
    let header = token.split('.').next().and_then(statelab_sim::wire::b64::decode);
    let v: Value = header.and_then(|h| serde_json::from_slice(&h).ok()).unwrap_or(Value::Null);
    v["alg"].as_str().is_some_and(|a| a.eq_ignore_ascii_case("none"))
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// The verified token's claims (authentication already checked the signature).
fn token_claims(headers: &HeaderMap) -> Value {
    let payload = bearer_token(headers).and_then(|t| t.split('.').nth(1)).and_then(statelab_sim::wire::b64::decode);
    payload.and_then(|p| serde_json::from_slice(&p).ok()).unwrap_or(Value::Null)
}

fn orders(user: &str, page: u32) -> Response {
    let (ids, pages) = Database::orders(user, page);
    reply(StatusCode::OK, json!({ "page": page, "pages": pages, "orders": ids }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_from_its_first_request_until_it_ends() {
        let first = counted(None, 1_000);
        assert_eq!((first.count, first.ends), (1, 11_000));
        let fifth = (0..4).fold(first, |w, i| counted(Some(w), 2_000 + i * 1_000));
        assert_eq!((fifth.count, fifth.ends), (5, 11_000));
        assert_eq!(counted(Some(fifth), 10_999).count, 6);
        let next = counted(Some(fifth), 11_000);
        assert_eq!((next.count, next.ends), (1, 21_000), "a window ending now is over, as in the simulation");
    }
}
