//! Connection lanes in headless Chromium: the frames view, the socket
//! state, the lane form's options, the chat field's check and the
//! comparison rows, each read off what the engine recorded.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, click, find, settle, text};
use statelab::components::state_panels::close_code_text;
use statelab::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Chat in server memory (lane A) beside chat over pub/sub (lane B): alice
/// on S3, bob on S1 in both.
const CHAT: &str = "?a=chat-memory:jwt.rr.3&b=chat-pubsub:jwt.rr.3&log=login.alice~login.bob~connect.alice~connect.bob";

async fn playground_at(query: &str) -> Element {
    common::set_query(query);
    common::mount::<PlaygroundView>(PlaygroundProps::default()).await
}

fn lane(root: &Element, label: char) -> Element {
    find(root, &format!("section[aria-labelledby='lane-{label}-title']"))
}

/// A lane's newest frames record in the history.
fn newest_socket(root: &Element, label: char) -> Element {
    find(root, &format!(".lane-{label}-rows article.socket"))
}

#[wasm_bindgen_test]
async fn frames_say_who_did_not_get_a_line_and_why() {
    let root = playground_at(&format!("{CHAT}~say.alice.hello")).await;
    let a = newest_socket(&root, 'a');
    let missed = all(&a, ".trace li.missed");
    assert_eq!(missed.len(), 1);
    assert_eq!(text(&find(&missed[0], "strong")), "bob (ws#2 on S1) does not get it");
    assert!(text(&missed[0]).contains("the room's messages live in S3's memory, and S1 never hears of them"));
    // Drawn from the record's fields: the connection and the server that holds it.
    assert_eq!(missed[0].get_attribute("data-conn").as_deref(), Some("2"));
    assert_eq!(missed[0].get_attribute("data-server").as_deref(), Some("1"));
    assert!(text(&find(&a, "summary")).ends_with(" · ✕ 1 did not get it"), "{}", text(&find(&a, "summary")));
    let b = newest_socket(&root, 'b');
    assert!(all(&b, ".trace li.missed").is_empty());
    let dirs: Vec<String> = all(&b, ".frame-line .dir").iter().map(text).collect();
    assert_eq!(dirs, ["alice → S3", "S3 → alice", "S1 → bob"]);
    // The client's frame is masked, the servers' are not; each decodes field by field.
    let frames = all(&a, "li.frame");
    assert!(text(&find(&frames[0], ".frame-bytes summary")).contains("masked with key"));
    assert!(text(&find(&frames[1], ".frame-bytes summary")).contains("unmasked"));
    assert_eq!(text(&find(&frames[0], "dl.decoded dt")), "FIN");
    assert!(text(&find(&frames[0], "pre.hex")).starts_with("81 9d "), "FIN + text, MASK + 29 bytes");
}

#[wasm_bindgen_test]
async fn the_diagram_lights_the_server_that_holds_the_speakers_connection() {
    // The newest request is bob's handshake to S1; the newest thing is alice's line on S3.
    let root = playground_at(&format!("{CHAT}~say.alice.hello")).await;
    for (label, store) in [('a', false), ('b', true)] {
        let fleet = find(&lane(&root, label), "svg.fleet");
        let hot: Vec<String> = all(&fleet, "g.server.hot text").iter().map(text).collect();
        assert_eq!(hot, ["S3", "⇄1"], "lane {label}: alice's connection is on S3");
        assert_eq!(text(&find(&fleet, "text.outcome")), "✓ ws#1", "lane {label}");
        // Pub/sub publishes through the store; a room in memory never touches it.
        assert_eq!(find(&fleet, "line.to-store").class_list().contains("hot"), store, "lane {label}");
    }
}

#[wasm_bindgen_test]
async fn a_user_between_connections_is_marked_as_missing_the_line() {
    // Lane B's draws leave Bob reconnecting (his first attempt met S2, down) when Alice speaks.
    let root = playground_at(
        "?a=chat-pubsub:jwt.rr.3&b=chat-memory:jwt.rr.3&log=login.alice~login.bob~connect.alice~connect.bob~crash.2~crash.1~say.alice.hi",
    )
    .await;
    let said = all(&root, ".lane-b-rows article.socket")
        .into_iter()
        .find(|r| !all(r, ".trace li.missed").is_empty())
        .expect("a record with a miss");
    let missed = all(&said, ".trace li.missed");
    assert_eq!(missed.len(), 1);
    assert!(missed[0].class_list().contains("reconnecting"));
    assert_eq!(missed[0].get_attribute("data-conn"), None, "no connection while reconnecting");
    let who = text(&find(&missed[0], "strong"));
    assert!(who.starts_with("bob is reconnecting (next attempt at 09:00:06"), "{who}");
    assert!(text(&missed[0]).ends_with(": nothing keeps it for them"));
    assert!(text(&find(&said, "summary")).ends_with(" · ✕ 1 did not get it"));
}

