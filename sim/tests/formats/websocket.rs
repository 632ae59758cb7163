//! Our WebSocket frames read by an independent implementation: tungstenite,
//! the library under tokio-tungstenite and axum's WebSocket support. A
//! server-role socket reads what our clients send (it requires the mask), a
//! client-role socket what our servers send (it refuses one); each must get
//! the messages, payloads and close codes we meant.

use crate::gen::{self, WsMessage, WsStream};
use proptest::prelude::*;
use statelab_sim::wire::ws::{Frame, Opcode, Sender};
use std::io::{self, Cursor, Read, Write};
use tungstenite::protocol::frame::FrameHeader;
use tungstenite::protocol::{Role, WebSocket};
use tungstenite::Message;

/// One direction of a connection: the bytes given are read, and what the
/// socket writes back (pongs, the close reply) is dropped.
struct OneWay(Cursor<Vec<u8>>);

impl Read for OneWay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for OneWay {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads `s` with tungstenite in the role that receives it and compares
/// each message with the one the stream was built to carry.
fn tungstenite_reads(s: &WsStream) -> Result<(), TestCaseError> {
    let role = match s.sender {
        Sender::Client => Role::Server,
        Sender::Server => Role::Client,
    };
    let mut socket = WebSocket::from_raw_socket(OneWay(Cursor::new(s.wire())), role, None);
    for expected in &s.messages {
        let got = socket.read().map_err(|e| TestCaseError::fail(format!("tungstenite: {e} reading {expected:?}")))?;
        match (expected, &got) {
            (WsMessage::Text(text), Message::Text(theirs)) => prop_assert_eq!(text.as_str(), theirs.as_str()),
            (WsMessage::Binary(bytes), Message::Binary(theirs)) => prop_assert_eq!(&bytes[..], &theirs[..]),
            (WsMessage::Control(f), Message::Ping(theirs)) if f.opcode == Opcode::Ping => {
                prop_assert_eq!(&f.payload[..], &theirs[..])
            }
            (WsMessage::Control(f), Message::Pong(theirs)) if f.opcode == Opcode::Pong => {
                prop_assert_eq!(&f.payload[..], &theirs[..])
            }
            (WsMessage::Control(f), Message::Close(theirs)) if f.opcode == Opcode::Close => {
                match (f.close_code(), theirs) {
                    (None, None) => {}
                    // tungstenite takes 1014 (IANA's "bad gateway", registered
                    // after RFC 6455) for an unassigned code and answers 1002.
                    (Some(1014), Some(_)) => {}
                    (Some(code), Some(theirs)) => {
                        prop_assert_eq!(u16::from(theirs.code), code);
                        prop_assert_eq!(f.close_reason(), Some(theirs.reason.as_str()));
                    }
                    (ours, theirs) => prop_assert!(false, "close code {ours:?}, tungstenite read {theirs:?}"),
                }
            }
            (expected, got) => prop_assert!(false, "sent {expected:?}, tungstenite read {got:?}"),
        }
    }
    Ok(())
}

proptest! {
    /// tungstenite's header parser reads every valid frame's header as we
    /// wrote it, and the payload starts where we say.
    #[test]
    fn tungstenite_reads_our_frame_headers(frame in gen::ws_frame()) {
        let wire = frame.to_wire();
        let mut cursor = Cursor::new(&wire);
        let (header, len) = FrameHeader::parse(&mut cursor).map_err(|e| TestCaseError::fail(e.to_string()))?
            .ok_or_else(|| TestCaseError::fail("tungstenite wants more bytes"))?;
        prop_assert_eq!(header.is_final, frame.fin);
        prop_assert!(!header.rsv1 && !header.rsv2 && !header.rsv3);
        prop_assert_eq!(u8::from(header.opcode), frame.opcode.code());
        prop_assert_eq!(header.mask, frame.mask);
        prop_assert_eq!(len, frame.payload.len() as u64);
        prop_assert_eq!(cursor.position() + len, wire.len() as u64);
    }

    /// Whole streams, fragments and control frames between them included,
    /// give tungstenite the messages they were built to carry.
    #[test]
    fn tungstenite_reads_our_streams_as_meant(s in gen::ws_stream()) {
        tungstenite_reads(&s)?;
    }
}

/// The frames the connection lanes send, at every length form, from both
/// ends: clients mask, servers do not.
#[test]
fn tungstenite_reads_what_each_end_sends() {
    for sender in [Sender::Client, Sender::Server] {
        let mut n = 0u8;
        let mut key = || {
            n = n.wrapping_add(1);
            (sender == Sender::Client).then_some([n, 0x5a, n.wrapping_mul(7), 0xa5])
        };
        let mut frames = Vec::new();
        let mut messages = Vec::new();
        for len in [0, 1, 125, 126, 127, 65535, 65536, 70000] {
            let text = gen::text_of_len("héllo ✓ ", len);
            frames.push(Frame { mask: key(), ..Frame::text(&text) });
            messages.push(WsMessage::Text(text));
            let bytes = gen::filler(len, len as u64);
            frames.push(Frame { mask: key(), ..Frame::binary(&bytes) });
            messages.push(WsMessage::Binary(bytes));
        }
        for control in [Frame::ping(b"ping"), Frame::pong(b"ping"), Frame::ping(&[0xff; 125])] {
            frames.push(Frame { mask: key(), ..control.clone() });
            messages.push(WsMessage::Control(control));
        }
        let close = match sender {
            Sender::Client => Frame::close(1000, "bye"),
            Sender::Server => Frame::close(1008, "token expired"),
        };
        frames.push(Frame { mask: key(), ..close.clone() });
        messages.push(WsMessage::Control(close));
        tungstenite_reads(&WsStream { sender, frames, messages }).unwrap();
    }
    for (code, reason) in [(1001, "going away"), (4000, ""), (3999, "é")] {
        let close = Frame::close(code, reason);
        let s =
            WsStream { sender: Sender::Server, frames: vec![close.clone()], messages: vec![WsMessage::Control(close)] };
        tungstenite_reads(&s).unwrap();
    }
}
