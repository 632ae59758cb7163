//! The thirty tours themselves: each one's lanes, its steps in the action
//! notation, and what the learner should look at. Scripts are parsed when a
//! tour is built; a test plays every one of them.

use super::{Outcome, Question, Scenario, Step};
use crate::fleet::config::{App, AuthMode, LaneConfig, Pooling, Store, Strategy, TokenIn};
use crate::text::notation::parse_actions;

fn step(script: &'static str, say: &'static str, focus: &'static [&'static str]) -> Step {
    // Scenario scripts are constants; a test parses every one of them.
    let actions = parse_actions(script).unwrap_or_else(|e| panic!("scenario script `{script}`: {e}"));
    Step { script: script.into(), actions, say: say.into(), focus: focus.into(), ask: None }
}

/// Which lanes a question asks about.
const BOTH: [bool; 2] = [true, true];

impl Step {
    /// The step, asking `prompt` before it runs; the answer is whatever the
    /// engine then records (see [`Question::check`]).
    fn ask(self, prompt: &'static str, about: Outcome, lanes: [bool; 2]) -> Step {
        Step { ask: Some(Question { prompt: prompt.into(), about, lanes }), ..self }
    }
}

fn jwt() -> LaneConfig {
    LaneConfig::stateless()
}

fn local(strategy: Strategy) -> LaneConfig {
    LaneConfig::stateful().with_balancer(strategy)
}

const AUTH: &[&str] = &["Authorization", "Cookie", "Set-Cookie"];

pub(super) fn round_robin_local(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A session kept in one server's memory is invisible to the others, so a balancer that spreads requests logs users out.".into(),
        lanes: [jwt(), local(Strategy::RoundRobin)],
        steps: vec![
            step("login alice", "Alice logs in; both lanes' balancers send it to S1. Lane A answers with a signed JWT in the body and remembers nothing. Lane B creates a session in S1's memory and answers Set-Cookie: session_id=….", &["Set-Cookie"]),
            step("me alice", "Round robin sends the next request to S2. Lane A: S2 checks the token's signature with the shared key — 200. Lane B: S2 has no such session in its memory — 401, and it clears the cookie (Set-Cookie: session_id=; Max-Age=0), as session libraries do with an id they don't know: Alice has to log in again.", AUTH)
                .ask("Round robin sends Alice's next request to S2, which did not log her in. Will it succeed?", Outcome::Succeeds, BOTH),
            step("me alice, me alice", "Lane B stays refused at S3 and then at S1 — even S1, which still holds the session: the browser has no cookie left to send. Behind round robin, a local session ends at the first request that lands elsewhere. Lane A succeeds every time.", AUTH),
        ],
    }
}

pub(super) fn sticky_crash(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A sticky cookie keeps a user on the server that holds their session — until that server dies and takes the session with it.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice", "Lane B's balancer adds its own cookie, Set-Cookie: lb=S1, next to the session cookie: from now on this browser is pinned to S1.", &["Set-Cookie"]),
            step("me alice, me alice", "Lane B sends Cookie: session_id=…; lb=S1 and the balancer honours the pin — both requests reach S1 and succeed. Lane A's requests go to S2 and S3 and succeed too.", &["Cookie"]),
            step("crash 1, me alice", "S1 crashes. In both lanes the next request is routed to S1 (lane A by rotation, lane B by the pin) and the balancer answers 502 Bad Gateway: health checks have not noticed the crash yet.", &[])
                .ask("S1 crashes, and Alice sends a request at once. Which server answers it?", Outcome::Server, BOTH),
            step("wait 10s, me alice", "Two failed health checks later S1 is out of rotation. Lane A carries on at S2 — 200. Lane B re-pins Alice to S2 (Set-Cookie: lb=S2), but her session died with S1 — 401: she is logged out.", &["Set-Cookie", "Cookie"])
                .ask("Ten seconds on, S1 is out of rotation. Will Alice's next request succeed?", Outcome::Succeeds, BOTH),
        ],
    }
}

pub(super) fn shared_store(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Keeping sessions in a shared store lets any server answer, for the price of a round trip on every request and a new single point of failure.".into(),
        lanes: [jwt(), local(Strategy::RoundRobin).with_auth(AuthMode::ServerSession { store: Store::Shared })],
        steps: vec![
            step("login alice, me alice, me alice", "Round robin spreads Alice over S1, S2 and S3 and every request succeeds in both lanes. Lane B's trace shows a store round trip (+4 ms) on each request; lane A verifies the token locally.", AUTH),
            step("crash 1, wait 10s, me alice", "S1 crashes and leaves rotation. Nothing is lost in either lane: lane B's session lives in the store, not in S1.", &[]),
            step("store down, me alice", "The store goes down. Lane A does not need it — 200. Lane B cannot read any session — 503 Service Unavailable, for every user at once.", &[])
                .ask("The session store goes down. Will Alice's next request succeed?", Outcome::Succeeds, BOTH),
            step("store up, me alice", "The store recovers with its data, and lane B answers 200 again.", &[]),
        ],
    }
}

