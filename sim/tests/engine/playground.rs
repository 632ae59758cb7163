//! The playground's state: undo from checkpoints, reconfiguring mid-run,
//! edits aimed at one lane, refusals of what would do nothing, and bounded
//! rebuilds from links.

use proptest::prelude::*;
use statelab_sim::playground::MAX_REPLAY_WORK;
use statelab_sim::playground::{LOAD_REQUEST_WORK, USER_ACTION_WORK};
use statelab_sim::text::lane_text;
use statelab_sim::text::{parse_actions, url_form};
use statelab_sim::wire::jwt::TokenEdit;
use statelab_sim::{
    Action, ActionError, App, AuthMode, Entry, LaneConfig, LaneId, Playground, Recipe, Store, Strategy as Balance, User,
};
use std::time::{Duration, Instant};

/// Everything a learner can see of both lanes.
fn state(p: &Playground) -> String {
    let mut out = String::new();
    for id in LaneId::ALL {
        let lane = p.lane(id);
        out += &lane_text(id.label(), lane);
        out += &format!("{:?}\n{} {}\n", lane.stats(), lane.now(), lane.state_bytes());
    }
    out
}

fn events(p: &Playground, lane: LaneId) -> Vec<String> {
    p.lane(lane)
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Event(e) => Some(e.text.clone()),
            Entry::Exchange(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
        })
        .collect()
}

fn acts(text: &str) -> Vec<Action> {
    parse_actions(text).unwrap()
}

