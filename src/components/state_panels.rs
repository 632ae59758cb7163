use crate::components::short;
use crate::components::token::{token_view, TokenProps};
use crate::state::{Msg, Play};
use statelab_sim::base::human_duration;
use statelab_sim::fleet::{
    store_keys, Client, Credential, Match, Rooms, Server, SharedStore, Socket, StoreValue, RATE_LIMIT, RATE_WINDOW_S,
    REFRESH_COOKIE,
};
use statelab_sim::wire::cookie::SameSite;
use statelab_sim::wire::jwt::TokenEdit;
use statelab_sim::Lane;
use statelab_sim::SimTime;
use statelab_sim::{Action, App, AuthMode, LaneId, User};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Whose browser, in which lane.
struct StateProps {
    lane: LaneId,
    user: User,
}

/// "Where does the state live?" answered by looking: the browser's cookie
/// jar and token storage, each server's sessions, the shared store's keys.
/// `why`: why this user's browser is the one shown (a scenario step acts
/// for them), or `None` when it is the user picked in the action bar.
pub fn state_panels(play: &Play, lane_id: LaneId, user: User, why: Option<AttrValue>) -> Html {
    let props = &StateProps { lane: lane_id, user };
    let engine = play.playground();
    let lane = engine.lane(props.lane);
    let now = lane.now();
    let client = lane.client(props.user);
    let cookies: Vec<_> = client.jar.cookies(now).collect();
    let store_keys = lane.store().entries(now).count();
    let api_keys = &lane.database().api_keys;
    let mode = lane.config().auth;
    let expiry = |t: SimTime| format!("{} {}", if t > now { "expires" } else { "expired" }, t.relative_to(now));
    let ftp = lane.config().app.is_files() && lane.config().app == App::Ftp;
    html! {
        <div class="state">
            <section aria-label={format!("Lane {}: {}'s browser", props.lane.label(), props.user.username())}>
                <h4>{format!("{}'s browser", props.user.username())}</h4>
                if let Some(why) = &why {
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
                                    c.expires.map_or_else(|| "; session cookie".to_owned(), |t| format!("; {}", expiry(t))))}</span>
                                <span class="cookie-note">{cookie_note(&c.path, c.http_only)}</span></li>
                        }) }
                    </ul>
                }
                <p class="label">{ if mode.credential() == Credential::ApiKey { "API key (the client's, sent as X-API-Key)" } else { "localStorage.token" } }</p>
                <p><code>{ client.token.as_deref().map_or("(none)".to_owned(), |t| short(t, 60)) }</code></p>
                if let Some(token) = &client.token {
                    { token_view(play, &TokenProps { token: token.clone(), lane: props.lane, mode, client: Some(props.user.username().to_owned()), upto: u32::MAX }) }
                }
                { app_reckoning(client, mode == AuthMode::Refresh, now) }
                if lane.config().app.is_connection() {
                    <p class="label">{"WebSocket"}</p>
                    <p class="socket-state">{socket_state(lane, client)}</p>
                }
                { credential_editor(play, props) }
            </section>
            <section aria-label={format!("Lane {}: Server memory", props.lane.label())}>
                <h4>{"Server memory"}</h4>
                if lane.config().app.is_connection() {
                    <p class="muted">{"Bytes count sessions and, per open connection, its user and a 4-byte member id (and the credential when the lane re-checks), then the room: recent messages' sender and text, the match as its JSON. Sockets and buffers are not counted."}</p>
                }
                <ul class="kv">
                    { for lane.servers().iter().map(|s| html! {
                        <li>
                            <strong>{format!("S{}", s.no)}</strong>
                            {format!(" {} · {} · {} B", if s.up { "up" } else { "down" }, handled_and_held(lane, s), lane.server_bytes(s))}
                            if lane.config().app.is_connection() {
                                {format!(" · {} open connection{}", s.connections, if s.connections == 1 { "" } else { "s" })}
                                if s.draining {
                                    <strong class="draining">{" · draining: out of rotation until a restart"}</strong>
                                }
                            }
                            { rooms(s.no, &s.rooms) }
                            if ftp {
                                <ul aria-label={format!("S{}'s FTP sessions", s.no)}>
                                    { for lane.ftp_sessions().iter().filter(|f| f.server == s.no).map(crate::components::ftp_session_line) }
                                </ul>
                            }
                            if !s.sessions.is_empty() {
                                <ul>{ capped(s.sessions.len(), s.sessions.iter().map(|(id, sess)| html! {
                                    <li><code>{id.as_str()}</code>{format!(" {} · cart [{}] · {} B · {}", sess.user, sess.cart.join(", "), sess.bytes(id), expiry(sess.expires))}</li>
                                }), "sessions") }</ul>
                            }
                            if !s.counters.is_empty() {
                                // A server counts on its own clock, which a skew may move.
                                <ul aria-label={format!("S{}'s rate-limit counters", s.no)}>{ capped(s.counters.len(), s.counters.iter().map(|(key_id, (n, ends))| html! {
                                    <li><code>{key_id.as_str()}</code>{format!(" S{}'s own count: {} · window ends {}", s.no, rate_count(*n), ends.relative_to(s.clock(now)))}</li>
                                }), "counters") }</ul>
                            }
                        </li>
                    }) }
                </ul>
            </section>
            <section aria-label={format!("Lane {}: Shared store", props.lane.label())}>
                <h4>{ if lane.store().up { "Shared store" } else { "Shared store (down)" } }</h4>
                <ul class="kv">
                    { capped(store_keys, lane.store().entries(now).map(|(k, e)| html! {
                        <li><code>{short(k, 24)}</code>{format!(" {} · TTL {}", meaning(lane.store(), now, k, &e.value), human_duration((e.expires.0 - now.0) / 1000))}</li>
                    }), "keys") }
                </ul>
                if store_keys == 0 {
                    <p class="muted">{"no keys"}</p>
                }
            </section>
            if lane.config().app.is_db() {
                { crate::components::db_pools(lane) }
            }
            <section aria-label={format!("Lane {}: Database", props.lane.label())}>
                <h4>{"Database"}</h4>
                <p class="muted">{"Accounts and orders for everyone; carts when no session holds them; API keys by their SHA-256, never the key."}</p>
                <ul class="kv">
                    { for lane.database().carts.iter().filter(|(_, c)| !c.is_empty()).map(|(user, cart)| html! {
                        <li><code>{format!("carts[\"{user}\"]")}</code>{format!(" [{}]", cart.join(", "))}</li>
                    }) }
                    { capped(api_keys.len(), api_keys.iter().map(|(hash, row)| html! {
                        <li><code>{format!("api_keys[sha256 {}]", short(hash, 12))}</code>{format!(" {} · {}'s", row.key_id, row.user)}</li>
                    }), "API keys") }
                </ul>
            </section>
        </div>
    }
}

