use crate::state::Play;
use statelab_sim::cookie::SameSite;
use statelab_sim::store::StoreValue;
use statelab_sim::time::human_duration;
use statelab_sim::User;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StateProps {
    pub lane: usize,
    pub user: User,
}

/// "Where does the state live?" answered by looking: the browser's cookie
/// jar and token storage, each server's sessions, the shared store's keys.
#[component]
pub fn StatePanels(props: &StateProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let lane = play.playground.lane(props.lane);
    let now = lane.now();
    let client = lane.client(props.user);
    let cookies: Vec<_> = client.jar.cookies(now).collect();
    let expiry = |t: statelab_sim::SimTime| {
        if t > now {
            format!("expires in {}", human_duration((t.0 - now.0) / 1000))
        } else {
            "expired".into()
        }
    };
    html! {
        <div class="state">
            <section aria-label={format!("{}'s browser", props.user.username())}>
                <h4>{format!("{}'s browser", props.user.username())}</h4>
                <p class="label">{"Cookie jar"}</p>
                if cookies.is_empty() {
                    <p class="muted">{"empty"}</p>
                } else {
                    <ul class="kv">
                        { for cookies.iter().map(|c| html! {
                            <li><code>{format!("{}={}", c.name, short(&c.value, 40))}</code>
                                <span class="muted">{format!(" {}; Path={}{}{}{}{}", c.domain, c.path,
                                    if c.http_only { "; HttpOnly" } else { "" },
                                    if c.secure { "; Secure" } else { "" },
                                    match c.same_site { Some(SameSite::Lax) => "; SameSite=Lax", Some(SameSite::Strict) => "; SameSite=Strict", Some(SameSite::None) => "; SameSite=None", None => "" },
                                    c.expires.map_or_else(|| "; session cookie".to_owned(), |t| format!("; {}", expiry(t))))}</span></li>
                        }) }
                    </ul>
                }
                <p class="label">{"localStorage.token"}</p>
                <p><code>{ client.token.as_deref().map_or("(none)".to_owned(), |t| short(t, 60)) }</code></p>
            </section>
            <section aria-label="Server memory">
                <h4>{"Server memory"}</h4>
                <ul class="kv">
                    { for lane.servers().iter().map(|s| html! {
                        <li>
                            <strong>{format!("S{}", s.no)}</strong>
                            {format!(" {} · {} handled · {} session{} · {} B", if s.up { "up" } else { "down" }, s.handled, s.sessions.len(), if s.sessions.len() == 1 { "" } else { "s" }, s.session_bytes())}
                            if !s.sessions.is_empty() {
                                <ul>{ for s.sessions.iter().map(|(id, sess)| html! {
                                    <li><code>{format!("{}…", &id[..8])}</code>{format!(" {} · cart [{}] · {}", sess.user, sess.cart.join(", "), expiry(sess.expires))}</li>
                                }) }</ul>
                            }
                        </li>
                    }) }
                </ul>
            </section>
            <section aria-label="Shared store">
                <h4>{ if lane.store().up { "Shared store" } else { "Shared store (down)" } }</h4>
                <ul class="kv">
                    { for lane.store().entries(now).map(|(k, e)| html! {
                        <li><code>{short(k, 24)}</code>{format!(" {} · TTL {}", match &e.value { StoreValue::Session(s) => format!("session of {}", s.user), StoreValue::Revoked => "revoked token".into() }, human_duration((e.expires.0 - now.0) / 1000))}</li>
                    }) }
                </ul>
                if lane.store().entries(now).next().is_none() {
                    <p class="muted">{"no keys"}</p>
                }
            </section>
        </div>
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
