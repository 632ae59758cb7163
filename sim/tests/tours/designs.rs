//! The five tours of the designs between the pure ones keep the promises
//! their narrations make, for the reasons they give — tested where the easy
//! guess is wrong (a replayed refresh token is not "expired"; a rotated API
//! key is not "rate limited").

use statelab_sim::fleet::{REFRESH_COOKIE, REFRESH_PATH};
use statelab_sim::wire::cookie::SetCookie;
use statelab_sim::wire::jwt;
use statelab_sim::{Exchange, LaneId, Playground, Scenario};

fn played(id: &str) -> Playground {
    let s = Scenario::find(id).unwrap();
    Playground::from_scenario(&s, 1, s.steps.len())
}

fn says(x: &Exchange, words: &str) -> bool {
    x.trace.iter().any(|t| t.contains(words))
}

#[test]
fn the_refresh_cookie_is_scoped_to_its_endpoint_and_never_sent_elsewhere() {
    let p = played("refresh-rotation");
    let b = p.lane(LaneId::B);
    let login = b.exchange(1).unwrap();
    let set = SetCookie::parse(login.response.headers.get("Set-Cookie").unwrap()).unwrap();
    assert_eq!((set.name.as_str(), set.path.as_deref()), (REFRESH_COOKIE, Some(REFRESH_PATH)));
    assert!(set.http_only && set.secure);
    for x in b.exchanges() {
        let cookie = x.request.headers.get("Cookie").unwrap_or("");
        assert_eq!(cookie.contains(REFRESH_COOKIE), x.request.path() == REFRESH_PATH, "#{}", x.seq);
        // The refresh endpoint takes the cookie alone.
        if x.request.path() == REFRESH_PATH {
            assert_eq!(x.request.headers.get("Authorization"), None);
        }
    }
}

#[test]
fn the_app_refreshes_when_its_access_token_expires_and_each_refresh_rotates() {
    let p = played("refresh-rotation");
    let b = p.lane(LaneId::B);
    let refresh = b.exchange(3).unwrap();
    assert_eq!((refresh.request.path(), refresh.response.status, refresh.store_trips), (REFRESH_PATH, 200, 3));
    let sent = refresh.request.headers.get("Cookie").unwrap();
    let set = SetCookie::parse(refresh.response.headers.get("Set-Cookie").unwrap()).unwrap();
    assert!(!sent.contains(&set.value), "a new refresh token");
    // The new access token names the same family as the first.
    let sid = |x: &Exchange| {
        let token = x.response.issued_token().unwrap();
        let parts = jwt::split(&token).unwrap();
        jwt::Claims::from_json(&parts.payload_json).unwrap().sid.unwrap()
    };
    assert_eq!(sid(refresh), sid(b.exchange(1).unwrap()));
    assert_eq!(b.stats().refreshes, 2);
    assert_eq!(p.lane(LaneId::A).stats().refreshes, 0);
    // In the outage the access token still works; once it expires the refresh
    // fails at the store, then the expired token is refused.
    assert_eq!(b.exchange(5).unwrap().response.status, 200);
    assert_eq!(b.exchange(5).unwrap().store_trips, 0);
    let (down, after) = (b.exchange(6).unwrap(), b.exchange(7).unwrap());
    assert!(says(down, "the session store is down"));
    assert!(says(after, "token expired"));
}

#[test]
fn a_replayed_refresh_token_is_reuse_and_revokes_the_family() {
    let p = played("refresh-reuse");
    let b = p.lane(LaneId::B);
    let replay = b.exchange(4).unwrap();
    assert_eq!(replay.request.to_wire(), b.exchange(3).unwrap().request.to_wire());
    assert!(says(replay, "reuse detected"), "{:?}", replay.trace);
    assert!(!says(replay, "expired"));
    let own = b.exchange(5).unwrap();
    assert_eq!(own.response.status, 401);
    assert!(says(own, "is revoked"), "{:?}", own.trace);
    // The access token is a JWT: no lookup, so it lives on until exp.
    assert_eq!(b.exchange(6).unwrap().response.status, 200);
    assert!(p
        .lane(LaneId::A)
        .exchanges()
        .filter(|x| x.request.path() == REFRESH_PATH)
        .all(|x| x.response.status == 404));
}

#[test]
fn logout_leaves_the_access_token_working_for_its_remaining_life() {
    let p = played("logout-window");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let logout = |l: &statelab_sim::Lane| l.exchange(3).unwrap().trace.clone();
    assert!(logout(a).iter().any(|t| t.ends_with("until exp (58 s)")), "{:?}", logout(a));
    assert!(logout(b).iter().any(|t| t.ends_with("until exp (15 min)")), "{:?}", logout(b));
    assert_eq!(a.exchange(5).unwrap().response.status, 401);
    assert_eq!(b.exchange(5).unwrap().response.status, 200);
    // The shorter window costs refreshes: lane A refreshed before each request after a wait.
    assert_eq!((a.stats().refreshes, b.stats().refreshes), (2, 0));
}

#[test]
fn an_opaque_token_is_looked_up_on_every_request_and_revoked_at_once() {
    let p = played("opaque-tokens");
    let b = p.lane(LaneId::B);
    let token = b.exchange(1).unwrap().response.issued_token().unwrap();
    assert!(token.len() == 32 && token.bytes().all(|c| c.is_ascii_hexdigit()), "nothing inside: {token}");
    assert!(b.exchanges().filter(|x| x.request.headers.get("Authorization").is_some()).all(|x| x.store_trips >= 1));
    let replay = b.exchange(4).unwrap();
    assert!(says(replay, "not active"), "{:?}", replay.trace);
    assert_eq!(b.stats().revocation_window_s, Some(0));
    assert_eq!(p.lane(LaneId::A).stats().store_trips, 0);
}

