//! How one lane's system is built.

pub use crate::fleet::db::Pooling;
use crate::fleet::kind::Kind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where authentication state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AuthMode {
    /// Stateless: an HS256 JWT in `Authorization: Bearer`. With `denylist`,
    /// logout records the token's `jti` in the shared store, which every
    /// request then consults: revocation, bought with state.
    Jwt {
        /// Whether logout puts the token's `jti` on a denylist in the shared
        /// store, at the price of a store round trip on every authenticated request.
        denylist: bool,
    },
    /// Stateful: `Set-Cookie: session_id=…`, the session kept server-side.
    ServerSession {
        /// Where the sessions live: the memory of the server that made each,
        /// or the shared store.
        store: Store,
    },
    /// The session itself in the cookie, HMAC-signed; servers keep nothing.
    SignedCookie,
    /// The hybrid most systems ship: a short-lived access JWT
    /// (`token_ttl_s`) in `Authorization: Bearer`, verified without a lookup,
    /// and an opaque refresh token kept in the shared store, sent only to
    /// `POST /token/refresh` in an `HttpOnly` cookie scoped to that path. Each
    /// refresh rotates it; presenting a used one revokes its whole family.
    Refresh,
    /// An opaque access token in `Authorization: Bearer`: a random reference
    /// that every server looks up in the shared store on every request
    /// (RFC 7662-style introspection). Revocable at once, for a lookup each time.
    Opaque,
    /// API keys for third-party clients, sent as `X-API-Key` on every request
    /// and looked up by their SHA-256 in the database, with a per-client rate
    /// limit counted in `limiter`: each server's memory, or the shared store.
    ApiKey {
        /// Where the rate limit's counters live.
        limiter: Store,
    },
}

impl AuthMode {
    /// The nine modes, each once, in the order forms list them: JWT without
    /// and with denylist, sessions in server memory and in the shared store,
    /// signed cookies, then the designs between: access + refresh tokens,
    /// opaque tokens, API keys limited in each server and in the store.
    pub const ALL: [AuthMode; 9] = [
        AuthMode::Jwt { denylist: false },
        AuthMode::Jwt { denylist: true },
        AuthMode::ServerSession { store: Store::Local },
        AuthMode::ServerSession { store: Store::Shared },
        AuthMode::SignedCookie,
        AuthMode::Refresh,
        AuthMode::Opaque,
        AuthMode::ApiKey { limiter: Store::Local },
        AuthMode::ApiKey { limiter: Store::Shared },
    ];

    /// Whether requests consult the shared store (sessions, the denylist,
    /// refresh tokens, opaque tokens, or shared rate-limit counters).
    pub fn uses_store(self) -> bool {
        matches!(
            self,
            AuthMode::Jwt { denylist: true }
                | AuthMode::ServerSession { store: Store::Shared }
                | AuthMode::Refresh
                | AuthMode::Opaque
                | AuthMode::ApiKey { limiter: Store::Shared }
        )
    }

    /// Whether the credential the app sends is a JWT the fleet signs and any
    /// server verifies with its key (plain JWT lanes and refresh lanes' access tokens).
    pub fn sends_jwt(self) -> bool {
        matches!(self, AuthMode::Jwt { .. } | AuthMode::Refresh)
    }

    /// Whether the fleet's key signs this mode's credentials (JWTs, access
    /// tokens, signed cookies); session ids, opaque tokens and API keys are
    /// looked up instead.
    pub fn signs(self) -> bool {
        self.sends_jwt() || self == AuthMode::SignedCookie
    }

    /// Whether a session (cart, orders cursor) travels with the credential:
    /// server sessions and signed cookies. The token and key modes keep the
    /// cart in the database and the orders page in the URL.
    pub fn has_session(self) -> bool {
        matches!(self, AuthMode::ServerSession { .. } | AuthMode::SignedCookie)
    }