pub(super) fn signed_cookie(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Putting the session itself in an HMAC-signed cookie makes servers stateless again: restarts lose nothing, but the cookie grows and cannot be revoked.".into(),
        lanes: [jwt(), local(Strategy::RoundRobin).with_auth(AuthMode::SignedCookie)],
        steps: vec![
            step("login alice", "Lane B answers Set-Cookie: session=<payload>.<signature>: the session's data, base64url JSON, signed with the fleet key. No server stores anything.", &["Set-Cookie"]),
            step("add alice mug, add alice hoodie", "Each cart change re-issues lane B's cookie with the cart inside — watch its Set-Cookie grow. Lane A keeps the cart in the database (a database round trip).", &["Set-Cookie", "Cookie"]),
            step("bounce 1, bounce 2, bounce 3, cart alice", "Every server restarts. Nothing is lost in either lane: the cart comes back from the cookie in lane B and from the database in lane A.", &["Cookie"])
                .ask("Every server restarts. Will Alice's cart request succeed?", Outcome::Succeeds, BOTH),
            step("tamper alice role=admin, me alice", "Alice edits role to admin in her token (A) and in her cookie (B) without re-signing. Both servers recompute the HMAC, see a mismatch, and answer 401.", AUTH),
        ],
    }
}

pub(super) fn restart(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "In-memory sessions live exactly as long as the process: restarting one server logs out everyone it held.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, login bob, login carol", "Alice, Bob and Carol log in. Lane B pins them to S1, S2 and S3 (lb=S1, lb=S2, lb=S3) and each server holds one session.", &["Set-Cookie"]),
            step("bounce 2", "S2 restarts (a deploy, say). Lane B's S2 comes back with empty memory: Bob's session is gone. Lane A's servers held nothing to lose.", &[]),
            step("me alice, me carol, me bob", "Alice and Carol carry on in both lanes. Bob, still pinned to S2, gets 401 in lane B; in lane A his token still verifies — 200.", AUTH)
                .ask("S2 restarted. Will Bob's request, the last of this step, succeed?", Outcome::Succeeds, BOTH),
        ],
    }
}

pub(super) fn revocation(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Deleting a session revokes it at once; a JWT stays valid until it expires unless servers consult a denylist — which is state again.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, me alice", "Alice logs in and loads her profile (request #2) in both lanes.", AUTH),
            step("logout alice", "Alice logs out. Lane B deletes the session on the server and expires the cookie (Max-Age=0). Lane A's server has nothing to delete: the app just forgets the token.", &["Set-Cookie"]),
            step("replay alice 2", "Someone who copied request #2 sends it again. Lane B: the session is gone — 401, revoked immediately. Lane A: the token still verifies — 200, and will until exp, about 15 minutes away. The next step turns on the denylist in lane A to close the gap.", AUTH)
                .ask("Alice has logged out. Will a copy of her request #2, sent again, succeed?", Outcome::Succeeds, BOTH),
            step("config a jwt-deny, login alice, me alice, logout alice, replay alice 6", "Lane A is redeployed as JWT + denylist; lane B is left as it was. Alice logs in again and loads her profile (#6). At logout, lane A's server writes the token's jti to the shared store (SET deny:… until exp). Replaying #6 now gets 401 in lane A too: every request checks the denylist, a store round trip (+4 ms) each — revocation, bought with state. Lane B: 401, as before.", AUTH),
        ],
    }
}

pub(super) fn expiry(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A JWT carries a hard expiry checked by every server's clock; a server session slides its idle timeout on each use.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, me alice", "Alice logs in. Lane A's token says exp = iat + 15 min; lane B's session expires after 30 idle minutes.", AUTH),
            step("wait 16m, me alice", "16 minutes later: lane A's servers find exp in the past — 401, token expired. Lane B's session was idle 16 minutes, under its 30 — 200, and the timeout slides forward.", AUTH)
                .ask("Sixteen quiet minutes pass. Will Alice's next request succeed?", Outcome::Succeeds, BOTH),
            step("login alice, wait 31m, me alice", "After a fresh login, 31 idle minutes pass. Now both fail: lane A's new token expired after 15 minutes, lane B's session after 30 idle ones.", AUTH),
        ],
    }
}

pub(super) fn tamper(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A JWT's claims are readable by anyone but cannot be changed without the key; an opaque session id has nothing inside to change.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, me alice", "Alice logs in. Expand lane A's token: its payload says role \"user\" in plain base64url — readable by anyone, which is why a JWT must not hold secrets.", &["Authorization"]),
            step("tamper alice role=admin, me alice", "Alice changes role to admin but cannot re-sign. Every server in lane A recomputes the HS256 signature, finds a mismatch — 401. In lane B the session id is opaque; changing it only points at a session that does not exist — 401.", &["Authorization", "Cookie"])
                .ask("Alice edits her role to admin. What status does her next request get?", Outcome::Status, BOTH),
            step("login alice, tamper alice none, me alice", "Alice logs in again for a fresh, genuine token and cookie. Then the classic attack: a header saying alg \"none\" and no signature. Lane A refuses any alg but HS256 — 401. Lane B's edit again only points at a session that does not exist — 401.", &["Authorization", "Cookie"]),
        ],
    }
}

