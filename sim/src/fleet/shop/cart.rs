//! The cart: kept in the session where there is one, else in the database.

use super::session_state::{save, with_session};
use crate::fleet::auth::Principal;
use crate::fleet::handling::{body_field, Ctx, Handled};
use crate::fleet::store::CATALOG;
use crate::wire::http::Request;
use crate::wire::json::ObjectWriter;

pub(super) fn add_to_cart(cx: &mut Ctx, req: &Request, who: &mut Principal) -> Handled {
    let sku = match body_field(&req.body, "sku") {
        Some(sku) if CATALOG.contains(&sku.as_str()) => sku,
        Some(sku) => return Err(cx.bad_request(&format!("unknown sku \"{sku}\"; try one of {}", CATALOG.join(", ")))),
        None => return Err(cx.bad_request("body must be JSON {\"sku\": \"…\"}")),
    };
    let cart = match with_session(cx, who, |s| {
        s.cart.push(sku.clone());
        s.cart.clone()
    }) {
        Some(cart) => cart,
        None => {
            let user = who.user.clone();
            cx.db_trip(|| format!("database: append {sku} to carts[\"{user}\"] (no session to keep it in)"));
            let cart = cx.backend.db.carts.get_or_default(user);
            cart.push(sku);
            cart.clone()
        }
    };
    let mut r = cx.respond(201, ObjectWriter::new().strs("cart", &cart).finish());
    save(cx, who, &mut r)?;
    Ok(r)
}

pub(super) fn view_cart(cx: &mut Ctx, who: &mut Principal) -> Handled {
    let cart = match with_session(cx, who, |s| s.cart.clone()) {
        Some(cart) => cart,
        None => {
            let user = who.user.clone();
            cx.db_trip(|| format!("database: read carts[\"{user}\"]"));
            cx.backend.db.carts.get(&user).cloned().unwrap_or_default()
        }
    };
    Ok(cx.respond(200, ObjectWriter::new().strs("items", &cart).finish()))
}
