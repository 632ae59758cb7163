//! One test per idea the playground teaches (README, "Tests", lists them:
//! round robin losing local sessions, sticky sessions dying with their
//! server, the shared store, revocation, expiry, tampering…), plus the
//! real-format checks:
//! tokens verify with another JWT library, cookies parse with another
//! cookie parser, every message parses as HTTP/1.1.

use statelab_sim::wire::jwt::TokenEdit;
use statelab_sim::LaneId;
use statelab_sim::{Action, AuthMode, LaneConfig, Playground, Store, Strategy, User};
use Action::*;
use User::*;

fn play(configs: [LaneConfig; 2], actions: Vec<Action>) -> Playground {
    let mut p = Playground::new(1, configs);
    for a in actions {
        p.apply(a).unwrap();
    }
    p
}

fn last_status(p: &Playground, lane: LaneId) -> u16 {
    p.lane(lane).exchanges().last().unwrap().response.status
}

fn login(u: User) -> Action {
    Login { user: u, wrong_password: false }
}

#[test]
fn jwt_succeeds_on_every_server_under_every_strategy_through_crashes() {
    for strategy in Strategy::ALL {
        let cfg = LaneConfig::stateless().with_balancer(strategy);
        let mut p = play([cfg, cfg], vec![login(Alice)]);
        for crashed in 1..=2 {
            p.apply(Crash { server: crashed }).unwrap();
            p.apply(Advance { ms: 10_000 }).unwrap();
            for _ in 0..6 {
                p.apply(Me { user: Alice }).unwrap();
                assert_eq!(last_status(&p, LaneId::A), 200, "{strategy:?} after crashing S1..S{crashed}");
            }
        }
    }
}

#[test]
fn wrong_password_is_refused_and_issues_nothing() {
    let p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![Login { user: Bob, wrong_password: true }]);
    for lane in LaneId::ALL {
        let x = p.lane(lane).exchanges().next().unwrap();
        assert_eq!(x.response.status, 401);
        assert!(x.response.headers.get("Set-Cookie").is_none());
        assert!(p.lane(lane).client(Bob).token.is_none());
    }
    assert!(p
        .lane(LaneId::A)
        .exchanges()
        .next()
        .unwrap()
        .response
        .headers
        .get("WWW-Authenticate")
        .unwrap()
        .starts_with("Bearer"));
}

#[test]
fn shared_store_loses_nothing_when_servers_crash_but_fails_when_it_does() {
    let shared = LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared });
    let mut p = play([LaneConfig::stateless(), shared], vec![login(Alice), login(Bob)]);
    for s in 1..=3 {
        p.apply(Bounce { server: s }).unwrap();
    }
    for _ in 0..3 {
        p.apply(Me { user: Bob }).unwrap();
        assert_eq!(last_status(&p, LaneId::B), 200);
    }
    assert_eq!(p.lane(LaneId::B).stats().sessions_lost, 0);
    assert!(p.lane(LaneId::B).store().entries(p.lane(LaneId::B).now()).count() == 2);
    p.apply(StoreDown).unwrap();
    p.apply(Me { user: Bob }).unwrap();
    assert_eq!((last_status(&p, LaneId::A), last_status(&p, LaneId::B)), (200, 503));
}

#[test]
fn restart_wipes_in_memory_sessions_and_counts_them() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![login(Alice), login(Bob), login(Carol)]);
    assert_eq!(p.lane(LaneId::B).servers()[1].sessions.len(), 1);
    p.apply(Bounce { server: 2 }).unwrap();
    assert!(p.lane(LaneId::B).servers()[1].sessions.is_empty());
    assert_eq!(p.lane(LaneId::B).stats().sessions_lost, 1);
    assert_eq!(p.lane(LaneId::A).stats().sessions_lost, 0);
}

