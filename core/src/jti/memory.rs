//! The in-memory JTI store (moka): the embedded default, for one process.

use super::store::{JtiEntry, JtiStore};
use crate::error::Result;
use crate::time::unix_now;
use async_trait::async_trait;
use moka::sync::Cache;
use moka::Expiry;
use std::time::{Duration, Instant};

/// Default cap on recorded JTIs; the oldest are evicted past it.
pub const DEFAULT_CAPACITY: u64 = 1_000_000;

/// JTIs kept in memory until their token expires.
///
/// Fine for one replica and for tests; a multi-replica deployment needs a shared store (the
/// PostgreSQL one), since a token minted by one replica must verify on another.
#[derive(Clone)]
pub struct MemoryJtiStore {
    entries: Cache<String, i64>,
}

impl std::fmt::Debug for MemoryJtiStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryJtiStore")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

/// Each entry lives until its token's `exp`.
struct UntilExpiry;

impl Expiry<String, i64> for UntilExpiry {
    fn expire_after_create(&self, _: &String, expires_at: &i64, _: Instant) -> Option<Duration> {
        let left = (*expires_at as f64 - unix_now()).max(0.0);
        Some(Duration::try_from_secs_f64(left).unwrap_or(Duration::ZERO))
    }
}

impl Default for MemoryJtiStore {
    fn default() -> Self {
        MemoryJtiStore::with_capacity(DEFAULT_CAPACITY)
    }
}

impl MemoryJtiStore {
    /// A store holding at most `capacity` JTIs.
    pub fn with_capacity(capacity: u64) -> Self {
        MemoryJtiStore {
            entries: Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExpiry)
                .build(),
        }
    }

    /// How many JTIs are held (approximate while evictions are pending).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// Whether no JTI is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl JtiStore for MemoryJtiStore {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        self.entries.insert(entry.jti.clone(), entry.expires_at);
        Ok(())
    }

    async fn contains(&self, jti: &str) -> Result<bool> {
        // moka may return an entry a moment past its expiry; the clock has the last word.
        Ok(self
            .entries
            .get(jti)
            .is_some_and(|expires_at| (expires_at as f64) > unix_now()))
    }

    async fn revoke(&self, jti: &str) -> Result<bool> {
        Ok(self.entries.remove(jti).is_some())
    }

    async fn consume(&self, jti: &str) -> Result<bool> {
        // `remove` is atomic: of two concurrent consumers exactly one gets the entry.
        Ok(self
            .entries
            .remove(jti)
            .is_some_and(|expires_at| (expires_at as f64) > unix_now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(jti: &str, expires_in: i64) -> JtiEntry {
        let now = unix_now() as i64;
        JtiEntry {
            jti: jti.into(),
            org_id: "org".into(),
            team_node_id: "team".into(),
            subject: Some("alice".into()),
            email: None,
            issued_at: now,
            expires_at: now + expires_in,
        }
    }

    #[tokio::test]
    async fn record_contains_revoke_consume() {
        let store = MemoryJtiStore::default();
        assert!(!store.contains("a").await.unwrap_or(true));
        store.record(&entry("a", 60)).await.ok();
        store.record(&entry("b", 60)).await.ok();
        assert!(store.contains("a").await.unwrap_or(false));
        assert!(store.revoke("a").await.unwrap_or(false));
        assert!(!store.contains("a").await.unwrap_or(true));
        assert!(!store.revoke("a").await.unwrap_or(true));
        assert!(store.consume("b").await.unwrap_or(false));
        assert!(!store.consume("b").await.unwrap_or(true));
    }

    #[tokio::test]
    async fn an_expired_entry_is_not_contained() {
        let store = MemoryJtiStore::default();
        store.record(&entry("old", -1)).await.ok();
        assert!(!store.contains("old").await.unwrap_or(true));
    }
}
