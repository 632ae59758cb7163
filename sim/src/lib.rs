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

pub mod action;
pub mod auth;
pub mod b64;
pub mod balancer;
pub mod client;
pub mod config;
pub mod cookie;
pub mod exchange;
pub mod export;
pub mod haproxy;
pub mod http;
pub mod json;
pub mod jwt;
pub mod lane;
pub mod lane_id;
pub mod ledger;
pub mod link;
pub mod load;
pub mod notation;
pub mod playground;
pub mod quote;
pub mod rng;
pub mod route;
pub mod routes;
pub mod scenario;
pub mod server;
pub mod store;
pub mod table;
pub mod time;
pub mod transcript;

pub use action::{Action, ServerNo, User};
pub use config::{AuthMode, LaneConfig, Store, Strategy};
pub use exchange::{Entry, Event, Exchange, Stats};
pub use lane::Lane;
pub use lane_id::LaneId;
pub use playground::{ActionError, Playground, Recipe};
pub use scenario::Scenario;
pub use time::SimTime;