/// What a store key holds, in words; a refresh token also says whether its
/// family still names it as the current one.
fn meaning(store: &SharedStore, now: SimTime, key: &str, value: &StoreValue) -> String {
    match value {
        StoreValue::Session(s) => format!("session of {}", s.user),
        StoreValue::Revoked => "revoked token".into(),
        StoreValue::Refresh { family, holder } => {
            let standing = match store.get(&store_keys::family(family), now) {
                Some(StoreValue::Family(current)) if key == store_keys::refresh(current) => "its current one",
                Some(StoreValue::Family(_)) => "already used: presenting it again revokes the family",
                _ => "void: the family is revoked",
            };
            format!("refresh token of {} in family {family} ({standing})", holder.user)
        }
        StoreValue::Family(token) => format!("the family's current refresh token: {}", short(token, 8)),
        StoreValue::Access(h) => format!("opaque token of {}", h.user),
        StoreValue::Count(n) => format!("the store's count, which every server sees: {}", rate_count(*n)),
        StoreValue::History(lines) => format!(
            "the room's {} recent message{}, which a joining client gets from any server",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        ),
        StoreValue::Match(m) => {
            format!("the match's checkpoint at tick {} ({}): any server can resume it", m.tick, players(m))
        }
    }
}

/// What a server has handled and holds: `12 handled · 1 session`, and on
/// an FTP lane, whose servers answer commands and hold FTP sessions,
/// `7 FTP commands answered · 1 FTP session`.
fn handled_and_held(lane: &Lane, s: &Server) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if lane.config().app.is_files() && lane.config().app == App::Ftp {
        let held = lane.ftp_sessions().iter().filter(|f| f.server == s.no).count();
        let n = s.handled as usize;
        return format!("{n} FTP command{} answered · {held} FTP session{}", plural(n), plural(held));
    }
    let held = s.sessions.len();
    format!("{} handled · {held} session{}", s.handled, plural(held))
}

