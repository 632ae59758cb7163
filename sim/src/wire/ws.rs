//! RFC 6455 WebSocket, exact to the byte: the opening handshake's keys
//! (§4), frames (§5.2) with their masking (§5.3), fragmentation (§5.4) and
//! close codes (§7.4), and the hex a user types to decode a frame by hand.
//!
//! Frames come from users (pasted hex, edited transcripts), so the parser is
//! as strict as RFC 6455 tells a receiver to be, and bounded: a header may
//! claim a 2^63-byte payload, so lengths are checked against
//! [`MAX_PAYLOAD`] before anything is read or reserved, and every position
//! is computed with checked or saturating arithmetic (`usize` is 32 bits on
//! wasm32).
#![deny(clippy::arithmetic_side_effects)]

use crate::base::quote::quoted;
use crate::wire::b64;
use sha1::{Digest, Sha1};
use std::fmt::{self, Write};

/// The GUID a server appends to the client's key before hashing it into
/// `Sec-WebSocket-Accept` (RFC 6455 §1.3); no WebSocket-unaware server would
/// know it, which is the point.
pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The largest payload a frame may claim here: 1 MiB. Frames claiming more
/// are refused from their header alone, before their payload is read, so a
/// hostile length costs nothing.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// The most payload a control frame carries (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
/// The key is hashed as sent, never decoded (RFC 6455 §4.2.2).
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(GUID.as_bytes());
    b64::encode_padded(&sha.finalize())
}

/// A `Sec-WebSocket-Key` from 16 random bytes: standard base64 with padding,
/// always 24 characters ending in `==`.
pub fn key_from_bytes(bytes: [u8; 16]) -> String {
    b64::encode_padded(&bytes)
}

/// The 16 bytes a `Sec-WebSocket-Key` carries, or `None` when it is not
/// base64 of exactly 16 bytes, which a server answers with 400 (RFC 6455
/// §4.2.1, item 4).
pub fn decode_key(key: &str) -> Option<[u8; 16]> {
    b64::decode_padded(key)?.try_into().ok()
}

/// A frame's opcode (RFC 6455 §5.2): the four low bits of its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opcode {
    /// 0x0: the next fragment of a message begun by a text or binary frame.
    Continuation,
    /// 0x1: UTF-8 text.
    Text,
    /// 0x2: bytes of the application's choosing.
    Binary,
    /// 0x8: the closing handshake, with an optional status code and reason.
    Close,
    /// 0x9: a keepalive or liveness check; the peer answers with a pong.
    Ping,
    /// 0xA: the answer to a ping, echoing its payload.
    Pong,
}

impl Opcode {
    /// The opcode's 4-bit value.
    pub fn code(self) -> u8 {
        match self {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
        }
    }

    /// The opcode for a 4-bit value; `None` for the reserved ones (0x3–0x7,
    /// 0xB–0xF) and anything wider than 4 bits.
    pub fn from_code(c: u8) -> Option<Opcode> {
        Some(match c {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            _ => return None,
        })
    }

    /// Its name in lower case, as messages and the decoded view write it:
    /// `continuation`, `text`, `binary`, `close`, `ping`, `pong`.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "continuation",
            Opcode::Text => "text",
            Opcode::Binary => "binary",
            Opcode::Close => "close",
            Opcode::Ping => "ping",
            Opcode::Pong => "pong",
        }
    }

    /// Whether this is a control frame (close, ping, pong: the high bit of
    /// the opcode set), which must be final and carry at most 125 bytes.
    pub fn is_control(self) -> bool {
        self.code() & 0x8 != 0
    }
}

/// One WebSocket frame. RSV1–3 are not fields: no extension is ever
/// negotiated here, so they are always 0 on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// FIN: the last frame of its message.
    pub fin: bool,
    /// What the payload is.
    pub opcode: Opcode,
    /// The masking key: `Some` on every frame a client sends, `None` on every
    /// frame a server sends (RFC 6455 §5.1).
    pub mask: Option<[u8; 4]>,
    /// The application bytes, unmasked; [`Frame::to_wire`] masks them.
    pub payload: Vec<u8>,
}

impl Frame {
    /// A final, unmasked text frame.
    pub fn text(text: &str) -> Frame {
        Frame { fin: true, opcode: Opcode::Text, mask: None, payload: text.as_bytes().to_vec() }
    }

    /// A final, unmasked binary frame.
    pub fn binary(bytes: &[u8]) -> Frame {
        Frame { fin: true, opcode: Opcode::Binary, mask: None, payload: bytes.to_vec() }
    }

    /// An unmasked ping. A payload past 125 bytes is cut there: a control
    /// frame cannot carry more, and a peer would fail the connection.
    pub fn ping(payload: &[u8]) -> Frame {
        Frame::control(Opcode::Ping, payload.get(..MAX_CONTROL_PAYLOAD).unwrap_or(payload).to_vec())
    }

    /// An unmasked pong; its payload is the ping's, cut as [`Frame::ping`] cuts.
    pub fn pong(payload: &[u8]) -> Frame {
        Frame::control(Opcode::Pong, payload.get(..MAX_CONTROL_PAYLOAD).unwrap_or(payload).to_vec())
    }

    /// An unmasked close frame: the code in two bytes, big-endian, then the
    /// reason's UTF-8. A reason past 123 bytes is cut at the last whole
    /// character that fits, for the 125-byte limit of control frames.
    pub fn close(code: u16, reason: &str) -> Frame {
        let mut end = reason.len().min(MAX_CONTROL_PAYLOAD.saturating_sub(2));
        while !reason.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let mut payload = Vec::with_capacity(end.saturating_add(2));
        payload.extend_from_slice(&code.to_be_bytes());
        payload.extend_from_slice(&reason.as_bytes()[..end]);
        Frame::control(Opcode::Close, payload)
    }

    fn control(opcode: Opcode, payload: Vec<u8>) -> Frame {
        Frame { fin: true, opcode, mask: None, payload }
    }

    /// The same frame masked with `key`, as a client sends it.
    pub fn masked(self, key: [u8; 4]) -> Frame {
        Frame { mask: Some(key), ..self }
    }

