//! One look for an HTTP outcome everywhere: colour *and* an icon and text,
//! so a 401 never reads like a 200 (and colour is never the only cue).

use statelab_sim::Exchange;
use yew::prelude::*;

pub use statelab_sim::fleet::Outcome;

/// `✓ 200 OK`, `✕ 401 Unauthorized`, `⚠ 502 Bad Gateway`, and `⚠ 200 OK ·
/// cut at 4000 of 12000 bytes` for a body its server died sending; the icon
/// is hidden from screen readers, which read the status.
pub fn status_badge(x: &Exchange) -> Html {
    let o = x.outcome();
    html! {
        <span class={classes!("badge", o.class(), x.cut.is_some().then_some("cut"))}>
            <span aria-hidden="true">{o.icon()}{" "}</span><span class="status">{x.status_text()}</span>
        </span>
    }
}
