//! Property tests: random input never panics a parser, random action logs
//! replay to the same bytes, and what the playground teaches stays true
//! under random faults (crashes never log out a JWT or shared-store user…).

use proptest::prelude::*;
use statelab_sim::fleet::{FileOp, SqlOp, StoreValue, ZONES};
use statelab_sim::link::Link;
use statelab_sim::text as notation;
use statelab_sim::text::lane_text;
use statelab_sim::wire::cookie::SetCookie;
use statelab_sim::wire::http::parse_request;
use statelab_sim::wire::jwt::{self, Key, TokenEdit};
use statelab_sim::LaneId;
use statelab_sim::{
    Action, App, AuthMode, LaneConfig, Playground, Recipe, Store, Strategy as Balancing, TokenIn, User,
};

fn user() -> impl Strategy<Value = User> {
    prop::sample::select(User::ALL.to_vec())
}

fn strategy() -> impl Strategy<Value = Balancing> {
    prop::sample::select(Balancing::ALL.to_vec())
}

fn auth() -> impl Strategy<Value = AuthMode> {
    prop_oneof![
        any::<bool>().prop_map(|denylist| AuthMode::Jwt { denylist }),
        Just(AuthMode::ServerSession { store: Store::Local }),
        Just(AuthMode::ServerSession { store: Store::Shared }),
        Just(AuthMode::SignedCookie),
        Just(AuthMode::Refresh),
        Just(AuthMode::Opaque),
        Just(AuthMode::ApiKey { limiter: Store::Local }),
        Just(AuthMode::ApiKey { limiter: Store::Shared }),
    ]
}

fn config() -> impl Strategy<Value = LaneConfig> {
    (
        (auth(), strategy(), 0u8..10, 0u32..20, 0u32..4000, 0u32..4000),
        (
            prop::sample::select(App::ALL.to_vec()),
            any::<bool>(),
            prop::sample::select(vec![TokenIn::Query, TokenIn::FirstMessage]),
        ),
    )
        .prop_map(
            |((auth, balancer, servers, store_latency_ms, token_ttl_s, session_ttl_s), (app, recheck, ws_token))| {
                LaneConfig {
                    auth,
                    balancer,
                    servers,
                    store_latency_ms,
                    token_ttl_s,
                    session_ttl_s,
                    app,
                    recheck,
                    ws_token,
                }
            },
        )
}

fn edit() -> impl Strategy<Value = TokenEdit> {
    prop_oneof![
        Just(TokenEdit::AlgNone),
        "\\PC{0,12}".prop_map(|value| TokenEdit::Set { value }),
        "\\PC{0,12}".prop_map(|value| TokenEdit::SetRefresh { value }),
        ("[a-z]{1,5}", "[a-z0-9]{0,6}").prop_map(|(name, value)| TokenEdit::Claim { name, value }),
    ]
}

/// Any statement a database lane's app sends, unknown products and every zone included.
fn sql_op() -> impl Strategy<Value = SqlOp> {
    prop_oneof![
        Just(SqlOp::Begin),
        Just(SqlOp::Commit),
        Just(SqlOp::Rollback),
        Just(SqlOp::Prepare),
        Just(SqlOp::Execute),
        Just(SqlOp::Select),
        prop::sample::select(ZONES.map(|(z, _)| z).to_vec()).prop_map(|zone| SqlOp::SetTz { zone: zone.into() }),
        "[a-z0-9-]{1,20}".prop_map(|sku| SqlOp::Insert { sku }),
        Just(SqlOp::Temp),
        "[a-z0-9-]{1,20}".prop_map(|sku| SqlOp::Cart { sku }),
    ]
}

