//! What a server has at hand while it handles one request: the context
//! ([`Ctx`]) with the fleet's shared backend, the costs the request runs up,
//! and the replies every handler writes. Shop routes and authentication both
//! build on it; neither knows the other's internals.

use crate::base::rng::SimRng;
use crate::base::time::SimTime;
use crate::fleet::config::{AuthMode, Credential, LaneConfig};
use crate::fleet::exchange::Trace;
use crate::fleet::ledger::Ledger;
use crate::fleet::server::Server;
use crate::fleet::store::{Database, Session, SharedStore};
use crate::wire::http::{Headers, Response};
use crate::wire::json::{self, ObjectWriter};
use crate::wire::jwt::{self, Key};

/// Simulated costs, in milliseconds.
pub(crate) const BALANCER_MS: u32 = 1;
pub(crate) const SERVER_MS: u32 = 2;
pub(crate) const DATABASE_MS: u32 = 3;

/// What the fleet shares: the store, the database, the signing keys.
#[derive(Clone, Debug)]
pub(super) struct Backend {
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
    pub(super) fn new(store: SharedStore, keys: Vec<Key>) -> Backend {
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

    pub(super) fn signing_key(&self) -> &Key {
        self.keys.last().expect("the fleet always has a signing key")
    }
}

/// Costs a request ran up inside the fleet.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Cost {
    pub latency_ms: u32,
    pub store_trips: u32,
    pub db_trips: u32,
    /// Set by a logout: how long the credential just logged out still works.
    pub revocation_window_s: Option<u64>,
}

pub(super) struct Ctx<'a> {
    pub server: &'a mut Server,
    pub backend: &'a mut Backend,
    pub config: &'a LaneConfig,
    pub rng: &'a mut SimRng,
    /// This server's clock (true time plus its skew).
    pub now: SimTime,
    pub trace: &'a mut Trace,
    pub cost: Cost,
    /// The narrator's record of issued session ids: servers report to it, and nothing they decide reads it.
    pub ledger: &'a mut Ledger,
    /// Set when the server accepts a WebSocket handshake: the user it took the
    /// client to be, or `None` when the token is to come in the first message.
    pub upgraded: Option<Option<String>>,
}

pub(crate) type Handled = Result<Response, Response>;

impl Ctx<'_> {
    pub(crate) fn respond(&mut self, status: u16, json: String) -> Response {
        // Room for what routes add (Set-Cookie, WWW-Authenticate, …) without regrowing.
        let mut headers = Headers(Vec::with_capacity(5));
        headers.push("Date", self.backend.http_date(self.now));
        headers.push("Content-Type", "application/json");
        headers.push("Content-Length", json.len().to_string());
        Response { status, headers, body: json }
    }

    /// The `Date` header's value for this server's clock.
    pub(crate) fn date(&mut self) -> String {
        self.backend.http_date(self.now)
    }

    pub(crate) fn error(&mut self, status: u16, message: &str) -> Response {
        let mut r = self.respond(status, ObjectWriter::new().str("error", message).finish());
        if status == 401 && self.config.auth.credential() == Credential::Bearer {
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
        // A third-party client has no login to go back to: its key is what failed.
        let message = match self.config.auth {
            AuthMode::ApiKey { .. } => "invalid or revoked API key",
            _ => "not logged in: please log in again",
        };
        self.error(401, message)
    }

    /// One round trip to the shared store; fails with 503 when it is down.
    pub(crate) fn store_trip(&mut self, op: impl FnOnce() -> String) -> Result<(), Response> {
        self.cost.latency_ms += self.backend.store.latency_ms;
        self.cost.store_trips += 1;
        let ms = self.backend.store.latency_ms;
        if !self.backend.store.up {
            self.trace.say(|| format!("{} → no answer: the session store is down", op()));
            return Err(self.error(503, "session store unavailable"));
        }
        self.trace.say(|| format!("{} (+{ms} ms)", op()));
        Ok(())
    }

    pub(crate) fn db_trip(&mut self, what: impl FnOnce() -> String) {
        self.cost.latency_ms += DATABASE_MS;
        self.cost.db_trips += 1;
        self.trace.say(|| format!("{} (+{DATABASE_MS} ms)", what()));
    }

    pub(crate) fn session_ttl_ms(&self) -> u64 {
        u64::from(self.config.session_ttl_s) * 1000
    }

    pub(crate) fn sign_cookie(&self, session: &Session) -> String {
        let payload = crate::wire::b64::encode(session.to_json().as_bytes());
        let sig = crate::wire::b64::encode(&self.backend.signing_key().sign(&payload));
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
