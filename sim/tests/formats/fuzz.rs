//! The fuzz run behind `cargo xtask fuzz`: every parser (FTP commands and
//! replies among them) fed `FUZZ_INPUTS`
//! (default 1,000,000) inputs from the generators in `gen`, seeded by
//! `FUZZ_SEED` (default 1) so a run can be repeated. Each call runs under
//! `catch_unwind`; a table gives inputs, accepted, refused, panics and time
//! per parser, and the run fails if anything panicked. Ignored by plain
//! `cargo test`: it is meant for `--release` and takes minutes.

use crate::gen;
use crate::harness::{env_number, fuzz, print_header};
use proptest::prelude::*;
use statelab_sim::link::Link;
use statelab_sim::text::parse_actions;
use statelab_sim::wire::cookie::SetCookie;
use statelab_sim::wire::ftp;
use statelab_sim::wire::http::parse_request;
use statelab_sim::wire::json::Json;
use statelab_sim::wire::jwt;
use statelab_sim::wire::pg;
use statelab_sim::wire::ws;
use statelab_sim::Scenario;

#[test]
#[ignore = "run by `cargo xtask fuzz` in release"]
fn fuzz_every_parser() {
    let inputs = env_number("FUZZ_INPUTS", 1_000_000);
    let seed = env_number("FUZZ_SEED", 1);
    let fleet = gen::fleet();
    print_header(inputs, seed);
    // Built tokens and requests carry their expected verdict; edited ones
    // (`None`) must only not panic and keep the decoder and server agreed.
    let tokens = prop_oneof![
        4 => gen::signed_token().prop_map(|t| (Some(t.must_accept()), t.now, t.token)),
        1 => gen::mutated(gen::signed_token().prop_map(|t| t.token)).prop_map(|t| (None, gen::NOW, t)),
    ];
    let requests = prop_oneof![
        3 => gen::raw_request().prop_map(|r| (Some(r.framing_ok()), r.text)),
        1 => gen::mutated(gen::raw_request().prop_map(|r| r.text)).prop_map(|text| (None, text)),
    ];
    let tallies = [
        fuzz("json", inputs, seed, gen::json_text(), |text| Json::parse(text).is_ok()),
        fuzz("jwt", inputs, seed, tokens, |(expected, now, token)| {
            let verdict = jwt::verify(token, &fleet, *now);
            match (&verdict, jwt::inspect(token, &fleet, *now)) {
                (_, Ok(seen)) => assert_eq!(seen.verdict, verdict.clone().map(drop)),
                (Err(why), Err(same)) => assert_eq!(why, &same),
                (Ok(_), Err(why)) => panic!("inspect refused what verify accepts: {why}"),
            }
            if let Some(ok) = expected {
                assert_eq!(verdict.is_ok(), *ok, "{verdict:?}");
            }
            // Refusals are shown to people: their text must be writable too.
            if let Err(why) = &verdict {
                assert!(!why.to_string().is_empty());
            }
            verdict.is_ok()
        }),
        fuzz("set-cookie", inputs, seed, gen::maybe_mutated(gen::set_cookie().prop_map(|c| c.text)), |text| {
            SetCookie::parse(text).is_some()
        }),
        fuzz("request", inputs, seed, requests, |(expected, text)| {
            let parsed = parse_request(text).map_err(|e| e.to_string());
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            parsed.is_ok()
        }),
        fuzz("ws-frames", inputs, seed, gen::ws_bytes(), |(expected, bytes)| {
            let parsed = ws::parse_frames(bytes);
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            if let Err(e) = crate::parsers::check_websocket_bytes(bytes) {
                panic!("{e}");
            }
            parsed.is_ok()
        }),
        fuzz("ftp-commands", inputs, seed, gen::ftp_command_text(), |(expected, text)| {
            let parsed = ftp::parse_command(text);
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            if let Err(e) = crate::parsers::check_ftp_command(text) {
                panic!("{e}");
            }
            parsed.is_ok()
        }),
        fuzz("pg-frontend", inputs, seed, gen::pg_frontend_bytes(), |(expected, bytes)| {
            let parsed = pg::parse_frontend_stream(bytes);
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            if let Err(e) = crate::parsers::check_pg_frontend_bytes(bytes) {
                panic!("{e}");
            }
            parsed.is_ok()
        }),
        fuzz("ftp-replies", inputs, seed, gen::ftp_reply_text(), |(expected, text)| {
            let parsed = ftp::parse_replies(text);
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            if let Err(e) = crate::parsers::check_ftp_replies(text) {
                panic!("{e}");
            }
            parsed.is_ok()
        }),
        fuzz("pg-backend", inputs, seed, gen::pg_backend_bytes(), |(expected, bytes)| {
            let parsed = pg::parse_backend_stream(bytes);
            if let Some(ok) = expected {
                assert_eq!(parsed.is_ok(), *ok, "{parsed:?}");
            }
            if let Err(e) = crate::parsers::check_pg_backend_bytes(bytes) {
                panic!("{e}");
            }
            parsed.is_ok()
        }),
        fuzz("link", inputs, seed, gen::link_query(), |query| Link::from_query(query).1.is_empty()),
        fuzz("tour", inputs, seed, gen::author_tour(), |(_, text)| {
            let read = Scenario::from_json(text);
            // The link form reads what the file form reads.
            let linked = Scenario::from_link(&statelab_sim::wire::b64::encode(text.as_bytes()));
            assert_eq!(read.as_ref().err(), linked.as_ref().err());
            read.is_ok()
        }),
        fuzz("notation", inputs, seed, gen::notation_text(), |text| {
            parse_actions(text).map_err(|e| e.to_string()).is_ok()
        }),
    ];
    let panics: u64 = tallies.iter().map(|t| t.panics).sum();
    assert_eq!(panics, 0, "parsers panicked; the first input of each is printed above");
}
