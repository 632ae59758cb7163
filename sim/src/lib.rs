//! # statelab-sim
//!
//! A deterministic, sans-IO simulation of a web fleet — browsers, a load
//! balancer, servers, a shared session store and a database — for showing
//! how stateless (JWT) and stateful (session) authentication behave.
//!
//! The shape: a [`Playground`] holds two [`Lane`]s fed the same
//! [`Action`]s. Each lane turns actions into [`Exchange`]s: real HTTP/1.1
//! messages (`to_wire()` is what is shown and counted), the balancer's
//! decision, and a trace of what happened inside. Time is simulated
//! ([`SimTime`]), randomness is one seeded ChaCha8 stream per lane, and maps
//! are ordered, so seed + configs + action log reproduce every byte on any
//! platform. Nothing here touches a browser or the OS.
//!
//! ## Layers
//!
//! Each folder is a layer, and a module imports only from its own layer or
//! the ones above it in this list (`tests/architecture.rs` checks it):
//!
//! | layer | what it holds |
//! |---|---|
//! | `base/` | simulated time, the seeded random stream, ordered tables, ids, quoting |
//! | `wire/` | wire formats, exact to the byte: HTTP/1.1, JSON, JWT, cookies, WebSocket frames, FTP, base64 |
//! | `fleet/` | a lane's parts: balancer, servers, browsers, store, ledger, exchanges, WebSocket connections; the shop's routes (`shop/`), authentication, one file per mode (`auth/`), and the connection apps (`socket/`); the [`Lane`] that joins them |
//! | `playground/` | [`Action`]s, the log, checkpoints: two lanes fed the same actions |
//! | `text/` | text forms: the action notation, lane-config codes, transcripts, HAR/curl, the HAProxy config |
//! | `tours/` | the guided tours and their transcripts |
//! | `load/` | load runs and live traffic, counted per simulated second |
//! | `link/` | the whole state as a URL query |
//!
//! A new wire format (an FTP reply, a PostgreSQL message) goes in `wire/`; a
//! new kind of lane's behaviour in `fleet/`, as the WebSocket apps did.

#![warn(unreachable_pub, missing_docs)]

pub mod base;
pub mod fleet;
pub mod link;
pub mod load;
pub mod playground;
pub mod text;
pub mod tours;
pub mod wire;

pub use base::ids::{LaneId, ServerNo, User};
pub use base::time::SimTime;
pub use fleet::config::{App, AuthMode, LaneConfig, Store, Strategy, TokenIn};
pub use fleet::exchange::{Entry, Event, Exchange, Stats};
pub use fleet::lane::Lane;
pub use playground::Action;
pub use playground::{ActionError, Playground, Recipe};
pub use tours::{Scenario, TourPos};
