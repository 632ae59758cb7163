//! Every design measured on one workload, for the comparison the Learn page
//! and `statelab designs` print: what a request carries, what it costs the
//! store and the database, how long a logged-out credential keeps working,
//! and where the state is held. The numbers are played, never written down.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::ids::{LaneId, User};
use crate::fleet::config::{AuthMode, LaneConfig, Strategy};
use crate::fleet::lane::{Lane, STEP_MS};
use crate::playground::{Action, Playground};
use serde::Serialize;

/// Requests the workload's user makes after logging in, one every
/// [`EVERY_MS`]: ten minutes of use.
pub const REQUESTS: u32 = 20;
/// Time between two of the workload's requests.
pub const EVERY_MS: u64 = 30_000;
/// The wait before each request: every action is followed by a second of
/// the user's think time, which makes up the rest.
const PAUSE_MS: u64 = EVERY_MS - STEP_MS;

/// One design's measured row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DesignRow {
    /// The lane-config code of the design (`jwt`, `refresh`…).
    pub code: &'static str,
    /// The design in words.
    pub design: String,
    /// Requests sent in all, the app's own refreshes included.
    pub requests: u64,
    /// Mean bytes of a request on the wire, in tenths of a byte.
    pub request_bytes_tenths: u64,
    /// Mean bytes of the credential headers per request, in tenths.
    pub credential_bytes_tenths: u64,
    /// Store round trips per request, in hundredths.
    pub store_trips_hundredths: u64,
    /// Database round trips per request, in hundredths.
    pub db_trips_hundredths: u64,
    /// Refresh requests the app sent.
    pub refreshes: u64,
    /// At logout: how long a copy of the credential still works, in seconds.
    pub revocation_delay_s: u64,
    /// Bytes of authentication state in the servers' memory before logout.
    pub server_bytes: u32,
    /// Bytes in the shared store before logout.
    pub store_bytes: u32,
    /// Bytes of API-key rows in the database before logout.
    pub database_bytes: u32,
}

/// The workload, on one lane of each design: log in, a request every 30
/// seconds for ten minutes (profile, cart, orders in turn), then log out.
pub fn compare() -> Vec<DesignRow> {
    AuthMode::ALL.iter().map(|&auth| measure(auth)).collect()
}

fn measure(auth: AuthMode) -> DesignRow {
    // IP hash keeps the user on one server without a cookie of its own: sessions in server
    // memory work, and no design carries bytes another does not need.
    let config = LaneConfig::stateless().switched_to(auth).with_balancer(Strategy::IpHash);
    let mut p = Playground::new(1, [config, config]);
    let user = User::Alice;
    // The workload is valid by construction (a test plays it in every
    // design), so no action is refused.
    let _ = p.apply(Action::Login { user, wrong_password: false });
    for k in 0..REQUESTS {
        let _ = p.apply(Action::Advance { ms: PAUSE_MS });
        let _ = p.apply(match k % 3 {
            0 => Action::Me { user },
            1 => Action::ViewCart { user },
            _ => Action::OrdersPage { user, page: 1 },
        });
    }
    let held = held(p.lane(LaneId::A));
    let _ = p.apply(Action::Logout { user });
    let lane = p.lane(LaneId::A);
    let s = lane.stats();
    let per = |total: u64, scale: u64| total.saturating_mul(scale).checked_div(s.requests).unwrap_or(0);
    DesignRow {
        code: auth.code(),
        design: config.design(),
        requests: s.requests,
        request_bytes_tenths: per(s.request_bytes, 10),
        credential_bytes_tenths: per(s.credential_bytes, 10),
        store_trips_hundredths: per(s.store_trips, 100),
        db_trips_hundredths: per(s.db_trips, 100),
        refreshes: s.refreshes,
        revocation_delay_s: s.revocation_window_s.unwrap_or(0),
        server_bytes: held.0,
        store_bytes: held.1,
        database_bytes: held.2,
    }
}

/// Authentication state held by the servers, the store and the database.
fn held(lane: &Lane) -> (u32, u32, u32) {
    let servers = lane.servers().iter().map(|s| s.session_bytes()).fold(0u32, u32::saturating_add);
    (servers, lane.store().bytes(lane.now()), lane.database().api_key_bytes())
}

