//! The shop API's routes, parsed once from the request path so every
//! handler matches on a closed set: a new route cannot fall into another's arm.

/// Every path the shop answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`, answered to anyone: what a balancer's health check asks.
    Health,
    /// `POST /login`: checks the password, then issues the lane's credential.
    Login,
    /// `POST /token/refresh`: authenticated by the refresh cookie alone (refresh lanes).
    Refresh,
    /// `GET /ws/chat` or `GET /ws/game` with `Upgrade: websocket`: the
    /// opening handshake of a connection app's WebSocket (RFC 6455 §4).
    Socket,
    /// Served only to a request that authenticates.
    User(UserRoute),
}

/// The routes behind authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserRoute {
    /// `GET /api/me`: who the credential says the user is, and which server answered.
    Me,
    /// `POST /api/cart/items`: adds the body's `sku` to the cart.
    CartItems,
    /// `GET /api/cart`: the cart's items.
    Cart,
    /// `GET /api/orders?page=N`: page N (1-based) of the user's orders, the
    /// page number given by the client.
    Orders,
    /// `GET /api/orders/next`: the page after the last one shown, by a cursor
    /// in the session; a 400 in JWT lanes, which keep no session.
    OrdersNext,
    /// `POST /logout`: revokes what the lane's mode can revoke.
    Logout,
    /// `POST /keys/rotate`: a new API key, the one that asked revoked (API-key lanes).
    RotateKey,
}

impl Route {
    /// The route for a request path (without its query), if the shop has one.
    pub fn parse(path: &str) -> Option<Route> {
        Some(match path {
            "/health" => Route::Health,
            "/login" => Route::Login,
            "/token/refresh" => Route::Refresh,
            "/ws/chat" | "/ws/game" => Route::Socket,
            "/keys/rotate" => Route::User(UserRoute::RotateKey),
            "/logout" => Route::User(UserRoute::Logout),
            "/api/me" => Route::User(UserRoute::Me),
            "/api/cart/items" => Route::User(UserRoute::CartItems),
            "/api/cart" => Route::User(UserRoute::Cart),
            "/api/orders" => Route::User(UserRoute::Orders),
            "/api/orders/next" => Route::User(UserRoute::OrdersNext),
            _ => return None,
        })
    }

    /// The one method each route takes (what a 405's `Allow` names).
    pub fn method(self) -> &'static str {
        match self {
            Route::Login
            | Route::Refresh
            | Route::User(UserRoute::Logout | UserRoute::CartItems | UserRoute::RotateKey) => "POST",
            Route::Health
            | Route::Socket
            | Route::User(UserRoute::Me | UserRoute::Cart | UserRoute::Orders | UserRoute::OrdersNext) => "GET",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Route, UserRoute};

    #[test]
    fn parses_exact_paths_only() {
        assert_eq!(Route::parse("/api/cart"), Some(Route::User(UserRoute::Cart)));
        assert_eq!(Route::parse("/api/cart/items"), Some(Route::User(UserRoute::CartItems)));
        assert_eq!(Route::parse("/api/cart/"), None);
        assert_eq!(Route::parse("/logout/now"), None);
        assert_eq!(Route::User(UserRoute::Logout).method(), "POST");
        assert_eq!(Route::Health.method(), "GET");
    }
}