/// Any action at all, including nonsense servers, seqs and request text.
fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (user(), any::<bool>()).prop_map(|(user, wrong_password)| Action::Login { user, wrong_password }),
        user().prop_map(|user| Action::Me { user }),
        (user(), "[a-z]{1,8}").prop_map(|(user, sku)| Action::AddToCart { user, sku }),
        user().prop_map(|user| Action::ViewCart { user }),
        (user(), 0u32..6).prop_map(|(user, page)| Action::OrdersPage { user, page }),
        user().prop_map(|user| Action::NextPage { user }),
        user().prop_map(|user| Action::Logout { user }),
        user().prop_map(|user| Action::Refresh { user }),
        user().prop_map(|user| Action::RotateApiKey { user }),
        user().prop_map(|user| Action::Connect { user }),
        (user(), "[a-z!?]{1,6}( [a-z]{1,6}){0,2}").prop_map(|(user, text)| Action::Say { user, text }),
        (user(), -1i8..=1, -1i8..=1).prop_map(|(user, dx, dy)| Action::Move { user, dx, dy }),
        user().prop_map(|user| Action::Ping { user }),
        user().prop_map(|user| Action::Disconnect { user }),
        (user(), prop::collection::vec(any::<u8>(), 0..24)).prop_map(|(user, bytes)| Action::Frame { user, bytes }),
        (user(), typed_frame()).prop_map(|(user, bytes)| Action::Frame { user, bytes }),
        (user(), file_op()).prop_map(|(user, op)| Action::File { user, op }),
        (user(), sql_op()).prop_map(|(user, op)| Action::Sql { user, op }),
        (0u8..6).prop_map(|server| Action::Drain { server }),
        (user(), edit()).prop_map(|(user, edit)| Action::Tamper { user, edit, lane: None }),
        (user(), 0u32..12).prop_map(|(user, seq)| Action::Replay { user, seq }),
        (user(), "(GET|POST) /[a-z/]{0,12} HTTP/1.1\n(Host: shop.example\n)?(Cookie: [a-z_]{1,10}=[a-z0-9]{0,8})?(X-API-Key: sk_[0-9a-f]{0,32})?")
            .prop_map(|(user, text)| Action::Raw { user, text }),
        (0u8..10).prop_map(|server| Action::Crash { server }),
        (0u8..10).prop_map(|server| Action::Restart { server }),
        (0u8..10).prop_map(|server| Action::Bounce { server }),
        Just(Action::StoreDown),
        Just(Action::StoreUp),
        (0u8..5, -2_000_000i64..2_000_000).prop_map(|(server, ms)| Action::Skew { server, ms }),
        any::<bool>().prop_map(|keep_old| Action::RotateKey { keep_old }),
        Just(Action::AddServer),
        Just(Action::RemoveServer),
        (0u64..4_000_000).prop_map(|ms| Action::Advance { ms }),
        (0u16..5, 0u32..40).prop_map(|(users, requests)| Action::Load { users, requests }),
    ]
}

/// A file lane's step: paths that exist (`/pub`, `big.bin`) and that do not.
fn file_op() -> impl Strategy<Value = FileOp> {
    let path = prop_oneof![
        prop::sample::select(vec!["/", "/pub", "pub", "big.bin", "notes.txt", "/readme.txt", "/pub/big.bin"])
            .prop_map(str::to_owned),
        "/?[a-z]{1,6}(/[a-z]{1,6}){0,2}(\\.[a-z]{1,3})?",
    ];
    prop_oneof![
        path.clone().prop_map(FileOp::Cd),
        Just(FileOp::Ls),
        path.prop_map(FileOp::Get),
        Just(FileOp::Resume),
        Just(FileOp::Quit),
    ]
}

/// A client's frame as an app or a person might type it: masked, of any
/// opcode, with a payload that is JSON, a say or a move, or anything.
fn typed_frame() -> impl Strategy<Value = Vec<u8>> {
    let payload = prop_oneof![
        "[a-z ]{0,8}".prop_map(|t| format!("{{\"type\":\"say\",\"text\":\"{t}\"}}")),
        (-2i8..=2, -2i8..=2).prop_map(|(x, y)| format!("{{\"type\":\"move\",\"dx\":{x},\"dy\":{y}}}")),
        "\\PC{0,10}",
    ];
    (0usize..6, payload, any::<[u8; 4]>()).prop_map(|(op, text, key)| {
        use statelab_sim::wire::ws::{Frame, Opcode};
        let frame = match op {
            0 => Frame::ping(text.as_bytes().get(..text.len().min(125)).unwrap_or_default()),
            1 => Frame::pong(b"x"),
            2 => Frame::close(1000, "bye"),
            3 => Frame::binary(text.as_bytes()),
            4 => Frame { fin: true, opcode: Opcode::Text, mask: None, payload: text.into_bytes() },
            _ => Frame::text(&text),
        };
        frame.masked(key).to_wire()
    })
}

fn transcript(p: &Playground) -> String {
    lane_text("A", p.lane(LaneId::A)) + &lane_text("B", p.lane(LaneId::B))
}

