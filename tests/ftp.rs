//! File lanes in headless Chromium: FTP's command and reply lines with
//! their meaning, a multi-line reply shown whole, the 425 of a data
//! connection round robin sent elsewhere, the sessions the state panel
//! lists, and the Files group's buttons, each read off what the engine recorded.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, click, find, text};
use statelab::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// Round robin (A) against balance source (B), alice logged in on S1 in both.
const FTP: &str = "?a=ftp:jwt.rr.2&b=ftp:jwt.iphash.2&log=login.alice";

async fn playground_at(query: &str) -> Element {
    common::set_query(query);
    common::mount::<PlaygroundView>(PlaygroundProps::default()).await
}

fn newest_ftp(root: &Element, label: char) -> Element {
    find(root, &format!(".lane-{label}-rows article.ftp"))
}

#[wasm_bindgen_test]
async fn ftp_lines_show_commands_replies_and_what_each_code_means() {
    let root = playground_at(&format!("{FTP}~ls.alice")).await;
    let a = newest_ftp(&root, 'a');
    let replies: Vec<String> = all(&a, "code.ftp-reply").iter().map(text).collect();
    assert_eq!(replies, ["227 Entering Passive Mode (192,0,2,1,195,82).", "425 Failed to establish connection."]);
    let failed = all(&a, "li.frame-line.missed");
    assert_eq!(failed.len(), 1, "the 425 is marked");
    assert!(text(&failed[0]).ends_with("425: transient negative completion — connections"), "{}", text(&failed[0]));
    assert!(
        text(&a).contains("sent to S2, which has no listener on port 50002"),
        "the data connection's fate, from the record"
    );
    let commands: Vec<String> = all(&a, ".frame-line code:not(.ftp-reply)").iter().map(text).collect();
    assert_eq!(commands, ["PASV", "LIST"]);
    assert!(text(&find(&a, "summary")).ends_with("alice ⇄ S1 · 227 425"));
    let b = newest_ftp(&root, 'b');
    assert!(text(&find(&b, "summary")).ends_with("alice ⇄ S1 · 227 150 226"), "balance source: the same server");
}

#[wasm_bindgen_test]
async fn a_multi_line_greeting_is_shown_whole_and_sessions_are_listed_per_server() {
    let root = playground_at(&format!("{FTP}~cd.alice./pub")).await;
    let login = all(&root, ".lane-a-rows article.ftp").pop().expect("the login's record, oldest last");
    let greeting = text(&all(&login, "code.ftp-reply")[0]);
    // Its lines as text (LF, as the prerendered page has them), not the wire's CR LF.
    assert_eq!(greeting, "220-Statelab FTP: the same files on every server,\n220 but your session lives on S1.");
    let panel = find(&root, "ul[aria-label=\"S1's FTP sessions\"]");
    assert_eq!(text(&panel), "ftp#1 alice · cwd /pub · TYPE A · REST 0");
    // The fleet diagram counts it too: S1 holds alice's FTP session, not zero.
    let s1 = find(&root, "svg[aria-label=\"Fleet of lane A\"] g.server");
    assert_eq!(s1.get_attribute("aria-label").as_deref(), Some("Crash S1 (up, 1 session held)"));
    // A file lane's heading names its app, not the design's token it never sends.
    assert!(text(&root).contains("Lane A FTP server · round robin"), "the heading");
}

#[wasm_bindgen_test]
async fn the_files_group_drives_both_lanes() {
    let root = playground_at("?a=ftp:jwt.iphash.2&b=files:jwt.iphash.2&log=login.alice").await;
    let group = find(&root, "[aria-labelledby='act-files']");
    click(&group, "cd /pub").await;
    click(&group, "ls").await;
    let b = find(&root, ".lane-b-rows article.exchange");
    assert!(text(&b).contains("GET /files/pub/"), "HTTP carries the directory the client kept");
    assert!(text(&newest_ftp(&root, 'a')).contains("LIST"));
}

#[wasm_bindgen_test]
async fn a_download_a_crash_cut_is_marked_cut_not_a_success() {
    // ftp-resume's step 2: S1 died 4,000 bytes into lane B's 200.
    let root = playground_at("?scenario=ftp-resume&step=2").await;
    let cut = find(&root, ".lane-b-rows article.exchange");
    let badge = find(&cut, ".badge");
    assert_eq!(text(&badge), "⚠ 200 OK · cut at 4000 of 12000 bytes");
    assert!(!badge.class_list().contains("s2xx") && badge.class_list().contains("cut"), "not the success look");
    assert!(!cut.class_list().contains("s2xx"), "the card is not marked a success either");
    let fleet = find(&root, "svg[aria-label=\"Fleet of lane B\"]");
    assert_eq!(text(&find(&fleet, "text.outcome")), "⚠ 200 cut");
    assert!(!fleet.class_list().contains("s2xx"));
    // Lane A's RETR had its 150, then S1 died under the data connection.
    let a = find(&root, "svg[aria-label=\"Fleet of lane A\"]");
    assert_eq!(text(&find(&a, "text.outcome")), "⚠ ftp cut");
}

