//! A played step's evidence as a standalone SVG figure, for hosts that show
//! images but no iframes (a GitHub README): the step's title and narration,
//! then for each lane its design, each request's outcome (colour, icon and
//! status), method and path, the server that took it, the header lines the
//! step points at and the trace line that explains it, and the fleet as the
//! step left it. Everything is read from the lanes' records, as the page's
//! step view reads it (`src/components/step_view.rs`).
//!
//! The figure is an image that stays text: real `<text>` (searchable, read
//! aloud through `<title>` and `<desc>`), no script, no `<foreignObject>`, no
//! font or any other resource fetched, light and dark from the reader's
//! colour scheme. Tour text may come from an author (untrusted): it is
//! escaped as XML, its control and bidi characters are written as
//! `\u{…}` escapes, and it is wrapped at a fixed number of columns, so the
//! same step gives the same bytes everywhere.

use crate::base::quote::{markup, unhidden};
use crate::fleet::connection::SocketRecord;
use crate::fleet::db::{DbRecord, PgMsg};
use crate::fleet::exchange::{Entry, Exchange};
use crate::fleet::ftp::{FtpLine, FtpRecord};
use crate::fleet::kind::Kind;
use crate::fleet::lane::Lane;
use crate::playground::Playground;
use crate::wire::http::Headers;
use crate::wire::pg::Backend;
use std::fmt::Write;

/// What a figure is drawn from: a step of a tour and the playground with the
/// tour played up to and including that step. A built-in tour and an
/// author's give the same fields.
pub struct FigureStep<'a> {
    /// Where the step comes from, for the footer: a tour's id.
    pub tour: &'a str,
    /// The tour's heading.
    pub title: &'a str,
    /// Which step (from 1), and of how many.
    pub step: usize,
    /// How many steps the tour has.
    pub steps: usize,
    /// The step's narration.
    pub say: &'a str,
    /// Header names the step points at.
    pub focus: &'a [&'a str],
    /// The playground with the step played.
    pub played: &'a Playground,
    /// The index in the log of the step's first action: the entries from it
    /// on are the step's.
    pub start: u32,
}

/// The figure's width, in CSS pixels; its height follows its content.
const WIDTH: u32 = 720;
const PAD: u32 = 20;
/// Body text is 12 px monospace (the stylesheet's), whose advance is at most
/// 7.3 px in the usual monospace fonts (Menlo, Consolas, DejaVu/Liberation
/// Mono: 6.6 to 7.23), so a line of `n` columns never overruns `n × 7.3` px.
const ADVANCE: f64 = 7.3;
const LINE: u32 = 17;
/// The title: 15 px, bold.
const TITLE_ADVANCE: f64 = 9.2;
const TITLE_LINE: u32 = 21;
/// The fleet diagram beside each lane's requests.
const DIAGRAM_W: u32 = 230;
const DIAGRAM_X: u32 = WIDTH - PAD - DIAGRAM_W;
const ROW: u32 = 24;
/// The requests' column: from the left margin to a gap before the diagram.
const CARDS_W: u32 = DIAGRAM_X - 16 - PAD;
/// Lines one block of text may take; more is cut with `…`.
const MAX_LINES: usize = 40;
/// Header values longer than this are shown by their two ends (a JWT is
/// noise at full length; its head and signature identify it).
const LONG_VALUE: usize = 120;

