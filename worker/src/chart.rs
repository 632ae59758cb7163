//! The load run's charts and tables as HTML text: SVG charts drawn in the
//! worker, each followed by a table that says the same in numbers (for
//! screen readers, and for anyone who wants the figures). Colours come from
//! classes styled by `static/load.css` with the page's own variables, so
//! both themes apply.

use statelab_sim::base::human_duration;
use statelab_sim::fleet::{Kind, MAX_SERVERS, POOL_WAIT_MS, QUERY_WAIT_TIMEOUT_S, RATE_BPS, RATE_LIMIT, RATE_WINDOW_S};
use statelab_sim::load::{
    bin_label, bin_of, bin_range, binned_ms, thousands, Held, Report, Second, ACCESS_TTL_S, HELD_EVERY, LATENCY_BINS,
    LIVE_SECONDS, LIVE_WINDOW, SECONDS,
};
use statelab_sim::text::{config_text, parse_config};
use statelab_sim::{App, AuthMode, LaneConfig, Store};
use std::fmt::Write;

const W: f64 = 480.0;
const H: f64 = 170.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 24.0;
/// Rows of the tables that stand for a chart over time: one per this many seconds.
const TABLE_EVERY: usize = 10;

/// Escapes text for HTML and SVG content and attribute values.
pub use statelab_sim::base::markup as esc;

/// Everything the panel shows for one or two lanes' runs (lane A first).
pub fn render(lanes: &[(&str, &Report)]) -> String {
    let mut out = String::new();
    out.push_str(&comparison(lanes));
    let over_time = lanes.iter().map(|(_, r)| r.seconds.len()).max().unwrap_or(0).max(1);
    let span = lanes.iter().map(|(_, r)| seconds_of(r)).max().unwrap_or(1).max(over_time as u64);
    let sockets: Vec<(&str, &Report)> =
        lanes.iter().copied().filter(|(_, r)| r.kind == Some(Kind::Connections)).collect();
    if !sockets.is_empty() {
        section(
            &mut out,
            "Connections open per server",
            "WebSocket connections each server held at the end of every simulated second. The balancer chose a server only at each handshake: a crash drops a server's connections at once, their apps reconnect after a backoff, and nothing moves connections that are already open onto a server that comes back; dashed lines mark the faults.",
            "",
            &sockets,
            |id, label, r| per_server_chart(id, label, r, span, &OPEN),
        );
        section(
            &mut out,
            "Messages per simulated second",
            "Each second: deliveries of the load users' messages to a connection of the sender's room, the deliveries that did not happen (another server's memory, the store down for pub/sub), and the messages not sent because the sender's app was reconnecting; dashed lines mark the faults.",
            "",
            &sockets,
            |id, label, r| counts_chart(id, label, r, span, &MESSAGES),
        );
    }
    let files: Vec<(&str, &Report)> = lanes.iter().copied().filter(|(_, r)| r.kind == Some(Kind::Files)).collect();
    if !files.is_empty() {
        let ftp: Vec<(&str, &Report)> = files.iter().copied().filter(|(_, r)| r.app() == Some(App::Ftp)).collect();
        if !ftp.is_empty() {
            section(
                &mut out,
                "FTP sessions held per server",
                "FTP sessions each server held in its memory at the end of every simulated second: one per load user logged in on a control connection. A crash or restart takes its server's sessions, and those users log in again before they can resume; dashed lines mark the faults.",
                "",
                &ftp,
                |id, label, r| per_server_chart(id, label, r, span, &HELD_FTP),
            );
        }
        section(
            &mut out,
            "Downloads per simulated second",
            &format!("Each second: downloads completed, downloads resumed from where a fault cut them (FTP's REST on a logged-in control connection, HTTP's Range on any server), downloads a fault cut, and FTP transfers refused 425 because the passive data connection reached another server than the control connection's, or none. Each download arrives at {} bytes a second; dashed lines mark the faults.", thousands(RATE_BPS)),
            "",
            &files,
            |id, label, r| counts_chart(id, label, r, span, &DOWNLOADS),
        );
    }
    let dbs: Vec<(&str, &Report)> = lanes.iter().copied().filter(|(_, r)| r.kind == Some(Kind::Db)).collect();
    if !dbs.is_empty() {
        section(
            &mut out,
            "Database connections lent per pool",
            "Connections lent to an order at the end of every simulated second, per pool: each app server's own pool, numbered as its server (S1's is pool 1), or on a PgBouncer lane PgBouncer's one pool of server connections (pool 1) that every app server shares. An order holds its connection for its whole transaction: three round trips with session state or behind PgBouncer, one when it carries its own context.",
            "",
            &dbs,
            |id, label, r| per_server_chart(id, label, r, span, &LENT),
        );
        section(
            &mut out,
            "Pool waits per simulated second",
            &format!("Each second: orders that waited for a connection another order held, orders that gave up at the pool's timeout (the app server's pool after {} s; PgBouncer's query_wait_timeout after {} s), and transactions a crash aborted, which PostgreSQL rolled back; dashed lines mark the faults.", POOL_WAIT_MS / 1000, QUERY_WAIT_TIMEOUT_S),
            "",
            &dbs,
            |id, label, r| counts_chart(id, label, r, span, &CHECKOUTS),
        );
    }
    let y_max = lanes.iter().flat_map(|(_, r)| r.seconds.iter().map(|s| s.ok.max(s.failed()))).max().unwrap_or(0);
    section(
        &mut out,
        "Answers per simulated second",
        "Successes and failures in each second of the run, and apart from failures the answers 429 of an API key's rate limit; dashed lines mark the faults.",
        &notes(lanes, rate_limit_note),
        lanes,
        |id, label, r| answers_chart(id, label, r, span, y_max),
    );
    section(
        &mut out,
        "Refreshes and store round trips",
        "Per simulated second: the round trips servers made to the shared store (sessions, a denylist, refresh or opaque tokens, shared rate counts), and the POST /token/refresh requests a refresh lane's app sent on its own when its access token expired.",
        &notes(lanes, refresh_note),
        lanes,
        |id, label, r| store_chart(id, label, r, span),
    );
    section(
        &mut out,
        "Requests per server",
        "Which server answered, over the whole run; \"balancer\" counts the requests no server took.",
        "",
        lanes,
        servers_chart,
    );
    section(
        &mut out,
        "Latency",
        "How many requests took each number of simulated milliseconds (a refresh the app waited for, or a pool wait, included), with the 50th, 95th and 99th percentiles: a bar per millisecond below 64 ms, then 32 bars for each doubling, so the axis stretches beyond 64 ms.",
        "",
        lanes,
        latency_chart,
    );
    out.push_str("<section class=\"load-section\"><h3>Credential bytes per request</h3><p class=\"muted\">Mean bytes of the Authorization and Cookie headers each request carried, second by second: what identity costs on the wire.</p>");
    out.push_str(&credential_chart(lanes, span));
    out.push_str("</section>");
    section(&mut out, "State held per server", &format!("Bytes of state each server (and the shared store) holds — sessions, and the counters, refresh and opaque tokens of the designs that keep them — looked at every {HELD_EVERY} simulated seconds: the memory a stateful design costs, and what a crash wipes."), "", lanes, |id, label, r| state_chart(id, label, r, span));
    out
}