    /// The exact bytes on the wire, the payload XOR-masked when `mask` is set.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.wire_len());
        self.encode_into(&mut out);
        out
    }

    /// Appends the exact bytes on the wire to `out`, with no allocation of
    /// its own: load runs encode millions of frames into reused buffers.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.wire_len());
        let fin = if self.fin { 0x80 } else { 0 };
        out.push(fin | self.opcode.code());
        let mask_bit = if self.mask.is_some() { 0x80 } else { 0 };
        let len = self.payload.len();
        match LengthForm::of(len) {
            LengthForm::Short => out.push(mask_bit | len as u8),
            LengthForm::Medium => {
                out.push(mask_bit | 126);
                out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            LengthForm::Long => {
                out.push(mask_bit | 127);
                out.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        match self.mask {
            Some(key) => {
                out.extend_from_slice(&key);
                out.extend(self.payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
            }
            None => out.extend_from_slice(&self.payload),
        }
    }

    /// `to_wire().len()` without encoding.
    pub fn wire_len(&self) -> usize {
        let len = self.payload.len();
        let mask = if self.mask.is_some() { 4 } else { 0 };
        2usize.saturating_add(LengthForm::of(len).extra_bytes()).saturating_add(mask).saturating_add(len)
    }

    /// A close frame's status code; `None` for other frames and for a close
    /// without one (which the receiver reports as 1005).
    pub fn close_code(&self) -> Option<u16> {
        match (self.opcode, self.payload.as_slice()) {
            (Opcode::Close, [hi, lo, ..]) => Some(u16::from_be_bytes([*hi, *lo])),
            _ => None,
        }
    }

    /// A close frame's reason, when it has a code and the reason is UTF-8
    /// (possibly empty).
    pub fn close_reason(&self) -> Option<&str> {
        match (self.opcode, self.payload.as_slice()) {
            (Opcode::Close, [_, _, reason @ ..]) => std::str::from_utf8(reason).ok(),
            _ => None,
        }
    }

    /// A text frame's payload, when it is UTF-8 on its own (a fragment may
    /// end inside a character).
    pub fn text_payload(&self) -> Option<&str> {
        match self.opcode {
            Opcode::Text => std::str::from_utf8(&self.payload).ok(),
            _ => None,
        }
    }

    /// One line for transcripts and lists: the opcode and what it carries
    /// (`text {"type":"say"…}`, `close 1001 (going away)`, `ping`).
    pub fn summary(&self) -> String {
        match self.opcode {
            Opcode::Text => format!("text {}", String::from_utf8_lossy(&self.payload)),
            Opcode::Close => match self.close_code() {
                Some(code) => format!("close {code} ({})", close_code_meaning(code)),
                None => "close (no code)".to_owned(),
            },
            o => o.name().to_owned(),
        }
    }

    /// The decoded view, one `(field, value)` per line in wire order: FIN,
    /// RSV1-3, opcode, MASK, payload length with its form, masking key
    /// (masked frames only), then the payload: `payload` as text for text,
    /// `close code` and `close reason` for a close, hex (with the text beside
    /// it when it is UTF-8) for the rest. Hex stops after [`DESCRIBED_BYTES`]
    /// bytes and says how many more there are.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let mut lines = Vec::with_capacity(8);
        let fin =
            if self.fin { "1 (the final frame of its message)" } else { "0 (more frames of this message follow)" };
        lines.push(("FIN", fin.to_owned()));
        lines.push(("RSV1-3", "0 0 0 (no extension negotiated)".to_owned()));
        lines.push(("opcode", format!("{:#x} {}", self.opcode.code(), self.opcode.name())));
        let mask = match self.mask {
            Some(_) => "1 (masked: client to server)",
            None => "0 (unmasked: server to client)",
        };
        lines.push(("MASK", mask.to_owned()));
        let len = self.payload.len();
        let form = match LengthForm::of(len) {
            LengthForm::Short => "7-bit",
            LengthForm::Medium => "16-bit, 126 then 2 bytes",
            LengthForm::Long => "64-bit, 127 then 8 bytes",
        };
        lines.push(("payload length", format!("{len} ({form})")));
        if let Some(key) = self.mask {
            lines.push(("masking key", hex(&key)));
        }
        match self.opcode {
            Opcode::Close => match self.close_code() {
                Some(code) => {
                    lines.push(("close code", format!("{code} ({})", close_code_meaning(code))));
                    let reason = match self.close_reason() {
                        Some(reason) => reason.to_owned(),
                        None => format!("not UTF-8: {}", short_hex(&self.payload[2..])),
                    };
                    lines.push(("close reason", reason));
                }
                None if self.payload.is_empty() => {
                    lines.push(("payload", "empty: no close code (the receiver reports 1005)".to_owned()));
                }
                None => lines.push(("payload", format!("{} (a close code takes 2 bytes)", hex(&self.payload)))),
            },
            Opcode::Text if self.fin => lines.push((
                "payload",
                match self.text_payload() {
                    Some(text) => text.to_owned(),
                    None => format!("not UTF-8: {}", short_hex(&self.payload)),
                },
            )),
            _ => {
                let mut shown = short_hex(&self.payload);
                if let Ok(text) = std::str::from_utf8(&self.payload) {
                    if !text.is_empty() && self.payload.len() <= DESCRIBED_BYTES {
                        let _ = write!(shown, " (as text: {text})");
                    }
                }
                lines.push(("payload", shown));
            }
        }
        lines
    }
}

/// How many payload bytes [`Frame::describe`] shows in hex.
pub const DESCRIBED_BYTES: usize = 256;

fn short_hex(bytes: &[u8]) -> String {
    match bytes.split_at_checked(DESCRIBED_BYTES) {
        Some((shown, rest)) if !rest.is_empty() => format!("{} … and {} more bytes", hex(shown), rest.len()),
        _ if bytes.is_empty() => "empty".to_owned(),
        _ => hex(bytes),
    }
}

/// The three ways a frame writes its payload length (RFC 6455 §5.2); the
/// shortest that fits is the only one allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LengthForm {
    /// 0–125 in the 7 bits of the second byte.
    Short,
    /// 126, then 2 bytes: up to 65,535.
    Medium,
    /// 127, then 8 bytes: the rest.
    Long,
}

impl LengthForm {
    fn of(len: usize) -> LengthForm {
        match len {
            0..=125 => LengthForm::Short,
            126..=0xFFFF => LengthForm::Medium,
            _ => LengthForm::Long,
        }
    }

    fn extra_bytes(self) -> usize {
        match self {
            LengthForm::Short => 0,
            LengthForm::Medium => 2,
            LengthForm::Long => 8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            LengthForm::Short => "7-bit",
            LengthForm::Medium => "16-bit",
            LengthForm::Long => "64-bit",
        }
    }
}

