//! Our PostgreSQL messages held to an independent implementation:
//! `postgres-protocol`, the message layer under rust-postgres (`postgres`,
//! `tokio-postgres`). Its backend parser must read our server bytes as the
//! messages we meant, and its frontend encoders must write, byte for byte,
//! what ours write for the same messages.

use crate::gen;
use bytes::{BufMut, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::{ErrorFields, Message};
use postgres_protocol::message::frontend;
use postgres_protocol::IsNull;
use proptest::prelude::*;
use statelab_sim::wire::pg::{Backend, Column, Frontend, TxStatus};
use std::io;

fn theirs<T>(result: io::Result<T>) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(format!("postgres-protocol: {e}")))
}

fn their_fields(mut fields: ErrorFields<'_>) -> Result<Vec<(u8, String)>, TestCaseError> {
    let mut out = Vec::new();
    while let Some(field) = theirs(fields.next())? {
        let value = String::from_utf8(field.value_bytes().to_vec());
        out.push((field.type_(), value.map_err(|e| TestCaseError::fail(format!("field value: {e}")))?));
    }
    Ok(out)
}

/// Whether postgres-protocol's reading of a message is the message we meant.
fn same_message(ours: &Backend, message: Message) -> Result<(), TestCaseError> {
    match (ours, message) {
        (Backend::AuthenticationOk, Message::AuthenticationOk)
        | (Backend::EmptyQueryResponse, Message::EmptyQueryResponse)
        | (Backend::ParseComplete, Message::ParseComplete)
        | (Backend::BindComplete, Message::BindComplete)
        | (Backend::NoData, Message::NoData) => {}
        (Backend::ParameterStatus { name, value }, Message::ParameterStatus(body)) => {
            prop_assert_eq!(theirs(body.name())?, name);
            prop_assert_eq!(theirs(body.value())?, value);
        }
        (Backend::BackendKeyData { pid, secret }, Message::BackendKeyData(body)) => {
            // Int32 on the wire: the same four bytes whichever sign is read.
            prop_assert_eq!(body.process_id() as u32, *pid);
            prop_assert_eq!(body.secret_key() as u32, *secret);
        }
        (Backend::ReadyForQuery(status), Message::ReadyForQuery(body)) => {
            prop_assert_eq!(TxStatus::from_byte(body.status()), Some(*status));
        }
        (Backend::RowDescription(columns), Message::RowDescription(body)) => {
            let mut fields = body.fields();
            let mut read = Vec::new();
            while let Some(f) = theirs(fields.next())? {
                prop_assert_eq!((f.table_oid(), f.column_id(), f.type_modifier(), f.format()), (0, 0, -1, 0));
                read.push(Column { name: f.name().to_owned(), type_oid: f.type_oid(), type_len: f.type_size() });
            }
            prop_assert_eq!(&read, columns);
        }
        (Backend::DataRow(values), Message::DataRow(body)) => {
            let mut ranges = body.ranges();
            let mut read = Vec::new();
            while let Some(range) = theirs(ranges.next())? {
                read.push(range.map(|r| body.buffer()[r].to_vec()));
            }
            let ours: Vec<_> = values.iter().map(|v| v.as_ref().map(|v| v.as_bytes().to_vec())).collect();
            prop_assert_eq!(read, ours);
        }
        (Backend::CommandComplete(tag), Message::CommandComplete(body)) => prop_assert_eq!(theirs(body.tag())?, tag),
        (Backend::ErrorResponse(fields), Message::ErrorResponse(body)) => {
            prop_assert_eq!(&their_fields(body.fields())?, fields)
        }
        (Backend::NoticeResponse(fields), Message::NoticeResponse(body)) => {
            prop_assert_eq!(&their_fields(body.fields())?, fields)
        }
        (ours, _) => prop_assert!(false, "postgres-protocol read another kind of message for {ours:?}"),
    }
    Ok(())
}

/// Reads `wire` message by message with postgres-protocol: every one must be
/// the one we meant, and nothing may be left over.
fn postgres_protocol_reads(messages: &[Backend], wire: &[u8]) -> Result<(), TestCaseError> {
    let mut buf = BytesMut::from(wire);
    for ours in messages {
        let message = theirs(Message::parse(&mut buf))?
            .ok_or_else(|| TestCaseError::fail(format!("postgres-protocol wants more bytes for {ours:?}")))?;
        same_message(ours, message)?;
    }
    prop_assert!(buf.is_empty(), "{} bytes left over", buf.len());
    Ok(())
}

