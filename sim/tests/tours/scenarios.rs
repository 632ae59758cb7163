//! Every scenario keeps the promises its narration makes.

use statelab_sim::fleet::kinds_of;
use statelab_sim::tours::{self, IDS};
use statelab_sim::LaneId;
use statelab_sim::{Action, AuthMode, Entry, Playground, Scenario};

/// Statuses of every exchange per lane when the scenario is played to the
/// end, as the narration describes them.
const PROMISES: [(&str, &str, &str); 30] = [
    ("round-robin-local", "200 200 200 200", "200 401 401 401"),
    ("sticky-crash", "200 200 200 502 200", "200 200 200 502 401"),
    ("shared-store", "200 200 200 200 200 200", "200 200 200 200 503 200"),
    ("signed-cookie", "200 201 201 200 401", "200 201 201 200 401"),
    ("restart", "200 200 200 200 200 200", "200 200 200 200 200 401"),
    ("revocation", "200 200 200 200 200 200 200 401", "200 200 200 401 200 200 200 401"),
    ("expiry", "200 200 401 200 401", "200 200 200 200 401"),
    ("tamper", "200 200 401 200 401", "200 200 401 200 401"),
    ("request-size", "200 200 201 200", "200 200 201 200"),
    ("pagination", "200 200 200 200 200", "200 200 200 401 401"),
    ("cart", "200 201 201 200 200 200 200", "200 201 201 200 401 200 200"),
    ("scale-out", "200 200 200 200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 401 401 200 401 401 200"),
    ("refresh-rotation", "200 200 200 200 200", "200 200 200 200 200 503 401"),
    ("refresh-reuse", "200 200 404 404 404 200", "200 200 200 401 401 200"),
    ("logout-window", "200 200 200 200 401 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    ("opaque-tokens", "200 200 200 200 200 200", "200 200 200 401 200 503"),
    ("api-keys", "200 200 200 200 200 200 200 200 200 401", "200 200 200 200 200 200 429 200 200 401"),
    ("ws-handshake", "200 101 200 101", "200 101 200 101"),
    ("ws-crash-storm", "200 200 101 101 502 502 502 101 101", "200 200 101 101 502 101 101"),
    ("chat-memory-vs-pubsub", "200 200 101 101", "200 200 101 101"),
    ("ws-expiry", "200 200 101 101 401", "200 200 101 101 401"),
    ("game-checkpoint", "200 200 101 101 502 502 502 502 101", "200 200 101 101 502 502 502 502 101"),
    // FTP lanes send no HTTP: their reply codes are held in `ftp.rs`.
    ("ftp-session", "", "200 200 200"),
    ("ftp-resume", "", "200 206"),
    ("ftp-passive-balancer", "", ""),
    // Database lanes send no HTTP exchanges: `databases.rs` holds their promises.
    ("db-leaky-set", "", ""),
    ("db-txn-pooling", "", ""),
    ("db-crash-txn", "", ""),
    ("db-pool-exhaustion", "", ""),
    ("db-temp-table", "", ""),
];

fn statuses(p: &Playground, lane: LaneId) -> String {
    p.lane(lane).exchanges().map(|x| x.response.status.to_string()).collect::<Vec<_>>().join(" ")
}

fn played(id: &str) -> Playground {
    let s = Scenario::find(id).unwrap();
    Playground::from_scenario(&s, 1, s.steps.len())
}

#[test]
fn ids_are_stable_unique_and_complete() {
    let all = tours::all();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), IDS);
    assert_eq!(PROMISES.map(|p| p.0), IDS);
}

#[test]
fn every_scenario_pairs_stateless_a_with_a_variant_and_narrates_each_step() {
    for s in tours::all() {
        assert!(s.lanes[0].is_stateless(), "{}: lane A is the stateless baseline", s.id);
        assert_ne!(s.lanes[0], s.lanes[1], "{}", s.id);
        assert!(
            !s.steps.is_empty() && s.steps.iter().all(|st| st.say.len() > 40 && !st.actions.is_empty()),
            "{}",
            s.id
        );
        for a in s.steps.iter().flat_map(|st| &st.actions) {
            Playground::validate(a).unwrap_or_else(|e| panic!("{}: {e}", s.id));
        }
    }
}

#[test]
fn statuses_match_the_narration() {
    for (id, a, b) in PROMISES {
        let p = played(id);
        assert_eq!(statuses(&p, LaneId::A), a, "{id}, lane A");
        assert_eq!(statuses(&p, LaneId::B), b, "{id}, lane B");
    }
}

