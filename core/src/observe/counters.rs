//! Counters kept by every validator, verifier and authenticator, cheap enough to stay on.
//!
//! Each counter is one relaxed atomic; a verification adds one increment (two on a
//! verified-token cache lookup). Nothing here allocates on the hot path.

use crate::error::{ErrorCode, Result};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The credential kinds verifications are counted under: every `AuthKind` name and `none` (no
/// credential was presented).
pub const KINDS: [&str; 8] = [
    "admin_token",
    "org_admin_token",
    "team_token",
    "oidc",
    "impersonation",
    "visitor",
    "internal_service",
    "none",
];

const OUTCOMES: usize = ErrorCode::ALL.len() + 1;

static COUNTING: AtomicBool = AtomicBool::new(true);

/// Turns every counter in the process on or off (on by default). Off exists so a benchmark can
/// show what counting costs; the snapshots then stop moving.
pub fn set_counting(on: bool) {
    COUNTING.store(on, Ordering::Relaxed);
}

fn counting() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

/// The label a failed or passed verification is counted under: the credential's kind (on
/// failure, the kind it was presented as), in the order of [`KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    AdminToken,
    OrgAdminToken,
    TeamToken,
    Oidc,
    Impersonation,
    Visitor,
    InternalService,
    /// No credential at all.
    None,
}

impl Kind {
    fn index(self) -> usize {
        self as usize
    }
}

fn outcome_index(code: Option<ErrorCode>) -> usize {
    match code {
        None => 0,
        Some(code) => ErrorCode::ALL
            .iter()
            .position(|c| *c == code)
            .map_or(0, |i| i + 1),
    }
}

fn outcome_name(index: usize) -> &'static str {
    match index.checked_sub(1).and_then(|i| ErrorCode::ALL.get(i)) {
        Some(code) => code.as_str(),
        None => "ok",
    }
}

fn add(counter: &AtomicU64, n: u64) {
    if counting() {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// Verifications by credential kind and outcome.
pub(crate) struct Verifications {
    counts: Vec<AtomicU64>,
}

impl std::fmt::Debug for Verifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifications").finish_non_exhaustive()
    }
}

impl Default for Verifications {
    fn default() -> Self {
        Verifications {
            counts: (0..KINDS.len() * OUTCOMES)
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }
}

impl Verifications {
    /// Counts one verification and emits its debug event.
    pub(crate) fn record<T>(&self, kind: Kind, result: &Result<T>) {
        let code = result.as_ref().err().map(crate::error::Error::code);
        let slot = kind.index() * OUTCOMES + outcome_index(code);
        if let Some(counter) = self.counts.get(slot) {
            add(counter, 1);
        }
        super::events::verification(kind_name(kind), code);
    }

    /// Counts one verification whose kind is known only once it passed (`passed`) or by the way
    /// it was presented (`presented`).
    pub(crate) fn record_with<T>(
        &self,
        presented: Kind,
        result: &Result<T>,
        passed: impl Fn(&T) -> Kind,
    ) {
        let kind = match result {
            Ok(value) => passed(value),
            Err(_) => presented,
        };
        self.record(kind, result);
    }

    fn snapshot(&self) -> Vec<VerificationCount> {
        let mut out = Vec::new();
        for (slot, counter) in self.counts.iter().enumerate() {
            let count = counter.load(Ordering::Relaxed);
            if count > 0 {
                out.push(VerificationCount {
                    kind: KINDS.get(slot / OUTCOMES).copied().unwrap_or("none"),
                    outcome: outcome_name(slot % OUTCOMES),
                    count,
                });
            }
        }
        out
    }
}

fn kind_name(kind: Kind) -> &'static str {
    KINDS.get(kind.index()).copied().unwrap_or("none")
}

/// Upper bounds, in seconds, of the network-latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// A latency histogram of one kind of network call.
#[derive(Debug, Default)]
pub(crate) struct Latency {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    micros: AtomicU64,
}

impl Latency {
    pub(crate) fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            if seconds <= *bound {
                add(bucket, 1);
            }
        }
        add(&self.count, 1);
        add(
            &self.micros,
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        );
    }

    pub(crate) fn snapshot(&self) -> LatencyStats {
        LatencyStats {
            buckets: LATENCY_BUCKETS
                .iter()
                .zip(&self.buckets)
                .map(|(bound, n)| (*bound, n.load(Ordering::Relaxed)))
                .collect(),
            count: self.count.load(Ordering::Relaxed),
            sum_seconds: self.micros.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// A plain counter.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn inc(&self) {
        add(&self.0, 1);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Verifications counted by the object that made them.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) verifications: Verifications,
    pub(crate) cache_hits: Counter,
    pub(crate) cache_misses: Counter,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        Stats {
            verifications: self.verifications.snapshot(),
            verified_cache: CacheStats {
                hits: self.cache_hits.get(),
                misses: self.cache_misses.get(),
            },
            ..Stats::default()
        }
    }
}

