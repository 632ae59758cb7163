//! Statelab's view: a thin Yew layer over `statelab-sim`. Components render
//! the engine's data and turn clicks into engine `Action`s; no simulation
//! logic lives here.

pub mod address;
pub mod browser;
pub mod bundle;
pub mod components;
pub mod hooks;
pub mod host;
pub mod meta;
pub mod page;
pub mod panic_box;
pub mod playground;
pub mod state;
pub mod takeover;
