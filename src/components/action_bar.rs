use crate::state::{Msg, Play};
use statelab_sim::jwt::TokenEdit;
use statelab_sim::store::CATALOG;
use statelab_sim::{Action, User};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ActionBarProps {
    pub user: User,
    pub on_user: Callback<User>,
}

/// Narrower than this, the faults, time, keys and fleet groups start
/// folded under "More actions"; the user's own actions always show.
const WIDE_PX: f64 = 640.0;

/// Every control's label, the id of its description and the description:
/// shown as its tooltip (`title`) and, visually hidden, pointed to by its
/// `aria-describedby`. Buttons 0–19 send the action `action` builds for
/// their index. One table keeps the bundle small; the key rotations' texts
/// name real keys and are built at render time instead.
const CONTROLS: [(&str, &str, &str); 28] = [
    ("Log in", "ab-login", "Log in: POST /login with the user's password"),
    ("Log in (wrong password)", "ab-wrong", "Log in (wrong password): POST /login with a wrong password"),
    ("GET /api/me", "ab-me", "GET /api/me: asks who is logged in, carrying the browser's token or cookie"),
    ("Add to cart", "ab-add", "Add to cart: POST /api/cart/items with the chosen item"),
    ("View cart", "ab-cart", "View cart: GET /api/cart"),
    ("Orders page", "ab-orders", "Orders page: GET /api/orders?page= the chosen page"),
    ("Next page", "ab-next", "Next page: a JWT lane asks for ?page= one past the last; a session lane asks the server, which remembers the page"),
    ("Log out", "ab-logout", "Log out: POST /logout from the user's browser"),
    ("Tamper: role=admin", "ab-admin", "Edits the credential in the browser to claim role=admin without re-signing it (a session id has no role: it is changed to another id); the next request carries it"),
    ("Tamper: alg none", "ab-none", "Rewrites the token's header to alg \"none\" and drops its signature; the next request carries it"),
    ("Crash", "ab-crash", "Crash: stops the server and wipes its memory; health checks (every 5 s) take it out of rotation after two failed probes"),
    ("Restart", "ab-restart", "Restart: starts a crashed server with empty memory; it is back at once, or at the next health check if it had left rotation"),
    ("Bounce (deploy restart)", "ab-bounce", "Bounce (deploy restart): restarts a running server — its memory is wiped"),
    ("Store outage", "ab-outage", "Store outage: the shared session store stops answering; requests that need it fail with 503"),
    ("Store recovers", "ab-recover", "Store recovers: the shared store answers again, with its data"),
    ("+10 s", "ab-s10", "+10 s: moves the simulated clock; tokens and sessions expire by it, health checks run on it"),
    ("+5 min", "ab-m5", "+5 min: moves the simulated clock"),
    ("+1 h", "ab-h1", "+1 h: moves the simulated clock"),
    ("Add server", "ab-grow", "Add server: a new server joins each lane's pool with empty memory (at most 8)"),
    ("Remove server", "ab-shrink", "Remove server: the last server leaves the pool, with the sessions in its memory"),
    ("Undo", "ab-undo", "Undo: takes back the last action"),
    ("Reset", "ab-reset", "Reset: asks first, then starts over: both lanes back to their default setup, with an empty log"),
    ("Yes", "ab-yes", "Yes: start over now (Undo cannot bring it back)"),
    ("Cancel", "ab-cancel", "Cancel: keep everything as it is"),
    ("User", "ab-user", "Whose browser the actions in this group act for"),
    ("Item", "ab-sku", "The item Add to cart adds"),
    ("Page", "ab-page", "The page Orders page asks for"),
    ("Server", "ab-server", "Which server Crash, Restart and Bounce act on, in both lanes"),
];

