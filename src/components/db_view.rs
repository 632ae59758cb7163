//! One step of a database lane: `$ 09:00:02 alice sql begin → S1 · pg#1 · T`,
//! opening to each PostgreSQL message, decoded and in hex, and the trace of
//! what the pool and the database did. Plain functions: no state of their own.

use statelab_sim::fleet::{DbRecord, PgMsg, Side};
use statelab_sim::wire::pg::{Backend, TxStatus};
use statelab_sim::Lane;
use yew::prelude::*;

/// The transaction-status byte as a badge: `I`, `T` or `E`, with its meaning for screen readers.
pub fn tx_badge(status: TxStatus) -> Html {
    let b = char::from(status.byte());
    html! { <abbr class={format!("tx tx-{b}")} title={format!("ReadyForQuery {b}: {}", status.meaning())}>{b}</abbr> }
}

/// The step, closed unless `open`.
pub fn db_record(r: &DbRecord, open: bool) -> Html {
    let on = r.server.map_or_else(|| "no app server".to_owned(), |s| format!("S{s}"));
    let conns: Vec<String> = r.conns().iter().map(|c| format!("pg#{c}")).collect();
    html! {
        <article class={classes!("db-step", r.error().is_some().then_some("has-error"))}
            aria-label={format!("{} sql {} on {on}", r.client, r.op)}>
            <details {open}>
                <summary>
                    <time>{r.at.clock()}</time>{" "}
                    {format!("{} sql {} → {on}", r.client, r.op)}
                    if !conns.is_empty() { {format!(" · {}", conns.join(", "))} }
                    if let Some(code) = r.error() { <span class="sqlstate">{format!(" · ERROR {code}")}</span> }
                    {" "}
                    if let Some(s) = r.status() { {tx_badge(s)} } else { <span class="muted">{"nothing sent"}</span> }
                </summary>
                <ol class="frames pg-messages" aria-label="PostgreSQL messages, in wire order">
                    { for r.messages.iter().map(message) }
                </ol>
                <ol class="trace" aria-label="Inside the pool and the database">
                    { for r.trace.iter().map(|t| html! { <li>{t}</li> }) }
                </ol>
            </details>
        </article>
    }
}

fn message(m: &PgMsg) -> Html {
    // The summary line says what the message is; the fields, as the
    // protocol's documentation names them, say what its bytes are.
    let from_client = matches!(m, PgMsg::Front(..));
    let fields = match m {
        PgMsg::Front(_, f) => f.describe(),
        PgMsg::Back(_, b) => b.describe(),
    };
    let status = match m {
        PgMsg::Back(_, Backend::ReadyForQuery(s)) => Some(*s),
        _ => None,
    };
    let wire = m.to_wire();
    html! {
        <li class={if from_client { "frame from-client" } else { "frame from-server" }}>
            <p class="frame-line">
                <span class="dir">{if from_client { "»" } else { "«" }}</span>{" "}
                <code>{m.summary()}</code>
                if let Some(s) = status { {" "}{tx_badge(s)} }
            </p>
            <details class="frame-bytes">
                <summary>{format!("pg#{} · {} bytes on the wire", m.conn(), wire.len())}</summary>
                <dl class="decoded" aria-label="The message, field by field">
                    { for fields.into_iter().map(|(name, value)| html! { <><dt>{name}</dt><dd>{value}</dd></> }) }
                </dl>
                <pre class="hex" aria-label="The bytes on the wire, in hex">{statelab_sim::wire::pg::hex(&wire)}</pre>
            </details>
        </li>
    }
}

/// Each pool's backend connections with their session state, open ones
/// first: what the next request that borrows one will find.
pub fn pools(lane: &Lane) -> Html {
    let pg = lane.pg();
    let committed = pg.orders.len();
    html! {
        <section aria-label="PostgreSQL connections">
            <h4>{"PostgreSQL connections"}</h4>
            <p class="muted">{format!("{committed} committed order{}", if committed == 1 { "" } else { "s" })}</p>
            <ul class="kv">
                { for pg.conns.iter().map(|c| {
                    let pool = match c.side { Side::Server(no) => format!("S{no}'s pool"), Side::Bouncer => "PgBouncer".to_owned() };
                    html! {
                        <li>
                            <strong>{format!("pg#{}", c.id)}</strong>{format!(" {pool} · pid {} · ", c.pid)}
                            if let Some((at, why)) = &c.closed {
                                {format!("closed at {}: {why}", at.clock())}
                            } else {
                                {tx_badge(c.status)}{format!(" {}", c.state_line())}
                                if let Some(no) = c.lent_to { {format!(" · lent to S{no}'s client")} }
                            }
                        </li>
                    }
                }) }
            </ul>
            if pg.conns.is_empty() {
                <p class="muted">{"no connection opened yet"}</p>
            }
        </section>
    }
}
