//! The WebSocket bytes a lane records, read by code that is not the
//! engine's: each connection's handshake with `httparse`, its
//! `Sec-WebSocket-Accept` worked out afresh with `sha1` and `base64`, and its
//! two frame streams decoded by `tungstenite` in the role of each end (a
//! server reading the client's bytes refuses unmasked frames; a client
//! reading the server's refuses masked ones). The messages decoded must be
//! the frames the lane's records say crossed, in order — and the `--json`
//! transcript must carry exactly those bytes.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use statelab_sim::fleet::Entry;
use statelab_sim::text::{parse_actions, parse_config};
use statelab_sim::{LaneId, Playground};
use std::io::{Cursor, Read, Write};
use tungstenite::protocol::{Role, WebSocket};
use tungstenite::Message;

const LOG: &str = "login alice, login bob, connect alice, connect bob, say alice hello, ping bob, crash 1, wait 10s, \
                   say bob anyone, disconnect alice";

/// What a frame carried, as both readers can say it.
#[derive(Debug, PartialEq, Eq)]
enum Said {
    Text(String),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(u16, String),
}

/// One direction of a connection, read as the other end reads it; what it
/// writes back (tungstenite answers pings and closes) goes nowhere.
struct OneWay(Cursor<Vec<u8>>);

impl Read for OneWay {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for OneWay {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every message in `bytes`, read by tungstenite in `role`, until the
/// stream ends (a crash ends it with no close frame) or a close is read.
fn decode(bytes: Vec<u8>, role: Role) -> Vec<Said> {
    let len = bytes.len() as u64;
    let mut ws = WebSocket::from_raw_socket(OneWay(Cursor::new(bytes)), role, None);
    let mut out = Vec::new();
    loop {
        match ws.read() {
            Ok(Message::Text(t)) => out.push(Said::Text(t.as_str().to_owned())),
            Ok(Message::Ping(p)) => out.push(Said::Ping(p.to_vec())),
            Ok(Message::Pong(p)) => out.push(Said::Pong(p.to_vec())),
            Ok(Message::Close(c)) => {
                let c = c.expect("a close frame with a status code");
                out.push(Said::Close(u16::from(c.code), c.reason.as_str().to_owned()));
                break;
            }
            Ok(other) => panic!("unexpected message {other:?}"),
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(tungstenite::Error::Protocol(tungstenite::error::ProtocolError::ResetWithoutClosingHandshake)) => break,
            Err(e) => panic!("tungstenite refused the bytes ({role:?} reading): {e}"),
        }
    }
    assert_eq!(ws.get_ref().0.position(), len, "every byte is part of a frame");
    out
}

/// The accept value RFC 6455 §4.2.2 asks for, computed here.
fn accept_for(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    STANDARD.encode(h.finalize())
}

fn header<'a>(headers: &'a [httparse::Header], name: &str) -> &'a str {
    let h = headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).unwrap_or_else(|| panic!("no {name}"));
    std::str::from_utf8(h.value).unwrap()
}

fn play(a: &str, b: &str, log: &str) -> Playground {
    let mut p = Playground::new(1, [parse_config(a).unwrap(), parse_config(b).unwrap()]);
    for action in parse_actions(log).unwrap() {
        p.apply(action).unwrap();
    }
    p
}