/// The action of button `i` (0–19) in `CONTROLS`.
fn action(i: usize, user: User, server: u8, sku: &str, page: u32) -> Action {
    match i {
        0 | 1 => Action::Login { user, wrong_password: i == 1 },
        2 => Action::Me { user },
        3 => Action::AddToCart { user, sku: sku.to_owned() },
        4 => Action::ViewCart { user },
        5 => Action::OrdersPage { user, page },
        6 => Action::NextPage { user },
        7 => Action::Logout { user },
        8 => Action::Tamper { user, edit: TokenEdit::Claim { name: "role".into(), value: "admin".into() }, lane: None },
        9 => Action::Tamper { user, edit: TokenEdit::AlgNone, lane: None },
        10 => Action::Crash { server },
        11 => Action::Restart { server },
        12 => Action::Bounce { server },
        13 => Action::StoreDown,
        14 => Action::StoreUp,
        15 => Action::Advance { ms: 10_000 },
        16 => Action::Advance { ms: 300_000 },
        17 => Action::Advance { ms: 3_600_000 },
        18 => Action::AddServer,
        _ => Action::RemoveServer,
    }
}

/// Button `i` of `CONTROLS`.
fn control(i: usize, onclick: Callback<MouseEvent>) -> Html {
    let (label, id, help) = CONTROLS[i];
    described(label, id, help.into(), onclick)
}

fn described(label: &'static str, id: &'static str, title: AttrValue, onclick: Callback<MouseEvent>) -> Html {
    html! { <button type="button" {title} aria-describedby={id} {onclick}>{label}</button> }
}

/// Every user step and fault, feeding both lanes at once, in groups. Each
/// control says what it does twice: as a tooltip (`title`) and as its
/// accessible description (`aria-describedby`, visually hidden text).
#[component]
pub fn ActionBar(props: &ActionBarProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let u = props.user;
    let a = play.playground.lane(0);
    let servers = a.servers().len().max(play.playground.lane(1).servers().len()) as u8;
    let server = use_state(|| 1u8);
    let sku = use_state(|| CATALOG[0].to_owned());
    let page = use_state(|| 1u32);
    let confirming = use_state(|| false);
    // Read once: after that the reader's own open/close wins.
    let wide =
        use_state(|| web_sys::window().and_then(|w| w.inner_width().ok()?.as_f64()).is_some_and(|w| w >= WIDE_PX));
    let dispatch = |msg: Msg| {
        let play = play.clone();
        Callback::from(move |_: MouseEvent| play.dispatch(msg.clone()))
    };
    let s = (*server).min(servers);
    let send = |i: usize| control(i, dispatch(Msg::Act(action(i, u, s, &sku, *page))));
    let on_user = {
        let cb = props.on_user.clone();
        Callback::from(move |v: String| {
            cb.emit(User::ALL.into_iter().find(|x| x.username() == v).unwrap_or(User::Alice))
        })
    };
    let on_server = setter(&server, |v| v.parse().unwrap_or(1));
    let on_sku = setter(&sku, |v| v);
    let on_page = setter(&page, |v| v.parse().unwrap_or(1));
    let set_confirming = |to: bool| {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(to))
    };

    // Key names come from lane A's keys, named as the engine names the next one.
    let keys: Vec<&str> = a.keys().iter().map(|k| k.kid.as_str()).collect();
    let next_key = keys.last().and_then(|k| k.get(1..)?.parse::<u32>().ok()).unwrap_or(1) + 1;
    let rotate = |keep: bool| {
        let (label, then) =
            if keep { ("Rotate key (keep old)", "still verify") } else { ("Rotate key (drop old)", "are refused") };
        format!("{label}: new tokens are signed with k{next_key}; tokens signed with {} {then}", keys.join(", "))
    };
    let (keep, drop) = (rotate(true), rotate(false));
    let c = *confirming;
    let yes = {
        let (play, confirming) = (play.clone(), confirming.clone());
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            play.dispatch(Msg::Reset);
        })
    };
    // Descriptions of every control, the key rotations' included.
    let about = CONTROLS
        .iter()
        .map(|&(_, id, text)| (id, AttrValue::Static(text)))
        .chain([("ab-keep", AttrValue::from(keep.clone())), ("ab-drop", AttrValue::from(drop.clone()))]);
    // Groups are named by `aria-label`; CSS shows the same name as their
    // visible heading (one element less per group).
    html! {
        <section class="actions" aria-label="Actions (both lanes)">
            <div class="group" role="group" aria-label="As a user">
                { select("act-user", 24, &User::ALL.map(|x| (x.username().to_owned(), x.username().to_owned())), u.username(), on_user) }
                { for (0..3).map(send) }
                { select("act-sku", 25, &CATALOG.map(|c| (c.to_owned(), c.to_owned())), &sku, on_sku) }
                { for (3..5).map(send) }
                { select("act-page", 26, &(1..=4).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &page.to_string(), on_page) }
                { for (5..10).map(send) }
            </div>
            <details class="more" open={*wide}>
                <summary>{"More actions: faults, time, keys, fleet"}</summary>
                <div class="group" role="group" aria-label="Faults">
                    { select("act-server", 27, &(1..=servers).map(|n| (n.to_string(), format!("S{n}"))).collect::<Vec<_>>(), &s.to_string(), on_server) }
                    { for (10..15).map(send) }
                </div>
                <div class="group" role="group" aria-label="Time">
                    { for (15..18).map(send) }
                </div>
                <div class="group" role="group" aria-label="Keys">
                    { described("Rotate key (keep old)", "ab-keep", keep.into(), dispatch(Msg::Act(Action::RotateKey { keep_old: true }))) }
                    { described("Rotate key (drop old)", "ab-drop", drop.into(), dispatch(Msg::Act(Action::RotateKey { keep_old: false }))) }
                </div>
                <div class="group" role="group" aria-label="Fleet">
                    { for (18..20).map(send) }
                </div>
            </details>
            <div class="group history" role="group" aria-label="History">
                { control(20, dispatch(Msg::Undo)) }
                // The first button stays the same element as Reset turns
                // into Cancel: focus stays on the safe choice.
                <span class="confirm" role={c.then_some("group")} aria-label={c.then_some("Really reset?")}>
                    { control(if c { 23 } else { 21 }, set_confirming(!c)) }
                    if c {
                        { control(22, yes) }
                    }
                </span>
            </div>
            <div class="vh">
                { for about.map(|(id, text)| html! { <span {id}>{text}</span> }) }
            </div>
        </section>
    }
}

