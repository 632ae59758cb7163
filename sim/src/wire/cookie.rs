//! Cookies per RFC 6265: `Set-Cookie` serialisation and the user agent's
//! parsing algorithm (section 5.2), and a browser cookie jar (sections 5.3,
//! 5.4) running on the simulated clock. The tests check our headers against
//! the `cookie` crate, an independent parser.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use crate::base::time::SimTime;
use std::fmt;

/// A cookie's `SameSite` attribute (RFC 6265bis): whether a browser sends it
/// on cross-site requests. Parsed, written and kept, but not applied: the
/// [`CookieJar`] is never told which site a request comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`: sent on same-site requests only.
    Strict,
    /// `SameSite=Lax`: also sent on top-level cross-site navigations by GET.
    Lax,
    /// `SameSite=None`: sent on cross-site requests too.
    None,
}

/// The longest `Set-Cookie` a browser here accepts. Browsers keep at least
/// 4096 bytes per cookie (RFC 6265 §6.1) and refuse far larger ones; the
/// bound also caps the work one header can cause.
pub const MAX_COOKIE_BYTES: usize = 8 * 1024;

/// One `Set-Cookie` header's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookie {
    /// The text before the first `=`, trimmed; never empty once parsed.
    pub name: String,
    /// The text after the first `=`, trimmed; written and read verbatim (no
    /// quoting or escaping).
    pub value: String,
    /// `Expires`: an absolute end. `None` when absent or when no value is an
    /// IMF-fixdate [`SimTime::parse_http_date`] reads; the last valid one wins.
    pub expires: Option<SimTime>,
    /// `Max-Age`, in seconds from when the cookie is received; zero or less
    /// deletes it. Wins over [`SetCookie::expires`] (RFC 6265 §5.3).
    /// Out-of-range digits saturate to `i64::MIN`/`i64::MAX`.
    pub max_age: Option<i64>,
    /// `Domain`, lowercased, leading dots removed: the cookie is then also
    /// sent to subdomains. `None` makes it host-only.
    pub domain: Option<String>,
    /// `Path`; `None` (or a value not starting with `/`, when parsed) means
    /// the default path of the request that set it (RFC 6265 §5.1.4).
    pub path: Option<String>,
    /// `Secure`: sent only over https, and refused when set over http.
    pub secure: bool,
    /// `HttpOnly`: hidden from page scripts, sent with requests as usual.
    pub http_only: bool,
    /// `SameSite`; `None` when absent or of an unknown value.
    pub same_site: Option<SameSite>,
}

impl SetCookie {
    /// `name=value; Path=/` with no other attribute: a session cookie (no
    /// expiry) for the whole site.
    pub fn new(name: &str, value: impl Into<String>) -> SetCookie {
        SetCookie {
            name: name.to_owned(),
            value: value.into(),
            expires: None,
            max_age: None,
            domain: None,
            path: Some("/".to_owned()),
            secure: false,
            http_only: false,
            same_site: None,
        }
    }

    /// The session cookie every stateful lane sets:
    /// `name=value; Path=/; HttpOnly; Secure; SameSite=Lax`.
    pub fn session(name: &str, value: impl Into<String>) -> SetCookie {
        SetCookie { http_only: true, secure: true, same_site: Some(SameSite::Lax), ..SetCookie::new(name, value) }
    }

    /// The same cookie, told to expire now (how a server deletes it).
    pub fn deleted(mut self) -> SetCookie {
        self.value.clear();
        self.max_age = Some(0);
        self
    }

    /// Parses a `Set-Cookie` value the way a browser does (RFC 6265 §5.2):
    /// lenient about attributes, which are ignored when malformed, but a
    /// cookie without `name=` is dropped entirely (`None`), and so is one
    /// over [`MAX_COOKIE_BYTES`], unread.
    pub fn parse(header: &str) -> Option<SetCookie> {
        if header.len() > MAX_COOKIE_BYTES {
            return None;
        }
        let (pair, attrs) = header.split_once(';').unwrap_or((header, ""));
        let (name, value) = pair.split_once('=')?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return None;
        }
        let mut c = SetCookie { path: None, ..SetCookie::new(name, value) };
        for attr in attrs.split(';') {
            let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
            let (key, val) = (key.trim(), val.trim());
            match key.to_ascii_lowercase().as_str() {
                "expires" => c.expires = SimTime::parse_http_date(val).or(c.expires),
                "max-age" => {
                    let digits = val.strip_prefix('-').unwrap_or(val);
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        c.max_age = Some(val.parse().unwrap_or(if val.starts_with('-') { i64::MIN } else { i64::MAX }));
                    }
                }
                "domain" if !val.is_empty() => {
                    c.domain = Some(val.trim_start_matches('.').to_ascii_lowercase());
                }
                "path" => c.path = val.starts_with('/').then(|| val.to_owned()),
                "secure" => c.secure = true,
                "httponly" => c.http_only = true,
                "samesite" => {
                    c.same_site = match val.to_ascii_lowercase().as_str() {
                        "strict" => Some(SameSite::Strict),
                        "lax" => Some(SameSite::Lax),
                        "none" => Some(SameSite::None),
                        _ => c.same_site,
                    }
                }
                _ => {}
            }
        }
        Some(c)
    }
}

