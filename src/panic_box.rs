//! A panic shows a readable box on the page instead of leaving it dead.
//! (Release builds abort after a panic, so the box is the last thing the
//! app does; it says so and offers a reload.)

use web_sys::Document;

pub fn install() {
    std::panic::set_hook(Box::new(|info| show(&info.to_string())));
}

/// Adds the error box to the page, once.
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id("panic-box").is_some() {
        return;
    }
    let _ = build(&document, message);
}

fn build(document: &Document, message: &str) -> Option<()> {
    let add = |parent: &web_sys::Element, tag: &str, text: &str| -> Option<web_sys::Element> {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        parent.append_child(&e).ok()?;
        Some(e)
    };
    let b = document.create_element("div").ok()?;
    b.set_id("panic-box");
    b.set_attribute("role", "alert").ok()?;
    b.set_class_name("panic-box");
    add(&b, "strong", "Statelab stopped because of a bug.")?;
    add(&b, "p", "Reload the page to start again. The details below help us fix it:")?;
    add(&b, "pre", message)?;
    document.body()?.prepend_with_node_1(&b).ok()
}