#[test]
fn revocation_is_immediate_for_sessions_and_with_a_denylist_but_waits_for_exp_without() {
    let deny = LaneConfig::stateless().with_auth(AuthMode::Jwt { denylist: true });
    let sticky = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
    for (cfg, replay_after_logout, until_exp) in
        [(LaneConfig::stateless(), 200, 401), (deny, 401, 401), (sticky, 401, 401)]
    {
        let mut p = play(
            [cfg, sticky],
            vec![login(Alice), Me { user: Alice }, Logout { user: Alice }, Replay { user: Alice, seq: 2 }],
        );
        assert_eq!(last_status(&p, LaneId::A), replay_after_logout, "{:?}", p.lane(LaneId::A).config().auth);
        // Past exp and the 30 s leeway every verifier allows.
        p.apply(Advance { ms: 16 * 60_000 }).unwrap();
        p.apply(Replay { user: Alice, seq: 2 }).unwrap();
        assert_eq!(last_status(&p, LaneId::A), until_exp, "after exp: {:?}", p.lane(LaneId::A).config().auth);
    }
}

#[test]
fn denylist_is_state_again_and_fails_closed_without_the_store() {
    let deny = LaneConfig::stateless().with_auth(AuthMode::Jwt { denylist: true });
    let p =
        play([deny, LaneConfig::stateless()], vec![login(Alice), Me { user: Alice }, StoreDown, Me { user: Alice }]);
    let lane = p.lane(LaneId::A);
    assert_eq!(lane.exchange(2).unwrap().store_trips, 1);
    assert_eq!(lane.exchange(3).unwrap().response.status, 503);
    assert_eq!(last_status(&p, LaneId::B), 200);
}

#[test]
fn token_expiry_follows_each_servers_clock() {
    let cfg = LaneConfig::stateless().with_servers(2);
    let p = play(
        [cfg, cfg],
        vec![Skew { server: 2, ms: 20 * 60_000 }, login(Alice), Me { user: Alice }, Me { user: Alice }],
    );
    let lane = p.lane(LaneId::A);
    let ahead = lane.exchange(2).unwrap();
    assert_eq!((ahead.server, ahead.response.status), (Some(2), 401));
    assert!(ahead.trace.iter().any(|t| t.contains("expired")), "{:?}", ahead.trace);
    assert_eq!(lane.exchange(3).unwrap().response.status, 200);
}

#[test]
fn key_rotation_keeps_or_drops_old_tokens() {
    let cfg = LaneConfig::stateless();
    let keep = play(
        [cfg, cfg],
        vec![login(Alice), RotateKey { keep_old: true }, Me { user: Alice }, login(Bob), Me { user: Bob }],
    );
    assert_eq!(keep.lane(LaneId::A).exchange(2).unwrap().response.status, 200);
    let bob_token = keep.lane(LaneId::A).client(Bob).token.clone().unwrap();
    let header = statelab_sim::wire::jwt::split(&bob_token).unwrap().header_json;
    assert!(header.contains("\"kid\":\"k2\""), "{header}");
    assert_eq!(keep.lane(LaneId::A).exchange(4).unwrap().response.status, 200);
    let drop = play([cfg, cfg], vec![login(Alice), RotateKey { keep_old: false }, Me { user: Alice }]);
    let x = drop.lane(LaneId::A).exchange(2).unwrap();
    assert_eq!(x.response.status, 401);
    assert!(x.trace.iter().any(|t| t.contains("kid \"k1\"")), "{:?}", x.trace);
    assert_eq!(drop.lane(LaneId::A).key_history().len(), 2);
}

#[test]
fn tampering_is_caught_by_every_server() {
    let cfg = LaneConfig::stateless();
    for edit in [
        TokenEdit::Claim { name: "role".into(), value: "admin".into() },
        TokenEdit::Claim { name: "exp".into(), value: "4000000000".into() },
        TokenEdit::AlgNone,
    ] {
        let mut p = play([cfg, cfg], vec![login(Alice), Tamper { user: Alice, edit: edit.clone(), lane: None }]);
        for _ in 0..3 {
            p.apply(Me { user: Alice }).unwrap();
            assert_eq!(last_status(&p, LaneId::A), 401, "{edit:?}");
        }
    }
}

#[test]
fn credential_bytes_and_server_memory_show_the_tradeoff() {
    let sticky = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
    let p = play([LaneConfig::stateless(), sticky], vec![login(Alice), login(Bob), Me { user: Alice }]);
    let (a, b) = (p.lane(LaneId::A).exchange(3).unwrap(), p.lane(LaneId::B).exchange(3).unwrap());
    assert_eq!(
        a.credential_bytes as usize,
        a.request.headers.get("Authorization").unwrap().len() + "Authorization: \r\n".len()
    );
    assert!(a.credential_bytes > 3 * b.credential_bytes, "{} vs {}", a.credential_bytes, b.credential_bytes);
    assert_eq!(p.lane(LaneId::A).state_bytes(), 0);
    assert!(p.lane(LaneId::B).state_bytes() > 200);
}

