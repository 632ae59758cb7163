//! The simulated browser: a single-page app that keeps its JWT in storage
//! and lets the cookie jar handle cookies, as a real browser would.

use crate::base::time::SimTime;
use crate::fleet::config::{Credential, LaneConfig, API_KEY_HEADER, HOST, REFRESH_COOKIE, REFRESH_PATH};
use crate::wire::cookie::CookieJar;
use crate::wire::http::{Request, Response};

/// One simulated browser running the shop's single-page app: its source
/// address, cookie jar, stored token and the orders page it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// The account it logs in as (`alice`, or a load user such as `u00001`);
    /// exchanges name their sender by it.
    pub name: String,
    /// Source address the balancer sees (IP hash uses it).
    pub addr: String,
    /// The browser's cookies (session, signed session, the balancer's `lb`
    /// pin), sent back on every request they match.
    pub jar: CookieJar,
    /// `localStorage.token` of the single-page app (token lanes), or the
    /// API key the client was given (API-key lanes).
    pub token: Option<String>,
    /// When the app takes its token to expire, from the `expires_in` it
    /// came with: a refresh lane's app refreshes first from then on.
    pub token_expires: Option<SimTime>,
    /// The last orders page the app showed: in a stateless lane the client,
    /// not the server, remembers where the user is.
    pub page: u32,
    /// The app's WebSocket (connection lanes): open, waiting to reconnect, or neither.
    pub socket: Socket,
}

/// Where a client's WebSocket stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Socket {
    /// Never opened, or closed for good (1000, 1008, a refused handshake).
    #[default]
    Closed,
    /// Connection `id` is open.
    Open(u32),
    /// Lost (1006, 1001, or a failed attempt): the app tries again at `at`,
    /// its attempt number `attempt` (0-based) since it last had a connection.
    Retrying {
        /// When the next attempt goes out, on the lane's true clock.
        at: SimTime,
        /// 0 for the first attempt after the loss.
        attempt: u32,
    },
}

/// A request as the shop's app builds it before the browser adds cookies:
/// `Host`, the JSON body's headers, and the credential it keeps — a bearer
/// token (never to the refresh endpoint, which takes its cookie alone) or an
/// API key. The simulated browser and the twin's real one both start here.
pub fn app_request(method: &str, target: String, body: Option<String>, token: Option<(Credential, &str)>) -> Request {
    let mut req = Request::new(method, target);
    req.headers.push("Host", HOST);
    if let Some(body) = body {
        req.headers.push("Content-Type", "application/json");
        req.headers.push("Content-Length", body.len().to_string());
        req.body = body;
    }
    match token {
        Some((Credential::Bearer, token)) if req.path() != REFRESH_PATH => {
            req.headers.push("Authorization", ["Bearer ", token].concat())
        }
        Some((Credential::ApiKey, key)) => req.headers.push(API_KEY_HEADER, key.to_owned()),
        _ => {}
    }
    req
}

impl Client {
    /// A browser at source address `addr` that holds no cookie and no token
    /// and has shown no orders page yet (`page` 0).
    pub fn new(name: &str, addr: String) -> Client {
        Client {
            name: name.to_owned(),
            addr,
            jar: CookieJar::default(),
            token: None,
            token_expires: None,
            page: 0,
            socket: Socket::Closed,
        }
    }

    /// A request as the app's `fetch` sends it: `Host`, the body headers, then
    /// the credential (bearer token or API key, as `kind` says, and whatever
    /// cookies the jar matches).
    pub fn request(
        &self,
        kind: Credential,
        method: &str,
        target: String,
        body: Option<String>,
        now: SimTime,
    ) -> Request {
        let mut req = app_request(method, target, body, self.token.as_deref().map(|t| (kind, t)));
        if let Some(cookies) = self.jar.header_for(HOST, req.path(), true, now) {
            req.headers.push("Cookie", cookies);
        }
        req
    }

    /// The credential of this kind the browser holds now: the token the app
    /// stored, or the value of the named cookie.
    pub fn credential(&self, kind: Credential, now: SimTime) -> Option<&str> {
        match kind {
            Credential::Bearer | Credential::ApiKey => self.token.as_deref(),
            Credential::Cookie(name) => self.jar.get(name, now).map(|c| c.value.as_str()),
        }
    }

    /// Overwrites the credential of this kind, as a hand edit in devtools
    /// does; a cookie the jar does not hold is not created.
    pub(crate) fn set_credential(&mut self, kind: Credential, value: String) {
        match kind {
            Credential::Bearer | Credential::ApiKey => self.token = Some(value),
            Credential::Cookie(name) => drop(self.jar.edit(name, value)),
        }
    }

    /// Whether the app should refresh before its next request: it holds an
    /// access token it takes to have expired, and a refresh cookie to trade.
    pub fn refresh_due(&self, now: SimTime) -> bool {
        self.token.is_some()
            && self.token_expires.is_some_and(|t| t <= now)
            && self.jar.get(REFRESH_COOKIE, now).is_some()
    }

    /// What the browser and the app keep from a response.
    pub fn absorb(&mut self, req: &Request, resp: &Response, config: &LaneConfig, now: SimTime) {
        for header in resp.headers.get_all("Set-Cookie") {
            // Our servers only send well-formed cookies for this host.
            let _ = self.jar.receive(header, HOST, req.path(), true, now);
        }
        match (req.path(), resp.status) {
            ("/login" | REFRESH_PATH | "/keys/rotate", 200) if !config.uses_session_cookie() => {
                let issued = resp.issued();
                self.token_expires = issued.as_ref().and_then(|(_, s)| s.map(|s| now.plus_ms(s.saturating_mul(1000))));
                self.token = issued.map(|(t, _)| t);
            }
            ("/logout", 200) => (self.token, self.token_expires) = (None, None),
            ("/api/orders", 200) => self.page = req.query("page").and_then(|p| p.parse().ok()).unwrap_or(self.page),
            _ => {}
        }
    }
}
