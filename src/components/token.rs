use crate::state::Play;
use statelab_sim::jwt::{inspect, Rejection};
use statelab_sim::time::SimTime;
use statelab_sim::LaneId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TokenProps {
    pub token: AttrValue,
    /// Whose fleet keys judge it.
    pub lane: LaneId,
}

/// A JWT opened up: header, payload, times in words, and whether the lane's
/// fleet key accepts it right now. Decoded only when opened.
#[component]
pub fn TokenView(props: &TokenProps) -> Html {
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <div class="token">
            <button type="button" class="link" aria-expanded={open.to_string()} onclick={toggle}>
                { if *open { "Hide decoded JWT" } else { "Decode this JWT" } }
            </button>
            if *open {
                <TokenDetails token={props.token.clone()} lane={props.lane} />
            }
        </div>
    }
}

#[component]
fn TokenDetails(props: &TokenProps) -> Html {
    let play = use_context::<Play>().expect("TokenView sits inside the playground");
    let lane = play.playground.lane(props.lane.index());
    let now = lane.now();
    match inspect(&props.token, lane.keys(), now.secs()) {
        Err(e) => html! { <p class="bad" role="status">{format!("Not a JWT: {e}")}</p> },
        Ok(i) => {
            let when = |label: &str, t: Option<u64>| -> Html {
                let Some(at) = t.and_then(SimTime::from_secs) else { return html! {} };
                html! { <li>{format!("{label}: {} ({})", at.iso8601(), at.relative_to(now))}</li> }
            };
            let verdict = match &i.verdict {
                Ok(()) => {
                    html! { <p class="ok">{"Signature verifies with this lane's fleet key (HS256), and the token is in date."}</p> }
                }
                Err(Rejection::BadSignature) => {
                    html! { <p class="bad">{"Signature does NOT verify with the fleet key: the token was altered."}</p> }
                }
                Err(e) => html! { <p class="bad">{format!("Refused: {e}")}</p> },
            };
            html! {
                <div class="token-details">
                    <p class="label">{"Header"}</p><pre>{&i.header_json}</pre>
                    <p class="label">{"Payload"}</p><pre>{&i.payload_json}</pre>
                    <ul>{ when("issued (iat)", i.iat) }{ when("expires (exp)", i.exp) }</ul>
                    { verdict }
                </div>
            }
        }
    }
}