/// Why bytes are not a valid frame (or stream of frames), and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    /// The 0-based byte offset in the input where the problem is seen: the
    /// header byte at fault, the payload byte, or for
    /// [`FrameErrorKind::Incomplete`] and stream-order errors the frame's
    /// first byte.
    pub offset: usize,
    /// What is wrong.
    pub kind: FrameErrorKind,
}

/// What is wrong with a frame, one case per rule of RFC 6455 a receiver
/// enforces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameErrorKind {
    /// The input ends before the frame does.
    Incomplete {
        /// Bytes the frame takes from its first byte (or at least takes,
        /// while its header is unfinished).
        needed: usize,
        /// Bytes there are from its first byte.
        given: usize,
        /// Whether `needed` is the frame's whole size (the length was read)
        /// or only what its header needs so far.
        exact: bool,
    },
    /// RSV1, RSV2 or RSV3 (the number) is set, but no extension gave it a meaning.
    ReservedBit(u8),
    /// An opcode RFC 6455 reserves (0x3–0x7, 0xB–0xF).
    ReservedOpcode(u8),
    /// A control frame with FIN clear: control frames are never fragmented.
    ControlNotFin(Opcode),
    /// A control frame claiming more than 125 bytes of payload.
    ControlTooLong {
        /// Which control frame.
        opcode: Opcode,
        /// The length it claims.
        len: u64,
    },
    /// A length written in a longer form than it needs (RFC 6455 §5.2).
    NonMinimalLength {
        /// The length written.
        len: u64,
        /// The extended form used: 16 or 64 (bits).
        bits: u8,
    },
    /// A 64-bit length with its most significant bit set.
    LengthHighBit,
    /// A payload longer than [`MAX_PAYLOAD`], refused unread.
    TooLong(u64),
    /// A close payload of exactly one byte: half a status code.
    CloseHalfCode,
    /// A close status code that may not appear in a close frame.
    BadCloseCode(u16),
    /// Text (of a text message or a close reason) that is not UTF-8.
    NotUtf8 {
        /// `text payload` or `close reason`.
        what: &'static str,
        /// The 0-based index in the frame's payload where the invalid
        /// sequence starts.
        at: usize,
    },
    /// A text message whose last frame ends inside a UTF-8 character.
    Utf8Unfinished,
    /// A continuation frame with no fragmented message open.
    StrayContinuation,
    /// A text or binary frame while a fragmented message is still open.
    Interleaved {
        /// The frame that came.
        opcode: Opcode,
        /// Where the open message's first frame starts.
        open_at: usize,
    },
    /// A frame after the sender's close frame.
    AfterClose {
        /// Where the close frame starts.
        close_at: usize,
    },
    /// An unmasked frame from a client (RFC 6455 §5.1: a server must close).
    Unmasked,
    /// A masked frame from a server (RFC 6455 §5.1: a client must close).
    MaskedByServer,
    /// Hand-typed frames that end inside a fragmented message: the receiver
    /// would wait for the rest, so nothing is sent.
    Unfinished {
        /// Where the open message's first frame starts.
        open_at: usize,
    },
    /// Hand-typed frames over [`MAX_TYPED`] bytes.
    TypedTooLong(usize),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.kind)
    }
}