// No `proptest_config` here: the default runs 256 cases per property and
// `PROPTEST_CASES` overrides it.
proptest! {
    #[test]
    fn random_runs_never_panic_and_replay_to_the_same_bytes(seed in any::<u64>(), a in config(), b in config(), actions in prop::collection::vec(action(), 0..40)) {
        let mut p = Playground::new(seed, [a, b]);
        for act in actions {
            let _ = p.apply(act);
        }
        let again = Playground::from_recipe(p.recipe());
        prop_assert_eq!(transcript(&again), transcript(&p));
        // The recipe survives serialisation (share links, storage).
        let json = serde_json::to_string(p.recipe()).unwrap();
        let back: Recipe = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(transcript(&Playground::from_recipe(&back)), transcript(&p));
        for lane in p.lanes() {
            for x in lane.exchanges() {
                prop_assert_eq!(x.request.to_wire().len(), x.request_bytes as usize);
                prop_assert_eq!(x.response.to_wire().len(), x.response_bytes as usize);
                // Only the balancer answers without a server, and only with 502/503.
                prop_assert_eq!(x.server.is_none(), matches!(x.response.status, 502 | 503) && x.store_trips == 0 && !x.balancer_reason.is_empty() && x.response.headers.get("Content-Type") == Some("text/plain; charset=utf-8"));
            }
            if lane.config().is_stateless() {
                prop_assert!(lane.servers().iter().all(|s| s.sessions.is_empty()), "stateless servers hold no sessions");
            }
        }
    }

    /// With only crashes, restarts, scaling and short waits, a logged-in user
    /// of a JWT lane or a shared-store lane is never asked to log in again.
    #[test]
    fn crashes_never_log_out_stateless_or_shared_store_users(strategy in strategy(), faults in prop::collection::vec(prop_oneof![
        (1u8..4).prop_map(|server| Action::Crash { server }),
        (1u8..4).prop_map(|server| Action::Restart { server }),
        (1u8..4).prop_map(|server| Action::Bounce { server }),
        Just(Action::AddServer),
        Just(Action::RemoveServer),
        (0u64..20_000).prop_map(|ms| Action::Advance { ms }),
        Just(Action::Me { user: User::Alice }),
    ], 0..30)) {
        let jwt = LaneConfig::stateless().with_balancer(strategy);
        let shared = LaneConfig::stateful().with_balancer(strategy).with_auth(AuthMode::ServerSession { store: Store::Shared });
        let mut p = Playground::new(1, [jwt, shared]);
        p.apply(Action::Login { user: User::Alice, wrong_password: false }).unwrap();
        for f in faults {
            // Faults that would do nothing (crashing a down server…) are refused and change nothing.
            let _ = p.apply(f);
        }
        for lane in p.lanes() {
            if lane.exchanges().next().is_some_and(|x| x.response.status == 200) {
                prop_assert!(lane.exchanges().all(|x| x.response.status != 401), "{}", lane_text("?", lane));
            }
        }
    }

    /// Local sessions behind round robin: a request succeeds exactly when it
    /// lands on the server that created the session, and no earlier request
    /// missed it (a miss clears the cookie, as tower-sessions does).
    #[test]
    fn local_sessions_work_only_where_they_live(servers in 1u8..=8, calls in 1usize..20) {
        let cfg = LaneConfig::stateful().with_servers(servers);
        let mut p = Playground::new(1, [LaneConfig::stateless(), cfg]);
        p.apply(Action::Login { user: User::Bob, wrong_password: false }).unwrap();
        for _ in 0..calls {
            p.apply(Action::Me { user: User::Bob }).unwrap();
        }
        let home = p.lane(LaneId::B).exchange(1).unwrap().server;
        let mut missed = false;
        for x in p.lane(LaneId::B).exchanges().skip(1) {
            prop_assert_eq!(x.response.status == 200, x.server == home && !missed);
            missed |= x.server != home;
        }
        prop_assert!(p.lane(LaneId::A).exchanges().all(|x| x.response.status == 200));
    }

    /// Share links and scenarios carry actions as notation: every action
    /// survives the round trip exactly.
    #[test]
    fn notation_round_trips_every_action(actions in prop::collection::vec(action(), 0..20)) {
        let text = notation::url_form(&actions);
        prop_assert_eq!(notation::parse_actions(&text).unwrap(), actions);
    }

    #[test]
    fn notation_parser_never_panics(text in "\\PC{0,80}") {
        let _ = notation::parse_actions(&text);
    }

    /// Share links carry any playground exactly.
    #[test]
    fn links_round_trip(seed in any::<u64>(), a in config(), b in config(), actions in prop::collection::vec(action(), 0..12), scenario in prop::option::of((0usize..12, 0usize..5))) {
        let actions: Vec<Action> = actions.into_iter().filter(|a| Playground::validate(a).is_ok()).collect();
        let scenario = scenario.map(|(i, step)| {
            let s = &statelab_sim::tours::all()[i];
            statelab_sim::TourPos { tour: s.id, step: step.min(s.steps.len()) }
        });
        let configs = match scenario {
            Some(at) => statelab_sim::Scenario::find(at.tour).unwrap().lanes,
            None => [a.sanitized(), b.sanitized()],
        };
        let link = Link { seed, scenario, configs, actions: if scenario.is_some() { vec![] } else { actions }, authored: None };
        let (back, notices) = Link::from_query(&link.to_query());
        prop_assert_eq!(notices, vec![]);
        prop_assert_eq!(back, link);
    }

    /// Any text, or any truncation of a real link, opens a valid state.
    #[test]
    fn any_query_opens_a_valid_state(text in "[a-z=&%~.0-9]{0,60}|\\PC{0,60}", cut in any::<prop::sample::Index>()) {
        let real = "scenario=sticky-crash&step=3&seed=9&a=shared.sticky.4.12&log=login.alice~crash.1~me.alice&theme=dark";
        for q in [text.as_str(), &real[..cut.index(real.len() + 1)]] {
            let (link, _) = Link::from_query(q);
            if let Some(at) = link.scenario {
                prop_assert!(at.step <= statelab_sim::Scenario::find(at.tour).unwrap().steps.len());
            }
            prop_assert!(link.actions.iter().all(|a| Playground::validate(a).is_ok()));
            let _ = link.playground();
        }
    }

    #[test]
    fn request_parser_never_panics(text in "\\PC{0,200}") {
        let _ = parse_request(&text);
    }

    #[test]
    fn request_parser_reports_positions_inside_the_text(text in "[ -~\n\r\t]{0,120}") {
        if let Err(e) = parse_request(&text) {
            let lines = text.split('\n').count() as u32;
            prop_assert!(e.line >= 1 && e.line <= lines + 1, "{e} for {text:?}");
            prop_assert!(e.column >= 1);
        }
    }

    #[test]
    fn valid_requests_round_trip_through_the_wire(method in "(GET|POST|PUT|DELETE)", path in "/[a-zA-Z0-9/_.-]{0,20}", headers in prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,12}", "[ -~]{0,30}"), 0..6), body in "[ -~]{0,40}") {
        let mut text = format!("{method} {path} HTTP/1.1\r\nHost: shop.example\r\n");
        for (n, v) in &headers {
            // Framing headers are the generator's to write, once.
            if !["content-length", "host", "transfer-encoding"].iter().any(|f| n.eq_ignore_ascii_case(f)) {
                text.push_str(&format!("{n}: {}\r\n", v.trim()));
            }
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let req = parse_request(&text).unwrap();
        prop_assert_eq!(&req.body, &body);
        prop_assert_eq!(parse_request(&req.to_wire()).unwrap(), req);
    }

    #[test]
    fn set_cookie_parser_never_panics(text in "\\PC{0,120}") {
        let _ = SetCookie::parse(&text);
    }

    #[test]
    fn set_cookies_we_write_parse_back_and_with_the_cookie_crate(name in "[a-z_]{1,10}", value in "[A-Za-z0-9._-]{0,40}", path in "(/[a-z]{0,6}){1,2}", max_age in prop::option::of(-5i64..100_000), secure in any::<bool>(), http_only in any::<bool>()) {
        let c = SetCookie { max_age, secure, http_only, path: Some(path), ..SetCookie::new(&name, value) };
        let text = c.to_string();
        prop_assert_eq!(SetCookie::parse(&text), Some(c.clone()));
        let theirs = cookie::Cookie::parse(text.as_str()).unwrap();
        prop_assert_eq!((theirs.name(), theirs.value()), (c.name.as_str(), c.value.as_str()));
        prop_assert_eq!(theirs.secure().unwrap_or(false), secure);
        prop_assert_eq!(theirs.http_only().unwrap_or(false), http_only);
    }

    #[test]
    fn jwt_verify_and_tamper_never_panic(token in "[A-Za-z0-9_.-]{0,120}", edit in edit()) {
        let key = Key::new("k1", "secret");
        let _ = jwt::verify(&token, std::slice::from_ref(&key), 1_768_467_600);
        if let Ok(t) = jwt::tamper(&token, &edit) {
            let _ = jwt::verify(&t, &[key], 1_768_467_600);
        }
    }
}

