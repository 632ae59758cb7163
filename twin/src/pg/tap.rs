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
