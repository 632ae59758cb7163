//! The PostgreSQL frontend/backend protocol 3.0, exact to the byte: the
//! messages a client sends for the simple and extended query flows and the
//! ones a server answers with ("Message Formats" in the PostgreSQL manual,
//! chapter "Frontend/Backend Protocol").
//!
//! Every message but the first a client sends is a type byte, then an Int32
//! length that counts itself but not the type byte, then the body; the
//! startup message has no type byte. Integers are big-endian, strings are
//! NUL-terminated.
//!
//! Messages come from users (pasted hex, edited transcripts), so the parser
//! is strict and bounded: a length is checked against [`MAX_MESSAGE`] before
//! anything is read, every count must account for the body exactly, strings
//! must be UTF-8, and every position is computed with checked or saturating
//! arithmetic (`usize` is 32 bits on wasm32). A field the types here do not
//! keep (a table OID, a binary format, parameter types) is refused rather
//! than dropped, so what parses encodes back to the same meaning; the few
//! spellings of one meaning a real client uses (libpq's explicit text format
//! codes, `user` after other parameters) are all read.
//!
//! Strings travel NUL-terminated, so a string holding a NUL cannot be sent
//! whole: the encoders write each such string up to its first NUL, as a C
//! client (libpq) would, and a parse gives back the cut string. Values with
//! a length before them (a Bind parameter, a DataRow value) are written
//! whole, NULs and all.
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use std::fmt;

/// Bytes as the page shows them, 16 a line, and hex typed by hand read back:
/// the same as for WebSocket frames.
pub use crate::wire::ws::{hex, parse_hex};

/// The largest message length this reader takes: 1 MiB. A longer length is
/// refused from the five header bytes alone, before the body is read or
/// room is reserved for it, so a hostile length costs nothing.
pub const MAX_MESSAGE: usize = 1 << 20;

/// The largest startup message a server takes (`MAX_STARTUP_PACKET_LENGTH`
/// in PostgreSQL's source): it refuses longer ones before authentication.
pub const MAX_STARTUP: usize = 10_000;

/// The protocol version a startup message names for 3.0: 3 in the high 16
/// bits, 0 in the low.
pub const PROTOCOL_3_0: u32 = 3 << 16;

/// Counts on the wire are 16 bits. PostgreSQL documents them as Int16 but
/// reads them unsigned (`pq_getmsgint(msg, 2)`: a Bind may carry 65,535
/// parameters), and so does this reader; the encoders write at most this
/// many items of a list and drop the rest.
pub const MAX_COUNT: usize = u16::MAX as usize;

/// Messages the client (frontend) sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frontend {
    /// The first message of a connection (no type byte): protocol 3.0
    /// (196608) and the run-time parameters, `user` first.
    Startup {
        /// The role to log in as; a server refuses a startup without one.
        user: String,
        /// The database; empty means none is sent and the server uses the
        /// user's name, as it does for an empty one.
        database: String,
        /// The other parameters in order (`application_name`,
        /// `client_encoding`, …). A `user` or `database` among them makes a
        /// message this reader refuses.
        params: Vec<(String, String)>,
    },
    /// `Q`: a simple query, one or more SQL statements run at once.
    Query(String),
    /// `P`: prepare a statement under a name (empty for the unnamed one),
    /// with no parameter types: the server infers them.
    Parse {
        /// The prepared statement's name; empty for the unnamed statement.
        name: String,
        /// The SQL, with `$1`, `$2`… for parameters.
        sql: String,
    },
    /// `B`: bind parameter values, all in text format, to a prepared
    /// statement, making a portal; results come back in text too.
    Bind {
        /// The portal's name; empty for the unnamed portal.
        portal: String,
        /// The prepared statement's name; empty for the unnamed statement.
        statement: String,
        /// The values of `$1`, `$2`…; `None` is NULL.
        params: Vec<Option<String>>,
    },
    /// `D`: ask for a portal's or a prepared statement's description.
    Describe {
        /// A portal (`P`) rather than a prepared statement (`S`).
        portal: bool,
        /// Its name; empty for the unnamed one.
        name: String,
    },
    /// `E`: run a portal.
    Execute {
        /// The portal's name; empty for the unnamed portal.
        portal: String,
        /// The most rows to return; 0 for no limit.
        max_rows: u32,
    },
    /// `S`: the end of an extended-query batch; the server answers
    /// ReadyForQuery, and after an error skips to here.
    Sync,
    /// `X`: the client is closing the connection.
    Terminate,
}

/// The transaction status a ReadyForQuery carries: the connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// `I`: not in a transaction block.
    Idle,
    /// `T`: in a transaction block.
    InTransaction,
    /// `E`: in a failed transaction block; statements are refused until it
    /// is rolled back.
    Failed,
}

impl TxStatus {
    /// The status byte on the wire: `I`, `T` or `E`.
    pub fn byte(self) -> u8 {
        match self {
            TxStatus::Idle => b'I',
            TxStatus::InTransaction => b'T',
            TxStatus::Failed => b'E',
        }
    }

    /// The status a byte names; `None` for any other byte.
    pub fn from_byte(byte: u8) -> Option<TxStatus> {
        match byte {
            b'I' => Some(TxStatus::Idle),
            b'T' => Some(TxStatus::InTransaction),
            b'E' => Some(TxStatus::Failed),
            _ => None,
        }
    }

    /// What the status tells the client, as the decoded view writes it.
    pub fn meaning(self) -> &'static str {
        match self {
            TxStatus::Idle => "idle: not in a transaction block",
            TxStatus::InTransaction => "in a transaction block",
            TxStatus::Failed => "in a failed transaction block: statements are refused until ROLLBACK",
        }
    }
}

/// One column of a RowDescription. On the wire it also carries a table OID
/// and attribute number (0: not a table's column), a type modifier (-1: none)
/// and a format code (0: text), always those values here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name (`?column?` for an unnamed expression).
    pub name: String,
    /// The data type's OID: 23 for int4, 25 for text….
    pub type_oid: u32,
    /// The data type's size in bytes (`pg_type.typlen`); -1 for a
    /// variable-length type, -2 for a NUL-terminated one.
    pub type_len: i16,
}

/// Messages the server (backend) sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// `R` with 0: authentication succeeded (or was not asked for).
    AuthenticationOk,
    /// `S`: a run-time parameter the client should know (`server_version`,
    /// `client_encoding`, …), at startup and whenever it changes.
    ParameterStatus {
        /// The parameter's name.
        name: String,
        /// Its current value.
        value: String,
    },
    /// `K`: what a CancelRequest for this connection must quote.
    BackendKeyData {
        /// The backend's process id.
        pid: u32,
        /// The secret key.
        secret: u32,
    },
    /// `Z`: the server is ready for a new query, and the transaction status.
    ReadyForQuery(TxStatus),
    /// `T`: the columns of the rows that follow.
    RowDescription(Vec<Column>),
    /// `D`: one row, every value in text format; `None` is NULL (length -1).
    DataRow(Vec<Option<String>>),
    /// `C`: a statement finished; its command tag (`SELECT 1`, `BEGIN`,
    /// `SET`, `INSERT 0 1`).
    CommandComplete(String),
    /// `I`: the answer to an empty query string.
    EmptyQueryResponse,
    /// `E`: an error; fields by code byte (`S` severity, `V` severity not
    /// localized, `C` SQLSTATE, `M` message, `D` detail, `H` hint, …).
    ErrorResponse(Vec<(u8, String)>),
    /// `N`: a notice (a warning, say), with fields as an error's.
    NoticeResponse(Vec<(u8, String)>),
    /// `1`: a Parse succeeded.
    ParseComplete,
    /// `2`: a Bind succeeded.
    BindComplete,
    /// `n`: a Describe's statement or portal returns no rows.
    NoData,
}

// ---------------------------------------------------------------- encoding

/// `s` up to its first NUL: what a NUL-terminated string can carry of it.
fn c_str(s: &str) -> &str {
    s.find('\0').map_or(s, |nul| &s[..nul])
}

/// At most [`MAX_COUNT`] items: what a 16-bit count can announce.
fn counted<T>(items: &[T]) -> &[T] {
    items.get(..MAX_COUNT).unwrap_or(items)
}

/// Starts a message: its type byte (none for the startup message) and room
/// for the length that [`end`] fills in. Returns where the length goes.
fn begin(out: &mut Vec<u8>, type_byte: Option<u8>) -> usize {
    out.extend(type_byte);
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    at
}

/// Writes the length of the message begun at `at`, which counts itself. A
/// message past 2 GiB cannot be written (and is far past [`MAX_MESSAGE`]),
/// so the length saturates rather than wraps.
fn end(out: &mut [u8], at: usize) {
    let len = i32::try_from(out.len().saturating_sub(at)).unwrap_or(i32::MAX);
    if let Some(slot) = out.get_mut(at..at.saturating_add(4)) {
        slot.copy_from_slice(&len.to_be_bytes());
    }
}

fn put_cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(c_str(s).as_bytes());
    out.push(0);
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

