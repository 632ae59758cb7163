//! A real shop server: the simulation's API on axum/hyper, each auth mode done
//! the way the ecosystem does it — `jsonwebtoken` for JWTs, `tower-sessions`
//! (memory store, or the Redis store when shared) for server sessions,
//! axum-extra's `SignedCookieJar` for signed-cookie sessions, the denylist in
//! Redis. Its clock is the process clock, which the twin moves with
//! libfaketime; it reads the fleet's keys from a file on every request, so a
//! key rotation is a file the twin rewrites.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, Key as CookieKey, SameSite, SignedCookieJar};
use fred::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use statelab_sim::fleet::{AuthMode, LaneConfig, Store};
use statelab_sim::fleet::{Database, CATALOG};
use statelab_sim::fleet::{Route, UserRoute};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_sessions::{Expiry, MemoryStore, Session, SessionManagerLayer};
use tower_sessions_redis_store::RedisStore;

use crate::store_clock::OnServerClock;

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
    /// The shop's database: carts of lanes that keep no session.
    db: Pool,
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
    Token { jti: String, exp: u64 },
    Session(Session, ShopSession),
    Cookie(ShopSession),
}

/// A refusal: status, message and — for 401s — a short code saying why,
/// which the twin compares with the simulation's reason.
struct Refusal(StatusCode, &'static str, &'static str);

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
    let app = Arc::new(App { name: o.name, lane: o.lane, keys: o.keys, store: store.clone(), db });
    let router = Router::new().fallback(shop).with_state(app);
    let expiry = Expiry::OnInactivity(time::Duration::seconds(o.lane.session_ttl_s.into()));
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
                Store::Local => router.layer(layer!(MemoryStore::default())),
                Store::Shared => router.layer(layer!(OnServerClock(RedisStore::new(store)))),
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

fn random_hex16() -> String {
    let mut bytes = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn reply(status: StatusCode, body: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

fn refuse(app: &App, r: Refusal) -> Response {
    let Refusal(status, message, why) = r;
    let mut body = json!({ "error": message });
    if status == StatusCode::UNAUTHORIZED {
        body["why"] = json!(why);
    }
    let mut resp = reply(status, body);
    if status == StatusCode::UNAUTHORIZED && matches!(app.lane.auth, AuthMode::Jwt { .. }) {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"shop\", error=\"invalid_token\""),
        );
    }
    resp
}

fn unauthorized(why: &'static str) -> Refusal {
    Refusal(StatusCode::UNAUTHORIZED, "not logged in: please log in again", why)
}

const STORE_DOWN: Refusal = Refusal(StatusCode::SERVICE_UNAVAILABLE, "session store unavailable", "store-down");

/// A store or database error answered as the outage it usually is; the
/// error itself goes to the server's log (kept when a run disagrees), so
/// a timeout on a loaded machine is not mistaken for an outage.
fn store_down(e: impl std::fmt::Display) -> Refusal {
    eprintln!("503 store-down: {e}");
    STORE_DOWN
}

async fn shop(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
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
        Route::User(r) => match authenticate(&app, &parts.headers, session).await {
            Ok(hold) => serve_user(&app, &parts.headers, r, hold, &body, &query).await,
            Err(e) => Err(e),
        },
    };
    result.unwrap_or_else(|r| refuse(&app, r))
}

async fn login(app: &App, headers: &HeaderMap, session: Option<Session>, body: &Value) -> Result<Response, Refusal> {
    let (Some(user), Some(password)) = (body["username"].as_str(), body["password"].as_str()) else {
        return Err(Refusal(
            StatusCode::BAD_REQUEST,
            "body must be JSON {\"username\": \"…\", \"password\": \"…\"}",
            "",
        ));
    };
    let db = Database::default();
    let account = match db.account(user) {
        Some(a) if a.password == password => a.clone(),
        _ => return Err(Refusal(StatusCode::UNAUTHORIZED, "invalid username or password", "password")),
    };
    let welcome = json!({ "user": user, "name": account.name });
    let data = ShopSession { user: user.into(), name: account.name, role: account.role, ..ShopSession::default() };
    match app.lane.auth {
        AuthMode::Jwt { .. } => {
            let keys = keys(app);
            let (kid, secret) = keys.last().ok_or(STORE_DOWN)?;
            let iat = now_ms() / 1000;
            let exp = iat + u64::from(app.lane.token_ttl_s);
            let claims = json!({ "sub": data.user, "name": data.name, "role": data.role, "iat": iat, "exp": exp, "jti": random_hex16() });
            let mut h = Header::new(Algorithm::HS256);
            // Tokens name their key once there is more than one, as in the simulation.
            h.kid = (keys.len() > 1 || kid != "k1").then(|| kid.clone());
            let token = jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(secret.as_bytes()))
                .map_err(|_| Refusal(StatusCode::INTERNAL_SERVER_ERROR, "could not sign", ""))?;
            Ok(reply(
                StatusCode::OK,
                json!({ "token": token, "token_type": "Bearer", "expires_in": app.lane.token_ttl_s }),
            ))
        }
        AuthMode::ServerSession { .. } => {
            let session = session.ok_or(STORE_DOWN)?;
            // A fresh id at login (no session fixation), written at once so a
            // store outage is a 503 here as in the simulation.
            session.cycle_id().await.map_err(store_down)?;
            session.insert("shop", &data).await.map_err(store_down)?;
            session.save().await.map_err(store_down)?;
            Ok(reply(StatusCode::OK, welcome))
        }
        AuthMode::SignedCookie => {
            let data = ShopSession { expires: now_ms() + u64::from(app.lane.session_ttl_s) * 1000, ..data };
            let jar = signed_jar(app, headers).ok_or(STORE_DOWN)?;
            Ok((jar.add(signed_cookie(&data)), reply(StatusCode::OK, welcome)).into_response())
        }
    }
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

