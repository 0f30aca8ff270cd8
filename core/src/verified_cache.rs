//! The verified-token cache: repeat verification of the same token becomes a lookup.
//!
//! Keyed by the SHA-256 of the whole token, so only the identical token hits (a fast,
//! non-cryptographic hash would let a crafted collision inherit another token's verdict).
//! An entry lives at most `min(valid_until − now, ttl)`, and `valid_until` (the token's `exp`
//! plus leeway, or earlier under `max_age`) is checked again on every hit. Callers re-check what
//! can change without the token changing — that the very key that verified it (by fingerprint,
//! not `kid`) is still in the key set, the JTI store.

use aws_lc_rs::digest::{digest, SHA256};
use moka::sync::Cache;
use moka::Expiry;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How large and how long-lived the cache is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedCacheSettings {
    /// Most tokens held; the least recently used go first.
    pub max_entries: u64,
    /// Longest an entry lives, whatever the token's `exp` (default 15 s, as the
    /// orchestrator's admin cache keeps the config service's answer).
    pub ttl: Duration,
}

impl Default for VerifiedCacheSettings {
    fn default() -> Self {
        VerifiedCacheSettings {
            max_entries: 100_000,
            ttl: Duration::from_secs(15),
        }
    }
}

impl VerifiedCacheSettings {
    /// The defaults with what a caller gave: `ttl_seconds` (0 turns the cache off) and
    /// `max_entries` (0 turns it off too). A negative, infinite or NaN ttl is `invalid_config`.
    pub fn with_overrides(
        ttl_seconds: Option<f64>,
        max_entries: Option<u64>,
    ) -> crate::error::Result<VerifiedCacheSettings> {
        let mut settings = VerifiedCacheSettings::default();
        if let Some(seconds) = ttl_seconds {
            settings.ttl = Duration::try_from_secs_f64(seconds).map_err(|_| {
                crate::error::err(
                    crate::error::ErrorCode::InvalidConfig,
                    "the verified-token cache ttl must be a non-negative number of seconds",
                )
            })?;
        }
        if let Some(entries) = max_entries {
            settings.max_entries = entries;
        }
        Ok(settings)
    }
}

/// One cached verdict.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    pub value: T,
    /// Unix seconds from which the token no longer verifies on time grounds alone.
    pub valid_until: f64,
    /// The `kid` that selected the key that verified it (`None` for a token without one).
    pub kid: Option<String>,
    /// The algorithm it was verified with.
    pub alg: Option<crate::jose::Algorithm>,
    /// The fingerprint of the key that verified it: a hit needs that very key, not just a key
    /// under the same `kid` (`None` where the verifier's key cannot change).
    pub key: Option<[u8; 32]>,
    /// The `jti`, for invalidation on revocation.
    pub jti: Option<String>,
    lifetime: Duration,
}

/// What [`VerifiedCache::insert`] stores.
pub(crate) struct Verdict<T> {
    pub value: T,
    pub valid_until: f64,
    pub kid: Option<String>,
    pub alg: Option<crate::jose::Algorithm>,
    pub key: Option<[u8; 32]>,
    pub jti: Option<String>,
}

struct ByLifetime;

impl<T> Expiry<[u8; 32], Arc<Entry<T>>> for ByLifetime {
    fn expire_after_create(
        &self,
        _: &[u8; 32],
        entry: &Arc<Entry<T>>,
        _: Instant,
    ) -> Option<Duration> {
        Some(entry.lifetime)
    }
}

/// Verdicts of fully verified tokens.
pub(crate) struct VerifiedCache<T> {
    entries: Cache<[u8; 32], Arc<Entry<T>>>,
    ttl: Duration,
}

impl<T> std::fmt::Debug for VerifiedCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedCache")
            .field("entries", &self.entries.entry_count())
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The cache key of a token: the SHA-256 of all of it. Computed once per verification and
/// passed to both the lookup and the insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenKey([u8; 32]);

impl TokenKey {
    /// The key of `token`.
    pub fn of(token: &str) -> TokenKey {
        // SHA-256 is always 32 bytes; the fallback is unreachable.
        TokenKey(
            <[u8; 32]>::try_from(digest(&SHA256, token.as_bytes()).as_ref()).unwrap_or([0; 32]),
        )
    }
}

impl<T: Send + Sync + 'static> VerifiedCache<T> {
    /// An empty cache; `None` when the settings disable it (zero entries or zero ttl).
    pub fn new(settings: VerifiedCacheSettings) -> Option<Self> {
        if settings.max_entries == 0 || settings.ttl.is_zero() {
            return None;
        }
        Some(VerifiedCache {
            entries: Cache::builder()
                .max_capacity(settings.max_entries)
                .expire_after(ByLifetime)
                .build(),
            ttl: settings.ttl,
        })
    }

    /// The entry for `key` while `now` is before its `valid_until`; a stale entry is dropped.
    pub fn get(&self, key: &TokenKey, now: f64) -> Option<Arc<Entry<T>>> {
        let entry = self.entries.get(&key.0)?;
        if now < entry.valid_until {
            Some(entry)
        } else {
            self.entries.invalidate(&key.0);
            None
        }
    }

    /// Remembers a verdict reached at `now`.
    pub fn insert(&self, key: TokenKey, verdict: Verdict<T>, now: f64) {
        let left = verdict.valid_until - now;
        if left.is_nan() || left <= 0.0 {
            return;
        }
        let lifetime = Duration::try_from_secs_f64(left).map_or(self.ttl, |d| d.min(self.ttl));
        let entry = Entry {
            value: verdict.value,
            valid_until: verdict.valid_until,
            kid: verdict.kid,
            alg: verdict.alg,
            key: verdict.key,
            jti: verdict.jti,
            lifetime,
        };
        self.entries.insert(key.0, Arc::new(entry));
    }

    /// Drops the entry for `key`.
    pub fn remove(&self, key: &TokenKey) {
        self.entries.invalidate(&key.0);
    }

    /// Drops every entry whose `jti` is `jti`.
    pub fn remove_jti(&self, jti: &str) {
        let doomed: Vec<Arc<[u8; 32]>> = self
            .entries
            .iter()
            .filter(|(_, e)| e.jti.as_deref() == Some(jti))
            .map(|(k, _)| k)
            .collect();
        for k in doomed {
            self.entries.invalidate(&*k);
        }
    }

    /// Entries held (after pending evictions run).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}