impl fmt::Display for FrameErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FrameErrorKind::Incomplete { needed, given, exact } => {
                let at_least = if exact { "" } else { "at least " };
                write!(f, "the frame needs {at_least}{needed} bytes, only {given} given")
            }
            FrameErrorKind::ReservedBit(n) => write!(f, "RSV{n} is set but no extension was negotiated"),
            FrameErrorKind::ReservedOpcode(c) => write!(f, "reserved opcode {c:#x}"),
            FrameErrorKind::ControlNotFin(op) => {
                write!(f, "control frame ({}) not FIN: control frames are never fragmented (RFC 6455 §5.5)", op.name())
            }
            FrameErrorKind::ControlTooLong { opcode, len } => {
                write!(f, "control frame ({}) with {len} bytes of payload: at most 125", opcode.name())
            }
            FrameErrorKind::NonMinimalLength { len, bits } => {
                let shortest = LengthForm::of(usize::try_from(len).unwrap_or(usize::MAX)).name();
                write!(
                    f,
                    "a {bits}-bit length of {len} must use the {shortest} form (RFC 6455 §5.2: the minimal number of bytes)"
                )
            }
            FrameErrorKind::LengthHighBit => write!(f, "64-bit length with the most significant bit set"),
            FrameErrorKind::TooLong(len) => {
                write!(f, "a payload of {len} bytes is more than the {MAX_PAYLOAD} this reader takes")
            }
            FrameErrorKind::CloseHalfCode => write!(f, "close payload of 1 byte: a code takes 2"),
            FrameErrorKind::BadCloseCode(code) => write!(f, "{}", close_code_problem(code).unwrap_or("")),
            FrameErrorKind::NotUtf8 { what, at } => write!(f, "{what} is not UTF-8 at payload byte {at}"),
            FrameErrorKind::Utf8Unfinished => write!(f, "the text message ends inside a UTF-8 character"),
            FrameErrorKind::StrayContinuation => write!(f, "continuation frame with no fragmented message to continue"),
            FrameErrorKind::Interleaved { opcode, open_at } => write!(
                f,
                "{} frame while the fragmented message begun at byte {open_at} is open: a continuation frame must come next (RFC 6455 §5.4)",
                opcode.name()
            ),
            FrameErrorKind::AfterClose { close_at } => write!(
                f,
                "a frame after the close frame at byte {close_at}: an endpoint sends nothing after its close (RFC 6455 §5.5.1)"
            ),
            FrameErrorKind::Unmasked => {
                write!(f, "a client's frame must be masked (RFC 6455 §5.1: the server closes the connection)")
            }
            FrameErrorKind::MaskedByServer => {
                write!(f, "a server's frame must not be masked (RFC 6455 §5.1: the client closes the connection)")
            }
            FrameErrorKind::Unfinished { open_at } => write!(
                f,
                "the bytes end inside the fragmented message begun at byte {open_at}: its last frame must have FIN set, or the server waits for the rest"
            ),
            FrameErrorKind::TypedTooLong(n) => write!(f, "{n} bytes typed: a hand-typed frame is at most {MAX_TYPED} bytes"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Parses one frame from the start of `bytes`; returns it and how many bytes
/// it took. Strict as RFC 6455 asks of a receiver: see [`parse_frame_from`].
pub fn parse_frame(bytes: &[u8]) -> Result<(Frame, usize), FrameError> {
    parse_frame_from(bytes, 0)
}

/// Parses one frame starting at `bytes[start..]`; returns it and how many
/// bytes it took, and errors name offsets in the whole of `bytes`.
///
/// Refused: RSV bits (no extension is negotiated here), reserved opcodes,
/// fragmented or over-125-byte control frames, lengths not in their shortest
/// form or with the top bit set, payloads over [`MAX_PAYLOAD`], a close
/// payload of one byte, close codes no endpoint may send, and text (or close
/// reasons) that is not UTF-8 — for a text frame that is not final, only
/// invalid sequences, since a fragment may end inside a character. Checks
/// run in wire order and each as soon as its bytes are there, so a header
/// is judged before its payload arrives.
pub fn parse_frame_from(bytes: &[u8], start: usize) -> Result<(Frame, usize), FrameError> {
    let input = bytes.get(start..).unwrap_or_default();
    let at = |i: usize| start.saturating_add(i);
    let fail = |i: usize, kind| Err(FrameError { offset: at(i), kind });
    let incomplete = |needed, exact| fail(0, FrameErrorKind::Incomplete { needed, given: input.len(), exact });

    let Some(&b0) = input.first() else { return incomplete(2, false) };
    let rsv = (b0 >> 4) & 0x7;
    if rsv != 0 {
        // RSV1 is the highest of the three bits.
        let first = 3u8.saturating_sub(rsv.ilog2() as u8);
        return fail(0, FrameErrorKind::ReservedBit(first));
    }
    let Some(opcode) = Opcode::from_code(b0 & 0x0F) else {
        return fail(0, FrameErrorKind::ReservedOpcode(b0 & 0x0F));
    };
    let fin = b0 & 0x80 != 0;
    if opcode.is_control() && !fin {
        return fail(0, FrameErrorKind::ControlNotFin(opcode));
    }

    let Some(&b1) = input.get(1) else { return incomplete(2, false) };
    let masked = b1 & 0x80 != 0;
    let form = match b1 & 0x7F {
        126 => LengthForm::Medium,
        127 => LengthForm::Long,
        _ => LengthForm::Short,
    };
    let mask_len = if masked { 4 } else { 0 };
    let length_end = 2usize.saturating_add(form.extra_bytes());
    let header_len = length_end.saturating_add(mask_len);
    let Some(extended) = input.get(2..length_end) else { return incomplete(header_len, false) };
    let len: u64 = match form {
        LengthForm::Short => u64::from(b1 & 0x7F),
        LengthForm::Medium => {
            let len = u64::from(u16::from_be_bytes([extended[0], extended[1]]));
            if len < 126 {
                return fail(1, FrameErrorKind::NonMinimalLength { len, bits: 16 });
            }
            len
        }
        LengthForm::Long => {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(extended);
            let len = u64::from_be_bytes(eight);
            if len >> 63 != 0 {
                return fail(2, FrameErrorKind::LengthHighBit);
            }
            if len <= 0xFFFF {
                return fail(1, FrameErrorKind::NonMinimalLength { len, bits: 64 });
            }
            len
        }
    };
    if opcode.is_control() && len > MAX_CONTROL_PAYLOAD as u64 {
        return fail(1, FrameErrorKind::ControlTooLong { opcode, len });
    }
    let payload_len = match usize::try_from(len) {
        Ok(n) if n <= MAX_PAYLOAD => n,
        _ => return fail(1, FrameErrorKind::TooLong(len)),
    };
    // Both terms are bounded (14 and 1 MiB): this cannot saturate.
    let total = header_len.saturating_add(payload_len);
    let (Some(header), Some(wire_payload)) = (input.get(..header_len), input.get(header_len..total)) else {
        return incomplete(total, true);
    };

    let mask = masked.then(|| {
        let mut key = [0u8; 4];
        key.copy_from_slice(&header[length_end..]);
        key
    });
    let payload: Vec<u8> = match mask {
        Some(key) => wire_payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k).collect(),
        None => wire_payload.to_vec(),
    };

    let payload_at = |i: usize| header_len.saturating_add(i);
    match opcode {
        Opcode::Close => match payload.as_slice() {
            [_] => return fail(payload_at(0), FrameErrorKind::CloseHalfCode),
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                if close_code_problem(code).is_some() {
                    return fail(payload_at(0), FrameErrorKind::BadCloseCode(code));
                }
                if let Err(e) = std::str::from_utf8(reason) {
                    let at = e.valid_up_to().saturating_add(2);
                    return fail(payload_at(at), FrameErrorKind::NotUtf8 { what: "close reason", at });
                }
            }
            [] => {}
        },
        Opcode::Text => {
            let checked = if fin { utf8_whole(&payload) } else { Utf8Carry::default().continue_with(&payload) };
            if let Err(at) = checked {
                return fail(payload_at(at), FrameErrorKind::NotUtf8 { what: "text payload", at });
            }
        }
        _ => {}
    }
    Ok((Frame { fin, opcode, mask, payload }, total))
}

fn utf8_whole(bytes: &[u8]) -> Result<(), usize> {
    std::str::from_utf8(bytes).map(drop).map_err(|e| e.valid_up_to())
}

/// The start of a UTF-8 character left unfinished at the end of a text
/// fragment, which the next fragment must finish.
#[derive(Default)]
struct Utf8Carry {
    bytes: [u8; 4],
    len: usize,
}

impl Utf8Carry {
    /// Checks that `payload` continues the text validly; on failure, the
    /// index in `payload` where the invalid sequence starts (0 when it is the
    /// carried character that `payload` fails to finish).
    fn continue_with(&mut self, payload: &[u8]) -> Result<(), usize> {
        let mut rest = payload;
        let mut consumed = 0usize;
        if self.len > 0 {
            let width: usize = match self.bytes[0] {
                0xF0..=0xF7 => 4,
                0xE0..=0xEF => 3,
                _ => 2,
            };
            let take = width.saturating_sub(self.len).min(payload.len());
            let mut char_bytes = self.bytes;
            let end = self.len.saturating_add(take);
            char_bytes[self.len..end].copy_from_slice(&payload[..take]);
            match std::str::from_utf8(&char_bytes[..end]) {
                Ok(_) => self.len = 0,
                Err(e) if e.error_len().is_none() => {
                    // Still unfinished: `payload` was shorter than the character.
                    self.bytes = char_bytes;
                    self.len = end;
                    return Ok(());
                }
                Err(_) => return Err(0),
            }
            rest = &payload[take..];
            consumed = take;
        }
        match std::str::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_none() => {
                let tail = &rest[e.valid_up_to()..];
                self.bytes[..tail.len()].copy_from_slice(tail);
                self.len = tail.len();
                Ok(())
            }
            Err(e) => Err(consumed.saturating_add(e.valid_up_to())),
        }
    }
}

