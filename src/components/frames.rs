//! What one action did on WebSocket connections: each frame that crossed,
//! who sent it, decoded field by field (RFC 6455 §5.2) and as the bytes on
//! the wire, then the servers' trace — who got a message and who did not.

use statelab_sim::fleet::SocketRecord;
use statelab_sim::wire::ws::{self, Opcode};
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
    /// Open unless the reader closes it, as exchanges are.
    pub open: bool,
}

/// `ws#2 alice ⇄ S1 · 3 frames`, opening to each frame and the trace.
#[function_component]
pub fn FramesView(props: &FramesProps) -> Html {
    let r = &props.record.0;
    let n = r.frames.len();
    html! {
        <details class="socket" open={props.open}>
            <summary>
                <span class="seq">{format!("ws#{}", r.conn)}</span>{" "}
                <time>{r.at.clock()}</time>{" "}
                {format!("{} ⇄ S{} · {n} frame{}", r.client, r.server, if n == 1 { "" } else { "s" })}
            </summary>
            <ol class="frames">
                { for r.frames.iter().map(|f| {
                    let dir = if f.from_client { format!("{} → S{}", f.client, r.server) } else { format!("→ {} (ws#{})", f.client, f.conn) };
                    let what = match f.frame.opcode {
                        Opcode::Text => f.frame.text_payload().unwrap_or_default().to_owned(),
                        Opcode::Close => {
                            let code = f.frame.close_code().unwrap_or(1005);
                            format!("close {code} ({})", ws::close_code_meaning(code))
                        }
                        o => o.name().to_owned(),
                    };
                    html! {
                        <li class={if f.from_client { "frame from-client" } else { "frame from-server" }}>
                            <p class="frame-line"><span class="dir">{dir}</span>{" "}<code>{what}</code></p>
                            <details class="frame-bytes">
                                <summary>{format!("{} bytes on the wire{}", f.frame.wire_len(), if f.frame.mask.is_some() { ", masked" } else { "" })}</summary>
                                <dl class="decoded">
                                    { for f.frame.describe().into_iter().map(|(k, v)| html! { <><dt>{k}</dt><dd>{v}</dd></> }) }
                                </dl>
                                <pre class="hex">{ws::hex(&f.frame.to_wire())}</pre>
                            </details>
                        </li>
                    }
                }) }
            </ol>
            if !r.trace.is_empty() {
                <ol class="trace">{ for r.trace.iter().map(|t| html! { <li>{t}</li> }) }</ol>
            }
        </details>
    }
}
