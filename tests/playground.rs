//! The playground view in headless Chromium, driven through its DOM: the
//! exchange view, the JWT decoder, the raw editor's errors, the state panels.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, click, find, settle, text};
use statelab::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlButtonElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

fn lane(root: &Element, label: char) -> Element {
    find(root, &format!("section[aria-labelledby='lane-{label}-title']"))
}

/// A lane's newest request in the history.
fn newest(root: &Element, label: char) -> Element {
    find(root, &format!(".lane-{label}-rows article.exchange"))
}

/// Opens the token decoder of a request row.
async fn open_token(row: &Element) {
    find(row, "details.token summary").unchecked_into::<web_sys::HtmlElement>().click();
    settle().await;
    assert!(find(row, "details.token").has_attribute("open"));
}

/// Opens every closed request row (a closed row renders only its summary).
async fn open_all(root: &Element) {
    for summary in all(root, "article.exchange details:not([open]) summary") {
        summary.unchecked_into::<web_sys::HtmlElement>().click();
    }
    settle().await;
}

/// The playground reads its state from the URL, and tests share one page:
/// each starts from a clean address.
async fn fresh_playground() -> Element {
    common::set_query("");
    common::mount::<PlaygroundView>(PlaygroundProps::default()).await
}

fn query() -> String {
    web_sys::window().unwrap().location().search().unwrap()
}

/// The path and query of the address bar: a tour step is a path of its own.
fn address() -> String {
    let location = web_sys::window().unwrap().location();
    format!("{}{}", location.pathname().unwrap(), location.search().unwrap())
}

async fn logged_in_and_asked_for_me() -> Element {
    let root = fresh_playground().await;
    click(&root, "Log in").await;
    click(&root, "GET /api/me").await;
    root
}

#[wasm_bindgen_test]
async fn exchange_view_shows_status_route_and_marked_credentials() {
    let root = logged_in_and_asked_for_me().await;
    let newest_a = newest(&root, 'a');
    let newest_b = newest(&root, 'b');
    assert_eq!(text(&find(&newest_a, ".status")), "200 OK");
    assert_eq!(text(&find(&newest_b, ".status")), "401 Unauthorized");
    assert!(text(&find(&newest_b, ".route")).contains("alice → S2 · round robin"));
    let marked: Vec<String> = all(&newest_a, "pre .credential").iter().map(text).collect();
    assert_eq!(marked.len(), 1);
    assert!(marked[0].starts_with("Authorization: Bearer eyJ"), "{marked:?}");
    assert!(text(&find(&newest_b, ".trace")).contains("lives in S1's memory"));
    // The wire text is the engine's, byte for byte (lines joined as shown).
    assert!(text(&find(&newest_b, "pre")).starts_with("GET /api/me HTTP/1.1\nHost: shop.example\nCookie: session_id="));
}

#[wasm_bindgen_test]
async fn jwt_decoder_opens_the_token_and_checks_it_with_the_fleet_key() {
    let root = logged_in_and_asked_for_me().await;
    let newest_a = newest(&root, 'a');
    open_token(&newest_a).await;
    let details = find(&newest_a, ".token-details");
    let shown = text(&details);
    // One member a line, as jwt.io shows it, and the token in its three parts.
    assert!(shown.contains("{\n  \"alg\": \"HS256\",\n  \"typ\": \"JWT\""), "{shown}");
    assert!(shown.contains("  \"sub\": \"alice\","), "{shown}");
    assert_eq!(all(&details, ".jwt span").len(), 3);
    assert!(shown.contains("expires (exp): 2026-01-15T09:15:00.000Z (in 15 min)"), "{shown}");
    assert_eq!(text(&find(&details, ".verdict")), "✓ Signature verified");
    assert_eq!(
        text(&find(&details, ".judged")),
        "Judged now, at 09:00:02, with the fleet's keys as they are now. When this request was sent, at 09:00:01, S2 answered 200."
    );
    assert!(all(&details, ".changed").is_empty(), "the token as issued: nothing changed");
    click(&root, "Tamper: role=admin").await;
    click(&root, "GET /api/me").await;
    let tampered = newest(&root, 'a');
    open_token(&tampered).await;
    let details = find(&tampered, ".token-details");
    assert_eq!(text(&find(&details, ".verdict")), "✕ Invalid signature");
    let changed: Vec<String> = all(&details, ".changed").iter().map(text).collect();
    assert_eq!(changed.len(), 1, "only the edited claim is marked: {changed:?}");
    assert!(changed[0].starts_with("  \"role\": \"admin\""), "{changed:?}");
}

