//! The colour scheme the link asks for (`theme=`), on the page's root.

use crate::page::Theme;
use yew::prelude::*;

#[hook]
pub fn use_theme(theme: Theme) {
    use_effect_with(theme, |&theme| apply_theme(theme));
}

/// `theme=light|dark` pins the colour scheme on `<html>`; `auto` follows the system.
fn apply_theme(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let _ = match theme {
        Theme::Auto => root.remove_attribute("data-theme"),
        Theme::Light => root.set_attribute("data-theme", "light"),
        Theme::Dark => root.set_attribute("data-theme", "dark"),
    };
}
