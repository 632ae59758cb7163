//! The wire and text formats: parser properties over the shared generators,
//! the fuzz run behind `cargo xtask fuzz`, our WebSocket frames read by an
//! independent implementation (tungstenite), our FTP commands and replies
//! by another (Python's ftplib), our PostgreSQL messages read and written by
//! another (postgres-protocol), and the exports (text and JSON transcripts,
//! HAR, curl).
//!
//! proptest keeps the failing seeds of `parsers.rs` in
//! `tests/proptest-regressions/parsers.txt`: its default place once a test's
//! directory has a `main.rs` (beside the source file otherwise).

#[path = "../gen/mod.rs"]
mod gen;

mod export;
mod ftp_fleet;
mod ftp_reader;
mod ftp_server;
mod fuzz;
mod harness;
mod parsers;
mod pg_reader;
mod postgres;
mod websocket;
mod ws_reader;
