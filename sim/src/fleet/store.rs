//! State that lives outside the servers: the shared session store (think
//! Redis) and the shop's database.

use crate::base::table::Table;
use crate::base::time::SimTime;
use crate::wire::json::{Json, ObjectWriter};

/// A logged-in user's server-side session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The account's username, its key in the database (`alice`).
    pub user: String,
    /// The account's display name (`Alice`).
    pub name: String,
    /// The account's role, `user` or `admin`, copied at login.
    pub role: String,
    /// SKUs added to the cart, in the order added, duplicates kept.
    pub cart: Vec<String>,
    /// Orders pages already shown by `GET /api/orders/next`.
    pub cursor: u32,
    /// Idle timeout: pushed forward on each use.
    pub expires: SimTime,
}

impl Session {
    /// What holding it costs: its id plus its JSON, as a store would keep it.
    #[cfg(not(feature = "load-runs"))]
    pub fn bytes(&self, id: &str) -> u32 {
        (id.len() + self.to_json().len()) as u32
    }

    /// The same, counted without writing the JSON: a load run asks this of
    /// every session every few simulated seconds (a test checks it against
    /// `to_json`). The page's main bundle keeps the shorter code above.
    #[cfg(feature = "load-runs")]
    pub fn bytes(&self, id: &str) -> u32 {
        use crate::wire::json::str_len;
        let digits = |n: u64| n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let cart: usize = self.cart.iter().map(|c| str_len(c) + 1).sum::<usize>().max(1) + 1;
        // {"user":…,"name":…,"role":…,"cart":[…],"cursor":N,"expires":N}
        let fixed = r#"{"user":,"name":,"role":,"cart":,"cursor":,"expires":}"#.len();
        let json = fixed
            + str_len(&self.user)
            + str_len(&self.name)
            + str_len(&self.role)
            + cart
            + digits(self.cursor.into())
            + digits(self.expires.0);
        (id.len() + json) as u32
    }

    /// Whose session it is.
    pub fn holder(&self) -> Holder {
        Holder { user: self.user.clone(), name: self.name.clone(), role: self.role.clone() }
    }

    /// The session as the store keeps it and a signed cookie carries it:
    /// `{"user":…,"name":…,"role":…,"cart":[…],"cursor":N,"expires":N}`,
    /// `expires` in milliseconds since the epoch.
    pub fn to_json(&self) -> String {
        let w = ObjectWriter::new().str("user", &self.user).str("name", &self.name).str("role", &self.role);
        w.strs("cart", &self.cart).num("cursor", self.cursor.into()).num("expires", self.expires.0).finish()
    }

    /// Reads what [`Session::to_json`] writes; the error says why the text is
    /// not JSON or which field is missing or of the wrong type.
    pub fn from_json(text: &str) -> Result<Session, String> {
        let v = Json::parse(text)?;
        let cart = match v.get("cart") {
            Some(Json::Arr(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned).ok_or("cart items are strings"))
                .collect::<Result<_, _>>()?,
            _ => return Err("missing `cart`".into()),
        };
        Ok(Session {
            user: v.str_field("user")?,
            name: v.str_field("name")?,
            role: v.str_field("role")?,
            cart,
            cursor: u32::try_from(v.u64_field("cursor")?).map_err(|_| "`cursor` is too large")?,
            expires: SimTime(v.u64_field("expires")?),
        })
    }
}

/// Who a token or key stands for: what a lookup of it returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The account's username.
    pub user: String,
    /// The account's display name.
    pub name: String,
    /// The account's role.
    pub role: String,
}

impl Holder {
    /// `{"user":…,"name":…,"role":…}`, as the store keeps it.
    pub fn to_json(&self) -> String {
        ObjectWriter::new().str("user", &self.user).str("name", &self.name).str("role", &self.role).finish()
    }

    /// `to_json().len()` without writing it: a load run measures every
    /// entry of the store every few simulated seconds.
    fn json_len(&self) -> usize {
        use crate::wire::json::str_len;
        r#"{"user":,"name":,"role":}"#.len() + str_len(&self.user) + str_len(&self.name) + str_len(&self.role)
    }
}

/// What the shared store holds under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreValue {
    /// A server session, under `session:<id>`.
    Session(Session),
    /// A revoked token's `jti` (the JWT denylist).
    Revoked,
    /// A refresh token, under `refresh:<token>`: whose it is and the family
    /// (one login's chain of rotations) it belongs to.
    Refresh {
        /// The family's id, also the access tokens' `sid` claim.
        family: String,
        /// Whose it is.
        holder: Holder,
    },
    /// A refresh family's newest token, under `family:<id>`: the only one
    /// that may be presented. Deleting it revokes the family.
    Family(String),
    /// An opaque access token, under `token:<token>`: what introspection answers.
    Access(Holder),
    /// A rate-limit counter, under `rate:<user>`: a client's requests in the window.
    Count(u32),
    /// A chat room's recent messages, under `history:<room>` (a Redis list).
    History(Vec<crate::fleet::connection::ChatLine>),
    /// A match's checkpoint, under `match:<room>`.
    Match(crate::fleet::connection::Match),
}