pub(super) fn request_size(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A stateless request carries the whole token every time; a session cookie is a short pointer to state kept elsewhere.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice", "After login, lane A's app holds a JWT of a few hundred bytes; lane B's browser holds a 32-character session id and the lb cookie.", &["Set-Cookie"]),
            step("me alice, add alice mug, cart alice", "Compare the credential bytes on each request: Authorization: Bearer … in lane A against Cookie: … in lane B. The comparison table shows each lane's mean credential bytes per request that carried one.", &["Authorization", "Cookie"]),
        ],
    }
}

pub(super) fn pagination(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A stateless API puts the page in the URL, so any server can answer and links keep working; a cursor in the session ties the user to that state.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, next alice, next alice", "Alice pages through her orders. Lane A's app asks for GET /api/orders?page=1, then ?page=2: the page is in the URL. Lane B asks GET /api/orders/next and the server advances a cursor in her session.", &[]),
            step("bounce 1, next alice", "S1, which held lane B's session and cursor, restarts. Lane A asks for ?page=3 — any server can answer, 200. Lane B's cursor is gone with the session — 401.", &[])
                .ask("S1 restarts. Will Alice's request for the next page succeed?", Outcome::Succeeds, BOTH),
            step("page alice 3", "A direct link to page 3 works wherever the user is logged in: here lane A — 200; lane B needs a fresh login first.", &[]),
        ],
    }
}

pub(super) fn cart(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A stateless service keeps user data in a shared database; keeping it in a server's session loses it with the server.".into(),
        lanes: [jwt(), local(Strategy::StickyCookie)],
        steps: vec![
            step("login alice, add alice mug, add alice tee, cart alice", "Alice puts a mug and a tee in her cart. Lane A writes each to the database (+3 ms); lane B appends to the session in S1's memory.", &[]),
            step("bounce 1, cart alice", "S1 restarts. Lane A's cart is still in the database — 200 with both items. Lane B's session and cart died with S1's memory — 401.", &[])
                .ask("S1 restarts. Will Alice's cart request succeed?", Outcome::Succeeds, BOTH),
            step("login alice, cart alice", "Alice logs in again: lane B's cart is empty. Lane A's still holds the mug and the tee.", &[]),
        ],
    }
}

pub(super) fn scale_out(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Stateless servers can be added or removed freely; with state in server memory, changing the pool moves users away from their sessions.".into(),
        lanes: [jwt().with_balancer(Strategy::IpHash).with_servers(2), local(Strategy::IpHash).with_servers(2)],
        steps: vec![
            step("login alice, login bob, login carol", "Two servers behind IP hash (HAProxy's balance source: the address as a number, mod the servers): each user's address always maps to the same server, so lane B's local sessions work.", &[]),
            step("me alice, me bob, me carol", "Every request returns to the server holding the session — 200 in both lanes.", &[]),
            step("add-server, me alice, me bob, me carol", "S3 joins. The hash is now taken mod 3, and some users map to a different server: in lane B they land where their session is not — 401, and their cookie is cleared. Lane A does not care where a request lands.", AUTH)
                .ask("S3 joins and the hash changes. Will Carol's request, the last of this step, succeed?", Outcome::Succeeds, BOTH),
            step("remove-server, me alice, me bob, me carol", "S3 leaves and the hash is taken mod 2 again: Alice and Bob map back to the servers that hold their sessions, but the 401s of the last step cleared their cookies — 401, they must log in again. Carol never moved — 200. Lane A never noticed any of it.", &[]),
        ],
    }
}

fn refresh(access_ttl_s: u32) -> LaneConfig {
    LaneConfig { token_ttl_s: access_ttl_s, ..LaneConfig::stateless().with_auth(AuthMode::Refresh) }
}

pub(super) fn refresh_rotation(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "The hybrid most systems ship: an access JWT that lives minutes and needs no lookup, and a refresh token kept in the store that is traded for a new pair — rotated each time.".into(),
        lanes: [jwt(), refresh(5 * 60)],
        steps: vec![
            step("login alice", "Lane A answers with a JWT that lives 15 minutes. Lane B's JWT lives 5 minutes, and its answer also sets a refresh token: Set-Cookie: refresh_token=…; Path=/token/refresh; HttpOnly. Neither server keeps anything in its memory, but lane B's writes the refresh token and its family to the shared store, one round trip (open the request for its trace).", &["Set-Cookie"]),
            step("me alice", "Both apps send Authorization: Bearer …, and S2 verifies the signature without a lookup in both lanes — 200. Lane B's request carries no refresh cookie: its Path sends it to /token/refresh only, and page scripts cannot read it (HttpOnly).", AUTH),
            step("wait 5m, me alice", "Five minutes on, lane B's app knows its access token has expired (expires_in said 300) and first sends POST /token/refresh with the cookie alone. S3 reads the token and its family from the store, finds it current, and rotates it: a new refresh cookie, a new access token, three store round trips. Then GET /api/me — 200. Lane A's 15-minute token still verifies.", &["Set-Cookie", "Cookie"]),
            step("store down, me alice, wait 6m, me alice", "The store goes down. Lane B's next request still succeeds — 200: its access token needs no store. Six minutes later that token has expired: the app's refresh gets 503 (the store holds the refresh tokens), so it sends the expired token anyway — 401. Lane A never needed the store — 200 both times, its token has 4 minutes left.", AUTH)
                .ask("The store goes down and six minutes pass. Will Alice's last request succeed?", Outcome::Succeeds, BOTH),
        ],
    }
}

