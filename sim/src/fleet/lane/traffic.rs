//! The lane's side of a load run (`crate::load`): load users, one request of
//! generated traffic at a time, and what each answer was. No exchange is
//! kept: a run of a million requests keeps only its counts.

use super::{login_body, Lane};
use crate::fleet::client::Client;
use crate::fleet::store::Account;
use crate::wire::cookie::CookieJar;
use crate::wire::json::ObjectWriter;

/// What a load user asks for when logged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadRoute {
    Me,
    Cart,
    Orders,
    AddToCart,
}

/// One answer of a load run, as much of it as the charts need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub status: u16,
    /// The server that answered; `None` when the balancer did.
    pub server: Option<u8>,
    /// What the user waited: the request's latency, and a refresh's before it.
    pub latency_ms: u32,
    pub credential_bytes: u32,
    pub login: bool,
    /// The app sent `POST /token/refresh` first, its access token having expired.
    pub refreshed: bool,
    /// Round trips to the shared store, the refresh's included.
    pub store_trips: u32,
}

impl Outcome {
    /// An answer outside the HTTP exchange path (an FTP reply, an order
    /// through a pool): no login, no refresh, no store, no credential
    /// unless [`Outcome::carrying`] says so.
    pub(crate) fn answer(status: u16, server: Option<u8>, latency_ms: u32) -> Outcome {
        Outcome { status, server, latency_ms, credential_bytes: 0, login: false, refreshed: false, store_trips: 0 }
    }

    /// The same answer, its request having carried `bytes` of credentials.
    pub(crate) fn carrying(self, bytes: u32) -> Outcome {
        Outcome { credential_bytes: bytes, ..self }
    }
}

/// Index of the first load user among a lane's clients (alice, bob, carol come first).
pub(super) const FIRST: usize = 3;

impl Lane {
    /// Creates load users `u00001`… up to `n` of them, with accounts. The
    /// names are zero-padded so they sort in creation order: each account
    /// goes at the end of the database's sorted table.
    pub(crate) fn add_load_users(&mut self, n: u32) {
        while self.clients.len() < FIRST + n as usize {
            let k = self.clients.len() - FIRST + 1;
            let name = format!("u{k:05}");
            let account = Account { password: load_password(k), name: format!("User {k}"), role: "user".into() };
            self.backend.db.add_account(name.clone(), account);
            // RFC 2544's benchmarking range: plainly not real users' addresses.
            self.clients.push(Client::new(&name, format!("198.18.{}.{}", k / 250, k % 250 + 1)));
        }
    }

    /// Load user `user` (0-based) makes one request: a login when it holds
    /// no credential, else `route`. A 401 makes it forget its credential, so
    /// its next request logs in again, as a real app sends its user back to
    /// the login form.
    pub(crate) fn traffic(&mut self, user: u32, route: LoadRoute, action_no: u32) -> Outcome {
        let ci = FIRST + user as usize;
        let c = &self.clients[ci];
        let logged_in = c.credential(self.config.auth.credential(), self.now).is_some();
        let (method, target, body) = if !logged_in {
            ("POST", "/login".to_owned(), Some(login_body(&c.name, &load_password(user as usize + 1))))
        } else {
            match route {
                LoadRoute::Me => ("GET", "/api/me".to_owned(), None),
                LoadRoute::Cart => ("GET", "/api/cart".to_owned(), None),
                LoadRoute::Orders => ("GET", "/api/orders?page=1".to_owned(), None),
                LoadRoute::AddToCart => {
                    ("POST", "/api/cart/items".to_owned(), Some(ObjectWriter::new().str("sku", "mug").finish()))
                }
            }
        };
        // The refresh is the app's own request, not one the user asked for:
        // it is not an answer of the run, but the user waits for it and the
        // store serves it, so its latency and store trips count with the request.
        let (mut refreshed, mut before_ms, mut before_trips) = (false, 0, 0);
        if let Some(refresh) = self.refresh_request(ci, &target) {
            let x = self.exchange_for(ci, refresh, true, action_no, false);
            self.stats.count(&x);
            (refreshed, before_ms, before_trips) = (true, x.latency_ms, x.store_trips);
        }
        let c = &self.clients[ci];
        let req = c.request(self.config.auth.credential(), method, target, body, self.now);
        let x = self.exchange_for(ci, req, true, action_no, false);
        self.stats.count(&x);
        let status = x.response.status;
        if status == 401 {
            let c = &mut self.clients[ci];
            (c.token, c.token_expires) = (None, None);
            c.jar = CookieJar::default();
        }
        Outcome {
            status,
            server: x.server,
            latency_ms: x.latency_ms.saturating_add(before_ms),
            credential_bytes: x.credential_bytes,
            login: !logged_in,
            refreshed,
            store_trips: x.store_trips.saturating_add(before_trips),
        }
    }

    /// Moves the clock without sweeping expired sessions: a load run sweeps
    /// only when it looks at what is held (every `load::HELD_EVERY` seconds),
    /// since a sweep visits every session. Requests still refuse an expired
    /// session when they meet one.
    pub(crate) fn elapse_unswept(&mut self, ms: u64) {
        self.now = self.now.plus_ms(ms);
    }

    /// The index of the newest entry: a load run reads the events its faults recorded.
    pub(crate) fn entry_count(&self) -> usize {
        self.entries.len()
    }
}

/// The password of load user `k` (1-based), the same where its account is
/// made and where it logs in.
fn load_password(k: usize) -> String {
    format!("pw-{k}")
}