/// A labelled `<select>` like `components::select`, described by entry
/// `i` of `CONTROLS`, which also names it.
fn select(
    id: &'static str,
    i: usize,
    options: &[(String, String)],
    selected: &str,
    onchange: Callback<String>,
) -> Html {
    let (label, about, help) = CONTROLS[i];
    let onchange =
        Callback::from(move |e: Event| onchange.emit(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        <span class="field">
            <label for={id}>{label}</label>
            <select {id} title={help} aria-describedby={about} {onchange}>
                { for options.iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == selected}>{t}</option> }) }
            </select>
        </span>
    }
}

/// A select's callback that stores the chosen option, parsed, in `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>, parse: fn(String) -> T) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |v: String| state.set(parse(v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::config::MAX_SERVERS;
    use statelab_sim::server::{HEALTH_INTERVAL_MS, UNHEALTHY_AFTER};

    /// The descriptions quote the engine's numbers: they must stay true.
    #[test]
    fn descriptions_quote_the_engines_numbers() {
        assert_eq!((HEALTH_INTERVAL_MS, UNHEALTHY_AFTER, MAX_SERVERS), (5_000, 2, 8));
        assert!(CONTROLS[10].2.contains("(every 5 s)") && CONTROLS[10].2.contains("after two failed probes"));
        assert!(CONTROLS[18].2.contains("(at most 8)"));
    }

    #[test]
    fn every_button_sends_its_own_action() {
        let sent: Vec<Action> = (0..20).map(|i| action(i, User::Alice, 1, "mug", 1)).collect();
        for (i, a) in sent.iter().enumerate() {
            assert!(!sent[..i].contains(a), "{} sends the same action as an earlier button", CONTROLS[i].0);
        }
        assert_eq!(sent[19], Action::RemoveServer);
    }
}