pub(super) fn refresh_reuse(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Rotating the refresh token at every use lets the store notice a copy: presenting a token that was already traded revokes the whole family, thief and user alike.".into(),
        lanes: [jwt(), refresh(5 * 60)],
        steps: vec![
            step("login alice, me alice", "Alice logs in. Lane B's answer sets refresh token R1 in a cookie scoped to /token/refresh; lane A hands out a 15-minute JWT and nothing else.", &["Set-Cookie"]),
            step("refresh alice", "Alice's app refreshes (#3). Lane B's S3 finds R1 is its family's current token, rotates it to R2 and returns a new access token. Lane A has no refresh endpoint — 404: a copy of its JWT simply works until exp.", &["Set-Cookie", "Cookie"]),
            step("replay alice 3", "Someone who copied request #3 sends it again, with the first refresh token, R1 (its Cookie line). Lane B's store says the family's current token is R2, not R1: R1 was already used, so someone holds a copy. S1 deletes the family — 401. It cannot tell thief from user, so it ends both. Lane A still has no refresh endpoint — 404.", &["Cookie"])
                .ask("Someone replays Alice's refresh request #3. What status does it get?", Outcome::Status, BOTH),
            step("refresh alice, me alice", "Alice's own refresh with R2 now gets 401 in lane B: the family is revoked. Her access token still verifies — 200, until its exp a few minutes away: the window a short access lifetime keeps small. Lane A: 404 for the refresh, and its token verifies too.", AUTH),
        ],
    }
}

pub(super) fn logout_window(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "With refresh tokens, logout revokes the family at once but the access token lives on until exp: its lifetime is the revocation delay, traded against refresh traffic.".into(),
        lanes: [refresh(60), refresh(15 * 60)],
        steps: vec![
            step("login alice, me alice", "Both lanes issue access + refresh tokens; lane A's access token lives 60 seconds, lane B's 15 minutes. Alice loads her profile (#2).", AUTH),
            step("logout alice, replay alice 2", "Alice logs out. Both lanes' servers delete her refresh family from the store and clear the cookie — but the access token is checked by signature alone. The trace says how long a copy still works: 58 s in lane A, 15 min in lane B. Replaying #2 now succeeds in both lanes — 200.", AUTH),
            step("wait 2m, replay alice 2", "Two minutes later the copy is refused in lane A — 401, token expired (servers allow 30 s of clock leeway past exp). In lane B it still works — 200, for 13 more minutes. The comparison table shows each lane's window.", AUTH)
                .ask("Two minutes after logout, will the copied request #2 still succeed?", Outcome::Succeeds, BOTH),
            step("login alice, wait 2m, me alice, wait 2m, me alice", "The price of the short window: Alice logs in again and uses the app every two minutes. Lane A's app must refresh before each request (POST /token/refresh, three store round trips each); lane B's never does. Compare \"Refresh requests sent\" in the table.", &["Set-Cookie", "Cookie"]),
        ],
    }
}

pub(super) fn opaque_tokens(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A bearer token need not carry its claims: an opaque token is a reference every server looks up, revocable at once for a store round trip on every request.".into(),
        lanes: [jwt(), jwt().with_auth(AuthMode::Opaque)],
        steps: vec![
            step("login alice, me alice", "Both lanes answer with a bearer token and both apps send Authorization: Bearer …. Lane A's is a JWT of a few hundred bytes whose claims any server verifies. Lane B's is 32 random hex digits that mean nothing by themselves: S2 asks the store what it stands for (introspection, +4 ms) on every request.", &["Authorization"]),
            step("logout alice, replay alice 2", "Alice logs out and someone replays #2. Lane B deleted token:… from the store, so the lookup fails — 401, revoked at once. Lane A has nothing to delete: the JWT still verifies — 200, until exp.", &["Authorization"]),
            step("login alice, store down, me alice", "The cost of the lookup: with the store down, lane B cannot say what any token means — 503 for every request. Lane A verifies without the store — 200.", &[])
                .ask("The store goes down. Will Alice's next request succeed?", Outcome::Succeeds, BOTH),
        ],
    }
}