    /// What the browser carries as its credential, in words.
    pub fn credential_name(self) -> &'static str {
        match self {
            AuthMode::Jwt { .. } => "token",
            AuthMode::ServerSession { .. } => "session_id cookie",
            AuthMode::SignedCookie => "signed session cookie",
            AuthMode::Refresh => "access token",
            AuthMode::Opaque => "opaque token",
            AuthMode::ApiKey { .. } => "API key",
        }
    }

    /// Where the browser keeps this mode's credential.
    pub fn credential(self) -> Credential {
        match self {
            AuthMode::Jwt { .. } | AuthMode::Refresh | AuthMode::Opaque => Credential::Bearer,
            AuthMode::ServerSession { .. } => Credential::Cookie(SESSION_COOKIE),
            AuthMode::SignedCookie => Credential::Cookie(SIGNED_COOKIE),
            AuthMode::ApiKey { .. } => Credential::ApiKey,
        }
    }

    /// A short stable name, used in links and form values.
    pub fn code(self) -> &'static str {
        match self {
            AuthMode::Jwt { denylist: false } => "jwt",
            AuthMode::Jwt { denylist: true } => "jwt-deny",
            AuthMode::ServerSession { store: Store::Local } => "local",
            AuthMode::ServerSession { store: Store::Shared } => "shared",
            AuthMode::SignedCookie => "signed",
            AuthMode::Refresh => "refresh",
            AuthMode::Opaque => "opaque",
            AuthMode::ApiKey { limiter: Store::Local } => "apikey-local",
            AuthMode::ApiKey { limiter: Store::Shared } => "apikey",
        }
    }
}

/// Where a browser keeps its credential: token storage, sent as
/// `Authorization: Bearer` or as `X-API-Key`, or the cookie of that name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The token the login answer's body carried, kept by the app.
    Bearer,
    /// The API key the login answer's body carried, kept by the client and
    /// sent as [`API_KEY_HEADER`].
    ApiKey,
    /// A cookie the login answer set.
    Cookie(&'static str),
}

/// Where a server-session lane ([`AuthMode::ServerSession`]) keeps its sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Store {
    /// In the memory of the server that created the session.
    Local,
    /// In a Redis-like store every server reaches over the network.
    Shared,
}

/// How the load balancer picks a server among those in rotation (those
/// its health checks believe are up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Each server in rotation in turn; the position is kept between requests.
    RoundRobin,
    /// A server drawn from those in rotation by the lane's seeded random stream.
    Random,
    /// The server with the fewest open connections. Requests here run one at
    /// a time, so every server is at 0 and ties go round in turn, as with
    /// round robin.
    LeastConnections,
    /// The client's IPv4 address as a 32-bit number, modulo the servers in
    /// rotation (HAProxy's `balance source`): an address keeps its server for
    /// as long as the rotation does not change.
    IpHash,
    /// Round robin for the first request, then the balancer's own `lb` cookie.
    StickyCookie,
    /// The `room` query parameter hashed (sdbm, HAProxy's `balance url_param
    /// room` map-based), modulo the servers in rotation: every player of a
    /// match reaches the server that holds it. Requests without the
    /// parameter go round robin, as HAProxy's fallback does.
    RoomHash,
}

impl Strategy {
    /// The six strategies, each once, in the order forms list them.
    pub const ALL: [Strategy; 6] = [
        Strategy::RoundRobin,
        Strategy::Random,
        Strategy::LeastConnections,
        Strategy::IpHash,
        Strategy::StickyCookie,
        Strategy::RoomHash,
    ];

    /// A short stable name, used in links and form values.
    pub fn code(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "rr",
            Strategy::Random => "random",
            Strategy::LeastConnections => "leastconn",
            Strategy::IpHash => "iphash",
            Strategy::StickyCookie => "sticky",
            Strategy::RoomHash => "room",
        }
    }

    /// The strategy in words (`round robin`, `IP hash`), as lane
    /// descriptions and events write it.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round robin",
            Strategy::Random => "random",
            Strategy::LeastConnections => "least connections",
            Strategy::IpHash => "IP hash",
            Strategy::StickyCookie => "sticky cookie",
            Strategy::RoomHash => "room hash",
        }
    }
}

/// What the lane's servers run: the HTTP shop, or an app whose clients hold a
/// WebSocket connection open (RFC 6455) and whose state lives where its
/// [`Store`] says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "state")]
pub enum App {
    /// The shop's HTTP API: every request stands alone.
    #[default]
    Shop,
    /// A chat room. `Local`: members and recent messages in the memory of the
    /// server that holds each connection, so a message reaches only that
    /// server's connections. `Shared`: every server subscribes to the room's
    /// channel in the store (Redis pub/sub) and keeps its history there.
    Chat(Store),
    /// A game room whose match is authoritative on the server that holds it.
    /// `Local`: only in its memory, lost with it. `Shared`: checkpointed to
    /// the store after every move, so another server resumes it.
    Game(Store),
    /// An FTP server (RFC 959): the control connection is the session, and
    /// the server remembers the login, the directory, the type and a `REST`
    /// offset for as long as it lasts.
    Ftp,
    /// The same files over HTTP: each request carries the full path and its
    /// credentials, and `Range` resumes a download.
    Files,
    /// The shop's orders in PostgreSQL, reached from each app server the
    /// [`Pooling`] way (`fleet/db/`).
    Db(Pooling),
}