/// Who sent a stream of frames, for the masking rule (RFC 6455 §5.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// A browser or other client: every frame masked.
    Client,
    /// A server: no frame masked.
    Server,
}

/// Parses a whole stream of frames (one direction of a transcript), each as
/// [`parse_frame_from`] does, and holds the stream to the rules between
/// frames: a continuation only inside a fragmented message, no new text or
/// binary frame until it ends (control frames may come between fragments),
/// a fragmented text message UTF-8 as a whole, and nothing after a close.
/// A stream may end inside a message: the connection may have dropped.
/// Errors name the byte offset in the whole stream.
pub fn parse_frames(bytes: &[u8]) -> Result<Vec<Frame>, FrameError> {
    parse_stream(bytes, None)
}

/// [`parse_frames`], and every frame masked as `sender` must mask it.
pub fn parse_frames_sent_by(bytes: &[u8], sender: Sender) -> Result<Vec<Frame>, FrameError> {
    parse_stream(bytes, Some(sender))
}

/// The most bytes of frames a user may type by hand.
pub const MAX_TYPED: usize = 4096;

/// Frames a user typed by hand for a client to send: at least one, at most
/// [`MAX_TYPED`] bytes, each as [`parse_frames_sent_by`] takes a client's
/// (so masked), and every fragmented message finished, since a receiver
/// would wait for the rest. Errors name the byte offset.
pub fn parse_typed_frames(bytes: &[u8]) -> Result<Vec<Frame>, FrameError> {
    if bytes.len() > MAX_TYPED {
        return Err(FrameError { offset: MAX_TYPED, kind: FrameErrorKind::TypedTooLong(bytes.len()) });
    }
    if bytes.is_empty() {
        return Err(FrameError { offset: 0, kind: FrameErrorKind::Incomplete { needed: 2, given: 0, exact: false } });
    }
    let frames = parse_frames_sent_by(bytes, Sender::Client)?;
    let (mut at, mut open_at) = (0usize, None);
    for f in &frames {
        match f.opcode {
            Opcode::Text | Opcode::Binary if !f.fin => open_at = Some(at),
            Opcode::Continuation if f.fin => open_at = None,
            _ => {}
        }
        at = at.saturating_add(f.wire_len());
    }
    match open_at {
        Some(open_at) => Err(FrameError { offset: bytes.len(), kind: FrameErrorKind::Unfinished { open_at } }),
        None => Ok(frames),
    }
}

fn parse_stream(bytes: &[u8], sender: Option<Sender>) -> Result<Vec<Frame>, FrameError> {
    let mut frames = Vec::new();
    let mut pos = 0usize;
    // The open fragmented message: where it began, and for text the
    // character its last fragment left unfinished.
    let mut open: Option<(usize, Option<Utf8Carry>)> = None;
    let mut close_at = None;
    while pos < bytes.len() {
        let fail = |offset: usize, kind| Err(FrameError { offset, kind });
        if let Some(close_at) = close_at {
            return fail(pos, FrameErrorKind::AfterClose { close_at });
        }
        let (frame, taken) = parse_frame_from(bytes, pos)?;
        match (sender, frame.mask) {
            (Some(Sender::Client), None) => return fail(pos.saturating_add(1), FrameErrorKind::Unmasked),
            (Some(Sender::Server), Some(_)) => return fail(pos.saturating_add(1), FrameErrorKind::MaskedByServer),
            _ => {}
        }
        let payload_start = pos.saturating_add(taken.saturating_sub(frame.payload.len()));
        match frame.opcode {
            Opcode::Continuation => {
                let Some((_, carry)) = open.as_mut() else { return fail(pos, FrameErrorKind::StrayContinuation) };
                if let Some(carry) = carry {
                    if let Err(at) = carry.continue_with(&frame.payload) {
                        return fail(
                            payload_start.saturating_add(at),
                            FrameErrorKind::NotUtf8 { what: "text payload", at },
                        );
                    }
                    if frame.fin && carry.len > 0 {
                        return fail(payload_start.saturating_add(frame.payload.len()), FrameErrorKind::Utf8Unfinished);
                    }
                }
                if frame.fin {
                    open = None;
                }
            }
            Opcode::Text | Opcode::Binary => {
                if let Some((open_at, _)) = open {
                    return fail(pos, FrameErrorKind::Interleaved { opcode: frame.opcode, open_at });
                }
                if !frame.fin {
                    let carry = (frame.opcode == Opcode::Text).then(|| {
                        let mut carry = Utf8Carry::default();
                        // parse_frame_from has refused invalid sequences already.
                        let _ = carry.continue_with(&frame.payload);
                        carry
                    });
                    open = Some((pos, carry));
                }
            }
            Opcode::Close => close_at = Some(pos),
            Opcode::Ping | Opcode::Pong => {}
        }
        frames.push(frame);
        pos = pos.saturating_add(taken);
    }
    Ok(frames)
}

/// Why a close code may not be sent in a close frame (RFC 6455 §7.4), or
/// `None` when it may. Registered codes (1000–1003, 1007–1014), the IANA
/// range for libraries (3000–3999) and private use (4000–4999) may.
fn close_code_problem(code: u16) -> Option<&'static str> {
    match code {
        0..=999 => Some("close codes below 1000 are not used (RFC 6455 §7.4.2)"),
        1004 => Some("close code 1004 is reserved (RFC 6455 §7.4.1)"),
        1005 => Some("close code 1005 must not be sent: it is how an endpoint reports a close frame without a code"),
        1006 => Some("close code 1006 must not be sent: it is how an endpoint reports a connection that dropped"),
        1015 => Some("close code 1015 must not be sent: it is how an endpoint reports a failed TLS handshake"),
        1016..=2999 => {
            Some("close codes 1016-2999 are reserved for the protocol and none is assigned (RFC 6455 §7.4.2)")
        }
        5000.. => Some("close codes end at 4999 (RFC 6455 §7.4.2)"),
        _ => None,
    }
}

/// What a close status code means, per RFC 6455 §7.4.1 and the IANA
/// registry, for a person reading a transcript.
pub fn close_code_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1004 => "reserved",
        1005 => "no status code (never on the wire: the close frame had no code)",
        1006 => "abnormal closure (no close frame: the connection dropped)",
        1007 => "invalid payload data (e.g. text that is not UTF-8)",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension missing",
        1011 => "internal server error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS handshake failure (never on the wire)",
        0..=999 => "not used",
        1016..=2999 => "reserved for the protocol (unassigned)",
        3000..=3999 => "registered for libraries and frameworks (IANA)",
        4000..=4999 => "private use (agreed between the applications)",
        _ => "out of range",
    }
}