/// A close code with what it means (RFC 6455 §7.4.1), in the wire
/// module's words — but 1006, which is never sent, says so.
pub fn close_code_text(code: u16) -> String {
    match code {
        1006 => "1006 (abnormal closure: never on the wire — the client reports it when the connection drops with no close frame)".into(),
        _ => format!("{code} ({})", statelab_sim::wire::ws::close_code_meaning(code)),
    }
}

/// Where a client's WebSocket stands: open on a server, waiting to
/// reconnect, or closed with the code its app reported.
fn socket_state(lane: &Lane, client: &Client) -> String {
    let mut mine = lane.connections().iter().rev().filter(|c| c.client == client.name);
    let last = mine.next();
    let lost = |prefix: &str| match last.and_then(|c| c.closed.map(|x| (c, x))) {
        Some((c, x)) => {
            format!("{prefix}ws#{} on S{} closed at {} with {}", c.id, c.server, x.at.clock(), close_code_text(x.code))
        }
        None => String::new(),
    };
    match client.socket {
        Socket::Open(id) => match lane.connection(id) {
            // The one before it, if any: why the app had to open this one.
            Some(c) => format!(
                "open: ws#{id} on S{}, since {} (handshake #{}){}{}",
                c.server,
                c.opened.clock(),
                c.handshake,
                if c.user.is_none() { "; the server does not know who it is yet" } else { "" },
                mine.next().and_then(|p| p.closed.map(|x| (p, x))).map_or_else(String::new, |(p, x)| format!(
                    "; before it, ws#{} on S{} closed at {} with {}",
                    p.id,
                    p.server,
                    x.at.clock(),
                    close_code_text(x.code)
                ))
            ),
            None => format!("open: ws#{id}"),
        },
        Socket::Retrying { at, attempt } => {
            format!("reconnecting at {} (attempt {}){}", at.clock(), attempt.saturating_add(1), lost("; "))
        }
        Socket::Closed if last.is_none() => "never opened: Connect opens it".to_owned(),
        Socket::Closed => format!("closed, and the app will not reconnect by itself{}", lost(": ")),
    }
}

/// What a server's memory holds of the rooms: a chat room's recent lines
/// (chat in server memory) and the match it runs.
fn rooms(no: statelab_sim::ServerNo, rooms: &Rooms) -> Html {
    html! {
        <>
            if !rooms.chat.is_empty() {
                <ul aria-label={format!("S{no}'s chat room")}>
                    <li class="muted">{format!("the room's recent messages in S{no}'s memory ({}):", rooms.chat.len())}</li>
                    { for rooms.chat.iter().map(|l| html! { <li><strong>{&l.from}</strong>{": "}{&l.text}</li> }) }
                </ul>
            }
            if let Some(m) = &rooms.game {
                <ul aria-label={format!("S{no}'s match")}>
                    <li>{format!("the match in S{no}'s memory, at tick {}: {}", m.tick, players(m))}</li>
                </ul>
            }
        </>
    }
}