const STYLE: &str = "
svg { color-scheme: light dark; }
text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'DejaVu Sans Mono', monospace; font-size: 12px; fill: #1b1f24; }
.bg { fill: #ffffff; stroke: #d0d7de; }
.title { font-size: 15px; font-weight: bold; }
.lane { font-weight: bold; }
.muted, .why { fill: #57606a; }
.event { fill: #7d4e00; }
.rule { stroke: #d0d7de; }
.hl { fill: #fff3b0; }
.node { fill: #f3f4f6; stroke: #8c959f; }
.node.idle, .node.down { fill: none; stroke-dasharray: 4 3; }
.cable { stroke: #8c959f; fill: none; }
.diagram text { font-size: 10px; }
.s2xx { fill: #116329; } .s2xx-bg, .node.s2xx { fill: #dafbe1; } .node.s2xx { stroke: #116329; }
.s4xx { fill: #a40e26; } .s4xx-bg, .node.s4xx { fill: #ffebe9; } .node.s4xx { stroke: #a40e26; }
.s5xx { fill: #6e2a9e; } .s5xx-bg, .node.s5xx { fill: #f3e8ff; } .node.s5xx { stroke: #6e2a9e; }
.node.s2xx, .node.s4xx, .node.s5xx { stroke-width: 2.5; }
@media (prefers-color-scheme: dark) {
  text { fill: #e6edf3; }
  .bg { fill: #0d1117; stroke: #30363d; }
  .muted, .why { fill: #9da7b3; }
  .event { fill: #e3b341; }
  .rule { stroke: #30363d; }
  .hl { fill: #4d3f00; }
  .node { fill: #161b22; stroke: #6e7681; }
  .cable { stroke: #6e7681; }
  .s2xx { fill: #56d364; } .s2xx-bg, .node.s2xx { fill: #12361d; } .node.s2xx { stroke: #56d364; }
  .s4xx { fill: #ff8182; } .s4xx-bg, .node.s4xx { fill: #4a1019; } .node.s4xx { stroke: #ff8182; }
  .s5xx { fill: #d2a8ff; } .s5xx-bg, .node.s5xx { fill: #2e1a47; } .node.s5xx { stroke: #d2a8ff; }
}
";

/// The step as an SVG document (UTF-8, ends with a newline). The same step
/// and playground give the same bytes.
pub fn figure_svg(f: &FigureStep<'_>) -> String {
    let mut body = String::new();
    let mut desc = format!("{}. {}", step_label(f), f.say);
    let mut y = PAD;
    for line in wrap(f.title, cols(WIDTH - 2 * PAD, TITLE_ADVANCE), MAX_LINES) {
        y += TITLE_LINE;
        text(&mut body, PAD, y - 5, "title", &line);
    }
    let source = format!("{} · tour {} · seed {}", step_label(f), f.tour, f.played.seed());
    for line in wrap(&source, cols(WIDTH - 2 * PAD, ADVANCE), MAX_LINES) {
        y += LINE;
        text(&mut body, PAD, y - 4, "muted", &line);
    }
    y += 6;
    for line in wrap(f.say, cols(WIDTH - 2 * PAD, ADVANCE), MAX_LINES) {
        y += LINE;
        text(&mut body, PAD, y - 4, "", &line);
    }
    for (id, lane) in crate::base::ids::LaneId::ALL.into_iter().zip(f.played.lanes()) {
        y += 12;
        // A group per lane, so a reader (or a test) can tell whose lines are whose.
        let _ = writeln!(body, r#"<g class="lane-{id}">"#);
        let _ = write!(body, r#"<line class="rule" x1="{PAD}" y1="{y}" x2="{}" y2="{y}"/>"#, WIDTH - PAD);
        y += 4;
        let heading = format!("Lane {id} · {}", design(lane));
        let _ = write!(desc, " Lane {id}, {}:", design(lane));
        for line in wrap(&heading, cols(WIDTH - 2 * PAD, ADVANCE), MAX_LINES) {
            y += LINE;
            text(&mut body, PAD, y - 4, "lane", &line);
        }
        y += 4;
        let cards_end = cards(&mut body, &mut desc, lane, f, y);
        let diagram_end = diagram(&mut body, lane, f.start, y + 2);
        y = cards_end.max(diagram_end);
        body.push_str("</g>\n");
    }
    y += 12;
    let mut legend = "✓ 2xx worked · ✕ 4xx refused · ⚠ 5xx unavailable. Diagram: a server's number is the sessions it \
                  holds (⇄ the WebSocket connections), ✕ down a crashed server, dashed an unused store, \
                  the thick outline where the step's last request went."
        .to_owned();
    if f.played.lanes().iter().any(|l| l.config().app == crate::fleet::App::Ftp) {
        // The marks above are HTTP's; an FTP reply's colour reads its own first digit.
        legend.push_str(
            " An FTP reply line is coloured by its first digit, as RFC 959 reads it: 4xx a failure \
             that may pass (425: no data connection), 5xx a permanent one (530: not logged in).",
        );
    }
    for line in wrap(&legend, cols(WIDTH - 2 * PAD, ADVANCE), usize::MAX) {
        y += LINE;
        text(&mut body, PAD, y - 4, "muted", &line);
    }
    let height = y + PAD;
    let mut out = String::with_capacity(body.len() + 2048);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xml:lang=\"en\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"statelab-figure-title statelab-figure-desc\">\n\
         <title id=\"statelab-figure-title\">{}</title>\n<desc id=\"statelab-figure-desc\">{}</desc>\n\
         <style>{STYLE}</style>\n<rect class=\"bg\" x=\"0.5\" y=\"0.5\" width=\"{}\" height=\"{}\" rx=\"8\"/>\n{body}</svg>\n",
        markup(&unhidden(&format!("{} — {}", f.title, step_label(f)))),
        markup(&unhidden(&desc)),
        WIDTH - 1,
        height - 1,
    );
    out
}

fn step_label(f: &FigureStep<'_>) -> String {
    format!("Step {} of {}", f.step, f.steps)
}

/// `stateless JWT · round robin · 3 servers (1 down)`, with the app of a
/// connection lane first, as the page's lane heading says it.
fn design(lane: &Lane) -> String {
    let c = lane.config();
    let servers = lane.servers();
    let down = servers.iter().filter(|s| !s.up).count();
    let mut out = String::new();
    let _ = write!(
        out,
        "{} · {} · {} server{}",
        c.kind(c.design()),
        c.balancer.label(),
        servers.len(),
        plural(servers.len())
    );
    if down > 0 {
        let _ = write!(out, " ({down} down)");
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The lane's entries from the step's first action on, one card each, from
/// `y` down; returns where they end.
fn cards(body: &mut String, desc: &mut String, lane: &Lane, f: &FigureStep<'_>, mut y: u32) -> u32 {
    let width = cols(CARDS_W, ADVANCE);
    let mut any = false;
    for entry in step_entries(lane, f.start) {
        any = true;
        y += 4;
        match entry {
            Entry::Exchange(x) => y = exchange_card(body, desc, x, f.focus, width, y),
            Entry::Event(ev) => {
                let _ = write!(desc, " {}", ev.text);
                for line in wrap(&format!("! {}", ev.text), width, MAX_LINES) {
                    y += LINE;
                    text(body, PAD, y - 4, "event", &line);
                }
            }
            // A build without a kind holds no entry of it (`fleet/kind.rs`):
            // the guards let the compiler leave that kind's drawing out.
            Entry::Socket(r) if const { Kind::Connections.compiled() } => y = socket_card(body, desc, r, width, y),
            Entry::Ftp(r) if const { Kind::Files.compiled() } => y = ftp_card(body, desc, r, width, y),
            Entry::Db(r) if const { Kind::Db.compiled() } => y = db_card(body, desc, r, width, y),
            Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => {}
        }
    }
    if !any {
        desc.push_str(" nothing happened.");
        y += LINE;
        text(body, PAD, y - 4, "muted", "Nothing happened in this lane.");
    }
    y
}

/// A lane's entries caused by the actions from `start` on.
fn step_entries(lane: &Lane, start: u32) -> impl Iterator<Item = &Entry> {
    lane.entries().iter().filter(move |e| e.action() >= start)
}

/// `✕ 401 Unauthorized #3 GET /api/me · alice → S2`, the focused header
/// lines on a highlight, and the trace's last line.
fn exchange_card(body: &mut String, desc: &mut String, x: &Exchange, focus: &[&str], width: usize, mut y: u32) -> u32 {
    let o = x.outcome();
    let badge = format!("{} {}", o.icon(), x.status_text());
    let request = format!(
        "#{} {} {} · {} → {}",
        x.seq,
        x.request.method,
        short_target(&x.request.target),
        x.client,
        x.server_label()
    );
    let _ = write!(
        desc,
        " {} {} {} from {} to {}: {}.",
        x.seq,
        x.request.method,
        short_target(&x.request.target),
        x.client,
        x.server_label(),
        x.status_text()
    );
    // The badge's columns, a space, then the request on the same line.
    let badge_cols = columns(&badge) + 2;
    let lines = wrap_first(&unhidden(&request), width.saturating_sub(badge_cols).max(1), width, MAX_LINES);
    y += LINE;
    let badge_w = (badge_cols as f64 * ADVANCE).ceil() as u32 - 4;
    let _ = write!(
        body,
        r#"<rect class="{}-bg" x="{PAD}" y="{}" width="{badge_w}" height="{}" rx="3"/>"#,
        o.class(),
        y - LINE + 1,
        LINE - 1
    );
    text(body, PAD + 4, y - 4, o.class(), &badge);
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            y += LINE;
        }
        let x0 = if i == 0 { PAD + badge_w + 4 } else { PAD };
        text(body, x0, y - 4, "", line);
    }
    for (name, value) in focused(&x.request.headers, focus).chain(focused(&x.response.headers, focus)) {
        let lines = wrap(&format!("{name}: {}", shortened(value)), width.saturating_sub(1), MAX_LINES);
        let h = lines.len() as u32 * LINE;
        let _ = write!(body, r#"<rect class="hl" x="{PAD}" y="{}" width="{CARDS_W}" height="{h}" rx="2"/>"#, y + 2);
        for line in lines {
            y += LINE;
            text(body, PAD + 4, y - 2, "", &line);
        }
        y += 2;
    }
    if let Some(why) = x.trace.last() {
        let _ = write!(desc, " {why}");
        for line in wrap(&format!("· {why}"), width, MAX_LINES) {
            y += LINE;
            text(body, PAD, y - 4, "why", &line);
        }
    }
    y
}

/// `ws#2 alice ⇄ S1 · 3 frames` and the trace's last line.
fn socket_card(body: &mut String, desc: &mut String, r: &SocketRecord, width: usize, y: u32) -> u32 {
    let head =
        format!("ws#{} {} ⇄ S{} · {} frame{}", r.conn, r.client, r.server, r.frames.len(), plural(r.frames.len()));
    let _ = write!(desc, " {head}.");
    record_lines(body, desc, vec![(head, "")], r.trace.last(), width, y)
}

/// A connection record's lines (each with its class) and then its trace's
/// last line, `why`, each wrapped to `width`; `why` goes into the
/// description too. Returns the `y` below them.
fn record_lines(
    body: &mut String,
    desc: &mut String,
    mut lines: Vec<(String, &str)>,
    why: Option<&String>,
    width: usize,
    mut y: u32,
) -> u32 {
    if let Some(why) = why {
        let _ = write!(desc, " {why}");
        lines.push((format!("· {why}"), "why"));
    }
    for (shown, class) in lines {
        for line in wrap(&shown, width, MAX_LINES) {
            y += LINE;
            text(body, PAD, y - 4, class, &line);
        }
    }
    y
}

/// `ftp alice ⇄ S1`, each command and reply line as sent (a multi-line
/// reply's first line), the data connections in words, and the trace's
/// last line.
fn ftp_card(body: &mut String, desc: &mut String, r: &FtpRecord, width: usize, y: u32) -> u32 {
    let head = format!("ftp {}{}", r.client, r.server.map_or(String::new(), |s| format!(" ⇄ S{s}")));
    let _ = write!(desc, " {head}:");
    let mut lines = vec![(head, "")];
    for l in &r.lines {
        let (shown, class) = match l {
            FtpLine::Command { conn, command } => (format!("» ftp#{conn} {}", command.shown()), ""),
            FtpLine::Reply { conn, reply } => {
                let first = reply.to_wire().lines().next().unwrap_or_default().to_owned();
                (
                    format!("« ftp#{conn} {first}"),
                    match reply.code {
                        500.. => "s5xx",
                        400.. => "s4xx",
                        _ => "",
                    },
                )
            }
            FtpLine::Data { conn, note, .. } => (format!("= ftp#{conn} {note}"), "muted"),
        };
        let _ = write!(desc, " {shown}.");
        lines.push((shown, class));
    }
    record_lines(body, desc, lines, r.trace.last(), width, y)
}

/// `sql alice begin → S1`, each PostgreSQL message in a line (an
/// ErrorResponse marked), and the trace's last line.
fn db_card(body: &mut String, desc: &mut String, r: &DbRecord, width: usize, y: u32) -> u32 {
    let on = r.server.map_or_else(|| "no app server".to_owned(), |s| format!("S{s}"));
    let head = format!("sql {} {} → {on}", r.client, r.op);
    let _ = write!(desc, " {head}:");
    let mut lines = vec![(head, "")];
    for m in &r.messages {
        let (arrow, class) = match m {
            PgMsg::Front(..) => ("»", ""),
            PgMsg::Back(_, Backend::ErrorResponse { .. }) => ("«", "s4xx"),
            PgMsg::Back(..) => ("«", ""),
        };
        let shown = format!("{arrow} pg#{} {}", m.conn(), m.summary());
        let _ = write!(desc, " {shown}.");
        lines.push((shown, class));
    }
    record_lines(body, desc, lines, r.trace.last(), width, y)
}

/// The header lines of one message (a request's or a response's) among
/// `focus` (any case), in the order sent: the lines a step's narration
/// points at. Callers take the request's, then the response's.
pub fn focused<'a>(headers: &'a Headers, focus: &'a [&str]) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    headers.iter().filter(move |(name, _)| focus.iter().any(|h| h.eq_ignore_ascii_case(name)))
}

/// The target with any long query value written `…` (a WebSocket
/// handshake's `access_token=`): a card names the request, and the
/// history shows it whole.
pub fn short_target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else { return target.to_owned() };
    let params: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) if v.chars().count() > 16 => format!("{k}=…"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{path}?{}", params.join("&"))
}

/// A header value past [`LONG_VALUE`] characters as its first 72 and last 32,
/// with how many it has.
fn shortened(value: &str) -> String {
    let n = value.chars().count();
    if n <= LONG_VALUE {
        return value.to_owned();
    }
    let head: String = value.chars().take(72).collect();
    let tail: String = value.chars().skip(n - 32).collect();
    format!("{head}…{tail} ({n} characters)")
}

/// The fleet as the step left it, from `y` down at the right; returns where it ends.
fn diagram(body: &mut String, lane: &Lane, start: u32, y: u32) -> u32 {
    let servers = lane.servers();
    let h = servers.len().max(3) as u32 * ROW;
    let mid = y + h / 2;
    let d = DIAGRAM_X;
    let last = lane.exchanges().next_back().filter(|x| x.action >= start);
    let target = last.and_then(|x| x.server.or(x.tried));
    let sockets = lane.config().app.is_connection();
    let _ = write!(body, r#"<g class="diagram">"#);
    node(body, d, mid - 9, 44, "", "client");
    cable(body, (d + 44, mid), (d + 56, mid));
    node(body, d + 56, mid - 9, 28, "", "LB");
    let bus = d + 172;
    // Fewer servers than three rows sit in the middle, level with the balancer.
    let offset = (h - servers.len() as u32 * ROW) / 2;
    for (i, s) in servers.iter().enumerate() {
        let top = y + offset + i as u32 * ROW + 3;
        let row_mid = top + 9;
        cable(body, (d + 84, mid), (d + 98, row_mid));
        cable(body, (d + 166, row_mid), (bus, row_mid));
        // The server the step's last request went to wears its outcome,
        // a crashed one too (the balancer's 502 names it).
        let outcome = last.filter(|_| target == Some(s.no)).map_or("", |x| x.outcome().class());
        let class = format!("{}{outcome}", if s.up { "" } else { "down " });
        let _ = write!(body, r#"<rect class="node {class}" x="{}" y="{top}" width="68" height="18" rx="4"/>"#, d + 98);
        let name = match (s.up, s.draining) {
            (false, _) => format!("S{} ✕ down", s.no),
            (true, true) => format!("S{} drain", s.no),
            (true, false) => format!("S{}", s.no),
        };
        text(body, d + 102, top + 13, "", &name);
        if s.up {
            let held = if sockets { format!("⇄{}", s.connections) } else { s.sessions.len().to_string() };
            let _ =
                write!(body, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, d + 162, top + 13, markup(&held));
        }
    }
    let first = y + offset + 12;
    let last_row = y + offset + (servers.len().max(1) as u32 - 1) * ROW + 12;
    cable(body, (bus, first.min(mid - 13)), (bus, last_row.max(mid + 13)));
    cable(body, (bus, mid - 13), (d + 178, mid - 13));
    cable(body, (bus, mid + 13), (d + 178, mid + 13));
    let store = lane.store();
    let store_class = match (lane.config().uses_store(), store.up) {
        (_, false) => "down",
        (false, true) => "idle",
        (true, true) => "",
    };
    node(body, d + 178, mid - 22, 52, store_class, if store.up { "store" } else { "store ✕" });
    node(body, d + 178, mid + 4, 52, "", "database");
    body.push_str("</g>\n");
    y + h + 4
}

/// A box 18 px high with `label` centred in it.
fn node(body: &mut String, x: u32, y: u32, w: u32, class: &str, label: &str) {
    let _ = write!(
        body,
        r#"<rect class="node {class}" x="{x}" y="{y}" width="{w}" height="18" rx="4"/><text x="{}" y="{}" text-anchor="middle">{label}</text>"#,
        x + w / 2,
        y + 13
    );
}

fn cable(body: &mut String, from: (u32, u32), to: (u32, u32)) {
    let _ = write!(body, r#"<line class="cable" x1="{}" y1="{}" x2="{}" y2="{}"/>"#, from.0, from.1, to.0, to.1);
}

/// One line of text, its hidden characters shown and escaped (both are
/// idempotent on what [`wrap`] gives).
fn text(body: &mut String, x: u32, y: u32, class: &str, line: &str) {
    let line = markup(&unhidden(line));
    if class.is_empty() {
        let _ = writeln!(body, r#"<text x="{x}" y="{y}">{line}</text>"#);
    } else {
        let _ = writeln!(body, r#"<text class="{class}" x="{x}" y="{y}">{line}</text>"#);
    }
}

/// How many columns fit in `px` at an advance of `advance` px.
fn cols(px: u32, advance: f64) -> usize {
    (f64::from(px) / advance) as usize
}

/// `text` with its hidden characters escaped, in lines of at most `width`
/// columns, at most `max` lines (the last then ends in `…`).
fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    wrap_first(&unhidden(text), width, width, max)
}

/// Greedy word wrap: the first line `first` columns wide, the others
/// `width`; a word wider than a line is cut where the line ends.
fn wrap_first(text: &str, first: usize, width: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let room = |lines: &Vec<String>| if lines.is_empty() { first } else { width };
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = columns(word);
        if used > 0 && used + 1 + w <= room(&lines) {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            let cw = width_of(c);
            if used + cw > room(&lines) && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        lines.truncate(max);
        if let Some(l) = lines.last_mut() {
            l.pop();
            l.push('…');
        }
    }
    lines
}

/// Columns a string takes in a monospace font.
fn columns(s: &str) -> usize {
    s.chars().map(width_of).sum()
}

/// East Asian wide and fullwidth characters and emoji take two columns.
fn width_of(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_cuts_words_wider_than_a_line() {
        assert_eq!(wrap("aa bb cc", 5, 9), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefghij k", 4, 9), ["abcd", "efgh", "ij k"]);
        assert_eq!(wrap("", 4, 9), [""]);
        assert_eq!(wrap("a b c d e f", 1, 3), ["a", "b", "…"]);
        // Two columns each: three fit in six.
        assert_eq!(wrap("漢字漢字", 6, 9), ["漢字漢", "字"]);
        assert_eq!(wrap_first("aaa bbb ccc", 3, 7, 9), ["aaa", "bbb ccc"]);
    }

    #[test]
    fn escapes_markup_and_shows_hidden_characters() {
        assert_eq!(markup(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(wrap("a\u{202E}b\u{7}", 40, 9), ["a\\u{202e}b\\u{7}"]);
    }

    #[test]
    fn long_values_keep_their_ends() {
        let v = format!("Bearer {}", "x".repeat(300));
        let s = shortened(&v);
        assert!(s.starts_with("Bearer xxx") && s.ends_with("xx (307 characters)"), "{s}");
        assert_eq!(shortened("session_id=abc; lb=S1"), "session_id=abc; lb=S1");
    }
}