#[test]
fn pagination_in_the_url_or_in_the_session() {
    let sticky = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
    let p = play(
        [LaneConfig::stateless(), sticky],
        vec![login(Alice), NextPage { user: Alice }, NextPage { user: Alice }, OrdersPage { user: Alice, page: 3 }],
    );
    assert_eq!(p.lane(LaneId::A).exchange(3).unwrap().request.target, "/api/orders?page=2");
    assert_eq!(p.lane(LaneId::B).exchange(3).unwrap().request.target, "/api/orders/next");
    for lane in LaneId::ALL {
        assert!(p.lane(lane).exchange(3).unwrap().response.body.starts_with("{\"page\":2,\"pages\":3,"));
        assert!(p.lane(lane).exchange(4).unwrap().response.body.contains("\"A-1011\",\"A-1012\"]"));
    }
}

#[test]
fn hand_written_requests_go_through_or_explain_where_they_are_wrong() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![]);
    let err = p.apply(Raw { user: Alice, text: "GET /api/me HTTP/1.1\nHost shop.example".into() }).unwrap_err();
    assert!(err.to_string().contains("line 2, column 1"), "{err}");
    assert!(p.actions().is_empty(), "a refused request leaves the log alone");
    p.apply(Raw { user: Alice, text: "GET /health HTTP/1.1\nHost: shop.example".into() }).unwrap();
    assert_eq!(last_status(&p, LaneId::A), 200);
    let no_host = p.apply(Raw { user: Alice, text: "GET /health HTTP/1.1".into() }).unwrap_err();
    assert!(no_host.to_string().contains("line 2, column 1: HTTP/1.1 requires a Host"), "{no_host}");
    p.apply(Raw { user: Alice, text: "DELETE /api/me HTTP/1.1\nHost: shop.example".into() }).unwrap();
    let x = p.lane(LaneId::A).exchanges().last().unwrap();
    assert_eq!((x.response.status, x.response.headers.get("Allow")), (405, Some("GET")));
}

#[test]
fn undo_is_replay_without_the_last_action() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![login(Alice), Me { user: Alice }]);
    let before = statelab_sim::text::lane_text("B", p.lane(LaneId::B));
    p.apply(Crash { server: 1 }).unwrap();
    assert_eq!(p.undo(), Some(Crash { server: 1 }));
    assert_eq!(statelab_sim::text::lane_text("B", p.lane(LaneId::B)), before);
}

#[test]
fn reconfiguring_a_lane_applies_from_now_on() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![login(Alice), Me { user: Alice }]);
    assert_eq!(last_status(&p, LaneId::B), 401);
    p.set_config(LaneId::B, LaneConfig::stateful().with_balancer(Strategy::StickyCookie));
    assert_eq!(last_status(&p, LaneId::B), 401, "what already happened stays as it was");
    assert_eq!(p.actions().len(), 3);
    // The miss at S2 cleared Alice's cookie: she logs in again, and the sticky
    // balancer now keeps her where her new session is.
    p.apply(login(Alice)).unwrap();
    p.apply(Me { user: Alice }).unwrap();
    assert_eq!(last_status(&p, LaneId::B), 200, "the redeployed lane is sticky from now on");
    let (login_at, me_at) =
        (p.lane(LaneId::B).exchange(3).unwrap().server, p.lane(LaneId::B).exchange(4).unwrap().server);
    assert_eq!(login_at, me_at);
}

#[test]
fn load_runs_count_without_recording_each_exchange() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![]);
    // 31 users, not 30: with a multiple of 3, each user's turn would always
    // come round to the same server and round robin would look sticky.
    p.apply(Load { users: 31, requests: 3_000 }).unwrap();
    for lane in LaneId::ALL {
        assert_eq!(p.lane(lane).stats().requests, 3_000);
        assert_eq!(p.lane(lane).exchanges().count(), 0);
    }
    assert_eq!(p.lane(LaneId::A).stats().failed, 0, "stateless: every server can answer");
    // Round robin over 3 servers: a user's request after login misses, and the
    // miss clears the cookie, so the next one is a login again: about half fail.
    let failed = p.lane(LaneId::B).stats().failed;
    assert!((1_300..=1_700).contains(&failed), "{failed}");
    assert!(p.apply(Load { users: 2_000, requests: 10 }).is_err());
}