#[wasm_bindgen_test]
async fn a_dropped_connection_reports_1006_and_says_it_never_crossed_the_wire() {
    let root = playground_at(&format!("{CHAT}~crash.3")).await;
    // The app reconnected within the crash's second; the state says what it lost.
    let state = text(&find(&lane(&root, 'a'), ".socket-state"));
    assert!(state.starts_with("open: ws#3 on S"), "{state}");
    assert!(
        state.ends_with(&format!("; before it, ws#1 on S3 closed at 09:00:04 with {}", close_code_text(1006))),
        "{state}"
    );
    assert!(close_code_text(1006).contains("never on the wire"));
    // The diagram shows each server's open connections; S3 is down.
    let servers: Vec<String> =
        all(&lane(&root, 'a'), "svg.fleet g.server").iter().map(|g| g.get_attribute("aria-label").unwrap()).collect();
    assert!(servers.iter().any(|s| s.contains("WebSocket connections open")), "{servers:?}");
    assert!(servers[2].starts_with("Restart S3 (down"), "{servers:?}");
    let row: Vec<String> = all(&root, "tr#measured-ws-dropped td").iter().map(text).collect();
    assert_eq!(row, ["1", "1"]);
}

#[wasm_bindgen_test]
async fn a_drain_closes_with_1001_and_marks_the_server() {
    let root = playground_at(&format!("{CHAT}~drain.3")).await;
    let a = lane(&root, 'a');
    let s3 = all(&a, "svg.fleet g.server")[2].clone();
    assert!(s3.class_list().contains("draining"));
    assert!(text(&s3).contains("S3 draining"));
    assert!(text(&find(&a, ".state")).contains("draining: out of rotation until a restart"));
    let closes: Vec<String> = all(&newest_socket(&root, 'a'), ".frame-line code").iter().map(text).collect();
    assert_eq!(closes[0], "1001 (going away) “going away”");
}

#[wasm_bindgen_test]
async fn a_bad_chat_line_says_why_and_is_not_sent() {
    let root = playground_at("?a=chat-memory:jwt.rr.3&b=chat-pubsub:jwt.rr.3&log=login.alice~connect.alice").await;
    let field: HtmlInputElement = find(&root, "#act-say").unchecked_into();
    field.set_value("no  double spaces");
    let init = EventInit::new();
    init.set_bubbles(true);
    field.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    let said = text(&find(&root, "#act-say-error"));
    assert!(said.starts_with("Not sent: ") && said.contains("one space apart"), "{said}");
    let actions = all(&root, ".h-actions > li").len();
    click(&root, "Say").await;
    assert_eq!(all(&root, ".h-actions > li").len(), actions, "nothing sent");
}

#[wasm_bindgen_test]
async fn the_lane_form_offers_apps_recheck_and_where_the_token_goes() {
    let root = playground_at("?a=chat-memory:jwt.rr.3&b=chat-pubsub:local.rr.3").await;
    let a = lane(&root, 'a');
    let apps: Vec<String> = all(&a, "#lane-a-app option").iter().map(text).collect();
    assert_eq!(
        apps,
        [
            "shop API",
            "chat in server memory",
            "chat over pub/sub",
            "game in server memory",
            "game checkpointed to the store",
            "FTP server",
            "files over HTTP",
            "database, session state on pooled connections",
            "database behind PgBouncer (transaction mode)",
            "database, each statement with its context",
        ]
    );
    assert!(all(&a, "#lane-a-balancer option").iter().any(|o| text(o) == "room hash"));
    let notes: Vec<String> = all(&a, ".token-in .choice").iter().map(text).collect();
    assert!(notes[0].contains("access logs and proxy logs"), "{notes:?}");
    assert!(notes[1].contains("accepts an anonymous connection first"), "{notes:?}");
    assert!(text(&find(&a, ".token-in legend")).contains("a browser cannot set Authorization on a WebSocket"));
    // A cookie lane has no token to place.
    assert!(all(&lane(&root, 'b'), ".token-in").is_empty());
    // Ticking the box re-deploys the lane with the option.
    find(&a, "#lane-a-recheck").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert!(text(&find(&root, "#lane-a-title")).contains("chat in server memory, re-checked"));
}

