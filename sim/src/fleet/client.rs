//! The simulated browser: a single-page app that keeps its JWT in storage
//! and lets the cookie jar handle cookies, as a real browser would.

use crate::base::time::SimTime;
use crate::fleet::config::{Credential, LaneConfig, HOST};
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
    /// `localStorage.token` of the single-page app (JWT lanes).
    pub token: Option<String>,
    /// The last orders page the app showed: in a stateless lane the client,
    /// not the server, remembers where the user is.
    pub page: u32,
}

/// A request as the shop's app builds it before the browser adds cookies:
/// `Host`, the JSON body's headers, and the bearer token it keeps. The
/// simulated browser and the twin's real one both start here.
pub fn app_request(method: &str, target: String, body: Option<String>, token: Option<&str>) -> Request {
    let mut req = Request::new(method, target);
    req.headers.push("Host", HOST);
    if let Some(body) = body {
        req.headers.push("Content-Type", "application/json");
        req.headers.push("Content-Length", body.len().to_string());
        req.body = body;
    }
    if let Some(token) = token {
        req.headers.push("Authorization", ["Bearer ", token].concat());
    }
    req
}

impl Client {
    /// A browser at source address `addr` that holds no cookie and no token
    /// and has shown no orders page yet (`page` 0).
    pub fn new(name: &str, addr: String) -> Client {
        Client { name: name.to_owned(), addr, jar: CookieJar::default(), token: None, page: 0 }
    }

    /// A request as the app's `fetch` sends it: `Host`, the body headers, then
    /// the credential (bearer token, or whatever cookies the jar matches).
    pub fn request(&self, method: &str, target: String, body: Option<String>, now: SimTime) -> Request {
        let mut req = app_request(method, target, body, self.token.as_deref());
        if let Some(cookies) = self.jar.header_for(HOST, req.path(), true, now) {
            req.headers.push("Cookie", cookies);
        }
        req
    }

    /// The credential of this kind the browser holds now: the token the app
    /// stored, or the value of the named cookie.
    pub fn credential(&self, kind: Credential, now: SimTime) -> Option<&str> {
        match kind {
            Credential::Bearer => self.token.as_deref(),
            Credential::Cookie(name) => self.jar.get(name, now).map(|c| c.value.as_str()),
        }
    }

    /// Overwrites the credential of this kind, as a hand edit in devtools
    /// does; a cookie the jar does not hold is not created.
    pub(crate) fn set_credential(&mut self, kind: Credential, value: String) {
        match kind {
            Credential::Bearer => self.token = Some(value),
            Credential::Cookie(name) => drop(self.jar.edit(name, value)),
        }
    }

    /// What the browser and the app keep from a response.
    pub fn absorb(&mut self, req: &Request, resp: &Response, config: &LaneConfig, now: SimTime) {
        for header in resp.headers.get_all("Set-Cookie") {
            // Our servers only send well-formed cookies for this host.
            let _ = self.jar.receive(header, HOST, req.path(), true, now);
        }
        match (req.path(), resp.status) {
            ("/login", 200) if !config.uses_session_cookie() => {
                self.token = resp.issued_token();
            }
            ("/logout", 200) => self.token = None,
            ("/api/orders", 200) => self.page = req.query("page").and_then(|p| p.parse().ok()).unwrap_or(self.page),
            _ => {}
        }
    }
}
