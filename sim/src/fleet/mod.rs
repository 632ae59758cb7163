//! A lane's parts: the browsers, the balancer, the servers with the shop's
//! routes (`shop/`) and its authentication, one file per mode (`auth/`), the
//! shared store and database, the ledger of issued sessions, and the records
//! of what happened. [`Lane`] puts them together into one whole system.

mod auth;
mod balancer;
mod client;
pub(crate) mod config;
pub(crate) mod connection;
pub(crate) mod db;
pub(crate) mod exchange;
mod files;
pub(crate) mod ftp;
mod handling;
pub(crate) mod kind;
pub(crate) mod lane;
pub(crate) mod ledger;
mod server;
mod shop;
pub(crate) mod socket;
pub(crate) mod store;

pub use auth::api_key_hash;
pub use client::{app_request, Client, Socket};
pub use config::kinds_of;
pub use config::{App, AuthMode, Credential, LaneConfig, Pooling, Store, Strategy, TokenIn, HOST, MAX_SERVERS};
pub use config::{API_KEY_HEADER, RATE_LIMIT, RATE_WINDOW_S, REFRESH_ACCESS_TTL_S, REFRESH_COOKIE, REFRESH_PATH};
pub use config::{CHAT_PATH, CHAT_ROOM, GAME_PATH, GAME_ROOM, ORIGIN, SESSION_COOKIE, SIGNED_COOKIE};
pub use connection::{
    backoff_ms, check_chat_text, ChatLine, Chunk, Closed, Connection, FrameRecord, Match, Miss, Rooms, SocketRecord,
};
pub use connection::{BACKOFF_BASE_MS, BACKOFF_CAP_MS, BOARD_MAX, HISTORY, MAX_TEXT, TUNNEL_TIMEOUT_MS};
pub use db::{
    zone_offset, DbRecord, Pg, PgConn, PgMsg, Side, SqlOp, Tx, CATALOG_SKUS, POOL_SIZE, POOL_WAIT_MS,
    QUERY_WAIT_TIMEOUT_S, SERVER_VERSION, STATEMENT, TEMP_TABLE, ZONES,
};
pub use exchange::{BodyCut, Entry, Event, Exchange, Outcome, Stats};
pub use files::{basic, FILES_PREFIX};
pub use ftp::tree::{check_path, content as file_content, Node as FileNode, TREE as FILE_TREE};
pub use ftp::{FtpConn, FtpLine, FtpRecord, FtpSession, Role as FtpRole, FILES_HOST, RATE_BPS};
pub use ftp::{FTP_ADDR, IDLE_TIMEOUT_MS, PASV_PORTS, PASV_PORT_BASE};
pub use kind::{Bundle, Kind, AUTHORING, BUNDLES, KINDS};
pub use lane::{driver_messages, FileOp, Partial};
pub use lane::{Lane, ROOM_USERS, STEP_MS};
pub use server::{Server, HEALTH_INTERVAL_MS, UNHEALTHY_AFTER};
pub use shop::path::{Route, UserRoute};
pub use socket::handshake::TOKEN_PARAM;
pub use store::{
    keys as store_keys, ApiKeyRow, Database, Holder, Session, SharedStore, StoreEntry, StoreValue, CATALOG,
};