#[test]
fn every_message_parses_as_http_1_1_and_tokens_and_cookies_satisfy_other_libraries() {
    for s in statelab_sim::tours::all() {
        let p = Playground::from_scenario(&s, 3, s.steps.len());
        for lane in p.lanes() {
            for x in lane.exchanges() {
                let wire = x.request.to_wire();
                let mut h = [httparse::EMPTY_HEADER; 16];
                let mut req = httparse::Request::new(&mut h);
                let httparse::Status::Complete(n) = req.parse(wire.as_bytes()).unwrap() else { panic!("{wire}") };
                assert_eq!(wire.len() - n, x.request.body.len());
                let phrase = statelab_sim::wire::http::reason_phrase(x.response.status);
                assert_ne!(phrase, "Unknown", "{}: status {} has its reason phrase", s.id, x.response.status);
                let wire = x.response.to_wire();
                let mut h = [httparse::EMPTY_HEADER; 16];
                let mut resp = httparse::Response::new(&mut h);
                let httparse::Status::Complete(n) = resp.parse(wire.as_bytes()).unwrap() else { panic!("{wire}") };
                // A 101 ends at its header section: what follows is the upgraded
                // protocol, and a 1xx response carries no Content-Length (RFC 9110 §8.6).
                let len: usize = match x.response.status {
                    101 => {
                        assert_eq!(x.response.headers.get("Content-Length"), None, "{}", s.id);
                        0
                    }
                    _ => x.response.headers.get("Content-Length").unwrap().parse().unwrap(),
                };
                // A download cut by a crash keeps only the body bytes that arrived.
                if x.trace.iter().any(|t| t.ends_with("the rest never came")) {
                    assert!(wire.len() - n < len, "{}: a cut body is short of its Content-Length", s.id);
                } else {
                    assert_eq!(wire.len() - n, len, "{}: Content-Length", s.id);
                }
                for sc in x.response.headers.get_all("Set-Cookie") {
                    let c = cookie::Cookie::parse(sc).unwrap_or_else(|e| panic!("{sc}: {e}"));
                    assert!(matches!(c.name(), "session_id" | "session" | "lb" | "refresh_token"), "{sc}");
                    if c.name() == "refresh_token" {
                        assert_eq!(c.path(), Some("/token/refresh"), "{sc}");
                        assert_eq!((c.http_only(), c.secure()), (Some(true), Some(true)), "{sc}");
                    }
                }
            }
            for k in lane.key_history() {
                assert!(k.secret.starts_with("statelab-"));
            }
        }
    }
}

#[test]
fn tokens_the_engine_issues_verify_with_jsonwebtoken() {
    let p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![login(Carol)]);
    let token = p.lane(LaneId::A).client(Carol).token.clone().unwrap();
    let secret = &p.lane(LaneId::A).key_history()[0].secret;
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.validate_exp = false; // the simulated clock is in January 2026
    let data = jsonwebtoken::decode::<serde_json::Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()),
        &v,
    )
    .unwrap();
    assert_eq!(data.claims["sub"], "carol");
    assert_eq!(data.claims["role"], "admin");
    assert_eq!(data.claims["exp"].as_u64().unwrap() - data.claims["iat"].as_u64().unwrap(), 900);
    assert!(jsonwebtoken::decode::<serde_json::Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_secret(b"another key"),
        &v
    )
    .is_err());
}