/// A value with its Int32 length before it, or -1 for NULL.
fn put_value(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => {
            out.extend_from_slice(&i32::try_from(v.len()).unwrap_or(i32::MAX).to_be_bytes());
            out.extend_from_slice(v.as_bytes());
        }
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
    }
}

/// Error and notice fields, then the zero byte that ends them. A field coded
/// 0 would end the list early, so it is not written.
fn put_fields(out: &mut Vec<u8>, fields: &[(u8, String)]) {
    for (code, value) in fields.iter().filter(|(code, _)| *code != 0) {
        out.push(*code);
        put_cstr(out, value);
    }
    out.push(0);
}

impl Frontend {
    /// The type byte; `None` for the startup message, which has none.
    pub fn type_byte(&self) -> Option<u8> {
        Some(match self {
            Frontend::Startup { .. } => return None,
            Frontend::Query(_) => b'Q',
            Frontend::Parse { .. } => b'P',
            Frontend::Bind { .. } => b'B',
            Frontend::Describe { .. } => b'D',
            Frontend::Execute { .. } => b'E',
            Frontend::Sync => b'S',
            Frontend::Terminate => b'X',
        })
    }

    /// The message's name in the PostgreSQL manual: `StartupMessage`,
    /// `Query`, `Parse`….
    pub fn name(&self) -> &'static str {
        match self {
            Frontend::Startup { .. } => "StartupMessage",
            Frontend::Query(_) => "Query",
            Frontend::Parse { .. } => "Parse",
            Frontend::Bind { .. } => "Bind",
            Frontend::Describe { .. } => "Describe",
            Frontend::Execute { .. } => "Execute",
            Frontend::Sync => "Sync",
            Frontend::Terminate => "Terminate",
        }
    }

    /// The exact bytes on the wire. Strings are cut at their first NUL (see
    /// the module's notes); lists past [`MAX_COUNT`] items are cut there.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the exact bytes on the wire to `out`, for callers that reuse
    /// one buffer for a whole connection.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let at = begin(out, self.type_byte());
        match self {
            Frontend::Startup { user, database, params } => {
                out.extend_from_slice(&PROTOCOL_3_0.to_be_bytes());
                put_cstr(out, "user");
                put_cstr(out, user);
                if !c_str(database).is_empty() {
                    put_cstr(out, "database");
                    put_cstr(out, database);
                }
                // An empty name is the end of the list: such a pair cannot be sent.
                for (name, value) in params.iter().filter(|(name, _)| !c_str(name).is_empty()) {
                    put_cstr(out, name);
                    put_cstr(out, value);
                }
                out.push(0);
            }
            Frontend::Query(sql) => put_cstr(out, sql),
            Frontend::Parse { name, sql } => {
                put_cstr(out, name);
                put_cstr(out, sql);
                put_count(out, 0);
            }
            Frontend::Bind { portal, statement, params } => {
                put_cstr(out, portal);
                put_cstr(out, statement);
                // No format codes: every parameter, and every result column, in text.
                put_count(out, 0);
                let params = counted(params);
                put_count(out, params.len());
                for value in params {
                    put_value(out, value.as_deref());
                }
                put_count(out, 0);
            }
            Frontend::Describe { portal, name } => {
                out.push(if *portal { b'P' } else { b'S' });
                put_cstr(out, name);
            }
            Frontend::Execute { portal, max_rows } => {
                put_cstr(out, portal);
                out.extend_from_slice(&max_rows.to_be_bytes());
            }
            Frontend::Sync | Frontend::Terminate => {}
        }
        end(out, at);
    }

    /// The decoded view, one `(field, value)` per line in wire order: the
    /// type byte, the length, then each field of the body.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let wire = self.to_wire();
        let mut lines = Vec::with_capacity(6);
        match self.type_byte() {
            Some(b) => lines.push(("type", type_line(b, self.name()))),
            None => lines.push(("type", "none: the startup message has no type byte".to_owned())),
        }
        let header = if self.type_byte().is_some() { 1 } else { 0 };
        lines.push(("length", length_line(wire.len().saturating_sub(header))));
        match self {
            Frontend::Startup { user, database, params } => {
                lines.push(("protocol", format!("{PROTOCOL_3_0} (3.0)")));
                lines.push(("user", c_str(user).to_owned()));
                let database = match c_str(database) {
                    "" => "none sent: the server uses the user's name".to_owned(),
                    db => db.to_owned(),
                };
                lines.push(("database", database));
                for (name, value) in params.iter().filter(|(name, _)| !c_str(name).is_empty()) {
                    lines.push(("parameter", format!("{} = {}", c_str(name), c_str(value))));
                }
            }
            Frontend::Query(sql) => lines.push(("query", c_str(sql).to_owned())),
            Frontend::Parse { name, sql } => {
                lines.push(("statement", named(name, "the unnamed statement")));
                lines.push(("query", c_str(sql).to_owned()));
                lines.push(("parameter types", "0 (the server infers them)".to_owned()));
            }
            Frontend::Bind { portal, statement, params } => {
                lines.push(("portal", named(portal, "the unnamed portal")));
                lines.push(("statement", named(statement, "the unnamed statement")));
                lines.push(("parameter formats", "0 (all text)".to_owned()));
                let params = counted(params);
                lines.push(("parameters", params.len().to_string()));
                for (i, value) in params.iter().enumerate() {
                    lines.push(("parameter", format!("${} = {}", i.saturating_add(1), value_line(value.as_deref()))));
                }
                lines.push(("result formats", "0 (all text)".to_owned()));
            }
            Frontend::Describe { portal, name } => {
                let (kind, unnamed) = if *portal {
                    ("P (a portal)", "the unnamed portal")
                } else {
                    ("S (a prepared statement)", "the unnamed statement")
                };
                lines.push(("kind", kind.to_owned()));
                lines.push(("name", named(name, unnamed)));
            }
            Frontend::Execute { portal, max_rows } => {
                lines.push(("portal", named(portal, "the unnamed portal")));
                // The server reads the count as signed and takes 0 or less as no limit.
                let rows = match i32::try_from(*max_rows) {
                    Ok(0) => "0 (no limit)".to_owned(),
                    Ok(n) => n.to_string(),
                    Err(_) => format!("{max_rows} (negative as the server reads it: no limit)"),
                };
                lines.push(("max rows", rows));
            }
            Frontend::Sync | Frontend::Terminate => {}
        }
        lines
    }
}

impl Backend {
    /// An ErrorResponse with what every error carries: severity `ERROR`
    /// (localized and not), the SQLSTATE code and the message.
    pub fn error(sqlstate: &str, message: &str) -> Backend {
        Backend::ErrorResponse(vec![
            (b'S', "ERROR".to_owned()),
            (b'V', "ERROR".to_owned()),
            (b'C', sqlstate.to_owned()),
            (b'M', message.to_owned()),
        ])
    }

    /// The type byte.
    pub fn type_byte(&self) -> u8 {
        match self {
            Backend::AuthenticationOk => b'R',
            Backend::ParameterStatus { .. } => b'S',
            Backend::BackendKeyData { .. } => b'K',
            Backend::ReadyForQuery(_) => b'Z',
            Backend::RowDescription(_) => b'T',
            Backend::DataRow(_) => b'D',
            Backend::CommandComplete(_) => b'C',
            Backend::EmptyQueryResponse => b'I',
            Backend::ErrorResponse(_) => b'E',
            Backend::NoticeResponse(_) => b'N',
            Backend::ParseComplete => b'1',
            Backend::BindComplete => b'2',
            Backend::NoData => b'n',
        }
    }

