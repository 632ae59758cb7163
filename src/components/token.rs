use crate::state::Play;
use statelab_sim::json::{write_str, Json};
use statelab_sim::jwt::{inspect, Rejection};
use statelab_sim::time::SimTime;
use statelab_sim::{Lane, LaneId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TokenProps {
    pub token: AttrValue,
    /// Whose fleet keys judge it.
    pub lane: LaneId,
    /// The user whose browser holds it.
    pub client: AttrValue,
    /// Compare with the newest token issued to `client` by a request before
    /// this number (`None`: this is the issued token itself).
    #[prop_or_default]
    pub before: Option<u32>,
    /// Decoded from the start (inside an opened request) or on request.
    #[prop_or_default]
    pub open: bool,
}

/// A JWT opened up as jwt.io does: its three parts in three colours and
/// labelled, the decoded JSON, claims that differ from the issued token,
/// times in words, and whether the lane's fleet accepts it right now.
#[component]
pub fn TokenView(props: &TokenProps) -> Html {
    let open = use_state(|| props.open);
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
                <TokenDetails token={props.token.clone()} lane={props.lane} client={props.client.clone()} before={props.before} />
            }
        </div>
    }
}

#[component]
fn TokenDetails(props: &TokenProps) -> Html {
    let play = use_context::<Play>().expect("TokenView sits inside the playground");
    let lane = play.playground.lane(props.lane.index());
    let now = lane.now();
    let i = match inspect(&props.token, lane.keys(), now.secs()) {
        Err(e) => return html! { <p class="bad" role="status">{format!("Not a JWT: {e}")}</p> },
        Ok(i) => i,
    };
    let when = |label: &str, t: Option<u64>| -> Html {
        let Some(at) = t.and_then(SimTime::from_secs) else { return html! {} };
        html! { <li>{format!("{label}: {} ({})", at.iso8601(), at.relative_to(now))}</li> }
    };
    let (headline, why) = match &i.verdict {
        Ok(()) => {
            ("Verified", "Signature verifies with this lane's fleet key (HS256), and the token is in date.".to_owned())
        }
        Err(Rejection::BadSignature) => (
            "Invalid",
            "Signature does NOT verify with the fleet key: the token was altered or signed with another key."
                .to_owned(),
        ),
        Err(e) => ("Invalid", format!("Refused: {e}.")),
    };
    let ok = i.verdict.is_ok();
    let issued = props.before.and_then(|before| issued_before(lane, &props.client, before));
    let was = issued
        .as_ref()
        .and_then(|(_, t)| statelab_sim::jwt::split(t).ok())
        .and_then(|p| Json::parse(&p.payload_json).ok());
    let mut parts = props.token.splitn(3, '.');
    html! {
        <div class="token-details">
            <p class={if ok { "verdict ok" } else { "verdict bad" }}>
                <strong><span aria-hidden="true">{ if ok { "✓ " } else { "✕ " } }</span>{headline}</strong>
                <span>{why}</span>
                <span class="muted">{format!("Checked at {} on lane {}'s clock, with its current keys.", now.clock(), props.lane)}</span>
            </p>
            <p class="jwt" aria-label="The token's three parts, split at its dots">
                { for [("jwt-part h", "header"), ("jwt-part p", "payload"), ("jwt-part s", "signature")].into_iter().map(|(class, label)| html! {
                    <span {class}><span class="jwt-label">{label}</span><code>{parts.next().unwrap_or("")}</code></span>
                }) }
            </p>
            <p class="label">{"Header"}</p>
            <pre class="json h">{ match Json::parse(&i.header_json) { Ok(j) => pretty(&j), Err(_) => i.header_json.clone() } }</pre>
            <p class="label">{"Payload"}</p>
            { payload(&i.payload_json, was.as_ref()) }
            if let (Some((x, _)), Some(_)) = (&issued, &was) {
                <p class="muted compared">{format!("Claims compared with the token {} issued to {} in request #{x}.", issued_by(lane, *x), props.client)}</p>
            }
            <ul>{ when("issued (iat)", i.iat) }{ when("expires (exp)", i.exp) }</ul>
        </div>
    }
}

/// The newest token a response issued to `client` in a request numbered
/// below `before`, with that request's number.
fn issued_before(lane: &Lane, client: &str, before: u32) -> Option<(u32, String)> {
    lane.exchanges()
        .rev()
        .filter(|x| x.seq < before && x.client == client)
        .find_map(|x| Some((x.seq, x.response.issued_token()?)))
}

fn issued_by(lane: &Lane, seq: u32) -> String {
    lane.exchange(seq).map_or_else(String::new, |x| x.server_label())
}

/// The payload pretty-printed, one claim a line, each claim whose value
/// differs from the issued token's marked with what it was.
fn payload(text: &str, was: Option<&Json>) -> Html {
    let Ok(Json::Obj(members)) = Json::parse(text) else {
        return html! { <pre class="json p">{text}</pre> };
    };
    let last = members.len().saturating_sub(1);
    html! {
        <pre class="json p">
            {"{\n"}
            { for members.iter().enumerate().map(|(n, (k, v))| {
                let mut line = String::from("  ");
                write_str(&mut line, k);
                line.push_str(": ");
                write_pretty(v, 1, &mut line);
                let before = was.map(|w| w.get(k));
                // Compared as written: the JSON writer is already in the bundle.
                let changed = before.is_some_and(|b| b.map(Json::to_text) != Some(v.to_text()));
                html! {
                    <>
                        if changed {
                            <mark class="changed">{line}</mark>
                            <span class="was">{ match before.flatten() {
                                Some(b) => format!(" ← was {}", b.to_text()),
                                None => " ← not in the issued token".to_owned(),
                            } }</span>
                        } else {
                            {line}
                        }
                        { if n < last { ",\n" } else { "\n" } }
                    </>
                }
            }) }
            {"}"}
        </pre>
    }
}

fn pretty(v: &Json) -> String {
    let mut out = String::new();
    write_pretty(v, 0, &mut out);
    out
}

/// JSON with two-space indentation (the engine's writer is compact).
/// Nesting is bounded by the parser, so the recursion is too.
fn write_pretty(v: &Json, depth: usize, out: &mut String) {
    let newline = |out: &mut String, d: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", d));
    };
    match v {
        Json::Arr(items) if !items.is_empty() => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_pretty(item, depth + 1, out);
            }
            newline(out, depth);
            out.push(']');
        }
        Json::Obj(members) if !members.is_empty() => {
            out.push('{');
            for (n, (k, item)) in members.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_str(out, k);
                out.push_str(": ");
                write_pretty(item, depth + 1, out);
            }
            newline(out, depth);
            out.push('}');
        }
        _ => v.write(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_indented_two_spaces() {
        let v = Json::parse(r#"{"a":[1,{"b":"x"}],"c":{},"d":"é"}"#).unwrap();
        assert_eq!(
            pretty(&v),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x\"\n    }\n  ],\n  \"c\": {},\n  \"d\": \"é\"\n}"
        );
    }
}