/// A refresh lane's access tokens, first and refreshed, are standard JWTs
/// whose `sid` names the family the refresh token belongs to.
#[test]
fn refreshed_access_tokens_verify_with_jsonwebtoken_and_name_their_family() {
    let refresh = LaneConfig { token_ttl_s: 60, ..LaneConfig::stateless().with_auth(AuthMode::Refresh) };
    let mut p = play([refresh, LaneConfig::stateful()], vec![login(Alice)]);
    let first = p.lane(LaneId::A).client(Alice).token.clone().unwrap();
    p.apply(Action::Refresh { user: Alice }).unwrap();
    let second = p.lane(LaneId::A).client(Alice).token.clone().unwrap();
    assert_ne!(first, second);
    let secret = &p.lane(LaneId::A).key_history()[0].secret;
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.validate_exp = false; // the simulated clock is in January 2026
    let claims = |t: &str| {
        jsonwebtoken::decode::<serde_json::Value>(t, &jsonwebtoken::DecodingKey::from_secret(secret.as_bytes()), &v)
            .unwrap()
            .claims
    };
    let (a, b) = (claims(&first), claims(&second));
    assert_eq!(a["sid"], b["sid"]);
    assert_eq!(a["sid"].as_str().unwrap().len(), 16);
    assert_eq!(b["exp"].as_u64().unwrap() - b["iat"].as_u64().unwrap(), 60);
    assert_ne!(a["jti"], b["jti"]);
}

#[test]
fn apply_returns_each_lanes_new_exchanges() {
    let mut p = Playground::new(1, [LaneConfig::stateless(), LaneConfig::stateful()]);
    let [a, b] = p.apply(login(Alice)).unwrap();
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!((a[0].seq, a[0].lane, b[0].lane), (1, LaneId::A, LaneId::B));
    assert!(std::rc::Rc::ptr_eq(&a[0], p.lane(LaneId::A).exchanges_rc().next().unwrap()));
    let [a, b] = p.apply(Crash { server: 2 }).unwrap();
    assert!(a.is_empty() && b.is_empty(), "faults make events, not exchanges");
}

#[test]
fn a_credential_typed_by_hand_is_used_as_typed() {
    let cfg = LaneConfig::stateless();
    let mut p = play([cfg, cfg], vec![login(Alice), login(Bob)]);
    // Pasting Bob's token into Alice's browser: a stolen bearer token works for anyone.
    let bobs = p.lane(LaneId::A).client(Bob).token.clone().unwrap();
    p.apply(Tamper { user: Alice, edit: TokenEdit::Set { value: bobs }, lane: None }).unwrap();
    p.apply(Me { user: Alice }).unwrap();
    assert!(p.lane(LaneId::A).exchanges().last().unwrap().response.body.contains("\"user\":\"bob\""));
    // Header injection is refused before anything happens.
    let err = p
        .apply(Tamper { user: Alice, edit: TokenEdit::Set { value: "x\r\nX-Admin: 1".into() }, lane: None })
        .unwrap_err();
    assert!(err.to_string().contains("character 2"), "{err}");
    assert_eq!(p.actions().len(), 4);
}

fn last_trace(p: &Playground, lane: LaneId) -> Vec<String> {
    p.lane(lane).exchanges().last().unwrap().trace.clone()
}

fn narrator(trace: &[String]) -> &str {
    trace.iter().find(|t| t.starts_with('(')).map_or("", String::as_str)
}

