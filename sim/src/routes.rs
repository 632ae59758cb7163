//! What a server does with a request: authenticate it the lane's way, then
//! run the shop route. Every step that matters is told in the trace.

use crate::config::{AuthMode, LaneConfig, Store};
use crate::cookie::{cookie_value, SetCookie};
use crate::http::{Headers, Request, Response};
use crate::json::{self, ObjectWriter};
use crate::jwt::{self, Claims, Key};
use crate::rng::SimRng;
use crate::server::Server;
use crate::store::{Database, Session, SharedStore, StoreValue, CATALOG};
use crate::time::{human_duration, SimTime};

/// Simulated costs, in milliseconds.
pub const BALANCER_MS: u32 = 1;
pub const SERVER_MS: u32 = 2;
pub const DATABASE_MS: u32 = 3;

pub const SESSION_COOKIE: &str = "session_id";
pub const SIGNED_COOKIE: &str = "session";
pub const HOST: &str = "shop.example";

/// Trace lines are built only when someone will read them: a load run turns
/// them off and skips the formatting.
pub struct Trace {
    on: bool,
    pub steps: Vec<String>,
}

impl Trace {
    pub fn new(on: bool) -> Trace {
        Trace { on, steps: Vec::new() }
    }

    pub fn say(&mut self, line: impl FnOnce() -> String) {
        if self.on {
            self.steps.push(line());
        }
    }

    pub fn text(&self, line: impl FnOnce() -> String) -> String {
        if self.on {
            line()
        } else {
            String::new()
        }
    }
}

/// What the fleet shares: the store, the database, the signing keys.
#[derive(Clone, Debug)]
pub struct Backend {
    pub store: SharedStore,
    pub db: Database,
    /// Keys every server accepts; the last one signs.
    pub keys: Vec<Key>,
    /// Once keys have rotated, tokens name their key in `kid`.
    pub rotated: bool,
    /// The last `Date` value written, by second: most responses in a burst share it.
    date: (u64, String),
}

impl Backend {
    pub fn new(store: SharedStore, keys: Vec<Key>) -> Backend {
        Backend { store, db: Database::default(), keys, rotated: false, date: (u64::MAX, String::new()) }
    }

    fn http_date(&mut self, t: SimTime) -> String {
        if self.date.0 != t.secs() {
            self.date = (t.secs(), t.http_date());
        }
        self.date.1.clone()
    }

    pub fn signing_key(&self) -> &Key {
        self.keys.last().expect("the fleet always has a signing key")
    }
}

/// Costs a request ran up inside the fleet.
#[derive(Clone, Copy, Debug, Default)]
pub struct Work {
    pub latency_ms: u32,
    pub store_trips: u32,
    pub db_trips: u32,
    /// Set by a logout: how long the credential just logged out still works.
    pub revocation_window_s: Option<u64>,
}

pub struct Ctx<'a> {
    pub server: &'a mut Server,
    pub backend: &'a mut Backend,
    pub config: &'a LaneConfig,
    pub rng: &'a mut SimRng,
    /// This server's clock (true time plus its skew).
    pub now: SimTime,
    pub trace: &'a mut Trace,
    pub work: Work,
}

/// Who the request is from, and where their session state lives.
struct Principal {
    user: String,
    name: String,
    role: String,
    hold: Hold,
}

impl Principal {
    fn of(s: &Session, hold: Hold) -> Principal {
        Principal { user: s.user.clone(), name: s.name.clone(), role: s.role.clone(), hold }
    }
}

enum Hold {
    Token { jti: String, exp: u64 },
    Local(String),
    Shared(String, Session),
    Cookie(Session),
}

type Handled = Result<Response, Response>;

pub fn handle(cx: &mut Ctx, req: &Request) -> Response {
    cx.work.latency_ms += SERVER_MS;
    cx.server.handled += 1;
    route(cx, req).unwrap_or_else(|e| e)
}

fn route(cx: &mut Ctx, req: &Request) -> Handled {
    if req.headers.get("Host").is_none() {
        return Err(cx.error(400, "HTTP/1.1 requires a Host header"));
    }
    let path = req.path();
    let allowed = match path {
        "/login" | "/logout" | "/api/cart/items" => "POST",
        "/api/me" | "/api/cart" | "/api/orders" | "/api/orders/next" | "/health" => "GET",
        _ => return Err(cx.error(404, &format!("no route {path}"))),
    };
    if req.method != allowed {
        let mut r = cx.error(405, &format!("{path} takes {allowed}"));
        r.headers.push("Allow", allowed);
        return Err(r);
    }
    match path {
        "/health" => Ok(cx.respond(200, "{\"status\":\"ok\"}".into())),
        "/login" => login(cx, req),
        _ => {
            let mut who = authenticate(cx, req)?;
            match path {
                "/api/me" => Ok(me(cx, &who)),
                "/api/cart/items" => add_to_cart(cx, req, &mut who),
                "/api/cart" => view_cart(cx, &mut who),
                "/api/orders" => orders_page(cx, req, &who),
                "/api/orders/next" => next_orders(cx, &mut who),
                _ => logout(cx, who),
            }
        }
    }
}