impl App {
    /// The ten apps, each once, in the order forms list them.
    pub const ALL: [App; 10] = [
        App::Shop,
        App::Chat(Store::Local),
        App::Chat(Store::Shared),
        App::Game(Store::Local),
        App::Game(Store::Shared),
        App::Ftp,
        App::Files,
        App::Db(Pooling::Session),
        App::Db(Pooling::Transaction),
        App::Db(Pooling::Stateless),
    ];

    /// Whether clients hold a WebSocket connection open. Every path into
    /// connection code starts from this answer (or [`App::socket_path`]), so
    /// in a build without the `connections` feature, which is never handed
    /// such a lane (`kind.rs`), it is `false` and the compiler leaves that
    /// code out of the bundle.
    pub fn is_connection(self) -> bool {
        const RUNS: bool = Kind::Connections.compiled();
        RUNS && matches!(self, App::Chat(_) | App::Game(_))
    }

    /// Whether the lane serves files: over FTP or over HTTP. Every path into
    /// file-lane code starts from this answer, `false` in a build without the
    /// `files` feature, as [`App::is_connection`] is for connections.
    pub fn is_files(self) -> bool {
        const RUNS: bool = Kind::Files.compiled();
        RUNS && matches!(self, App::Ftp | App::Files)
    }

    /// Whether the lane serves its files over HTTP (`fleet/files.rs`).
    pub fn is_http_files(self) -> bool {
        self.is_files() && self == App::Files
    }

    /// Whether the app servers hold connections to PostgreSQL. Every path
    /// into database-lane code starts from this answer, `false` in a build
    /// without the `db` feature.
    pub fn is_db(self) -> bool {
        const RUNS: bool = Kind::Db.compiled();
        RUNS && matches!(self, App::Db(_))
    }

    /// Whether the app keeps anything in the shared store: pub/sub and its
    /// history, or match checkpoints.
    pub fn uses_store(self) -> bool {
        matches!(self, App::Chat(Store::Shared) | App::Game(Store::Shared))
    }

    /// The handshake's path (`/ws/chat`), for the connection apps.
    pub fn socket_path(self) -> Option<&'static str> {
        match self {
            _ if !self.is_connection() => None,
            App::Shop | App::Ftp | App::Files | App::Db(_) => None,
            App::Chat(_) => Some(CHAT_PATH),
            App::Game(_) => Some(GAME_PATH),
        }
    }

    /// The room every connection of this app joins.
    pub fn room(self) -> &'static str {
        match self {
            App::Game(_) => GAME_ROOM,
            _ => CHAT_ROOM,
        }
    }

    /// A short stable name, used in links and form values.
    pub fn code(self) -> &'static str {
        match self {
            App::Shop => "shop",
            App::Chat(Store::Local) => "chat-memory",
            App::Chat(Store::Shared) => "chat-pubsub",
            App::Game(Store::Local) => "game-memory",
            App::Game(Store::Shared) => "game-checkpoint",
            App::Ftp => "ftp",
            App::Files => "files",
            App::Db(pooling) => pooling.code(),
        }
    }
}

impl App {
    /// The kind of lane this app needs beyond the shop's, if any.
    pub fn kind(self) -> Option<Kind> {
        match self {
            App::Shop => None,
            App::Chat(_) | App::Game(_) => Some(Kind::Connections),
            App::Ftp | App::Files => Some(Kind::Files),
            App::Db(_) => Some(Kind::Db),
        }
    }
}

