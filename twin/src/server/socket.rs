//! The connection apps on a real server, with axum's WebSocket support: the
//! handshake checked in the simulation's order (`sim/src/fleet/socket/handshake.rs`),
//! then the chat room (in this process's memory, or Redis pub/sub on
//! `room:<room>` with its history in the list `history:<room>`) or the game
//! room (in memory, or checkpointed with `SET match:<room>`). Every message
//! is written byte for byte as the simulation writes it. A re-checking lane
//! authenticates the handshake's credential again on every frame received.

use super::{authenticate, refuse, store_down, unauthorized, who, App, Refusal};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::FromRequestParts;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fred::prelude::*;
use serde_json::{json, Value};
use statelab_sim::fleet::{App as LaneApp, AuthMode, Credential, Store, TokenIn, API_KEY_HEADER};
use statelab_sim::fleet::{BOARD_MAX, CHAT_ROOM, GAME_ROOM, HISTORY, ORIGIN, TOKEN_PARAM};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tower_sessions::Session;

/// The header a 101 names its server in (HAProxy logs a tunnel only when it ends).
pub const SERVER_HEADER: &str = "x-served-by";

/// What this process holds of its connections and rooms; a crash loses it all.
#[derive(Default)]
pub struct Hub {
    next: AtomicU64,
    /// Open connections: id, the user, where to send.
    conns: Mutex<Vec<(u64, String, UnboundedSender<Message>)>>,
    /// The chat room's recent messages (chat in memory).
    chat: Mutex<Vec<(String, String)>>,
    /// The match this server runs: tick, players by name in order.
    game: Mutex<Option<Match>>,
}

#[derive(Clone, Debug, Default)]
struct Match {
    tick: u32,
    players: Vec<(String, (i32, i32))>,
}

impl Match {
    fn to_json(&self) -> String {
        let players: Vec<String> =
            self.players.iter().map(|(n, (x, y))| format!("{}:[{x},{y}]", Value::from(n.as_str()))).collect();
        format!("{{\"tick\":{},\"players\":{{{}}}}}", self.tick, players.join(","))
    }

