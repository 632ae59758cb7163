use crate::components::copy::CopyButton;
use crate::components::token::TokenView;
use statelab_sim::export::curl;
use statelab_sim::http::wire_lines;
use statelab_sim::{Exchange, LaneId};
use std::rc::Rc;
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
    /// Header names the current scenario step points at (empty unless this
    /// exchange was made by that step).
    #[prop_or_default]
    pub focus: &'static [&'static str],
}

/// Headers that carry identity: always marked.
const CREDENTIAL_HEADERS: [&str; 3] = ["Authorization", "Cookie", "Set-Cookie"];

/// One request and its response, raw, side by side.
#[component]
pub fn ExchangeView(props: &ExchangeProps) -> Html {
    let x = &props.exchange.0;
    let ok = if x.ok() { "ok" } else { "bad" };
    let token = x.token();
    html! {
        <article class="exchange" aria-label={format!("Request {} to {}: {} {}", x.seq, x.server_label(), x.response.status, x.response.reason())}>
            <header>
                <span class={classes!("status", ok)}>{format!("{} {}", x.response.status, x.response.reason())}</span>
                <strong>{format!(" #{} {} {} ", x.seq, x.request.method, x.request.target)}</strong>
                <span class="route">{format!("{} → {} · {}", x.client, x.server_label(), x.route)}</span>
            </header>
            <div class="wire">
                { wire("Request", &x.request.to_wire(), props.focus) }
                { wire("Response", &x.response.to_wire(), props.focus) }
            </div>
            if let Some(token) = token {
                <TokenView token={AttrValue::from(token)} lane={LaneId::from_index(usize::from(x.lane)).unwrap_or(LaneId::A)} />
            }
            <ol class="trace" aria-label="Inside the server">
                { for x.trace.iter().map(|t| html! { <li>{t}</li> }) }
            </ol>
            <CopyCurl exchange={props.exchange.clone()} />
            <p class="costs">
                {format!("{} ms · request {} B (credentials {} B) · response {} B{}", x.latency_ms, x.request_bytes, x.credential_bytes, x.response_bytes,
                    if x.store_trips > 0 { format!(" · {} store round trip{}", x.store_trips, if x.store_trips == 1 { "" } else { "s" }) } else { String::new() })}
            </p>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct CurlProps {
    exchange: Shared,
}

/// Copies the request as a curl command for the simulated host.
#[component]
fn CopyCurl(props: &CurlProps) -> Html {
    let x = props.exchange.0.clone();
    let text = Callback::from(move |()| curl(&x.request, "https://shop.example"));
    html! {
        <p class="curl">
            <CopyButton label="Copy as curl" class="link" name={format!("Copy request {} as curl", props.exchange.0.seq)} done="Copied as curl" {text} />
        </p>
    }
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
