//! The shared session store read on the server's clock. Redis cannot run on
//! the twin's simulated clock (libfaketime cannot be preloaded into Debian's
//! jemalloc-built redis-server), so after a simulated wait a session's key
//! would outlive its expiry in Redis. The servers' clocks do move: this
//! wrapper refuses on load a record whose expiry has passed by the server's
//! clock, as tower-sessions' own memory store does. Nothing else changes.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

#[derive(Clone, Debug)]
pub struct OnServerClock<S>(pub S);

#[async_trait]
impl<S: SessionStore> SessionStore for OnServerClock<S> {
    async fn create(&self, record: &mut Record) -> Result<()> {
        self.0.create(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0.save(record).await
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc();
        Ok(self.0.load(id).await?.filter(|r| r.expiry_date > now))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.delete(id).await
    }
}