/// `alice at (1, 0), bob at (0, 0)`, or that nobody plays yet.
fn players(m: &Match) -> String {
    if m.players.is_empty() {
        return "no players".to_owned();
    }
    m.players.iter().map(|(name, (x, y))| format!("{name} at ({x}, {y})")).collect::<Vec<_>>().join(", ")
}

/// A rate-limit count against [`RATE_LIMIT`] per [`RATE_WINDOW_S`].
fn rate_count(n: u32) -> String {
    if n > RATE_LIMIT {
        format!("{n} requests, over the limit of {RATE_LIMIT} per {RATE_WINDOW_S} s: refused with 429 until the window ends")
    } else {
        format!("{n} used of {RATE_LIMIT} allowed per {RATE_WINDOW_S} s")
    }
}

/// Where a cookie goes and who can read it, from its attributes.
fn cookie_note(path: &str, http_only: bool) -> String {
    let sent = if path == "/" { "sent with every request".to_owned() } else { format!("sent only to {path}") };
    let read = if http_only { "page scripts cannot read it (HttpOnly)" } else { "page scripts can read it" };
    format!(" — {sent}; {read}")
}

/// When the app takes its token to expire, from the `expires_in` it came
/// with; in a refresh lane, what its next request does about it.
fn app_reckoning(client: &Client, refreshes: bool, now: SimTime) -> Html {
    let (Some(_), Some(at)) = (&client.token, client.token_expires) else { return html! {} };
    let verb = if at > now { "expires" } else { "expired" };
    let mut said =
        format!("By the app's reckoning (expires_in) the token {verb} at {} ({}).", at.clock(), at.relative_to(now));
    if refreshes && at <= now {
        said.push_str(if client.refresh_due(now) {
            " Its next request (other than a login) first sends POST /token/refresh with the refresh cookie."
        } else {
            " It holds no refresh cookie to trade, so its next request goes out with the expired token."
        });
    }
    html! { <p class="muted reckoning">{said}</p> }
}

/// Replace the stored token or session cookie with text typed by hand, as
/// in devtools — and, in a refresh lane, the refresh token in its `HttpOnly`
/// cookie, which devtools can edit though page scripts cannot read it. The
/// engine refuses what could not travel in a header, and the page says why.
fn credential_editor(play: &Play, props: &StateProps) -> Html {
    let engine = play.playground();
    let lane = engine.lane(props.lane);
    let stored = lane.credential(props.user).map(|current| {
        let what = lane.config().auth.credential_name();
        editor(play, props, "", what, current, |value| TokenEdit::Set { value })
    });
    let refresh = (lane.config().auth == AuthMode::Refresh)
        .then(|| lane.client(props.user).jar.get(REFRESH_COOKIE, lane.now()))
        .flatten()
        .map(|c| {
            editor(play, props, "-refresh", "refresh token", c.value.clone(), |value| TokenEdit::SetRefresh { value })
        });
    html! { <>{stored}{refresh}</> }
}

/// One hand-edit form: its field starts with `current`, and `edit` turns
/// what was typed into the edit the lane is sent.
fn editor(
    play: &Play,
    props: &StateProps,
    slot: &str,
    what: &str,
    current: String,
    edit: fn(String) -> TokenEdit,
) -> Html {
    let id = format!("edit{slot}-{}-{}", props.lane.code(), props.user.username());
    let onsubmit = {
        let (play, user, lane) = (play.clone(), props.user, props.lane);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // The form's own field (the event's target is the form).
            let field = e.target_dyn_into::<web_sys::Element>().and_then(|f| f.query_selector("input").ok().flatten());
            if let Some(field) = field.and_then(|f| f.dyn_into::<HtmlInputElement>().ok()) {
                play.dispatch(Msg::Act(Action::Tamper { user, edit: edit(field.value()), lane: Some(lane) }));
            }
        })
    };
    html! {
        <form class="credential-editor" {onsubmit}>
            <label for={id.clone()}>{format!("Edit the {what} by hand")}</label>
            <input id={id} value={current} spellcheck="false" autocomplete="off" />
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