/// The kinds a pair of lanes needs, each once, in order.
pub fn kinds_of(apps: impl IntoIterator<Item = App>) -> Vec<Kind> {
    let needed: Vec<Kind> = apps.into_iter().filter_map(App::kind).collect();
    Kind::in_order(&needed)
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let App::Db(pooling) = self {
            return pooling.fmt(f);
        }
        f.write_str(match self {
            App::Shop | App::Db(_) => "shop API",
            App::Chat(Store::Local) => "chat in server memory",
            App::Chat(Store::Shared) => "chat over pub/sub",
            App::Game(Store::Local) => "game in server memory",
            App::Game(Store::Shared) => "game checkpointed to the store",
            App::Ftp => "FTP server",
            App::Files => "files over HTTP",
        })
    }
}

/// Where a bearer-token lane's WebSocket client puts its token: a browser
/// cannot set `Authorization` on a WebSocket handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenIn {
    /// `?access_token=…` on the handshake's URL (RFC 6750 §2.3): checked
    /// before the upgrade, but written into access logs and proxies' logs.
    #[default]
    Query,
    /// The first message after the upgrade, `{"type":"auth","token":…}`: kept
    /// out of URLs, but the server accepts an anonymous connection first.
    FirstMessage,
}

/// The chat app's handshake path.
pub const CHAT_PATH: &str = "/ws/chat";
/// The game app's handshake path.
pub const GAME_PATH: &str = "/ws/game";
/// The one chat room.
pub const CHAT_ROOM: &str = "lobby";
/// The one game room.
pub const GAME_ROOM: &str = "match1";
/// The page every handshake's `Origin` names.
pub const ORIGIN: &str = "https://shop.example";

/// The session cookie's name in server-session lanes (as tower-sessions names it).
pub const SESSION_COOKIE: &str = "session_id";
/// The cookie that carries the whole signed session in signed-cookie lanes.
pub const SIGNED_COOKIE: &str = "session";
/// The access-token lifetime a lane gets when it switches to the refresh
/// design with the plain default (15 minutes): short, as the design intends.
pub const REFRESH_ACCESS_TTL_S: u32 = 5 * 60;
/// The refresh token's cookie in refresh lanes, scoped to [`REFRESH_PATH`].
pub const REFRESH_COOKIE: &str = "refresh_token";
/// The one path the refresh cookie is sent to.
pub const REFRESH_PATH: &str = "/token/refresh";
/// The header an API key travels in.
pub const API_KEY_HEADER: &str = "X-API-Key";
/// Requests one API client may make per [`RATE_WINDOW_S`], all its keys together, counted from its
/// first request in the window (Redis `INCR` then `EXPIRE … NX`).
pub const RATE_LIMIT: u32 = 5;
/// The rate limit's window, in seconds.
pub const RATE_WINDOW_S: u32 = 10;
/// The shop's host name, in every request's `Host`.
pub const HOST: &str = "shop.example";

/// Most servers a lane's pool holds: [`LaneConfig::sanitized`] clamps to
/// it, and adding a server stops at it.
pub const MAX_SERVERS: u8 = 8;

/// How one lane's system is built: its authentication, its balancer, its
/// pool and its timings. A lane applies [`LaneConfig::sanitized`] to it
/// when it starts and when it is redeployed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneConfig {
    /// Where authentication state lives.
    pub auth: AuthMode,
    /// How the balancer picks a server.
    pub balancer: Strategy,
    /// 1 to [`MAX_SERVERS`] at the start; faults may add or remove.
    pub servers: u8,
    /// One round trip to the shared store, in milliseconds.
    pub store_latency_ms: u32,
    /// Lifetime of a JWT from its issue to its `exp`, in seconds.
    pub token_ttl_s: u32,
    /// Idle timeout of server-side and signed-cookie sessions.
    pub session_ttl_s: u32,
    /// What the servers run: the shop, or a chat or game app over WebSockets.
    #[serde(default)]
    pub app: App,
    /// Whether a connection's server checks its credential again on every
    /// frame it receives, closing with 1008 once it no longer holds; without
    /// it the handshake's check is the only one.
    #[serde(default)]
    pub recheck: bool,
    /// Where a bearer-token lane's WebSocket client sends its token.
    #[serde(default)]
    pub ws_token: TokenIn,
}

impl LaneConfig {
    /// Stateless JWT without denylist, round robin over 3 servers, a 4 ms
    /// store round trip, tokens that live 15 minutes, and a 30-minute idle
    /// timeout for sessions.
    pub fn stateless() -> LaneConfig {
        LaneConfig {
            auth: AuthMode::Jwt { denylist: false },
            balancer: Strategy::RoundRobin,
            servers: 3,
            store_latency_ms: 4,
            token_ttl_s: 15 * 60,
            session_ttl_s: 30 * 60,
            app: App::Shop,
            recheck: false,
            ws_token: TokenIn::Query,
        }
    }