/// Why typed hex is not bytes, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexError {
    /// 1-based line of the typed text.
    pub line: u32,
    /// 1-based column (in characters) on that line.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for HexError {}

/// Hex as a user types or pastes it: `81 85 37fa213d`, `0x81, 0x85`, or what
/// [`hex`] writes. Whitespace and commas separate groups; each group is an
/// optional `0x` (or `0X`) then an even number of hex digits in either case,
/// so a byte never straddles a space and `8 1` is an error, not `0x81`.
/// Errors give the line and column of the bad character, or of the start of
/// a group with an odd number of digits.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let (mut line, mut column) = (1u32, 0u32);
    // The column where the group being read starts, and the first digit of
    // a byte half read.
    let mut group: Option<u32> = None;
    let mut half: Option<u8> = None;
    let mut digits = 0usize;
    let odd = |line, column, digits: usize| HexError {
        line,
        column,
        message: match digits {
            1 => "this group has 1 hex digit: a byte takes 2 (write 0a, not a)".to_owned(),
            n => format!("this group has {n} hex digits, an odd number: a byte takes 2 (write 0a, not a)"),
        },
    };
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        column = column.saturating_add(1);
        if c.is_whitespace() || c == ',' {
            if let Some(start) = group.take() {
                if half.is_some() {
                    return Err(odd(line, start, digits));
                }
            }
            if c == '\n' {
                line = line.saturating_add(1);
                column = 0;
            }
            continue;
        }
        if group.is_none() {
            group = Some(column);
            digits = 0;
            if c == '0' && matches!(chars.peek(), Some((_, 'x' | 'X'))) {
                chars.next();
                column = column.saturating_add(1);
                if chars.peek().is_none_or(|&(_, c)| c.is_whitespace() || c == ',') {
                    return Err(HexError { line, column, message: "`0x` with no hex digits after it".to_owned() });
                }
                continue;
            }
        }
        let Some(value) = c.to_digit(16) else {
            let message = match c {
                'x' | 'X' => format!("`{c}` inside a group: `0x` may only start one"),
                _ => format!("`{}` is not a hex digit (0-9, a-f)", quoted(c.encode_utf8(&mut [0; 4]))),
            };
            return Err(HexError { line, column, message });
        };
        digits = digits.saturating_add(1);
        // to_digit(16) is below 16, so the cast and shift are exact.
        let value = value as u8;
        match half.take() {
            Some(high) => out.push(high << 4 | value),
            None => half = Some(value),
        }
    }
    if let (Some(start), Some(_)) = (group, half) {
        return Err(odd(line, start, digits));
    }
    Ok(out)
}