    /// The message's name in the PostgreSQL manual.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::AuthenticationOk => "AuthenticationOk",
            Backend::ParameterStatus { .. } => "ParameterStatus",
            Backend::BackendKeyData { .. } => "BackendKeyData",
            Backend::ReadyForQuery(_) => "ReadyForQuery",
            Backend::RowDescription(_) => "RowDescription",
            Backend::DataRow(_) => "DataRow",
            Backend::CommandComplete(_) => "CommandComplete",
            Backend::EmptyQueryResponse => "EmptyQueryResponse",
            Backend::ErrorResponse(_) => "ErrorResponse",
            Backend::NoticeResponse(_) => "NoticeResponse",
            Backend::ParseComplete => "ParseComplete",
            Backend::BindComplete => "BindComplete",
            Backend::NoData => "NoData",
        }
    }

    /// The exact bytes on the wire. Strings are cut at their first NUL (see
    /// the module's notes), error fields coded 0 are left out, and lists
    /// past [`MAX_COUNT`] items are cut there.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the exact bytes on the wire to `out`, for callers that reuse
    /// one buffer for a whole connection.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let at = begin(out, Some(self.type_byte()));
        match self {
            Backend::AuthenticationOk => out.extend_from_slice(&0i32.to_be_bytes()),
            Backend::ParameterStatus { name, value } => {
                put_cstr(out, name);
                put_cstr(out, value);
            }
            Backend::BackendKeyData { pid, secret } => {
                out.extend_from_slice(&pid.to_be_bytes());
                out.extend_from_slice(&secret.to_be_bytes());
            }
            Backend::ReadyForQuery(status) => out.push(status.byte()),
            Backend::RowDescription(columns) => {
                let columns = counted(columns);
                put_count(out, columns.len());
                for c in columns {
                    put_cstr(out, &c.name);
                    out.extend_from_slice(&0u32.to_be_bytes()); // table OID: not a table's column
                    out.extend_from_slice(&0i16.to_be_bytes()); // attribute number: likewise
                    out.extend_from_slice(&c.type_oid.to_be_bytes());
                    out.extend_from_slice(&c.type_len.to_be_bytes());
                    out.extend_from_slice(&(-1i32).to_be_bytes()); // type modifier: none
                    out.extend_from_slice(&0i16.to_be_bytes()); // format: text
                }
            }
            Backend::DataRow(values) => {
                let values = counted(values);
                put_count(out, values.len());
                for value in values {
                    put_value(out, value.as_deref());
                }
            }
            Backend::CommandComplete(tag) => put_cstr(out, tag),
            Backend::ErrorResponse(fields) | Backend::NoticeResponse(fields) => put_fields(out, fields),
            Backend::EmptyQueryResponse | Backend::ParseComplete | Backend::BindComplete | Backend::NoData => {}
        }
        end(out, at);
    }

    /// The decoded view, one `(field, value)` per line in wire order: the
    /// type byte, the length, then each field of the body.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let wire = self.to_wire();
        let mut lines = Vec::with_capacity(6);
        lines.push(("type", type_line(self.type_byte(), self.name())));
        lines.push(("length", length_line(wire.len().saturating_sub(1))));
        match self {
            Backend::AuthenticationOk => lines.push(("authentication", "0 (ok: no password asked)".to_owned())),
            Backend::ParameterStatus { name, value } => {
                lines.push(("name", c_str(name).to_owned()));
                lines.push(("value", c_str(value).to_owned()));
            }
            Backend::BackendKeyData { pid, secret } => {
                lines.push(("process id", pid.to_string()));
                lines.push(("secret key", format!("{secret} (a CancelRequest must quote it)")));
            }
            Backend::ReadyForQuery(status) => {
                lines.push(("status", format!("{} ({})", char::from(status.byte()), status.meaning())));
            }
            Backend::RowDescription(columns) => {
                let columns = counted(columns);
                lines.push(("columns", columns.len().to_string()));
                for c in columns {
                    let size = match c.type_len {
                        -1 => "variable length".to_owned(),
                        -2 => "NUL-terminated".to_owned(),
                        n => format!("{n} bytes"),
                    };
                    let ty = match type_name(c.type_oid) {
                        Some(name) => format!("{} ({name})", c.type_oid),
                        None => c.type_oid.to_string(),
                    };
                    lines.push(("column", format!("{}: type {ty}, {size}, text", c_str(&c.name))));
                }
            }
            Backend::DataRow(values) => {
                let values = counted(values);
                lines.push(("values", values.len().to_string()));
                for value in values {
                    lines.push(("value", value_line(value.as_deref())));
                }
            }
            Backend::CommandComplete(tag) => lines.push(("tag", c_str(tag).to_owned())),
            Backend::ErrorResponse(fields) | Backend::NoticeResponse(fields) => {
                for (code, value) in fields.iter().filter(|(code, _)| *code != 0) {
                    let value = c_str(value);
                    let shown = match (*code, sqlstate_name(value)) {
                        (b'C', Some(name)) => format!("{value} ({name})"),
                        _ => value.to_owned(),
                    };
                    match field_name(*code) {
                        Some(name) => lines.push((name, shown)),
                        None => lines.push(("field", format!("{} {shown}", byte_name(*code)))),
                    }
                }
            }
            Backend::EmptyQueryResponse | Backend::ParseComplete | Backend::BindComplete | Backend::NoData => {}
        }
        lines
    }
}

fn type_line(byte: u8, name: &str) -> String {
    format!("{} ({byte:#04x}) {name}", char::from(byte))
}

fn length_line(len: usize) -> String {
    format!("{len} (itself and {} after it)", plural(len.saturating_sub(4), "byte"))
}

/// `n` and a noun, plural when `n` is not 1.
fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

fn named(name: &str, unnamed: &str) -> String {
    match c_str(name) {
        "" => format!("empty: {unnamed}"),
        name => name.to_owned(),
    }
}

/// A length-prefixed value as the decoded view shows it, its length first
/// so that the text `NULL` and a NULL cannot be confused.
fn value_line(value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{} bytes: {v}", v.len()),
        None => "NULL (length -1)".to_owned(),
    }
}

/// A byte as messages name it: hex, and the character when it is printable.
fn byte_name(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("{b:#04x} '{}'", char::from(b))
    } else {
        format!("{b:#04x}")
    }
}

/// The names of the error and notice fields the manual defines.
fn field_name(code: u8) -> Option<&'static str> {
    Some(match code {
        b'S' => "severity",
        b'V' => "severity (not localized)",
        b'C' => "SQLSTATE",
        b'M' => "message",
        b'D' => "detail",
        b'H' => "hint",
        b'P' => "position",
        b'p' => "internal position",
        b'q' => "internal query",
        b'W' => "where",
        b's' => "schema",
        b't' => "table",
        b'c' => "column",
        b'd' => "data type",
        b'n' => "constraint",
        b'F' => "file",
        b'L' => "line",
        b'R' => "routine",
        _ => return None,
    })
}

/// The condition names of the SQLSTATEs a simulated database meets most
/// (Appendix A of the manual); `None` for the rest.
fn sqlstate_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "00000" => "successful_completion",
        "08006" => "connection_failure",
        "23505" => "unique_violation",
        "25001" => "active_sql_transaction",
        "25P01" => "no_active_sql_transaction",
        "25P02" => "in_failed_sql_transaction",
        "28P01" => "invalid_password",
        "3D000" => "invalid_catalog_name",
        "40001" => "serialization_failure",
        "40P01" => "deadlock_detected",
        "42601" => "syntax_error",
        "42P01" => "undefined_table",
        "53300" => "too_many_connections",
        "57P01" => "admin_shutdown",
        _ => return None,
    })
}

/// The names of the built-in types a simulated table holds (`pg_type`).
fn type_name(oid: u32) -> Option<&'static str> {
    Some(match oid {
        16 => "bool",
        17 => "bytea",
        19 => "name",
        20 => "int8",
        21 => "int2",
        23 => "int4",
        25 => "text",
        26 => "oid",
        114 => "json",
        700 => "float4",
        701 => "float8",
        1043 => "varchar",
        1082 => "date",
        1114 => "timestamp",
        1184 => "timestamptz",
        1700 => "numeric",
        2950 => "uuid",
        3802 => "jsonb",
        _ => return None,
    })
}

// ---------------------------------------------------------------- errors

/// Why bytes are not a valid message (or stream of messages), and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgError {
    /// The 0-based byte offset in the input where the problem is seen: the
    /// type byte, the first byte of the length or of the field at fault; for
    /// [`PgErrorKind::Incomplete`] the message's first byte.
    pub offset: usize,
    /// What is wrong, in words: the message and field, and the rule.
    pub message: String,
    /// Whether more bytes could make it a message.
    pub kind: PgErrorKind,
}

/// The two kinds of [`PgError`]: bytes that are wrong, and bytes that are
/// not all there yet (a reader waits for more rather than closing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgErrorKind {
    /// The input ends before the message does.
    Incomplete {
        /// Bytes the message takes from its first byte (or at least takes,
        /// while its length is unread).
        needed: usize,
        /// Bytes there are from its first byte.
        given: usize,
        /// Whether `needed` is the message's whole size (its length was read)
        /// or only what its header needs.
        exact: bool,
    },
    /// The bytes break a rule of the protocol; more would not help.
    Invalid,
}

impl PgError {
    fn invalid(offset: usize, message: String) -> PgError {
        PgError { offset, message, kind: PgErrorKind::Invalid }
    }