impl StoreValue {
    /// Bytes it takes in the store, next to its key: a session's or a
    /// holder's JSON, a family's token, a count's digits, a denylist mark's one byte.
    fn bytes(&self) -> u32 {
        match self {
            StoreValue::Session(s) => s.bytes(""),
            StoreValue::Revoked => 1,
            StoreValue::Refresh { family, holder } => (family.len() + holder.json_len()) as u32,
            StoreValue::Family(token) => token.len() as u32,
            StoreValue::Access(holder) => holder.json_len() as u32,
            StoreValue::Count(n) => n.to_string().len() as u32,
            StoreValue::History(lines) => lines.iter().map(|l| l.from.len() + l.text.len()).sum::<usize>() as u32,
            StoreValue::Match(m) => m.to_json().len() as u32,
        }
    }
}

/// A live key's value and when the store drops it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreEntry {
    /// What the key holds.
    pub value: StoreValue,
    /// When it expires (Redis `EX`), on the lane's clock.
    pub expires: SimTime,
}

/// The keys of the designs in between, one shape each: the servers write
/// them and the view reads them back.
pub mod keys {
    /// `refresh:<token>`: a refresh token, whose and of which family.
    pub fn refresh(token: &str) -> String {
        ["refresh:", token].concat()
    }
    /// `family:<id>`: a refresh family's one current token.
    pub fn family(id: &str) -> String {
        ["family:", id].concat()
    }
    /// `token:<token>`: what an opaque token stands for.
    pub fn token(token: &str) -> String {
        ["token:", token].concat()
    }
    /// `rate:<user>`: a client's requests in its window, all its API keys together.
    pub fn rate(user: &str) -> String {
        ["rate:", user].concat()
    }
}

/// What a session's key in the shared store starts with: `session:<id>`.
pub(crate) const SESSION_KEY_PREFIX: &str = "session:";

/// The shared key-value store. Every operation is a network round trip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedStore {
    /// Whether it answers. While it is down every round trip fails, so requests
    /// that need it get a 503; its data survives the outage.
    pub up: bool,
    /// One round trip, in milliseconds.
    pub latency_ms: u32,
    entries: Table<StoreEntry>,
}

impl SharedStore {
    /// An empty store, up, whose round trips take `latency_ms`.
    pub fn new(latency_ms: u32) -> SharedStore {
        SharedStore { up: true, latency_ms, entries: Table::new() }
    }

    /// The value under `key` unless it has expired by `now`: an expired key
    /// reads as absent even before [`SharedStore::expire`] drops it.
    pub fn get(&self, key: &str, now: SimTime) -> Option<&StoreValue> {
        self.entry(key, now).map(|e| &e.value)
    }

    /// The live entry under `key` (its value and expiry), if any.
    pub fn entry(&self, key: &str, now: SimTime) -> Option<&StoreEntry> {
        self.entries.get(key).filter(|e| e.expires > now)
    }

    /// Redis GETEX: the live value, its expiry moved to `expires`.
    pub fn get_ex(&mut self, key: &str, now: SimTime, expires: SimTime) -> Option<&StoreValue> {
        let entry = self.entries.get_mut(key).filter(|e| e.expires > now)?;
        entry.expires = expires;
        if let StoreValue::Session(s) = &mut entry.value {
            s.expires = expires;
        }
        Some(&entry.value)
    }

    /// Redis SET with an expiry: `value` under `key` until `expires`,
    /// replacing what was there.
    pub fn set(&mut self, key: String, value: StoreValue, expires: SimTime) {
        self.entries.insert(key, StoreEntry { value, expires });
    }