#[test]
fn round_robin_misses_the_session_and_the_miss_clears_the_cookie() {
    let p = played("round-robin-local");
    let b = p.lane(LaneId::B);
    assert_eq!(b.exchange(1).unwrap().server, Some(1), "the session is created on S1");
    let miss = b.exchange(2).unwrap();
    assert_eq!((miss.server, miss.response.status), (Some(2), 401));
    assert!(miss.trace.iter().any(|t| t.contains("not found on S2")), "{:?}", miss.trace);
    assert!(miss.trace.iter().any(|t| t.contains("lives in S1's memory")), "{:?}", miss.trace);
    assert_eq!(
        miss.response.headers.get("Set-Cookie"),
        Some("session_id=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
    );
    // Back at S1, which still holds the session, the browser has nothing to send.
    let back = b.exchange(4).unwrap();
    assert_eq!((back.server, back.response.status), (Some(1), 401));
    assert_eq!(back.request.headers.get("Cookie"), None);
}

#[test]
fn sticky_balancer_sets_and_moves_its_own_cookie() {
    let p = played("sticky-crash");
    let b = p.lane(LaneId::B);
    let login = b.exchange(1).unwrap();
    assert!(login.response.headers.get_all("Set-Cookie").any(|c| c == "lb=S1; Path=/; HttpOnly"));
    assert!(b.exchange(2).unwrap().request.headers.get("Cookie").unwrap().contains("lb=S1"));
    let repinned = b.exchange(5).unwrap();
    assert_eq!(repinned.server, Some(2));
    assert!(repinned.response.headers.get_all("Set-Cookie").any(|c| c == "lb=S2; Path=/; HttpOnly"));
    let gw = b.exchange(4).unwrap();
    assert_eq!((gw.server, gw.response.status), (None, 502));
    assert_eq!(b.stats().sessions_lost, 1);
}

#[test]
fn shared_store_costs_a_round_trip_per_request() {
    let p = played("shared-store");
    let me = p.lane(LaneId::B).exchange(2).unwrap();
    assert_eq!(me.store_trips, 1);
    assert!(me.latency_ms > p.lane(LaneId::A).exchange(2).unwrap().latency_ms);
    assert!(me.trace.iter().any(|t| t.starts_with("store GETEX session:") && t.ends_with("(+4 ms)")));
    assert_eq!(p.lane(LaneId::A).stats().store_trips, 0);
}

#[test]
fn signed_cookie_grows_with_the_cart() {
    let p = played("signed-cookie");
    let cookie_len = |seq| p.lane(LaneId::B).exchange(seq).unwrap().response.headers.get("Set-Cookie").unwrap().len();
    assert!(cookie_len(2) < cookie_len(3), "the second item makes the cookie longer");
    assert_eq!(p.lane(LaneId::B).state_bytes(), 0, "servers hold nothing");
    let cart = p.lane(LaneId::B).exchange(4).unwrap();
    assert_eq!(cart.response.body, r#"{"items":["mug","hoodie"]}"#);
}

#[test]
fn revocation_window_is_measured() {
    let s = Scenario::find("revocation").unwrap();
    let p = Playground::from_scenario(&s, 1, 3);
    assert_eq!(p.lane(LaneId::A).stats().revocation_window_s, Some(15 * 60 - 2));
    assert_eq!(p.lane(LaneId::B).stats().revocation_window_s, Some(0));
    let logout = p.lane(LaneId::B).exchange(3).unwrap();
    assert_eq!(
        logout.response.headers.get("Set-Cookie"),
        Some("session_id=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
    );
}

#[test]
fn turning_on_the_denylist_closes_the_gap_from_then_on() {
    let p = played("revocation");
    let a = p.lane(LaneId::A);
    assert_eq!(a.config().auth, AuthMode::Jwt { denylist: true });
    assert_eq!(p.lane(LaneId::B).config(), &Scenario::find("revocation").unwrap().lanes[1], "lane B is left as it was");
    let redeploy: Vec<&str> = a
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Event(e) => Some(e.text.as_str()),
            Entry::Exchange(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
        })
        .collect();
    assert!(redeploy.iter().any(|t| t.starts_with("lane A redeployed as JWT + denylist")), "{redeploy:?}");
    assert!(!p.lane(LaneId::B).entries().iter().any(|e| matches!(e, Entry::Event(_))), "lane B records nothing");
    let logout = a.exchange(7).unwrap();
    assert!(logout.trace.iter().any(|t| t.starts_with("store SET deny:")), "{:?}", logout.trace);
    let replay = a.exchange(8).unwrap();
    assert_eq!(replay.request, a.exchange(6).unwrap().request);
    assert_eq!(replay.response.status, 401);
    assert!(replay.trace.iter().any(|t| t.contains("is on the denylist")), "{:?}", replay.trace);
    assert_eq!(a.stats().revocation_window_s, Some(0));
}

/// Each tour's listing, which every build has even without the tour's
/// code, names its title and the kind of lane its steps need: the page
/// moves to the bundle that plays a tour by it alone.
#[test]
fn each_listing_names_its_tours_title_and_the_kind_its_lanes_need() {
    for t in tours::TOURS {
        let s = t.build().expect("native builds carry every tour");
        assert_eq!((s.id, &*s.title), (t.id, t.title));
        let switched = s.steps.iter().flat_map(|st| &st.actions).filter_map(|a| match a {
            Action::Configure { config, .. } => Some(config.app),
            _ => None,
        });
        let needs = kinds_of(s.lanes.map(|c| c.app).into_iter().chain(switched));
        assert_eq!(needs, t.kind.into_iter().collect::<Vec<_>>(), "{}", t.id);
        assert_eq!(Scenario::find(t.id).map(|f| f.id), Some(t.id));
    }
    assert!(Scenario::find("nope").is_none());
}