    fn incomplete(offset: usize, needed: usize, given: usize, exact: bool) -> PgError {
        let at_least = if exact { "" } else { "at least " };
        let message = format!("the message needs {at_least}{needed} bytes, only {given} given");
        PgError { offset, message, kind: PgErrorKind::Incomplete { needed, given, exact } }
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for PgError {}

// ---------------------------------------------------------------- parsing

/// The body of one message, read field by field; every read is bounded by
/// the length the header gave, and errors name offsets in the whole input.
struct Body<'a> {
    /// The message's name, which every error starts with.
    name: &'static str,
    bytes: &'a [u8],
    /// Where `bytes[0]` is in the whole input.
    base: usize,
    pos: usize,
}

impl<'a> Body<'a> {
    fn at(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    fn end(&self) -> usize {
        self.base.saturating_add(self.bytes.len())
    }

    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// How much of the body is left, for an error about a field that does not fit.
    fn left_words(&self) -> String {
        match self.left() {
            0 => "and the message's length leaves none".to_owned(),
            n => format!("and the message's length leaves only {n}"),
        }
    }

    fn fail<T>(&self, offset: usize, message: String) -> Result<T, PgError> {
        Err(PgError::invalid(offset, format!("{}: {message}", self.name)))
    }

    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], PgError> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.bytes.get(self.pos..end).map(|s| (s, end))) {
            Some((taken, end)) => {
                self.pos = end;
                Ok(taken)
            }
            None => self.fail(self.at(), format!("{field} takes {n} bytes, {}", self.left_words())),
        }
    }

    fn array<const N: usize>(&mut self, field: &str) -> Result<[u8; N], PgError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    fn u8(&mut self, field: &str) -> Result<u8, PgError> {
        Ok(self.array::<1>(field)?[0])
    }

    fn u16(&mut self, field: &str) -> Result<u16, PgError> {
        self.array(field).map(u16::from_be_bytes)
    }

    fn i16(&mut self, field: &str) -> Result<i16, PgError> {
        self.array(field).map(i16::from_be_bytes)
    }

    fn i32(&mut self, field: &str) -> Result<i32, PgError> {
        self.array(field).map(i32::from_be_bytes)
    }

    fn u32(&mut self, field: &str) -> Result<u32, PgError> {
        self.array(field).map(u32::from_be_bytes)
    }

    /// A NUL-terminated UTF-8 string; the NUL is taken too.
    fn cstr(&mut self, field: &str) -> Result<String, PgError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let Some(nul) = rest.iter().position(|&b| b == 0) else {
            return self.fail(
                self.at(),
                format!("{field} has no NUL to end it before the message ends at byte {}", self.end()),
            );
        };
        let text = self.utf8(&rest[..nul], self.at(), field)?;
        self.pos = self.pos.saturating_add(nul).saturating_add(1);
        Ok(text)
    }

    /// A value after its Int32 length: -1 is NULL, any other negative is
    /// refused, and the value must fit in what the message's length leaves.
    fn value(&mut self, field: &str) -> Result<Option<String>, PgError> {
        let at = self.at();
        let len = self.i32(&format!("{field}'s length"))?;
        if len == -1 {
            return Ok(None);
        }
        let Ok(n) = usize::try_from(len) else {
            return self.fail(at, format!("{field}'s length is {len}: only -1 (NULL) may be negative"));
        };
        let start = self.at();
        if n > self.left() {
            return self.fail(at, format!("{field}'s length is {n}, {}", self.left_words()));
        }
        let bytes = self.take(n, field)?;
        self.utf8(bytes, start, field).map(Some)
    }

    fn utf8(&self, bytes: &[u8], start: usize, field: &str) -> Result<String, PgError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => self.fail(start.saturating_add(e.valid_up_to()), format!("{field} is not UTF-8")),
        }
    }

    /// Format codes (Int16 each): 0 is text, which is all this reader
    /// takes; 1 is binary; nothing else exists.
    fn text_formats(&mut self, what: &str) -> Result<u16, PgError> {
        let count = self.u16(&format!("the count of {what}"))?;
        for i in 1..=count {
            let at = self.at();
            match self.i16(&format!("{what} {i}"))? {
                0 => {}
                1 => return self.fail(at, format!("{what} {i} is 1 (binary): this reader takes text (0) only")),
                code => return self.fail(at, format!("{what} {i} is {code}: only 0 (text) and 1 (binary) exist")),
            }
        }
        Ok(count)
    }

    /// Nothing may be left: the length must end the message at its last field.
    fn finish(&self) -> Result<(), PgError> {
        match self.left() {
            0 => Ok(()),
            n => self.fail(
                self.at(),
                format!("{} after the last field: the length must end the message right there", plural(n, "byte")),
            ),
        }
    }
}

/// One frontend message from the start of `bytes`; `startup`: the first
/// message of a connection has no type byte. Returns it and the bytes taken.
/// Strict: see [`parse_frontend_from`].
pub fn parse_frontend(bytes: &[u8], startup: bool) -> Result<(Frontend, usize), PgError> {
    parse_frontend_from(bytes, 0, startup)
}

/// One frontend message starting at `bytes[start..]`; returns it and the
/// bytes it took, and errors name offsets in the whole of `bytes`.
///
/// Refused: a length below 4 (or 8 for the startup message), above
/// [`MAX_MESSAGE`] (above [`MAX_STARTUP`] for the startup message) or not
/// the one a fixed-size message has; type bytes of messages not handled
/// here (Flush, Close, COPY, …) and of none at all; a startup message for a
/// protocol other than 3.0 (SSLRequest, CancelRequest and GSSENCRequest
/// included), without a `user`, or with `user` or `database` twice;
/// strings not NUL-terminated within the length or not UTF-8; parameter
/// types in a Parse, binary format codes in a Bind, and bytes left over
/// after the last field.
pub fn parse_frontend_from(bytes: &[u8], start: usize, startup: bool) -> Result<(Frontend, usize), PgError> {
    if startup {
        return parse_startup(bytes, start);
    }
    let (mut body, total) = header(bytes, start, Side::Frontend)?;
    let message = match body.name {
        "Query" => Frontend::Query(body.cstr("the query")?),
        "Parse" => {
            let name = body.cstr("the statement name")?;
            let sql = body.cstr("the query")?;
            let at = body.at();
            let types = body.u16("the count of parameter types")?;
            if types != 0 {
                return body.fail(
                    at,
                    format!(
                        "{}: this reader takes none (the server infers every type)",
                        plural(types.into(), "parameter type")
                    ),
                );
            }
            Frontend::Parse { name, sql }
        }
        "Bind" => {
            let portal = body.cstr("the portal name")?;
            let statement = body.cstr("the statement name")?;
            let formats_at = body.at();
            let formats = body.text_formats("parameter format")?;
            let count = body.u16("the count of parameters")?;
            // One code for all, or one for each (PostgreSQL: "bind message has
            // 2 parameter formats but 3 parameters").
            if formats > 1 && formats != count {
                return body.fail(
                    formats_at,
                    format!(
                        "{} for {}: there must be 0, 1 or one for each",
                        plural(formats.into(), "parameter format"),
                        plural(count.into(), "parameter")
                    ),
                );
            }
            let mut params = Vec::new();
            for i in 1..=count {
                params.push(body.value(&format!("parameter ${i}"))?);
            }
            // Result formats are checked against the columns only when the
            // portal runs, so any count of text codes frames soundly.
            body.text_formats("result format")?;
            Frontend::Bind { portal, statement, params }
        }
        "Describe" => {
            let at = body.at();
            let portal = match body.u8("the kind ('S' or 'P')")? {
                b'P' => true,
                b'S' => false,
                b => {
                    return body
                        .fail(at, format!("kind {}: 'S' (a prepared statement) or 'P' (a portal)", byte_name(b)))
                }
            };
            Frontend::Describe { portal, name: body.cstr("the name")? }
        }
        "Execute" => Frontend::Execute { portal: body.cstr("the portal name")?, max_rows: body.u32("the row limit")? },
        "Sync" => Frontend::Sync,
        _ => Frontend::Terminate,
    };
    body.finish()?;
    Ok((message, total))
}

/// The startup message: length, protocol, then name and value pairs ended
/// by an empty name.
fn parse_startup(bytes: &[u8], start: usize) -> Result<(Frontend, usize), PgError> {
    let input = bytes.get(start..).unwrap_or_default();
    let at = |i: usize| start.saturating_add(i);
    let Some(len) = input.get(..4) else { return Err(PgError::incomplete(start, 8, input.len(), false)) };
    let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
    let total = check_length(len, at(0), 8, MAX_STARTUP, "a startup message")?;
    // The protocol is judged as soon as it is there, before the rest arrives.
    if let Some(code) = input.get(4..8) {
        let code = u32::from_be_bytes([code[0], code[1], code[2], code[3]]);
        if code != PROTOCOL_3_0 {
            return Err(PgError::invalid(at(4), protocol_problem(code)));
        }
    }
    let Some(body) = input.get(8..total) else { return Err(PgError::incomplete(start, total, input.len(), true)) };
    let mut body = Body { name: "StartupMessage", bytes: body, base: at(8), pos: 0 };
    let (mut user, mut database) = (None::<(usize, String)>, None::<(usize, String)>);
    let mut params = Vec::new();
    loop {
        if body.left() == 0 {
            return body.fail(body.at(), "the parameters end without the zero byte that closes their list".to_owned());
        }
        let name_at = body.at();
        let name = body.cstr("a parameter name")?;
        if name.is_empty() {
            break;
        }
        let value = body.cstr(&format!("the value of `{}`", quoted(&name)))?;
        let slot = match name.as_str() {
            "user" => &mut user,
            "database" => &mut database,
            _ => {
                params.push((name, value));
                continue;
            }
        };
        if let Some((first, _)) = slot {
            // A server takes the last; which was meant is not for a reader to guess.
            return body.fail(name_at, format!("`{name}` is given twice (first at byte {first})"));
        }
        *slot = Some((name_at, value));
    }
    body.finish()?;
    let user = match user {
        Some((_, user)) if !user.is_empty() => user,
        Some((at, _)) => return body.fail(at, "`user` is empty: a server refuses a startup without a user".to_owned()),
        None => return body.fail(at(0), "no `user`: a server refuses a startup without one".to_owned()),
    };
    let database = database.map(|(_, db)| db).unwrap_or_default();
    Ok((Frontend::Startup { user, database, params }, total))
}

