//! Base types every layer uses: simulated time, the seeded random stream,
//! ordered tables, ids, and quoting of untrusted text.

pub(crate) mod ids;
pub(crate) mod on_write;
pub(crate) mod quote;
pub(crate) mod rng;
pub(crate) mod table;
pub(crate) mod tally;
pub(crate) mod time;
pub mod words;

pub use ids::{LaneId, ServerNo, User};
pub use quote::{markup, quoted, QUOTED_CHARS};
pub use time::{human_duration, SimTime, MAX_SECS, START};