#[wasm_bindgen_test]
async fn raw_editor_names_line_and_column_and_sends_nothing_until_valid() {
    let root = logged_in_and_asked_for_me().await;
    let before = all(&root, "article.exchange").len();
    let area: HtmlTextAreaElement = find(&root, "#raw-text").unchecked_into();
    let submit: HtmlButtonElement = find(&root, "form.raw button[type=submit]").unchecked_into();
    let type_text = |value: &str| {
        area.set_value(value);
        let init = EventInit::new();
        init.set_bubbles(true);
        area.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    };
    type_text("GET /api/me HTTP/1.1\nHost shop.example");
    settle().await;
    assert_eq!(
        text(&find(&root, "#raw-error")),
        "line 2, column 1: a header needs `Name: value`, found `Host shop.example`"
    );
    assert_eq!(area.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(submit.disabled());
    type_text("GET /health HTTP/1.1\nHost: shop.example");
    settle().await;
    assert_eq!(text(&find(&root, "#raw-error")), "Valid HTTP/1.1.");
    submit.click();
    settle().await;
    assert_eq!(all(&root, "article.exchange").len(), before + 2, "one new exchange per lane, nothing lost");
}

#[wasm_bindgen_test]
async fn state_panels_show_where_the_state_lives() {
    let root = fresh_playground().await;
    click(&root, "Log in").await;
    // Lane B's cookie right after the login: the miss at S2 that follows clears it.
    let b = text(&find(&lane(&root, 'b'), ".state"));
    assert!(b.contains("session_id="), "{b}");
    assert!(b.contains("HttpOnly; Secure; SameSite=Lax; session cookie"), "{b}");
    click(&root, "GET /api/me").await;
    let a = text(&find(&lane(&root, 'a'), ".state"));
    let b = text(&find(&lane(&root, 'b'), ".state"));
    assert!(a.contains("localStorage.tokeneyJ"), "{a}");
    assert!(a.contains("S1 up · 1 handled · 0 sessions · 0 B"), "{a}");
    assert!(!b.contains("session_id="), "S2's 401 cleared the cookie: {b}");
    assert!(b.contains("S1 up · 1 handled · 1 session · 122 B"), "{b}");
    assert!(b.contains("alice · cart [] · 122 B · expires in 30 min"), "{b}");
    click(&root, "Add to cart").await;
    let a = text(&find(&lane(&root, 'a'), ".state"));
    assert!(a.contains("carts[\"alice\"] [mug]"), "the stateless lane keeps the cart in the database: {a}");
}

#[wasm_bindgen_test]
async fn long_session_lists_are_cut_short_and_say_how_many_are_left_out() {
    // 60 users behind round robin over three servers: 20 sessions on each.
    common::set_query("?log=load.60.60");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let b = find(&lane(&root, 'b'), ".state");
    assert!(text(&b).contains("S1 up · 20 handled · 20 sessions"), "{}", text(&b));
    let s1 = find(&b, "section[aria-label$=': Server memory'] > ul > li");
    assert_eq!(all(&s1, "ul > li").len(), 13, "12 sessions, then the count of the rest");
    assert!(text(&s1).ends_with("… and 8 more sessions"), "{}", text(&s1));
}

#[wasm_bindgen_test]
async fn the_url_carries_the_state_so_a_reload_shows_the_same_page() {
    let first = logged_in_and_asked_for_me().await;
    assert_eq!(query(), "?log=login.alice~me.alice");
    let shown = text(&newest(&first, 'b'));
    first.remove();
    // A second mount stands in for a reload: it starts from the address bar.
    let second = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(text(&newest(&second, 'b')), shown);
}

#[wasm_bindgen_test]
async fn make_1_opens_the_tour_editor_on_the_free_play_and_the_address_drops_it() {
    // What a page without the editor writes when its Make a tour is pressed.
    common::set_query("?log=login.alice~me.alice&make=1");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(find(&root, "button#make-tour").get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(all(&root, "#make-tour-form fieldset legend").len(), 2, "one row per action of the log");
    settle().await;
    assert_eq!(query(), "?log=login.alice~me.alice", "read once, not written back");
    root.remove();
    common::set_query("");
}

#[wasm_bindgen_test]
async fn a_broken_link_opens_the_closest_state_and_says_why() {
    common::set_query("?scenario=cart&step=99&seed=x");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let notice = text(&find(&root, ".notice"));
    assert!(notice.contains("step 99 is past the end of `cart` (3 steps); showing step 3"), "{notice}");
    assert!(notice.contains("seed `x` is not a whole number"), "{notice}");
    assert!(text(&find(&root, ".narration")).starts_with("Step 3 of 3"));
    assert_eq!(address(), "/tour/cart/3/", "the address now names what is shown: the step's page");
}

#[wasm_bindgen_test]
async fn a_hand_edited_credential_is_used_and_bad_ones_are_explained() {
    let root = fresh_playground().await;
    click(&root, "Log in").await;
    let field: web_sys::HtmlInputElement = find(&root, "#edit-a-alice").unchecked_into();
    assert!(field.value().starts_with("eyJ"), "prefilled with the stored token");
    field.set_value("not-a-jwt");
    find(&root, "#edit-a-alice")
        .closest("form")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
    settle().await;
    click(&root, "GET /api/me").await;
    let newest = newest(&root, 'a');
    assert_eq!(text(&find(&newest, ".status")), "401 Unauthorized");
    assert!(text(&find(&newest, ".trace")).contains("malformed token"));
    let field: web_sys::HtmlInputElement = find(&root, "#edit-a-alice").unchecked_into();
    field.set_value("two words");
    field.closest("form").unwrap().unwrap().unchecked_into::<web_sys::HtmlFormElement>().request_submit().unwrap();
    settle().await;
    assert!(text(&find(&root, ".notice")).contains("credential not changed — character 4"));
}

fn select_value(root: &Element, id: &str) -> String {
    find(root, &format!("select#{id}")).unchecked_into::<web_sys::HtmlSelectElement>().value()
}

#[wasm_bindgen_test]
async fn heading_and_servers_selector_show_the_fleet_as_it_is() {
    let root = fresh_playground().await;
    click(&root, "Add server").await;
    let heading = text(&find(&root, "h2#lane-a-title"));
    assert!(heading.ends_with("· 4 servers"), "{heading}");
    assert_eq!(select_value(&root, "lane-a-servers"), "4");
    click(&root, "Crash").await;
    let heading = text(&find(&root, "h2#lane-b-title"));
    assert!(heading.ends_with("· 4 servers (1 down)"), "{heading}");
    // Picking a size asks for that fleet: the log's Add server still counts.
    let select: web_sys::HtmlSelectElement = find(&root, "select#lane-a-servers").unchecked_into();
    select.set_value("2");
    let init = EventInit::new();
    init.set_bubbles(true);
    select.dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    settle().await;
    assert_eq!(all(&lane(&root, 'a'), "svg.fleet g.server").len(), 2);
    assert_eq!(select_value(&root, "lane-a-servers"), "2");
    // With actions in the log, a new size is a redeploy from now on, not a rewrite of the past.
    assert!(query().ends_with("~config.a.jwt.rr.2"), "the log ends with the redeploy: {}", query());
    // The scenario adds S3 at step 3: three servers are drawn, three named.
    common::set_query("?scenario=scale-out&step=3");
    root.remove();
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    for l in ['a', 'b'] {
        let heading = text(&find(&root, &format!("h2#lane-{l}-title")));
        assert!(heading.ends_with("· 3 servers"), "{heading}");
        assert_eq!(all(&lane(&root, l), "svg.fleet g.server").len(), 3);
        assert_eq!(select_value(&root, &format!("lane-{l}-servers")), "3");
    }
}

#[wasm_bindgen_test]
async fn a_credential_typed_under_lane_a_changes_only_lane_a() {
    let root = fresh_playground().await;
    click(&root, "Log in").await;
    let cookie_b = find(&root, "#edit-b-alice").unchecked_into::<web_sys::HtmlInputElement>().value();
    let field: web_sys::HtmlInputElement = find(&root, "#edit-a-alice").unchecked_into();
    let form = field.closest("form").unwrap().unwrap();
    assert_eq!(text(&find(&form, "button")), "Use it in lane A");
    field.set_value("not-a-jwt");
    form.unchecked_into::<web_sys::HtmlFormElement>().request_submit().unwrap();
    settle().await;
    let a = find(&root, "#edit-a-alice").unchecked_into::<web_sys::HtmlInputElement>().value();
    let b = find(&root, "#edit-b-alice").unchecked_into::<web_sys::HtmlInputElement>().value();
    assert_eq!(a, "not-a-jwt");
    assert_eq!(b, cookie_b, "lane B's session cookie is untouched");
    assert!(query().contains("~edit.a.alice."), "the log names the lane: {}", query());
}

#[wasm_bindgen_test]
async fn comparison_rows_say_what_they_measure() {
    let root = logged_in_and_asked_for_me().await;
    let rows: Vec<String> = all(&root, ".comparison tbody tr").iter().map(text).collect();
    let row = |name: &str| {
        rows.iter().find(|r| r.starts_with(name)).unwrap_or_else(|| panic!("no row {name}: {rows:?}")).clone()
    };
    // Lane B: the login carried no credential, the /api/me request a cookie.
    let mean = row("Credential bytes per request that carried one (mean)");
    assert!(mean.contains(" B") && mean.contains('.'), "one decimal, in bytes: {mean}");
    assert!(row("Credential bytes sent, in total").ends_with(" B"));
}

#[wasm_bindgen_test]
async fn a_step_highlights_only_the_exchanges_it_made() {
    common::set_query("?scenario=revocation&step=3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let articles = all(&root, ".lane-a-rows article.exchange");
    assert_eq!(articles.len(), 4);
    // The step's row is open; the earlier steps' rows are not.
    assert!(articles[0].query_selector("details[open]").unwrap().is_some());
    assert!(articles[1..].iter().all(|a| a.query_selector("details[open]").unwrap().is_none()));
    open_all(&root).await;
    let articles = all(&root, ".lane-a-rows article.exchange");
    // Newest first: only the replay (step 3's one action) is marked.
    assert!(!all(&articles[0], "pre .focus").is_empty());
    for older in &articles[1..] {
        assert!(all(older, "pre .focus").is_empty(), "{}", text(older));
    }
}

#[wasm_bindgen_test]
async fn a_scenario_step_shows_the_browser_of_the_user_it_acts_for() {
    common::set_query("?scenario=restart&step=3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    // The action bar's user is still Alice; step 3, about Bob, ends with `me bob`.
    let state = find(&lane(&root, 'b'), ".state");
    assert_eq!(text(&find(&state, "h4")), "bob's browser");
    assert!(text(&find(&state, ".whose")).contains("this scenario step acts for bob"));
}

#[wasm_bindgen_test]
async fn opening_a_link_replaces_the_history_entry() {
    let before = web_sys::window().unwrap().history().unwrap().length().unwrap();
    common::set_query("?scenario=sticky-crash");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(address(), "/tour/sticky-crash/0/");
    assert_eq!(web_sys::window().unwrap().history().unwrap().length().unwrap(), before, "normalised in place");
    click(&root, "Next step").await;
    assert_eq!(address(), "/tour/sticky-crash/1/");
    assert_eq!(web_sys::window().unwrap().history().unwrap().length().unwrap(), before + 1, "a step of one's own");
}

#[wasm_bindgen_test]
async fn the_step_view_shows_only_the_steps_requests_and_events() {
    // sticky-crash step 3 is `crash 1, me alice`: one event, then one request, in each lane.
    common::set_query("?scenario=sticky-crash&step=3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let view = find(&root, ".step-view");
    assert!(text(&find(&view, ".narration")).starts_with("Step 3 of 4"));
    let lanes = all(&view, ".step-lane");
    assert_eq!(lanes.len(), 2);
    for l in &lanes {
        let items = all(l, ".step-cards > li");
        assert_eq!(items.len(), 2, "{}", text(l));
        assert!(text(&items[0]).contains("S1 crashed"), "the event comes first: {}", text(&items[0]));
        assert!(text(&items[1]).contains("502 Bad Gateway"), "{}", text(&items[1]));
        assert!(text(&find(&items[1], ".step-req")).starts_with("#4 GET /api/me"));
    }
    assert_eq!(all(&view, "svg.fleet").len(), 2, "each lane's fleet");
}

#[wasm_bindgen_test]
async fn leaving_a_tour_and_coming_back() {
    common::set_query("?scenario=cart&step=1");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    click(&root, "GET /api/me").await;
    assert!(all(&root, ".step-view").is_empty());
    assert!(text(&find(&root, ".left-tour")).starts_with("You left the tour"));
    assert!(query().contains("log="), "free play is a log: {}", query());
    click(&root, "Back to step 1").await;
    assert_eq!(address(), "/tour/cart/1/");
    assert!(text(&find(&root, ".narration")).starts_with("Step 1 of 3"));
    assert!(all(&root, ".left-tour").is_empty());
}

#[wasm_bindgen_test]
async fn history_puts_both_lanes_rows_for_an_action_side_by_side_with_faults_as_rows() {
    let root = fresh_playground().await;
    click(&root, "Log in").await;
    click(&root, "Crash").await;
    click(&root, "GET /api/me").await;
    let actions = all(&root, ".h-actions > li");
    assert_eq!(actions.len(), 3, "one row per action");
    // Newest first: `me alice`, with lane A's request beside lane B's.
    assert!(text(&find(&actions[0], ".h-what")).ends_with("me alice"));
    let a = find(&actions[0], ".lane-a-rows summary");
    let b = find(&actions[0], ".lane-b-rows summary");
    assert!(text(&a).contains("200 OK") && text(&a).contains("GET /api/me"), "{}", text(&a));
    assert!(text(&b).contains("401 Unauthorized"), "{}", text(&b));
    // The crash is a row of its own in each lane, with its time.
    for l in ['a', 'b'] {
        let event = text(&find(&actions[1], &format!(".lane-{l}-rows .event")));
        assert!(event.starts_with("09:00:01 S1 crashed"), "{event}");
    }
    // Each lane's header has its simulated clock.
    assert!(all(&root, ".h-head .clock time").iter().all(|t| text(t) == "09:00:03"));
    // Only the newest action's rows are open; the others show their summary alone.
    assert!(find(&actions[0], ".lane-a-rows details").has_attribute("open"));
    assert!(!find(&actions[2], ".lane-a-rows details").has_attribute("open"));
    assert!(actions[2].query_selector(".lane-a-rows pre").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_long_history_shows_its_newest_actions_and_more_on_request() {
    common::set_query("?log=login.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(all(&root, ".h-actions > li").len(), 20);
    click(&root, "Show 5 earlier actions (of 5)").await;
    assert_eq!(all(&root, ".h-actions > li").len(), 25);
    assert!(text(&find(&root, ".h-actions > li:last-child .h-what")).ends_with("login alice"));
}

#[wasm_bindgen_test]
async fn controls_say_what_they_do_and_reset_can_be_undone() {
    let root = fresh_playground().await;
    let groups: Vec<String> = all(&root, ".actions .group h3").iter().map(text).collect();
    assert_eq!(groups, ["As a user", "Faults", "Time", "Keys", "Fleet", "Undo"]);
    for b in all(&root, ".actions button") {
        assert!(b.get_attribute("title").is_some_and(|t| t.len() > 10), "{} has no description", text(&b));
    }
    let rotate = all(&root, ".actions button").into_iter().find(|b| text(b) == "Rotate key (keep old)").unwrap();
    assert_eq!(
        rotate.get_attribute("title").unwrap(),
        "New tokens and signed cookies are signed with k2; those signed with k1 still verify"
    );
    click(&root, "Log in").await;
    click(&root, "Reset").await;
    assert!(all(&root, "article.exchange").is_empty());
    assert!(text(&find(&root, ".notice.info")).contains("Undo brings back what you had"));
    click(&root, "Undo").await;
    assert_eq!(all(&root, "article.exchange").len(), 2, "the login is back in both lanes");
    assert_eq!(query(), "?log=login.alice");
}

#[wasm_bindgen_test]
async fn the_fleet_draws_the_newest_trip_including_a_502s_dead_server() {
    // Round robin starts at S1, which has crashed but is still in rotation
    // (health checks have not noticed yet): the balancer answers 502.
    common::set_query("?log=crash.1~me.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let fleet = find(&lane(&root, 'b'), "svg.fleet");
    let class = fleet.get_attribute("class").unwrap();
    assert!(class.split(' ').any(|c| c == "s5xx"), "{class}");
    assert_eq!(text(&find(&fleet, ".outcome")), "⚠ 502");
    let hot = find(&fleet, "g.server.hot");
    assert!(hot.get_attribute("class").unwrap().split(' ').any(|c| c == "down"), "the dot goes to the dead server");
    assert!(text(&hot).starts_with("S1 ✕ down"), "{}", text(&hot));
    assert!(find(&fleet, "path.trip").get_attribute("d").unwrap().contains("L170,"), "the trip reaches a server");
    assert!(text(&find(&lane(&root, 'b'), ".legend")).contains("Click a server to crash or restart it"));
}

#[wasm_bindgen_test]
async fn each_lane_says_how_to_run_it_on_real_software() {
    common::set_query("?b=local.sticky.4");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let a = text(&find(&lane(&root, 'a'), ".run-it pre"));
    let b = text(&find(&lane(&root, 'b'), ".run-it pre"));
    assert!(a.starts_with("cargo xtask twin --fleet jwt.rr.3\n"), "{a}");
    assert!(b.starts_with("cargo xtask twin --fleet local.sticky.4\n"), "{b}");
    assert!(b.ends_with("fleet local.sticky.4"), "{b}");
    // The HAProxy text is fetched when the panel opens: by the toggle handler
    // the browser made of the `onToggle` attribute, for the lane's code.
    let details = find(&lane(&root, 'b'), "details.run-it");
    assert_eq!(details.get_attribute("data-config").as_deref(), Some("local.sticky.4"));
    assert!(details.get_attribute("ontoggle").is_some_and(|h| h.contains("import('./run-it.js')")));
    assert!(js_sys::Reflect::get(&details, &"ontoggle".into()).unwrap().is_function());
    assert_eq!(text(&find(&details, ".run-it-out")), "");
}

#[wasm_bindgen_test]
async fn an_ftp_or_database_lane_is_not_sent_to_the_twins_http_fleet() {
    common::set_query("?a=ftp:local.rr.2&b=db-txn:jwt.rr.2");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let a = text(&find(&lane(&root, 'a'), ".run-it pre"));
    let b = text(&find(&lane(&root, 'b'), ".run-it pre"));
    // `cargo xtask twin --fleet` starts HTTP servers: neither lane's software.
    assert!(!a.contains("twin --fleet") && a.contains("pyftpdlib") && a.ends_with("fleet ftp:local.rr.2"), "{a}");
    assert!(!b.contains("twin --fleet") && b.contains("PgBouncer") && b.ends_with("fleet db-txn:jwt.rr.2"), "{b}");
}

/// The load panel in the main bundle is a heading and two buttons;
/// a `load=` link is kept in the address and the panel asks for the run's
/// module (which this test page does not serve, so the import fails).
#[wasm_bindgen_test]
async fn a_load_link_is_kept_and_the_panel_asks_for_its_module() {
    common::set_query("?load=20x5&faults=30.crash.1");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let panel = find(&root, "section#load-host");
    assert_eq!(text(&find(&panel, "h2")), "Load runs and live traffic");
    assert_eq!(text(&find(&panel, "button#load-go")), "Set up a run: thousands of users on both lanes");
    assert_eq!(text(&find(&panel, "button#live-go")), "Live traffic: crash a server under load");
    settle().await;
    assert!(query().contains("load=20x5&faults=30.crash.1"), "{}", query());
    // Tests share one page, and earlier ones left playgrounds (and panels with
    // this id) behind: the message goes to the first, so look in the whole page.
    let body = || web_sys::window().unwrap().document().unwrap().body().unwrap().text_content().unwrap_or_default();
    for _ in 0..150 {
        if body().contains("load-run.js") {
            break;
        }
        pause(20).await;
    }
    // The import failed and said which module: the page asked for it.
    assert!(body().contains("load-run.js"), "the page never asked for load-run.js");
    common::set_query("");
}

async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Picks `value` in the `<select>` with this id, as a reader does.
async fn choose(root: &Element, id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, &format!("select#{id}")).unchecked_into();
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    select.dispatch_event(&Event::new_with_event_init_dict("change", &init).unwrap()).unwrap();
    settle().await;
}

fn buttons(root: &Element) -> Vec<String> {
    all(root, ".actions button").iter().map(text).collect()
}

#[wasm_bindgen_test]
async fn every_design_is_offered_by_name_and_its_link_reopens_it() {
    use statelab_sim::AuthMode;
    let root = fresh_playground().await;
    let offered: Vec<(String, String)> =
        all(&root, "select#lane-a-auth option").iter().map(|o| (o.get_attribute("value").unwrap(), text(o))).collect();
    let all_modes: Vec<(String, String)> = AuthMode::ALL.iter().map(|m| (m.code().to_owned(), m.to_string())).collect();
    assert_eq!(offered, all_modes);
    root.remove();
    // The refresh design comes with the short access tokens it is for (5 minutes, `.4.300`).
    for (code, link, label) in [
        ("refresh", "refresh.rr.3.4.300", "access + refresh tokens"),
        ("opaque", "opaque.rr.3", "opaque tokens"),
        ("apikey-local", "apikey-local.rr.3", "API keys, limits in each server"),
        ("apikey", "apikey.rr.3", "API keys, limits in the store"),
    ] {
        let root = fresh_playground().await;
        choose(&root, "lane-b-auth", code).await;
        assert_eq!(query(), format!("?b={link}"));
        root.remove();
        // A second mount stands in for opening the link.
        let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
        assert_eq!(select_value(&root, "lane-b-auth"), code);
        assert!(text(&find(&root, "h2#lane-b-title")).contains(label));
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn refresh_and_rotate_api_key_are_offered_only_where_a_lane_has_them() {
    let root = fresh_playground().await;
    assert!(!buttons(&root).iter().any(|b| b == "Refresh token" || b == "Rotate API key"), "{:?}", buttons(&root));
    root.remove();
    common::set_query("?a=refresh.rr.3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert!(
        buttons(&root).contains(&"Refresh token".to_owned()) && !buttons(&root).contains(&"Rotate API key".to_owned())
    );
    root.remove();
    common::set_query("?a=refresh.rr.3&b=apikey.rr.3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let refresh = all(&root, ".actions button").into_iter().find(|b| text(b) == "Refresh token").unwrap();
    assert!(refresh.get_attribute("title").unwrap().starts_with("POST /token/refresh"));
    click(&root, "Log in").await;
    click(&root, "Refresh token").await;
    assert_eq!(text(&find(&newest(&root, 'a'), ".req")), "POST /token/refresh");
    assert_eq!(text(&find(&newest(&root, 'a'), ".status")), "200 OK");
    assert_eq!(
        text(&find(&newest(&root, 'b'), ".status")),
        "404 Not Found",
        "an API-key lane issues no refresh tokens"
    );
    click(&root, "Rotate API key").await;
    assert_eq!(text(&find(&newest(&root, 'b'), ".req")), "POST /keys/rotate");
    assert_eq!(text(&find(&newest(&root, 'b'), ".status")), "200 OK");
    assert_eq!(query(), "?a=refresh.rr.3&b=apikey.rr.3&log=login.alice~refresh.alice~rotate-key.alice");
}

#[wasm_bindgen_test]
async fn a_refresh_lane_shows_its_cookie_its_family_and_when_the_app_refreshes() {
    common::set_query("?b=refresh.rr.3&log=login.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let b = text(&find(&lane(&root, 'b'), ".state"));
    assert!(b.contains("; Path=/token/refresh; HttpOnly; Secure; SameSite=Strict"), "{b}");
    assert!(b.contains("sent only to /token/refresh; page scripts cannot read it (HttpOnly)"), "{b}");
    assert!(b.contains("(its current one)"), "{b}");
    assert!(b.contains("the family's current refresh token"), "{b}");
    assert!(b.contains("the token expires at 09:15:00 (in 15 min)"), "{b}");
    // The access token names its family, which the store still holds.
    let family = text(&find(&lane(&root, 'b'), ".state .token-details"));
    assert!(family.contains("refresh family (sid): "), "{family}");
    assert!(family.contains("is in the shared store"), "{family}");
    // Lane A's JWT has no family.
    assert!(!text(&find(&lane(&root, 'a'), ".state .token-details")).contains("sid"));
    root.remove();
    common::set_query("?b=refresh.rr.3&log=login.alice~wait.16m");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let b = text(&find(&lane(&root, 'b'), ".state"));
    assert!(b.contains("the token expired at 09:15:00"), "{b}");
    assert!(b.contains("Its next request (other than a login) first sends POST /token/refresh"), "{b}");
    click(&root, "GET /api/me").await;
    let rows: Vec<String> = all(&root, ".lane-b-rows article.exchange .req").iter().map(text).collect();
    // The newest action first, its requests in the order sent.
    assert_eq!(rows[..2], ["POST /token/refresh", "GET /api/me"], "the app refreshed first: {rows:?}");
    // Rotated: the first refresh token is now a used one.
    let b = text(&find(&lane(&root, 'b'), ".state"));
    assert!(b.contains("(already used: presenting it again revokes the family)"), "{b}");
    assert!(b.contains("(its current one)"), "{b}");
}

/// The refresh token can be edited by hand as devtools can, and what the
/// next refresh sends is refused for what it is: here a forgery.
#[wasm_bindgen_test]
async fn a_hand_edited_refresh_token_is_sent_and_refused_as_unknown() {
    common::set_query("?a=refresh.rr.3&log=login.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert!(all(&root, "#edit-refresh-b-alice").is_empty(), "lane B issues no refresh token");
    let submit = |value: &str| {
        let field: web_sys::HtmlInputElement = find(&root, "#edit-refresh-a-alice").unchecked_into();
        field.set_value(value);
        field.closest("form").unwrap().unwrap().unchecked_into::<web_sys::HtmlFormElement>().request_submit().unwrap();
    };
    let field: web_sys::HtmlInputElement = find(&root, "#edit-refresh-a-alice").unchecked_into();
    assert_eq!(field.value().len(), 32, "prefilled with the cookie's token");
    // Hostile text is refused with the reason, and nothing is changed.
    submit("<b>;x");
    settle().await;
    assert!(text(&find(&root, ".notice")).contains("character 4"), "{}", text(&find(&root, ".notice")));
    submit("0123456789abcdef0123456789abcdef");
    settle().await;
    assert!(query().contains("edit-refresh.a.alice."), "the link carries the edit: {}", query());
    click(&root, "Refresh token").await;
    let row = newest(&root, 'a');
    assert_eq!(text(&find(&row, ".status")), "401 Unauthorized");
    assert!(text(&find(&row, ".trace")).contains("is not in the store"));
    // The refusal cleared the cookie (Max-Age=0): nothing left to edit.
    assert!(all(&root, "#edit-refresh-a-alice").is_empty());
}

#[wasm_bindgen_test]
async fn an_opaque_token_is_not_decoded_but_looked_up() {
    common::set_query("?b=opaque.rr.3&log=login.alice~me.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(text(&find(&newest(&root, 'a'), "details.token summary")), "Decode this JWT");
    let row = newest(&root, 'b');
    assert_eq!(text(&find(&row, "details.token summary")), "What is inside this opaque token?");
    open_token(&row).await;
    let shown = text(&find(&row, ".token-details"));
    assert!(shown.starts_with("Nothing inside: an opaque reference"), "{shown}");
    assert!(shown.contains("32 characters from which a server reads nothing"), "{shown}");
    assert!(shown.contains("Now the store holds token:"), "{shown}");
    assert!(shown.contains("it is alice's (user), for 15 min more."), "{shown}");
    assert!(all(&row, ".jwt").is_empty(), "no JWT parts");
    assert!(text(&find(&lane(&root, 'b'), "section[aria-label$=': Shared store']")).contains("opaque token of alice"));
    click(&root, "Log out").await;
    let b = text(&find(&lane(&root, 'b'), "section[aria-label$=': Shared store']"));
    assert!(b.contains("no keys"), "logout deleted it: {b}");
}

#[wasm_bindgen_test]
async fn api_key_lanes_show_key_rows_counters_and_the_429() {
    common::set_query(
        "?a=apikey-local.rr.3&b=apikey.rr.3&log=login.alice~me.alice~me.alice~me.alice~me.alice~me.alice~me.alice",
    );
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    assert_eq!(text(&find(&newest(&root, 'a'), ".status")), "200 OK", "each server counts only its own share");
    assert!(text(&find(&newest(&root, 'b'), ".status")).starts_with("429"));
    let a = find(&lane(&root, 'a'), ".state");
    let memory = text(&find(&a, "section[aria-label$=': Server memory']"));
    assert!(memory.contains("S1's own count: 2 used of 5 allowed per 10 s · window ends in"), "{memory}");
    let store = text(&find(&lane(&root, 'b'), "section[aria-label$=': Shared store']"));
    assert!(store.contains("rate:alice"), "counted per client, all its keys together: {store}");
    assert!(store.contains("the store's count, which every server sees: 6 requests, over the limit of 5 per 10 s: refused with 429 until the window ends · TTL"), "{store}");
    for l in ['a', 'b'] {
        let db = text(&find(&lane(&root, l), "section[aria-label$=': Database']"));
        assert!(db.contains("api_keys[sha256 ") && db.contains("· alice's"), "{db}");
        assert!(!db.contains("sk_"), "the database never holds a key: {db}");
    }
    assert!(text(&find(&a, "section[aria-label$='alice\\'s browser']"))
        .contains("API key (the client's, sent as X-API-Key)sk_"));
    let row = newest(&root, 'b');
    assert!(all(&row, "pre .credential").iter().any(|c| text(c).starts_with("X-API-Key: sk_")));
    assert_eq!(text(&find(&row, "details.token summary")), "What is inside this API key?");
    open_token(&row).await;
    let shown = text(&find(&row, ".token-details"));
    assert!(shown.contains("Now the database's api_keys has its row: SHA-256 "), "{shown}");
    click(&root, "Rotate API key").await;
    // Managing a key is not rate limited: even lane B, over its limit, rotates,
    // and the key each rotation went out with has no row any more.
    for l in ['a', 'b'] {
        let row = newest(&root, l);
        assert_eq!(text(&find(&row, ".status")), "200 OK", "lane {l}");
        open_token(&row).await;
        let shown = text(&find(&row, ".token-details"));
        assert!(shown.contains("has no row for SHA-256 ") && shown.contains("revoked, rotated"), "{shown}");
    }
}

#[wasm_bindgen_test]
async fn measured_rows_count_round_trips_and_refreshes() {
    common::set_query("?a=refresh.rr.3&b=opaque.rr.3&log=login.alice~me.alice~refresh.alice");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let cells = |id: &str| -> Vec<String> { all(&find(&root, &format!("tr#{id}")), "td").iter().map(text).collect() };
    // Lane A: 1 + 0 + 3 store trips; lane B: 1 + 1, then a 404 with none.
    assert_eq!(cells("measured-store-trips-mean"), ["1.3", "0.7"]);
    // A login's account lookup is each lane's one database query.
    assert_eq!(cells("measured-db-trips-mean"), ["0.3", "0.3"]);
    assert_eq!(cells("measured-refreshes"), ["1", "1"]);
    for id in ["measured-store-trips-mean", "measured-db-trips-mean", "measured-refreshes"] {
        let href = find(&root, &format!("tr#{id} th a.means")).get_attribute("href").unwrap();
        assert!(href.starts_with("./learn.html#"), "{href}");
    }
}

#[wasm_bindgen_test]
async fn a_question_is_answered_before_its_step_and_checked_against_what_happened() {
    common::set_query("?scenario=sticky-crash&step=3");
    let root = common::mount::<PlaygroundView>(PlaygroundProps::default()).await;
    let question = find(&root, ".question");
    assert!(
        text(&question).contains("Predict: Ten seconds on, S1 is out of rotation. Will Alice's next request succeed?")
    );
    // Nothing runs until every lane asked about has an answer.
    click(&root, "Answer and play the step").await;
    assert_eq!(text(&find(&root, ".question-missing")), "Choose an answer for lane A first.");
    assert!(address().ends_with("/tour/sticky-crash/3/"), "{}", address());

    let seen = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let listener = {
        let seen = seen.clone();
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            *seen.borrow_mut() = js_sys::JSON::stringify(&e.detail()).unwrap().into();
        })
    };
    let document = web_sys::window().unwrap().document().unwrap();
    document.add_event_listener_with_callback("statelab:answer", listener.as_ref().unchecked_ref()).unwrap();
    for id in ["predict-A-yes", "predict-B-yes"] {
        find(&root, &format!("#{id}")).unchecked_into::<web_sys::HtmlElement>().click();
    }
    settle().await;
    click(&root, "Answer and play the step").await;
    let verdict = text(&find(&root, ".prediction"));
    assert!(verdict.contains("Lane A: ✓ right — you said yes; it was yes (#5 got 200 from S2)."), "{verdict}");
    assert!(verdict.contains("Lane B: ✕ wrong — you said yes; it was no (#5 got 401 from S2)."), "{verdict}");
    assert_eq!(
        *seen.borrow(),
        r#"{"tour":"sticky-crash","step":4,"answers":{"A":"yes","B":"yes"},"actual":{"A":"yes","B":"no"},"correct":false}"#
    );
    assert!(address().ends_with("/tour/sticky-crash/4/"), "{}", address());
    document.remove_event_listener_with_callback("statelab:answer", listener.as_ref().unchecked_ref()).unwrap();
}
