//! Order history, paged: stateless by page number in the URL, or stateful
//! by a cursor the session remembers.

use super::session_state::{save, with_session};
use crate::fleet::auth::{Hold, Principal};
use crate::fleet::handling::{Ctx, Handled};
use crate::fleet::store::Database;
use crate::wire::http::{Request, Response};
use crate::wire::json::ObjectWriter;

pub(super) fn orders_page(cx: &mut Ctx, req: &Request, who: &Principal) -> Handled {
    let page = match req.query("page").map(str::parse::<u32>) {
        Some(Ok(p)) if p >= 1 => p,
        _ => return Err(cx.bad_request("give ?page=N with N ≥ 1")),
    };
    Ok(page_response(cx, &who.user, page, "the page number came in the URL; nothing remembered"))
}

fn page_response(cx: &mut Ctx, user: &str, page: u32, how: &str) -> Response {
    cx.db_trip(|| format!("database: orders of {user}, page {page} — {how}"));
    let (ids, pages) = Database::orders(user, page);
    cx.respond(
        200,
        ObjectWriter::new().num("page", page.into()).num("pages", pages.into()).strs("orders", &ids).finish(),
    )
}

pub(super) fn next_orders(cx: &mut Ctx, who: &mut Principal) -> Handled {
    let Some(page) = with_session(cx, who, |s| {
        s.cursor += 1;
        s.cursor
    }) else {
        return Err(cx.bad_request("a stateless API keeps no cursor between requests: ask for /api/orders?page=N"));
    };
    let user = who.user.clone();
    let how = match who.hold {
        Hold::Cookie(_) => "the cursor rode in the signed cookie",
        _ => "the cursor was remembered in the session",
    };
    let mut r = page_response(cx, &user, page, how);
    save(cx, who, &mut r)?;
    Ok(r)
}
