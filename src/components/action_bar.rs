use crate::components::select;
use crate::state::{Msg, Play};
use statelab_sim::jwt::TokenEdit;
use statelab_sim::store::CATALOG;
use statelab_sim::{Action, User};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ActionBarProps {
    pub user: User,
    pub on_user: Callback<User>,
}

/// Every user step and fault, feeding both lanes at once.
#[component]
pub fn ActionBar(props: &ActionBarProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let u = props.user;
    let servers = play.playground.lane(0).servers().len().max(play.playground.lane(1).servers().len()) as u8;
    let server = use_state(|| 1u8);
    let sku = use_state(|| CATALOG[0].to_owned());
    let page = use_state(|| 1u32);
    let button = |label: &str, msg: Msg| {
        let play = play.clone();
        let onclick = Callback::from(move |_: MouseEvent| play.dispatch(msg.clone()));
        html! { <button type="button" {onclick}>{label.to_owned()}</button> }
    };
    let send = |label: &str, action: Action| button(label, Msg::Act(action));
    let s = (*server).min(servers);
    let on_user = {
        let cb = props.on_user.clone();
        Callback::from(move |v: String| {
            cb.emit(User::ALL.into_iter().find(|x| x.username() == v).unwrap_or(User::Alice))
        })
    };
    let on_server = setter(&server, |v| v.parse().unwrap_or(1));
    let on_sku = setter(&sku, |v| v);
    let on_page = setter(&page, |v| v.parse().unwrap_or(1));
    html! {
        <section class="actions" aria-label="Actions (both lanes)">
            <div class="group" role="group" aria-label="As a user">
                { select("act-user", "User", &User::ALL.map(|x| (x.username().to_owned(), x.username().to_owned())), u.username(), on_user) }
                { send("Log in", Action::Login { user: u, wrong_password: false }) }
                { send("Log in (wrong password)", Action::Login { user: u, wrong_password: true }) }
                { send("GET /api/me", Action::Me { user: u }) }
                { select("act-sku", "Item", &CATALOG.map(|c| (c.to_owned(), c.to_owned())), &sku, on_sku) }
                { send("Add to cart", Action::AddToCart { user: u, sku: (*sku).clone() }) }
                { send("View cart", Action::ViewCart { user: u }) }
                { select("act-page", "Page", &(1..=4).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &page.to_string(), on_page) }
                { send("Orders page", Action::OrdersPage { user: u, page: *page }) }
                { send("Next page", Action::NextPage { user: u }) }
                { send("Log out", Action::Logout { user: u }) }
                { send("Tamper: role=admin", Action::Tamper { user: u, edit: TokenEdit::Claim { name: "role".into(), value: "admin".into() }, lane: None }) }
                { send("Tamper: alg none", Action::Tamper { user: u, edit: TokenEdit::AlgNone, lane: None }) }
            </div>
            <div class="group" role="group" aria-label="Faults and operations">
                { select("act-server", "Server", &(1..=servers).map(|n| (n.to_string(), format!("S{n}"))).collect::<Vec<_>>(), &s.to_string(), on_server) }
                { send("Crash", Action::Crash { server: s }) }
                { send("Restart", Action::Restart { server: s }) }
                { send("Bounce (deploy restart)", Action::Bounce { server: s }) }
                { send("Store outage", Action::StoreDown) }
                { send("Store recovers", Action::StoreUp) }
                { send("+10 s", Action::Advance { ms: 10_000 }) }
                { send("+5 min", Action::Advance { ms: 300_000 }) }
                { send("+1 h", Action::Advance { ms: 3_600_000 }) }
                { send("Rotate key (keep old)", Action::RotateKey { keep_old: true }) }
                { send("Rotate key (drop old)", Action::RotateKey { keep_old: false }) }
                { send("Add server", Action::AddServer) }
                { send("Remove server", Action::RemoveServer) }
                { button("Undo", Msg::Undo) }
                { button("Reset", Msg::Reset) }
            </div>
        </section>
    }
}

/// A select's callback that stores the chosen option, parsed, in `state`.
fn setter<T: 'static>(state: &UseStateHandle<T>, parse: fn(String) -> T) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |v: String| state.set(parse(v)))
}