#[test]
fn a_refused_session_id_is_explained_by_what_truly_became_of_it() {
    let local = LaneConfig::stateful();
    let shared = LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared });
    // Round robin: Alice logs in on S1, her next request goes to S2.
    let mut p = play([local, shared], vec![login(Alice), Me { user: Alice }]);
    assert_eq!(
        narrator(&last_trace(&p, LaneId::A)),
        "(it lives in S1's memory; the balancer sent this request elsewhere)"
    );
    // The easy guess after a crash is "the crash took it"; a guessed id was never issued at all.
    // (The miss above cleared lane A's cookie: Alice logs in again, on S3, which then crashes.)
    p.apply(login(Alice)).unwrap();
    p.apply(Crash { server: 3 }).unwrap();
    p.apply(Tamper { user: Alice, edit: TokenEdit::Claim { name: "role".into(), value: "admin".into() }, lane: None })
        .unwrap();
    p.apply(Me { user: Alice }).unwrap();
    for lane in LaneId::ALL {
        let trace = last_trace(&p, lane);
        assert_eq!(narrator(&trace), "(no server ever issued this id: it was typed, edited or guessed)", "{trace:?}");
    }
    // Carol's untouched id on S1 really did die with it (once health checks drop S1, she reaches S2).
    let (sticky, sticky_shared) =
        (local.with_balancer(Strategy::StickyCookie), shared.with_balancer(Strategy::StickyCookie));
    let mut p = play(
        [sticky, sticky_shared],
        vec![login(Carol), Crash { server: 1 }, Advance { ms: 10_000 }, Me { user: Carol }],
    );
    assert_eq!(last_status(&p, LaneId::A), 401);
    assert_eq!(narrator(&last_trace(&p, LaneId::A)), "(S1 held it until it crashed at 09:00:01)");
    assert_eq!(last_status(&p, LaneId::B), 200, "the shared store lost nothing");
    p.apply(Logout { user: Carol }).unwrap();
    p.apply(Replay { user: Carol, seq: 2 }).unwrap();
    assert_eq!(last_status(&p, LaneId::B), 401);
    assert_eq!(narrator(&last_trace(&p, LaneId::B)), "(it was deleted from the shared store at logout at 09:00:13)");
    // A wrong password is refused for the password, whatever cookie rides along
    // (a fresh login first: the 401 above cleared lane A's cookie).
    p.apply(login(Carol)).unwrap();
    p.apply(Login { user: Carol, wrong_password: true }).unwrap();
    let x = p.lane(LaneId::A).exchanges().last().unwrap();
    assert!(x.request.headers.get("Cookie").is_some_and(|c| c.contains("session_id=")));
    assert_eq!(x.response.status, 401);
    assert_eq!(
        x.trace,
        vec!["database: look up account \"carol\" (+3 ms)", "wrong username or password: no credential issued"]
    );
    let p = play(
        [LaneConfig::stateful().with_balancer(Strategy::StickyCookie), local],
        vec![login(Bob), Logout { user: Bob }, Replay { user: Bob, seq: 2 }],
    );
    assert_eq!(narrator(&last_trace(&p, LaneId::A)), "(it was deleted at logout at 09:00:01)");
}

#[test]
fn expired_sessions_are_gone_from_memory_counts_and_the_store() {
    let sticky = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
    let shared = sticky.with_auth(AuthMode::ServerSession { store: Store::Shared });
    let mut p = play([sticky, shared], vec![login(Alice), login(Bob)]);
    assert_eq!(p.lane(LaneId::A).servers().iter().map(|s| s.sessions.len()).sum::<usize>(), 2);
    p.apply(Advance { ms: 31 * 60_000 }).unwrap();
    for lane in LaneId::ALL {
        let l = p.lane(lane);
        assert_eq!(l.servers().iter().map(|s| s.sessions.len() as u32 + s.session_bytes()).sum::<u32>(), 0);
        assert_eq!(l.state_bytes(), 0, "lane {lane}");
        assert_eq!(l.store().entries(l.now()).count(), 0);
    }
    p.apply(Me { user: Alice }).unwrap();
    for lane in LaneId::ALL {
        assert_eq!(last_status(&p, lane), 401);
        let trace = last_trace(&p, lane);
        assert!(narrator(&trace).starts_with("(it expired at 09:30:0"), "{trace:?}");
        assert!(!trace.iter().any(|t| t.contains("lives in")), "{trace:?}");
    }
}

#[test]
fn bad_requests_unknown_routes_and_wrong_methods_say_why_in_the_trace() {
    let cfg = LaneConfig::stateless();
    let mut p = play([cfg, cfg], vec![]);
    for (text, status, why) in [
        ("GET /api/nope HTTP/1.1\nHost: shop.example", 404, "no route /api/nope on this shop API"),
        ("GET /login HTTP/1.1\nHost: shop.example", 405, "/login takes POST, not GET"),
        (
            "POST /login HTTP/1.1\nHost: shop.example",
            400,
            "body must be JSON {\"username\": \"…\", \"password\": \"…\"}",
        ),
    ] {
        p.apply(Raw { user: Alice, text: text.into() }).unwrap();
        assert_eq!(last_status(&p, LaneId::A), status, "{text}");
        assert_eq!(last_trace(&p, LaneId::A), vec![why.to_owned()], "{text}");
    }
    // Without Host it never reaches a server: the editor refuses it, and nothing is logged.
    let logged = p.actions().len();
    let e = p.apply(Raw { user: Alice, text: "GET /health HTTP/1.1".into() }).unwrap_err();
    assert!(e.to_string().contains("line 2, column 1: HTTP/1.1 requires a Host header (RFC 9112 §3.2)"), "{e}");
    assert_eq!(p.actions().len(), logged);
}

