//! A lane's configuration as a short code, as links, the notation and the
//! command line write it: `[app[_recheck][_msg]:]auth.balancer.servers[.store_ms[.token_ttl_s[.session_ttl_s]]]`,
//! e.g. `local.sticky.3`, `jwt-deny.rr.2.4.900` or `chat-pubsub_recheck:jwt.leastconn.3`
//! (no `app:` prefix: the shop).
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use crate::fleet::config::{App, AuthMode, LaneConfig, Strategy, TokenIn};
use std::fmt::Write;
use std::num::IntErrorKind;

/// The code of a configuration, trailing defaults left out.
pub fn config_text(c: &LaneConfig) -> String {
    let mut out = String::new();
    if c.app != App::Shop || c.recheck || c.ws_token != TokenIn::Query {
        out.push_str(c.app.code());
        if c.recheck {
            out.push_str("_recheck");
        }
        if c.ws_token == TokenIn::FirstMessage {
            out.push_str("_msg");
        }
        out.push(':');
    }
    let _ = write!(out, "{}.{}.{}", c.auth.code(), c.balancer.code(), c.servers);
    let d = LaneConfig::stateless();
    let tail =
        [(c.store_latency_ms, d.store_latency_ms), (c.token_ttl_s, d.token_ttl_s), (c.session_ttl_s, d.session_ttl_s)];
    let keep = tail.iter().rposition(|(v, dv)| v != dv).map_or(0, |i| i.saturating_add(1));
    for (v, _) in &tail[..keep] {
        let _ = write!(out, ".{v}");
    }
    out
}

/// Reads a configuration code; the error says which field is wrong and why.
pub fn parse_config(text: &str) -> Result<LaneConfig, String> {
    let (app, recheck, ws_token, text) = match text.split_once(':') {
        None => (App::Shop, false, TokenIn::Query, text),
        Some((head, rest)) => {
            let (app, recheck, ws_token) = parse_app(head)?;
            (app, recheck, ws_token, rest)
        }
    };
    let parts: Vec<&str> = text.split('.').collect();
    let first = parts.first().copied().unwrap_or_default();
    let auth = AuthMode::ALL.into_iter().find(|a| a.code() == first).ok_or_else(|| {
        let modes = AuthMode::ALL.map(AuthMode::code).join(", ");
        match App::ALL.into_iter().find(|a| a.code() == first) {
            // `--config ftp`: an app where the auth mode goes.
            Some(app) => format!(
                "`{first}` is an app, not an auth mode: the app goes before a colon, as in `{first}:jwt.rr.3` \
                 (the auth mode must be one of {modes})",
                first = app.code()
            ),
            None => format!("the auth mode `{}` is not one of {modes}", quoted(first)),
        }
    })?;
    let strategy = match parts.get(1) {
        None => Strategy::RoundRobin,
        Some(p) => Strategy::ALL.into_iter().find(|s| s.code() == *p).ok_or_else(|| {
            format!("the balancer `{}` is not one of {}", quoted(p), Strategy::ALL.map(Strategy::code).join(", "))
        })?,
    };
    let num = |i: usize, default: u32, what: &str| -> Result<u32, String> {
        parts
            .get(i)
            .map_or(Ok(default), |p| p.parse().map_err(|e| format!("{what} `{}` {}", quoted(p), number_problem(&e))))
    };
    let d = LaneConfig::stateless();
    let servers = num(2, u32::from(d.servers), "the server count")?;
    if !(1..=u32::from(crate::fleet::config::MAX_SERVERS)).contains(&servers) {
        return Err(format!("{servers} servers is outside 1 to {}", crate::fleet::config::MAX_SERVERS));
    }
    if parts.len() > 6 {
        return Err("too many fields".into());
    }
    Ok(LaneConfig {
        auth,
        balancer: strategy,
        servers: servers as u8,
        store_latency_ms: num(3, d.store_latency_ms, "the store latency")?,
        token_ttl_s: num(4, d.token_ttl_s, "the token lifetime")?,
        session_ttl_s: num(5, d.session_ttl_s, "the session timeout")?,
        app,
        recheck,
        ws_token,
    }
    .sanitized())
}

