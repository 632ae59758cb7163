use crate::components::short;
use crate::state::Play;
use statelab_sim::base::{human_duration, SimTime};
use statelab_sim::fleet::{api_key_hash, store_keys, Credential, StoreEntry, StoreValue, API_KEY_HEADER};
use statelab_sim::wire::json::{object_members, write_str, Json};
use statelab_sim::wire::jwt::{inspect, split, Rejection};
use statelab_sim::{AuthMode, Exchange, Lane, LaneId};
use yew::prelude::*;

/// A credential to open up: which lane's fleet judges it, how that lane
/// read credentials when it travelled, and, to mark what a hand edit
/// changed, the browser holding it and the last request to look at (its
/// own): a claim that differs from the token the lane last issued to that
/// browser is marked as changed.
pub struct TokenProps {
    pub token: String,
    pub lane: LaneId,
    pub mode: AuthMode,
    pub client: Option<String>,
    pub upto: u32,
}

/// The credential an exchange carries or hands out as a lane of `mode`
/// reads it: a bearer token, or an API key; a cookie lane's is in its
/// cookie, which the raw messages show.
pub fn credential_of(x: &Exchange, mode: AuthMode) -> Option<String> {
    match mode.credential() {
        Credential::Bearer => x.token(),
        Credential::ApiKey => {
            x.request.headers.get(API_KEY_HEADER).map(str::to_owned).or_else(|| x.response.issued_token())
        }
        Credential::Cookie(_) => None,
    }
}

/// A JWT opened up, like jwt.io: its three parts in their colours, header
/// and payload one claim a line (claims changed since the server issued the
/// token marked), times as dates and relative, and a large verdict from the
/// lane's fleet keys right now. An opaque token or an API key has nothing
/// to decode: it says so, and what the store or the database says it means.
pub fn token_view(play: &Play, props: &TokenProps) -> Html {
    let (summary, details) = match props.mode.credential() {
        _ if props.mode.sends_jwt() => ("Decode this JWT".to_owned(), token_details(play, props)),
        kind @ (Credential::Bearer | Credential::ApiKey) => (
            format!("What is inside this {}?", props.mode.credential_name()),
            reference(play, props, kind == Credential::ApiKey),
        ),
        // A cookie lane's app sends no stored token (one left from before a
        // redeploy stays unused): nothing the lane reads to open up.
        Credential::Cookie(_) => return html! {},
    };
    html! {
        <details class="token">
            <summary>{summary}</summary>
            { details }
        </details>
    }
}

/// An opaque token or an API key (`key`): a reference whose meaning lives
/// in the shared store, or in the database by the key's hash.
fn reference(play: &Play, props: &TokenProps, key: bool) -> Html {
    let engine = play.playground();
    let lane = engine.lane(props.lane);
    let (kept, now) = if key {
        (
            "The database keeps only its SHA-256, never the key: each server hashes the key it receives and looks the hash up on every request.",
            api_key_row(lane, &props.token),
        )
    } else {
        (
            "Only the shared store knows what it stands for: each server asks it on every request (introspection).",
            store_entry(lane, &props.token),
        )
    };
    html! {
        <div class="token-details">
            <p class="verdict-big"><span class="verdict">{"Nothing inside: an opaque reference"}</span></p>
            <p class="muted">{format!("{} characters from which a server reads nothing: no user, no expiry, no signature. {kept}", props.token.chars().count())}</p>
            <p class="reference-now">{now}</p>
        </div>
    }
}

/// What the shared store says of an opaque token now.
fn store_entry(lane: &Lane, token: &str) -> String {
    let now = lane.now();
    let store = lane.store();
    let key = format!("token:{}", short(token, 8));
    let said = match store.entry(&store_keys::token(token), now) {
        Some(StoreEntry { value: StoreValue::Access(h), expires }) => format!(
            "Now the store holds {key}: it is {}'s ({}), for {} more.",
            h.user,
            h.role,
            human_duration((expires.0 - now.0) / 1000)
        ),
        _ => format!(
            "Now the store holds no {key}: the token is not active (revoked, expired or never issued), and the token itself cannot say which."
        ),
    };
    if store.up {
        said
    } else {
        format!("{said} The store is down: no server can ask it, so a request with this token gets a 503.")
    }
}

/// What the database says of an API key now: its row is found by the key's
/// SHA-256, as every server finds it.
fn api_key_row(lane: &Lane, key: &str) -> String {
    let hash = api_key_hash(key);
    match lane.database().api_keys.get(&hash) {
        Some(row) => format!(
            "Now the database's api_keys has its row: SHA-256 {} → {}, {}'s.",
            short(&hash, 12),
            row.key_id,
            row.user
        ),
        None => format!(
            "Now the database's api_keys has no row for SHA-256 {}: the key was revoked, rotated or never issued, and every server refuses it.",
            short(&hash, 12)
        ),
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
            // A history row's token is judged as the fleet would judge it now,
            // which may not be what it met when it was sent: say both.
            let then = lane.exchange(props.upto).map(|x| {
                format!(
                    "Judged now, at {}, with the fleet's keys as they are now. When this request was sent, at {}, {} answered {}.",
                    now.clock(),
                    x.at.clock(),
                    x.server_label(),
                    x.response.status
                )
            });
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
                    if let Some(then) = then {
                        <p class="muted judged">{then}</p>
                    }
                    <p class="jwt" aria-label="The token: header, payload, signature">
                        { for props.token.split('.').enumerate().map(|(k, part)| html! {
                            <>{ if k > 0 { "." } else { "" } }<span class={["jwt-h", "jwt-p", "jwt-s"].get(k).copied().unwrap_or("jwt-s")}>{part}</span></>
                        }) }
                    </p>
                    <p class="label jwt-h">{"Header"}</p>{ pretty(&i.header_json, was_header.as_deref()) }
                    <p class="label jwt-p">{"Payload"}</p>{ pretty(&i.payload_json, was_payload.as_deref()) }
                    <ul>{ when("issued (iat)", i.iat) }{ when("expires (exp)", i.exp) }{ family(lane, &i.payload_json) }</ul>
                </div>
            }
        }
    }
}

/// A refresh lane's access token names its refresh family in `sid`: whether
/// the store still holds that family says whether this login can refresh.
fn family(lane: &Lane, payload: &str) -> Html {
    let Some(sid) = Json::parse(payload).ok().and_then(|p| p.get("sid")?.as_str().map(str::to_owned)) else {
        return html! {};
    };
    let held = matches!(lane.store().get(&store_keys::family(&sid), lane.now()), Some(StoreValue::Family(_)));
    let now = if held {
        format!("family:{sid} is in the shared store: its current refresh token can still be traded for a new access token.")
    } else {
        format!("family:{sid} is not in the shared store (revoked by a logout or a detected reuse, or expired): no more refreshes, though this access token verifies until its exp.")
    };
    let down = if lane.store().up { "" } else { " The store is down: no refresh succeeds until it answers again." };
    html! { <li>{format!("refresh family (sid): {sid}. ")}<span class="family-now">{now}{down}</span></li> }
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