/// Bytes as lowercase hex, a space between bytes and 16 bytes a line
/// (joined by `\n`, none at the end), as the page's hex view and most hex
/// dumps show them. [`parse_hex`] reads it back.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().saturating_mul(3));
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(if i % 16 == 0 { '\n' } else { ' ' });
        }
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Vec<u8> {
        parse_hex(text).unwrap()
    }

    fn kind(bytes: &[u8]) -> FrameErrorKind {
        parse_frame(bytes).unwrap_err().kind
    }

    #[test]
    fn rfc6455_section_1_3_accept_key() {
        assert_eq!(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(key_from_bytes(*b"the sample nonce"), "dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(decode_key("dGhlIHNhbXBsZSBub25jZQ=="), Some(*b"the sample nonce"));
        assert_eq!(decode_key("dGhlIHNhbXBsZQ=="), None, "10 bytes, not 16");
        assert_eq!(decode_key("dGhlIHNhbXBsZSBub25jZQ"), None, "padding is part of the key");
    }

    #[test]
    fn rfc6455_section_5_7_examples_byte_for_byte() {
        // A single-frame unmasked text message.
        let hello = Frame::text("Hello");
        assert_eq!(hello.to_wire(), bytes("81 05 48 65 6c 6c 6f"));
        assert_eq!(parse_frame(&hello.to_wire()), Ok((hello.clone(), 7)));
        // A single-frame masked text message.
        let masked = hello.clone().masked([0x37, 0xfa, 0x21, 0x3d]);
        let wire = bytes("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        assert_eq!(masked.to_wire(), wire);
        assert_eq!(parse_frame(&wire), Ok((masked, 11)));
        // A fragmented unmasked text message: "Hel" then "lo".
        let stream = bytes("01 03 48 65 6c 80 02 6c 6f");
        let frames = parse_frames(&stream).unwrap();
        assert_eq!(frames.len(), 2);
        assert!(!frames[0].fin && frames[0].opcode == Opcode::Text && frames[0].payload == b"Hel");
        assert!(frames[1].fin && frames[1].opcode == Opcode::Continuation && frames[1].payload == b"lo");
        // Unmasked ping and masked pong, each "Hello".
        assert_eq!(Frame::ping(b"Hello").to_wire(), bytes("89 05 48 65 6c 6c 6f"));
        let pong = bytes("8a 85 37 fa 21 3d 7f 9f 4d 51 58");
        assert_eq!(Frame::pong(b"Hello").masked([0x37, 0xfa, 0x21, 0x3d]).to_wire(), pong);
        assert_eq!(parse_frame(&pong).unwrap().0.payload, b"Hello");
        // 256 bytes binary in a single unmasked frame: 82 7E 0100.
        let wire = Frame::binary(&[7; 256]).to_wire();
        assert_eq!(wire[..4], [0x82, 0x7e, 0x01, 0x00]);
        assert_eq!(wire.len(), 4 + 256);
        // 64 KiB binary in a single unmasked frame: 82 7F 0000000000010000.
        let frame = Frame::binary(&[7; 65536]);
        let wire = frame.to_wire();
        assert_eq!(wire[..10], bytes("82 7f 00 00 00 00 00 01 00 00")[..]);
        assert_eq!(wire.len(), frame.wire_len());
        assert_eq!(parse_frame(&wire), Ok((frame, 10 + 65536)));
    }

    #[test]
    fn lengths_take_the_shortest_form_at_every_boundary() {
        for (len, header) in [(0, 2), (125, 2), (126, 4), (65535, 4), (65536, 10)] {
            for mask in [None, Some([1, 2, 3, 4])] {
                let frame = Frame { fin: true, opcode: Opcode::Binary, mask, payload: vec![0xAB; len] };
                let wire = frame.to_wire();
                let extra = if mask.is_some() { 4 } else { 0 };
                assert_eq!(wire.len(), header + extra + len);
                assert_eq!(frame.wire_len(), wire.len());
                assert_eq!(parse_frame(&wire), Ok((frame, wire.len())));
            }
        }
    }

    #[test]
    fn encode_into_appends() {
        let mut out = vec![0xEE];
        Frame::text("hi").encode_into(&mut out);
        Frame::close(1000, "bye").masked([0; 4]).encode_into(&mut out);
        assert_eq!(out, bytes("ee 81 02 68 69 88 85 00000000 03 e8 62 79 65"));
    }

    #[test]
    fn header_errors_name_the_byte_and_the_rule() {
        let cases: &[(&str, &str)] = &[
            (
                "81 7e 00 64",
                "byte 1: a 16-bit length of 100 must use the 7-bit form (RFC 6455 §5.2: the minimal number of bytes)",
            ),
            (
                "82 7f 00 00 00 00 00 00 01 2c",
                "byte 1: a 64-bit length of 300 must use the 16-bit form (RFC 6455 §5.2: the minimal number of bytes)",
            ),
            ("c1 00", "byte 0: RSV1 is set but no extension was negotiated"),
            ("a1 00", "byte 0: RSV2 is set but no extension was negotiated"),
            ("91 00", "byte 0: RSV3 is set but no extension was negotiated"),
            ("83 00", "byte 0: reserved opcode 0x3"),
            ("8b 00", "byte 0: reserved opcode 0xb"),
            ("89 7e 01 2c", "byte 1: control frame (ping) with 300 bytes of payload: at most 125"),
            ("09 00", "byte 0: control frame (ping) not FIN: control frames are never fragmented (RFC 6455 §5.5)"),
            ("88 01 03", "byte 2: close payload of 1 byte: a code takes 2"),
            (
                "88 02 03 ed",
                "byte 2: close code 1005 must not be sent: it is how an endpoint reports a close frame without a code",
            ),
            ("88 02 03 ec", "byte 2: close code 1004 is reserved (RFC 6455 §7.4.1)"),
            ("88 02 13 88", "byte 2: close codes end at 4999 (RFC 6455 §7.4.2)"),
            ("88 04 03 e8 61 ff", "byte 5: close reason is not UTF-8 at payload byte 3"),
            ("81 05 61 62 63 ff 64", "byte 5: text payload is not UTF-8 at payload byte 3"),
            ("82 7f 80 00 00 00 00 00 00 00", "byte 2: 64-bit length with the most significant bit set"),
            (
                "82 7f 00 00 00 00 00 10 00 01",
                "byte 1: a payload of 1048577 bytes is more than the 1048576 this reader takes",
            ),
            ("81 8a 01 02 03 04 05", "byte 0: the frame needs 16 bytes, only 7 given"),
            ("81 8a 01", "byte 0: the frame needs 16 bytes, only 3 given"),
            ("82 7f 00", "byte 0: the frame needs at least 10 bytes, only 3 given"),
            ("81", "byte 0: the frame needs at least 2 bytes, only 1 given"),
            ("", "byte 0: the frame needs at least 2 bytes, only 0 given"),
        ];
        for (hex, message) in cases {
            assert_eq!(parse_frame(&bytes(hex)).unwrap_err().to_string(), *message, "{hex}");
        }
        // The header is judged before the payload arrives.
        assert_eq!(kind(&bytes("82 7f 7f ff ff ff ff ff ff ff")), FrameErrorKind::TooLong(u64::MAX >> 1));
        assert_eq!(kind(&bytes("8a fe ff ff")), FrameErrorKind::ControlTooLong { opcode: Opcode::Pong, len: 65535 });
    }

    #[test]
    fn close_codes_that_may_be_sent() {
        for code in [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999] {
            let frame = Frame::close(code, "x");
            assert_eq!(parse_frame(&frame.to_wire()).map(|(f, _)| f.close_code()), Ok(Some(code)));
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, u16::MAX] {
            assert_eq!(kind(&Frame::close(code, "").to_wire()), FrameErrorKind::BadCloseCode(code));
        }
        let empty = Frame { payload: vec![], ..Frame::close(1000, "") };
        assert_eq!(parse_frame(&empty.to_wire()).unwrap().0.close_code(), None);
    }

    #[test]
    fn control_payloads_are_cut_to_fit() {
        let long = "é".repeat(100);
        let close = Frame::close(1000, &long);
        assert_eq!(close.payload.len(), 124, "122 bytes of whole characters after the code");
        assert_eq!(close.close_reason(), Some(&long[..122]));
        assert_eq!(Frame::ping(&[1; 300]).payload.len(), 125);
        assert!(parse_frame(&close.to_wire()).is_ok());
    }

    #[test]
    fn fragmented_text_is_utf8_as_a_whole() {
        // "é" (c3 a9) split across two fragments, with a ping between them.
        let split = bytes("01 01 c3 89 00 80 01 a9");
        let frames = parse_frames(&split).unwrap();
        assert_eq!(
            frames.iter().map(|f| f.opcode).collect::<Vec<_>>(),
            [Opcode::Text, Opcode::Ping, Opcode::Continuation]
        );
        // A 4-byte character over three fragments.
        assert!(parse_frames(&bytes("01 01 f0 00 02 9f 98 80 01 80")).is_ok());
        let bad_continuation = bytes("01 01 c3 80 01 41");
        assert_eq!(
            parse_frames(&bad_continuation).unwrap_err().to_string(),
            "byte 5: text payload is not UTF-8 at payload byte 0"
        );
        let unfinished = bytes("01 01 61 80 01 c3");
        assert_eq!(
            parse_frames(&unfinished).unwrap_err().to_string(),
            "byte 6: the text message ends inside a UTF-8 character"
        );
        assert_eq!(kind(&bytes("01 02 61 ff")), FrameErrorKind::NotUtf8 { what: "text payload", at: 1 });
        assert_eq!(kind(&bytes("81 01 c3")), FrameErrorKind::NotUtf8 { what: "text payload", at: 0 });
    }

    #[test]
    fn streams_are_held_to_the_order_of_frames() {
        let cases: &[(&str, &str)] = &[
            ("80 00", "byte 0: continuation frame with no fragmented message to continue"),
            ("01 01 61 81 00", "byte 3: text frame while the fragmented message begun at byte 0 is open: a continuation frame must come next (RFC 6455 §5.4)"),
            ("88 00 89 00", "byte 2: a frame after the close frame at byte 0: an endpoint sends nothing after its close (RFC 6455 §5.5.1)"),
            ("81 00 81 7e 00 01", "byte 3: a 16-bit length of 1 must use the 7-bit form (RFC 6455 §5.2: the minimal number of bytes)"),
            ("81 00 81", "byte 2: the frame needs at least 2 bytes, only 1 given"),
        ];
        for (hex, message) in cases {
            assert_eq!(parse_frames(&bytes(hex)).unwrap_err().to_string(), *message, "{hex}");
        }
        assert_eq!(parse_frames(&[]), Ok(vec![]));
        let client = [Frame::text("hi").masked([9, 8, 7, 6]), Frame::close(1000, "bye").masked([1, 1, 1, 1])];
        let wire: Vec<u8> = client.iter().flat_map(Frame::to_wire).collect();
        assert_eq!(parse_frames_sent_by(&wire, Sender::Client).as_deref(), Ok(&client[..]));
        assert_eq!(
            parse_frames_sent_by(&wire, Sender::Server).unwrap_err().to_string(),
            "byte 1: a server's frame must not be masked (RFC 6455 §5.1: the client closes the connection)"
        );
        let server = Frame::text("hi").to_wire();
        assert_eq!(parse_frames_sent_by(&server, Sender::Client).unwrap_err().kind, FrameErrorKind::Unmasked);
    }

    #[test]
    fn describe_reads_like_the_rfc() {
        let masked = Frame::text("Hello").masked([0x37, 0xfa, 0x21, 0x3d]);
        let lines = masked.describe();
        let fields: Vec<_> = lines.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["FIN", "RSV1-3", "opcode", "MASK", "payload length", "masking key", "payload"]);
        assert_eq!(lines[2].1, "0x1 text");
        assert_eq!(lines[4].1, "5 (7-bit)");
        assert_eq!(lines[5].1, "37 fa 21 3d");
        assert_eq!(lines[6].1, "Hello");
        let length = |n| Frame::binary(&vec![0; n]).describe()[4].1.clone();
        assert_eq!(length(300), "300 (16-bit, 126 then 2 bytes)");
        assert_eq!(length(70000), "70000 (64-bit, 127 then 8 bytes)");
        let close = Frame::close(1001, "going away").describe();
        assert_eq!(close[5], ("close code", "1001 (going away)".to_owned()));
        assert_eq!(close[6], ("close reason", "going away".to_owned()));
        assert_eq!(Frame::ping(b"ping").describe()[5].1, "70 69 6e 67 (as text: ping)");
        assert!(Frame::binary(&[0; 300]).describe()[5].1.ends_with("… and 44 more bytes"));
    }

    #[test]
    fn close_code_meanings() {
        assert_eq!(close_code_meaning(1000), "normal closure");
        assert_eq!(close_code_meaning(1001), "going away");
        assert_eq!(close_code_meaning(1008), "policy violation");
        assert_eq!(close_code_meaning(1006), "abnormal closure (no close frame: the connection dropped)");
        assert_eq!(close_code_meaning(4321), "private use (agreed between the applications)");
    }

    #[test]
    fn opcodes_round_trip() {
        for c in 0..=255u8 {
            if let Some(op) = Opcode::from_code(c) {
                assert_eq!(op.code(), c);
                assert_eq!(op.is_control(), c >= 8);
            }
        }
        assert_eq!(Opcode::from_code(0x1A), None);
    }

    #[test]
    fn hex_reads_what_people_type() {
        assert_eq!(bytes("81 85 37fa213d"), [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d]);
        assert_eq!(bytes("0x81, 0X85,0xAb\n\t 00"), [0x81, 0x85, 0xab, 0x00]);
        assert_eq!(bytes("  "), [] as [u8; 0]);
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(hex(&all[..17]), "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n10");
        assert_eq!(bytes(&hex(&all)), all);
        let error = |text: &str| parse_hex(text).unwrap_err().to_string();
        assert_eq!(error("81 8g"), "line 1, column 5: `g` is not a hex digit (0-9, a-f)");
        assert_eq!(
            error("81\n abc 00"),
            "line 2, column 2: this group has 3 hex digits, an odd number: a byte takes 2 (write 0a, not a)"
        );
        assert_eq!(error("8 1"), "line 1, column 1: this group has 1 hex digit: a byte takes 2 (write 0a, not a)");
        assert_eq!(error("0x"), "line 1, column 2: `0x` with no hex digits after it");
        assert_eq!(error("81 0x0x1"), "line 1, column 7: `x` inside a group: `0x` may only start one");
        assert_eq!(error("\u{202e}"), "line 1, column 1: `\\u{202e}` is not a hex digit (0-9, a-f)");
    }

    #[test]
    fn typed_frames_are_a_client_s_finished_messages() {
        // RFC 6455 §5.7's masked ping "Hello", then a fragmented masked text "Hel" + "lo".
        let ping = "89 85 37 fa 21 3d 7f 9f 4d 51 58";
        let hel = Frame { fin: false, ..Frame::text("Hel") }.masked([1, 2, 3, 4]).to_wire();
        let lo = Frame { fin: true, opcode: Opcode::Continuation, mask: None, payload: b"lo".to_vec() }
            .masked([5, 6, 7, 8])
            .to_wire();
        let frames = parse_typed_frames(&[bytes(ping), hel.clone(), lo].concat()).unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].opcode, Opcode::Ping);
        let unfinished = parse_typed_frames(&[bytes(ping), hel.clone()].concat()).unwrap_err();
        assert_eq!(unfinished.kind, FrameErrorKind::Unfinished { open_at: 11 });
        assert_eq!(unfinished.offset, 11 + hel.len());
        assert!(unfinished.to_string().contains("begun at byte 11"), "{unfinished}");
        // A server's frame, unmasked, is refused at its second byte, naming the rule.
        let e = parse_typed_frames(&bytes("81 05 48 65 6c 6c 6f")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "byte 1: a client's frame must be masked (RFC 6455 §5.1: the server closes the connection)"
        );
        assert_eq!(
            parse_typed_frames(&[]).unwrap_err().to_string(),
            "byte 0: the frame needs at least 2 bytes, only 0 given"
        );
        let long = parse_typed_frames(&vec![0x89; MAX_TYPED + 1]).unwrap_err();
        assert_eq!(long.kind, FrameErrorKind::TypedTooLong(MAX_TYPED + 1));
    }
}