/// `chat-pubsub_recheck_msg`: the app and its connection options.
fn parse_app(head: &str) -> Result<(App, bool, TokenIn), String> {
    let mut words = head.split('_');
    let code = words.next().unwrap_or_default();
    let app = App::ALL
        .into_iter()
        .find(|a| a.code() == code)
        .ok_or_else(|| format!("the app `{}` is not one of {}", quoted(code), App::ALL.map(App::code).join(", ")))?;
    let (mut recheck, mut ws_token) = (false, TokenIn::Query);
    for flag in words {
        match flag {
            "recheck" => recheck = true,
            "msg" => ws_token = TokenIn::FirstMessage,
            other => return Err(format!("unknown app option `{}`: use _recheck or _msg", quoted(other))),
        }
    }
    Ok((app, recheck, ws_token))
}

/// Why a number in a link was refused, in words.
pub(crate) fn number_problem(e: &std::num::ParseIntError) -> &'static str {
    match e.kind() {
        IntErrorKind::PosOverflow => "is too large",
        IntErrorKind::NegOverflow => "is too small",
        _ => "is not a whole number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::config::{Pooling, Store};

    /// Every app, by a match the compiler checks is exhaustive: a new app
    /// fails to build here until it is added, and then to [`App::ALL`].
    fn every_app() -> Vec<App> {
        let mut apps = Vec::new();
        for app in App::ALL {
            match app {
                App::Shop | App::Ftp | App::Files => {}
                App::Chat(Store::Local | Store::Shared) | App::Game(Store::Local | Store::Shared) => {}
                App::Db(Pooling::Session | Pooling::Transaction | Pooling::Stateless) => {}
            }
            apps.push(app);
        }
        apps
    }

    #[test]
    fn the_app_error_names_what_was_given_and_lists_every_app_each_of_which_parses() {
        let err = parse_config("FTP:jwt.rr.3").unwrap_err();
        let list = err.strip_prefix("the app `FTP` is not one of ").unwrap_or_else(|| panic!("{err}"));
        let listed: Vec<&str> = list.split(", ").collect();
        // Ten apps, each a distinct code, each the code of an app that parses to itself.
        assert_eq!(listed.len(), 10, "{err}");
        assert_eq!(every_app().len(), listed.len());
        for (app, code) in every_app().into_iter().zip(&listed) {
            assert_eq!(app.code(), *code);
            let c = parse_config(&format!("{code}:jwt.rr.3")).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(c.app, app, "{code}");
            assert_eq!(parse_config(&config_text(&c)).unwrap(), c, "{code} round trips");
        }
        let unique: std::collections::BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "{err}");
    }

    #[test]
    fn an_app_where_the_auth_mode_goes_is_told_to_go_before_the_colon() {
        for code in ["ftp", "db-txn", "files.rr.3", "ftp:ftp.rr.3"] {
            let err = parse_config(code).unwrap_err();
            let app = code.rsplit(':').next().unwrap().split('.').next().unwrap();
            assert!(
                err.starts_with(&format!(
                    "`{app}` is an app, not an auth mode: the app goes before a colon, as in `{app}:jwt.rr.3`"
                )),
                "{code}: {err}"
            );
            assert!(err.contains("apikey-local, apikey)"), "{err}");
        }
        // An empty or unknown mode is named as given, quoted.
        assert_eq!(
            parse_config("ftp:").unwrap_err(),
            "the auth mode `` is not one of jwt, jwt-deny, local, shared, signed, refresh, opaque, apikey-local, apikey"
        );
        assert!(parse_config("ftp:jwt\u{1b}").unwrap_err().starts_with("the auth mode `jwt\\u{1b}` is not one of "));
        assert!(parse_config("ftp:jwt.teleport")
            .unwrap_err()
            .starts_with("the balancer `teleport` is not one of rr, "));
    }
}
