//! The shared history in headless Chromium: `History` and the state panels
//! mounted inside a playground context, as `PlaygroundView` provides it.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, click, find, settle, text};
use statelab::components::history::History;
use statelab::components::state_panels::StatePanels;
use statelab::state::{Play, PlayState};
use statelab_sim::{LaneId, User};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Properties, PartialEq)]
struct HarnessProps {
    query: &'static str,
}

/// The history and lane B's state panels over the state a link describes.
#[component]
fn Harness(props: &HarnessProps) -> Html {
    let query = props.query;
    let play: Play = use_reducer(move || PlayState::from_query(query));
    html! {
        <ContextProvider<Play> context={play}>
            <History />
            <StatePanels lane={LaneId::B} user={User::Alice} />
        </ContextProvider<Play>>
    }
}

async fn open(query: &'static str) -> Element {
    common::mount::<Harness>(HarnessProps { query }).await
}

fn cells(root: &Element, lane: char) -> Vec<Element> {
    all(root, &format!(".history .cell[data-lane='{lane}']"))
}

fn rows(root: &Element, lane: char) -> Vec<Element> {
    all(root, &format!(".history .cell[data-lane='{lane}'] article.exchange"))
}

#[wasm_bindgen_test]
async fn faults_and_time_are_rows_in_both_lanes_at_their_time() {
    let root =
        open("log=login.alice~crash.1~restart.1~store.down~store.up~wait.10s~rotate.keep~add-server~me.alice").await;
    for lane in ['a', 'b'] {
        let events: Vec<String> =
            all(&root, &format!(".history .cell[data-lane='{lane}'] .event")).iter().map(text).collect();
        let has = |what: &str| events.iter().any(|e| e.contains(what));
        assert!(has("S1 crashed"), "{lane}: {events:?}");
        assert!(has("the shared session store went down"), "{lane}: {events:?}");
        assert!(has("the shared session store is back"), "{lane}: {events:?}");
        assert!(has("clock moved forward 10 s"), "{lane}: {events:?}");
        assert!(has("fleet key rotated"), "{lane}: {events:?}");
        assert!(has("S4 joined the pool"), "{lane}: {events:?}");
        // Each row starts with the simulated time it happened at.
        assert!(events.iter().all(|e| e.len() > 9 && e.as_bytes()[2] == b':' && e.as_bytes()[5] == b':'), "{events:?}");
    }
    // Newest action first: the last request, then the server that joined.
    let a = cells(&root, 'a');
    assert!(!all(&a[0], "article.exchange").is_empty());
    assert!(text(&a[1]).contains("S4 joined the pool"));
    // Each lane's clock is its simulated now.
    let clock = text(&find(&root, ".hist-head[data-lane='a'] .clock time"));
    assert_eq!(clock.len(), 8, "{clock}");
}

#[wasm_bindgen_test]
async fn one_grid_row_per_action_lane_a_left_lane_b_right() {
    // A hand edit for lane A only: lane B's cell says the edit was not its.
    let root = open("log=login.alice~edit.a.alice.bm90LWEtand0~me.alice").await;
    let acts = all(&root, ".history .act");
    assert_eq!(acts.len(), 3);
    for act in &acts {
        let lanes: Vec<String> = all(act, ".cell").iter().filter_map(|c| c.get_attribute("data-lane")).collect();
        assert_eq!(lanes, ["a", "b"], "a cell per lane in every row, A first");
    }
    assert!(text(&find(&acts[1], ".cell[data-lane='a']")).contains("alice replaced the token with text typed by hand"));
    let b = text(&find(&acts[1], ".cell[data-lane='b']"));
    assert!(b.contains("was not changed: the edit was for lane A"), "{b}");
}

#[wasm_bindgen_test]
async fn a_thousand_requests_render_fifty_rows_and_page_back() {
    let log: String =
        std::iter::once("log=login.alice").chain(std::iter::repeat_n("me.alice", 999)).collect::<Vec<_>>().join("~");
    let root = open(Box::leak(log.into_boxed_str())).await;
    assert_eq!(text(&find(&root, "#history-b")), "Requests (1000) in lane B");
    assert_eq!(rows(&root, 'a').len(), 50);
    assert_eq!(rows(&root, 'b').len(), 50);
    assert_eq!(text(&find(&rows(&root, 'a')[0], ".seq")), "#1000", "newest first");
    click(&root, "Show 50 older rows").await;
    assert_eq!(rows(&root, 'a').len(), 100);
    assert_eq!(text(&find(&rows(&root, 'a')[99], ".seq")), "#901");
}

#[wasm_bindgen_test]
async fn rows_open_to_the_raw_exchange_and_the_newest_is_open() {
    let root = open("log=login.alice~me.alice").await;
    let a = rows(&root, 'a');
    assert!(all(&a[0], ".details pre .credential").len() == 1, "the newest request is open");
    assert!(all(&a[1], ".details").is_empty(), "older ones are one line");
    let button = find(&a[1], "button.row");
    assert_eq!(button.get_attribute("aria-expanded").as_deref(), Some("false"));
    button.clone().unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(button.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert!(text(&find(&a[1], "pre")).starts_with("POST /login HTTP/1.1"));
    assert!(!text(&find(&a[1], ".trace")).is_empty());
    assert_eq!(text(&find(&a[0], ".status")), "✓ 200 OK");
    assert_eq!(text(&find(&rows(&root, 'b')[0], ".status")), "✕ 401 Unauthorized");
}

#[wasm_bindgen_test]
async fn a_tampered_token_shows_the_changed_claim_and_the_invalid_badge() {
    let root = open("log=login.alice~tamper.alice.role=admin~me.alice").await;
    let newest = &rows(&root, 'a')[0];
    let details = find(newest, ".token-details");
    assert_eq!(text(&find(&details, ".verdict strong")), "✕ Invalid");
    assert!(text(&find(&details, ".verdict")).contains("Signature does NOT verify"));
    let changed: Vec<String> = all(&details, ".changed").iter().map(text).collect();
    assert_eq!(changed, ["  \"role\": \"admin\""]);
    assert_eq!(text(&find(&details, ".was")), " ← was \"user\"");
    assert!(text(&find(&details, ".compared")).contains("issued to alice in request #1"));
    // Labelled parts, not colour alone.
    let labels: Vec<String> = all(&details, ".jwt-label").iter().map(text).collect();
    assert_eq!(labels, ["header", "payload", "signature"]);
    // The untampered login's token: verified, nothing marked.
    let login = &rows(&root, 'a')[1];
    find(login, "button.row").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(text(&find(login, ".verdict strong")), "✓ Verified");
    assert!(all(login, ".changed").is_empty());
}

#[wasm_bindgen_test]
async fn a_tampered_session_id_is_shown_whole_with_the_edit_marked() {
    let root = open("log=login.alice~tamper.alice.role=admin").await;
    let jar = find(&root, ".state ul.kv li");
    let shown = text(&find(&jar, "code"));
    let id = shown.strip_prefix("session_id=").unwrap_or_else(|| panic!("{shown}"));
    assert_eq!(id.len(), 32, "whole, not shortened: {shown}");
    assert_eq!(text(&find(&jar, "mark.diff")), id[31..], "only the edited last character is marked");
    assert!(text(&jar).contains("Edited by hand: differs from the value S1 set in request #1."), "{}", text(&jar));
    // The server's session list shows its ids whole too.
    let memory = text(&find(&root, ".state section[aria-label='Server memory']"));
    assert!(!memory.contains('…'), "{memory}");
}
