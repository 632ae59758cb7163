use crate::components::token::TokenView;
use crate::state::{Msg, Play};
use statelab_sim::cookie::SameSite;
use statelab_sim::jwt::TokenEdit;
use statelab_sim::store::StoreValue;
use statelab_sim::time::human_duration;
use statelab_sim::{Action, LaneId, User};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StateProps {
    pub lane: LaneId,
    pub user: User,
    /// Why this user's browser is the one shown (a scenario step acts for
    /// them), or `None` when it is the user picked in the action bar.
    #[prop_or_default]
    pub why: Option<AttrValue>,
}

/// "Where does the state live?" answered by looking: the browser's cookie
/// jar and token storage, each server's sessions, the shared store's keys.
#[component]
pub fn StatePanels(props: &StateProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let lane = play.playground.lane(props.lane.index());
    let now = lane.now();
    let client = lane.client(props.user);
    let cookies: Vec<_> = client.jar.cookies(now).collect();
    let store_keys = lane.store().entries(now).count();
    let expiry =
        |t: statelab_sim::SimTime| format!("{} {}", if t > now { "expires" } else { "expired" }, t.relative_to(now));
    html! {
        <div class="state">
            <section aria-label={format!("{}'s browser", props.user.username())}>
                <h4>{format!("{}'s browser", props.user.username())}</h4>
                if let Some(why) = &props.why {
                    <p class="muted whose">{why.clone()}</p>
                }
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
                if let Some(token) = &client.token {
                    <TokenView token={AttrValue::from(token.clone())} lane={props.lane} />
                }
                <CredentialEditor lane={props.lane} user={props.user} />
            </section>
            <section aria-label="Server memory">
                <h4>{"Server memory"}</h4>
                <ul class="kv">
                    { for lane.servers().iter().map(|s| html! {
                        <li>
                            <strong>{format!("S{}", s.no)}</strong>
                            {format!(" {} · {} handled · {} session{} · {} B", if s.up { "up" } else { "down" }, s.handled, s.sessions.len(), if s.sessions.len() == 1 { "" } else { "s" }, s.session_bytes())}
                            if !s.sessions.is_empty() {
                                <ul>{ capped(s.sessions.len(), s.sessions.iter().map(|(id, sess)| html! {
                                    <li><code>{id.as_str()}</code>{format!(" {} · cart [{}] · {} B · {}", sess.user, sess.cart.join(", "), sess.bytes(id), expiry(sess.expires))}</li>
                                }), "sessions") }</ul>
                            }
                        </li>
                    }) }
                </ul>
            </section>
            <section aria-label="Shared store">
                <h4>{ if lane.store().up { "Shared store" } else { "Shared store (down)" } }</h4>
                <ul class="kv">
                    { capped(store_keys, lane.store().entries(now).map(|(k, e)| html! {
                        <li><code>{short(k, 24)}</code>{format!(" {} · TTL {}", match &e.value { StoreValue::Session(s) => format!("session of {}", s.user), StoreValue::Revoked => "revoked token".into() }, human_duration((e.expires.0 - now.0) / 1000))}</li>
                    }), "keys") }
                </ul>
                if store_keys == 0 {
                    <p class="muted">{"no keys"}</p>
                }
            </section>
            <section aria-label="Database">
                <h4>{"Database"}</h4>
                <p class="muted">{"Accounts and orders for everyone; carts when no session holds them."}</p>
                <ul class="kv">
                    { for lane.database().carts.iter().filter(|(_, c)| !c.is_empty()).map(|(user, cart)| html! {
                        <li><code>{format!("carts[\"{user}\"]")}</code>{format!(" [{}]", cart.join(", "))}</li>
                    }) }
                </ul>
            </section>
        </div>
    }
}

/// Replace the stored token or session cookie with text typed by hand, as
/// in devtools. The engine refuses what could not travel in a header, and
/// the page says why.
#[component]
fn CredentialEditor(props: &StateProps) -> Html {
    // Hooks first, unconditionally (Yew's hook rules), then the early return.
    let play = use_context::<Play>().expect("inside the playground");
    let input = use_node_ref();
    let lane = play.playground.lane(props.lane.index());
    let Some(current) = lane.credential(props.user) else { return html! {} };
    let what = lane.config().auth.credential_name();
    let id = format!("edit-{}-{}", props.lane.code(), props.user.username());
    let onsubmit = {
        let (input, user, lane) = (input.clone(), props.user, props.lane);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(field) = input.cast::<HtmlInputElement>() {
                play.dispatch(Msg::Act(Action::Tamper {
                    user,
                    edit: TokenEdit::Set { value: field.value() },
                    lane: Some(lane),
                }));
            }
        })
    };
    html! {
        <form class="credential-editor" {onsubmit}>
            <label for={id.clone()}>{format!("Edit the {what} by hand")}</label>
            <input id={id} ref={input} value={current} spellcheck="false" autocomplete="off" />
            <button type="submit">{format!("Use it in lane {}", props.lane)}</button>
        </form>
    }
}

/// How many sessions or keys a list shows: after a load run a server can hold
/// hundreds, which nobody reads and every action would re-render.
const LISTED: usize = 12;

/// The first [`LISTED`] items of a list of `total`, then how many were left out.
fn capped(total: usize, items: impl Iterator<Item = Html>, what: &str) -> Html {
    html! {
        <>
            { for items.take(LISTED) }
            if total > LISTED {
                <li class="muted">{format!("… and {} more {what}", total - LISTED)}</li>
            }
        </>
    }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