async fn authenticate(app: &App, headers: &HeaderMap, session: Option<Session>) -> Result<Hold, Refusal> {
    match app.lane.auth {
        AuthMode::Jwt { denylist } => {
            let token = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(unauthorized("no-credential"))?
                .trim();
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
            let jti = claims["jti"].as_str().unwrap_or_default().to_owned();
            if denylist {
                let hit: Option<String> = app.store.get(format!("deny:{jti}")).await.map_err(store_down)?;
                if hit.is_some() {
                    return Err(unauthorized("revoked"));
                }
            }
            Ok(Hold::Token { jti, exp: claims["exp"].as_u64().unwrap_or(0) })
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
    }
}

fn me(app: &App, headers: &HeaderMap, hold: &Hold) -> Response {
    let (user, name, role) = match hold {
        Hold::Token { .. } => {
            // The token's claims, read again: authentication keeps only its id and expiry.
            let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
            let payload = token.split('.').nth(1).and_then(statelab_sim::wire::b64::decode);
            let c: Value = payload.and_then(|p| serde_json::from_slice(&p).ok()).unwrap_or(Value::Null);
            (str_of(&c["sub"]), str_of(&c["name"]), str_of(&c["role"]))
        }
        Hold::Session(_, d) | Hold::Cookie(d) => (d.user.clone(), d.name.clone(), d.role.clone()),
    };
    reply(StatusCode::OK, json!({ "user": user, "name": name, "role": role, "served_by": app.name }))
}

async fn add_to_cart(app: &App, headers: &HeaderMap, hold: Hold, body: &Value) -> Result<Response, Refusal> {
    let sku = match body["sku"].as_str() {
        Some(s) if CATALOG.contains(&s) => s.to_owned(),
        _ => return Err(Refusal(StatusCode::BAD_REQUEST, "body must be JSON {\"sku\": \"…\"} of a known sku", "")),
    };
    match hold {
        Hold::Token { .. } => {
            let key = format!("cart:{}", token_sub(headers));
            let _: i64 = app.db.rpush(&key, sku).await.map_err(store_down)?;
            let cart: Vec<String> = app.db.lrange(&key, 0, -1).await.map_err(store_down)?;
            Ok(reply(StatusCode::CREATED, json!({ "cart": cart })))
        }
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
    }
}

async fn cart(app: &App, headers: &HeaderMap, hold: Hold) -> Result<Response, Refusal> {
    let cart = match hold {
        Hold::Token { .. } => app.db.lrange(format!("cart:{}", token_sub(headers)), 0, -1).await.map_err(store_down)?,
        Hold::Session(_, data) | Hold::Cookie(data) => data.cart,
    };
    Ok(reply(StatusCode::OK, json!({ "items": cart })))
}

fn orders_page(headers: &HeaderMap, hold: Hold, query: &str) -> Result<Response, Refusal> {
    let page = query.split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|p| p.parse::<u32>().ok());
    let Some(page) = page.filter(|&p| p >= 1) else {
        return Err(Refusal(StatusCode::BAD_REQUEST, "give ?page=N with N ≥ 1", ""));
    };
    let user = match hold {
        Hold::Token { .. } => token_sub(headers),
        Hold::Session(_, data) | Hold::Cookie(data) => data.user,
    };
    Ok(orders(&user, page))
}

async fn next_orders(app: &App, headers: &HeaderMap, hold: Hold) -> Result<Response, Refusal> {
    match hold {
        Hold::Token { .. } => Err(Refusal(
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
        Hold::Token { jti, exp } => {
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

/// The verified token's subject (authentication already checked the signature).
fn token_sub(headers: &HeaderMap) -> String {
    let token = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    let payload = token.split('.').nth(1).and_then(statelab_sim::wire::b64::decode);
    let c: Value = payload.and_then(|p| serde_json::from_slice(&p).ok()).unwrap_or(Value::Null);
    str_of(&c["sub"])
}

fn orders(user: &str, page: u32) -> Response {
    let (ids, pages) = Database::orders(user, page);
    reply(StatusCode::OK, json!({ "page": page, "pages": pages, "orders": ids }))
}