/// Types `value` into the field `selector` as a person would (an input event).
async fn type_into(root: &Element, selector: &str, value: &str) {
    let field: web_sys::HtmlTextAreaElement = find(root, selector).unchecked_into();
    field.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    field.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn the_frame_editor_names_the_byte_and_the_rule_and_sends_only_a_client_s_frames() {
    let root = playground_at(CHAT).await;
    let actions = all(&root, ".h-actions > li").len();
    type_into(&root, "#frame-hex", "81 05 48 65 6c 6c 6f").await;
    assert_eq!(
        text(&find(&root, "#frame-error")),
        "Not a client's frames: byte 1: a client's frame must be masked (RFC 6455 §5.1: the server closes the connection)"
    );
    assert_eq!(text(&find(&root, "mark.bad-byte")), "05");
    assert!(find(&root, "form.frame-editor button").unchecked_into::<web_sys::HtmlButtonElement>().disabled());
    // Half a fragmented message: the mark is at the end.
    type_into(&root, "#frame-hex", "01 81 00 00 00 00 41").await;
    assert!(text(&find(&root, "#frame-error"))
        .contains("byte 7: the bytes end inside the fragmented message begun at byte 0"));
    assert_eq!(text(&find(&root, "mark.bad-byte")), "end");
    type_into(&root, "#frame-hex", "0x89,0x8").await;
    assert!(text(&find(&root, "#frame-error")).starts_with("Not hex: line 1, column 6: this group has 1 hex digit"));
    assert_eq!(all(&root, ".h-actions > li").len(), actions, "nothing sent");
    // A masked say: sent, and the room's server acts on it as on the app's.
    let say = statelab_sim::wire::ws::Frame::text(r#"{"type":"say","text":"by hand"}"#).masked([1, 2, 3, 4]).to_wire();
    type_into(&root, "#frame-hex", &statelab_sim::wire::ws::hex(&say)).await;
    assert!(text(&find(&root, "#frame-error")).starts_with("37 bytes, 1 frame a client may send: text"));
    find(&root, "form.frame-editor button").unchecked_into::<HtmlElement>().click();
    settle().await;
    assert_eq!(all(&root, ".h-actions > li").len(), actions + 1);
    let b = newest_socket(&root, 'b');
    let dirs: Vec<String> = all(&b, ".frame-line .dir").iter().map(text).collect();
    assert_eq!(dirs, ["alice → S3", "S3 → alice", "S1 → bob"]);
}

#[wasm_bindgen_test]
async fn both_game_lanes_lose_the_match_with_s3_and_only_the_checkpoint_resumes_it() {
    let root = playground_at(
        "?a=game-memory:jwt.room.3&b=game-checkpoint:jwt.room.3&log=login.alice~login.bob~connect.alice~connect.bob~move.alice.1.0~move.bob.0.1~crash.3~wait.20s",
    )
    .await;
    let row = |id: &str| all(&root, &format!("tr#{id} td")).iter().map(text).collect::<Vec<_>>();
    // A checkpoint does not keep the match in S3's memory: both lose it there.
    assert_eq!(row("measured-matches-lost"), ["1", "1"]);
    assert_eq!(row("measured-matches-resumed"), ["0", "1"]);
    // Beside a chat lane, the game rows say what the other lane runs.
    let root = playground_at("?a=game-memory:jwt.room.3&b=chat-pubsub:jwt.rr.3").await;
    let cells: Vec<String> = all(&root, "tr#measured-matches-lost td").iter().map(text).collect();
    assert_eq!(cells, ["0", "— (chat)"]);
}

#[wasm_bindgen_test]
async fn each_lane_s_panels_have_names_of_their_own() {
    // Two lanes' state panels are landmarks: the same name twice tells a screen reader nothing.
    let root = playground_at(CHAT).await;
    let mut names: Vec<String> =
        all(&root, "section[aria-label]").iter().filter_map(|s| s.get_attribute("aria-label")).collect();
    assert!(names.contains(&"Lane B: Server memory".to_owned()), "{names:?}");
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "{names:?}");
}

#[wasm_bindgen_test]
async fn a_shop_lane_has_no_socket_rows_and_no_socket_controls() {
    let root = playground_at("").await;
    assert!(all(&root, "tr.ws-row").is_empty());
    assert!(all(&root, "tr#measured-matches-lost").is_empty());
    assert!(all(&root, "#act-socket").is_empty());
    assert!(all(&root, "form.frame-editor").is_empty());
    assert!(all(&root, "button").iter().all(|b| text(b) != "Drain"));
}
