//! One look for an HTTP outcome everywhere: colour *and* an icon and text,
//! so a 401 never reads like a 200 (and colour is never the only cue).

use yew::prelude::*;

pub use statelab_sim::fleet::Outcome;

/// `✓ 200 OK`, `✕ 401 Unauthorized`, `⚠ 502 Bad Gateway`; the icon is
/// hidden from screen readers, which read the status.
pub fn status_badge(status: u16, reason: &str) -> Html {
    let o = Outcome::of(status);
    html! {
        <span class={classes!("badge", o.class())}>
            <span aria-hidden="true">{o.icon()}{" "}</span><span class="status">{format!("{status} {reason}")}</span>
        </span>
    }
}