pub(super) fn api_keys(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "An API for third-party clients can be stateless about who is calling, but a rate limit is a counter — state — and only a shared one holds across servers.".into(),
        lanes: [
            jwt().with_auth(AuthMode::ApiKey { limiter: Store::Local }),
            jwt().with_auth(AuthMode::ApiKey { limiter: Store::Shared }),
        ],
        steps: vec![
            step("login alice", "Alice creates an API key, as in a developer dashboard. The answer shows it once (sk_…); the database keeps only its SHA-256 and the key's id.", &[]),
            step("me alice, me alice, me alice", "Her client sends three requests with X-API-Key; the limit is 5 per 10 s per client, all its keys together. Every server looks the key's hash up in the database, then counts the request. Lane A counts in each server's memory: S2, S3 and S1 have each seen 1. Lane B counts in the store, which every server sees: 3 of 5.", &["X-API-Key"]),
            step("me alice, me alice, me alice", "Three more within the same ten seconds. Lane A's servers have each seen 2, under the limit — all 200. Lane B's shared count reaches 6 — the sixth is 429 Too Many Requests, with Retry-After: the limit holds across servers only where the counter is shared.", &["X-API-Key", "Retry-After"])
                .ask("Three more requests within the same ten seconds. What status does the last one get?", Outcome::Status, BOTH),
            step("wait 10s, me alice", "Ten seconds later a new window starts — 200 in both lanes.", &["X-API-Key"]),
            step("rotate-key alice, replay alice 2", "The key leaked: Alice rotates it. Managing a key is not counted against its limit, so this works even while someone spends it — and works for anyone holding the key, a thief too, which is why real APIs also let the account's owner rotate from a dashboard. The server deletes the old key's row and answers with a new key. Replaying #2 with the old key gets 401 in both lanes: every request looks the key up, so revocation is immediate.", &["X-API-Key"]),
        ],
    }
}

/// A connection lane: `app` over JWTs, behind `strategy`.
fn sockets(app: App, strategy: Strategy) -> LaneConfig {
    jwt().with_app(app).with_balancer(strategy)
}

const HANDSHAKE: &[&str] = &["Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Origin"];

pub(super) fn ws_handshake(id: &'static str, title: &'static str) -> Scenario {
    let pubsub = sockets(App::Chat(Store::Shared), Strategy::LeastConnections);
    Scenario {
        id,
        title: title.into(),
        lesson: "A WebSocket opens with one HTTP request and its 101 answer; from then on the connection itself is the state, pinned to the server that accepted it.".into(),
        lanes: [pubsub, LaneConfig { ws_token: TokenIn::FirstMessage, ..pubsub }],
        steps: vec![
            step("login alice, connect alice", "Alice logs in, then her app opens a WebSocket: an HTTP GET with Upgrade: websocket and a random Sec-WebSocket-Key, answered 101 Switching Protocols with Sec-WebSocket-Accept. A browser cannot set Authorization on it: lane A puts the token in the URL, where logs keep it; lane B sends it in the first frame after the upgrade.", HANDSHAKE),
            step("login bob, connect bob, say alice hi bob", "Bob connects. Least connections counts open connections now: S2 holds Alice's, so Bob's goes to a server that holds none (S1, next in turn). Alice's message is one masked text frame from her browser to S2; S2 publishes it to the store's channel, and each server passes it to its own connections in unmasked frames — both read it.", &[]),
            step("ping alice, disconnect bob", "S2 pings Alice's connection and her browser answers pong by itself: a ping and its pong keep an idle connection alive through proxies, and only the server can start one, since a page script can neither send a ping nor see one. Bob's app closes with status 1000 (normal closure) and the server echoes it: the closing handshake. His app will not reconnect.", &[]),
        ],
    }
}

pub(super) fn ws_crash_storm(id: &'static str, title: &'static str) -> Scenario {
    let lane = |strategy| sockets(App::Chat(Store::Shared), strategy).with_servers(2);
    Scenario {
        id,
        title: title.into(),
        lesson: "A crash drops every connection on the server with no close frame; clients come back on their own, spread out by backoff and jitter — and a balancer that counts connections sends them all to the dead server until health checks notice.".into(),
        lanes: [lane(Strategy::LeastConnections), lane(Strategy::RoundRobin)],
        steps: vec![
            step("login alice, login bob, connect alice, connect bob", "Alice and Bob connect, and each lane's balancer spreads them over its two servers: one connection on S1, one on S2.", &[]),
            step("crash 1", "S1 dies. Alice's connection ends with no close frame: her browser reports 1006, and the app retries after a backoff. The first retries go to S1 in both lanes — least connections (A) picks it because it holds no connection, being dead; round robin (B) because it is next: 502.", &[]),
            step("wait 15s", "Each retry waits about twice as long as the one before, drawn at random (from the lane's seed, so a link replays it) so that thousands of clients do not come back at once. Lane B's next retry goes round to S2. Lane A's keep hitting S1 until health checks take it out; the next reaches S2.", &[])
                .ask("Fifteen seconds of retries. Will Alice's last retry in this step succeed?", Outcome::Succeeds, BOTH),
            step("add-server, disconnect bob, connect bob", "A new server, S3, joins with no connections, and nothing moves the ones already open: scaling out does not rebalance long-lived connections. Bob reconnects: lane A's least connections sends him to S3, which holds none; lane B's round robin to the next in turn.", &[]),
        ],
    }
}

