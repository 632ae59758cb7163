//! The PostgreSQL bytes a database lane records, read by code that is not
//! the engine's, from the `--json` transcript: each backend connection's
//! server bytes by `postgres-protocol` (rust-postgres's message layer), its
//! client bytes by a small reader written here from the manual's "Message
//! Formats" (postgres-protocol only writes frontend messages). What they
//! read must be what the lane's records say crossed: the same queries, the
//! same command tags, and a ReadyForQuery with the same status at the end of
//! every answer.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::BytesMut;
use postgres_protocol::message::backend::Message;
use statelab_sim::fleet::PgMsg;
use statelab_sim::wire::pg::{Backend, Frontend, TxStatus};
use statelab_sim::{Entry, LaneId, Playground, Scenario};

const TOURS: [&str; 5] = ["db-leaky-set", "db-txn-pooling", "db-crash-txn", "db-pool-exhaustion", "db-temp-table"];

/// What a client message says, as this reader sees it.
#[derive(Debug, PartialEq, Eq)]
enum Sent {
    Startup { version: u32, params: Vec<(String, String)> },
    Query(String),
    Other(u8),
}

fn cstr(body: &[u8], at: &mut usize) -> String {
    let end = *at + body[*at..].iter().position(|&b| b == 0).expect("a NUL-terminated string");
    let s = String::from_utf8(body[*at..end].to_vec()).unwrap();
    *at = end + 1;
    s
}

fn int32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b[..4].try_into().unwrap())
}

/// A client chunk: the startup message has no type byte; every other
/// message is a type byte and a length that counts itself.
fn read_client(bytes: &[u8], startup: bool) -> Vec<Sent> {
    let mut out = Vec::new();
    let mut at = 0;
    if startup {
        let len = int32(bytes) as usize;
        let body = &bytes[..len];
        let mut pos = 8;
        let mut params = Vec::new();
        while body[pos] != 0 {
            let k = cstr(body, &mut pos);
            params.push((k, cstr(body, &mut pos)));
        }
        assert_eq!(pos + 1, len, "the startup message ends with its terminating NUL");
        out.push(Sent::Startup { version: int32(&body[4..]), params });
        at = len;
    }
    while at < bytes.len() {
        let ty = bytes[at];
        let len = int32(&bytes[at + 1..]) as usize;
        let body = &bytes[at + 5..at + 1 + len];
        out.push(match ty {
            b'Q' => {
                let mut p = 0;
                let q = cstr(body, &mut p);
                assert_eq!(p, body.len(), "a Query is one string");
                Sent::Query(q)
            }
            t => {
                assert!(b"PBDESX".contains(&t), "unknown frontend type {t}");
                Sent::Other(t)
            }
        });
        at += 1 + len;
    }
    assert_eq!(at, bytes.len(), "the chunk ends at a message boundary");
    out
}

/// A server chunk, read by postgres-protocol: the command tags, the
/// ReadyForQuery statuses and the SQLSTATEs of errors, in order.
fn read_server(bytes: &[u8]) -> Vec<String> {
    let mut buf = BytesMut::from(bytes);
    let mut out = Vec::new();
    while let Some(m) = Message::parse(&mut buf).unwrap() {
        match m {
            Message::CommandComplete(b) => out.push(format!("C {}", b.tag().unwrap())),
            Message::ReadyForQuery(b) => out.push(format!("Z {}", char::from(b.status()))),
            Message::ErrorResponse(_) => out.push("E".into()),
            _ => {}
        }
    }
    assert!(buf.is_empty(), "no bytes left over");
    out
}

#[test]
fn the_json_transcript_carries_bytes_an_independent_reader_takes_for_what_was_recorded() {
    let mut checked = 0;
    for id in TOURS {
        let s = Scenario::find(id).unwrap();
        let json = statelab_sim::tours::scenario_json(&s, 1);
        let p = Playground::from_scenario(&s, 1, s.steps.len());
        for (l, lane_json) in LaneId::ALL.iter().zip(json["lanes"].as_array().unwrap()) {
            let lane = p.lane(*l);
            // What the records say crossed each connection, by direction.
            let (mut queries, mut answers): (Vec<Vec<Sent>>, Vec<Vec<String>>) = Default::default();
            for conn in lane_json["db_connections"].as_array().unwrap() {
                let id = conn["id"].as_u64().unwrap() as u32;
                let chunks = conn["bytes"].as_array().unwrap();
                let (mut sent, mut got) = (Vec::new(), Vec::new());
                for (i, chunk) in chunks.iter().enumerate() {
                    let bytes = STANDARD.decode(chunk["b64"].as_str().unwrap()).unwrap();
                    match chunk["dir"].as_str().unwrap() {
                        "client" => sent.extend(read_client(&bytes, i == 0)),
                        _ => {
                            let read = read_server(&bytes);
                            assert!(read.last().is_some_and(|z| z.starts_with("Z ")), "{id}: every answer ends ready");
                            got.extend(read);
                        }
                    }
                }
                assert!(
                    matches!(&sent[0], Sent::Startup { version: 196_608, params } if params[0] == ("user".into(), "shop".into()))
                );
                let (mut rec_sent, mut rec_got) = (Vec::new(), Vec::new());
                for m in lane
                    .entries()
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Db(r) => Some(r),
                        _ => None,
                    })
                    .flat_map(|r| r.messages.iter())
                    .filter(|m| m.conn() == id)
                {
                    match m {
                        PgMsg::Front(_, Frontend::Startup { .. }) => {}
                        PgMsg::Front(_, Frontend::Query(q)) => rec_sent.push(Sent::Query(q.clone())),
                        PgMsg::Front(_, f) => rec_sent.push(Sent::Other(f.type_byte().unwrap())),
                        PgMsg::Back(_, Backend::CommandComplete(t)) => rec_got.push(format!("C {t}")),
                        PgMsg::Back(_, Backend::ReadyForQuery(s)) => {
                            rec_got.push(format!("Z {}", char::from(s.byte())))
                        }
                        PgMsg::Back(_, Backend::ErrorResponse(_)) => rec_got.push("E".into()),
                        PgMsg::Back(..) => {}
                    }
                }
                assert_eq!(sent[1..], rec_sent[..], "{id} lane {l}: what the client sent");
                assert_eq!(got, rec_got, "{id} lane {l}: what the server answered");
                queries.push(sent);
                answers.push(got);
                checked += 1;
            }
            // Every status byte is one of the three.
            for a in answers.iter().flatten().filter(|a| a.starts_with("Z ")) {
                assert!(TxStatus::from_byte(a.as_bytes()[2]).is_some(), "{a}");
            }
            assert_eq!(queries.len(), lane.pg().conns.len());
        }
    }
    assert!(checked >= 10, "{checked} connections read");
}
