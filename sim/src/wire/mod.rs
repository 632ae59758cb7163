//! Wire formats, exact to the byte: HTTP/1.1 messages, JSON, JWTs, cookies,
//! base64, WebSocket frames, the FTP control connection and PostgreSQL
//! protocol messages. Each knows its specification and nothing of fleets or
//! lanes.
//!
//! Each format is a small library of its own, public as a module: the view
//! decodes tokens and parses hand-typed requests with it, and the tests
//! property-test every parser through it. A new protocol's messages go
//! here, one module each.

pub mod b64;
pub mod cookie;
pub mod ftp;
pub mod http;
pub mod json;
pub mod jwt;
pub mod pg;
pub mod ws;
