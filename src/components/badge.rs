//! One look for an HTTP outcome everywhere: colour *and* an icon and text,
//! so a 401 never reads like a 200 (and colour is never the only cue).

use yew::prelude::*;

/// The three outcomes a learner tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx and 3xx: it worked.
    Success,
    /// 4xx: the server refused the request (log in again, bad input…).
    Refused,
    /// 5xx: nobody could answer (a server down, the store down).
    Unavailable,
}

impl Outcome {
    pub fn of(status: u16) -> Outcome {
        match status {
            500.. => Outcome::Unavailable,
            400.. => Outcome::Refused,
            _ => Outcome::Success,
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            Outcome::Success => "✓",
            Outcome::Refused => "✕",
            Outcome::Unavailable => "⚠",
        }
    }

    /// The CSS class that colours it.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Success => "s2xx",
            Outcome::Refused => "s4xx",
            Outcome::Unavailable => "s5xx",
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_three_outcomes() {
        assert_eq!(Outcome::of(200), Outcome::Success);
        assert_eq!(Outcome::of(201), Outcome::Success);
        assert_eq!(Outcome::of(401), Outcome::Refused);
        assert_eq!(Outcome::of(431), Outcome::Refused);
        assert_eq!(Outcome::of(502), Outcome::Unavailable);
        assert_ne!(Outcome::of(401).icon(), Outcome::of(200).icon());
    }
}