/// What is wrong with a startup message's protocol field.
fn protocol_problem(code: u32) -> String {
    let (major, minor) = (code >> 16, code & 0xFFFF);
    match code {
        80_877_102 => "a CancelRequest, not a startup message: this reader takes protocol 3.0 only".to_owned(),
        80_877_103 => "an SSLRequest, not a startup message: this reader takes protocol 3.0 only".to_owned(),
        80_877_104 => "a GSSENCRequest, not a startup message: this reader takes protocol 3.0 only".to_owned(),
        _ => format!("protocol {major}.{minor} ({code}): this reader takes 3.0 ({PROTOCOL_3_0}) only"),
    }
}

/// Checks a length read at `offset`: at least `min` (it counts itself), at
/// most `max`. Returns it as a size.
fn check_length(len: i32, offset: usize, min: usize, max: usize, what: &str) -> Result<usize, PgError> {
    let fail = |message| Err(PgError::invalid(offset, message));
    let Ok(n) = usize::try_from(len) else {
        return fail(format!("the length is {len}: a length is never negative"));
    };
    if n < min {
        return fail(format!("the length is {n}: {what} takes at least {min}, the length's own 4 bytes included"));
    }
    if n > max {
        return fail(format!("the length is {n}, more than the {max} this reader takes"));
    }
    Ok(n)
}

#[derive(Clone, Copy)]
enum Side {
    Frontend,
    Backend,
}

/// A message's name for a type byte, or why the byte is refused.
fn message_name(side: Side, b: u8) -> Result<&'static str, String> {
    let handled = match (side, b) {
        (Side::Frontend, b'Q') => "Query",
        (Side::Frontend, b'P') => "Parse",
        (Side::Frontend, b'B') => "Bind",
        (Side::Frontend, b'D') => "Describe",
        (Side::Frontend, b'E') => "Execute",
        (Side::Frontend, b'S') => "Sync",
        (Side::Frontend, b'X') => "Terminate",
        (Side::Backend, b'R') => "Authentication",
        (Side::Backend, b'S') => "ParameterStatus",
        (Side::Backend, b'K') => "BackendKeyData",
        (Side::Backend, b'Z') => "ReadyForQuery",
        (Side::Backend, b'T') => "RowDescription",
        (Side::Backend, b'D') => "DataRow",
        (Side::Backend, b'C') => "CommandComplete",
        (Side::Backend, b'I') => "EmptyQueryResponse",
        (Side::Backend, b'E') => "ErrorResponse",
        (Side::Backend, b'N') => "NoticeResponse",
        (Side::Backend, b'1') => "ParseComplete",
        (Side::Backend, b'2') => "BindComplete",
        (Side::Backend, b'n') => "NoData",
        _ => "",
    };
    if !handled.is_empty() {
        return Ok(handled);
    }
    let (sender, other) = match side {
        Side::Frontend => ("frontend", "a client"),
        Side::Backend => ("backend", "a server"),
    };
    let unhandled = match (side, b) {
        (Side::Frontend, b'C') => "Close",
        (Side::Frontend, b'd') | (Side::Backend, b'd') => "CopyData",
        (Side::Frontend, b'c') | (Side::Backend, b'c') => "CopyDone",
        (Side::Frontend, b'f') => "CopyFail",
        (Side::Frontend, b'F') => "FunctionCall",
        (Side::Frontend, b'H') => "Flush",
        (Side::Frontend, b'p') => "PasswordMessage (or a SASL or GSSAPI response)",
        (Side::Backend, b'3') => "CloseComplete",
        (Side::Backend, b'G') => "CopyInResponse",
        (Side::Backend, b'H') => "CopyOutResponse",
        (Side::Backend, b'W') => "CopyBothResponse",
        (Side::Backend, b'V') => "FunctionCallResponse",
        (Side::Backend, b'v') => "NegotiateProtocolVersion",
        (Side::Backend, b'A') => "NotificationResponse",
        (Side::Backend, b't') => "ParameterDescription",
        (Side::Backend, b's') => "PortalSuspended",
        _ => "",
    };
    Err(match (unhandled, b) {
        ("", 0) => {
            format!("type byte 0x00: no {sender} message has it (the startup message has no type byte: is this one?)")
        }
        ("", _) => format!("type byte {}: no {sender} message has it", byte_name(b)),
        (name, _) => {
            format!("type byte {} is {name}, which {other} may send but this reader does not take", byte_name(b))
        }
    })
}

/// The size every message of a kind has, for those with a fixed one: judged
/// from the header, before the body arrives.
fn fixed_length(name: &str) -> Option<usize> {
    match name {
        "Sync" | "Terminate" | "EmptyQueryResponse" | "ParseComplete" | "BindComplete" | "NoData" => Some(4),
        "ReadyForQuery" => Some(5),
        "BackendKeyData" => Some(12),
        _ => None,
    }
}

/// A typed message's header, checked: the type byte, then the length.
/// Returns its body and the bytes the whole message takes.
fn header(bytes: &[u8], start: usize, side: Side) -> Result<(Body<'_>, usize), PgError> {
    let input = bytes.get(start..).unwrap_or_default();
    let at = |i: usize| start.saturating_add(i);
    let Some(&b0) = input.first() else { return Err(PgError::incomplete(start, 5, 0, false)) };
    let name = message_name(side, b0).map_err(|why| PgError::invalid(start, why))?;
    let Some(len) = input.get(1..5) else { return Err(PgError::incomplete(start, 5, input.len(), false)) };
    let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
    let n = check_length(len, at(1), 4, MAX_MESSAGE, "a message")?;
    if let Some(fixed) = fixed_length(name).filter(|&fixed| fixed != n) {
        return Err(PgError::invalid(at(1), format!("{name}: the length is {n}: this message's is always {fixed}")));
    }
    // n ≤ MAX_MESSAGE, so this cannot saturate.
    let total = n.saturating_add(1);
    let Some(body) = input.get(5..total) else { return Err(PgError::incomplete(start, total, input.len(), true)) };
    Ok((Body { name, bytes: body, base: at(5), pos: 0 }, total))
}

/// One backend message from the start of `bytes`; returns it and the bytes
/// taken. Strict: see [`parse_backend_from`].
pub fn parse_backend(bytes: &[u8]) -> Result<(Backend, usize), PgError> {
    parse_backend_from(bytes, 0)
}

/// One backend message starting at `bytes[start..]`; returns it and the
/// bytes it took, and errors name offsets in the whole of `bytes`.
///
/// Refused: a length below 4, above [`MAX_MESSAGE`] or not the one a
/// fixed-size message has; type bytes of messages not handled here
/// (COPY, notifications, …) and of none at all; authentication requests
/// other than AuthenticationOk; a transaction status other than `I`, `T`,
/// `E`; a RowDescription column from a table, with a type modifier or in
/// binary; a negative value length other than -1; strings not
/// NUL-terminated within the length or not UTF-8; and bytes left over after
/// the last field.
pub fn parse_backend_from(bytes: &[u8], start: usize) -> Result<(Backend, usize), PgError> {
    let (mut body, total) = header(bytes, start, Side::Backend)?;
    let message = match body.name {
        "Authentication" => {
            let at = body.at();
            match body.i32("the authentication code")? {
                0 => Backend::AuthenticationOk,
                code => {
                    let what = match code {
                        2 => "Kerberos V5",
                        3 => "a cleartext password",
                        5 => "an MD5 password",
                        7 => "GSSAPI",
                        8 => "GSSAPI continued",
                        9 => "SSPI",
                        10 => "SASL",
                        11 => "SASL continued",
                        12 => "SASL final",
                        _ => "no method PostgreSQL defines",
                    };
                    return body
                        .fail(at, format!("code {code} asks for {what}: this reader takes only AuthenticationOk (0)"));
                }
            }
        }
        "ParameterStatus" => {
            Backend::ParameterStatus { name: body.cstr("the parameter name")?, value: body.cstr("the value")? }
        }
        "BackendKeyData" => Backend::BackendKeyData { pid: body.u32("the process id")?, secret: body.u32("the key")? },
        "ReadyForQuery" => {
            let at = body.at();
            let b = body.u8("the transaction status")?;
            match TxStatus::from_byte(b) {
                Some(status) => Backend::ReadyForQuery(status),
                None => {
                    return body.fail(
                        at,
                        format!(
                            "transaction status {}: 'I' (idle), 'T' (in a transaction) or 'E' (failed)",
                            byte_name(b)
                        ),
                    )
                }
            }
        }
        "RowDescription" => {
            let count = body.u16("the count of columns")?;
            let mut columns = Vec::new();
            for i in 1..=count {
                columns.push(column(&mut body, i)?);
            }
            Backend::RowDescription(columns)
        }
        "DataRow" => {
            let count = body.u16("the count of values")?;
            let mut values = Vec::new();
            for i in 1..=count {
                values.push(body.value(&format!("value {i}"))?);
            }
            Backend::DataRow(values)
        }
        "CommandComplete" => Backend::CommandComplete(body.cstr("the command tag")?),
        "ErrorResponse" => Backend::ErrorResponse(fields(&mut body)?),
        "NoticeResponse" => Backend::NoticeResponse(fields(&mut body)?),
        "EmptyQueryResponse" => Backend::EmptyQueryResponse,
        "ParseComplete" => Backend::ParseComplete,
        "BindComplete" => Backend::BindComplete,
        _ => Backend::NoData,
    };
    body.finish()?;
    Ok((message, total))
}

