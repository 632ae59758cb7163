//! What a server does with a request: find its route, authenticate it the
//! lane's way ([`crate::auth`]), then run the shop route. Every step that
//! matters is told in the trace.

use crate::auth::{self, Hold, Principal};
use crate::config::{AuthMode, LaneConfig};
use crate::cookie::SetCookie;
use crate::http::{Headers, Request, Response};
use crate::json::{self, ObjectWriter};
use crate::jwt::{self, Key};
use crate::ledger::Ledger;
use crate::rng::SimRng;
use crate::route::{Route, UserRoute};
use crate::server::Server;
use crate::store::{Database, Session, SharedStore, StoreValue, CATALOG};
use crate::time::SimTime;

pub use crate::auth::open_signed_cookie;

/// Simulated costs, in milliseconds.
pub const BALANCER_MS: u32 = 1;
pub const SERVER_MS: u32 = 2;
pub const DATABASE_MS: u32 = 3;

pub const SESSION_COOKIE: &str = "session_id";
pub const SIGNED_COOKIE: &str = "session";
pub const HOST: &str = "shop.example";
/// The largest header section (request line, headers and their CRLFs) a server reads.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;

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
    /// The last token verified (an engine memo; see [`jwt::Memo`]).
    pub verified: jwt::Memo,
}

impl Backend {
    pub fn new(store: SharedStore, keys: Vec<Key>) -> Backend {
        Backend {
            store,
            db: Database::default(),
            keys,
            rotated: false,
            date: (u64::MAX, String::new()),
            verified: jwt::Memo::default(),
        }
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
    /// The narrator's record of issued session ids: servers report to it, and nothing they decide reads it.
    pub ledger: &'a mut Ledger,
}

pub(crate) type Handled = Result<Response, Response>;

pub fn handle(cx: &mut Ctx, req: &Request) -> Response {
    cx.work.latency_ms += SERVER_MS;
    cx.server.handled += 1;
    route(cx, req).unwrap_or_else(|e| e)
}

fn route(cx: &mut Ctx, req: &Request) -> Handled {
    // The server reads the whole header section before it looks at any of it.
    let head = req.wire_len().saturating_sub(req.body.len());
    if head > MAX_HEADER_BYTES {
        return Err(cx.refuse(431, "request header fields too large", || {
            format!("header section is {head} bytes; this server caps it at 8 KiB, the size of nginx's default header buffer (Node allows 16 KiB)")
        }));
    }
    // No Host check: every request reaching a server has exactly one, since
    // the browser always writes it and hand-written text without it is refused
    // before it is sent (`http::parse_request`).
    let path = req.path();
    let Some(route) = Route::parse(path) else {
        return Err(cx.refuse(404, &format!("no route {path}"), || format!("no route {path} on this shop API")));
    };
    let allowed = route.method();
    if req.method != allowed {
        let method = &req.method;
        let mut r =
            cx.refuse(405, &format!("{path} takes {allowed}"), || format!("{path} takes {allowed}, not {method}"));
        r.headers.push("Allow", allowed);
        return Err(r);
    }
    match route {
        Route::Health => Ok(cx.respond(200, "{\"status\":\"ok\"}".into())),
        Route::Login => auth::login(cx, req),
        Route::User(route) => {
            let who = auth::authenticate(cx, req)?;
            serve(cx, req, route, who)
        }
    }
}

/// A route behind authentication, for the user `who`.
fn serve(cx: &mut Ctx, req: &Request, route: UserRoute, mut who: Principal) -> Handled {
    match route {
        UserRoute::Me => Ok(me(cx, &who)),
        UserRoute::CartItems => add_to_cart(cx, req, &mut who),
        UserRoute::Cart => view_cart(cx, &mut who),
        UserRoute::Orders => orders_page(cx, req, &who),
        UserRoute::OrdersNext => next_orders(cx, &mut who),
        UserRoute::Logout => auth::logout(cx, who),
    }
}

impl Ctx<'_> {
    pub(crate) fn respond(&mut self, status: u16, json: String) -> Response {
        // Room for what routes add (Set-Cookie, WWW-Authenticate, …) without regrowing.
        let mut headers = Headers(Vec::with_capacity(5));
        headers.push("Date", self.backend.http_date(self.now));
        headers.push("Content-Type", "application/json");
        headers.push("Content-Length", json.len().to_string());
        Response { status, headers, body: json }
    }

    pub(crate) fn error(&mut self, status: u16, message: &str) -> Response {
        let mut r = self.respond(status, ObjectWriter::new().str("error", message).finish());
        if status == 401 && matches!(self.config.auth, AuthMode::Jwt { .. }) {
            // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
            r.headers.push("WWW-Authenticate", "Bearer realm=\"shop\", error=\"invalid_token\"");
        }
        r
    }

    /// A refusal whose reason is also told in the trace.
    pub(crate) fn refuse(&mut self, status: u16, message: &str, why: impl FnOnce() -> String) -> Response {
        self.trace.say(why);
        self.error(status, message)
    }

    pub(crate) fn bad_request(&mut self, message: &str) -> Response {
        self.refuse(400, message, || message.to_owned())
    }

    pub(crate) fn unauthorized(&mut self, why: impl FnOnce() -> String) -> Response {
        self.trace.say(why);
        self.error(401, "not logged in: please log in again")
    }

    /// One round trip to the shared store; fails with 503 when it is down.
    pub(crate) fn store_trip(&mut self, op: impl FnOnce() -> String) -> Result<(), Response> {
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

    pub(crate) fn db_trip(&mut self, what: impl FnOnce() -> String) {
        self.work.latency_ms += DATABASE_MS;
        self.work.db_trips += 1;
        self.trace.say(|| format!("{} (+{DATABASE_MS} ms)", what()));
    }

    pub(crate) fn session_ttl_ms(&self) -> u64 {
        u64::from(self.config.session_ttl_s) * 1000
    }

    pub(crate) fn sign_cookie(&self, session: &Session) -> String {
        let payload = crate::b64::encode(session.to_json().as_bytes());
        let sig = crate::b64::encode(&self.backend.signing_key().sign(&payload));
        format!("{payload}.{sig}")
    }
}

/// A string member of a JSON request body.
pub(crate) fn body_field(body: &str, key: &str) -> Option<String> {
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

pub(crate) fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
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
        Some(sku) => return Err(cx.bad_request(&format!("unknown sku \"{sku}\"; try one of {}", CATALOG.join(", ")))),
        None => return Err(cx.bad_request("body must be JSON {\"sku\": \"…\"}")),
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
        _ => return Err(cx.bad_request("give ?page=N with N ≥ 1")),
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
        return Err(cx.bad_request("a stateless API keeps no cursor between requests: ask for /api/orders?page=N"));
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
