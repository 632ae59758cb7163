use crate::state::Play;
use statelab_sim::base::SimTime;
use statelab_sim::wire::json::{object_members, write_str};
use statelab_sim::wire::jwt::{inspect, split, Rejection};
use statelab_sim::LaneId;
use yew::prelude::*;

/// A token to open up: which lane's fleet keys judge it, and, to mark what
/// a hand edit changed, the browser holding it and the last request to
/// look at (its own): a claim that differs from the token the lane last
/// issued to that browser is marked as changed.
pub struct TokenProps {
    pub token: String,
    pub lane: LaneId,
    pub client: Option<String>,
    pub upto: u32,
}

/// A JWT opened up, like jwt.io: its three parts in their colours, header
/// and payload one claim a line (claims changed since the server issued the
/// token marked), times as dates and relative, and a large verdict from the
/// lane's fleet keys right now.
pub fn token_view(play: &Play, props: &TokenProps) -> Html {
    html! {
        <details class="token">
            <summary>{"Decode this JWT"}</summary>
            { token_details(play, props) }
        </details>
    }
}

fn token_details(play: &Play, props: &TokenProps) -> Html {
    let engine = play.playground();
    let lane = engine.lane(props.lane);
    let now = lane.now();
    match inspect(&props.token, lane.keys(), now.secs()) {
        Err(e) => html! { <p class="verdict s4xx" role="status">{format!("✕ Not a JWT: {e}")}</p> },
        Ok(i) => {
            let when = |label: &str, t: Option<u64>| -> Html {
                let Some(at) = t.and_then(SimTime::from_secs) else { return html! {} };
                html! { <li>{format!("{label}: {} ({})", at.iso8601(), at.relative_to(now))}</li> }
            };
            let (class, verdict) = match &i.verdict {
                Ok(()) => ("s2xx", "✓ Signature verified".to_owned()),
                Err(Rejection::BadSignature) => ("s4xx", "✕ Invalid signature".to_owned()),
                Err(e) => ("s4xx", format!("✕ Refused: {e}")),
            };
            let why = match &i.verdict {
                Ok(()) => "HS256 with this lane's fleet key, and the token is in date.".to_owned(),
                Err(Rejection::BadSignature) => {
                    "The signature does not match the fleet key: the token was altered after it was signed.".to_owned()
                }
                Err(_) => "A server of this lane refuses it.".to_owned(),
            };
            // Only a token whose signature or algorithm fails can have been
            // edited by hand: only then look back for the token as issued, a
            // walk as long as the history (an expired token never walks).
            let edited =
                matches!(i.verdict, Err(Rejection::BadSignature | Rejection::AlgNone | Rejection::WrongAlg(_)));
            let issued = props.client.as_deref().filter(|_| edited).and_then(|c| {
                lane.exchanges()
                    .rev()
                    .filter(|x| x.seq <= props.upto && x.client == c)
                    .find_map(|x| x.response.issued_token())
            });
            let was = issued.filter(|t| *t != props.token).and_then(|t| split(&t).ok());
            let (was_header, was_payload) = was.map_or((None, None), |p| (Some(p.header_json), Some(p.payload_json)));
            html! {
                <div class="token-details">
                    <p class="verdict-big"><span class={classes!("verdict", class)}>{verdict}</span></p>
                    <p class="muted">{why}</p>
                    <p class="jwt" aria-label="The token: header, payload, signature">
                        { for props.token.split('.').enumerate().map(|(k, part)| html! {
                            <>{ if k > 0 { "." } else { "" } }<span class={["jwt-h", "jwt-p", "jwt-s"].get(k).copied().unwrap_or("jwt-s")}>{part}</span></>
                        }) }
                    </p>
                    <p class="label jwt-h">{"Header"}</p>{ pretty(&i.header_json, was_header.as_deref()) }
                    <p class="label jwt-p">{"Payload"}</p>{ pretty(&i.payload_json, was_payload.as_deref()) }
                    <ul>{ when("issued (iat)", i.iat) }{ when("expires (exp)", i.exp) }</ul>
                </div>
            }
        }
    }
}

/// A JSON object one member a line; with `was`, members that differ from it
/// (or are new) are marked as changed.
fn pretty(json: &str, was: Option<&str>) -> Html {
    let members = |text: &str| {
        let mut out = Vec::new();
        let read = object_members(text, |k, v| {
            out.push((k.to_owned(), v.to_text()));
            Ok(())
        });
        read.map(|()| out)
    };
    // Not an object (a hand-edited token): shown as it is.
    let Ok(now) = members(json) else { return html! { <pre>{json}</pre> } };
    let before = was.and_then(|w| members(w).ok());
    let last = now.len().saturating_sub(1);
    html! {
        <pre>
            {"{\n"}
            { for now.iter().enumerate().map(|(n, (k, v))| {
                let changed = before.as_ref().is_some_and(|b| !b.iter().any(|(bk, bv)| bk == k && bv == v));
                let mut key = String::new();
                write_str(&mut key, k);
                html! {
                    <span class={classes!(changed.then_some("changed"))}>
                        {format!("  {key}: {v}{}", if n < last { "," } else { "" })}
                        if changed { <em>{"  ← changed since it was issued"}</em> }
                        {"\n"}
                    </span>
                }
            }) }
            {"}"}
        </pre>
    }
}