/// One column of a RowDescription. The fields [`Column`] does not keep must
/// have the values it stands for; anything else is refused, not dropped.
fn column(body: &mut Body<'_>, i: u16) -> Result<Column, PgError> {
    let name = body.cstr(&format!("column {i}'s name"))?;
    let what = |field: &str| format!("column {i} (`{}`)'s {field}", quoted(&name));
    let at = body.at();
    let table = body.u32(&what("table OID"))?;
    if table != 0 {
        return body
            .fail(at, format!("{} is {table}: this reader takes 0 (not a table's column) only", what("table OID")));
    }
    let at = body.at();
    let attnum = body.i16(&what("attribute number"))?;
    if attnum != 0 {
        return body.fail(at, format!("{} is {attnum}: this reader takes 0 only", what("attribute number")));
    }
    let type_oid = body.u32(&what("type OID"))?;
    let type_len = body.i16(&what("type size"))?;
    let at = body.at();
    let typmod = body.i32(&what("type modifier"))?;
    if typmod != -1 {
        return body.fail(at, format!("{} is {typmod}: this reader takes -1 (none) only", what("type modifier")));
    }
    let at = body.at();
    match body.i16(&what("format"))? {
        0 => Ok(Column { name, type_oid, type_len }),
        1 => body.fail(at, format!("{} is 1 (binary): this reader takes text (0) only", what("format"))),
        code => body.fail(at, format!("{} is {code}: only 0 (text) and 1 (binary) exist", what("format"))),
    }
}

/// Error or notice fields: a code byte and a string each, until a zero byte.
fn fields(body: &mut Body<'_>) -> Result<Vec<(u8, String)>, PgError> {
    let mut fields = Vec::new();
    loop {
        if body.left() == 0 {
            return body.fail(body.at(), "the fields end without the zero byte that closes their list".to_owned());
        }
        let code = body.u8("a field code")?;
        if code == 0 {
            return Ok(fields);
        }
        let name = field_name(code).map_or_else(|| format!("field {}", byte_name(code)), str::to_owned);
        fields.push((code, body.cstr(&format!("the {name}"))?));
    }
}

/// A connection's client bytes, whole: the startup message, then typed
/// messages, and nothing after a Terminate. Empty bytes are no messages.
pub fn parse_frontend_stream(bytes: &[u8]) -> Result<Vec<Frontend>, PgError> {
    let mut messages = Vec::new();
    let mut pos = 0usize;
    let mut terminated_at = None;
    while pos < bytes.len() {
        if let Some(t) = terminated_at {
            return Err(PgError::invalid(
                pos,
                format!("a message after the Terminate at byte {t}: a client sends nothing after it"),
            ));
        }
        let (message, taken) = parse_frontend_from(bytes, pos, messages.is_empty())?;
        if message == Frontend::Terminate {
            terminated_at = Some(pos);
        }
        messages.push(message);
        pos = pos.saturating_add(taken);
    }
    Ok(messages)
}