/// The bytes postgres-protocol's frontend encoders write for a message (which
/// must hold no NUL in its strings: they refuse one).
fn their_bytes(m: &Frontend) -> Result<Vec<u8>, TestCaseError> {
    let mut buf = BytesMut::new();
    match m {
        Frontend::Startup { user, database, params } => {
            let mut pairs = vec![("user", user.as_str())];
            if !database.is_empty() {
                pairs.push(("database", database.as_str()));
            }
            pairs.extend(params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            theirs(frontend::startup_message(pairs, &mut buf))?;
        }
        Frontend::Query(sql) => theirs(frontend::query(sql, &mut buf))?,
        Frontend::Parse { name, sql } => theirs(frontend::parse(name, sql, std::iter::empty(), &mut buf))?,
        Frontend::Bind { portal, statement, params } => {
            let written = frontend::bind(
                portal,
                statement,
                std::iter::empty(),
                params,
                |value, buf| match value {
                    Some(v) => {
                        buf.put_slice(v.as_bytes());
                        Ok(IsNull::No)
                    }
                    None => Ok(IsNull::Yes),
                },
                std::iter::empty(),
                &mut buf,
            );
            prop_assert!(written.is_ok(), "postgres-protocol refused to bind {params:?}");
        }
        Frontend::Describe { portal, name } => {
            theirs(frontend::describe(if *portal { b'P' } else { b'S' }, name, &mut buf))?
        }
        // Int32 on the wire: the same four bytes whichever sign is written.
        Frontend::Execute { portal, max_rows } => theirs(frontend::execute(portal, *max_rows as i32, &mut buf))?,
        Frontend::Sync => frontend::sync(&mut buf),
        Frontend::Terminate => frontend::terminate(&mut buf),
    }
    Ok(buf.to_vec())
}

proptest! {
    /// postgres-protocol reads every message of a server's stream as we meant it.
    #[test]
    fn postgres_protocol_reads_our_backend_messages(server in gen::pg_server()) {
        let received: Vec<_> = server.iter().map(gen::pg_received_backend).collect();
        postgres_protocol_reads(&received, &gen::pg_backend_wire(&server))?;
    }

    /// postgres-protocol's encoders write what ours write, for every kind of
    /// frontend message. Strings are the ones a receiver gets (cut at a NUL),
    /// which encode to the same bytes as the strings they were cut from.
    #[test]
    fn postgres_protocol_writes_our_frontend_bytes(m in prop_oneof![gen::pg_startup(), gen::pg_frontend()]) {
        let sent = gen::pg_received_frontend(&m);
        prop_assert_eq!(sent.to_wire(), m.to_wire());
        prop_assert_eq!(their_bytes(&sent)?, m.to_wire());
    }
}

/// A session as a server writes it, at the sizes a client must get right:
/// an empty row, a NULL, a value of 64 KiB, an error in a failed transaction.
#[test]
fn postgres_protocol_reads_a_whole_session() {
    let server = vec![
        Backend::AuthenticationOk,
        Backend::ParameterStatus { name: "server_version".into(), value: "16.2".into() },
        Backend::BackendKeyData { pid: 4242, secret: 0xdead_beef },
        Backend::ReadyForQuery(TxStatus::Idle),
        Backend::CommandComplete("BEGIN".into()),
        Backend::ReadyForQuery(TxStatus::InTransaction),
        Backend::ParseComplete,
        Backend::BindComplete,
        Backend::RowDescription(vec![
            Column { name: "id".into(), type_oid: 23, type_len: 4 },
            Column { name: "note".into(), type_oid: 25, type_len: -1 },
        ]),
        Backend::DataRow(vec![Some("1".into()), None]),
        Backend::DataRow(vec![Some("2".into()), Some(gen::text_of_len("é", 65536))]),
        Backend::DataRow(vec![]),
        Backend::CommandComplete("SELECT 3".into()),
        Backend::error("42P01", "relation \"carts\" does not exist"),
        Backend::ReadyForQuery(TxStatus::Failed),
        Backend::error("25P02", "current transaction is aborted, commands ignored until end of transaction block"),
        Backend::NoticeResponse(vec![(b'S', "WARNING".into()), (b'M', "there is no transaction in progress".into())]),
        Backend::EmptyQueryResponse,
        Backend::NoData,
        Backend::ReadyForQuery(TxStatus::Idle),
    ];
    postgres_protocol_reads(&server, &gen::pg_backend_wire(&server)).unwrap();
    let client = [
        Frontend::Startup {
            user: "alice".into(),
            database: "shop".into(),
            params: vec![("application_name".into(), "statelab".into())],
        },
        Frontend::Query("BEGIN".into()),
        Frontend::Parse { name: String::new(), sql: "SELECT id, note FROM carts WHERE id > $1".into() },
        Frontend::Bind { portal: String::new(), statement: String::new(), params: vec![Some("0".into()), None] },
        Frontend::Describe { portal: true, name: String::new() },
        Frontend::Execute { portal: String::new(), max_rows: 0 },
        Frontend::Sync,
        Frontend::Terminate,
    ];
    for m in &client {
        assert_eq!(their_bytes(m).unwrap(), m.to_wire(), "{m:?}");
    }
}
