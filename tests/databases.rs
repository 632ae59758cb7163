//! Database lanes in headless Chromium: a step's PostgreSQL messages with
//! the transaction-status byte, decoded and in hex, and the pools' state,
//! each read off what the engine recorded.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, find, text};
use statelab::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// Session state on pooled connections (A) beside stateless requests (B):
/// Alice sets her zone, then Bob opens a transaction and selects.
const LEAK: &str =
    "?a=db-session:jwt.rr.1&b=db-stateless:jwt.rr.1&log=sql.alice.tz.Asia/Tokyo~sql.bob.begin~sql.bob.select";

async fn playground_at(query: &str) -> Element {
    common::set_query(query);
    common::mount::<PlaygroundView>(PlaygroundProps::default()).await
}

fn steps(root: &Element, label: char) -> Vec<Element> {
    all(root, &format!(".lane-{label}-rows article.db-step"))
}

#[wasm_bindgen_test]
async fn a_step_shows_its_messages_and_the_status_byte_as_recorded() {
    let root = playground_at(LEAK).await;
    let a = steps(&root, 'a');
    let b = steps(&root, 'b');
    // Newest action first: Bob's select, then his BEGIN, then Alice's SET.
    let select = a.iter().find(|s| text(&find(s, "summary")).contains("bob sql select")).unwrap();
    // Bob set no zone, yet the row is in Tokyo time, inside his transaction (T).
    let row = all(select, ".frame-line code").iter().map(text).find(|t| t.starts_with("DataRow")).unwrap();
    assert!(row.contains("+09"), "{row}");
    assert_eq!(text(&find(select, "summary .tx")), "T");
    assert_eq!(find(select, "summary .tx").get_attribute("class").as_deref(), Some("tx tx-T"));
    // Every ReadyForQuery carries its badge; its bytes end with the status byte.
    let z = all(select, "li.frame").into_iter().find(|li| text(li).contains("ReadyForQuery")).unwrap();
    assert!(text(&find(&z, "pre.hex")).trim_end().ends_with("5a 00 00 00 05 54"), "{}", text(&find(&z, "pre.hex")));
    // Field by field, as the protocol's documentation names them: the status is the last byte's meaning.
    let fields: Vec<String> = all(&z, "dl.decoded dt, dl.decoded dd").iter().map(text).collect();
    assert_eq!(fields[..2], ["type".to_owned(), "Z (0x5a) ReadyForQuery".to_owned()], "{fields:?}");
    assert!(fields.windows(2).any(|w| w[0] == "status" && w[1].starts_with("T (")), "{fields:?}");
    // A DataRow names its columns' values, the time in Tokyo's offset.
    let data = all(select, "li.frame").into_iter().find(|li| text(li).contains("DataRow")).unwrap();
    assert!(all(&data, "dl.decoded dd").iter().map(text).any(|v| v.contains("+09")), "{}", text(&data));
    // Lane B's SET sent nothing; its select names the zone it was told (none).
    let set_b = b.iter().find(|s| text(&find(s, "summary")).contains("alice sql tz Asia/Tokyo")).unwrap();
    assert!(text(&find(set_b, "summary")).contains("nothing sent"));
    assert!(all(set_b, "li.frame").is_empty());
    let select_b = b.iter().find(|s| text(&find(s, "summary")).contains("bob sql select")).unwrap();
    assert_eq!(text(&find(select_b, "summary .tx")), "I");
    assert!(!text(select_b).contains("+09"));
}

#[wasm_bindgen_test]
async fn the_pool_panel_shows_what_the_next_borrower_finds() {
    let root = playground_at(LEAK).await;
    let pools = all(&root, "section[aria-label='PostgreSQL connections']");
    assert_eq!(pools.len(), 2, "one per lane");
    let line = text(&find(&pools[0], "li"));
    assert!(line.contains("pg#1 S1's pool"), "{line}");
    assert!(line.contains("TimeZone=Asia/Tokyo"), "{line}");
    assert_eq!(text(&find(&pools[0], "li .tx")), "T");
    assert!(text(&find(&pools[1], "li")).contains("TimeZone=UTC"));
}

#[wasm_bindgen_test]
async fn database_lanes_offer_sql_not_the_shops_http_steps() {
    let root = playground_at(LEAK).await;
    let buttons: Vec<String> = all(&find(&root, "section.actions"), "button").iter().map(text).collect();
    assert!(buttons.iter().any(|b| b == "BEGIN"), "{buttons:?}");
    for http_only in ["Log in", "GET /api/me", "Log out", "Tamper: role=admin", "Store outage", "Rotate key (drop old)"]
    {
        assert!(!buttons.iter().any(|b| b == http_only), "{http_only} does nothing on a database lane: {buttons:?}");
    }
    assert!(root.query_selector("#lane-a-auth").unwrap().is_none(), "no Auth select");
    assert!(root.query_selector("#act-page").unwrap().is_none(), "no orders page to pick");
    assert!(root.query_selector("#act-sku").unwrap().is_some(), "INSERT takes the item");
    // The app server took each statement: S1 handled all three.
    let memory = text(&find(&root, "section[aria-label='Lane A: Server memory']"));
    assert!(memory.contains("S1 up · 3 handled"), "{memory}");
}