/// A connection's server bytes, whole: backend messages one after another.
pub fn parse_backend_stream(bytes: &[u8]) -> Result<Vec<Backend>, PgError> {
    let mut messages = Vec::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let (message, taken) = parse_backend_from(bytes, pos)?;
        messages.push(message);
        pos = pos.saturating_add(taken);
    }
    Ok(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Vec<u8> {
        parse_hex(text).unwrap()
    }

    fn frontend_error(hex: &str, startup: bool) -> String {
        parse_frontend(&bytes(hex), startup).unwrap_err().to_string()
    }

    fn backend_error(hex: &str) -> String {
        parse_backend(&bytes(hex)).unwrap_err().to_string()
    }

    /// The byte layouts of "Message Formats" in the PostgreSQL manual,
    /// written out by hand.
    #[test]
    fn frontend_messages_byte_for_byte() {
        let startup = Frontend::Startup { user: "alice".into(), database: "shop".into(), params: vec![] };
        let cases: Vec<(Frontend, &str)> = vec![
            (
                startup,
                "00 00 00 22 00 03 00 00 75 73 65 72 00 61 6c 69 63 65 00
                 64 61 74 61 62 61 73 65 00 73 68 6f 70 00 00",
            ),
            (Frontend::Query("SELECT 1".into()), "51 00 00 00 0d 53 45 4c 45 43 54 20 31 00"),
            (
                Frontend::Parse { name: String::new(), sql: "SELECT $1".into() },
                "50 00 00 00 11 00 53 45 4c 45 43 54 20 24 31 00 00 00",
            ),
            (
                Frontend::Bind {
                    portal: String::new(),
                    statement: String::new(),
                    params: vec![Some("42".into()), None],
                },
                "42 00 00 00 16 00 00 00 00 00 02 00 00 00 02 34 32 ff ff ff ff 00 00",
            ),
            (Frontend::Describe { portal: true, name: String::new() }, "44 00 00 00 06 50 00"),
            (Frontend::Describe { portal: false, name: "s1".into() }, "44 00 00 00 08 53 73 31 00"),
            (Frontend::Execute { portal: String::new(), max_rows: 0 }, "45 00 00 00 09 00 00 00 00 00"),
            (Frontend::Sync, "53 00 00 00 04"),
            (Frontend::Terminate, "58 00 00 00 04"),
        ];
        for (message, hex) in cases {
            let wire = bytes(hex);
            assert_eq!(message.to_wire(), wire, "{message:?}");
            let startup = matches!(message, Frontend::Startup { .. });
            assert_eq!(parse_frontend(&wire, startup), Ok((message, wire.len())));
        }
    }

    #[test]
    fn backend_messages_byte_for_byte() {
        let row = Backend::RowDescription(vec![Column { name: "?column?".into(), type_oid: 23, type_len: 4 }]);
        let cases: Vec<(Backend, &str)> = vec![
            (Backend::AuthenticationOk, "52 00 00 00 08 00 00 00 00"),
            (
                Backend::ParameterStatus { name: "server_version".into(), value: "16.2".into() },
                "53 00 00 00 18 73 65 72 76 65 72 5f 76 65 72 73 69 6f 6e 00 31 36 2e 32 00",
            ),
            (Backend::BackendKeyData { pid: 1234, secret: 5678 }, "4b 00 00 00 0c 00 00 04 d2 00 00 16 2e"),
            (Backend::ReadyForQuery(TxStatus::Idle), "5a 00 00 00 05 49"),
            (Backend::ReadyForQuery(TxStatus::InTransaction), "5a 00 00 00 05 54"),
            (Backend::ReadyForQuery(TxStatus::Failed), "5a 00 00 00 05 45"),
            (
                row,
                "54 00 00 00 21 00 01 3f 63 6f 6c 75 6d 6e 3f 00 00 00 00 00 00 00
                 00 00 00 17 00 04 ff ff ff ff 00 00",
            ),
            (Backend::DataRow(vec![Some("1".into())]), "44 00 00 00 0b 00 01 00 00 00 01 31"),
            (Backend::DataRow(vec![None, Some(String::new())]), "44 00 00 00 0e 00 02 ff ff ff ff 00 00 00 00"),
            (Backend::CommandComplete("SELECT 1".into()), "43 00 00 00 0d 53 45 4c 45 43 54 20 31 00"),
            (Backend::EmptyQueryResponse, "49 00 00 00 04"),
            (
                Backend::error("42P01", "no t"),
                "45 00 00 00 20 53 45 52 52 4f 52 00 56 45 52 52 4f 52 00 43 34 32 50 30 31 00 4d 6e 6f 20 74 00 00",
            ),
            (Backend::NoticeResponse(vec![(b'M', "hi".into())]), "4e 00 00 00 09 4d 68 69 00 00"),
            (Backend::ParseComplete, "31 00 00 00 04"),
            (Backend::BindComplete, "32 00 00 00 04"),
            (Backend::NoData, "6e 00 00 00 04"),
        ];
        for (message, hex) in cases {
            let wire = bytes(hex);
            assert_eq!(message.to_wire(), wire, "{message:?}");
            assert_eq!(parse_backend(&wire), Ok((message, wire.len())));
        }
    }

    #[test]
    fn a_simple_query_round_trip_as_streams() {
        let client = [
            Frontend::Startup {
                user: "alice".into(),
                database: String::new(),
                params: vec![("application_name".into(), "psql".into())],
            },
            Frontend::Query("SELECT 1".into()),
            Frontend::Terminate,
        ];
        let server = [
            Backend::AuthenticationOk,
            Backend::ParameterStatus { name: "client_encoding".into(), value: "UTF8".into() },
            Backend::BackendKeyData { pid: 7, secret: u32::MAX },
            Backend::ReadyForQuery(TxStatus::Idle),
            Backend::RowDescription(vec![Column { name: "?column?".into(), type_oid: 23, type_len: 4 }]),
            Backend::DataRow(vec![Some("1".into())]),
            Backend::CommandComplete("SELECT 1".into()),
            Backend::ReadyForQuery(TxStatus::Idle),
        ];
        let mut wire = Vec::new();
        client.iter().for_each(|m| m.encode_into(&mut wire));
        assert_eq!(parse_frontend_stream(&wire).as_deref(), Ok(&client[..]));
        let mut wire = Vec::new();
        server.iter().for_each(|m| m.encode_into(&mut wire));
        assert_eq!(parse_backend_stream(&wire).as_deref(), Ok(&server[..]));
        assert_eq!(parse_frontend_stream(&[]), Ok(vec![]));
        assert_eq!(parse_backend_stream(&[]), Ok(vec![]));
    }

    /// The spellings of one meaning a real client sends are all read.
    #[test]
    fn other_spellings_of_the_same_message() {
        // libpq writes one text result format, and a format per parameter.
        let libpq = bytes("42 00 00 00 16 00 00 00 01 00 00 00 01 00 00 00 02 34 32 00 01 00 00");
        let bind = Frontend::Bind { portal: String::new(), statement: String::new(), params: vec![Some("42".into())] };
        assert_eq!(parse_frontend(&libpq, false), Ok((bind.clone(), libpq.len())));
        assert_eq!(bind.to_wire().len(), libpq.len().checked_sub(4).unwrap());
        // tokio-postgres sends client_encoding before user and database.
        let mut pairs = Vec::new();
        for s in ["client_encoding", "UTF8", "user", "bob", "database", "", ""] {
            pairs.extend_from_slice(s.as_bytes());
            pairs.push(0);
        }
        let mut wire = (pairs.len() as u32 + 8).to_be_bytes().to_vec();
        wire.extend_from_slice(&PROTOCOL_3_0.to_be_bytes());
        wire.extend_from_slice(&pairs);
        let startup = Frontend::Startup {
            user: "bob".into(),
            database: String::new(),
            params: vec![("client_encoding".into(), "UTF8".into())],
        };
        assert_eq!(parse_frontend(&wire, true), Ok((startup, wire.len())));
    }

    #[test]
    fn strings_are_cut_at_their_first_nul() {
        let query = Frontend::Query("SELECT 1\0; DROP TABLE t".into());
        assert_eq!(query.to_wire(), Frontend::Query("SELECT 1".into()).to_wire());
        let error = Backend::ErrorResponse(vec![(0, "gone".into()), (b'M', "a\0b".into())]);
        assert_eq!(parse_backend(&error.to_wire()).unwrap().0, Backend::ErrorResponse(vec![(b'M', "a".into())]));
        // Length-prefixed values carry NULs whole.
        let row = Backend::DataRow(vec![Some("a\0b".into())]);
        assert_eq!(parse_backend(&row.to_wire()).unwrap().0, row);
        let startup = Frontend::Startup {
            user: "u".into(),
            database: "\0db".into(),
            params: vec![("\0x".into(), "dropped".into()), ("k".into(), "v\0w".into())],
        };
        let expected =
            Frontend::Startup { user: "u".into(), database: String::new(), params: vec![("k".into(), "v".into())] };
        assert_eq!(parse_frontend(&startup.to_wire(), true).unwrap().0, expected);
    }

    #[test]
    fn frontend_errors_name_the_byte_and_the_rule() {
        let cases: &[(&str, bool, &str)] = &[
            ("", false, "byte 0: the message needs at least 5 bytes, only 0 given"),
            ("51 00 00", false, "byte 0: the message needs at least 5 bytes, only 3 given"),
            ("51 00 00 00 0d 53 45", false, "byte 0: the message needs 14 bytes, only 7 given"),
            ("48 00 00 00 04", false, "byte 0: type byte 0x48 'H' is Flush, which a client may send but this reader does not take"),
            ("7a 00 00 00 04", false, "byte 0: type byte 0x7a 'z': no frontend message has it"),
            ("00 00 00 00 08", false, "byte 0: type byte 0x00: no frontend message has it (the startup message has no type byte: is this one?)"),
            ("51 00 00 00 03", false, "byte 1: the length is 3: a message takes at least 4, the length's own 4 bytes included"),
            ("51 ff ff ff ff", false, "byte 1: the length is -1: a length is never negative"),
            ("51 00 10 00 01", false, "byte 1: the length is 1048577, more than the 1048576 this reader takes"),
            ("53 00 00 00 05 00", false, "byte 1: Sync: the length is 5: this message's is always 4"),
            ("51 00 00 00 06 53 45", false, "byte 5: Query: the query has no NUL to end it before the message ends at byte 7"),
            ("51 00 00 00 07 53 00 00", false, "byte 7: Query: 1 byte after the last field: the length must end the message right there"),
            ("51 00 00 00 06 ff 00", false, "byte 5: Query: the query is not UTF-8"),
            ("50 00 00 00 0c 00 00 00 01 00 00 00 17", false, "byte 7: Parse: 1 parameter type: this reader takes none (the server infers every type)"),
            ("50 00 00 00 07 00 00 00", false, "byte 7: Parse: the count of parameter types takes 2 bytes, and the message's length leaves only 1"),
            ("42 00 00 00 0e 00 00 00 01 00 01 00 00 00 00", false, "byte 9: Bind: parameter format 1 is 1 (binary): this reader takes text (0) only"),
            ("42 00 00 00 0e 00 00 00 01 00 07 00 00 00 00", false, "byte 9: Bind: parameter format 1 is 7: only 0 (text) and 1 (binary) exist"),
            ("42 00 00 00 10 00 00 00 02 00 00 00 00 00 01 00 00", false, "byte 7: Bind: 2 parameter formats for 1 parameter: there must be 0, 1 or one for each"),
            ("42 00 00 00 10 00 00 00 00 00 01 ff ff ff fe 00 00", false, "byte 11: Bind: parameter $1's length is -2: only -1 (NULL) may be negative"),
            ("42 00 00 00 10 00 00 00 00 00 01 00 00 00 09 00 00", false, "byte 11: Bind: parameter $1's length is 9, and the message's length leaves only 2"),
            ("42 00 00 00 0e 00 00 00 00 00 00 00 01 00 01", false, "byte 13: Bind: result format 1 is 1 (binary): this reader takes text (0) only"),
            ("44 00 00 00 06 58 00", false, "byte 5: Describe: kind 0x58 'X': 'S' (a prepared statement) or 'P' (a portal)"),
            ("45 00 00 00 07 00 00 00", false, "byte 6: Execute: the row limit takes 4 bytes, and the message's length leaves only 2"),
            // The startup message.
            ("00 00", true, "byte 0: the message needs at least 8 bytes, only 2 given"),
            ("00 00 00 09 00 03", true, "byte 0: the message needs 9 bytes, only 6 given"),
            ("00 00 00 07", true, "byte 0: the length is 7: a startup message takes at least 8, the length's own 4 bytes included"),
            ("00 00 27 11", true, "byte 0: the length is 10001, more than the 10000 this reader takes"),
            ("00 00 00 08 04 d2 16 2f", true, "byte 4: an SSLRequest, not a startup message: this reader takes protocol 3.0 only"),
            ("00 00 00 10 04 d2 16 2e", true, "byte 4: a CancelRequest, not a startup message: this reader takes protocol 3.0 only"),
            ("00 00 00 09 00 03 00 02", true, "byte 4: protocol 3.2 (196610): this reader takes 3.0 (196608) only"),
            ("00 00 00 09 00 02 00 00 00", true, "byte 4: protocol 2.0 (131072): this reader takes 3.0 (196608) only"),
            ("00 00 00 08 00 03 00 00", true, "byte 8: StartupMessage: the parameters end without the zero byte that closes their list"),
            ("00 00 00 09 00 03 00 00 00", true, "byte 0: StartupMessage: no `user`: a server refuses a startup without one"),
            ("00 00 00 0f 00 03 00 00 75 73 65 72 00 00 00", true, "byte 8: StartupMessage: `user` is empty: a server refuses a startup without a user"),
            (
                "00 00 00 14 00 03 00 00 75 73 65 72 00 61 00 75 73 65 72 00 62 00 00",
                true,
                "byte 20: StartupMessage: the value of `user` has no NUL to end it before the message ends at byte 20",
            ),
            ("00 00 00 0e 00 03 00 00 75 73 65 72 00 61", true, "byte 13: StartupMessage: the value of `user` has no NUL to end it before the message ends at byte 14"),
            ("00 00 00 0f 00 03 00 00 75 73 65 72 00 61 00", true, "byte 15: StartupMessage: the parameters end without the zero byte that closes their list"),
            ("00 00 00 11 00 03 00 00 75 73 65 72 00 61 00 00 00", true, "byte 16: StartupMessage: 1 byte after the last field: the length must end the message right there"),
        ];
        for (hex, startup, message) in cases {
            assert_eq!(frontend_error(hex, *startup), *message, "{hex}");
        }
        let twice = bytes("00 00 00 17 00 03 00 00 75 73 65 72 00 61 00 75 73 65 72 00 62 00 00");
        assert_eq!(
            parse_frontend(&twice, true).unwrap_err().to_string(),
            "byte 15: StartupMessage: `user` is given twice (first at byte 8)"
        );
    }

    #[test]
    fn backend_errors_name_the_byte_and_the_rule() {
        let cases: &[(&str, &str)] = &[
            ("52 00 00 00 0c 00 00 00 05 01 02 03 04", "byte 5: Authentication: code 5 asks for an MD5 password: this reader takes only AuthenticationOk (0)"),
            ("52 00 00 00 08 00 00 00 63", "byte 5: Authentication: code 99 asks for no method PostgreSQL defines: this reader takes only AuthenticationOk (0)"),
            ("5a 00 00 00 05 58", "byte 5: ReadyForQuery: transaction status 0x58 'X': 'I' (idle), 'T' (in a transaction) or 'E' (failed)"),
            ("5a 00 00 00 06 49 00", "byte 1: ReadyForQuery: the length is 6: this message's is always 5"),
            ("4b 00 00 00 14 00 00 00 01", "byte 1: BackendKeyData: the length is 20: this message's is always 12"),
            ("33 00 00 00 04", "byte 0: type byte 0x33 '3' is CloseComplete, which a server may send but this reader does not take"),
            ("51 00 00 00 04", "byte 0: type byte 0x51 'Q': no backend message has it"),
            ("44 00 00 00 0a 00 01 ff ff ff 00", "byte 7: DataRow: value 1's length is -256: only -1 (NULL) may be negative"),
            ("44 00 00 00 0a 00 02 ff ff ff ff", "byte 11: DataRow: value 2's length takes 4 bytes, and the message's length leaves none"),
            ("44 00 00 00 0b 00 01 00 00 00 01 c3", "byte 11: DataRow: value 1 is not UTF-8"),
            ("54 00 00 00 1a 00 01 61 00 00 00 40 00 00 01 00 00 00 17 00 04 ff ff ff ff 00 00", "byte 9: RowDescription: column 1 (`a`)'s table OID is 16384: this reader takes 0 (not a table's column) only"),
            ("54 00 00 00 1a 00 01 61 00 00 00 00 00 00 00 00 00 04 13 ff ff 00 00 00 24 00 00", "byte 21: RowDescription: column 1 (`a`)'s type modifier is 36: this reader takes -1 (none) only"),
            ("54 00 00 00 1a 00 01 61 00 00 00 00 00 00 00 00 00 00 17 00 04 ff ff ff ff 00 01", "byte 25: RowDescription: column 1 (`a`)'s format is 1 (binary): this reader takes text (0) only"),
            ("45 00 00 00 08 4d 68 69 00", "byte 9: ErrorResponse: the fields end without the zero byte that closes their list"),
            ("45 00 00 00 07 4d 68 69", "byte 6: ErrorResponse: the message has no NUL to end it before the message ends at byte 8"),
            ("4e 00 00 00 06 00 00", "byte 6: NoticeResponse: 1 byte after the last field: the length must end the message right there"),
            ("4e 00 10 00 01", "byte 1: the length is 1048577, more than the 1048576 this reader takes"),
        ];
        for (hex, message) in cases {
            assert_eq!(backend_error(hex), *message, "{hex}");
        }
    }

    #[test]
    fn streams_hold_to_the_order_of_messages() {
        let mut wire = Frontend::Startup { user: "a".into(), database: String::new(), params: vec![] }.to_wire();
        let terminate_at = wire.len();
        Frontend::Terminate.encode_into(&mut wire);
        let sync_at = wire.len();
        Frontend::Sync.encode_into(&mut wire);
        assert_eq!(
            parse_frontend_stream(&wire).unwrap_err().to_string(),
            format!(
                "byte {sync_at}: a message after the Terminate at byte {terminate_at}: a client sends nothing after it"
            )
        );
        // Without a startup message first, the type byte is read as a length.
        let query = Frontend::Query("SELECT 1".into()).to_wire();
        assert_eq!(
            parse_frontend_stream(&query).unwrap_err().to_string(),
            "byte 0: the length is 1358954496, more than the 10000 this reader takes"
        );
        // Offsets count from the start of the stream.
        let mut server = Backend::AuthenticationOk.to_wire();
        server.extend_from_slice(&bytes("5a 00 00 00 05 51"));
        assert_eq!(
            parse_backend_stream(&server).unwrap_err().to_string(),
            "byte 14: ReadyForQuery: transaction status 0x51 'Q': 'I' (idle), 'T' (in a transaction) or 'E' (failed)"
        );
        let e = parse_backend_stream(&server[..12]).unwrap_err();
        assert_eq!((e.offset, e.kind), (9, PgErrorKind::Incomplete { needed: 5, given: 3, exact: false }));
    }

    #[test]
    fn describe_reads_like_the_manual() {
        let lines = Frontend::Query("SELECT 1".into()).describe();
        assert_eq!(
            lines,
            [
                ("type", "Q (0x51) Query".to_owned()),
                ("length", "13 (itself and 9 bytes after it)".to_owned()),
                ("query", "SELECT 1".to_owned())
            ]
        );
        let startup =
            Frontend::Startup { user: "alice".into(), database: String::new(), params: vec![("a".into(), "b".into())] };
        let lines = startup.describe();
        assert_eq!(lines[0].1, "none: the startup message has no type byte");
        assert_eq!(lines[1].1, "24 (itself and 20 bytes after it)");
        assert_eq!(lines[2].1, "196608 (3.0)");
        assert_eq!(lines[4].1, "none sent: the server uses the user's name");
        assert_eq!(lines[5], ("parameter", "a = b".to_owned()));
        let bind =
            Frontend::Bind { portal: String::new(), statement: "s".into(), params: vec![Some("NULL".into()), None] };
        let lines = bind.describe();
        assert_eq!(lines[2], ("portal", "empty: the unnamed portal".to_owned()));
        assert_eq!(lines[6], ("parameter", "$1 = 4 bytes: NULL".to_owned()));
        assert_eq!(lines[7], ("parameter", "$2 = NULL (length -1)".to_owned()));
        let execute = Frontend::Execute { portal: String::new(), max_rows: u32::MAX }.describe();
        assert_eq!(execute[3].1, "4294967295 (negative as the server reads it: no limit)");
        let ready = Backend::ReadyForQuery(TxStatus::Failed).describe();
        assert_eq!(
            ready,
            [
                ("type", "Z (0x5a) ReadyForQuery".to_owned()),
                ("length", "5 (itself and 1 byte after it)".to_owned()),
                ("status", "E (in a failed transaction block: statements are refused until ROLLBACK)".to_owned())
            ]
        );
        let error = Backend::error("25P02", "current transaction is aborted").describe();
        assert_eq!(error[4], ("SQLSTATE", "25P02 (in_failed_sql_transaction)".to_owned()));
        assert_eq!(error[5], ("message", "current transaction is aborted".to_owned()));
        let notice = Backend::NoticeResponse(vec![(b'?', "x".into())]).describe();
        assert_eq!(notice[2], ("field", "0x3f '?' x".to_owned()));
        let row = Backend::RowDescription(vec![Column { name: "id".into(), type_oid: 23, type_len: 4 }]).describe();
        assert_eq!(row[3], ("column", "id: type 23 (int4), 4 bytes, text".to_owned()));
    }

    /// A 16-bit count announces at most 65,535 items: the encoders write that
    /// many and drop the rest, so the count always matches what follows.
    #[test]
    fn lists_past_a_16_bit_count_are_cut_there() {
        let row = Backend::DataRow(vec![None; MAX_COUNT.checked_add(1).unwrap()]);
        let (parsed, _) = parse_backend(&row.to_wire()).unwrap();
        assert_eq!(parsed, Backend::DataRow(vec![None; MAX_COUNT]));
        let params = vec![Some(String::new()); MAX_COUNT.checked_add(2).unwrap()];
        let bind = Frontend::Bind { portal: String::new(), statement: String::new(), params };
        let Frontend::Bind { params, .. } = parse_frontend(&bind.to_wire(), false).unwrap().0 else { unreachable!() };
        assert_eq!(params.len(), MAX_COUNT);
    }

    #[test]
    fn tx_status_bytes_round_trip() {
        for status in [TxStatus::Idle, TxStatus::InTransaction, TxStatus::Failed] {
            assert_eq!(TxStatus::from_byte(status.byte()), Some(status));
            assert!(!status.meaning().is_empty());
        }
        assert_eq!(TxStatus::from_byte(b'i'), None);
    }
}
