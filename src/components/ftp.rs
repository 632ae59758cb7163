//! What one action did on FTP connections: each command and reply line as
//! it crossed the control connection (multi-line replies whole), the data
//! connections' bytes in words, and beside each line what it means — the
//! verb and its argument, the reply code's class (RFC 959 §4.2.1). Also the
//! line the state panel gives each session an FTP server holds.

use statelab_sim::fleet::{FtpLine, FtpRecord, FtpSession};
use yew::prelude::*;

/// `ftp 09:00:02 alice ⇄ S1 · 150 226`, opening to each line and the trace.
/// A plain function: a record never changes once written.
pub fn ftp_record(r: &FtpRecord, open: bool) -> Html {
    let codes: Vec<String> = r.codes().iter().map(u16::to_string).collect();
    let failed = r.codes().iter().any(|c| *c >= 400);
    let on = r.server.map_or(String::new(), |s| format!(" ⇄ S{s}"));
    html! {
        <article class={classes!("socket", "ftp", failed.then_some("has-missed"))}
            aria-label={format!("FTP lines of {}{on}", r.client)}>
            <details {open}>
                <summary>
                    <span class="seq">{"ftp"}</span>{" "}<time>{r.at.clock()}</time>
                    {format!(" {}{on} · {}", r.client, if codes.is_empty() { "no reply".into() } else { codes.join(" ") })}
                </summary>
                <ol class="frames" aria-label="Lines, in wire order">
                    { for r.lines.iter().map(line) }
                </ol>
                if !r.trace.is_empty() {
                    <ol class="trace socket-trace" aria-label="Inside the servers">
                        { for r.trace.iter().map(|t| html! { <li>{t}</li> }) }
                    </ol>
                }
            </details>
        </article>
    }
}

fn line(l: &FtpLine) -> Html {
    match l {
        FtpLine::Command { conn, command } => html! {
            <li class="frame-line">
                <span class="dir">{format!("» ftp#{conn} ")}</span><code>{command.shown()}</code>
                <span class="muted">{format!(" · command {}{}", command.verb, command.arg.as_ref().map_or(String::new(), |a| format!(", argument “{a}”")))}</span>
            </li>
        },
        FtpLine::Reply { conn, reply } => html! {
            <li class={classes!("frame-line", (reply.code >= 400).then_some("missed"))}>
                <span class="dir">{format!("« ftp#{conn} ")}</span>
                // The reply's lines as text: the wire's CRLF would reach the page
                // as CR LF, where HTML (and so the prerendered page) has only LF.
                <code class="ftp-reply">{reply.to_wire().trim_end().replace("\r\n", "\n")}</code>
                <span class="muted">{format!(" · {}: {}", reply.code, reply.meaning())}</span>
            </li>
        },
        FtpLine::Data { conn, note, .. } => html! {
            <li class="frame-line"><span class="dir">{format!("= ftp#{conn} ")}</span>{note}</li>
        },
    }
}

/// What a server holds for one FTP session: `alice · cwd /pub · TYPE I · REST 0`.
pub fn session_line(s: &FtpSession) -> Html {
    let user = match (&s.user, s.logged_in) {
        (Some(u), true) => u.clone(),
        (Some(u), false) => format!("{u} (password not yet accepted)"),
        (None, _) => "nobody logged in".into(),
    };
    html! {
        <li><code>{format!("ftp#{}", s.conn)}</code>
            {format!(" {user} · cwd {} · TYPE {} · REST {}", s.cwd, if s.binary { "I" } else { "A" }, s.rest)}</li>
    }
}