/// One cell of the verification counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationCount {
    /// The credential kind (one of [`KINDS`]): the kind that passed, or on failure the kind it
    /// was presented as.
    pub kind: &'static str,
    /// `ok` or the [`ErrorCode`] name.
    pub outcome: &'static str,
    /// How many.
    pub count: u64,
}

/// Verified-token cache lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Answered from the cache.
    pub hits: u64,
    /// Verified in full.
    pub misses: u64,
}

/// A latency histogram snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencyStats {
    /// Cumulative counts per upper bound in seconds ([`LATENCY_BUCKETS`]).
    pub buckets: Vec<(f64, u64)>,
    /// Calls observed.
    pub count: u64,
    /// Their total duration.
    pub sum_seconds: f64,
}

/// The remote key set's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JwksStats {
    /// Key-set fetches that loaded a set.
    pub fetches_ok: u64,
    /// Key-set fetches that failed (network, status, or a set that was refused).
    pub fetches_failed: u64,
    /// Refetches an unknown `kid` started.
    pub unknown_kid_refetches: u64,
    /// Refetches an unknown `kid` asked for but the cooldown refused.
    pub unknown_kid_refused: u64,
    /// Times a set past its `max_age` was served because fetching failed.
    pub stale_served: u64,
    /// Usable keys in the set now served (0 before the first fetch).
    pub keys: u64,
    /// Seconds since the set now served was fetched; `None` before the first fetch.
    pub age_seconds: Option<f64>,
    /// Seconds the set now served has been past its `max_age` (0 while fresh).
    pub stale_seconds: f64,
    /// Fetch latency (discovery requests included).
    pub fetch_latency: LatencyStats,
}

/// The JTI store's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JtiStoreStats {
    /// Calls made (`record`, `contains`, `consume`, `revoke`).
    pub calls: u64,
    /// Calls that failed or passed their deadline.
    pub failures: u64,
    /// Call latency.
    pub latency: LatencyStats,
}

/// A snapshot of one validator's, verifier's or authenticator's counters.
///
/// Verification counts are the object's own: an authenticator counts the requests it
/// authenticated, not the verifications its OIDC validator made for them. The key-set and JTI
/// store figures are those of the components it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Non-zero verification counts by kind and outcome.
    pub verifications: Vec<VerificationCount>,
    /// Verified-token cache lookups.
    pub verified_cache: CacheStats,
    /// The remote key set, when there is one.
    pub jwks: Option<JwksStats>,
    /// The JTI store, when there is one.
    pub jti_store: Option<JtiStoreStats>,
}

impl Stats {
    /// How many verifications of `kind` ended with `outcome` (`ok` or an error code name).
    pub fn verifications_of(&self, kind: &str, outcome: &str) -> u64 {
        self.verifications
            .iter()
            .filter(|c| c.kind == kind && c.outcome == outcome)
            .map(|c| c.count)
            .sum()
    }

    /// Adds `other`'s figures to these (for an exposition of several objects).
    pub fn merge(&mut self, other: &Stats) {
        for cell in &other.verifications {
            match self
                .verifications
                .iter_mut()
                .find(|c| c.kind == cell.kind && c.outcome == cell.outcome)
            {
                Some(mine) => mine.count += cell.count,
                None => self.verifications.push(cell.clone()),
            }
        }
        self.verified_cache.hits += other.verified_cache.hits;
        self.verified_cache.misses += other.verified_cache.misses;
        if self.jwks.is_none() {
            self.jwks.clone_from(&other.jwks);
        }
        if self.jti_store.is_none() {
            self.jti_store.clone_from(&other.jti_store);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::err;

    #[test]
    fn counts_land_under_kind_and_outcome() {
        let v = Verifications::default();
        v.record::<()>(Kind::Oidc, &Ok(()));
        v.record::<()>(Kind::Oidc, &Ok(()));
        v.record::<()>(Kind::Oidc, &Err(err(ErrorCode::TokenExpired, "x")));
        v.record::<()>(Kind::None, &Err(err(ErrorCode::MissingCredentials, "x")));
        let stats = Stats {
            verifications: v.snapshot(),
            ..Stats::default()
        };
        assert_eq!(stats.verifications_of("oidc", "ok"), 2);
        assert_eq!(stats.verifications_of("oidc", "token_expired"), 1);
        assert_eq!(stats.verifications_of("none", "missing_credentials"), 1);
        assert_eq!(stats.verifications.len(), 3);
    }

    #[test]
    fn every_code_has_its_own_slot() {
        let names: std::collections::HashSet<_> = (0..OUTCOMES).map(outcome_name).collect();
        assert_eq!(names.len(), OUTCOMES);
    }

    #[test]
    fn latency_buckets_are_cumulative() {
        let l = Latency::default();
        l.observe(Duration::from_millis(7));
        l.observe(Duration::from_secs(9));
        let s = l.snapshot();
        assert_eq!(s.count, 2);
        assert_eq!(s.buckets.first().map(|b| b.1), Some(0));
        assert_eq!(s.buckets.get(1).map(|b| b.1), Some(1));
        assert_eq!(s.buckets.last().map(|b| b.1), Some(1));
        assert!((s.sum_seconds - 9.007).abs() < 1e-6);
    }
}