/// Seconds the x axis spans: a complete run's (its rate fixes it), for a
/// steady axis while it runs; for live traffic, the window that rolls.
fn seconds_of(r: &Report) -> u64 {
    if r.live {
        LIVE_WINDOW as u64
    } else {
        r.total.div_ceil(r.rate.max(1))
    }
}

/// A section of one chart per lane; `notes` is markup said under `about`.
fn section(
    out: &mut String,
    title: &str,
    about: &str,
    notes: &str,
    lanes: &[(&str, &Report)],
    chart: impl Fn(&str, &str, &Report) -> String,
) {
    let _ = write!(
        out,
        "<section class=\"load-section\"><h3>{}</h3><p class=\"muted\">{}</p>{notes}<div class=\"load-pair\">",
        esc(title),
        esc(about)
    );
    for (label, r) in lanes {
        let id = format!("{}-{}", slug(title), label.to_ascii_lowercase());
        out.push_str(&chart(&id, label, r));
    }
    out.push_str("</div></section>");
}

fn slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_ascii_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c == ' ' {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

fn figure(id: &str, caption: &str, svg: &str, table: &str) -> String {
    format!(
        "<figure class=\"load-figure\"><figcaption id=\"{id}-cap\">{}</figcaption>{svg}<details id=\"{id}-details\"><summary>Table: {}</summary>{table}</details></figure>",
        esc(caption),
        esc(caption)
    )
}

/// The SVG element around a chart; the table after it carries the numbers,
/// so assistive technology is pointed there and the drawing is a picture.
fn svg_open(id: &str) -> String {
    format!("<svg class=\"load-chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-cap\" focusable=\"false\">")
}

fn x_of(i: f64, span: f64) -> f64 {
    LEFT + (W - LEFT - RIGHT) * (i / span.max(1.0))
}

fn y_of(v: f64, max: f64) -> f64 {
    H - BOTTOM - (H - TOP - BOTTOM) * (v / max.max(1.0))
}

/// A round number at or above `v` (1, 2 or 5 times a power of ten), for axes.
fn nice(v: u64) -> u64 {
    let mut p = 1u64;
    loop {
        for m in [1, 2, 5] {
            if m * p >= v {
                return m * p;
            }
        }
        p = p.saturating_mul(10);
        if p == u64::MAX {
            return v;
        }
    }
}

/// Axes for values up to `y_max` over `span` units of x, labelled from `from`.
fn axes(out: &mut String, y_max: u64, y_unit: &str, from: u64, span: u64, x_unit: &str) {
    let labels = [0u64, 1, 2].map(|f| format!("{}{x_unit}", from + span * f / 2));
    axes_labelled(out, y_max, y_unit, &labels);
}

/// The axes, with the x axis's start, middle and end labelled as given.
fn axes_labelled(out: &mut String, y_max: u64, y_unit: &str, x_labels: &[String; 3]) {
    let bottom = H - BOTTOM;
    let _ = write!(out, "<path class=\"axis\" d=\"M{LEFT} {TOP}V{bottom}H{}\"/>", W - RIGHT);
    for f in [0u64, 1, 2] {
        let v = y_max * f / 2;
        let y = y_of(v as f64, y_max as f64);
        let _ = write!(
            out,
            "<path class=\"grid\" d=\"M{LEFT} {y:.1}H{}\"/><text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{}</text>",
            W - RIGHT,
            LEFT - 4.0,
            y + 3.0,
            short(v),
            y_unit
        );
    }
    for (f, label) in x_labels.iter().enumerate() {
        let x = x_of(f as f64, 2.0);
        let anchor = ["start", "middle", "end"][f];
        let _ =
            write!(out, "<text class=\"tick\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{label}</text>", H - 8.0);
    }
}

/// `12,500` as `12.5k`, for axis labels.
fn short(v: u64) -> String {
    match v {
        0..1_000 => v.to_string(),
        1_000..1_000_000 => trim(format!("{:.1}", v as f64 / 1e3)) + "k",
        _ => trim(format!("{:.1}", v as f64 / 1e6)) + "M",
    }
}

fn trim(s: String) -> String {
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

fn polyline(out: &mut String, class: &str, values: impl Iterator<Item = f64>, span: f64, max: f64) {
    let mut points = String::new();
    for (i, v) in values.enumerate() {
        // Each second's value sits at its middle.
        let _ = write!(points, "{:.1},{:.1} ", x_of(i as f64 + 0.5, span), y_of(v, max));
    }
    if !points.is_empty() {
        let _ = write!(out, "<polyline class=\"{class}\" points=\"{}\"/>", points.trim_end());
    }
}

fn markers(out: &mut String, r: &Report, span: f64) {
    // Live traffic's markers that have rolled out of the window are not drawn.
    let shown = r.markers.iter().filter_map(|m| Some((m.second.checked_sub(r.first_second)?, m)));
    for (i, (second, m)) in shown.filter(|(s, _)| (*s as f64) <= span).enumerate() {
        let x = x_of(second as f64, span);
        let y = TOP + 9.0 * (i % 3) as f64 + 7.0;
        let _ = write!(
            out,
            "<g class=\"fault\"><path d=\"M{x:.1} {TOP}V{}\"/><text x=\"{:.1}\" y=\"{y:.1}\">{}</text></g>",
            H - BOTTOM,
            x + 2.0,
            esc(&m.action)
        );
    }
}

fn legend(items: &[(&str, &str)]) -> String {
    let mut out = String::from("<ul class=\"load-legend\">");
    for (class, label) in items {
        let _ = write!(out, "<li><span class=\"key {class}\" aria-hidden=\"true\"></span>{}</li>", esc(label));
    }
    out.push_str("</ul>");
    out
}

/// Rows of `TABLE_EVERY` seconds from second `first`: the label and the seconds summed by `f`.
fn time_rows(first: u64, seconds: &[Second], mut cells: impl FnMut(&[Second]) -> Vec<String>) -> String {
    let mut out = String::new();
    for (i, chunk) in seconds.chunks(TABLE_EVERY).enumerate() {
        let from = first as usize + i * TABLE_EVERY;
        let _ = write!(out, "<tr><th scope=\"row\">{}–{} s</th>", from, from + chunk.len());
        for c in cells(chunk) {
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out
}

fn answers_chart(id: &str, label: &str, r: &Report, span: u64, y_max: u64) -> String {
    let y_max = nice(y_max.max(1));
    let mut svg = svg_open(id);
    axes(&mut svg, y_max, "", r.first_second, span, " s");
    let sp = span as f64;
    polyline(&mut svg, "line ok", r.seconds.iter().map(|s| s.ok as f64), sp, y_max as f64);
    let failed = |s: &Second| s.failed().saturating_sub(s.limited) as f64;
    polyline(&mut svg, "line bad", r.seconds.iter().map(failed), sp, y_max as f64);
    let limited = r.totals.limited > 0;
    if limited {
        polyline(&mut svg, "line limited", r.seconds.iter().map(|s| s.limited as f64), sp, y_max as f64);
    }
    markers(&mut svg, r, sp);
    svg.push_str("</svg>");
    let keys = [("ok", "OK (below 400)"), ("bad", "failed"), ("limited", "429: rate limited")];
    svg.push_str(&legend(&keys[..if limited { 3 } else { 2 }]));
    let mut table = String::from("<table><caption>Requests in each 10 simulated seconds</caption><thead><tr><th scope=\"col\">seconds</th><th scope=\"col\">OK</th><th scope=\"col\">401</th><th scope=\"col\">502/503</th><th scope=\"col\">429</th><th scope=\"col\">other failures</th></tr></thead><tbody>");
    table.push_str(&time_rows(r.first_second, &r.seconds, |c| {
        vec![
            thousands(c.iter().map(|s| s.ok).sum()),
            thousands(c.iter().map(|s| s.unauthorized).sum()),
            thousands(c.iter().map(|s| s.unavailable).sum()),
            thousands(c.iter().map(|s| s.limited).sum()),
            thousands(c.iter().map(|s| s.other).sum()),
        ]
    }));
    table.push_str("</tbody></table>");
    if !r.markers.is_empty() {
        table.push_str("<ul class=\"load-faults\">");
        for m in &r.markers {
            let _ = write!(table, "<li>{} s, before request {}: {}</li>", m.second, thousands(m.at), esc(&m.text));
        }
        table.push_str("</ul>");
    }
    figure(id, &format!("Lane {label}: answers per second"), &svg, &table)
}

/// A table column over the seconds of one row: its head and its cell.
type Column = (&'static str, fn(&[Second]) -> String);
/// A chart's line: its class, its legend and its value in a second.
type Line = (&'static str, &'static str, fn(&Second) -> u64);

/// What a chart of counts per server (or per pool) reads from each second,
/// and the columns its table adds, each summed over the table's rows.
struct PerServer {
    /// What the chart's lines are: `connections open`.
    what: &'static str,
    /// Where a row's count is: `S1` for a server, or `pool` names.
    name: fn(usize) -> String,
    at: fn(&Second) -> [u32; MAX_SERVERS as usize],
    /// Which servers get a line: those with a non-zero count here in any second.
    shown: fn(&Second) -> [u32; MAX_SERVERS as usize],
    columns: &'static [Column],
}

/// Counts per server (connections open, FTP sessions held, connections
/// lent), second by second: one line per server that ever had one.
fn per_server_chart(id: &str, label: &str, r: &Report, span: u64, c: &PerServer) -> String {
    let servers: Vec<usize> =
        (0..MAX_SERVERS as usize).filter(|i| r.seconds.iter().any(|s| (c.shown)(s)[*i] > 0)).collect();
    let max = r.seconds.iter().flat_map(|s| (c.at)(s)).max().unwrap_or(0);
    let max = nice(u64::from(max).max(1));
    let mut svg = svg_open(id);
    axes(&mut svg, max, "", r.first_second, span, " s");
    let sp = span as f64;
    let mut keys: Vec<(String, String)> = Vec::new();
    for i in &servers {
        let class = format!("line srv{}", i + 1);
        polyline(&mut svg, &class, r.seconds.iter().map(|s| f64::from((c.at)(s)[*i])), sp, max as f64);
        keys.push((format!("srv{}", i + 1), (c.name)(*i)));
    }
    markers(&mut svg, r, sp);
    svg.push_str("</svg>");
    let keys: Vec<(&str, &str)> = keys.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
    svg.push_str(&legend(&keys));
    let mut table = format!(
        "<table><caption>{} at the end of every 10th simulated second</caption><thead><tr><th scope=\"col\">at</th>",
        esc(&upper_first(c.what))
    );
    for i in &servers {
        let _ = write!(table, "<th scope=\"col\">{}</th>", esc(&(c.name)(*i)));
    }
    table.push_str("<th scope=\"col\">all</th>");
    for (head, _) in c.columns {
        let _ = write!(table, "<th scope=\"col\">{}</th>", esc(head));
    }
    table.push_str("</tr></thead><tbody>");
    for (k, chunk) in r.seconds.chunks(TABLE_EVERY).enumerate() {
        let Some(last) = chunk.last() else { continue };
        let _ =
            write!(table, "<tr><th scope=\"row\">{} s</th>", r.first_second as usize + k * TABLE_EVERY + chunk.len());
        let at = (c.at)(last);
        for i in &servers {
            let _ = write!(table, "<td>{}</td>", thousands(u64::from(at[*i])));
        }
        let _ = write!(table, "<td class=\"all\">{}</td>", thousands(at.iter().map(|n| u64::from(*n)).sum()));
        for (_, cell) in c.columns {
            let _ = write!(table, "<td>{}</td>", cell(chunk));
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    figure(id, &format!("Lane {label}: {}", c.what), &svg, &table)
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// `S3`: a server by its index.
fn server_name(i: usize) -> String {
    format!("S{}", i + 1)
}

/// The sum of one count over a table row's seconds.
fn sum(seconds: &[Second], f: fn(&Second) -> u64) -> String {
    thousands(seconds.iter().map(f).sum())
}

const OPEN: PerServer = PerServer {
    what: "connections open per server",
    name: server_name,
    at: |s| s.sockets.open,
    shown: |s| s.sockets.open,
    columns: &[
        ("opened (reconnects)", |c| {
            format!("{} ({})", sum(c, |s| s.sockets.counts.opened), sum(c, |s| s.sockets.counts.reconnects))
        }),
        ("dropped (1006)", |c| sum(c, |s| s.sockets.counts.dropped)),
    ],
};

const HELD_FTP: PerServer = PerServer {
    what: "FTP sessions held per server",
    name: server_name,
    at: |s| s.files.held,
    shown: |s| s.files.held,
    columns: &[
        ("logins", |c| sum(c, |s| s.files.counts.logins)),
        ("lost with a server", |c| sum(c, |s| s.files.counts.sessions_lost)),
        ("closed idle", |c| sum(c, |s| s.files.counts.idle_closed)),
    ],
};

/// A pool by its index: an app server's own, or PgBouncer's one (index 0)
/// on a transaction-pooling lane; the chart's caption says which.
fn pool_name(i: usize) -> String {
    format!("pool {}", i + 1)
}

const LENT: PerServer = PerServer {
    what: "database connections lent per pool",
    name: pool_name,
    at: |s| s.pools.in_use,
    // A pool that is open has a line, even while none of its connections is lent.
    shown: |s| s.pools.open,
    columns: &[
        ("opened", |c| sum(c, |s| s.pools.counts.opened)),
        ("aborted by a crash", |c| sum(c, |s| s.pools.counts.aborted)),
    ],
};

/// A chart of counts per second, one line each, and its table of sums per
/// `TABLE_EVERY` seconds (with columns that are not drawn, such as `sent`).
struct Counts {
    what: &'static str,
    lines: &'static [Line],
    columns: &'static [Column],
}

fn counts_chart(id: &str, label: &str, r: &Report, span: u64, c: &Counts) -> String {
    let max = r.seconds.iter().flat_map(|s| c.lines.iter().map(move |(_, _, f)| f(s))).max();
    let max = nice(max.unwrap_or(0).max(1));
    let mut svg = svg_open(id);
    axes(&mut svg, max, "", r.first_second, span, " s");
    let sp = span as f64;
    for (class, _, f) in c.lines {
        polyline(&mut svg, &format!("line {class}"), r.seconds.iter().map(|s| f(s) as f64), sp, max as f64);
    }
    markers(&mut svg, r, sp);
    svg.push_str("</svg>");
    let keys: Vec<(&str, &str)> = c.lines.iter().map(|(class, name, _)| (*class, *name)).collect();
    svg.push_str(&legend(&keys));
    let mut table = format!(
        "<table><caption>{} in each 10 simulated seconds</caption><thead><tr><th scope=\"col\">seconds</th>",
        esc(&upper_first(c.what))
    );
    for (head, _) in c.columns {
        let _ = write!(table, "<th scope=\"col\">{}</th>", esc(head));
    }
    table.push_str("</tr></thead><tbody>");
    table.push_str(&time_rows(r.first_second, &r.seconds, |chunk| c.columns.iter().map(|(_, f)| f(chunk)).collect()));
    table.push_str("</tbody></table>");
    if !r.markers.is_empty() {
        table.push_str("<ul class=\"load-faults\">");
        for m in &r.markers {
            let _ = write!(table, "<li>{} s: {}</li>", m.second, esc(&m.text));
        }
        table.push_str("</ul>");
    }
    figure(id, &format!("Lane {label}: {} per second", c.what), &svg, &table)
}

const MESSAGES: Counts = Counts {
    what: "messages",
    lines: &[
        ("delivered", "delivered", |s| s.sockets.counts.delivered),
        ("missed", "missed", |s| s.sockets.counts.missed),
        ("offline", "not sent (reconnecting)", |s| s.sockets.offline),
    ],
    columns: &[
        ("sent", |c| sum(c, |s| s.sockets.sent)),
        ("delivered", |c| sum(c, |s| s.sockets.counts.delivered)),
        ("missed", |c| sum(c, |s| s.sockets.counts.missed)),
        ("not sent", |c| sum(c, |s| s.sockets.offline)),
    ],
};

const DOWNLOADS: Counts = Counts {
    what: "downloads",
    lines: &[
        ("completed", "completed", |s| s.files.counts.completed),
        ("resumed", "resumed", |s| s.files.counts.resumed),
        ("cut", "cut by a fault", |s| s.files.counts.cut),
        ("nodata", "refused 425", |s| s.files.counts.no_data),
    ],
    columns: &[
        ("started", |c| sum(c, |s| s.files.counts.started)),
        ("resumed", |c| sum(c, |s| s.files.counts.resumed)),
        ("completed", |c| sum(c, |s| s.files.counts.completed)),
        ("cut", |c| sum(c, |s| s.files.counts.cut)),
        ("refused 425", |c| sum(c, |s| s.files.counts.no_data)),
        ("no server took it", |c| sum(c, |s| s.files.counts.refused)),
        ("bytes", |c| sum(c, |s| s.files.counts.bytes)),
    ],
};

const CHECKOUTS: Counts = Counts {
    what: "pool checkouts, waits and losses",
    lines: &[
        ("waited", "waited", |s| s.pools.counts.waited),
        ("timeouts", "gave up (timeout)", |s| s.pools.counts.timeouts),
        ("aborted", "aborted by a crash", |s| s.pools.counts.aborted),
    ],
    columns: &[
        ("checkouts", |c| sum(c, |s| s.pools.counts.checkouts)),
        ("waited", |c| sum(c, |s| s.pools.counts.waited)),
        ("mean wait", |c| {
            let (ms, n): (u64, u64) = c.iter().fold((0, 0), |(ms, n), s| {
                (ms.saturating_add(s.pools.counts.wait_ms), n.saturating_add(s.pools.counts.waited))
            });
            ms.checked_div(n).map_or_else(|| "–".to_owned(), |m| format!("{} ms", thousands(m)))
        }),
        ("gave up", |c| sum(c, |s| s.pools.counts.timeouts)),
        ("aborted", |c| sum(c, |s| s.pools.counts.aborted)),
        ("dropped from a queue", |c| sum(c, |s| s.pools.counts.dropped)),
    ],
};

/// Store round trips and refreshes per second, or a sentence for a lane that
/// had neither.
fn store_chart(id: &str, label: &str, r: &Report, span: u64) -> String {
    let caption = format!("Lane {label}: refreshes and store round trips");
    if r.totals.store_trips == 0 && r.totals.refreshes == 0 {
        let none = "<p class=\"muted load-none\">No request reached the shared store and the app sent no refresh: this lane answers from what each request carries and what each server holds.</p>";
        return format!(
            "<figure class=\"load-figure\"><figcaption id=\"{id}-cap\">{}</figcaption>{none}</figure>",
            esc(&caption)
        );
    }
    let max = nice(r.seconds.iter().map(|s| s.store_trips.max(s.refreshes)).max().unwrap_or(0).max(1));
    let mut svg = svg_open(id);
    axes(&mut svg, max, "", r.first_second, span, " s");
    let sp = span as f64;
    polyline(&mut svg, "line store", r.seconds.iter().map(|s| s.store_trips as f64), sp, max as f64);
    polyline(&mut svg, "line refresh", r.seconds.iter().map(|s| s.refreshes as f64), sp, max as f64);
    markers(&mut svg, r, sp);
    svg.push_str("</svg>");
    svg.push_str(&legend(&[("store", "store round trips"), ("refresh", "refreshes")]));
    let mut table = String::from("<table><caption>In each 10 simulated seconds</caption><thead><tr><th scope=\"col\">seconds</th><th scope=\"col\">refreshes</th><th scope=\"col\">store round trips</th><th scope=\"col\">per request</th></tr></thead><tbody>");
    table.push_str(&time_rows(r.first_second, &r.seconds, |c| {
        let trips: u64 = c.iter().map(|s| s.store_trips).sum();
        let requests: u64 = c.iter().map(Second::requests).sum();
        vec![thousands(c.iter().map(|s| s.refreshes).sum()), thousands(trips), per(trips, requests)]
    }));
    table.push_str("</tbody></table>");
    figure(id, &caption, &svg, &table)
}

/// `n / d` with two decimals, `–` when `d` is 0.
fn per(n: u64, d: u64) -> String {
    if d == 0 {
        "–".into()
    } else {
        format!("{:.2}", n as f64 / d as f64)
    }
}

/// What `note` says of each lane's design and this run, as paragraphs in lane order.
fn notes(lanes: &[(&str, &Report)], note: fn(&LaneConfig, &Report) -> Option<String>) -> String {
    let mut out = String::new();
    for (label, r) in lanes {
        if let Some(text) = parse_config(&r.config).ok().and_then(|c| note(&c, r)) {
            let _ = write!(out, "<p class=\"notice info load-note\">Lane {}: {}</p>", esc(label), esc(&text));
        }
    }
    out
}

/// An API-key lane's limit against the load users' rate. A load user sends
/// the run's rate over the users, every simulated second: with 5 requests
/// per 10 s per client, more than half a request a second each is refused 429
/// where the store counts, the limit doing what it is for; counted in each
/// server's memory, a client gets up to 5 per server.
fn rate_limit_note(c: &LaneConfig, r: &Report) -> Option<String> {
    let AuthMode::ApiKey { limiter } = c.auth else { return None };
    let window = u64::from(RATE_WINDOW_S);
    let sent = r.rate as f64 * window as f64 / f64::from(r.clients.max(1));
    let servers = u64::from(c.servers);
    let allowed = match limiter {
        Store::Shared => u64::from(RATE_LIMIT),
        Store::Local => u64::from(RATE_LIMIT) * servers,
    };
    let limit =
        format!("API clients are limited to {RATE_LIMIT} requests per {window} s each, all their keys together");
    let counted = match limiter {
        Store::Shared => "counted in the shared store, so every server enforces the same count".to_owned(),
        Store::Local => format!(
            "counted in each server's own memory, so a client gets up to {RATE_LIMIT} from each of the {servers} servers, {allowed} per window"
        ),
    };
    let rate = format!(
        "each load user sends {} requests per {window} s window ({} users sharing {} a second)",
        trim(format!("{sent:.1}")),
        thousands(u64::from(r.clients)),
        thousands(r.rate)
    );
    let verdict = if sent > allowed as f64 {
        format!(
            "so about {:.0} % of them are answered 429 with a Retry-After. That is the limit doing its job, not the fleet failing: the charts count 429s apart from failures.",
            (1.0 - allowed as f64 / sent) * 100.0
        )
    } else {
        format!(
            "which the limit lets through: more than {} requests per user a run (or a faster live rate) meets it.",
            allowed * SECONDS / window
        )
    };
    Some(format!("{limit}, {counted}; {rate}, {verdict}"))
}

/// A refresh lane's access lifetime against the run's length: tokens that
/// outlive the run show no refresh, so the note names a lifetime that does.
fn refresh_note(c: &LaneConfig, r: &Report) -> Option<String> {
    if c.auth != AuthMode::Refresh {
        return None;
    }
    let ttl = u64::from(c.token_ttl_s);
    let (length, what) = if r.live { (LIVE_SECONDS, "live traffic's") } else { (SECONDS, "a run's") };
    let lifetime = human_duration(ttl);
    Some(if ttl < length {
        format!(
            "access tokens live {lifetime}: each load user's app refreshes at its first request after each lifetime, about {} times in {what} {} simulated seconds, each refresh a request and store round trips of its own.",
            length / ttl.max(1),
            length
        )
    } else {
        let short = config_text(&LaneConfig { token_ttl_s: ACCESS_TTL_S, ..*c });
        format!(
            "access tokens live {lifetime}, longer than {what} {length} simulated seconds, so no refresh falls in it. Configure the lane as {short} (access tokens of {ACCESS_TTL_S} s) to see what refreshing costs."
        )
    })
}

fn servers_chart(id: &str, label: &str, r: &Report) -> String {
    let t = &r.totals;
    let mut rows: Vec<(String, u64)> = t
        .per_server
        .iter()
        .enumerate()
        .filter(|(i, n)| **n > 0 || *i < 3)
        .map(|(i, n)| (format!("S{}", i + 1), *n))
        .collect();
    if t.balancer > 0 {
        rows.push(("balancer".into(), t.balancer));
    }
    let max = nice(rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1));
    let bar_h = 16.0;
    let h = TOP + bar_h * 1.5 * rows.len() as f64 + 6.0;
    let mut svg = format!("<svg class=\"load-chart\" viewBox=\"0 0 {W} {h:.0}\" role=\"img\" aria-labelledby=\"{id}-cap\" focusable=\"false\">");
    for (i, (name, n)) in rows.iter().enumerate() {
        let y = TOP + bar_h * 1.5 * i as f64;
        let w = (W - LEFT - RIGHT - 70.0) * (*n as f64 / max as f64);
        let class = if name == "balancer" { "bar bad" } else { "bar" };
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{name}</text><rect class=\"{class}\" x=\"{LEFT}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\"/><text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEFT - 4.0,
            y + 12.0,
            LEFT + w + 4.0,
            y + 12.0,
            thousands(*n)
        );
    }
    svg.push_str("</svg>");
    let mut table = String::from(
        "<table><thead><tr><th scope=\"col\">answered by</th><th scope=\"col\">requests</th></tr></thead><tbody>",
    );
    for (name, n) in &rows {
        let _ = write!(table, "<tr><th scope=\"row\">{name}</th><td>{}</td></tr>", thousands(*n));
    }
    table.push_str("</tbody></table>");
    figure(id, &format!("Lane {label}: requests per server"), &svg, &table)
}

fn latency_chart(id: &str, label: &str, r: &Report) -> String {
    let t = &r.totals;
    // Up to the highest bin in use, so a 6 ms lane is not drawn 64 ms wide.
    let used = r.latency.iter().rposition(|n| *n > 0).map_or(8, |i| i + 2).clamp(8, LATENCY_BINS);
    let max = nice(r.latency.iter().copied().max().unwrap_or(0).max(1));
    let mut svg = svg_open(id);
    // The first millisecond of the bins at the axis's start, middle and end.
    let at = |bin: usize| format!("{} ms", short(u64::from(bin_range(bin).0)));
    axes_labelled(&mut svg, max, "", &[at(0), at(used / 2), at(used)]);
    let bw = (W - LEFT - RIGHT) / used as f64;
    for (bin, n) in r.latency.iter().take(used).enumerate().filter(|(_, n)| **n > 0) {
        let y = y_of(*n as f64, max as f64);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            LEFT + bw * bin as f64 + 1.0,
            (bw - 2.0).max(1.0),
            H - BOTTOM - y
        );
    }
    for (i, (name, v)) in [("p50", t.p50_ms), ("p95", t.p95_ms), ("p99", t.p99_ms)].iter().enumerate() {
        let x = LEFT + bw * (bin_of(*v) as f64 + 0.5);
        let _ = write!(
            svg,
            "<g class=\"pct\"><path d=\"M{x:.1} {TOP}V{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{name} {}</text></g>",
            H - BOTTOM,
            x + 3.0,
            TOP + 8.0 + 10.0 * i as f64,
            binned_ms(*v)
        );
    }
    svg.push_str("</svg>");
    let mut table = format!("<p>p50 {}, p95 {}, p99 {}, mean {} ms.</p><table><thead><tr><th scope=\"col\">latency</th><th scope=\"col\">requests</th></tr></thead><tbody>", binned_ms(t.p50_ms), binned_ms(t.p95_ms), binned_ms(t.p99_ms), thousands(t.latency_mean_ms));
    for (bin, n) in r.latency.iter().enumerate().filter(|(_, n)| **n > 0) {
        let _ = write!(table, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", bin_label(bin), thousands(*n));
    }
    table.push_str("</tbody></table>");
    figure(id, &format!("Lane {label}: latency"), &svg, &table)
}

fn mean_credential(s: &Second) -> f64 {
    let n = s.requests();
    if n == 0 {
        0.0
    } else {
        s.credential_bytes as f64 / n as f64
    }
}

fn credential_chart(lanes: &[(&str, &Report)], span: u64) -> String {
    let max = lanes.iter().flat_map(|(_, r)| r.seconds.iter().map(mean_credential)).fold(0.0, f64::max);
    let max = nice(max.ceil() as u64).max(1);
    let id = "credential-bytes";
    let mut svg = svg_open(id);
    let first = lanes.first().map_or(0, |(_, r)| r.first_second);
    axes(&mut svg, max, " B", first, span, " s");
    let mut keys = Vec::new();
    for (i, (label, r)) in lanes.iter().enumerate() {
        let class = if i == 0 { "line lane-a" } else { "line lane-b" };
        polyline(&mut svg, class, r.seconds.iter().map(mean_credential), span as f64, max as f64);
        keys.push((if i == 0 { "lane-a" } else { "lane-b" }, format!("lane {label}")));
    }
    svg.push_str("</svg>");
    let keys: Vec<(&str, &str)> = keys.iter().map(|(c, l)| (*c, l.as_str())).collect();
    svg.push_str(&legend(&keys));
    let mut table = String::from("<table><thead><tr><th scope=\"col\">seconds</th>");
    for (label, _) in lanes {
        let _ = write!(table, "<th scope=\"col\">lane {} (bytes per request)</th>", esc(label));
    }
    table.push_str("</tr></thead><tbody>");
    let longest = lanes.iter().map(|(_, r)| r.seconds.len()).max().unwrap_or(0);
    for from in (0..longest).step_by(TABLE_EVERY) {
        let (a, b) = (first as usize + from, first as usize + (from + TABLE_EVERY).min(longest));
        let _ = write!(table, "<tr><th scope=\"row\">{a}–{b} s</th>");
        for (_, r) in lanes {
            let chunk = r.seconds.get(from..(from + TABLE_EVERY).min(r.seconds.len())).unwrap_or(&[]);
            let (bytes, n) = chunk.iter().fold((0u64, 0u64), |(b, n), s| (b + s.credential_bytes, n + s.requests()));
            let cell = if n == 0 { "–".to_owned() } else { format!("{:.1}", bytes as f64 / n as f64) };
            let _ = write!(table, "<td>{cell}</td>");
        }
        table.push_str("</tr>");
    }
    table.push_str("</tbody></table>");
    figure(id, "Credential bytes per request, both lanes", &svg, &table)
}

fn state_chart(id: &str, label: &str, r: &Report, span: u64) -> String {
    let held = HeldLooks::of(r);
    let caption = format!("Lane {label}: state held per server");
    if held.servers.is_empty() && !held.store {
        // Nothing to draw: an empty chart and table would only say it less plainly.
        let none = match (r.kind, r.app()) {
            (_, Some(App::Ftp)) => "<p class=\"muted load-none\">No server or store holds an HTTP session. The FTP servers hold theirs in memory, one a control connection: counted in \u{201c}FTP sessions held per server\u{201d} above.</p>",
            (Some(Kind::Db), _) => "<p class=\"muted load-none\">No server or store holds an HTTP session. The load users' orders carry no credential; what a database lane holds is on its PostgreSQL connections: \u{201c}Database connections lent per pool\u{201d} above.</p>",
            _ => "<p class=\"muted load-none\">No server or store holds any session: this lane keeps no state on the server side.</p>",
        };
        return format!(
            "<figure class=\"load-figure\"><figcaption id=\"{id}-cap\">{}</figcaption>{none}</figure>",
            esc(&caption)
        );
    }
    figure(id, &caption, &held.svg(id, r, span), &held.table(r))
}

/// What a run's servers and store held, at each look.
struct HeldLooks<'a> {
    /// (end of second, what was held then).
    looks: Vec<(usize, &'a Held)>,
    /// The servers that ever held anything, by index.
    servers: Vec<usize>,
    /// Whether the shared store ever held anything.
    store: bool,
}

impl<'a> HeldLooks<'a> {
    fn of(r: &'a Report) -> HeldLooks<'a> {
        let looks: Vec<(usize, &Held)> =
            r.seconds.iter().enumerate().filter_map(|(i, s)| Some((i + 1, s.held.as_ref()?))).collect();
        let servers = (0..MAX_SERVERS as usize)
            .filter(|i| looks.iter().any(|(_, h)| h.session_bytes[*i] > 0 || h.sessions[*i] > 0))
            .collect();
        let store = looks.iter().any(|(_, h)| h.store_bytes > 0);
        HeldLooks { looks, servers, store }
    }

    /// The chart: one line per server that held anything, and the store's.
    fn svg(&self, id: &str, r: &Report, span: u64) -> String {
        let max = self.looks.iter().flat_map(|(_, h)| h.session_bytes.iter().copied().chain([h.store_bytes])).max();
        let max = nice(u64::from(max.unwrap_or(0)).max(1));
        let mut svg = svg_open(id);
        axes(&mut svg, max, " B", r.first_second, span, " s");
        let mut keys: Vec<(String, String)> = Vec::new();
        for i in &self.servers {
            self.line(&mut svg, &format!("line srv{}", i + 1), span, max, |h| h.session_bytes[*i]);
            keys.push((format!("srv{}", i + 1), format!("S{}", i + 1)));
        }
        if self.store {
            self.line(&mut svg, "line store", span, max, |h| h.store_bytes);
            keys.push(("store".into(), "shared store".into()));
        }
        markers(&mut svg, r, span as f64);
        svg.push_str("</svg>");
        let keys: Vec<(&str, &str)> = keys.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
        svg.push_str(&legend(&keys));
        svg
    }

    /// What was held is known only at each look: drawn as a dot there, held
    /// level until the next look, so a drop shows where it was seen, not as a
    /// slope that starts before the fault.
    fn line(&self, svg: &mut String, class: &str, span: u64, max: u64, value: impl Fn(&Held) -> u32) {
        let mut points = String::new();
        let mut dots = String::new();
        let mut last_y = None;
        for (at, h) in &self.looks {
            let (x, y) = (x_of(*at as f64, span as f64), y_of(f64::from(value(h)), max as f64));
            if let Some(prev) = last_y {
                let _ = write!(points, "{x:.1},{prev:.1} ");
            }
            let _ = write!(points, "{x:.1},{y:.1} ");
            let _ = write!(dots, "<circle class=\"dot {class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"/>");
            last_y = Some(y);
        }
        if !points.is_empty() {
            let _ = write!(svg, "<polyline class=\"{class}\" points=\"{}\"/>{dots}", points.trim_end());
        }
    }

    /// The same in numbers: sessions and bytes per server and in the store.
    fn table(&self, r: &Report) -> String {
        let mut table = String::from("<table><thead><tr><th scope=\"col\">at</th>");
        for i in &self.servers {
            let _ = write!(table, "<th scope=\"col\">S{} sessions</th><th scope=\"col\">S{} bytes</th>", i + 1, i + 1);
        }
        if self.store {
            table.push_str("<th scope=\"col\">store entries</th><th scope=\"col\">store bytes</th>");
        }
        table.push_str("</tr></thead><tbody>");
        // One row per look, but at most about ten rows.
        let every = self.looks.len().div_ceil(10).max(1);
        for (k, (at, h)) in self.looks.iter().enumerate() {
            if (k + 1) % every != 0 && k + 1 != self.looks.len() {
                continue;
            }
            let _ = write!(table, "<tr><th scope=\"row\">{} s</th>", r.first_second + *at as u64);
            for i in &self.servers {
                table.push_str(&cells(h.sessions[*i], h.session_bytes[*i]));
            }
            if self.store {
                table.push_str(&cells(h.store_sessions, h.store_bytes));
            }
            table.push_str("</tr>");
        }
        table.push_str("</tbody></table>");
        table
    }
}

/// A sessions cell and a bytes cell.
fn cells(sessions: u32, bytes: u32) -> String {
    format!("<td>{}</td><td>{}</td>", thousands(u64::from(sessions)), thousands(u64::from(bytes)))
}

/// The run's comparison: one row per measure, one column per lane, each
/// row linked to the Learn page's explanation as the page's own comparison
/// table is (src/components/comparison.rs). Each cell carries its exact
/// value in `data-v`, as the command prints it.
/// A count and its text, for a row of the comparison.
fn count(n: u64) -> (u64, String) {
    (n, thousands(n))
}

fn comparison(lanes: &[(&str, &Report)]) -> String {
    type Row = (&'static str, &'static str, &'static str, fn(&Report) -> (u64, String));
    let turns = lanes.iter().any(|(_, r)| r.kind.is_some());
    let mut rows: Vec<Row> = vec![
        // A lane of another kind plays turns, and some send nothing (a
        // download still arriving, an app waiting to reconnect).
        ("requests", if turns { "turns played" } else { "requests answered" }, "compare", |r| {
            (r.totals.requests, thousands(r.totals.requests))
        }),
        ("ok", "OK (below 400)", "compare", |r| (r.totals.ok, thousands(r.totals.ok))),
        ("failed", "failed", "fault-tolerance", |r| {
            (r.totals.failed, percent_of(r.totals.failed, r.totals.ok.saturating_add(r.totals.failed)))
        }),
        ("unauthorized", "401: log in again", "memory", |r| (r.totals.unauthorized, thousands(r.totals.unauthorized))),
        ("unavailable", "502/503: not served", "fault-tolerance", |r| {
            (r.totals.unavailable, thousands(r.totals.unavailable))
        }),
        ("limited", "429: rate limited", "server-resources", |r| (r.totals.limited, thousands(r.totals.limited))),
        ("logins", "logins", "memory", |r| (r.totals.logins, thousands(r.totals.logins))),
        ("refreshes", "refreshes the app sent", "client-responsibility", |r| {
            (r.totals.refreshes, thousands(r.totals.refreshes))
        }),
        ("store_trips", "store round trips", "scalability", |r| {
            (
                r.totals.store_trips,
                format!(
                    "{} ({} per request)",
                    thousands(r.totals.store_trips),
                    per(r.totals.store_trips, r.totals.requests)
                ),
            )
        }),
        ("p50_ms", "latency p50", "scalability", |r| (r.totals.p50_ms.into(), binned_ms(r.totals.p50_ms))),
        ("p95_ms", "latency p95", "scalability", |r| (r.totals.p95_ms.into(), binned_ms(r.totals.p95_ms))),
        ("p99_ms", "latency p99", "scalability", |r| (r.totals.p99_ms.into(), binned_ms(r.totals.p99_ms))),
        ("credential_mean_tenths", "credential bytes per request that carried one", "request-size", |r| {
            let t = r.totals.credential_mean_tenths;
            (t, format!("{}.{} B", t / 10, t % 10))
        }),
        ("sessions_lost", "sessions lost", "fault-tolerance", |r| {
            (r.totals.sessions_lost, thousands(r.totals.sessions_lost))
        }),
        ("peak_sessions", "most sessions and store entries held at one look", "server-resources", |r| {
            (r.totals.peak_sessions, thousands(r.totals.peak_sessions))
        }),
        ("peak_state_bytes", "most state bytes held at one look", "server-resources", |r| {
            (r.totals.peak_state_bytes, thousands(r.totals.peak_state_bytes))
        }),
    ];
    let shown = |kind| lanes.iter().any(|(_, r)| r.kind == Some(kind));
    if shown(Kind::Files) {
        rows.extend::<[Row; 4]>([
            ("peak_held", "most FTP sessions held at the end of a second", "memory", |r| count(r.totals.peak_held)),
            ("downloads_cut", "downloads a fault cut", "fault-tolerance", |r| count(r.totals.files.counts.cut)),
            ("downloads_resumed", "downloads resumed", "fault-tolerance", |r| count(r.totals.files.counts.resumed)),
            ("no_data", "FTP transfers refused 425", "fault-tolerance", |r| count(r.totals.files.counts.no_data)),
        ]);
    }
    if shown(Kind::Db) {
        rows.extend::<[Row; 6]>([
            ("pool_waited", "orders that waited for a connection", "scalability", |r| {
                count(r.totals.pools.counts.waited)
            }),
            ("pool_wait_mean_ms", "their mean wait", "scalability", |r| {
                let c = &r.totals.pools.counts;
                let mean = c.wait_ms.checked_div(c.waited).unwrap_or(0);
                (mean, format!("{} ms", thousands(mean)))
            }),
            ("pool_timeouts", "orders that gave up waiting", "fault-tolerance", |r| {
                count(r.totals.pools.counts.timeouts)
            }),
            ("db_opened", "database connections opened", "server-resources", |r| count(r.totals.pools.counts.opened)),
            ("aborted", "transactions a crash aborted", "fault-tolerance", |r| count(r.totals.pools.counts.aborted)),
            ("dropped", "queued orders a crash dropped", "fault-tolerance", |r| count(r.totals.pools.counts.dropped)),
        ]);
    }
    let mut out = String::from("<section class=\"load-section\"><h3>The run, side by side</h3><table class=\"load-compare\"><caption>Totals of the run so far for each lane, same seed and traffic</caption><thead><tr><th scope=\"col\">measure</th>");
    for (label, r) in lanes {
        let _ = write!(out, "<th scope=\"col\">lane {} <span class=\"muted\">{}</span></th>", esc(label), esc(&r.lane));
    }
    out.push_str("</tr></thead><tbody>");
    for (key, name, learn, f) in rows {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{name} <a class=\"means\" href=\"./learn.html#{learn}\">what it means</a></th>"
        );
        for (label, r) in lanes {
            let (v, text) = f(r);
            let _ = write!(
                out,
                "<td data-lane=\"{}\" data-k=\"{key}\" data-v=\"{v}\">{}</td>",
                esc(&label.to_ascii_lowercase()),
                esc(&text)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
    out
}

fn percent_of(n: u64, of: u64) -> String {
    if of == 0 {
        return "0".into();
    }
    format!("{} ({:.1} %)", thousands(n), n as f64 * 100.0 / of as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::load::{Plan, Run};
    use statelab_sim::LaneConfig;

    fn report(config: LaneConfig, faults: &str) -> Report {
        let plan = Plan { faults: Plan::parse_faults(faults).unwrap(), ..Plan::new(120, 10) };
        let mut run = Run::new(plan, config, 2);
        run.step(u64::MAX);
        run.report()
    }

    #[test]
    fn the_comparison_carries_the_runs_exact_totals() {
        let (a, b) = (report(LaneConfig::stateless(), "30.crash.1"), report(LaneConfig::stateful(), "30.crash.1"));
        let html = render(&[("A", &a), ("B", &b)]);
        for (lane, r) in [("a", &a), ("b", &b)] {
            for (k, v) in [
                ("ok", r.totals.ok),
                ("unauthorized", r.totals.unauthorized),
                ("sessions_lost", r.totals.sessions_lost),
            ] {
                let cell = format!("data-lane=\"{lane}\" data-k=\"{k}\" data-v=\"{v}\"");
                assert!(html.contains(&cell), "{cell}");
            }
        }
        assert!(
            b.totals.unauthorized > 0 && a.totals.unauthorized == 0,
            "the lanes differ, so the check means something"
        );
    }

    #[test]
    fn every_chart_has_a_table_and_fault_markers_are_drawn() {
        let a = report(LaneConfig::stateless(), "30.crash.1~70.restart.1");
        let html = render(&[("A", &a)]);
        assert_eq!(html.matches("<svg").count(), 4, "a lane that holds no state gets a sentence, not a chart");
        assert_eq!(html.matches("<details").count(), 4);
        assert!(html.contains("this lane keeps no state on the server side"));
        assert_eq!(html.matches("<g class=\"fault\">").count(), 2, "two faults on the answers chart");
        let b = report(LaneConfig::stateful(), "30.crash.1~70.restart.1");
        let html = render(&[("B", &b)]);
        assert_eq!(html.matches("<svg").count(), 5);
        assert_eq!(html.matches("<g class=\"fault\">").count(), 4, "two faults on two time charts");
        assert!(html.contains("<circle class=\"dot line srv1\""), "each look at what is held is a dot");
        assert!(html.contains("<li>30 s, before request 360: S1 crashed"), "the table says what the marker shows");
    }

    fn planned(config: &str, clients: u32, requests: u32) -> Report {
        let mut run = Run::new(Plan::new(clients, requests), parse_config(config).unwrap(), 2);
        run.step(u64::MAX);
        run.report()
    }

    /// Orders queued behind PgBouncer's two connections wait seconds: the
    /// percentiles say which bin of seconds, where a histogram that stopped
    /// at 63 ms said "≥ 63 ms" for all three.
    #[test]
    fn pool_waits_of_seconds_are_charted_to_their_bin() {
        let r = planned("db-txn:jwt.rr.3", 500, 100);
        let t = &r.totals;
        assert!(t.p99_ms > 1_000 && t.p50_ms <= t.p95_ms && t.p95_ms <= t.p99_ms, "{t:?}");
        let (first, last) = bin_range(bin_of(t.p99_ms));
        assert_eq!(first, t.p99_ms, "a percentile is its bin's first millisecond");
        let html = render(&[("A", &r)]);
        let p99 = format!("p99 {}–{} ms", thousands(first.into()), thousands(last.unwrap().into()));
        assert!(html.contains(&format!("{p99}, mean")), "{p99}");
        assert!(html.contains(&format!(">{p99}</text>")), "the marker says the same");
        assert!(!html.contains("≥"), "no bin in reach is open-ended");
        // The table's rows add up to every request, each in a bin that names its range.
        assert_eq!(r.latency.iter().sum::<u64>(), r.total);
        let busiest = (0..LATENCY_BINS).max_by_key(|b| r.latency[*b]).unwrap();
        assert!(html.contains(&format!("<th scope=\"row\">{}</th>", bin_label(busiest))));
    }

    #[test]
    fn api_key_lanes_chart_429s_apart_and_say_what_the_limit_does_to_the_traffic() {
        // 100 users × 100 requests: 10 requests per user per 10 s window, twice the limit.
        let (shared, local) = (planned("apikey.rr.3", 100, 100), planned("apikey-local.rr.3", 100, 100));
        let html = render(&[("A", &shared), ("B", &local)]);
        assert!(shared.totals.limited > 0 && local.totals.limited == 0, "{:?} {:?}", shared.totals, local.totals);
        assert_eq!(html.matches("<polyline class=\"line limited\"").count(), 1, "only the lane that answered 429");
        assert!(html.contains("<th scope=\"col\">429</th>"));
        let cell = format!("data-lane=\"a\" data-k=\"limited\" data-v=\"{}\"", shared.totals.limited);
        assert!(html.contains(&cell), "{cell}");
        assert!(html.contains("Lane A: API clients are limited to 5 requests per 10 s each, all their keys together, counted in the shared store, so every server enforces the same count; each load user sends 10 requests per 10 s window (100 users sharing 100 a second), so about 50 % of them are answered 429 with a Retry-After. That is the limit doing its job, not the fleet failing"), "{html}");
        assert!(html.contains("Lane B: API clients are limited to 5 requests per 10 s each, all their keys together, counted in each server&#39;s own memory, so a client gets up to 5 from each of the 3 servers, 15 per window; each load user sends 10 requests per 10 s window"));
        assert!(html.contains("which the limit lets through: more than 150 requests per user a run"));
    }

    #[test]
    fn refresh_lanes_chart_their_refreshes_and_say_when_tokens_outlive_the_run() {
        let (short, long) = (planned("refresh.rr.3.4.10", 60, 30), planned("refresh.rr.3", 60, 30));
        let html = render(&[("A", &short), ("B", &long)]);
        assert_eq!(html.matches("<polyline class=\"line refresh\"").count(), 2, "both lanes meet the store at login");
        assert!(short.totals.refreshes > 0 && long.totals.refreshes == 0);
        let cell = format!("data-lane=\"a\" data-k=\"refreshes\" data-v=\"{}\"", short.totals.refreshes);
        assert!(html.contains(&cell), "{cell}");
        assert!(html.contains("Lane A: access tokens live 10 s: each load user&#39;s app refreshes at its first request after each lifetime, about 10 times in a run&#39;s 100 simulated seconds"), "{html}");
        assert!(html.contains("Lane B: access tokens live 15 min, longer than a run&#39;s 100 simulated seconds, so no refresh falls in it. Configure the lane as refresh.rr.3.4.10"));
        let opaque = planned("opaque.rr.3", 60, 30);
        let html = render(&[("A", &opaque)]);
        let cell = format!(
            "data-k=\"store_trips\" data-v=\"{}\">{} (1.00 per request)<",
            opaque.totals.store_trips,
            thousands(opaque.totals.store_trips)
        );
        assert!(html.contains(&cell), "{html}");
        assert!(!html.contains("load-note"), "nothing to say of an opaque lane's design");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn axes_round_up() {
        assert_eq!((nice(0), nice(1), nice(3), nice(7), nice(11), nice(120_001)), (1, 1, 5, 10, 20, 200_000));
        assert_eq!((short(999), short(12_500), short(3_000_000)), ("999".into(), "12.5k".into(), "3M".into()));
    }
}
