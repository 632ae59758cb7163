//! What a database lane records of one step: the messages that crossed,
//! on which backend connection, from which app server, and why.

use crate::base::ids::ServerNo;
use crate::base::time::SimTime;
use crate::wire::pg::{Backend, Frontend, TxStatus};

/// One message on a backend connection (`pg#id`), either way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PgMsg {
    /// Sent to PostgreSQL on `pg#id` (by an app server's pool, or by PgBouncer).
    Front(u32, Frontend),
    /// Sent by PostgreSQL on `pg#id`.
    Back(u32, Backend),
}

impl PgMsg {
    /// The connection it crossed.
    pub fn conn(&self) -> u32 {
        match self {
            PgMsg::Front(id, _) | PgMsg::Back(id, _) => *id,
        }
    }

    /// Its exact bytes.
    pub fn to_wire(&self) -> Vec<u8> {
        match self {
            PgMsg::Front(_, m) => m.to_wire(),
            PgMsg::Back(_, m) => m.to_wire(),
        }
    }

    /// One line: the message's name and what matters in it
    /// (`Query "BEGIN"`, `ReadyForQuery T`, `ErrorResponse 26000 …`).
    pub fn summary(&self) -> String {
        match self {
            PgMsg::Front(_, m) => match m {
                Frontend::Startup { user, database, .. } => format!("StartupMessage user={user} database={database}"),
                Frontend::Query(sql) => format!("Query \"{sql}\""),
                Frontend::Parse { name, sql } => format!("Parse \"{name}\" \"{sql}\""),
                Frontend::Bind { statement, params, .. } => {
                    let params: Vec<&str> = params.iter().map(|p| p.as_deref().unwrap_or("NULL")).collect();
                    format!("Bind \"{statement}\" ({})", params.join(", "))
                }
                Frontend::Describe { portal, name } => {
                    format!("Describe {} \"{name}\"", if *portal { "portal" } else { "statement" })
                }
                Frontend::Execute { .. } => "Execute".into(),
                Frontend::Sync => "Sync".into(),
                Frontend::Terminate => "Terminate".into(),
            },
            PgMsg::Back(_, m) => match m {
                Backend::ReadyForQuery(s) => format!("ReadyForQuery {}", char::from(s.byte())),
                Backend::ParameterStatus { name, value } => format!("ParameterStatus {name}={value}"),
                Backend::BackendKeyData { pid, .. } => format!("BackendKeyData pid {pid}"),
                Backend::CommandComplete(tag) => format!("CommandComplete \"{tag}\""),
                Backend::RowDescription(cols) => {
                    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
                    format!("RowDescription ({})", names.join(", "))
                }
                Backend::DataRow(values) => {
                    let values: Vec<&str> = values.iter().map(|v| v.as_deref().unwrap_or("NULL")).collect();
                    format!("DataRow ({})", values.join(", "))
                }
                Backend::ErrorResponse(f) | Backend::NoticeResponse(f) => {
                    let get = |c: u8| f.iter().find(|(k, _)| *k == c).map_or("", |(_, v)| v.as_str());
                    format!("{} {} {}: {}", m.name(), get(b'S'), get(b'C'), get(b'M'))
                }
                other => other.name().to_owned(),
            },
        }
    }
}

/// One user step on a database lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbRecord {
    /// Index of the action in the log that caused it.
    pub action: u32,
    /// When, on the lane's true clock.
    pub at: SimTime,
    /// Whose app asked.
    pub client: String,
    /// What the app asked, in the notation's words (`begin`, `tz Asia/Tokyo`).
    pub op: String,
    /// The app server the balancer sent the request to, if one answered.
    pub server: Option<ServerNo>,
    /// Every message that crossed a backend connection, in wire order.
    pub messages: Vec<PgMsg>,
    /// What happened, in order, as the pool and the database did it.
    pub trace: Vec<String>,
    /// Whether PgBouncer kept the client queued, every server connection
    /// lent to an open transaction, until `query_wait_timeout`
    /// ([`QUERY_WAIT_TIMEOUT_S`](crate::fleet::db::QUERY_WAIT_TIMEOUT_S)):
    /// it then answers ERROR 08P01 and closes the client connection, and
    /// nothing reached the database.
    pub queue_timeout: bool,
}

impl DbRecord {
    /// The transaction status of the last ReadyForQuery, if any message was sent.
    pub fn status(&self) -> Option<TxStatus> {
        self.messages.iter().rev().find_map(|m| match m {
            PgMsg::Back(_, Backend::ReadyForQuery(s)) => Some(*s),
            _ => None,
        })
    }

    /// The SQLSTATE of the first error, if one came back.
    pub fn error(&self) -> Option<&str> {
        self.messages.iter().find_map(|m| match m {
            PgMsg::Back(_, Backend::ErrorResponse(f)) => f.iter().find(|(k, _)| *k == b'C').map(|(_, v)| v.as_str()),
            _ => None,
        })
    }

    /// The backend connections it used, in order of first use.
    pub fn conns(&self) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for m in &self.messages {
            if !out.contains(&m.conn()) {
                out.push(m.conn());
            }
        }
        out
    }
}