impl fmt::Display for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)?;
        if let Some(d) = &self.domain {
            write!(f, "; Domain={d}")?;
        }
        if let Some(p) = &self.path {
            write!(f, "; Path={p}")?;
        }
        if let Some(e) = self.expires {
            write!(f, "; Expires={}", e.http_date())?;
        }
        if let Some(m) = self.max_age {
            write!(f, "; Max-Age={m}")?;
        }
        if self.http_only {
            f.write_str("; HttpOnly")?;
        }
        if self.secure {
            f.write_str("; Secure")?;
        }
        match self.same_site {
            Some(SameSite::Strict) => f.write_str("; SameSite=Strict"),
            Some(SameSite::Lax) => f.write_str("; SameSite=Lax"),
            Some(SameSite::None) => f.write_str("; SameSite=None"),
            None => Ok(()),
        }
    }
}

/// A cookie as the browser keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCookie {
    /// The cookie's name; with [`StoredCookie::domain`] and
    /// [`StoredCookie::path`], what a later `Set-Cookie` must match to
    /// replace it.
    pub name: String,
    /// The value sent back in the `Cookie` header.
    pub value: String,
    /// The host that set it when [`StoredCookie::host_only`], else its
    /// `Domain` attribute (lowercased, without a leading dot).
    pub domain: String,
    /// Set without `Domain`: sent to exactly that host, not its subdomains
    /// (RFC 6265 §5.3 step 6).
    pub host_only: bool,
    /// Sent for requests to this path and below: the `Path` attribute, or
    /// the default path of the request that set it.
    pub path: String,
    /// `None` for a session cookie (kept until the browser closes).
    pub expires: Option<SimTime>,
    /// Sent only over https.
    pub secure: bool,
    /// Hidden from page scripts.
    pub http_only: bool,
    /// As received; kept, not applied (see [`SameSite`]).
    pub same_site: Option<SameSite>,
    /// When first stored; a replacement keeps the original's. Among cookies
    /// of equal path length the older is sent first (RFC 6265 §5.4 step 2).
    pub created: SimTime,
}

impl StoredCookie {
    fn matches(&self, host: &str, path: &str, secure: bool, now: SimTime) -> bool {
        let host_ok = if self.host_only { host == self.domain } else { domain_match(host, &self.domain) };
        host_ok && path_match(path, &self.path) && (secure || !self.secure) && !self.expired(now)
    }

    fn expired(&self, now: SimTime) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }
}

/// Why the jar refused a `Set-Cookie`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Over [`MAX_COOKIE_BYTES`]: dropped before it is read.
    TooLarge(usize),
    /// No `name=value` pair, or an empty name.
    Syntax,
    /// The `Domain` attribute (held as parsed) does not domain-match the host
    /// that sent it (RFC 6265 §5.3 step 6).
    ForeignDomain(String),
    /// A `Secure` cookie sent over plain http, as browsers refuse.
    SecureOverHttp,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::TooLarge(len) => {
                write!(
                    f,
                    "the Set-Cookie header is {len} bytes, over the {MAX_COOKIE_BYTES}-byte limit: dropped unread"
                )
            }
            Rejected::Syntax => f.write_str("the Set-Cookie header has no `name=value`: dropped"),
            Rejected::ForeignDomain(d) => write!(f, "Domain={} does not cover this host: dropped", quoted(d)),
            Rejected::SecureOverHttp => f.write_str("a Secure cookie cannot be set over plain http: dropped"),
        }
    }
}

/// A browser's cookie store for one user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<StoredCookie>,
}