/// Access-token lifetimes the trade-off compares, in seconds.
pub const ACCESS_TTLS_S: [u32; 4] = [60, 5 * 60, 15 * 60, 60 * 60];

/// One access-token lifetime of a refresh lane, measured over an hour of use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TradeoffRow {
    /// The access token's lifetime, in seconds.
    pub access_ttl_s: u32,
    /// Refresh requests in the hour.
    pub refreshes: u64,
    /// Store round trips in the hour.
    pub store_trips: u64,
    /// How long a copy of the access token works after a logout that comes
    /// right after a refresh: the worst case, in seconds.
    pub window_s: u64,
}

/// Refresh lanes with each of [`ACCESS_TTLS_S`]: a user makes a request
/// every 30 seconds for an hour, then refreshes and logs out at once. Their
/// refresh tokens live a day, longer than any access token here.
pub fn tradeoff() -> Vec<TradeoffRow> {
    ACCESS_TTLS_S
        .iter()
        .map(|&ttl| {
            let config = LaneConfig {
                token_ttl_s: ttl,
                session_ttl_s: 24 * 3600,
                ..LaneConfig::stateless().with_auth(AuthMode::Refresh)
            };
            let mut p = Playground::new(1, [config, config]);
            let user = User::Alice;
            let _ = p.apply(Action::Login { user, wrong_password: false });
            for _ in 0..HOUR_REQUESTS {
                let _ = p.apply(Action::Advance { ms: PAUSE_MS });
                let _ = p.apply(Action::Me { user });
            }
            let before = p.lane(LaneId::A).stats().clone();
            let _ = p.apply(Action::Refresh { user });
            let _ = p.apply(Action::Logout { user });
            let s = p.lane(LaneId::A).stats();
            TradeoffRow {
                access_ttl_s: ttl,
                refreshes: before.refreshes,
                store_trips: before.store_trips,
                window_s: s.revocation_window_s.unwrap_or(0),
            }
        })
        .collect()
}

/// Requests in the trade-off's hour, one every [`EVERY_MS`].
const HOUR_REQUESTS: u64 = 3_600_000 / EVERY_MS;

/// The trade-off as a Markdown table.
pub fn tradeoff_markdown(rows: &[TradeoffRow]) -> String {
    let mut out = String::from(
        "| Access token lives | Refreshes per user-hour | Store round trips per user-hour | A copy works after logout for, at worst |\n|---|---:|---:|---|\n",
    );
    for r in rows {
        out.push_str("| ");
        out.push_str(&tradeoff_cells(r).join(" | "));
        out.push_str(" |\n");
    }
    out
}

/// One trade-off row's cells, as the Learn page prints them.
pub fn tradeoff_cells(r: &TradeoffRow) -> [String; 4] {
    use crate::base::time::human_duration;
    [
        human_duration(r.access_ttl_s.into()),
        r.refreshes.to_string(),
        r.store_trips.to_string(),
        human_duration(r.window_s),
    ]
}

/// The rows as a Markdown table, numbers as the Learn page prints them.
pub fn markdown(rows: &[DesignRow]) -> String {
    let mut out = String::from(
        "| Design | Request (mean) | Credential (mean) | Store trips / request | Database trips / request | Refreshes | A copy works after logout for | Servers hold before logout | Store holds before logout | Database holds before logout |\n|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n",
    );
    for r in rows {
        let cells = cells(r);
        out.push_str("| ");
        out.push_str(&cells.join(" | "));
        out.push_str(" |\n");
    }
    out
}

/// One row's cells, formatted: the same text the Learn page's table holds.
pub fn cells(r: &DesignRow) -> [String; 10] {
    [
        r.design.clone(),
        format!("{} B", tenths(r.request_bytes_tenths)),
        format!("{} B", tenths(r.credential_bytes_tenths)),
        hundredths(r.store_trips_hundredths),
        hundredths(r.db_trips_hundredths),
        r.refreshes.to_string(),
        if r.revocation_delay_s == 0 {
            "0 s (revoked at once)".into()
        } else {
            crate::base::time::human_duration(r.revocation_delay_s)
        },
        format!("{} B", r.server_bytes),
        format!("{} B", r.store_bytes),
        format!("{} B", r.database_bytes),
    ]
}