#[test]
fn only_a_shared_counter_holds_the_limit_across_servers() {
    let p = played("api-keys");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let limited = b.exchange(7).unwrap();
    assert_eq!(limited.response.status, 429);
    assert_eq!(limited.response.headers.get("Retry-After"), Some("5"));
    assert!(says(limited, "request 6 in this 10 s window"));
    // Each of lane A's servers saw only its share.
    assert!(a.exchanges().filter(|x| x.request.path() == "/api/me").all(|x| !says(x, "request 3 of")));
    // The database holds hashes, never the key.
    let key = b.exchange(1).unwrap().response.issued_token().unwrap();
    assert!(key.starts_with("sk_"));
    assert!(b.database().api_keys.iter().all(|(hash, _)| hash.len() == 64 && !hash.contains(&key)));
    // After the rotation the old key is unknown, not rate limited.
    let old = b.exchange(10).unwrap();
    assert_eq!(old.response.status, 401);
    assert!(says(old, "no key whose SHA-256"), "{:?}", old.trace);
    assert_eq!(old.request.headers.get("X-API-Key"), b.exchange(2).unwrap().request.headers.get("X-API-Key"));
}

/// A refresh token edited by hand, as a link or the editor may carry it:
/// forged, an older one copied back, or kept past its life — each refused
/// for its own reason.
#[test]
fn hand_edited_refresh_tokens_are_refused_each_for_what_it_is() {
    use statelab_sim::text::parse_actions;
    let refresh = statelab_sim::LaneConfig {
        token_ttl_s: 60,
        ..statelab_sim::LaneConfig::stateless().with_auth(statelab_sim::AuthMode::Refresh)
    };
    let run = |script: &str| {
        let mut p = Playground::new(1, [refresh, refresh]);
        for a in parse_actions(script).unwrap() {
            p.apply(a).unwrap();
        }
        p.lane(LaneId::A).exchanges().last().unwrap().clone()
    };
    let forged = statelab_sim::wire::b64::encode(b"0123456789abcdef0123456789abcdef");
    let x = run(&format!("login alice, edit-refresh alice {forged}, refresh alice"));
    assert_eq!(x.response.status, 401);
    assert!(says(&x, "is not in the store"), "{:?}", x.trace);
    // The first refresh token, copied back after a rotation: reuse, not a forgery.
    let p = {
        let mut p = Playground::new(1, [refresh, refresh]);
        for a in parse_actions("login alice, refresh alice").unwrap() {
            p.apply(a).unwrap();
        }
        p
    };
    let first = p
        .lane(LaneId::A)
        .exchange(2)
        .unwrap()
        .request
        .headers
        .get("Cookie")
        .unwrap()
        .trim_start_matches("refresh_token=")
        .to_owned();
    let copied = statelab_sim::wire::b64::encode(first.as_bytes());
    let x = run(&format!("login alice, refresh alice, edit-refresh alice {copied}, refresh alice"));
    assert!(says(&x, "reuse detected"), "{:?}", x.trace);
    // Kept past its life (30 minutes): the browser has dropped the cookie
    // (Max-Age), and a copy sent by hand is gone from the store.
    let x = run("login alice, wait 31m, refresh alice");
    assert!(says(&x, "no refresh_token cookie"), "{:?}", x.trace);
    let by_hand =
        format!("POST /token/refresh HTTP/1.1\r\nHost: shop.example\r\nCookie: refresh_token={first}\r\n\r\n");
    let raw = statelab_sim::wire::b64::encode(by_hand.as_bytes());
    let x = run(&format!("login alice, wait 31m, raw alice {raw}"));
    assert_eq!(x.response.status, 401);
    assert!(says(&x, "is not in the store"), "{:?}", x.trace);
    // A link's hostile text is refused before it is played, with the reason.
    let hostile = statelab_sim::wire::b64::encode("<script>;".as_bytes());
    let action = parse_actions(&format!("edit-refresh alice {hostile}")).unwrap().remove(0);
    let err = Playground::validate(&action).unwrap_err().to_string();
    assert!(err.contains("character 9"), "{err}");
}

/// A key spent to its limit by someone else can still be rotated by its
/// owner: managing a key is looked up but not counted. The count is the
/// client's, so the new key does not open a fresh window.
#[test]
fn a_key_over_its_limit_can_still_be_rotated() {
    use statelab_sim::text::parse_actions;
    let shared = statelab_sim::LaneConfig::stateless()
        .with_auth(statelab_sim::AuthMode::ApiKey { limiter: statelab_sim::Store::Shared });
    let mut p = Playground::new(1, [shared, shared]);
    for a in parse_actions(
        "login alice, me alice, me alice, me alice, me alice, me alice, me alice, rotate-key alice, me alice",
    )
    .unwrap()
    {
        p.apply(a).unwrap();
    }
    let statuses: Vec<u16> = p.lane(LaneId::A).exchanges().map(|x| x.response.status).collect();
    // The new key shares the client's window: rotating does not lift the limit.
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 429, 200, 429]);
    let rotate = p.lane(LaneId::A).exchange(8).unwrap();
    assert_eq!(rotate.store_trips, 0, "not counted");
    assert!(says(rotate, "not rate limited"), "{:?}", rotate.trace);
}
