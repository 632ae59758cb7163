//! The comparison table (`components/comparison.rs`) as a link target: the
//! Learn page links to its rows.

use yew::prelude::*;

/// The Learn page links to a row of the table (`#measured-…`), but the
/// table renders after the page has loaded, too late for the browser's own
/// scroll to it: once rendered, mark that row and bring it into view.
#[hook]
pub fn use_linked_row() {
    use_effect_with((), move |_| {
        // Read before the address bar's effect writes the state's address,
        // which drops the hash (the page calls this hook first).
        let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
        let Some(id) = hash.strip_prefix('#').filter(|id| id.starts_with("measured-")).map(str::to_owned) else {
            return;
        };
        // After the rows above it (rendered in later slices) have their
        // height: scrolled earlier, the row would be pushed out of view.
        yew::platform::spawn_local(async move {
            for _ in 0..2 {
                yew::platform::time::sleep(std::time::Duration::ZERO).await;
            }
            if let Some(row) = crate::browser::find(&format!("#{id}")) {
                // Marked, so the eye finds the row that was linked to.
                row.set_class_name("target");
                row.scroll_into_view();
            }
        });
    });
}