    /// Redis DEL: removes `key`; whether it was there (an expired key not yet
    /// dropped counts).
    pub fn delete(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    /// Drops the keys expired at `now`, as Redis does; returns the ids of the
    /// sessions among them (keys `session:<id>`) with their expiry times.
    pub fn expire(&mut self, now: SimTime) -> Vec<(String, SimTime)> {
        let expired: Vec<(String, SimTime)> =
            self.entries.iter().filter(|(_, e)| e.expires <= now).map(|(k, e)| (k.clone(), e.expires)).collect();
        for (key, _) in &expired {
            self.entries.remove(key);
        }
        expired.into_iter().filter_map(|(k, t)| Some((k.strip_prefix(SESSION_KEY_PREFIX)?.to_owned(), t))).collect()
    }

    /// Live keys with their entries, in key order.
    pub fn entries(&self, now: SimTime) -> impl Iterator<Item = (&str, &StoreEntry)> {
        self.entries.iter().filter(move |(_, e)| e.expires > now).map(|(k, e)| (k.as_str(), e))
    }

    /// Bytes of the live entries at `now`: each key plus its value
    /// ([`StoreValue`]'s own measure).
    pub fn bytes(&self, now: SimTime) -> u32 {
        self.entries(now).map(|(k, e)| k.len() as u32 + e.value.bytes()).sum()
    }

    /// Redis `INCR` then `EXPIRE … NX`: adds one to the count under `key`,
    /// starting a window that ends at `window_end` if there was none; returns
    /// the count and when its window ends.
    pub fn incr(&mut self, key: &str, now: SimTime, window_end: SimTime) -> (u32, SimTime) {
        match self.entries.get_mut(key).filter(|e| e.expires > now) {
            Some(StoreEntry { value: StoreValue::Count(n), expires }) => {
                *n = n.saturating_add(1);
                (*n, *expires)
            }
            _ => {
                self.set(key.to_owned(), StoreValue::Count(1), window_end);
                (1, window_end)
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub password: String,
    pub name: String,
    pub role: String,
}

/// The SKUs the shop sells; adding anything else to a cart is a 400.
pub const CATALOG: [&str; 5] = ["mug", "tee", "sticker", "hoodie", "socks"];
pub(crate) const ORDERS_PER_USER: u32 = 12;
pub(crate) const PAGE_SIZE: u32 = 5;

/// An API key's row: whose it is and the key's public id. The key itself is
/// not kept, only its SHA-256, which is the row's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRow {
    /// The account it acts for.
    pub user: String,
    /// The key's public id (`key_…`), what rate limits count by and a
    /// dashboard shows.
    pub key_id: String,
}

/// The shop's database, reached by every server: accounts, orders, the
/// carts of lanes that keep no session, and API keys by their hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    accounts: Table<Account>,
    /// Carts by username, for lanes that keep no session to hold one.
    pub carts: Table<Vec<String>>,
    /// API keys by the hex SHA-256 of the key.
    pub api_keys: Table<ApiKeyRow>,
}

impl Default for Database {
    fn default() -> Database {
        let mut accounts = Table::new();
        for (user, password, name, role) in [
            ("alice", "wonderland", "Alice", "user"),
            ("bob", "builder", "Bob", "user"),
            ("carol", "c4rol!", "Carol", "admin"),
        ] {
            accounts.insert(user.into(), Account { password: password.into(), name: name.into(), role: role.into() });
        }
        Database { accounts, carts: Table::new(), api_keys: Table::new() }
    }
}

impl Database {
    /// Adds the account of `user`, replacing any with that name (load runs
    /// create their users this way).
    pub fn add_account(&mut self, user: String, account: Account) {
        self.accounts.insert(user, account);
    }

    /// The account of `user` (password, display name, role), if there is one.
    pub fn account(&self, user: &str) -> Option<&Account> {
        self.accounts.get(user)
    }

    /// Bytes of the API-key rows: each hash and key id, and the user's name.
    pub fn api_key_bytes(&self) -> u32 {
        self.api_keys.iter().map(|(h, r)| (h.len() + r.key_id.len() + r.user.len()) as u32).sum()
    }

    /// The password stored for `user`, if the account exists: the browsers
    /// log in with it.
    pub fn password(&self, user: &str) -> Option<&str> {
        self.accounts.get(user).map(|a| a.password.as_str())
    }

    /// Page `page` (1-based) of a user's orders and the number of pages.
    pub fn orders(user: &str, page: u32) -> (Vec<String>, u32) {
        let pages = ORDERS_PER_USER.div_ceil(PAGE_SIZE);
        let first = page.saturating_sub(1).saturating_mul(PAGE_SIZE);
        let ids = (first..(first.saturating_add(PAGE_SIZE)).min(ORDERS_PER_USER))
            .map(|i| {
                // `A-1001`, built by hand: this runs for every orders page.
                let mut id = String::with_capacity(12);
                id.push(user.chars().next().unwrap_or('x').to_ascii_uppercase());
                id.push('-');
                id.push_str(&(1001 + i).to_string());
                id
            })
            .collect();
        (ids, pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counting a session's bytes gives exactly what writing its JSON does,
        /// escapes and all.
        #[test]
        fn bytes_are_the_length_of_the_json(
            user in "\\PC{0,12}", name in ".{0,12}", role in "[a-z\"\\\\\n\u{1}]{0,6}",
            cart in prop::collection::vec("[a-z\"\t\u{7f}é]{0,5}", 0..4),
            cursor in any::<u32>(), expires in any::<u64>(), id in "[0-9a-f]{0,32}",
        ) {
            let s = Session { user, name, role, cart, cursor, expires: SimTime(expires) };
            prop_assert_eq!(s.bytes(&id) as usize, id.len() + s.to_json().len());
            let h = s.holder();
            prop_assert_eq!(h.json_len(), h.to_json().len());
        }
    }
}