pub(super) fn chat_memory_vs_pubsub(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A room kept in one server's memory reaches only the connections on that server; fanning messages out through a shared pub/sub reaches everyone, for a store in the path of every message.".into(),
        lanes: [sockets(App::Chat(Store::Local), Strategy::RoundRobin), sockets(App::Chat(Store::Shared), Strategy::RoundRobin)],
        steps: vec![
            step("login alice, login bob, connect alice, connect bob", "Alice and Bob connect; round robin puts Alice on S3 and Bob on S1 in both lanes. Their connections stay there.", &[]),
            step("say alice hello everyone", "Alice says hello. Lane A: S3 keeps the room in its own memory and passes the message to its own connections — only Alice. Bob, on S1, never gets it, and nothing in Bob's app tells him. Lane B: S3 publishes to the store's channel, every server is subscribed, and S1 passes it to Bob.", &[]),
            step("store down, say bob anyone there", "The store goes down. Lane B cannot publish: Bob's message is not sent, and his app is told so. Lane A never used the store — S1 keeps Bob's message, for the connections on S1 alone.", &[]),
        ],
    }
}

pub(super) fn ws_expiry(id: &'static str, title: &'static str) -> Scenario {
    let lane = LaneConfig { token_ttl_s: 60, ..sockets(App::Chat(Store::Shared), Strategy::RoundRobin) };
    Scenario {
        id,
        title: title.into(),
        lesson: "A connection is checked once, at its handshake: a token that expires or a session that is revoked afterwards changes nothing unless the server checks again.".into(),
        lanes: [lane, LaneConfig { recheck: true, ..lane }],
        steps: vec![
            step("login alice, login bob, connect alice, connect bob, say alice hi", "Both lanes issue one-minute tokens; Alice and Bob connect with them. Lane B's servers check the token again on every frame they receive — it holds, and the message goes out in both lanes.", &[]),
            step("wait 2m, say alice still here", "Two minutes later Alice's token has expired. Lane A's S3 does not look at it again: her message goes out to everyone, though any fresh request with that token would be refused. Lane B's S3 checks it, finds it expired, and closes the connection with 1008 (policy violation); the app does not reconnect with a token it knows is dead.", &[]),
            step("me alice", "An ordinary HTTP request carries the token every time, so every server checks it: 401 in both lanes. Only the open connection in lane A outlived it.", &["Authorization"])
                .ask("Alice's token has expired. Will an ordinary request with it succeed?", Outcome::Succeeds, BOTH),
        ],
    }
}

pub(super) fn game_checkpoint(id: &'static str, title: &'static str) -> Scenario {
    let lane = |keep| sockets(App::Game(keep), Strategy::RoomHash);
    Scenario {
        id,
        title: title.into(),
        lesson: "A match is authoritative on the one server that runs it; kept only in its memory, a crash ends the match, while a checkpoint in the store lets another server resume it.".into(),
        lanes: [lane(Store::Local), lane(Store::Shared)],
        steps: vec![
            step("login alice, login bob, connect alice, connect bob", "Both players connect to match1. The balancer hashes the room parameter (HAProxy's balance url_param room), so every player of the match reaches the same server: S3.", &[]),
            step("move alice 1 0, move bob 0 1, disconnect bob", "Each move is a masked frame to S3, which applies it to the match it holds and sends the new state to both players. Lane B's S3 also writes the match to the store after every move (SET match:match1). Then Bob leaves for now.", &[]),
            step("crash 3", "S3 dies with the match. Alice's app sees 1006 and retries, but the room hash still sends match1 to S3: 502.", &[]),
            step("wait 8s", "Each retry waits longer than the last, and each lands on S3, which health checks keep in rotation until 09:00:15: 502.", &[]),
            step("wait 10s", "S3 out of rotation, match1 hashes to S1. Lane A's S1 never heard of it: a new match at tick 0. Lane B's S1 resumes it from the store at tick 2.", &[])
                .ask("S3 leaves rotation. Which server takes Alice's reconnect?", Outcome::Server, BOTH),
        ],
    }
}

/// A file lane: FTP or its HTTP counterpart, on two servers.
fn files(app: App, strategy: Strategy) -> LaneConfig {
    jwt().with_app(app).with_balancer(strategy).with_servers(2)
}