#[test]
fn a_header_section_over_8_kib_is_refused_with_431_before_authentication() {
    let cfg = LaneConfig::stateful();
    let mut p = play([LaneConfig::stateless(), cfg], vec![]);
    // Request line + headers + CRLFs, the blank line included: exactly 8192 bytes, then one more.
    let head = |cookie_len: usize| {
        let fixed = "GET /api/me HTTP/1.1\r\nHost: shop.example\r\nCookie: session_id=\r\n\r\n".len();
        format!("GET /api/me HTTP/1.1\nHost: shop.example\nCookie: session_id={}", "a".repeat(cookie_len - fixed))
    };
    p.apply(Raw { user: Alice, text: head(8192) }).unwrap();
    assert_eq!(p.lane(LaneId::B).exchanges().last().unwrap().request_bytes, 8192);
    assert_eq!(last_status(&p, LaneId::B), 401, "8 KiB exactly is allowed");
    p.apply(Raw { user: Alice, text: head(8193) }).unwrap();
    for lane in LaneId::ALL {
        let x = p.lane(lane).exchanges().last().unwrap();
        assert_eq!((x.response.status, x.response.reason()), (431, "Request Header Fields Too Large"));
        assert_eq!(x.trace.len(), 1, "{:?}", x.trace);
        assert!(x.trace[0].starts_with("header section is 8193 bytes; this server caps it at 8 KiB"), "{:?}", x.trace);
    }
}

#[test]
fn transcripts_print_fleet_keys_only_for_lanes_that_sign() {
    use statelab_sim::text::lane_text;
    let signed = LaneConfig::stateless().with_auth(AuthMode::SignedCookie);
    let p = play([LaneConfig::stateless(), LaneConfig::stateful()], vec![login(Alice)]);
    assert!(lane_text("A", p.lane(LaneId::A)).contains("fleet key k1: statelab-"));
    assert!(!lane_text("B", p.lane(LaneId::B)).contains("fleet key"));
    let p = play([signed, LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared })], vec![]);
    assert!(lane_text("A", p.lane(LaneId::A)).contains("fleet key k1: statelab-"));
    assert!(!lane_text("B", p.lane(LaneId::B)).contains("fleet key"));
}

#[test]
fn lanes_answer_which_servers_exist() {
    let mut p = play([LaneConfig::stateless(), LaneConfig::stateful().with_servers(2)], vec![Crash { server: 2 }]);
    assert_eq!((p.lane(LaneId::A).fleet_size(), p.lane(LaneId::B).fleet_size()), (3, 2));
    assert!(!p.lane(LaneId::B).server(2).unwrap().up);
    assert!(p.lane(LaneId::B).server(3).is_none() && p.lane(LaneId::A).server(3).is_some());
    p.apply(AddServer).unwrap();
    assert_eq!(p.lane(LaneId::B).server(3).map(|s| s.up), Some(true));
}

/// A redeploy says what still works, and the next request bears it out:
/// API keys survive a change of limiter (the database keeps them), access
/// tokens survive a move from refresh tokens to plain JWTs (same key), and
/// an opaque token means nothing to a JWT lane.
#[test]
fn a_redeploy_between_designs_tells_what_still_works_and_the_next_request_agrees() {
    let cases = [
        (AuthMode::ApiKey { limiter: Store::Local }, AuthMode::ApiKey { limiter: Store::Shared }, "still work", 200),
        (AuthMode::Refresh, AuthMode::Jwt { denylist: false }, "still verify", 200),
        (AuthMode::Opaque, AuthMode::Jwt { denylist: false }, "no longer understood", 401),
    ];
    for (from, to, says, status) in cases {
        let start = LaneConfig::stateless().with_auth(from);
        let mut p = play([start, LaneConfig::stateful()], vec![login(Alice)]);
        p.apply(Configure { lane: LaneId::A, config: start.with_auth(to) }).unwrap();
        p.apply(Me { user: Alice }).unwrap();
        let a = p.lane(LaneId::A);
        let told = a.entries().iter().rev().find_map(|e| match e {
            statelab_sim::Entry::Event(ev) if ev.text.starts_with("every server redeployed") => Some(ev.text.clone()),
            _ => None,
        });
        assert!(told.as_deref().is_some_and(|t| t.contains(says)), "{from} → {to}: {told:?}");
        assert_eq!(a.exchanges().last().unwrap().response.status, status, "{from} → {to}");
    }
}