#[wasm_bindgen_test]
async fn the_diagram_lights_the_server_a_data_connection_reached() {
    // Round robin sends alice's data connection to S2 (refused, 425); IP hash to S1.
    let root = playground_at(&format!("{FTP}~ls.alice")).await;
    let servers = |lane: &str| all(&find(&root, &format!("svg[aria-label=\"Fleet of lane {lane}\"]")), "g.server");
    let a = servers("A");
    assert!(a[0].class_list().contains("hot"), "S1 holds the control connection");
    assert!(a[1].class_list().contains("hot"), "S2 was reached by the data connection");
    let s2 = a[1].get_attribute("aria-label").unwrap_or_default();
    assert!(s2.contains("reached by the newest data connection"), "{s2}");
    let b = servers("B");
    assert!(!b[1].class_list().contains("hot"), "balance source kept it on S1: {:?}", b[1].get_attribute("aria-label"));
}

#[wasm_bindgen_test]
async fn the_legend_reads_the_425s_warning_sign_as_ftp_reads_it() {
    // Lane A's LIST got 425, which the diagram marks ⚠: a 4xx reply, not a 5xx.
    let root = playground_at("?a=ftp:jwt.rr.2&b=files:jwt.rr.2&log=login.alice~ls.alice").await;
    let a = find(&root, "svg[aria-label=\"Fleet of lane A\"]");
    assert!(text(&find(&a, "text.outcome")).starts_with("⚠"), "the 425 is marked ⚠");
    let legends: Vec<String> = all(&root, ".fleet-figure .legend").iter().map(text).collect();
    assert!(legends[0].contains("⚠ a 4xx reply"), "{}", legends[0]);
    assert!(!legends[0].contains("⚠ 5xx"), "an FTP lane answers no HTTP: {}", legends[0]);
    assert!(legends[1].contains("⚠ 5xx, or a body its server died sending"), "{}", legends[1]);
}

#[wasm_bindgen_test]
async fn server_memory_counts_the_ftp_commands_each_server_answered() {
    // S1 answered USER, PASS, PASV and LIST and holds alice's session; round
    // robin's S2 only had a data connection refused: no command.
    let root = playground_at(&format!("{FTP}~ls.alice")).await;
    let memory = find(&root, "section[aria-label='Lane A: Server memory']");
    let servers: Vec<String> = all(&memory, "ul.kv > li").iter().map(text).collect();
    assert!(servers[0].starts_with("S1 up · 4 FTP commands answered · 1 FTP session · "), "{}", servers[0]);
    assert!(servers[1].starts_with("S2 up · 0 FTP commands answered · 0 FTP sessions · "), "{}", servers[1]);
}

#[wasm_bindgen_test]
async fn file_lanes_offer_only_what_acts_on_them() {
    let root = playground_at("?a=ftp:jwt.iphash.2&b=files:jwt.iphash.2").await;
    let buttons: Vec<String> = all(&find(&root, "section.actions"), "button").iter().map(text).collect();
    for offered in ["Log in", "Log in (wrong password)", "ls", "get big.bin", "Crash", "+10 s"] {
        assert!(buttons.iter().any(|b| b == offered), "{offered} acts on a file lane: {buttons:?}");
    }
    for http_only in
        ["GET /api/me", "Log out", "Tamper: role=admin", "Tamper: alg none", "Store outage", "Rotate key (keep old)"]
    {
        assert!(!buttons.iter().any(|b| b == http_only), "{http_only} does nothing on a file lane: {buttons:?}");
    }
    assert!(root.query_selector("#lane-a-auth").unwrap().is_none(), "no Auth select: FTP sends its PASS");
    assert!(root.query_selector("#lane-b-auth").unwrap().is_none(), "nor for HTTP's Basic");
    assert!(root.query_selector("#lane-a-balancer").unwrap().is_some(), "the balancer still acts");
}

#[wasm_bindgen_test]
async fn the_raw_request_editor_shows_only_where_a_lane_answers_http() {
    // Two FTP lanes: nobody answers HTTP, so there is nothing to write a request to.
    let ftp_only = playground_at("?a=ftp:jwt.rr.2&b=ftp:jwt.iphash.2").await;
    assert!(all(&ftp_only, "#raw-text").is_empty());
    // With the files lane beside it, the editor is there for that lane.
    let mixed = playground_at("?a=ftp:jwt.rr.2&b=files:jwt.rr.2").await;
    assert_eq!(all(&mixed, "#raw-text").len(), 1);
}
