use crate::components::badge::status_badge;
use crate::components::copy::CopyButton;
use crate::components::token::{credential_of, token_view, TokenProps};
use crate::state::Play;
use statelab_sim::text::curl;
use statelab_sim::wire::http::wire_lines;
use statelab_sim::Exchange;
use std::rc::Rc;
use web_sys::Element;
use yew::prelude::*;

/// Exchanges compare by identity: the engine never changes a recorded one,
/// so an unchanged list re-renders nothing.
#[derive(Clone)]
pub struct Shared(pub Rc<Exchange>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct ExchangeProps {
    pub exchange: Shared,
    /// Open unless the reader closes it: the current step's rows (in free
    /// play, the newest action's).
    pub open: bool,
    /// Header names the current scenario step points at (empty unless this
    /// exchange was made by that step).
    #[prop_or_default]
    pub focus: Rc<[&'static str]>,
}

/// Headers that carry identity: always marked.
const CREDENTIAL_HEADERS: [&str; 4] = ["Authorization", "Cookie", "Set-Cookie", "X-API-Key"];

/// One request as a row, like a browser's Network panel — `#3 ✕ 401
/// Unauthorized · GET /api/me · S2 · 180 B · 12 ms` — that opens to the raw
/// request and response, the trace and the token. A closed row renders
/// only its summary, so a long history stays cheap.
#[component]
pub fn ExchangeView(props: &ExchangeProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    // The reader's own choice, kept until it agrees with the default again.
    let chosen = use_state(|| None::<bool>);
    let open = chosen.unwrap_or(props.open);
    let x = &props.exchange.0;
    let o = x.outcome();
    let ontoggle = {
        let (chosen, default) = (chosen.clone(), props.open);
        // `toggle` also fires when the page itself sets `open`: only a
        // difference from the default is the reader's.
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<Element>() {
                let now = el.has_attribute("open");
                chosen.set((now != default).then_some(now));
            }
        })
    };
    html! {
        <article class={classes!("exchange", o.class())} aria-label={format!("Request {} to {}: {}", x.seq, x.server_label(), x.status_text())}>
            <details {open} {ontoggle}>
                <summary>
                    <span class="seq">{format!("#{}", x.seq)}</span>
                    { status_badge(x) }
                    <span class="req">{format!("{} {}", x.request.method, x.request.target)}</span>
                    <span class="srv">{x.server_label()}</span>
                    <span class="num" title="Credential bytes: Authorization, Cookie and X-API-Key headers">{format!("{} B", x.credential_bytes)}</span>
                    <span class="num">{format!("{} ms", x.latency_ms)}</span>
                </summary>
                if open {
                    { body(&play, props) }
                }
            </details>
        </article>
    }
}

/// What an open row shows: the balancer's choice, the raw messages, the
/// token, what happened inside and what it cost.
fn body(play: &Play, props: &ExchangeProps) -> Html {
    let x = &props.exchange.0;
    let mode = x.auth;
    html! {
        <div class="exchange-body">
            <p class="route">{format!("{} → {} · {}", x.client, x.server_label(), x.balancer_reason)}</p>
            <div class="wire">
                { wire("Request", &x.request.to_wire(), &props.focus) }
                { wire("Response", &x.response.to_wire(), &props.focus) }
            </div>
            if let Some(token) = credential_of(x, mode) {
                { token_view(play, &TokenProps { token, lane: x.lane, mode, client: Some(x.client.clone()), upto: x.seq }) }
            }
            <ol class="trace" aria-label="Inside the server">
                { for x.trace.iter().map(|t| html! { <li>{t}</li> }) }
            </ol>
            <p class="costs">
                {format!("{} ms · request {} B (credentials {} B) · response {} B{}{}", x.latency_ms, x.request_bytes, x.credential_bytes, x.response_bytes,
                    trips(x.store_trips, "store round trip"), trips(x.db_trips, "database round trip"))}
                {" "}
                <CopyButton label="Copy as curl" class="link" name={format!("Copy request {} as curl", x.seq)} done="Copied as curl" text={curl_of(&props.exchange)} />
            </p>
        </div>
    }
}

/// ` · 2 store round trips`, or nothing when there were none.
fn trips(n: u32, what: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" · 1 {what}"),
        n => format!(" · {n} {what}s"),
    }
}

/// The request as a curl command for the simulated host, built on click.
fn curl_of(x: &Shared) -> Callback<(), String> {
    let x = x.0.clone();
    Callback::from(move |()| curl(&x.request, "https://shop.example"))
}

/// The exact wire text, one line per row, credential headers marked.
fn wire(title: &str, text: &str, focus: &[&str]) -> Html {
    let marked = |line: &str| {
        let name = line.split(':').next().unwrap_or("");
        let credential = CREDENTIAL_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name));
        let focused = focus.iter().any(|h| h.eq_ignore_ascii_case(name));
        classes!(credential.then_some("credential"), focused.then_some("focus"))
    };
    html! {
        <figure class="message">
            <figcaption>{title}</figcaption>
            <pre>
                { for wire_lines(text).map(|line| html! { <span class={marked(line)}>{line}{"\n"}</span> }) }
            </pre>
        </figure>
    }
}
