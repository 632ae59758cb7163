//! The five connection tours keep the promises their narrations make, for
//! the reasons they give — tested where the easy guess is wrong: a message
//! Bob never got was not lost to a crash or a closed connection (his is
//! open, on another server); a connection that outlived its token was not
//! re-checked and passed; a resumed match was read from the store, not kept.

use base64::Engine;
use sha1::{Digest, Sha1};
use statelab_sim::fleet::{Connection, FrameRecord, Miss, SocketRecord};
use statelab_sim::wire::ws::Opcode;
use statelab_sim::{Entry, Lane, LaneId, Playground, Scenario};

fn played(id: &str) -> Playground {
    let s = Scenario::find(id).unwrap();
    Playground::from_scenario(&s, 1, s.steps.len())
}

fn records(lane: &Lane) -> Vec<&SocketRecord> {
    lane.entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Socket(r) => Some(&**r),
            _ => None,
        })
        .collect()
}

/// Text frames the server sent to `client`, as text.
fn received(lane: &Lane, client: &str) -> Vec<String> {
    records(lane)
        .iter()
        .flat_map(|r| r.frames.iter())
        .filter(|f| !f.from_client && f.client == client)
        .filter_map(|f| f.frame.text_payload().map(str::to_owned))
        .collect()
}

fn conn<'a>(lane: &'a Lane, client: &str, nth: usize) -> &'a Connection {
    lane.connections().iter().filter(|c| c.client == client).nth(nth).unwrap()
}

fn all_frames(lane: &Lane) -> Vec<&FrameRecord> {
    records(lane).into_iter().flat_map(|r| r.frames.iter()).collect()
}

