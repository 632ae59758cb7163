use crate::components::badge::StatusBadge;
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
    /// Open unless the learner closed it: the current step's rows are.
    #[prop_or_default]
    pub open: bool,
    /// Made by the current scenario step.
    #[prop_or_default]
    pub in_step: bool,
}

/// Headers that carry identity: always marked.
const CREDENTIAL_HEADERS: [&str; 3] = ["Authorization", "Cookie", "Set-Cookie"];

/// One request as one compact row (time, number, outcome, request, server,
/// credential bytes, latency) that opens to the raw exchange.
#[component]
pub fn ExchangeView(props: &ExchangeProps) -> Html {
    // A click flips the row from what `open` says, so the previous step's
    // rows close when the next step opens them unless the learner chose.
    let flipped = use_state(|| false);
    let open = props.open != *flipped;
    let toggle = {
        let flipped = flipped.clone();
        Callback::from(move |_: MouseEvent| flipped.set(!*flipped))
    };
    let x = &props.exchange.0;
    html! {
        <article class={if props.in_step { "exchange in-step" } else { "exchange" }} aria-label={format!("Request {} to {}: {} {}", x.seq, x.server_label(), x.response.status, x.response.reason())}>
            <button type="button" class="row" aria-expanded={open.to_string()} onclick={toggle}>
                <time>{x.at.clock()}</time>
                <span class="seq">{format!("#{}", x.seq)}</span>
                <span class="status"><StatusBadge status={x.response.status} reason={x.response.reason()} /></span>
                <span class="req">{format!("{} {}", x.request.method, x.request.target)}</span>
                <span class="meta">
                    <span class="route">{format!("{} → {}", x.client, x.server_label())}</span>
                    <span>{format!(" · cred {} B · {} ms", x.credential_bytes, x.latency_ms)}</span>
                </span>
            </button>
            if open {
                { details(&props.exchange, props.focus) }
            }
        </article>
    }
}

/// The raw request and response, the token, what happened inside, costs.
fn details(exchange: &Shared, focus: &[&str]) -> Html {
    let x = &exchange.0;
    let lane = LaneId::from_index(usize::from(x.lane)).unwrap_or(LaneId::A);
    // A token the request carries is compared with the one this client was
    // issued before; a token this response issues is the reference itself.
    let token = match x.request.bearer_token() {
        Some(t) => Some((t.to_owned(), Some(x.seq))),
        None => x.response.issued_token().map(|t| (t, None)),
    };
    html! {
        <div class="details">
            <p class="why">{format!("{} → {} · {}", x.client, x.server_label(), x.route)}</p>
            <div class="wire">
                { wire("Request", &x.request.to_wire(), focus) }
                { wire("Response", &x.response.to_wire(), focus) }
            </div>
            if let Some((token, before)) = token {
                <TokenView token={AttrValue::from(token)} {lane} client={AttrValue::from(x.client.clone())} {before} open=true />
            }
            <ol class="trace" aria-label="Inside the server">
                { for x.trace.iter().map(|t| html! { <li>{t}</li> }) }
            </ol>
            <CopyCurl exchange={exchange.clone()} />
            <p class="costs">
                {format!("{} ms · request {} B (credentials {} B) · response {} B{}", x.latency_ms, x.request_bytes, x.credential_bytes, x.response_bytes,
                    if x.store_trips > 0 { format!(" · {} store round trip{}", x.store_trips, if x.store_trips == 1 { "" } else { "s" }) } else { String::new() })}
            </p>
        </div>
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