/// Moves in a refresh lane's life: refreshes, waits up to 40 minutes (past
/// a refresh token's 30), logouts and fresh logins.
#[derive(Clone, Debug)]
enum RefreshMove {
    Refresh,
    Wait(u64),
    Logout,
    Login,
}

fn refresh_move() -> impl Strategy<Value = RefreshMove> {
    prop_oneof![
        3 => Just(RefreshMove::Refresh),
        2 => (0u64..2_400_000).prop_map(RefreshMove::Wait),
        1 => Just(RefreshMove::Logout),
        1 => Just(RefreshMove::Login),
    ]
}

/// A hand-written refresh: the cookie alone, as the app sends it.
fn refresh_by_hand(token: &str) -> Action {
    Action::Raw {
        user: User::Bob,
        text: format!("POST /token/refresh HTTP/1.1\r\nHost: shop.example\r\nCookie: refresh_token={token}\r\n\r\n"),
    }
}

proptest! {
    /// Whatever refresh token a request carries — forged, an earlier one
    /// replayed, one of a revoked family, one that expired — only a family's
    /// current token is traded; a forged one is never taken for a reused one,
    /// and a replayed one revokes its family.
    #[test]
    fn only_a_familys_current_refresh_token_is_traded(seed in any::<u64>(), moves in prop::collection::vec(refresh_move(), 1..12), forged in "[0-9a-f]{32}", pick in any::<prop::sample::Index>()) {
        let lane = LaneConfig { token_ttl_s: 60, ..LaneConfig::stateless().with_auth(AuthMode::Refresh) };
        let mut p = Playground::new(seed, [lane, lane]);
        p.apply(Action::Login { user: User::Alice, wrong_password: false }).unwrap();
        for m in moves {
            let _ = p.apply(match m {
                RefreshMove::Refresh => Action::Refresh { user: User::Alice },
                RefreshMove::Wait(ms) => Action::Advance { ms },
                RefreshMove::Logout => Action::Logout { user: User::Alice },
                RefreshMove::Login => Action::Login { user: User::Alice, wrong_password: false },
            });
        }
        let a = p.lane(LaneId::A);
        let traded: Vec<String> = a.exchanges()
            .filter(|x| x.request.path() == "/token/refresh" && x.response.status == 200)
            .filter_map(|x| x.request.headers.get("Cookie")?.strip_prefix("refresh_token=").map(str::to_owned))
            .collect();
        let forged_is_new = !a.exchanges().any(|x| x.response.headers.get_all("Set-Cookie").any(|c| c.contains(&forged)));
        if forged_is_new {
            p.apply(refresh_by_hand(&forged)).unwrap();
            let x = p.lane(LaneId::A).exchanges().last().unwrap();
            prop_assert_eq!(x.response.status, 401);
            prop_assert!(x.trace.iter().any(|t| t.contains("is not in the store")), "{:?}", x.trace);
        }
        if !traded.is_empty() {
            let old = pick.get(&traded).clone();
            p.apply(refresh_by_hand(&old)).unwrap();
            let x = p.lane(LaneId::A).exchanges().last().unwrap();
            prop_assert_eq!(x.response.status, 401, "a traded refresh token is never traded again");
            let why = x.trace.join(" ");
            prop_assert!(why.contains("reuse detected") || why.contains("is revoked") || why.contains("is not in the store"), "{}", why);
            if let Some(family) = why.split("revoked the whole family ").nth(1) {
                // The family is gone: its current token is refused too (a later
                // login's family is another, and lives on).
                let a = p.lane(LaneId::A);
                let current = a.client(User::Alice).jar.get("refresh_token", a.now()).map(|c| c.value.clone());
                let same_family = |t: &String| matches!(a.store().get(&format!("refresh:{t}"), a.now()), Some(StoreValue::Refresh { family: f, .. }) if f == family);
                if let Some(current) = current.filter(same_family) {
                    p.apply(refresh_by_hand(&current)).unwrap();
                    let y = p.lane(LaneId::A).exchanges().last().unwrap();
                    prop_assert_eq!(y.response.status, 401);
                }
            }
        }
    }
}
