//! The demo shop's API on a server: find the route, authenticate the
//! request the lane's way ([`crate::fleet::auth`]), then run the route's
//! handler. Every step that matters is told in the trace.

mod cart;
mod orders;
pub(crate) mod path;
mod session_state;

use crate::fleet::auth::{self, Principal};
use crate::fleet::handling::{Ctx, Handled, SERVER_MS};
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;
use path::{Route, UserRoute};

/// The largest header section (request line, headers and their CRLFs) a server reads.
pub(crate) const MAX_HEADER_BYTES: usize = 8 * 1024;

pub(super) fn handle(cx: &mut Ctx, req: &Request) -> Response {
    cx.cost.latency_ms += SERVER_MS;
    cx.server.handled += 1;
    route(cx, req).unwrap_or_else(|e| e)
}

fn route(cx: &mut Ctx, req: &Request) -> Handled {
    // The server reads the whole header section before it looks at any of it.
    let head = req.wire_len().saturating_sub(req.body.len());
    if head > MAX_HEADER_BYTES {
        return Err(cx.refuse(431, "request header fields too large", || {
            format!("header section is {head} bytes; this server caps it at 8 KiB, the size of nginx's default header buffer (Node allows 16 KiB)")
        }));
    }
    // No Host check: every request reaching a server has exactly one, since
    // the browser always writes it and hand-written text without it is refused
    // before it is sent (`http::parse_request`).
    let path = req.path();
    let Some(route) = Route::parse(path) else {
        return Err(cx.refuse(404, &format!("no route {path}"), || format!("no route {path} on this shop API")));
    };
    let allowed = route.method();
    if req.method != allowed {
        let method = &req.method;
        let mut r =
            cx.refuse(405, &format!("{path} takes {allowed}"), || format!("{path} takes {allowed}, not {method}"));
        r.headers.push("Allow", allowed);
        return Err(r);
    }
    match route {
        Route::Health => Ok(cx.respond(200, "{\"status\":\"ok\"}".into())),
        Route::Login => auth::login(cx, req),
        Route::Refresh => auth::refresh(cx, req),
        Route::Socket => crate::fleet::socket::handshake::upgrade(cx, req),
        Route::User(route) => {
            // Managing one's key is not rate limited: an owner whose leaked key is
            // being spent by someone else can still rotate or revoke it.
            let metered = !matches!(route, UserRoute::RotateKey | UserRoute::Logout);
            let who = auth::authenticate(cx, req, metered)?;
            serve(cx, req, route, who)
        }
    }
}

/// A route behind authentication, for the user `who`.
fn serve(cx: &mut Ctx, req: &Request, route: UserRoute, mut who: Principal) -> Handled {
    match route {
        UserRoute::Me => Ok(me(cx, &who)),
        UserRoute::CartItems => cart::add_to_cart(cx, req, &mut who),
        UserRoute::Cart => cart::view_cart(cx, &mut who),
        UserRoute::Orders => orders::orders_page(cx, req, &who),
        UserRoute::OrdersNext => orders::next_orders(cx, &mut who),
        UserRoute::Logout => auth::logout(cx, who),
        UserRoute::RotateKey => auth::rotate_key(cx, who),
    }
}

fn me(cx: &mut Ctx, who: &Principal) -> Response {
    let body = ObjectWriter::new()
        .str("user", &who.user)
        .str("name", &who.name)
        .str("role", &who.role)
        .str("served_by", &cx.server.name())
        .finish();
    cx.respond(200, body)
}
