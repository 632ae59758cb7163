//! The few browser side effects the view performs on a click: copying text
//! and saving a file. Kept here so components stay about rendering.

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

/// The page's address without its query: where links to other states point.
pub fn page_address() -> String {
    web_sys::window()
        .and_then(|w| Some(format!("{}{}", w.location().origin().ok()?, w.location().pathname().ok()?)))
        .unwrap_or_default()
}