pub(super) fn ftp_session(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "An FTP server remembers who you are and where you are for as long as the control connection lasts; over HTTP each request carries its path and credentials, so losing a server loses nothing.".into(),
        lanes: [files(App::Ftp, Strategy::IpHash), files(App::Files, Strategy::RoundRobin)],
        steps: vec![
            step("login alice", "Lane A opens a control connection to S1: greeting 220, USER 331, PASS 230. S1 now holds Alice's login. Lane B sends nothing: its client keeps the password for every request.", &[]),
            step("cd alice /pub, ls alice", "A: CWD and PWD (257 \"/pub\"); S1 remembers the directory, so LIST names none. B: the client writes /pub into the URL itself.", &["Authorization"]),
            step("crash 1", "S1 dies. Lane A's control connection drops with no reply: Alice's login and directory went with S1's memory. Lane B had nothing on S1 to lose.", &[]),
            step("wait 10s, ls alice", "A: no connection, so nothing to list on. B: S2 answers the same request, path and credentials included.", &["Authorization"]),
            step("login alice, ls alice", "A: a new login on S2 starts at /, so LIST shows / and not /pub. B still lists /pub.", &[]),
        ],
    }
}

pub(super) fn ftp_resume(id: &'static str, title: &'static str) -> Scenario {
    let lane = |app| files(app, Strategy::IpHash);
    Scenario {
        id,
        title: title.into(),
        lesson: "Both protocols resume a download from the byte the client has; FTP must first rebuild its session (log in, CWD, TYPE) on a new connection, HTTP sends one request with Range.".into(),
        lanes: [lane(App::Ftp), lane(App::Files)],
        steps: vec![
            step("login alice, cd alice /pub, get alice big.bin", "Both fetch big.bin (12,000 bytes) from S1 at 2,000 bytes a second. A: TYPE I, PASV, RETR, 150; the bytes flow on a data connection.", &["Content-Length"]),
            step("wait 1s, crash 1", "S1 dies after 4,000 bytes. A: both connections drop, and the session with them. B: the 200's body stops short of its Content-Length.", &[]),
            step("wait 10s, resume alice", "A: a new login on S2, CWD /pub, TYPE I, PASV, then REST 4000 (350) and RETR. B: one request with Range: bytes=4000-, answered 206.", &["Range", "Content-Range"])
                .ask("S1 crashed mid-download. Will the resumed download succeed?", Outcome::Succeeds, BOTH),
            step("wait 5s", "The last 8,000 bytes arrive: A's 226 Transfer complete. Both clients hold the same 12,000 bytes.", &[]),
        ],
    }
}

pub(super) fn ftp_passive_balancer(id: &'static str, title: &'static str) -> Scenario {
    let lane = |strategy| files(App::Ftp, strategy);
    Scenario {
        id,
        title: title.into(),
        lesson: "PASV opens a port on the server that holds the control connection; the data connection must reach that same server, which round robin does not promise and IP hash (HAProxy's balance source) does.".into(),
        lanes: [lane(Strategy::RoundRobin), lane(Strategy::IpHash)],
        steps: vec![
            step("login alice, ls alice", "Both log in on S1 and send PASV: S1 listens and answers 227 with the balancer's address. A: round robin sends the data connection to S2, which refuses it; LIST gets 425. B: IP hash sends it to S1, as it sent the control connection.", &[])
                .ask("Alice lists her files over PASV. Will it succeed?", Outcome::Succeeds, BOTH),
            step("ls alice", "A again: the next in turn is S1, so this LIST works. Round robin fails every other transfer, not all of them.", &[]),
        ],
    }
}

/// A database lane: `pooling` behind round robin over `servers` app servers.
fn db(pooling: Pooling, servers: u8) -> LaneConfig {
    jwt().with_app(App::Db(pooling)).with_servers(servers)
}

pub(super) fn db_leaky_set(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A database connection keeps session state — a SET, an open transaction — and a pool hands it, as it is, to the next request.".into(),
        lanes: [db(Pooling::Session, 1), db(Pooling::Stateless, 1)],
        steps: vec![
            step("sql alice tz Asia/Tokyo", "Alice picks her time zone. Lane A runs SET TimeZone on S1's pooled pg#1 and gives pg#1 back as it is. Lane B sends nothing: its app names the zone in each query.", &[]),
            step("sql bob select", "Bob set nothing, yet lane A answers him in Tokyo time (+09): the pool lent him pg#1 with Alice's SET on it. Lane B's query names his zone: UTC.", &[]),
            step("sql alice begin", "Alice's request sends BEGIN. Lane A's pg#1 answers ReadyForQuery T and goes back to the pool still inside the transaction. Lane B's app only starts collecting.", &[]),
            step("sql bob insert mug", "Bob orders a mug. Lane A lends him pg#1, still T: his INSERT joins Alice's transaction. Lane B's insert commits on its own: I.", &[]),
            step("sql alice rollback, sql bob select", "Alice rolls back. In lane A that undoes Bob's insert too: his select counts 0 orders. Lane B had nothing to undo: Bob's order stands.", &[]),
        ],
    }
}