fn tenths(n: u64) -> String {
    format!("{}.{}", n / 10, n % 10)
}

fn hundredths(n: u64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::config::REFRESH_ACCESS_TTL_S;

    /// The comparison tells the designs apart for the reasons the tours give.
    #[test]
    fn the_designs_differ_where_the_tours_say_they_do() {
        let rows = compare();
        let row = |code: &str| rows.iter().find(|r| r.code == code).unwrap().clone();
        assert_eq!(rows.len(), AuthMode::ALL.len());
        // Every design answered every request: the workload suits them all.
        for r in &rows {
            assert!(r.requests > u64::from(REQUESTS), "{r:?}");
        }
        let (jwt, opaque, refresh, local) = (row("jwt"), row("opaque"), row("refresh"), row("local"));
        assert_eq!(jwt.store_trips_hundredths, 0);
        assert!((1..15 * 60).contains(&jwt.revocation_delay_s), "a JWT outlives logout by its remaining life");
        assert!(opaque.store_trips_hundredths >= 100, "an opaque token is looked up on every request");
        assert_eq!(opaque.revocation_delay_s, 0);
        assert_eq!(refresh.refreshes, 2, "ten minutes of 5-minute access tokens");
        assert!(refresh.revocation_delay_s <= u64::from(REFRESH_ACCESS_TTL_S));
        assert!(local.server_bytes > 0 && local.store_bytes == 0);
        assert!(row("apikey").database_bytes > 0 && row("apikey").store_bytes > 0);
        assert!(row("apikey-local").server_bytes > 0 && row("apikey-local").store_bytes == 0);
        assert!(jwt.credential_bytes_tenths > local.credential_bytes_tenths * 3);
        assert_eq!(row("shared").revocation_delay_s, 0);
        assert!(row("signed").revocation_delay_s > jwt.revocation_delay_s, "an idle timeout slides; exp does not");
    }

    /// Shorter access tokens close the window and cost refreshes, in proportion.
    #[test]
    fn a_shorter_access_token_trades_window_for_refreshes() {
        let rows = tradeoff();
        for pair in rows.windows(2) {
            assert!(pair[0].window_s < pair[1].window_s && pair[0].refreshes > pair[1].refreshes, "{pair:?}");
        }
        for r in &rows {
            assert!(r.window_s <= u64::from(r.access_ttl_s) && r.window_s + 2 >= u64::from(r.access_ttl_s), "{r:?}");
            assert_eq!(r.store_trips, 1 + 3 * r.refreshes, "one at login, three per refresh: {r:?}");
        }
        assert!(rows[0].refreshes >= 59, "a one-minute token is refreshed about every other request");
    }

    /// The Learn page prints this comparison; its numbers must be the ones
    /// the engine measures now, cell for cell.
    #[test]
    fn the_learn_page_prints_what_the_engine_measures() {
        let page = include_str!("../../../static/learn.html");
        for r in compare() {
            let start =
                page.find(&format!("<tr id=\"design-{}\">", r.code)).unwrap_or_else(|| panic!("no row for {}", r.code));
            let row = &page[start..start + page[start..].find("</tr>").unwrap()];
            let cells = cells(&r);
            assert!(row.contains(&format!("<th scope=\"row\">{} <span", cells[0])), "{row}");
            let tds: String = cells[1..].iter().map(|c| format!("<td>{c}</td>")).collect();
            assert!(row.contains(&tds), "{}: the page says\n{row}\nthe engine measures\n{tds}", r.code);
        }
        for r in tradeoff() {
            let start = page.find(&format!("<tr id=\"access-{}\">", r.access_ttl_s)).expect("a trade-off row");
            let row = &page[start..start + page[start..].find("</tr>").unwrap()];
            let cells = tradeoff_cells(&r);
            let want = format!("<th scope=\"row\">{}</th>", cells[0])
                + &cells[1..].iter().map(|c| format!("<td>{c}</td>")).collect::<String>();
            assert!(row.contains(&want), "the page says\n{row}\nthe engine measures\n{want}");
        }
    }
}