    fn parse(text: &str) -> Option<Match> {
        let v: Value = serde_json::from_str(text).ok()?;
        let mut players: Vec<(String, (i32, i32))> = v["players"]
            .as_object()?
            .iter()
            .map(|(n, p)| (n.clone(), (p[0].as_i64().unwrap_or(0) as i32, p[1].as_i64().unwrap_or(0) as i32)))
            .collect();
        players.sort();
        Some(Match { tick: v["tick"].as_u64()? as u32, players })
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn text(s: String) -> Message {
    Message::Text(s.into())
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

/// `{"from":…,"text":…}` pieces as the simulation's `ObjectWriter` writes them.
fn line_json(from: &str, said: &str) -> String {
    format!("{{\"from\":{},\"text\":{}}}", Value::from(from), Value::from(said))
}

fn message_json(from: &str, said: &str) -> String {
    format!("{{\"type\":\"message\",\"from\":{},\"text\":{}}}", Value::from(from), Value::from(said))
}

fn error_json(why: &str) -> String {
    format!("{{\"type\":\"error\",\"error\":{}}}", Value::from(why))
}

/// `GET /ws/chat` or `/ws/game`: the handshake's checks in the simulation's
/// order, the credential authenticated the lane's way, then 101.
pub async fn upgrade(app: Arc<App>, mut parts: Parts, session: Option<Session>) -> Response {
    let path = parts.uri.path().to_owned();
    if app.lane.app.socket_path() != Some(path.as_str()) {
        return super::reply(StatusCode::NOT_FOUND, json!({ "error": format!("no route {path}") }));
    }
    let h = &parts.headers;
    let has = |name: header::HeaderName, token: &str| {
        h.get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case(token))
    };
    let bad = |m: &'static str| refuse(&app, Refusal::new(StatusCode::BAD_REQUEST, m, ""));
    if !has(header::UPGRADE, "websocket") || !has(header::CONNECTION, "upgrade") {
        return bad("a WebSocket handshake needs Upgrade: websocket and Connection: Upgrade");
    }
    if h.get(header::SEC_WEBSOCKET_VERSION).and_then(|v| v.to_str().ok()) != Some("13") {
        let mut r =
            refuse(&app, Refusal::new(StatusCode::UPGRADE_REQUIRED, "only WebSocket version 13 is supported", ""));
        r.headers_mut().insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        return r;
    }
    let key = h.get(header::SEC_WEBSOCKET_KEY).and_then(|v| v.to_str().ok()).unwrap_or("");
    let nonce = key.len() == 24
        && key.ends_with("==")
        && key[..22].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if !nonce {
        return bad("Sec-WebSocket-Key must be 16 bytes in base64");
    }
    if h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) != Some(ORIGIN) {
        return refuse(&app, Refusal::new(StatusCode::FORBIDDEN, "cross-origin WebSocket refused", ""));
    }
    let credential = app.lane.auth.credential();
    let headers = as_headers(&app, &parts);
    let first_message =
        matches!(credential, Credential::Bearer | Credential::ApiKey) && app.lane.ws_token == TokenIn::FirstMessage;
    let user = if first_message {
        None
    } else {
        match authenticate(&app, &headers, session, false).await {
            Ok(hold) => Some(who(&headers, &hold).user),
            Err(r) => return refuse(&app, r),
        }
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    let name = app.name.clone();
    let mut r = ws.on_upgrade(move |socket| serve_socket(app, socket, user, headers));
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(SERVER_HEADER, v);
    }
    r
}

/// The handshake as authentication reads it: the URL's token as the header
/// the lane's mode reads (the simulation's `as_request`).
fn as_headers(app: &App, parts: &Parts) -> HeaderMap {
    let mut headers = parts.headers.clone();
    let token =
        parts.uri.query().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix(TOKEN_PARAM)?.strip_prefix('='));
    match (app.lane.auth.credential(), token) {
        (Credential::Bearer, Some(t)) => {
            if let Ok(v) = HeaderValue::from_str(&format!("Bearer {t}")) {
                headers.insert(header::AUTHORIZATION, v);
            }
        }
        (Credential::ApiKey, Some(t)) => {
            if let Ok(v) = HeaderValue::from_str(t) {
                headers.insert(API_KEY_HEADER, v);
            }
        }
        _ => {}
    }
    headers
}

/// A bearer credential as its header, for the first message's token.
fn bearer_headers(app: &App, token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let (name, value) = match app.lane.auth {
        AuthMode::ApiKey { .. } => (header::HeaderName::from_static("x-api-key"), token.to_owned()),
        _ => (header::AUTHORIZATION, format!("Bearer {token}")),
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(name, v);
    }
    headers
}

/// The credential checked again as on a fresh request: a session is read
/// from the store anew (the handshake's handle caches what it loaded).
async fn check(app: &App, headers: &HeaderMap) -> Result<String, Refusal> {
    let session = match (&app.sessions, session_id(headers)) {
        (Some(make), Some(id)) => Some(make(id)),
        (Some(_), None) => return Err(unauthorized("no-credential")),
        _ => None,
    };
    let hold = authenticate(app, headers, session, false).await?;
    Ok(who(headers, &hold).user)
}

fn session_id(headers: &HeaderMap) -> Option<tower_sessions::session::Id> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|p| p.trim().strip_prefix(super::SESSION_COOKIE)?.strip_prefix('=')?.parse().ok())
}

