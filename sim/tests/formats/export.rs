//! HAR and curl exports are what real tools accept.

use statelab_sim::text::{curl, har};
use statelab_sim::wire::http::parse_request;
use statelab_sim::LaneId;
use statelab_sim::{Playground, Scenario};
use std::io::{Read, Write};
use std::net::TcpListener;

fn played(id: &str) -> Playground {
    let s = Scenario::find(id).unwrap();
    Playground::from_scenario(&s, 1, s.steps.len())
}

#[test]
fn har_has_every_field_har_1_2_requires() {
    let p = played("sticky-crash");
    let doc: serde_json::Value = serde_json::from_str(&har(p.lane(LaneId::B))).unwrap();
    let log = &doc["log"];
    assert_eq!(log["version"], "1.2");
    assert_eq!(log["creator"]["name"], "Statelab");
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), p.lane(LaneId::B).exchanges().count());
    for (e, x) in entries.iter().zip(p.lane(LaneId::B).exchanges()) {
        assert!(e["startedDateTime"].as_str().unwrap().starts_with("2026-01-15T09:00:"));
        assert_eq!(e["time"], x.latency_ms);
        let req = &e["request"];
        for k in ["method", "url", "httpVersion", "headers", "cookies", "queryString", "headersSize", "bodySize"] {
            assert!(!req[k].is_null(), "request.{k}");
        }
        let resp = &e["response"];
        for k in [
            "status",
            "statusText",
            "httpVersion",
            "headers",
            "cookies",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(!resp[k].is_null(), "response.{k}");
        }
        for k in ["send", "wait", "receive"] {
            assert!(e["timings"][k].as_u64().is_some(), "timings.{k}");
        }
        assert_eq!(
            req["headersSize"].as_u64().unwrap() + req["bodySize"].as_u64().unwrap(),
            u64::from(x.request_bytes)
        );
        assert_eq!(
            resp["headersSize"].as_u64().unwrap() + resp["bodySize"].as_u64().unwrap(),
            u64::from(x.response_bytes)
        );
        assert_eq!(resp["status"], x.response.status);
        assert_eq!(resp["content"]["text"], x.response.body.as_str());
    }
    let login = &entries[0];
    assert_eq!(login["request"]["url"], "https://shop.example/login");
    assert_eq!(login["request"]["postData"]["mimeType"], "application/json");
    let set = login["response"]["cookies"].as_array().unwrap();
    assert_eq!(set[0]["name"], "session_id");
    assert_eq!((set[0]["httpOnly"].as_bool(), set[0]["secure"].as_bool()), (Some(true), Some(true)));
    assert_eq!(set[1]["name"], "lb");
    let second = &entries[1]["request"];
    assert_eq!(second["cookies"][1], serde_json::json!({"name": "lb", "value": "S1"}));
}

/// Runs the generated command against a listener here and compares what
/// arrives with the request the engine recorded.
#[test]
fn curl_commands_send_the_same_request() {
    let p = played("signed-cookie");
    for x in p.lane(LaneId::B).exchanges().take(3) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let cmd = curl(&x.request, &origin);
        let child = std::process::Command::new("sh")
            .args(["-c", &format!("{cmd} -s -o /dev/null --max-time 10")])
            .spawn()
            .expect("curl (Debian package `curl`) runs this test");
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let want = x.request.body.len();
        loop {
            let k = conn.read(&mut buf).unwrap();
            got.extend_from_slice(&buf[..k]);
            let text = String::from_utf8_lossy(&got);
            if k == 0 || text.split_once("\r\n\r\n").is_some_and(|(_, body)| body.len() >= want) {
                break;
            }
        }
        conn.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n").unwrap();
        drop(conn);
        child.wait_with_output().unwrap();
        let arrived = parse_request(&String::from_utf8(got).unwrap()).unwrap();
        assert_eq!(
            (arrived.method.as_str(), arrived.target.as_str(), arrived.body.as_str()),
            (x.request.method.as_str(), x.request.target.as_str(), x.request.body.as_str())
        );
        for (name, value) in x.request.headers.iter().filter(|(n, _)| *n != "Host") {
            assert_eq!(arrived.headers.get(name), Some(value), "{name} in {cmd}");
        }
    }
}

#[test]
fn curl_quotes_what_a_shell_would_interpret() {
    let mut req =
        parse_request("POST /api/cart/items HTTP/1.1\nHost: shop.example\nContent-Length: 11\n\n{\"sku\":\"'\"}")
            .unwrap();
    req.headers.push("X-Note", "$(rm -rf /) `x`");
    let cmd = curl(&req, "https://shop.example");
    assert_eq!(
        cmd,
        r#"curl --http1.1 -X 'POST' 'https://shop.example/api/cart/items' -H 'X-Note: $(rm -rf /) `x`' --data-raw '{"sku":"'\''"}'"#
    );
}

#[test]
fn har_lists_each_connection_s_frames_under_its_handshake_as_chrome_devtools_does() {
    use base64::Engine;
    use statelab_sim::wire::ws::{parse_frame, Opcode};
    let p = played("ws-handshake");
    let lane = p.lane(LaneId::A);
    let doc: serde_json::Value = serde_json::from_str(&har(lane)).unwrap();
    let entries = doc["log"]["entries"].as_array().unwrap();
    let sockets: Vec<&serde_json::Value> = entries.iter().filter(|e| e["_resourceType"] == "websocket").collect();
    assert_eq!(sockets.len(), lane.connections().len(), "one entry per connection: its handshake");
    for (e, c) in sockets.iter().zip(lane.connections()) {
        assert_eq!(e["response"]["status"], 101);
        // The frames as they crossed the wire, after the handshake's two chunks, unmasked.
        let wire: Vec<(String, u64, String)> = c.wire[2..]
            .iter()
            .map(|chunk| {
                let (f, _) = parse_frame(&chunk.bytes).unwrap();
                let data = match f.opcode {
                    Opcode::Text => String::from_utf8(f.payload.clone()).unwrap(),
                    _ => base64::engine::general_purpose::STANDARD.encode(&f.payload),
                };
                (if chunk.from_client { "send" } else { "receive" }.to_owned(), u64::from(f.opcode.code()), data)
            })
            .collect();
        let messages = e["_webSocketMessages"].as_array().unwrap();
        let har: Vec<(String, u64, String)> = messages
            .iter()
            .map(|m| {
                (
                    m["type"].as_str().unwrap().to_owned(),
                    m["opcode"].as_u64().unwrap(),
                    m["data"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(har, wire, "ws#{}", c.id);
        // Seconds since the epoch, as DevTools writes them, from the simulated clock.
        assert!(messages.iter().all(|m| (1_768_467_600.0..1_768_471_200.0).contains(&m["time"].as_f64().unwrap())));
    }
    // Alice's: the welcome, her line and its echo, then S2's ping ("ping" in base64) and her pong.
    let alice: Vec<(&str, u64)> = sockets[0]["_webSocketMessages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["type"].as_str().unwrap(), m["opcode"].as_u64().unwrap()))
        .collect();
    assert_eq!(alice[alice.len() - 2..], [("receive", 9), ("send", 10)]);
    assert!(sockets[0]["_webSocketMessages"].as_array().unwrap().iter().any(|m| m["data"] == "cGluZw=="));
    // A shop lane's HAR has no connection entries.
    let shop: serde_json::Value = serde_json::from_str(&har(played("sticky-crash").lane(LaneId::B))).unwrap();
    assert!(shop["log"]["entries"].as_array().unwrap().iter().all(|e| e.get("_webSocketMessages").is_none()));
}