fn played(configs: [LaneConfig; 2], text: &str) -> Playground {
    let mut p = Playground::new(1, configs);
    for a in acts(text) {
        p.apply(a.clone()).unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    p
}

fn config() -> impl Strategy<Value = LaneConfig> {
    (0..AuthMode::ALL.len(), 0..Balance::ALL.len(), 1u8..=8, 0u32..8, 1u32..3_000, 1u32..3_000, 0..App::ALL.len())
        .prop_map(|(a, s, servers, store_latency_ms, token_ttl_s, session_ttl_s, app)| LaneConfig {
            auth: AuthMode::ALL[a],
            balancer: Balance::ALL[s],
            servers,
            store_latency_ms,
            token_ttl_s,
            session_ttl_s,
            app: App::ALL[app],
            ..LaneConfig::stateless()
        })
}

fn user() -> impl Strategy<Value = User> {
    prop::sample::select(User::ALL.to_vec())
}

fn lane() -> impl Strategy<Value = LaneId> {
    prop::sample::select(LaneId::ALL.to_vec())
}

/// Actions that mostly do something, so logs reach past several checkpoints.
fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (user(), any::<bool>()).prop_map(|(user, wrong_password)| Action::Login { user, wrong_password }),
        8 => user().prop_map(|user| Action::Me { user }),
        2 => (user(), "[a-z]{1,4}").prop_map(|(user, sku)| Action::AddToCart { user, sku }),
        2 => user().prop_map(|user| Action::NextPage { user }),
        2 => user().prop_map(|user| Action::Logout { user }),
        1 => user().prop_map(|user| Action::Refresh { user }),
        1 => user().prop_map(|user| Action::RotateApiKey { user }),
        2 => (user(), prop::option::of(lane()), "[a-z0-9]{0,6}").prop_map(|(user, lane, value)| Action::Tamper {
            user,
            edit: TokenEdit::Claim { name: "role".into(), value },
            lane
        }),
        1 => (user(), 0u32..20).prop_map(|(user, seq)| Action::Replay { user, seq }),
        2 => (1u8..6).prop_map(|server| Action::Crash { server }),
        2 => (1u8..6).prop_map(|server| Action::Restart { server }),
        1 => (1u8..6).prop_map(|server| Action::Bounce { server }),
        1 => Just(Action::StoreDown),
        1 => Just(Action::StoreUp),
        1 => any::<bool>().prop_map(|keep_old| Action::RotateKey { keep_old }),
        1 => Just(Action::AddServer),
        1 => Just(Action::RemoveServer),
        2 => (0u64..2_000_000).prop_map(|ms| Action::Advance { ms }),
        2 => (0u16..6, 0u32..300).prop_map(|(users, requests)| Action::Load { users, requests }),
        2 => (lane(), config()).prop_map(|(lane, config)| Action::Configure { lane, config }),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Apply(Action),
    Undo(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![8 => action().prop_map(Op::Apply), 1 => (1usize..40).prop_map(Op::Undo)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Undo from checkpoints gives byte for byte what a full replay of the
    /// shortened log gives, however applies and undos interleave.
    #[test]
    fn undo_equals_a_rebuild_of_the_shorter_log(seed in any::<u64>(), a in config(), b in config(), ops in prop::collection::vec(op(), 0..300)) {
        let mut p = Playground::new(seed, [a, b]);
        for op in ops {
            match op {
                Op::Apply(action) => drop(p.apply(action)),
                Op::Undo(k) => {
                    for _ in 0..k {
                        let before = p.actions().len();
                        let undone = p.undo();
                        prop_assert_eq!(undone.is_some(), before > 0);
                    }
                    prop_assert_eq!(state(&p), state(&Playground::from_recipe(p.recipe())));
                }
            }
        }
        prop_assert_eq!(state(&p), state(&Playground::from_recipe(p.recipe())));
    }

    /// Configure and lane-aimed edits survive the text and URL forms and JSON.
    #[test]
    fn new_actions_round_trip(actions in prop::collection::vec(action(), 0..20)) {
        prop_assert_eq!(parse_actions(&url_form(&actions)).unwrap(), actions.clone());
        let text = actions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        prop_assert_eq!(parse_actions(&text).unwrap(), actions.clone());
        let json = serde_json::to_string(&actions).unwrap();
        prop_assert_eq!(serde_json::from_str::<Vec<Action>>(&json).unwrap(), actions);
    }
}

#[test]
fn undo_far_past_thinned_checkpoints_still_equals_a_rebuild() {
    // Enough work that the checkpoint list is thinned more than once.
    let mut p = Playground::new(3, [LaneConfig::stateless(), LaneConfig::stateful()]);
    p.apply(Action::Login { user: User::Alice, wrong_password: false }).unwrap();
    for i in 0..3_000u32 {
        let a = match i % 500 {
            100 => Action::Crash { server: 2 },
            300 => Action::Restart { server: 2 },
            400 => Action::Load { users: 3, requests: 2_000 },
            _ => Action::Me { user: User::Alice },
        };
        p.apply(a).unwrap();
    }
    for undos in [1, 7, 300, 900] {
        for _ in 0..undos {
            p.undo().unwrap();
        }
        assert_eq!(state(&p), state(&Playground::from_recipe(p.recipe())), "after {} actions", p.actions().len());
    }
}

fn fastest(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

/// Undo and a config change cost the tail since a checkpoint, not the log:
/// with 4,000 actions each is a small fraction of a full rebuild (a full
/// replay, as before checkpoints, would cost about the same as one).
#[test]
fn undo_and_config_change_do_not_replay_the_whole_log() {
    let mut text = String::from("login alice");
    for _ in 0..4_000 {
        text += ", me alice";
    }
    let p = played([LaneConfig::stateless(), LaneConfig::stateful()], &text);
    let rebuild = fastest(2, || {
        let t = Instant::now();
        drop(Playground::from_recipe(p.recipe()));
        t.elapsed()
    });
    let undo = fastest(3, || {
        let mut q = p.clone();
        let t = Instant::now();
        q.undo();
        t.elapsed()
    });
    let config = fastest(3, || {
        let mut q = p.clone();
        let t = Instant::now();
        q.set_config(LaneId::B, LaneConfig::stateful().with_balancer(Balance::StickyCookie));
        t.elapsed()
    });
    assert!(undo * 8 < rebuild, "undo {undo:?} vs rebuild {rebuild:?}");
    assert!(config * 8 < rebuild, "config change {config:?} vs rebuild {rebuild:?}");
}

#[test]
fn a_config_change_with_a_log_is_a_redeploy_of_that_lane_only() {
    let mut p = played(
        [LaneConfig::stateless(), LaneConfig::stateful().with_balancer(Balance::StickyCookie)],
        "login alice, login bob, login carol, me alice",
    );
    let a_before = lane_text("A", p.lane(LaneId::A));
    let b_entries = p.lane(LaneId::B).entries().len();
    let shared = LaneConfig::stateful()
        .with_auth(AuthMode::ServerSession { store: Store::Shared })
        .with_balancer(Balance::RoundRobin)
        .with_servers(2);
    p.set_config(LaneId::B, shared);
    assert_eq!(p.actions().last(), Some(&Action::Configure { lane: LaneId::B, config: shared }));
    assert_eq!(p.recipe().configs[1], LaneConfig::stateful().with_balancer(Balance::StickyCookie), "start kept");
    assert_eq!(p.lane(LaneId::B).config(), &shared);
    assert_eq!(p.lane(LaneId::B).servers().len(), 2);
    // Lane A records nothing; only the clock moves on, as with every action.
    assert_eq!(lane_text("A", p.lane(LaneId::A)), a_before);
    let b = events(&p, LaneId::B);
    assert_eq!(p.lane(LaneId::B).entries().len() - b_entries, b.len());
    for expect in [
        "lane B redeployed as sessions in a shared store · round robin · 2 servers (was sessions in server memory · sticky cookie · 3 servers)",
        "S3 removed from the pool: 1 session in its memory is gone",
        "every server redeployed from sessions in server memory to sessions in a shared store; 2 sessions in server memory are gone; the session_id cookie that alice and bob and carol still hold is no longer understood: logging in again is the only way back",
        "the balancer now picks by round robin instead of sticky cookie; its rotation starts again from S1; browsers still send their lb cookies, but nothing honours them now",
    ] {
        assert!(b.iter().any(|t| t == expect), "{expect}\nin {b:#?}");
    }
    assert_eq!(p.lane(LaneId::B).stats().sessions_lost, 3);
    // From now on: the old cookie means nothing; a fresh login works on any server.
    p.apply(Action::Me { user: User::Alice }).unwrap();
    assert_eq!(p.lane(LaneId::B).exchanges().last().unwrap().response.status, 401);
    for a in acts("login alice, me alice, me alice") {
        p.apply(a).unwrap();
    }
    assert!(p.lane(LaneId::B).exchanges().rev().take(3).all(|x| x.response.status == 200));
    // The same config again would change nothing: refused, not logged.
    let n = p.actions().len();
    p.set_config(LaneId::B, shared);
    assert_eq!(p.actions().len(), n);
    assert_eq!(
        p.apply(Action::Configure { lane: LaneId::B, config: shared }),
        Err(ActionError::NoEffect(format!("lane B already runs {shared}")))
    );
}

#[test]
fn a_config_change_tells_only_what_changed() {
    let mut p = played([LaneConfig::stateless(), LaneConfig::stateful()], "login alice");
    let longer = LaneConfig { token_ttl_s: 300, store_latency_ms: 9, ..LaneConfig::stateless() };
    p.set_config(LaneId::A, longer.with_auth(AuthMode::Jwt { denylist: true }).with_servers(4));
    let a = events(&p, LaneId::A);
    assert_eq!(
        a[1..],
        [
            "S4 joined the pool, with empty memory",
            "every server redeployed from stateless JWT to JWT + denylist; tokens already issued still verify: the signing key is unchanged",
            "a shared store round trip now takes 9 ms instead of 4 ms",
            "tokens issued from now on live 5 min instead of 15 min; tokens already issued keep their exp",
        ],
        "{a:#?}"
    );
    assert!(events(&p, LaneId::B).is_empty());
    p.apply(Action::Login { user: User::Bob, wrong_password: false }).unwrap();
    let issued = p.lane(LaneId::A).exchanges().last().unwrap();
    assert!(issued.trace.iter().any(|t| t.contains("exp in 5 min")), "{:?}", issued.trace);
}

#[test]
fn an_empty_log_sets_the_starting_config() {
    let mut p = Playground::new(1, [LaneConfig::stateless(), LaneConfig::stateful()]);
    p.set_config(LaneId::B, LaneConfig::stateful().with_servers(5));
    assert!(p.actions().is_empty());
    assert_eq!(p.recipe().configs[1].servers, 5);
    assert_eq!(p.lane(LaneId::B).servers().len(), 5);
}

#[test]
fn config_notation_round_trips_in_text_and_urls() {
    let a = acts("config b local.sticky.3, config.a.jwt-deny.rr.2.4.900");
    assert_eq!(
        a,
        [
            Action::Configure { lane: LaneId::B, config: LaneConfig::stateful().with_balancer(Balance::StickyCookie) },
            Action::Configure {
                lane: LaneId::A,
                config: LaneConfig::stateless().with_auth(AuthMode::Jwt { denylist: true }).with_servers(2)
            },
        ]
    );
    assert_eq!(a[0].to_string(), "config b local.sticky.3");
    assert_eq!(url_form(&a), "config.b.local.sticky.3~config.a.jwt-deny.rr.2");
    assert_eq!(parse_actions(&url_form(&a)).unwrap(), a);
    assert!(parse_actions("config c local").unwrap_err().message.contains("`c` is not a lane"));
    assert!(parse_actions("config a").unwrap_err().message.contains("auth mode"));
}

#[test]
fn an_edit_aimed_at_lane_a_leaves_lane_b_alone() {
    let mut p = played([LaneConfig::stateless(), LaneConfig::stateful()], "login alice");
    let token = p.lane(LaneId::A).credential(User::Alice).unwrap();
    let b_cookie = p.lane(LaneId::B).credential(User::Alice);
    let edit =
        Action::Tamper { user: User::Alice, edit: TokenEdit::Set { value: token.clone() }, lane: Some(LaneId::A) };
    p.apply(edit.clone()).unwrap();
    assert_eq!(p.lane(LaneId::A).credential(User::Alice), Some(token));
    assert_eq!(
        p.lane(LaneId::B).credential(User::Alice),
        b_cookie,
        "lane B's session cookie is not overwritten by a JWT"
    );
    assert_eq!(
        events(&p, LaneId::B),
        ["alice's session_id cookie was not changed: the edit was for lane A's credential"]
    );
    assert_eq!(
        edit.to_string(),
        format!(
            "edit a alice {}",
            statelab_sim::wire::b64::encode(p.lane(LaneId::A).credential(User::Alice).unwrap().as_bytes())
        )
    );
    assert_eq!(parse_actions(&url_form(std::slice::from_ref(&edit))).unwrap(), [edit]);
    // Links and stored recipes from before the field still read, as both lanes.
    let old: Action = serde_json::from_str(r#"{"do":"tamper","user":"alice","edit":"AlgNone"}"#).unwrap();
    assert_eq!(old, Action::Tamper { user: User::Alice, edit: TokenEdit::AlgNone, lane: None });
    assert_eq!(parse_actions("tamper alice none").unwrap(), [old]);
}

#[test]
fn actions_that_would_do_nothing_are_refused_and_not_logged() {
    let mut p = played(
        [LaneConfig::stateless().with_servers(2), LaneConfig::stateful().with_servers(3)],
        "login alice, crash 3",
    );
    let cases = [
        (Action::Crash { server: 3 }, "S3 is already down"),
        (Action::Crash { server: 9 }, "there is no S9 in either lane"),
        (Action::Restart { server: 4 }, "there is no S4 in either lane"),
        (
            Action::Restart { server: 1 },
            "S1 is already up; to restart a running server as a deploy does, wiping its memory, use Bounce",
        ),
        (Action::Bounce { server: 3 }, "S3 is down; Restart starts a crashed server again"),
    ];
    for (a, why) in cases {
        let n = p.actions().len();
        assert_eq!(p.apply(a.clone()), Err(ActionError::NoEffect(why.into())), "{a}");
        assert_eq!(ActionError::NoEffect(why.into()).to_string(), why);
        assert_eq!(p.actions().len(), n, "{a} is not logged");
    }
    // S2 is up in lane A and lane B: crashing it does something.
    p.apply(Action::Crash { server: 2 }).unwrap();
    // Bouncing a running server is a deploy that wipes its memory; restarting a crashed one starts it.
    p.apply(Action::Bounce { server: 1 }).unwrap();
    p.apply(Action::Restart { server: 3 }).unwrap();

    let mut full =
        Playground::new(1, [LaneConfig::stateless().with_servers(8), LaneConfig::stateful().with_servers(8)]);
    assert_eq!(full.apply(Action::AddServer), Err(ActionError::NoEffect("already at the maximum of 8 servers".into())));
    let mut one = Playground::new(1, [LaneConfig::stateless().with_servers(1), LaneConfig::stateful().with_servers(1)]);
    assert!(matches!(one.apply(Action::RemoveServer), Err(ActionError::NoEffect(_))));
    // One lane with room is enough for the action to mean something.
    let mut mixed = Playground::new(1, [LaneConfig::stateless().with_servers(8), LaneConfig::stateful()]);
    mixed.apply(Action::AddServer).unwrap();
    assert_eq!(events(&mixed, LaneId::A), ["already at the maximum of 8 servers"]);
    assert!(full.actions().is_empty() && one.actions().is_empty());
}

#[test]
fn a_heavy_link_opens_within_the_budget_and_says_what_was_left_out() {
    let actions = acts(&["login alice"].into_iter().chain(["load 1000 30000"; 10]).collect::<Vec<_>>().join(", "));
    let recipe = Recipe { seed: 1, configs: [LaneConfig::stateless(), LaneConfig::stateful()], actions };
    let (p, message) = Playground::from_recipe_bounded(&recipe);
    let fits = (MAX_REPLAY_WORK - 3) / recipe.actions[1].work();
    assert_eq!(fits, 1, "the largest load fits once, after other actions");
    assert_eq!(p.actions().len() as u64, 1 + fits);
    assert_eq!(
        message.as_deref(),
        Some(&*format!(
            // The notice spells the weights out: it must name the ones `Action::work` uses.
            "played {} of 11 actions; the last {} were not played: action {} (`load 1000 30000`) would take the rebuild past {MAX_REPLAY_WORK} units of work (a user's action counts {USER_ACTION_WORK}, a load's request {LOAD_REQUEST_WORK}), the most a page plays at once",
            1 + fits,
            10 - fits,
            2 + fits
        ))
    );
    let (small, none) =
        Playground::from_recipe_bounded(&Recipe { actions: acts("login alice, me alice"), ..recipe.clone() });
    assert_eq!((small.actions().len(), none), (2, None));
}

#[test]
fn a_rebuild_says_which_actions_were_refused() {
    let recipe = Recipe {
        seed: 1,
        configs: [LaneConfig::stateless(), LaneConfig::stateful()],
        actions: acts("crash 1, crash 1, me alice, crash 1"),
    };
    let (p, message) = Playground::from_recipe_bounded(&recipe);
    assert_eq!(p.actions().len(), 2);
    assert_eq!(
        message.as_deref(),
        Some("played 2 of 4 actions; 2 were refused because they would do nothing (first: action 2 (`crash 1`): S1 is already down)")
    );
    assert_eq!(state(&Playground::from_recipe(&recipe)), state(&p));
}

#[test]
fn an_exchange_records_the_dead_server_it_was_sent_to_and_its_backend_trips() {
    let actions = parse_actions("login alice, crash 1, me alice, me alice, me alice, add alice mug").unwrap();
    let shared = LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared });
    let p = Playground::from_recipe(&Recipe { seed: 1, configs: [LaneConfig::stateless(), shared], actions });
    for lane in LaneId::ALL {
        let xs: Vec<_> = p.lane(lane).exchanges().collect();
        let refused: Vec<_> = xs.iter().filter(|x| x.response.status == 502).collect();
        assert!(!refused.is_empty(), "round robin still sends one request to the crashed S1");
        for x in &refused {
            assert_eq!((x.server, x.tried), (None, Some(1)), "#{}", x.seq);
        }
        assert!(xs.iter().filter(|x| x.response.status != 502).all(|x| x.tried.is_none()));
    }
    // Lane A keeps the cart in the database; lane B in the session.
    let cart = |lane: LaneId| p.lane(lane).exchanges().next_back().unwrap().db_trips;
    assert!(cart(LaneId::A) > 0);
    assert_eq!(cart(LaneId::B), 0);
    // Lane B keeps sessions in the shared store: every authenticated request goes there.
    let me = p.lane(LaneId::B).exchanges().find(|x| x.request.target == "/api/me" && x.response.status == 200).unwrap();
    assert!(me.store_trips > 0);
}

#[test]
fn a_tampered_session_id_is_shown_whole_where_it_is_refused() {
    let mut p =
        Playground::new(1, [LaneConfig::stateless(), LaneConfig::stateful().with_balancer(Balance::StickyCookie)]);
    p.apply(Action::Login { user: User::Alice, wrong_password: false }).unwrap();
    let real = p.lane(LaneId::B).credential(User::Alice).unwrap();
    // One character changed at the end: a shortened id would hide it.
    let last = if real.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &real[..real.len() - 1]);
    let edit = TokenEdit::Set { value: forged.clone() };
    p.apply(Action::Tamper { user: User::Alice, edit, lane: Some(LaneId::B) }).unwrap();
    p.apply(Action::Me { user: User::Alice }).unwrap();
    let x = p.lane(LaneId::B).exchanges().next_back().unwrap();
    assert_eq!(x.response.status, 401);
    let trace = x.trace.join("\n");
    assert!(trace.contains(&format!("sessions[\"{forged}\"] not found")), "{trace}");
    assert!(trace.contains("no server ever issued this id"), "{trace}");
}

#[test]
fn a_load_burst_runs_on_a_shop_lane_and_a_connection_lane_says_why_it_does_not() {
    let chat = LaneConfig::stateless().with_app(App::Chat(Store::Shared));
    let game = LaneConfig::stateless().with_app(App::Game(Store::Local));
    let p = played([LaneConfig::stateless(), chat], "load 5 20");
    // The shop lane sends its requests, as ever.
    assert_eq!(p.lane(LaneId::A).stats().requests, 20);
    assert!(events(&p, LaneId::A)[0].starts_with("load: 20 requests from 5 users"), "{:?}", events(&p, LaneId::A));
    // The chat lane sends no shop request and opens nothing it would not record.
    let b = p.lane(LaneId::B);
    assert_eq!(b.stats().requests, 0, "no shop requests on a chat lane");
    assert_eq!((b.stats().sockets.opened, b.connections().len()), (0, 0));
    let said = &events(&p, LaneId::B)[0];
    assert!(said.starts_with("load: not run here. This lane's servers run the chat over pub/sub"), "{said}");
    assert!(said.contains("send chat lines, not shop requests") && said.contains("5 connections"), "{said}");
    assert!(said.contains("The load panel (or `statelab load --config` with this lane's code)"), "{said}");
    // A game lane's load users would send moves.
    let p = played([game, chat], "load 2 3");
    assert!(events(&p, LaneId::A)[0].contains("send moves"), "{:?}", events(&p, LaneId::A));
}