impl Ctx<'_> {
    fn respond(&mut self, status: u16, json: String) -> Response {
        let mut headers = Headers::default();
        headers.push("Date", self.backend.http_date(self.now));
        headers.push("Content-Type", "application/json");
        headers.push("Content-Length", json.len().to_string());
        Response { status, headers, body: json }
    }

    fn error(&mut self, status: u16, message: &str) -> Response {
        let mut r = self.respond(status, ObjectWriter::new().str("error", message).finish());
        if status == 401 && matches!(self.config.auth, AuthMode::Jwt { .. }) {
            // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
            r.headers.push("WWW-Authenticate", "Bearer realm=\"shop\", error=\"invalid_token\"");
        }
        r
    }

    fn unauthorized(&mut self, why: impl FnOnce() -> String) -> Response {
        self.trace.say(why);
        self.error(401, "not logged in: please log in again")
    }

    /// One round trip to the shared store; fails with 503 when it is down.
    fn store_trip(&mut self, op: impl FnOnce() -> String) -> Result<(), Response> {
        self.work.latency_ms += self.backend.store.latency_ms;
        self.work.store_trips += 1;
        let ms = self.backend.store.latency_ms;
        if !self.backend.store.up {
            self.trace.say(|| format!("{} → no answer: the session store is down", op()));
            return Err(self.error(503, "session store unavailable"));
        }
        self.trace.say(|| format!("{} (+{ms} ms)", op()));
        Ok(())
    }

    fn db_trip(&mut self, what: impl FnOnce() -> String) {
        self.work.latency_ms += DATABASE_MS;
        self.work.db_trips += 1;
        self.trace.say(|| format!("{} (+{DATABASE_MS} ms)", what()));
    }

    fn session_ttl_ms(&self) -> u64 {
        u64::from(self.config.session_ttl_s) * 1000
    }

    fn sign_cookie(&self, session: &Session) -> String {
        let payload = crate::b64::encode(session.to_json().as_bytes());
        let sig = crate::b64::encode(&self.backend.signing_key().sign(&payload));
        format!("{payload}.{sig}")
    }
}