    /// [`LaneConfig::stateless`] with sessions kept in the memory of the
    /// server that made them ([`Store::Local`]) instead of JWTs.
    pub fn stateful() -> LaneConfig {
        LaneConfig { auth: AuthMode::ServerSession { store: Store::Local }, ..LaneConfig::stateless() }
    }

    /// This configuration with `auth` instead of its own.
    pub fn with_auth(self, auth: AuthMode) -> LaneConfig {
        LaneConfig { auth, ..self }
    }

    /// This configuration redeployed with another design, as a form switches
    /// it: a refresh design gets the short access-token life it is for
    /// ([`REFRESH_ACCESS_TTL_S`]) when the lane had the plain token lifetime;
    /// a lifetime chosen on purpose is kept either way.
    pub fn switched_to(self, auth: AuthMode) -> LaneConfig {
        let plain = LaneConfig::stateless().token_ttl_s;
        let token_ttl_s = match (self.auth, auth) {
            (AuthMode::Refresh, AuthMode::Refresh) => self.token_ttl_s,
            (_, AuthMode::Refresh) if self.token_ttl_s == plain => REFRESH_ACCESS_TTL_S,
            (AuthMode::Refresh, _) if self.token_ttl_s == REFRESH_ACCESS_TTL_S => plain,
            _ => self.token_ttl_s,
        };
        LaneConfig { auth, token_ttl_s, ..self }
    }

    /// This configuration running `app` instead of its own.
    pub fn with_app(self, app: App) -> LaneConfig {
        LaneConfig { app, ..self }
    }

    /// This configuration with `balancer` instead of its own.
    pub fn with_balancer(self, balancer: Strategy) -> LaneConfig {
        LaneConfig { balancer, ..self }
    }

    /// This configuration with `servers` instead of its own (not yet clamped).
    pub fn with_servers(self, servers: u8) -> LaneConfig {
        LaneConfig { servers, ..self }
    }

    /// Clamps out-of-range values (e.g. from a URL) into what the engine supports.
    pub fn sanitized(mut self) -> LaneConfig {
        self.servers = self.servers.clamp(1, MAX_SERVERS);
        self.store_latency_ms = self.store_latency_ms.min(10_000);
        self.token_ttl_s = self.token_ttl_s.clamp(1, 30 * 24 * 3600);
        self.session_ttl_s = self.session_ttl_s.clamp(1, 30 * 24 * 3600);
        self
    }

    /// Whether anything the lane does needs the shared store: its
    /// authentication ([`AuthMode::uses_store`]) or its app ([`App::uses_store`]).
    pub fn uses_store(&self) -> bool {
        self.auth.uses_store() || self.app.uses_store()
    }

    /// Whether no server keeps sessions: true for JWT lanes (a denylist holds
    /// only revoked `jti`s), signed cookies, refresh lanes (whose access
    /// tokens need no lookup) and API keys (the database holds the key, as it
    /// holds the password); false for server sessions and opaque tokens,
    /// which every request looks up.
    pub fn is_stateless(&self) -> bool {
        !matches!(self.auth, AuthMode::ServerSession { .. } | AuthMode::Opaque)
    }

    /// Whether the credential travels in a cookie (server sessions, signed
    /// cookies) rather than in a header the app writes (tokens, API keys).
    pub fn uses_session_cookie(&self) -> bool {
        matches!(self.auth.credential(), Credential::Cookie(_))
    }
}

impl fmt::Display for AuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthMode::Jwt { denylist: false } => "stateless JWT",
            AuthMode::Jwt { denylist: true } => "JWT + denylist",
            AuthMode::ServerSession { store: Store::Local } => "sessions in server memory",
            AuthMode::ServerSession { store: Store::Shared } => "sessions in a shared store",
            AuthMode::SignedCookie => "signed-cookie sessions",
            AuthMode::Refresh => "access + refresh tokens",
            AuthMode::Opaque => "opaque tokens",
            AuthMode::ApiKey { limiter: Store::Local } => "API keys, limits in each server",
            AuthMode::ApiKey { limiter: Store::Shared } => "API keys, limits in the store",
        })
    }
}