#[test]
fn a_handshake_is_http_answered_101_with_the_rfc_accept_value() {
    let p = played("ws-handshake");
    for id in LaneId::ALL {
        let lane = p.lane(id);
        for c in lane.connections() {
            let x = lane.exchange(c.handshake).unwrap();
            assert_eq!(x.response.status, 101);
            assert_eq!(x.request.headers.get("Upgrade"), Some("websocket"));
            assert_eq!(x.request.headers.get("Sec-WebSocket-Version"), Some("13"));
            assert_eq!(x.request.headers.get("Authorization"), None, "a browser cannot set it");
            let key = x.request.headers.get("Sec-WebSocket-Key").unwrap();
            assert_eq!(base64::engine::general_purpose::STANDARD.decode(key).unwrap().len(), 16);
            let mut h = Sha1::new();
            h.update(format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
            let accept = base64::engine::general_purpose::STANDARD.encode(h.finalize());
            assert_eq!(x.response.headers.get("Sec-WebSocket-Accept"), Some(accept.as_str()));
        }
        // Every client frame is masked, every server frame is not (RFC 6455 §5.1).
        for f in all_frames(lane) {
            assert_eq!(f.frame.mask.is_some(), f.from_client, "{f:?}");
        }
    }
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let hs = |lane: &Lane| lane.exchange(conn(lane, "alice", 0).handshake).unwrap().request.target.clone();
    assert!(hs(a).contains("&access_token=ey"), "lane A's token rides in the URL");
    assert!(!hs(b).contains("access_token"), "lane B's handshake carries no credential");
    let first = all_frames(b).into_iter().find(|f| f.from_client).unwrap();
    assert!(first.frame.text_payload().unwrap().starts_with("{\"type\":\"auth\",\"token\":\"ey"));
    for lane in [a, b] {
        // Bob lands where Alice is not, and both read her message.
        assert_ne!(conn(lane, "alice", 0).server, conn(lane, "bob", 0).server);
        for who in ["alice", "bob"] {
            assert!(received(lane, who).iter().any(|m| m.contains("\"text\":\"hi bob\"")), "{who}");
        }
        let closes: Vec<_> = all_frames(lane).into_iter().filter(|f| f.frame.opcode == Opcode::Close).collect();
        assert_eq!(closes.len(), 2);
        assert!(closes.iter().all(|f| f.frame.close_code() == Some(1000)));
        assert_eq!(conn(lane, "bob", 0).closed.unwrap().code, 1000);
        assert!(all_frames(lane).iter().any(|f| f.frame.opcode == Opcode::Pong));
    }
}

#[test]
fn a_crash_sends_no_close_frame_and_least_connections_feeds_the_dead_server() {
    let p = played("ws-crash-storm");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    for lane in [a, b] {
        let lost = conn(lane, "alice", 0);
        assert_eq!((lost.server, lost.closed.unwrap().code), (1, 1006));
        // Nothing crossed after the handshake and welcome: no close frame on the wire.
        assert!(lost.wire.len() == 3, "{:?}", lost.wire.len());
        assert_eq!(lane.stats().sockets.dropped, 1);
    }
    let attempts = |lane: &Lane| -> Vec<(u64, u16, Option<u8>)> {
        lane.exchanges()
            .filter(|x| x.client == "alice" && x.trace.first().is_some_and(|t| t.contains("reconnects by itself")))
            .map(|x| (x.at.0, x.response.status, x.server.or(x.tried)))
            .collect()
    };
    let (ra, rb) = (attempts(a), attempts(b));
    // Lane A: every attempt before S1 leaves rotation goes to S1, the server with fewest connections.
    assert!(ra.len() >= 3, "{ra:?}");
    assert!(ra[..ra.len() - 1].iter().all(|&(_, s, srv)| s == 502 && srv == Some(1)), "{ra:?}");
    assert_eq!(ra.last().unwrap().1, 101);
    // Backoff grows: each wait is longer than the one before.
    let gaps: Vec<u64> = ra.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
    // Lane B: round robin moves on at the second attempt. The crash's step
    // holds the first retries, to S1, in both lanes; the wait holds the rest.
    assert_eq!(rb.iter().map(|r| r.1).collect::<Vec<_>>(), [502, 101]);
    let crash = p.actions().iter().position(|a| a.to_string() == "crash 1").unwrap() as u32;
    for lane in [a, b] {
        let during: Vec<(u16, Option<u8>)> =
            lane.exchanges().filter(|x| x.action == crash).map(|x| (x.response.status, x.tried)).collect();
        assert!(!during.is_empty() && during.iter().all(|&d| d == (502, Some(1))), "{during:?}");
    }
    assert!(a.exchanges().any(|x| x.action > crash && x.response.status == 502), "lane A is still at it");
    // Scaling out moved nothing; Bob's new connection goes to the empty S3 in lane A.
    assert_eq!(conn(a, "alice", 1).server, 2);
    assert!(conn(a, "alice", 1).open());
    assert_eq!(conn(a, "bob", 1).server, 3);
}

#[test]
fn a_room_in_memory_misses_open_connections_elsewhere_and_pubsub_reaches_them() {
    let p = played("chat-memory-vs-pubsub");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let hello = |lane: &Lane, who: &str| received(lane, who).iter().any(|m| m.contains("hello everyone"));
    assert!(hello(a, "alice") && !hello(a, "bob"));
    assert!(hello(b, "alice") && hello(b, "bob"));
    // Not a crash, not a closed connection: Bob's is open, on another server.
    let bob = conn(a, "bob", 0);
    assert!(bob.open() && bob.server != conn(a, "alice", 0).server);
    let say = records(a)
        .into_iter()
        .find(|r| r.frames.iter().any(|f| f.from_client && f.frame.text_payload().is_some_and(|t| t.contains("hello"))))
        .unwrap();
    assert!(
        say.trace
            .iter()
            .any(|t| t.starts_with("bob (ws#2 on S1) does not get it: the room's messages live in S3's memory")),
        "{:?}",
        say.trace
    );
    assert_eq!(a.stats().sockets.missed, 2);
    // Lane B's only miss is the outage's: Alice never gets what Bob could not send.
    assert_eq!(b.stats().sockets.missed, 1);
    let unsent = records(b).into_iter().last().unwrap();
    assert_eq!(unsent.missed.iter().map(|m| m.client.as_str()).collect::<Vec<_>>(), ["alice"]);
    // The same, as fields: Bob's connection, its server and why; each also a trace line.
    assert_eq!(
        say.missed,
        [Miss {
            conn: Some(2),
            client: "bob".into(),
            server: Some(bob.server),
            retry_at: None,
            why: "the room's messages live in S3's memory, and S1 never hears of them".into(),
        }]
    );
    for r in records(a).into_iter().chain(records(b)) {
        for m in &r.missed {
            assert!(r.trace.contains(&m.to_string()), "{m:?} in {:?}", r.trace);
        }
    }
    let missed: Vec<(u32, Option<u32>)> =
        records(a).iter().flat_map(|r| r.missed.iter().map(|m| (r.conn, m.conn))).collect();
    assert_eq!(missed, [(1, Some(2)), (2, Some(1))], "each misses the other, once");
    let rb = records(b);
    assert!(rb[..rb.len() - 1].iter().all(|r| r.missed.is_empty()), "over pub/sub only the outage misses");
    // The outage: lane B cannot publish and says so to the sender; lane A never needed the store.
    let last_b = received(b, "bob");
    assert!(last_b.last().unwrap().contains("\"type\":\"error\""), "{last_b:?}");
    assert!(!hello(b, "alice") || !received(b, "alice").iter().any(|m| m.contains("anyone there")));
    assert!(received(a, "bob").iter().any(|m| m.contains("anyone there")));
}

#[test]
fn an_expired_token_lives_on_in_an_unchecked_connection_and_is_closed_1008_when_checked() {
    let p = played("ws-expiry");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    let still = |lane: &Lane, who: &str| received(lane, who).iter().any(|m| m.contains("still here"));
    assert!(still(a, "bob"), "lane A passes it on");
    let said = records(a).into_iter().rev().find(|r| r.client == "alice").unwrap();
    assert!(said
        .trace
        .iter()
        .any(|t| t.contains("does not check the credential again") && t.contains("token expired")));
    assert!(!still(b, "bob") && !still(b, "alice"), "lane B never acted on it");
    assert_eq!(conn(b, "alice", 0).closed.unwrap().code, 1008);
    assert!(conn(a, "alice", 0).open());
    assert_eq!(b.stats().sockets.policy_closed, 1);
    for lane in [a, b] {
        assert_eq!(lane.exchanges().last().unwrap().response.status, 401, "an HTTP request is checked every time");
    }
}

#[test]
fn a_crash_ends_a_match_in_memory_and_a_checkpoint_resumes_it_elsewhere() {
    let p = played("game-checkpoint");
    let (a, b) = (p.lane(LaneId::A), p.lane(LaneId::B));
    for lane in [a, b] {
        assert_eq!((conn(lane, "alice", 0).server, conn(lane, "bob", 0).server), (3, 3), "the room hash");
        assert_eq!(conn(lane, "alice", 0).closed.unwrap().code, 1006);
        assert_eq!(conn(lane, "alice", 1).server, 1);
    }
    let welcome = |lane: &Lane| received(lane, "alice").into_iter().rfind(|m| m.contains("welcome")).unwrap();
    assert!(welcome(a).contains("\"tick\":0"), "{}", welcome(a));
    assert!(welcome(b).contains("\"tick\":2"), "{}", welcome(b));
    let resumed = records(b).into_iter().rev().find(|r| r.client == "alice").unwrap();
    assert!(
        resumed.trace.iter().any(|t| t.contains("GET match:match1"))
            && resumed.trace.iter().any(|t| t.contains("resumes match1 from its checkpoint, at tick 2"))
    );
}

#[test]
fn every_connection_s_bytes_parse_as_rfc_6455_streams_in_each_direction() {
    use statelab_sim::wire::ws::{parse_frames_sent_by, Sender};
    for s in statelab_sim::tours::all().into_iter().filter(|s| s.lanes.iter().any(|l| l.app.is_connection())) {
        let p = Playground::from_scenario(&s, 1, s.steps.len());
        for lane in p.lanes() {
            for c in lane.connections() {
                // The handshake request and its 101 first, then frames.
                assert!(c.wire[0].from_client && c.wire[0].bytes.starts_with(b"GET /ws/"));
                assert!(!c.wire[1].from_client && c.wire[1].bytes.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
                for (from_client, sender) in [(true, Sender::Client), (false, Sender::Server)] {
                    let bytes: Vec<u8> = c.wire[2..]
                        .iter()
                        .filter(|k| k.from_client == from_client)
                        .flat_map(|k| k.bytes.clone())
                        .collect();
                    let frames = parse_frames_sent_by(&bytes, sender)
                        .unwrap_or_else(|e| panic!("{} ws#{} from {sender:?}: {e}", s.id, c.id));
                    let closes = frames.iter().filter(|f| f.opcode == Opcode::Close).count();
                    assert_eq!(closes, usize::from(c.closed.is_some_and(|x| x.code != 1006)), "{} ws#{}", s.id, c.id);
                }
            }
        }
    }
}

/// HAProxy closes a tunnel that carried nothing for its `timeout tunnel`:
/// an idle connection ends with no close frame (1006) and the app comes
/// back; one whose app pings in between is kept.
#[test]
fn an_idle_connection_is_closed_by_the_balancer_and_a_pinged_one_is_kept() {
    use statelab_sim::text::{parse_actions, parse_config};
    let lane = parse_config("chat-pubsub:jwt.rr.3.4.86400").unwrap();
    let mut p = Playground::new(1, [lane, lane]);
    for a in parse_actions("login alice, login bob, connect alice, connect bob, wait 30m, ping bob, wait 40m").unwrap()
    {
        p.apply(a).unwrap();
    }
    let a = p.lane(LaneId::A);
    let alice = conn(a, "alice", 0);
    assert_eq!(alice.closed.unwrap().code, 1006, "idle an hour: closed by the balancer");
    assert_eq!(alice.closed.unwrap().at.0 - alice.last_active.0, statelab_sim::fleet::TUNNEL_TIMEOUT_MS);
    assert!(conn(a, "alice", 1).open(), "the app reconnected");
    assert!(conn(a, "bob", 0).open(), "bob's ping kept his");
    let said = a.entries().iter().any(
        |e| matches!(e, Entry::Event(ev) if ev.text.starts_with("the balancer closed ws#1 (alice ⇄ S3) after 1 h")),
    );
    assert!(said);
}

#[test]
fn a_user_between_connections_misses_a_message_and_the_record_says_until_when() {
    // Bob's server crashes while S2 is down and not yet out of rotation: his
    // first reconnect gets 502 and he is still between connections when Alice
    // speaks. Lane B's draws put him there; each app says what it keeps for him.
    for (a, b, later) in [
        ("chat-pubsub", "chat-memory", "nothing keeps it for them"),
        ("chat-memory", "chat-pubsub", "it stays in the store's recent messages, which the welcome will carry"),
    ] {
        let (link, notices) = statelab_sim::link::Link::from_query(&format!(
            "a={a}:jwt.rr.3&b={b}:jwt.rr.3&log=login.alice~login.bob~connect.alice~connect.bob~crash.2~crash.1~say.alice.hi"
        ));
        assert!(notices.is_empty(), "{notices:?}");
        let (p, _) = link.playground();
        let say = records(p.lane(LaneId::B))
            .into_iter()
            .find(|r| {
                r.frames.iter().any(|f| f.from_client && f.frame.text_payload().is_some_and(|t| t.contains("hi")))
            })
            .unwrap();
        let bob = say.missed.iter().find(|m| m.client == "bob").unwrap_or_else(|| panic!("{:?}", say.trace));
        assert_eq!((bob.conn, bob.server), (None, None), "no connection while reconnecting");
        let at = bob.retry_at.unwrap();
        assert!(at > say.at, "the next attempt is still to come");
        assert_eq!(bob.why, later);
        assert!(say.trace.contains(&format!("bob is reconnecting (next attempt at {}): {later}", at.clock())));
    }
}

/// A playground from a link's query, which must read without notices.
fn from_query(query: &str) -> Playground {
    let (link, notices) = statelab_sim::link::Link::from_query(query);
    assert!(notices.is_empty(), "{notices:?}");
    link.playground().0
}

/// Alice and Bob connected to a chat room in memory (lane A) and over pub/sub (lane B).
const CHAT: &str = "a=chat-memory:jwt.rr.3&b=chat-pubsub:jwt.rr.3&log=login.alice~login.bob~connect.alice~connect.bob";

fn typed(frames: &[statelab_sim::wire::ws::Frame]) -> Vec<u8> {
    frames.iter().flat_map(|f| f.to_wire()).collect()
}

#[test]
fn hand_typed_frames_are_refused_at_the_byte_that_breaks_a_rule_and_nothing_is_logged() {
    use statelab_sim::wire::ws::{parse_hex, FrameErrorKind};
    use statelab_sim::{Action, ActionError, User};
    let mut p = from_query(CHAT);
    let before = p.actions().len();
    // A server's frame (unmasked "Hello") typed as the client's.
    let bytes = parse_hex("81 05 48 65 6c 6c 6f").unwrap();
    let Err(ActionError::Frame(e)) = p.apply(Action::Frame { user: User::Alice, bytes }) else { panic!() };
    assert_eq!((e.offset, e.kind), (1, FrameErrorKind::Unmasked));
    // A reserved opcode, a ping too long, and half a fragmented message.
    for (hex, offset, says) in [
        ("83 80 00 00 00 00", 0, "reserved opcode 0x3"),
        ("89 fe 00 7e", 1, "control frame (ping) with 126 bytes of payload: at most 125"),
        ("01 81 00 00 00 00 41", 7, "the bytes end inside the fragmented message begun at byte 0"),
    ] {
        let bytes = parse_hex(hex).unwrap();
        let e = p.apply(Action::Frame { user: User::Alice, bytes }).unwrap_err();
        let ActionError::Frame(f) = &e else { panic!("{e}") };
        assert_eq!(f.offset, offset, "{e}");
        assert!(e.to_string().starts_with(&format!("frames not sent — byte {offset}: {says}")), "{e}");
    }
    assert_eq!(p.actions().len(), before, "the log holds only valid frames");
}

#[test]
fn a_server_acts_on_hand_typed_frames_as_on_the_app_s() {
    use statelab_sim::wire::ws::{Frame, Opcode};
    use statelab_sim::{Action, User};
    let mut p = from_query(CHAT);
    let key = [0x37, 0xfa, 0x21, 0x3d];
    let ping = Frame::ping(b"Hello").masked(key);
    let say = Frame::text(r#"{"type":"say","text":"typed by hand"}"#).masked(key);
    // A say in two fragments, with a pong in between (control frames may interleave).
    let first = Frame { fin: false, ..Frame::text(r#"{"type":"say","#) }.masked(key);
    let rest =
        Frame { fin: true, opcode: Opcode::Continuation, mask: Some(key), payload: br#""text":"in two"}"#.to_vec() };
    let pong = Frame::pong(b"").masked(key);
    let odd = Frame::text(r#"{"type":"dance"}"#).masked(key);
    let bytes = typed(&[ping, say, first, pong, rest, odd]);
    p.apply(Action::Frame { user: User::Alice, bytes: bytes.clone() }).unwrap();
    for id in LaneId::ALL {
        let lane = p.lane(id);
        let r = records(lane).into_iter().last().unwrap();
        // Exactly the typed bytes crossed from the client, frame by frame.
        let sent: Vec<u8> = r.frames.iter().filter(|f| f.from_client).flat_map(|f| f.frame.to_wire()).collect();
        assert_eq!(sent, bytes);
        let to_alice: Vec<String> = r
            .frames
            .iter()
            .filter(|f| !f.from_client && f.client == "alice")
            .map(|f| format!("{} {}", f.frame.opcode.name(), String::from_utf8_lossy(&f.frame.payload)))
            .collect();
        assert_eq!(to_alice[0], "pong Hello", "{id}: the ping's payload comes back");
        assert!(to_alice[1].contains(r#""text":"typed by hand""#), "{to_alice:?}");
        assert!(to_alice[2].contains(r#""text":"in two""#), "{to_alice:?}");
        assert!(to_alice[3].starts_with(r#"text {"type":"error","error":"S3's chat"#), "{to_alice:?}");
        assert!(to_alice[3].contains("does not know type `dance`"), "{to_alice:?}");
        assert_eq!(to_alice.len(), 4);
        assert!(r.trace.iter().any(|t| t.contains("ignores it")), "the unasked pong");
    }
    // The room reaches Bob in lane B only, as for the app's own says.
    assert!(!received(p.lane(LaneId::A), "bob").iter().any(|m| m.contains("typed by hand")));
    assert!(received(p.lane(LaneId::B), "bob").iter().any(|m| m.contains("typed by hand")));
    assert_eq!(records(p.lane(LaneId::A)).last().unwrap().missed.len(), 2, "both says missed Bob");
    // A typed close: the server echoes its code, and the app does not reconnect.
    p.apply(Action::Frame { user: User::Alice, bytes: Frame::close(4000, "done").masked(key).to_wire() }).unwrap();
    for id in LaneId::ALL {
        let lane = p.lane(id);
        let alice = conn(lane, "alice", 0);
        assert_eq!(alice.closed.unwrap().code, 4000);
        let echo = records(lane).into_iter().last().unwrap().frames.last().unwrap().clone();
        assert_eq!((echo.from_client, echo.frame.close_code()), (false, Some(4000)));
        assert_eq!(lane.connections().iter().filter(|c| c.client == "alice").count(), 1, "no reconnect");
    }
    // Typed on a shop lane, or with no connection: an event, as for the app's frames.
    let mut shop = from_query("a=jwt.rr.3&b=local.rr.3&log=login.alice");
    shop.apply(Action::Frame { user: User::Alice, bytes: Frame::ping(b"").masked(key).to_wire() }).unwrap();
    assert!(records(shop.lane(LaneId::A)).is_empty());
}

#[test]
fn a_server_s_memory_counts_its_connections_and_rooms_not_only_sessions() {
    let p = from_query(
        "a=chat-memory:jwt.rr.3&b=game-memory_recheck:jwt.room.3&log=login.alice~login.bob~connect.alice~connect.bob~say.alice.hello~move.alice.1.0",
    );
    let bytes = |lane: &Lane| lane.servers().iter().map(|s| lane.server_bytes(s)).collect::<Vec<_>>();
    // JWT lanes hold no session, yet the servers hold state for their connections.
    let a = p.lane(LaneId::A);
    assert!(a.servers().iter().all(|s| s.session_bytes() == 0));
    // Alice on S3: "alice" + her member id (4), and the room's line "alice" + "hello"; bob on S1.
    assert_eq!((conn(a, "alice", 0).server, conn(a, "bob", 0).server), (3, 1));
    assert_eq!(bytes(a), [3 + 4, 0, (5 + 4) + (5 + 5)]);
    // A re-checking game lane also keeps each connection's credential, and the match as its JSON.
    let b = p.lane(LaneId::B);
    let s = b.servers().iter().find(|s| s.rooms.game.is_some()).unwrap();
    let credentials: usize = b.connections().iter().map(|c| c.credential.as_ref().unwrap().1.len()).sum();
    let json = s.rooms.game.as_ref().unwrap().to_json().len();
    assert_eq!(b.server_bytes(s) as usize, (5 + 4) + (3 + 4) + credentials + json);
    assert!(credentials > 100, "two JWTs");
    // The comparison table's figure adds them up with the store's.
    assert_eq!(a.state_bytes(), 7 + 19 + a.store().bytes(a.now()));
}

#[test]
fn a_ping_comes_from_the_server_and_the_browser_answers_it() {
    // A page script cannot send a ping: the server sends it, unmasked, and the browser's pong is masked.
    let p = played("ws-handshake");
    for id in LaneId::ALL {
        let lane = p.lane(id);
        let ping = records(lane).into_iter().find(|r| r.frames.iter().any(|f| f.frame.opcode == Opcode::Ping)).unwrap();
        let frames: Vec<(bool, Opcode, bool)> =
            ping.frames.iter().map(|f| (f.from_client, f.frame.opcode, f.frame.mask.is_some())).collect();
        assert_eq!(frames, [(false, Opcode::Ping, false), (true, Opcode::Pong, true)], "lane {id}");
        assert!(ping.trace.iter().any(|t| t.contains("a page script can neither send a ping nor see one")));
    }
}