/// Checks every connection of both lanes; returns how many frames were read.
fn read_back(p: &Playground) -> usize {
    let mut frames = 0;
    for id in LaneId::ALL {
        let lane = p.lane(id);
        assert!(!lane.connections().is_empty(), "lane {id:?} opened connections");
        for conn in lane.connections() {
            let what = format!("lane {id:?} ws#{}", conn.id);
            // The handshake: a GET that asks to upgrade, answered 101 with the right accept value.
            let (req, resp) = (&conn.wire[0], &conn.wire[1]);
            assert!(req.from_client && !resp.from_client, "{what}: the handshake comes first");
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut parsed = httparse::Request::new(&mut headers);
            assert!(parsed.parse(&req.bytes).unwrap().is_complete(), "{what}");
            assert_eq!(parsed.method, Some("GET"));
            assert_eq!(header(parsed.headers, "Upgrade"), "websocket");
            assert_eq!(header(parsed.headers, "Sec-WebSocket-Version"), "13");
            let key = header(parsed.headers, "Sec-WebSocket-Key").to_owned();
            assert_eq!(STANDARD.decode(&key).unwrap().len(), 16, "{what}: the key is 16 random bytes");
            let mut headers = [httparse::EMPTY_HEADER; 16];
            let mut parsed = httparse::Response::new(&mut headers);
            let n = match parsed.parse(&resp.bytes).unwrap() {
                httparse::Status::Complete(n) => n,
                httparse::Status::Partial => panic!("{what}: a partial 101"),
            };
            assert_eq!(n, resp.bytes.len(), "{what}: the 101 has no body");
            assert_eq!(parsed.code, Some(101));
            assert_eq!(header(parsed.headers, "Sec-WebSocket-Accept"), accept_for(&key), "{what}");

            // The frames: each one masked from the client and bare from the server…
            let mut streams = [Vec::new(), Vec::new()];
            for chunk in &conn.wire[2..] {
                assert_eq!(chunk.bytes[1] & 0x80 != 0, chunk.from_client, "{what}: the mask bit");
                streams[usize::from(!chunk.from_client)].extend_from_slice(&chunk.bytes);
            }
            // …decoded by tungstenite as each end would read them…
            let [client, server] = streams;
            let read = [decode(client, Role::Server), decode(server, Role::Client)];
            // …are the frames the lane's records say crossed, in order.
            let mut said = [Vec::new(), Vec::new()];
            for entry in lane.entries() {
                if let Entry::Socket(r) = entry {
                    for f in r.frames.iter().filter(|f| f.conn == conn.id) {
                        assert_eq!(f.frame.mask.is_some(), f.from_client, "{what}");
                        let payload = f.frame.payload.clone();
                        let s = match f.frame.opcode {
                            statelab_sim::wire::ws::Opcode::Text => Said::Text(String::from_utf8(payload).unwrap()),
                            statelab_sim::wire::ws::Opcode::Ping => Said::Ping(payload),
                            statelab_sim::wire::ws::Opcode::Pong => Said::Pong(payload),
                            statelab_sim::wire::ws::Opcode::Close => Said::Close(
                                f.frame.close_code().unwrap(),
                                String::from_utf8(payload[2..].to_vec()).unwrap(),
                            ),
                            other => panic!("{what}: unexpected {other:?}"),
                        };
                        said[usize::from(!f.from_client)].push(s);
                    }
                }
            }
            assert_eq!(read, said, "{what}");
            frames += read[0].len() + read[1].len();
        }
    }
    frames
}

#[test]
fn an_independent_reader_decodes_every_connections_bytes_as_the_lane_recorded_them() {
    let p = play("chat-memory:jwt.rr.3", "chat-pubsub:jwt.rr.3", LOG);
    let frames = read_back(&p);
    assert!(frames >= 12, "{frames} frames");
    // The crash dropped a connection with no close frame; the disconnect closed one with 1000.
    let codes: Vec<Option<u16>> = p.lane(LaneId::B).connections().iter().map(|c| c.closed.map(|x| x.code)).collect();
    assert!(codes.contains(&Some(1000)), "{codes:?}");

    // Other apps and credentials: a game, session cookies, the token in the first message, a drain.
    let games = play(
        "game-memory:local.sticky.3",
        "game-checkpoint_msg:jwt.leastconn.3",
        "login alice, login bob, connect alice, connect bob, move alice 1 0, move bob 0 1, ping alice, drain 1, \
         drain 2, wait 10s, move alice 1 1, disconnect bob",
    );
    assert!(read_back(&games) >= 12);
}

#[test]
fn the_json_transcript_carries_each_connections_bytes_in_order() {
    let p = play("chat-memory:jwt.rr.3", "chat-pubsub:jwt.rr.3", LOG);
    let json = statelab_sim::tours::played_json(&p, LOG, 1);
    for (id, lane_json) in LaneId::ALL.iter().zip(json["lanes"].as_array().unwrap()) {
        let lane = p.lane(*id);
        let conns = lane_json["connections"].as_array().unwrap();
        assert_eq!(conns.len(), lane.connections().len());
        for (c, j) in lane.connections().iter().zip(conns) {
            assert_eq!(j["id"], c.id);
            assert_eq!(j["client"], c.client.as_str());
            assert_eq!(j["server"], format!("S{}", c.server).as_str());
            assert_eq!(j["opened_ms"], c.opened.0);
            assert_eq!(j["closed_ms"].as_u64(), c.closed.map(|x| x.at.0));
            assert_eq!(j["close_code"].as_u64(), c.closed.map(|x| u64::from(x.code)));
            let bytes = j["bytes"].as_array().unwrap();
            assert_eq!(bytes.len(), c.wire.len());
            for (chunk, b) in c.wire.iter().zip(bytes) {
                assert_eq!(b["dir"], if chunk.from_client { "client" } else { "server" });
                assert_eq!(STANDARD.decode(b["b64"].as_str().unwrap()).unwrap(), chunk.bytes);
            }
        }
    }
}