impl CookieJar {
    /// Stores (or replaces, or deletes) a cookie received from `host` for a
    /// request to `request_path` over https or http, at time `now`.
    pub fn receive(
        &mut self,
        header: &str,
        host: &str,
        request_path: &str,
        https: bool,
        now: SimTime,
    ) -> Result<(), Rejected> {
        if header.len() > MAX_COOKIE_BYTES {
            return Err(Rejected::TooLarge(header.len()));
        }
        let c = SetCookie::parse(header).ok_or(Rejected::Syntax)?;
        if c.secure && !https {
            return Err(Rejected::SecureOverHttp);
        }
        let (domain, host_only) = match c.domain {
            Some(d) if !domain_match(host, &d) => return Err(Rejected::ForeignDomain(d)),
            Some(d) => (d, false),
            None => (host.to_owned(), true),
        };
        // Max-Age wins over Expires (§5.3 step 3).
        let expires = match c.max_age {
            Some(secs) if secs <= 0 => Some(SimTime(0)),
            Some(secs) => Some(now.plus_ms((secs as u64).saturating_mul(1000))),
            None => c.expires,
        };
        let path = c.path.unwrap_or_else(|| default_path(request_path));
        let old = self.cookies.iter().position(|o| o.name == c.name && o.domain == domain && o.path == path);
        let created = old.map_or(now, |i| self.cookies[i].created);
        let cookie = StoredCookie {
            name: c.name,
            value: c.value,
            domain,
            host_only,
            path,
            expires,
            secure: c.secure,
            http_only: c.http_only,
            same_site: c.same_site,
            created,
        };
        match old {
            Some(i) if cookie.expired(now) => {
                self.cookies.remove(i);
            }
            Some(i) => self.cookies[i] = cookie,
            None if cookie.expired(now) => {}
            None => self.cookies.push(cookie),
        }
        Ok(())
    }

    /// The `Cookie` header value for a request, or `None` when nothing matches.
    /// Longer paths first, then older cookies (§5.4 step 2).
    pub fn header_for(&self, host: &str, path: &str, https: bool, now: SimTime) -> Option<String> {
        let mut matching: Vec<&StoredCookie> =
            self.cookies.iter().filter(|c| c.matches(host, path, https, now)).collect();
        if matching.is_empty() {
            return None;
        }
        // An insertion sort (stable): a jar holds the few cookies our
        // servers set, and the page's bundle then carries no general sort.
        let first = |a: &StoredCookie, b: &StoredCookie| (b.path.len(), a.created) < (a.path.len(), b.created);
        for i in 1..matching.len() {
            let mut j = i;
            while let Some(k) = j.checked_sub(1).filter(|&k| first(matching[j], matching[k])) {
                matching.swap(k, j);
                j = k;
            }
        }
        // Sized once: this runs for every simulated request.
        let len = matching
            .iter()
            .map(|c| c.name.len().saturating_add(c.value.len()).saturating_add(3))
            .fold(0, usize::saturating_add)
            .saturating_sub(2);
        let mut out = String::with_capacity(len);
        for c in matching {
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(&c.name);
            out.push('=');
            out.push_str(&c.value);
        }
        Some(out)
    }

    /// Cookies still alive at `now`, in the order they were first set.
    pub fn cookies(&self, now: SimTime) -> impl Iterator<Item = &StoredCookie> {
        self.cookies.iter().filter(move |c| !c.expired(now))
    }

    /// The first-set live cookie called `name` at `now`, whatever its
    /// domain and path.
    pub fn get(&self, name: &str, now: SimTime) -> Option<&StoredCookie> {
        self.cookies(now).find(|c| c.name == name)
    }

    /// Overwrites a cookie's value in place, as a user editing it in devtools.
    pub fn edit(&mut self, name: &str, value: String) -> bool {
        match self.cookies.iter_mut().find(|c| c.name == name) {
            Some(c) => {
                c.value = value;
                true
            }
            None => false,
        }
    }
}

/// Finds one cookie's value in a `Cookie` request header.
/// Runs for every simulated request (balancer and server both look), so it
/// matches `name=` as a prefix instead of splitting every pair.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|p| p.trim().strip_prefix(name)?.strip_prefix('='))
}

fn domain_match(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|sub| sub.is_empty() || sub.ends_with('.'))
}