async fn serve_socket(app: Arc<App>, socket: WebSocket, user: Option<String>, headers: HeaderMap) {
    use futures_util::{SinkExt, StreamExt};
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(m) = rx.recv().await {
            let closing = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || closing {
                break;
            }
        }
        // Flushes the echo tungstenite queued for a client's close (sending
        // another close after it is refused), or sends ours.
        let _ = sink.close().await;
    });
    let id = app.hub.next.fetch_add(1, Ordering::SeqCst);
    let mut credential = Some(headers);
    let mut user = user;
    if let Some(u) = &user {
        join(&app, id, u, &tx).await;
    }
    while let Some(Ok(m)) = stream.next().await {
        let said = match m {
            Message::Text(t) => t.to_string(),
            // tungstenite has queued the echo; the writer flushes it as it closes.
            Message::Close(_) => break,
            // tungstenite answers a ping itself, before the app sees it.
            Message::Ping(_) | Message::Pong(_) | Message::Binary(_) => {
                if user.is_some() && app.lane.recheck && !recheck(&app, credential.as_ref(), &tx).await {
                    break;
                }
                continue;
            }
        };
        let v: Value = serde_json::from_str(&said).unwrap_or(Value::Null);
        let Some(u) = user.clone() else {
            // The first message must prove who this is.
            let token = v["token"].as_str().filter(|_| v["type"] == "auth").unwrap_or("");
            let h = bearer_headers(&app, token);
            match check(&app, &h).await {
                Ok(u) => {
                    join(&app, id, &u, &tx).await;
                    credential = Some(h);
                    user = Some(u);
                    continue;
                }
                Err(_) => {
                    let _ = tx.send(close(1008, "invalid token"));
                    break;
                }
            }
        };
        if said == crate::driver::PING_ME {
            // A keepalive: the server's own frame, so nothing of the client's to re-check
            // (its pong is, when it comes). tungstenite answers the ping on the client.
            let _ = tx.send(Message::Ping(b"ping".to_vec().into()));
            continue;
        }
        if app.lane.recheck && !recheck(&app, credential.as_ref(), &tx).await {
            break;
        }
        match (app.lane.app, v["type"].as_str()) {
            (LaneApp::Chat(store), Some("say")) => say(&app, store, &u, v["text"].as_str().unwrap_or(""), &tx).await,
            (LaneApp::Game(store), Some("move")) => {
                let d = |k: &str| v[k].as_i64().unwrap_or(0).clamp(-1, 1) as i32;
                step(&app, store, &u, d("dx"), d("dy"), &tx).await
            }
            _ => {}
        }
    }
    lock(&app.hub.conns).retain(|(c, _, _)| *c != id);
    drop(tx);
    let _ = writer.await;
}

/// With `recheck`: the credential again, before the frame is acted on.
async fn recheck(app: &App, credential: Option<&HeaderMap>, tx: &UnboundedSender<Message>) -> bool {
    let Some(h) = credential else { return true };
    match check(app, h).await {
        Ok(_) => true,
        Err(r) if r.status == StatusCode::SERVICE_UNAVAILABLE => {
            let _ = tx.send(close(1011, "store unavailable"));
            false
        }
        Err(_) => {
            let _ = tx.send(close(1008, "credential no longer valid"));
            false
        }
    }
}

/// `user` joins: the connection is registered and gets its welcome.
async fn join(app: &App, id: u64, user: &str, tx: &UnboundedSender<Message>) {
    let head = format!(
        "{{\"type\":\"welcome\",\"user\":{},\"room\":{},\"server\":{}",
        Value::from(user),
        Value::from(app.lane.app.room()),
        Value::from(app.name.as_str())
    );
    let welcome = match app.lane.app {
        LaneApp::Game(store) => {
            let running = lock(&app.hub.game).clone();
            let mut m = match running {
                Some(m) => m,
                None if store == Store::Shared => {
                    let saved: Option<String> = app.store.get(format!("match:{GAME_ROOM}")).await.unwrap_or(None);
                    saved.as_deref().and_then(Match::parse).unwrap_or_default()
                }
                None => Match::default(),
            };
            if let Err(at) = m.players.binary_search_by(|(p, _)| p.as_str().cmp(user)) {
                m.players.insert(at, (user.to_owned(), (0, 0)));
            }
            let state = m.to_json();
            *lock(&app.hub.game) = Some(m);
            format!("{head},\"match\":{state}}}")
        }
        _ => {
            let recent: Vec<String> = match app.lane.app {
                LaneApp::Chat(Store::Shared) => {
                    app.store.lrange(format!("history:{CHAT_ROOM}"), 0, -1).await.unwrap_or_default()
                }
                _ => lock(&app.hub.chat).iter().map(|(f, t)| line_json(f, t)).collect(),
            };
            format!("{head},\"recent\":[{}]}}", recent.join(","))
        }
    };
    lock(&app.hub.conns).push((id, user.to_owned(), tx.clone()));
    let _ = tx.send(text(welcome));
}