pub(super) fn db_txn_pooling(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Transaction pooling lends a server connection for one transaction at a time, so a statement prepared on one is missing on the next.".into(),
        lanes: [db(Pooling::Session, 2), db(Pooling::Transaction, 2)],
        steps: vec![
            step("sql alice prepare", "Alice's app prepares orders_by_owner through S1: in lane A on S1's own pg#1, in lane B on pg#1 as PgBouncer lent it. Both drivers note it as prepared.", &[]),
            step("sql bob begin, sql alice begin", "Bob (via S2) and Alice (via S1) each open a transaction. Lane B's PgBouncer lends Bob pg#1 until he ends his, so Alice gets a new one: pg#2.", &[]),
            step("sql bob insert mug, sql alice execute", "Alice's driver sends Bind alone: it prepared the statement on this connection. Lane A: it did — her count, T. Lane B: pg#2 never saw it — ERROR 26000, and her transaction is failed: E.", &[])
                .ask("Will Alice's prepared statement run?", Outcome::Succeeds, BOTH),
            step("sql bob commit, sql alice rollback", "Bob commits: PgBouncer takes pg#1 back. Alice must roll back to leave E: ReadyForQuery I in both lanes.", &[]),
        ],
    }
}

pub(super) fn db_crash_txn(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "An open transaction lives on one connection: when the app server dies, the connection closes and the database rolls the transaction back.".into(),
        lanes: [db(Pooling::Session, 1), db(Pooling::Stateless, 1)],
        steps: vec![
            step("sql alice begin, sql alice insert mug", "Alice opens a transaction and orders a mug. Lane A: both on S1's pg#1, which stays T with 1 uncommitted row. Lane B's app keeps both statements and sends nothing yet.", &[]),
            step("crash 1", "S1 dies. Lane A's pg#1 closes with no Terminate; PostgreSQL rolls back its transaction and the mug. Lane B's database held nothing of Alice's.", &[]),
            step("restart 1, wait 10s, sql alice commit", "S1 is back with an empty pool. Lane A's COMMIT goes on a new pg#2: WARNING: there is no transaction in progress, then I — an app that checks only the tag thinks it committed. Lane B sends BEGIN, INSERT and COMMIT at once: I.", &[])
                .ask("S1 died mid-transaction and is back. Will Alice's COMMIT succeed?", Outcome::Succeeds, BOTH),
            step("sql alice select", "The count tells: 0 orders in lane A, 1 in lane B.", &[]),
        ],
    }
}

pub(super) fn db_pool_exhaustion(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "Transaction pooling shares a few server connections among many clients — until open transactions hold them all.".into(),
        lanes: [db(Pooling::Session, 3), db(Pooling::Transaction, 3)],
        steps: vec![
            step("sql alice begin, sql bob begin", "Alice (via S1) and Bob (via S2) open transactions. Lane B's PgBouncer lends each a server connection, pg#1 and pg#2: its whole pool of 2.", &[]),
            step("sql carol begin", "Carol's BEGIN (via S3) finds none free in lane B: she waits in PgBouncer's queue until query_wait_timeout. Lane A's S3 has its own pool: pg#3, T.", &[])
                .ask("Alice and Bob are in transactions. Will Carol's BEGIN succeed?", Outcome::Succeeds, BOTH),
            step("sql alice commit, sql bob commit, sql carol begin", "Alice and Bob commit, freeing both server connections: Carol's retry gets one. Lane A never waited, for one connection per app server.", &[]),
        ],
    }
}

pub(super) fn db_temp_table(id: &'static str, title: &'static str) -> Scenario {
    Scenario {
        id,
        title: title.into(),
        lesson: "A temporary table belongs to the backend connection that created it: whoever is lent that connection next finds it, and any other connection has never heard of it.".into(),
        lanes: [db(Pooling::Session, 2), db(Pooling::Transaction, 2)],
        steps: vec![
            step("sql alice temp", "Alice's app keeps her cart in a temporary table. Through S1: in lane A on S1's own pg#1, in lane B on pg#1 as PgBouncer lent it. CREATE TABLE, then I: in lane B PgBouncer takes pg#1 back at once.", &[]),
            step("sql bob begin, sql alice cart mug", "Bob (via S2) opens a transaction: lane B's PgBouncer lends him pg#1, the idle one used last. Alice adds a mug through S1. Lane A: S1's pg#1 has her table, INSERT 0 1. Lane B: a new pg#2, ERROR 42P01: relation \"cart\" does not exist.", &[]),
            step("sql bob cart tee, sql carol cart socks", "Bob and Carol never created a cart. Lane A: Bob's pg#2 has none, ERROR 42P01, and his transaction is failed: E. Carol, via S1, is lent pg#1 and her socks go into Alice's cart. Lane B: Bob's pg#1 holds Alice's table, INSERT 0 1; Carol's pg#2 has none: 42P01.", &[])
                .ask("Carol never made a cart. Will her INSERT into one succeed?", Outcome::Succeeds, BOTH),
            step("sql bob rollback", "Bob rolls back: ReadyForQuery I in both lanes. Lane A's pg#1 keeps Alice's cart with Carol's socks in it. Lane B's rollback takes Bob's tee out of Alice's cart, which stays on pg#1 for whichever client PgBouncer lends it to next.", &[]),
        ],
    }
}