fn path_match(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie) && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => request_path[..i].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::START;

    #[test]
    fn session_cookie_has_the_documented_attributes_and_parses_with_the_cookie_crate() {
        let s = SetCookie::session("session_id", "3f9a").to_string();
        assert_eq!(s, "session_id=3f9a; Path=/; HttpOnly; Secure; SameSite=Lax");
        let theirs = cookie::Cookie::parse(s.as_str()).unwrap();
        assert_eq!((theirs.name(), theirs.value()), ("session_id", "3f9a"));
        assert_eq!(theirs.http_only(), Some(true));
        assert_eq!(theirs.secure(), Some(true));
        assert_eq!(theirs.same_site(), Some(cookie::SameSite::Lax));
        assert_eq!(theirs.path(), Some("/"));
        assert_eq!(SetCookie::parse(&s).unwrap(), SetCookie::session("session_id", "3f9a"));
    }

    #[test]
    fn jar_sends_matching_cookies_longest_path_first() {
        let mut jar = CookieJar::default();
        let now = START;
        jar.receive("lb=S2; Path=/; HttpOnly", "shop.example", "/login", true, now).unwrap();
        jar.receive("session_id=abc; Path=/api; Secure", "shop.example", "/login", true, now.plus_ms(1)).unwrap();
        assert_eq!(jar.header_for("shop.example", "/api/me", true, now).as_deref(), Some("session_id=abc; lb=S2"));
        assert_eq!(jar.header_for("shop.example", "/apix", true, now).as_deref(), Some("lb=S2"));
        assert_eq!(jar.header_for("shop.example", "/api/me", false, now).as_deref(), Some("lb=S2"));
        assert_eq!(jar.header_for("other.example", "/", true, now), None);

        // Same path length: the older cookie first, however they were stored.
        let mut jar = CookieJar::default();
        for (k, set) in ["c=3; Path=/", "d=4; Path=/api", "a=1; Path=/", "b=2; Path=/apx"].iter().enumerate() {
            jar.receive(set, "shop.example", "/", true, now.plus_ms(k as u64)).unwrap();
        }
        jar.receive("c=5; Path=/", "shop.example", "/", true, now.plus_ms(9)).unwrap();
        assert_eq!(jar.header_for("shop.example", "/api/x", true, now).as_deref(), Some("d=4; c=5; a=1"));
    }

    #[test]
    fn max_age_expires_and_deletes() {
        let mut jar = CookieJar::default();
        jar.receive("a=1; Max-Age=60", "shop.example", "/", true, START).unwrap();
        assert!(jar.header_for("shop.example", "/", true, START.plus_ms(59_000)).is_some());
        assert!(jar.header_for("shop.example", "/", true, START.plus_ms(60_000)).is_none());
        jar.receive("b=2", "shop.example", "/", true, START).unwrap();
        jar.receive(&SetCookie::new("b", "2").deleted().to_string(), "shop.example", "/", true, START).unwrap();
        assert_eq!(jar.get("b", START), None);
    }

    #[test]
    fn foreign_domains_and_bad_syntax_are_refused() {
        let mut jar = CookieJar::default();
        assert_eq!(
            jar.receive("a=1; Domain=evil.example", "shop.example", "/", true, START),
            Err(Rejected::ForeignDomain("evil.example".into()))
        );
        assert_eq!(jar.receive("novalue", "shop.example", "/", true, START), Err(Rejected::Syntax));
        assert!(jar.receive("a=1; Domain=example", "shop.example", "/", true, START).is_ok());
        assert!(jar.header_for("api.example", "/", true, START).is_some());
    }

    #[test]
    fn cookie_header_lookup() {
        assert_eq!(cookie_value("lb=S1; session_id=xyz", "session_id"), Some("xyz"));
        assert_eq!(cookie_value("lb=S1", "session_id"), None);
    }

    #[test]
    fn extreme_max_age_and_expires_saturate() {
        let mut jar = CookieJar::default();
        jar.receive("a=1; Max-Age=99999999999999999999", "shop.example", "/", true, START).unwrap();
        assert_eq!(jar.get("a", START).unwrap().expires, Some(SimTime(u64::MAX)));
        jar.receive("b=1; Max-Age=-99999999999999999999", "shop.example", "/", true, START).unwrap();
        assert_eq!(jar.get("b", START), None);
        let far = SetCookie::parse("c=1; Expires=Thu, 01 Jan 9223372036854775807 00:00:00 GMT").unwrap();
        assert_eq!(far.expires, None, "a year past 9999 is ignored like any bad date");
    }

    #[test]
    fn oversized_set_cookie_is_refused_unread() {
        let mut jar = CookieJar::default();
        let big = format!("a={}", "x".repeat(MAX_COOKIE_BYTES));
        assert_eq!(SetCookie::parse(&big), None);
        let refused = jar.receive(&big, "shop.example", "/", true, START).unwrap_err();
        assert_eq!(refused, Rejected::TooLarge(MAX_COOKIE_BYTES + 2));
        assert!(refused.to_string().contains("over the 8192-byte limit"), "{refused}");
        assert!(jar.receive(&big[..MAX_COOKIE_BYTES], "shop.example", "/", true, START).is_ok());
        let foreign = Rejected::ForeignDomain(format!("\u{202E}{}", "e".repeat(80))).to_string();
        assert!(foreign.contains("\\u{202e}") && foreign.contains('…'), "{foreign}");
    }
}