impl LaneConfig {
    /// The app and `design` (`chat over pub/sub, token in the URL · stateless
    /// JWT`); a file lane's app alone, as its password travels with FTP's
    /// PASS or HTTP's Basic whatever the lane's design; a database lane's
    /// app alone, its pooling, as that is what two database lanes differ by
    /// and nothing on such a lane checks a credential. Headings, the history
    /// and figures all name a lane this way.
    pub fn kind(&self, design: impl fmt::Display) -> String {
        if self.app.is_files() || self.app.is_db() {
            return self.app.to_string();
        }
        if !self.app.is_connection() {
            return design.to_string();
        }
        let token = match (self.auth.credential(), self.ws_token) {
            (Credential::Cookie(_), _) => "",
            (_, TokenIn::Query) => ", token in the URL",
            (_, TokenIn::FirstMessage) => ", token in the first message",
        };
        format!("{}{}{token} · {design}", self.app, if self.recheck { ", re-checked" } else { "" })
    }

    /// The design in words, with what tells two lanes of it apart: a refresh
    /// lane's access-token lifetime (`access + refresh tokens (access 60 s)`).
    pub fn design(&self) -> String {
        match self.auth {
            AuthMode::Refresh => {
                format!("{} (access {})", self.auth, crate::base::time::human_duration(self.token_ttl_s.into()))
            }
            auth => auth.to_string(),
        }
    }
}

impl fmt::Display for LaneConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A file or database lane is named by its app alone, as in `kind`.
        if self.app.is_files() || self.app.is_db() {
            return write!(
                f,
                "{} · {} · {} server{}",
                self.app,
                self.balancer.label(),
                self.servers,
                if self.servers == 1 { "" } else { "s" }
            );
        }
        if self.app.is_connection() {
            write!(f, "{}{} · ", self.app, if self.recheck { ", re-checked" } else { "" })?;
        }
        write!(
            f,
            "{} · {} · {} server{}",
            self.design(),
            self.balancer.label(),
            self.servers,
            if self.servers == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::kind::Bundle;

    #[test]
    fn a_shop_page_needs_the_core_bundle_and_a_chat_or_game_lane_the_connections_bundle() {
        assert_eq!(Bundle::covering(&kinds_of([App::Shop, App::Shop])).name, "core");
        assert_eq!(Bundle::covering(&kinds_of([App::Shop, App::Chat(Store::Shared)])).name, "connections");
        assert_eq!(kinds_of([App::Game(Store::Local), App::Chat(Store::Local)]), [Kind::Connections], "each kind once");
        assert_eq!(App::ALL.iter().filter(|a| a.kind().is_none()).count(), 1, "only the shop is in every bundle");
    }

    /// Two database lanes differ by their pooling, so it names them; the
    /// design, which nothing on such a lane checks, is left out.
    #[cfg(feature = "db")]
    #[test]
    fn a_database_lane_is_named_by_its_pooling() {
        let lane = |p| LaneConfig::stateless().with_app(App::Db(p)).with_servers(2);
        let name = |p| lane(p).kind("stateless JWT");
        assert_eq!(name(Pooling::Transaction), "database behind PgBouncer (transaction mode)");
        assert_ne!(name(Pooling::Session), name(Pooling::Stateless));
        assert_eq!(
            lane(Pooling::Session).to_string(),
            "database, session state on pooled connections · round robin · 2 servers"
        );
        assert!(!lane(Pooling::Stateless).to_string().contains("JWT"));
    }

    /// Switching to the refresh design shortens the plain token lifetime and
    /// switching back restores it; a lifetime chosen on purpose survives both.
    #[test]
    fn switching_to_refresh_tokens_shortens_only_the_plain_lifetime() {
        let plain = LaneConfig::stateless();
        let refresh = plain.switched_to(AuthMode::Refresh);
        assert_eq!(refresh.token_ttl_s, REFRESH_ACCESS_TTL_S);
        assert_eq!(refresh.switched_to(AuthMode::Opaque).token_ttl_s, plain.token_ttl_s);
        let chosen = LaneConfig { token_ttl_s: 60, ..plain };
        assert_eq!(chosen.switched_to(AuthMode::Refresh).token_ttl_s, 60);
        assert_eq!(chosen.switched_to(AuthMode::Refresh).switched_to(AuthMode::SignedCookie).token_ttl_s, 60);
        assert_eq!(refresh.switched_to(AuthMode::Refresh), refresh);
    }
}
