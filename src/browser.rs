//! The few browser side effects the view performs: copying text, saving a
//! file, moving focus and scrolling, the colour scheme, handing over a load
//! run. Kept here so components stay about rendering.

use crate::page::Theme;
use wasm_bindgen::{JsCast, JsValue};

/// What a copy button says when the browser refuses.
pub const COPY_FAILED: &str = "Copy failed: the browser did not allow the clipboard";

/// Copies text to the clipboard, waiting for the browser's answer: it needs
/// a secure context (https or localhost) and may be denied by permission.
pub async fn copy(text: String) -> Result<(), &'static str> {
    let clipboard = web_sys::window().ok_or(COPY_FAILED)?.navigator().clipboard();
    // Outside a secure context `navigator.clipboard` is undefined.
    if JsValue::from(&clipboard).is_undefined() {
        return Err(COPY_FAILED);
    }
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await.map(drop).map_err(|_| COPY_FAILED)
}

/// Offers `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// The site's root (the document's base URL: `./` on the root page,
/// `../../../` on a tour step's), which every address in `address.rs` is
/// relative to. Read once, as the page opened: without a `<base>` (a
/// test's page) the base is the page's own address, which the app moves.
pub fn site_root() -> String {
    thread_local! {
        static ROOT: String = {
            let base = web_sys::window().and_then(|w| w.document()).and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
            let base = base.split(['?', '#']).next().unwrap_or_default();
            base.rfind('/').map_or(base, |i| &base[..=i]).to_owned()
        };
    }
    ROOT.with(String::clone)
}

/// The first element `selector` matches, if the page has one.
pub fn find(selector: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.query_selector(selector).ok().flatten()
}

/// Brings what `selector` names to the top of the window: after a step, its
/// cards are what the narration talks about; a new tour starts at its title.
pub fn reveal(selector: &str) {
    if let Some(el) = find(selector) {
        el.scroll_into_view_with_bool(true);
    }
}

/// Moves keyboard focus to `selector` once it is rendered: for a control
/// that replaces the one just pressed (which disappears with its panel), so
/// focus does not fall back to the top of the page.
pub fn focus_soon(selector: &'static str) {
    yew::platform::spawn_local(async move {
        // Yew renders in slices; a few turns of the event loop are enough.
        for _ in 0..20 {
            yew::platform::time::sleep(std::time::Duration::ZERO).await;
            if let Some(e) = find(selector).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = e.focus();
                return;
            }
        }
    });
}

/// The tab's title.
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// `theme=light|dark` pins the colour scheme on `<html>`; `auto` follows the system.
pub fn set_theme(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let _ = match theme {
        Theme::Auto => root.remove_attribute("data-theme"),
        Theme::Light => root.set_attribute("data-theme", "light"),
        Theme::Dark => root.set_attribute("data-theme", "dark"),
    };
}

/// Hands a load run (`components/load_panel.rs`, `run_query`) to
/// `static/load-run.js`, fetched on first use; if it cannot be, the panel
/// shows why.
pub fn sync_load_run(query: &str) {
    let run = js_sys::Function::new_with_args(
        "q",
        "import('./load-run.js').then(m=>m.sync(q),e=>document.getElementById('load-host').append(e))",
    );
    let _ = run.call1(&JsValue::NULL, &JsValue::from_str(query));
}

/// Tells the page a question was answered: `statelab:answer` on `document`
/// with `detail` (a JSON object's text), which the embed's bridge passes on
/// to a host page.
pub fn announce_answer(detail: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&js_sys::JSON::parse(detail).ok()?);
    let event = web_sys::CustomEvent::new_with_event_init_dict(crate::hooks::embed::ANSWER_EVENT, &init).ok()?;
    document.dispatch_event(&event).ok().map(drop)
}

/// Leaves this page for `url`, whose state `query` needs lanes this bundle
/// does not run (`crate::bundle`): the next page's loader reads which
/// bundle does from the address, and from a hint for what the address does
/// not show (a kept state, a lane switched in the log). Meanwhile the page
/// says it is loading rather than show a state that is not the one asked for.
/// `new_entry`: the reader's own move (a tour picked), which Back undoes;
/// otherwise the page's entry is replaced, as opening a link replaces it.
pub fn load_bundle(url: &str, query: &str, new_entry: bool) {
    let Some(window) = web_sys::window() else { return };
    let (link, _, _) = crate::state::read_query(query);
    if let Ok(Some(s)) = window.session_storage() {
        let _ = s.set_item(crate::bundle::KINDS_KEY, &crate::bundle::hint(&link));
    }
    if let Some(html) = window.document().and_then(|d| d.document_element()) {
        let _ = html.class_list().add_1("pending");
    }
    let _ = if new_entry { window.location().assign(url) } else { window.location().replace(url) };
}
