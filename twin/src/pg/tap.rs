//! A relay on loopback between an app server's real pool and PostgreSQL
//! that keeps a copy of what the server sends on each connection.
//!
//! tokio-postgres hides the wire: it never shows a ReadyForQuery's status
//! byte, a notice or a ParameterStatus to its caller, and those are what the
//! twin compares. So the pool connects here, and the relay hands each byte
//! on unchanged after writing it down. A connection's bytes are written
//! down before they are passed on, so when the driver returns, its answer
//! is already here. Cutting a connection closes both sockets with nothing
//! more sent: PostgreSQL sees its client gone with no Terminate, as when an
//! app server's process dies.

use std::sync::{Arc, Mutex, MutexGuard};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

/// One relayed connection.
#[derive(Default)]
struct Relayed {
    /// Everything the server sent on it, in order.
    heard: Vec<u8>,
    /// The two copying tasks; aborting them drops, so closes, both sockets.
    relays: Vec<AbortHandle>,
}

/// One message on the wire: its offset, its type byte and its body.
pub type Frame<'a> = (usize, u8, &'a [u8]);

/// The messages in `bytes`, and whether the
/// bytes end where a message ends. PostgreSQL frames every message after
/// the startup as a type byte and a length that counts itself.
pub fn frames(bytes: &[u8]) -> (Vec<Frame<'_>>, bool) {
    let (mut out, mut at) = (Vec::new(), 0usize);
    while let Some(len) = bytes.get(at + 1..at + 5).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize) {
        let Some(body) = len.checked_sub(4).and_then(|n| bytes.get(at + 5..at + 5 + n)) else { break };
        out.push((at, bytes[at], body));
        at += 1 + len;
    }
    (out, at == bytes.len())
}

/// The relay: connections are numbered in the order the pool opened them.
pub struct Tap {
    port: u16,
    conns: Arc<Mutex<Vec<Relayed>>>,
    accept: AbortHandle,
}

fn lock(conns: &Mutex<Vec<Relayed>>) -> MutexGuard<'_, Vec<Relayed>> {
    // A relay task that panicked mid-write leaves bytes that are still worth reading.
    conns.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Tap {
    /// A relay to PostgreSQL on loopback `upstream`, listening on a free port.
    pub async fn start(upstream: u16) -> std::io::Result<Tap> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let conns: Arc<Mutex<Vec<Relayed>>> = Arc::default();
        let shared = Arc::clone(&conns);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    // Dropping the client's socket: its pool sees the connect fail.
                    continue;
                };
                let i = {
                    let mut all = lock(&shared);
                    all.push(Relayed::default());
                    all.len() - 1
                };
                let (mut client_rx, mut client_tx) = client.into_split();
                let (mut server_rx, mut server_tx) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_rx, &mut server_tx).await;
                });
                let log = Arc::clone(&shared);
                let down = tokio::spawn(async move {
                    let mut chunk = [0u8; 8192];
                    while let Ok(n @ 1..) = server_rx.read(&mut chunk).await {
                        lock(&log)[i].heard.extend_from_slice(&chunk[..n]);
                        if client_tx.write_all(&chunk[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                lock(&shared)[i].relays = vec![up.abort_handle(), down.abort_handle()];
            }
        });
        Ok(Tap { port, conns, accept: accept.abort_handle() })
    }

    /// Where the pool connects.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many bytes the server has sent on each connection so far.
    pub fn heard_lengths(&self) -> Vec<usize> {
        lock(&self.conns).iter().map(|c| c.heard.len()).collect()
    }

    /// Everything the server has sent on connection `i`.
    pub fn heard(&self, i: usize) -> Vec<u8> {
        lock(&self.conns).get(i).map(|c| c.heard.clone()).unwrap_or_default()
    }

    /// Waits until each connection that has grown past its length in
    /// `before` ends with a whole ReadyForQuery. tokio-postgres hands back a
    /// result (an error at once, rows at CommandComplete) before the
    /// ReadyForQuery that ends the exchange, which PostgreSQL may send in a
    /// later write: compared early, the request would lack its status and
    /// the next one would carry it.
    pub fn await_ready(&self, before: &[usize]) -> Result<(), String> {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let settled = lock(&self.conns).iter().enumerate().all(|(i, c)| {
                let (frames, whole) = frames(&c.heard);
                c.heard.len() <= before.get(i).copied().unwrap_or(0)
                    || (whole && frames.last().is_some_and(|f| f.1 == b'Z'))
            });
            if settled {
                return Ok(());
            }
            if std::time::Instant::now() > until {
                return Err("PostgreSQL's ReadyForQuery did not arrive within 10 s".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// The backend process ids (BackendKeyData) of connections `from` on.
    pub fn pids(&self, from: usize) -> Vec<u32> {
        let conns = lock(&self.conns);
        let keys = conns.iter().skip(from).flat_map(|c| frames(&c.heard).0.into_iter().filter(|f| f.1 == b'K'));
        keys.filter_map(|(_, _, body)| body.get(..4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))).collect()
    }

    /// How many connections the pool has opened through the relay.
    pub fn opened(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Closes every connection at once, both ways, with nothing more sent.
    pub fn cut(&self) {
        for c in lock(&self.conns).iter() {
            c.relays.iter().for_each(AbortHandle::abort);
        }
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

#[cfg(test)]
mod tests {
    use super::frames;

    /// Whole messages are found with their offsets; bytes that stop inside a
    /// message (the length or the body cut) say so.
    #[test]
    fn frames_end_where_a_message_ends_or_say_they_do_not() {
        let z = [b'Z', 0, 0, 0, 5, b'I'];
        let k = [b'K', 0, 0, 0, 12, 0, 0, 0x30, 0x39, 0, 0, 0, 7];
        let both: Vec<u8> = k.iter().chain(&z).copied().collect();
        let (found, whole) = frames(&both);
        assert!(whole);
        assert_eq!(found.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), [(0, b'K'), (13, b'Z')]);
        assert_eq!(found[0].2, &[0, 0, 0x30, 0x39, 0, 0, 0, 7]);
        for cut in [1, 3, 12, 18] {
            assert!(!frames(&both[..cut]).1, "cut at {cut}");
        }
        assert_eq!(frames(&[b'Z', 0, 0, 0, 2]).0.len(), 0, "a length below 4 is no message");
    }
}
