//! What one action did on WebSocket connections: each frame that crossed,
//! who sent it to whom, decoded field by field (RFC 6455 §5.2) and as the
//! bytes on the wire, then the servers' trace — who got a message, and who
//! did not and why.

use crate::components::state_panels::close_code_text;
use crate::state::Play;
use statelab_sim::fleet::{FrameRecord, Miss, SocketRecord};
use statelab_sim::wire::ws::Opcode;
use statelab_sim::LaneId;
use std::rc::Rc;
use yew::prelude::*;

/// Records compare by identity: the engine never changes a recorded one.
#[derive(Clone)]
pub struct SharedRecord(pub Rc<SocketRecord>);

impl PartialEq for SharedRecord {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct FramesProps {
    pub record: SharedRecord,
    /// The lane that recorded it: a delivery can cross another connection,
    /// on another server, and the lane says which.
    pub lane: LaneId,
    /// Open unless the reader closes it, as exchanges are.
    pub open: bool,
}

/// `ws#2 09:00:05 alice ⇄ S1 · 3 frames · 1 did not get it`, opening to each
/// frame and the trace.
#[function_component]
pub fn FramesView(props: &FramesProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let r = &props.record.0;
    let n = r.frames.len();
    let misses = r.missed.len();
    let engine = play.playground();
    let lane = engine.lane(props.lane);
    // The server at the far end of a frame's connection.
    let server_of = |id: u32| lane.connection(id).map_or(r.server, |c| c.server);
    html! {
        <article class={classes!("socket", (misses > 0).then_some("has-missed"))}
            aria-label={format!("WebSocket frames on ws#{}, {}'s connection to S{}", r.conn, r.client, r.server)}>
            <details open={props.open}>
                <summary>
                    <span class="seq">{format!("ws#{}", r.conn)}</span>{" "}
                    <time>{r.at.clock()}</time>{" "}
                    {format!("{} ⇄ S{} · {n} frame{}", r.client, r.server, plural(n))}
                    if misses > 0 {
                        <span class="missed-count">{format!(" · ✕ {misses} did not get it")}</span>
                    }
                </summary>
                <ol class="frames" aria-label="Frames, in wire order">
                    { for r.frames.iter().map(|f| frame(f, server_of(f.conn))) }
                </ol>
                if !r.trace.is_empty() {
                    <ol class="trace socket-trace" aria-label="Inside the servers">
                        { for r.trace.iter().map(|t| trace_line(t, &r.missed)) }
                    </ol>
                }
            </details>
        </article>
    }
}

/// One frame: who sent it to whom, what it says, and opening to its fields
/// and its bytes exactly as they crossed.
fn frame(f: &FrameRecord, server: statelab_sim::ServerNo) -> Html {
    let dir = if f.from_client { format!("{} → S{server}", f.client) } else { format!("S{server} → {}", f.client) };
    let what = match f.frame.opcode {
        Opcode::Text => f.frame.text_payload().unwrap_or_default().to_owned(),
        Opcode::Close => {
            let reason = f.frame.payload.get(2..).map(String::from_utf8_lossy).unwrap_or_default();
            match f.frame.close_code() {
                Some(code) if reason.is_empty() => close_code_text(code),
                Some(code) => format!("{} “{reason}”", close_code_text(code)),
                None => "(no status code)".to_owned(),
            }
        }
        // The opcode is named beside it: the payload alone.
        _ => format!("“{}”", String::from_utf8_lossy(&f.frame.payload)),
    };
    let wire = f.frame.to_wire();
    let masking = match f.frame.mask {
        Some(k) => format!("masked with key {} (a client must mask)", statelab_sim::wire::ws::hex(&k)),
        None => "unmasked (a server never masks)".to_owned(),
    };
    html! {
        <li class={if f.from_client { "frame from-client" } else { "frame from-server" }}>
            <p class="frame-line">
                <span class="dir">{dir}</span>{" "}
                <span class="op">{f.frame.opcode.name()}</span>{" "}
                <code>{what}</code>
            </p>
            <details class="frame-bytes">
                <summary>{format!("ws#{} · {} bytes on the wire · {masking}", f.conn, wire.len())}</summary>
                <dl class="decoded">
                    { for f.frame.describe().into_iter().map(|(k, v)| html! { <><dt>{k}</dt><dd>{v}</dd></> }) }
                </dl>
                <pre class="hex" aria-label="The bytes on the wire, in hex">{statelab_sim::wire::ws::hex(&wire)}</pre>
            </details>
        </li>
    }
}

/// A line of the servers' trace. The engine writes each miss into the
/// trace where it happened, as the record's [`Miss`] writes itself: that
/// line shows who (their connection and server, or that they were
/// reconnecting) and why, from the record's fields.
fn trace_line(t: &str, missed: &[Miss]) -> Html {
    let Some(m) = missed.iter().find(|m| m.to_string() == t) else {
        let delivered = t.starts_with("delivered to ");
        return html! { <li class={classes!(delivered.then_some("delivered"))}>{t}</li> };
    };
    html! {
        <li class={classes!("missed", m.conn.is_none().then_some("reconnecting"))}
            data-conn={m.conn.map(|c| c.to_string())} data-server={m.server.map(|s| s.to_string())}>
            <span aria-hidden="true">{"✕ "}</span><strong>{m.who()}</strong>{": "}{&m.why}
        </li>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