/// A string member of a JSON request body.
fn body_field(body: &str, key: &str) -> Option<String> {
    let mut found = None;
    json::object_members(body, |k, v| {
        if k == key {
            found = v.into_string();
        }
        Ok(())
    })
    .ok()?;
    found
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn login(cx: &mut Ctx, req: &Request) -> Handled {
    let (Some(user), Some(password)) = (body_field(&req.body, "username"), body_field(&req.body, "password")) else {
        return Err(cx.error(400, "body must be JSON {\"username\": \"…\", \"password\": \"…\"}"));
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
                }
                Store::Shared => {
                    cx.store_trip(|| format!("store SET session:{}… EX {}", short(&id), ttl / 1000))?;
                    let expires = session.expires;
                    cx.backend.store.set(format!("session:{id}"), StoreValue::Session(session), expires);
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

fn authenticate(cx: &mut Ctx, req: &Request) -> Result<Principal, Response> {
    match cx.config.auth {
        AuthMode::Jwt { denylist } => {
            let Some(token) = req.bearer_token() else {
                return Err(cx.unauthorized(|| "no `Authorization: Bearer` header: nothing to verify".into()));
            };
            let now_s = cx.now.secs();
            let (claims, header) = match jwt::verify(token.trim(), &cx.backend.keys, now_s) {
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
                        Some(_) => {
                            cx.server.sessions.remove(&id);
                            Err(cx.unauthorized(|| {
                                format!(
                                    "sessions[\"{}…\"] on {server} expired (idle {})",
                                    short(&id),
                                    human_duration(ttl / 1000)
                                )
                            }))
                        }
                        None => Err(cx.unauthorized(|| format!("sessions[\"{}…\"] not found on {server}", short(&id)))),
                    }
                }
                Store::Shared => {
                    cx.store_trip(|| format!("store GETEX session:{}… EX {}", short(&id), ttl / 1000))?;
                    match cx.backend.store.get_ex(&format!("session:{id}"), now, now.plus_ms(ttl)) {
                        Some(StoreValue::Session(s)) => Ok(Principal::of(s, Hold::Shared(id, s.clone()))),
                        _ => Err(cx.unauthorized(|| {
                            format!("session:{}… not in the store (expired or logged out)", short(&id))
                        })),
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

fn me(cx: &mut Ctx, who: &Principal) -> Response {
    let body = ObjectWriter::new()
        .str("user", &who.user)
        .str("name", &who.name)
        .str("role", &who.role)
        .str("served_by", &cx.server.name())
        .finish();
    cx.respond(200, body)
}

/// Runs `f` on the session that holds the cart and cursor, wherever it lives.
fn with_session<R>(cx: &mut Ctx, who: &mut Principal, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    match &mut who.hold {
        Hold::Local(id) => cx.server.sessions.get_mut(id.as_str()).map(f),
        Hold::Shared(_, s) | Hold::Cookie(s) => Some(f(s)),
        Hold::Token { .. } => None,
    }
}

/// Writes a changed session back where it lives; a signed cookie is re-issued.
fn save(cx: &mut Ctx, who: &Principal, response: &mut Response) -> Result<(), Response> {
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
        Hold::Token { .. } => {}
    }
    Ok(())
}

fn add_to_cart(cx: &mut Ctx, req: &Request, who: &mut Principal) -> Handled {
    let sku = match body_field(&req.body, "sku") {
        Some(sku) if CATALOG.contains(&sku.as_str()) => sku,
        Some(sku) => return Err(cx.error(400, &format!("unknown sku \"{sku}\"; try one of {}", CATALOG.join(", ")))),
        None => return Err(cx.error(400, "body must be JSON {\"sku\": \"…\"}")),
    };
    let cart = match with_session(cx, who, |s| {
        s.cart.push(sku.clone());
        s.cart.clone()
    }) {
        Some(cart) => cart,
        None => {
            let user = who.user.clone();
            cx.db_trip(|| format!("database: append {sku} to carts[\"{user}\"] (no session to keep it in)"));
            let cart = cx.backend.db.carts.get_or_default(user);
            cart.push(sku);
            cart.clone()
        }
    };
    let mut r = cx.respond(201, ObjectWriter::new().strs("cart", &cart).finish());
    save(cx, who, &mut r)?;
    Ok(r)
}

fn view_cart(cx: &mut Ctx, who: &mut Principal) -> Handled {
    let cart = match with_session(cx, who, |s| s.cart.clone()) {
        Some(cart) => cart,
        None => {
            let user = who.user.clone();
            cx.db_trip(|| format!("database: read carts[\"{user}\"]"));
            cx.backend.db.carts.get(&user).cloned().unwrap_or_default()
        }
    };
    Ok(cx.respond(200, ObjectWriter::new().strs("items", &cart).finish()))
}

fn orders_page(cx: &mut Ctx, req: &Request, who: &Principal) -> Handled {
    let page = match req.query("page").map(str::parse::<u32>) {
        Some(Ok(p)) if p >= 1 => p,
        _ => return Err(cx.error(400, "give ?page=N with N ≥ 1")),
    };
    Ok(page_response(cx, &who.user, page, "the page number came in the URL; nothing remembered"))
}

fn page_response(cx: &mut Ctx, user: &str, page: u32, how: &str) -> Response {
    cx.db_trip(|| format!("database: orders of {user}, page {page} — {how}"));
    let (ids, pages) = Database::orders(user, page);
    cx.respond(
        200,
        ObjectWriter::new().num("page", page.into()).num("pages", pages.into()).strs("orders", &ids).finish(),
    )
}

fn next_orders(cx: &mut Ctx, who: &mut Principal) -> Handled {
    let Some(page) = with_session(cx, who, |s| {
        s.cursor += 1;
        s.cursor
    }) else {
        return Err(cx.error(400, "a stateless API keeps no cursor between requests: ask for /api/orders?page=N"));
    };
    let user = who.user.clone();
    let how = match who.hold {
        Hold::Cookie(_) => "the cursor rode in the signed cookie",
        _ => "the cursor was remembered in the session",
    };
    let mut r = page_response(cx, &user, page, how);
    save(cx, who, &mut r)?;
    Ok(r)
}

fn logout(cx: &mut Ctx, who: Principal) -> Handled {
    let now_s = cx.now.secs();
    let clear = |name: &str| SetCookie::session(name, "").deleted().to_string();
    let mut r = cx.respond(200, "{\"logged_out\":true}".into());
    match who.hold {
        Hold::Token { jti, exp } => {
            if matches!(cx.config.auth, AuthMode::Jwt { denylist: true }) {
                let ttl = exp.saturating_sub(now_s);
                cx.store_trip(|| format!("store SET deny:{jti} EX {ttl} (denylist until exp)"))?;
                cx.backend.store.set(format!("deny:{jti}"), StoreValue::Revoked, SimTime(exp * 1000));
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
            let server = cx.server.name();
            cx.trace.say(|| format!("deleted sessions[\"{}…\"] from {server}'s memory: revoked at once", short(&id)));
            r.headers.push("Set-Cookie", clear(SESSION_COOKIE));
            cx.work.revocation_window_s = Some(0);
        }
        Hold::Shared(id, _) => {
            cx.store_trip(|| format!("store DEL session:{}…", short(&id)))?;
            cx.backend.store.delete(&format!("session:{id}"));
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