/// Every connection on this server gets `message`.
pub fn broadcast(app: &App, message: &str) {
    for (_, _, tx) in lock(&app.hub.conns).iter() {
        let _ = tx.send(text(message.to_owned()));
    }
}

async fn say(app: &App, store: Store, user: &str, said: &str, tx: &UnboundedSender<Message>) {
    let message = message_json(user, said);
    match store {
        Store::Local => {
            {
                let mut chat = lock(&app.hub.chat);
                chat.push((user.to_owned(), said.to_owned()));
                if chat.len() > HISTORY {
                    chat.remove(0);
                }
            }
            broadcast(app, &message);
        }
        Store::Shared => {
            let key = format!("history:{CHAT_ROOM}");
            let sent = async {
                let _: i64 = app.store.rpush(&key, line_json(user, said)).await?;
                let _: () = app.store.ltrim(&key, -(HISTORY as i64), -1).await?;
                let _: bool = app.store.expire(&key, 24 * 3600, None).await?;
                app.store.next().publish::<i64, _, _>(format!("room:{CHAT_ROOM}"), message.as_str()).await
            }
            .await;
            if let Err(e) = sent {
                let _ = store_down(e);
                let _ = tx.send(text(error_json("the message was not sent: the store that carries it is down")));
            }
        }
    }
}

async fn step(app: &App, store: Store, user: &str, dx: i32, dy: i32, tx: &UnboundedSender<Message>) {
    let moved = {
        let mut game = lock(&app.hub.game);
        match game.as_mut() {
            None => Err(format!("{} runs no match", app.name)),
            Some(m) => match m.players.binary_search_by(|(p, _)| p.as_str().cmp(user)) {
                Err(_) => Err(format!("{user} is not a player of the match {} runs", app.name)),
                Ok(at) => {
                    let (x, y) = m.players[at].1;
                    m.players[at].1 = ((x + dx).clamp(0, BOARD_MAX), (y + dy).clamp(0, BOARD_MAX));
                    m.tick = m.tick.saturating_add(1);
                    Ok(m.to_json())
                }
            },
        }
    };
    let state = match moved {
        Ok(s) => s,
        Err(why) => {
            let _ = tx.send(text(error_json(&why)));
            return;
        }
    };
    if store == Store::Shared {
        let set: Result<(), _> = app
            .store
            .set(format!("match:{GAME_ROOM}"), state.as_str(), Some(Expiration::EX(24 * 3600)), None, false)
            .await;
        if let Err(e) = set {
            let _ = store_down(e);
        }
    }
    broadcast(app, &format!("{{\"type\":\"state\",\"match\":{state}}}"));
}

/// Every server subscribes to the room's channel and passes each message on
/// to its own connections; the subscription comes back with Redis.
pub async fn subscribe(app: Arc<App>, port: u16) -> Result<(), String> {
    let config = Config::from_url(&format!("redis://127.0.0.1:{port}")).map_err(|e| e.to_string())?;
    let client = Builder::from_config(config)
        .set_policy(ReconnectPolicy::new_constant(0, 20))
        .build_subscriber_client()
        .map_err(|e| e.to_string())?;
    client.init().await.map_err(|e| e.to_string())?;
    drop(client.manage_subscriptions());
    client.subscribe(format!("room:{CHAT_ROOM}")).await.map_err(|e| e.to_string())?;
    let mut rx = client.message_rx();
    tokio::spawn(async move {
        let _keep = client;
        while let Ok(m) = rx.recv().await {
            if let Some(s) = m.value.as_str() {
                broadcast(&app, &s);
            }
        }
    });
    Ok(())
}

/// `POST /_twin/drain` (straight to the server, never through HAProxy):
/// every connection here is told 1001 going away.
pub async fn drain(State(app): State<Arc<App>>) -> Response {
    let conns: Vec<_> = lock(&app.hub.conns).drain(..).collect();
    for (_, _, tx) in &conns {
        let _ = tx.send(close(1001, "going away"));
    }
    super::reply(StatusCode::OK, json!({ "drained": conns.len() }))
}
