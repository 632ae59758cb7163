//! The opening handshake as a server answers it (RFC 6455 §4.2): an HTTP/1.1
//! `GET` that asks to upgrade, checked header by header, then authenticated
//! the lane's way, answered `101 Switching Protocols`. A browser cannot set
//! `Authorization` on a WebSocket, so a token comes in the URL's
//! `access_token` (RFC 6750 §2.3) or in the first message; a cookie comes
//! as on any request, which is why the server must check `Origin`.

use crate::fleet::auth;
use crate::fleet::config::{Credential, TokenIn, API_KEY_HEADER, ORIGIN};
use crate::fleet::handling::{Ctx, Handled};
use crate::wire::http::{Headers, Request, Response};
use crate::wire::ws::{accept_key, decode_key};

/// The query parameter a token travels in on the handshake's URL.
pub const TOKEN_PARAM: &str = "access_token";

pub(in crate::fleet) fn upgrade(cx: &mut Ctx, req: &Request) -> Handled {
    let path = req.path();
    // `is_connection` first: a plain bool the compiler folds in a build
    // without connection lanes, so none of what follows is in it.
    if !cx.config.app.is_connection() || cx.config.app.socket_path() != Some(path) {
        let app = cx.config.app;
        return Err(cx.refuse(404, &format!("no route {path}"), || {
            format!("this lane's servers run the {app}: no WebSocket at {path}")
        }));
    }
    let has = |name: &str, token: &str| {
        req.headers.get_all(name).flat_map(|v| v.split(',')).any(|v| v.trim().eq_ignore_ascii_case(token))
    };
    if !has("Upgrade", "websocket") || !has("Connection", "upgrade") {
        return Err(cx.bad_request("a WebSocket handshake needs Upgrade: websocket and Connection: Upgrade"));
    }
    if req.headers.get("Sec-WebSocket-Version") != Some("13") {
        let mut r = cx.refuse(426, "only WebSocket version 13 is supported", || {
            "Sec-WebSocket-Version is not 13: answered 426 with the version this server speaks (RFC 6455 §4.4)".into()
        });
        r.headers.push("Sec-WebSocket-Version", "13");
        return Err(r);
    }
    let Some(key) = req.headers.get("Sec-WebSocket-Key").filter(|k| decode_key(k).is_some()) else {
        return Err(cx.bad_request("Sec-WebSocket-Key must be 16 bytes in base64"));
    };
    let origin = req.headers.get("Origin").unwrap_or("(none)");
    if origin != ORIGIN {
        // The browser sends cookies with a cross-site WebSocket handshake, and
        // nothing like CORS stops the page that opens it: the server must.
        return Err(cx.refuse(403, "cross-origin WebSocket refused", || {
            format!("Origin {origin} is not {ORIGIN}: refused, or any site could open a connection with this user's cookies")
        }));
    }
    let credential = cx.config.auth.credential();
    let user = match (credential, cx.config.ws_token) {
        (Credential::Bearer | Credential::ApiKey, TokenIn::FirstMessage) => {
            cx.trace.say(|| "no credential on the handshake: the connection is accepted anonymous, and must prove itself in its first message".into());
            None
        }
        _ => {
            let who = auth::authenticate(cx, &as_request(req, credential), false)?;
            let user = who.user;
            cx.trace
                .say(|| format!("handshake authenticated as {user}: from now on the open connection is the session"));
            Some(user)
        }
    };
    cx.upgraded = Some(user);
    Ok(switching(cx, key))
}

/// The handshake as authentication reads it: a token from the URL presented
/// as the header the lane's mode reads it from.
fn as_request(req: &Request, credential: Credential) -> Request {
    let token = req.query(TOKEN_PARAM);
    let mut view = req.clone();
    match (credential, token) {
        (Credential::Bearer, Some(t)) => view.headers.push("Authorization", ["Bearer ", t].concat()),
        (Credential::ApiKey, Some(t)) => view.headers.push(API_KEY_HEADER, t.to_owned()),
        _ => {}
    }
    view
}

/// `101 Switching Protocols` with the key's accept value.
fn switching(cx: &mut Ctx, key: &str) -> Response {
    let mut headers = Headers(Vec::with_capacity(4));
    headers.push("Upgrade", "websocket");
    headers.push("Connection", "Upgrade");
    headers.push("Sec-WebSocket-Accept", accept_key(key));
    headers.push("Date", cx.date());
    cx.trace.say(|| {
        format!(
            "101 Switching Protocols: Sec-WebSocket-Accept is base64(SHA-1(key + the RFC 6455 GUID)) = {}",
            accept_key(key)
        )
    });
    Response { status: 101, headers, body: String::new() }
}
