//! TEMPORARY stand-in for the WebSocket wire module (replaced by the ws-wire branch).
#![allow(missing_docs)]

use sha1::{Digest, Sha1};

pub const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

pub fn accept_key(key: &str) -> String {
    let mut h = Sha1::new();
    h.update(key.as_bytes());
    h.update(GUID.as_bytes());
    std_b64(&h.finalize())
}

pub fn key_from_bytes(bytes: [u8; 16]) -> String {
    std_b64(&bytes)
}

fn std_b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opcode {
    Continuation,
    Text,
    Binary,
    Close,
    Ping,
    Pong,
}

impl Opcode {
    pub fn code(self) -> u8 {
        match self {
            Opcode::Continuation => 0,
            Opcode::Text => 1,
            Opcode::Binary => 2,
            Opcode::Close => 8,
            Opcode::Ping => 9,
            Opcode::Pong => 10,
        }
    }
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub opcode: Opcode,
    pub mask: Option<[u8; 4]>,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn text(text: &str) -> Frame {
        Frame { fin: true, opcode: Opcode::Text, mask: None, payload: text.as_bytes().to_vec() }
    }
    pub fn ping(payload: &[u8]) -> Frame {
        Frame { fin: true, opcode: Opcode::Ping, mask: None, payload: payload.to_vec() }
    }
    pub fn pong(payload: &[u8]) -> Frame {
        Frame { fin: true, opcode: Opcode::Pong, mask: None, payload: payload.to_vec() }
    }
    pub fn close(code: u16, reason: &str) -> Frame {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        Frame { fin: true, opcode: Opcode::Close, mask: None, payload }
    }
    pub fn masked(self, key: [u8; 4]) -> Frame {
        Frame { mask: Some(key), ..self }
    }
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.wire_len());
        self.encode_into(&mut out);
        out
    }
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(u8::from(self.fin) << 7 | self.opcode.code());
        let m = if self.mask.is_some() { 0x80 } else { 0 };
        let n = self.payload.len();
        if n < 126 {
            out.push(m | n as u8);
        } else if n <= 0xffff {
            out.push(m | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            out.push(m | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
        match self.mask {
            Some(k) => {
                out.extend_from_slice(&k);
                out.extend(self.payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
            }
            None => out.extend_from_slice(&self.payload),
        }
    }
    pub fn wire_len(&self) -> usize {
        let n = self.payload.len();
        let len = if n < 126 {
            0
        } else if n <= 0xffff {
            2
        } else {
            8
        };
        2 + len + if self.mask.is_some() { 4 } else { 0 } + n
    }
    pub fn close_code(&self) -> Option<u16> {
        (self.opcode == Opcode::Close && self.payload.len() >= 2)
            .then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
    pub fn text_payload(&self) -> Option<&str> {
        (self.opcode == Opcode::Text).then(|| std::str::from_utf8(&self.payload).ok()).flatten()
    }
}

pub fn close_code_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1006 => "abnormal closure",
        1008 => "policy violation",
        _ => "other",
    }
}

pub fn summary(f: &Frame) -> String {
    match f.opcode {
        Opcode::Text => format!("text {}", String::from_utf8_lossy(&f.payload)),
        Opcode::Close => format!("close {}", f.close_code().unwrap_or(0)),
        o => o.name().to_owned(),
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

impl Frame {
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        vec![
            ("FIN", u8::from(self.fin).to_string()),
            ("opcode", format!("0x{:x} {}", self.opcode.code(), self.opcode.name())),
            ("payload length", self.payload.len().to_string()),
        ]
    }
}
