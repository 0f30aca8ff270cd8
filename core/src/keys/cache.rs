//! A remote key set kept fresh without letting tokens drive traffic to the IdP.
//!
//! - A set is fresh for `max_age`; once it is past `refresh_ahead` of that age a background task
//!   refreshes it, so verification does not wait on the network in the steady state.
//! - An unknown `kid` triggers at most one refetch per `cooldown`, and concurrent callers share
//!   one in-flight fetch (a single `gate` mutex; callers that waited re-check the generation and
//!   reuse what the fetch produced). However many tokens carry unknown kids, the IdP sees at most
//!   one request per cooldown.
//! - When fetching fails, the last good set keeps being served until `max_age + max_stale` after
//!   it was fetched; after that verification fails closed with `jwks_unavailable`.
//!
//! This is a single value with explicit freshness states rather than a moka cache: moka's expiry
//! would evict exactly the stale set that must keep serving during an IdP outage.

use super::fetch::{FetchLimits, Fetcher};
use super::jwk::KeyPolicy;
use super::set::KeySet;
use crate::error::{err, ErrorCode, Result};
use crate::http::check_url;
use crate::observe::counters::{Counter, Latency};
use crate::observe::{events, JwksHealth, JwksStats};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use url::Url;

/// Freshness and fetch settings of a remote key set.
#[derive(Debug, Clone, Copy)]
pub struct JwksSettings {
    /// How long a fetched set counts as fresh (default 300 s, as in the services).
    pub max_age: Duration,
    /// Minimum time between fetches triggered by unknown kids or after a failure (default 30 s).
    pub cooldown: Duration,
    /// How long past `max_age` the last good set is served while fetching fails (default 1 h).
    pub max_stale: Duration,
    /// Fraction of `max_age` after which a background refresh starts (default 0.8).
    pub refresh_ahead: f64,
    /// HTTP limits.
    pub fetch: FetchLimits,
}

impl Default for JwksSettings {
    fn default() -> Self {
        JwksSettings {
            max_age: Duration::from_secs(300),
            cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(3600),
            refresh_ahead: 0.8,
            fetch: FetchLimits::default(),
        }
    }
}

impl JwksSettings {
    /// Every setting outside its bounds, one line each naming the variable that sets it.
    ///
    /// Too short a `max_age` or `cooldown` turns every request into a fetch against the IdP; too
    /// long a one keeps a revoked key trusted; a timeout of hours lets a stalled IdP hold
    /// requests. NaN-free by construction (`Duration`), so only ranges are checked.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let seconds = [
            ("OIDC_JWKS_MAX_AGE_SECONDS", self.max_age, 0.1, 86_400.0),
            ("OIDC_JWKS_COOLDOWN_SECONDS", self.cooldown, 0.1, 3_600.0),
            (
                "OIDC_JWKS_MAX_STALE_SECONDS",
                self.max_stale,
                0.0,
                7.0 * 86_400.0,
            ),
            ("OIDC_JWKS_TIMEOUT_SECONDS", self.fetch.timeout, 0.1, 60.0),
        ];
        for (name, value, min, max) in seconds {
            let value = value.as_secs_f64();
            if !(min..=max).contains(&value) {
                problems.push(format!(
                    "{name} must be from {min} to {max} seconds, got `{value}`"
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.refresh_ahead) {
            problems.push(format!(
                "the jwks refresh_ahead fraction must be from 0 to 1, got `{}`",
                self.refresh_ahead
            ));
        }
        let (min_bytes, max_bytes) = (1024, 16 * 1024 * 1024);
        if !(min_bytes..=max_bytes).contains(&self.fetch.max_body_bytes) {
            problems.push(format!(
                "OIDC_JWKS_MAX_BYTES must be from {min_bytes} to {max_bytes}, got `{}`",
                self.fetch.max_body_bytes
            ));
        }
        problems
    }
}

/// Where a remote set comes from.
#[derive(Debug, Clone)]
pub enum RemoteSource {
    /// A JWKS URL.
    JwksUrl(Url),
    /// OIDC discovery from this issuer (`/.well-known/openid-configuration` → `jwks_uri`).
    Discovery(String),
}

impl RemoteSource {
    /// A JWKS URL, checked (https, or http on loopback).
    pub fn jwks_url(url: &str) -> Result<RemoteSource> {
        Ok(RemoteSource::JwksUrl(check_url(url)?))
    }
}

/// A key set as last fetched.
#[derive(Clone)]
struct Snapshot {
    set: Arc<KeySet>,
    fetched_at: Instant,
    generation: u64,
}

/// State only the fetcher touches, behind the single-flight gate.
struct Gate {
    last_attempt: Option<Instant>,
    last_error: Option<crate::error::Error>,
    discovered_jwks_uri: Option<Url>,
}

struct Inner {
    source: RemoteSource,
    policy: KeyPolicy,
    settings: JwksSettings,
    fetcher: Fetcher,
    current: RwLock<Option<Snapshot>>,
    gate: tokio::sync::Mutex<Gate>,
    refreshing: AtomicBool,
    fetches: AtomicU64,
    observed: Observed,
}

/// What the cache counts and remembers for `stats()` and `health()`.
#[derive(Default)]
struct Observed {
    fetches_ok: Counter,
    fetches_failed: Counter,
    unknown_kid_refetches: Counter,
    unknown_kid_refused: Counter,
    stale_served: Counter,
    latency: Latency,
    /// When the last fetch ended and its error code, if it failed.
    last_fetch: Mutex<Option<(Instant, Option<ErrorCode>)>>,
    /// The generation whose stale serving was last reported, so an outage logs once per set
    /// rather than once per request.
    stale_reported: AtomicU64,
}

/// A remote JWKS with caching, background refresh, cooldown, single-flight and stale serving.
///
/// Cheap to clone; clones share one cache.
#[derive(Clone)]
pub struct JwksCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("source", &self.inner.source)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// A usable set plus the generation it came from (used to coalesce refetches).
#[derive(Clone)]
pub struct CachedSet {
    /// The keys.
    pub set: Arc<KeySet>,
    /// Increments on every successful fetch.
    pub generation: u64,
}

impl JwksCache {
    /// A cache for `source`; nothing is fetched until the first use (or [`JwksCache::prefetch`]).
    pub fn new(source: RemoteSource, policy: KeyPolicy, settings: JwksSettings) -> Result<Self> {
        Ok(JwksCache {
            inner: Arc::new(Inner {
                source,
                policy,
                settings,
                fetcher: Fetcher::new(settings.fetch)?,
                current: RwLock::new(None),
                gate: tokio::sync::Mutex::new(Gate {
                    last_attempt: None,
                    last_error: None,
                    discovered_jwks_uri: None,
                }),
                refreshing: AtomicBool::new(false),
                fetches: AtomicU64::new(0),
                observed: Observed::default(),
            }),
        })
    }

    /// How many key-set fetches have been attempted (discovery requests not counted).
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// Fetches now, unless a fetch is already running (then waits for it).
    pub async fn prefetch(&self) -> Result<CachedSet> {
        let seen = self.snapshot().map(|s| s.generation);
        self.refresh(seen, Trigger::Expiry).await
    }

    /// The current set without touching the network: fresh or within the stale window.
    pub fn cached(&self) -> Result<CachedSet> {
        let snap = self.snapshot();
        match snap.as_ref().map(|s| self.age_state(s)) {
            Some(Age::Expired) => Err(err(
                ErrorCode::JwksUnavailable,
                "cached key set is older than max_age + max_stale",
            )),
            Some(age) => match snap {
                Some(snap) => Ok(self.served(snap, age == Age::Stale)),
                None => Err(not_fetched()),
            },
            None => Err(not_fetched()),
        }
    }

    /// The cached set while it is fresh (younger than the refresh-ahead point), so using it
    /// needs no fetch, background or not; `None` otherwise.
    pub fn fresh(&self) -> Option<CachedSet> {
        let snap = self.snapshot()?;
        (self.age_state(&snap) == Age::Fresh).then(|| CachedSet {
            set: snap.set,
            generation: snap.generation,
        })
    }

    /// The set to verify with: the cached one while fresh (starting a background refresh when it
    /// nears `max_age`), otherwise a fetch, falling back to the stale set on failure.
    pub async fn current(&self) -> Result<CachedSet> {
        if let Some(snap) = self.snapshot() {
            match self.age_state(&snap) {
                Age::Fresh => {
                    return Ok(CachedSet {
                        set: snap.set,
                        generation: snap.generation,
                    })
                }
                Age::RefreshAhead => {
                    self.spawn_background_refresh(snap.generation);
                    return Ok(CachedSet {
                        set: snap.set,
                        generation: snap.generation,
                    });
                }
                // While the IdP is slow or down, requests keep being served from the stale set
                // instead of queueing behind the fetch.
                Age::Stale if self.spawn_background_refresh(snap.generation) => {
                    return Ok(self.served(snap, true));
                }
                Age::Stale | Age::Expired => {
                    return self.refresh(Some(snap.generation), Trigger::Expiry).await
                }
            }
        }
        self.refresh(None, Trigger::Expiry).await
    }

    /// Called when the set of generation `seen` lacks a token's kid: refetches unless another
    /// caller already did since, or the cooldown has not passed.
    pub async fn refresh_for_unknown_kid(&self, seen: u64) -> Result<CachedSet> {
        self.refresh(Some(seen), Trigger::UnknownKid).await
    }

    fn snapshot(&self) -> Option<Snapshot> {
        match self.inner.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn store(&self, snapshot: Snapshot) {
        match self.inner.current.write() {
            Ok(mut guard) => *guard = Some(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Some(snapshot),
        }
    }

    fn age_state(&self, snap: &Snapshot) -> Age {
        let s = &self.inner.settings;
        let age = snap.fetched_at.elapsed();
        if age
            < Duration::try_from_secs_f64(s.max_age.as_secs_f64() * s.refresh_ahead.clamp(0.0, 1.0))
                .unwrap_or(s.max_age)
        {
            Age::Fresh
        } else if age < s.max_age {
            Age::RefreshAhead
        } else if age < s.max_age.saturating_add(s.max_stale) {
            Age::Stale
        } else {
            Age::Expired
        }
    }

    /// Starts a background refresh unless one is running; true when one is (now) running.
    /// False without a tokio runtime, where the caller must refresh in line.
    fn spawn_background_refresh(&self, seen: u64) -> bool {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return false;
        };
        if self.inner.refreshing.swap(true, Ordering::AcqRel) {
            return true;
        }
        let guard = RefreshingFlag(self.inner.clone());
        let cache = self.clone();
        runtime.spawn(async move {
            // Held for the task's life: dropped on completion and also when the runtime drops
            // the task unfinished, so the flag cannot stay stuck.
            let _guard = guard;
            // A failed background refresh is not an error for anyone: the set is still usable,
            // and the failure is remembered for the cooldown.
            let _ = cache.refresh(Some(seen), Trigger::Background).await;
        });
        true
    }

    /// The single-flight fetch. `seen` is the generation the caller looked at (None: nothing).
    async fn refresh(&self, seen: Option<u64>, trigger: Trigger) -> Result<CachedSet> {
        let mut gate = self.inner.gate.lock().await;
        let current = self.snapshot();
        // Someone fetched while we waited for the gate: use their result.
        if let Some(snap) = &current {
            if Some(snap.generation) != seen {
                return self.serve(Some(snap.clone()), &gate, trigger);
            }
        }
        let cooling = gate
            .last_attempt
            .is_some_and(|t| t.elapsed() < self.inner.settings.cooldown);
        let must_wait = match trigger {
            Trigger::UnknownKid => cooling,
            Trigger::Expiry | Trigger::Background => cooling && gate.last_error.is_some(),
        };
        if trigger == Trigger::UnknownKid {
            let counter = match must_wait {
                true => &self.inner.observed.unknown_kid_refused,
                false => &self.inner.observed.unknown_kid_refetches,
            };
            counter.inc();
            events::jwks_unknown_kid(!must_wait);
        }
        if must_wait {
            return self.serve(current, &gate, trigger);
        }
        let started = Instant::now();
        let outcome = self.fetch(&mut gate).await;
        self.observe_fetch(&outcome, trigger, started, current.as_ref());
        // The cooldown runs from the end of the attempt: callers queued behind a slow, failing
        // fetch must not each start another one.
        gate.last_attempt = Some(Instant::now());
        match outcome {
            Ok(set) => {
                gate.last_error = None;
                let generation = current.map_or(1, |s| s.generation + 1);
                let set = Arc::new(set);
                self.store(Snapshot {
                    set: set.clone(),
                    fetched_at: Instant::now(),
                    generation,
                });
                Ok(CachedSet { set, generation })
            }
            Err(e) => {
                gate.last_error = Some(e);
                self.serve(current, &gate, trigger)
            }
        }
    }

    /// Serves `current` if it is still within the stale window, else the last fetch error.
    /// A background refresh serves no one, so only the other triggers count as serving.
    fn serve(&self, current: Option<Snapshot>, gate: &Gate, trigger: Trigger) -> Result<CachedSet> {
        let age = current.as_ref().map(|s| self.age_state(s));
        match (current, age) {
            (Some(snap), Some(age)) if age != Age::Expired => {
                // A background refresh serves no one: only a caller's stale set is counted.
                let stale = age == Age::Stale && trigger != Trigger::Background;
                Ok(self.served(snap, stale))
            }
            _ => Err(gate.last_error.clone().unwrap_or_else(|| {
                err(ErrorCode::JwksUnavailable, "no usable key set is available")
            })),
        }
    }

    /// A snapshot handed to a caller, counted and reported when it is `stale` (past `max_age`).
    fn served(&self, snap: Snapshot, stale: bool) -> CachedSet {
        if stale {
            let observed = &self.inner.observed;
            observed.stale_served.inc();
            if observed
                .stale_reported
                .swap(snap.generation, Ordering::Relaxed)
                != snap.generation
            {
                let age = snap.fetched_at.elapsed();
                events::jwks_stale_served(age, age.saturating_sub(self.inner.settings.max_age));
            }
        }
        CachedSet {
            set: snap.set,
            generation: snap.generation,
        }
    }

    fn observe_fetch(
        &self,
        outcome: &Result<KeySet>,
        trigger: Trigger,
        started: Instant,
        serving: Option<&Snapshot>,
    ) {
        let observed = &self.inner.observed;
        let took = started.elapsed();
        observed.latency.observe(took);
        let source = self.loggable_source();
        match outcome {
            Ok(set) => {
                observed.fetches_ok.inc();
                let dropped: Vec<String> = set
                    .dropped()
                    .iter()
                    .map(|d| format!("{}: {}", d.kid.as_deref().unwrap_or("(no kid)"), d.reason))
                    .collect();
                events::jwks_fetched(&source, trigger.name(), set.len(), &dropped, took);
            }
            Err(e) => {
                observed.fetches_failed.inc();
                let serving_age = serving
                    .filter(|snap| self.age_state(snap) != Age::Expired)
                    .map(|snap| snap.fetched_at.elapsed());
                events::jwks_fetch_failed(&source, trigger.name(), e.code(), took, serving_age);
            }
        }
        if let Ok(mut last) = observed.last_fetch.lock() {
            *last = Some((Instant::now(), outcome.as_ref().err().map(|e| e.code())));
        }
    }

    fn loggable_source(&self) -> String {
        match &self.inner.source {
            RemoteSource::JwksUrl(url) => events::loggable_url(url),
            RemoteSource::Discovery(issuer) => match Url::parse(issuer) {
                Ok(url) => events::loggable_url(&url),
                Err(_) => "(issuer)".to_owned(),
            },
        }
    }

    /// The cache's counters and the age of the set it serves.
    pub fn stats(&self) -> JwksStats {
        let observed = &self.inner.observed;
        let snap = self.snapshot();
        let age = snap.as_ref().map(|s| s.fetched_at.elapsed());
        JwksStats {
            fetches_ok: observed.fetches_ok.get(),
            fetches_failed: observed.fetches_failed.get(),
            unknown_kid_refetches: observed.unknown_kid_refetches.get(),
            unknown_kid_refused: observed.unknown_kid_refused.get(),
            stale_served: observed.stale_served.get(),
            keys: snap.as_ref().map_or(0, |s| s.set.len() as u64),
            age_seconds: age.map(|a| a.as_secs_f64()),
            stale_seconds: age.map_or(0.0, |a| {
                a.saturating_sub(self.inner.settings.max_age).as_secs_f64()
            }),
            fetch_latency: observed.latency.snapshot(),
        }
    }

    /// Whether the set can serve verification now, how old it is and how the last fetch went.
    pub fn health(&self) -> JwksHealth {
        let snap = self.snapshot();
        let age = snap.as_ref().map(|s| self.age_state(s));
        let last = self
            .inner
            .observed
            .last_fetch
            .lock()
            .ok()
            .and_then(|last| *last);
        JwksHealth {
            usable: matches!(age, Some(a) if a != Age::Expired),
            stale: matches!(age, Some(Age::Stale | Age::Expired)),
            age_seconds: snap.map(|s| s.fetched_at.elapsed().as_secs_f64()),
            last_fetch_ok: last.map(|(_, code)| code.is_none()),
            last_fetch_code: last.and_then(|(_, code)| code.map(ErrorCode::as_str)),
            last_fetch_seconds_ago: last.map(|(at, _)| at.elapsed().as_secs_f64()),
        }
    }

    async fn fetch(&self, gate: &mut Gate) -> Result<KeySet> {
        let url = match &self.inner.source {
            RemoteSource::JwksUrl(url) => url.clone(),
            RemoteSource::Discovery(issuer) => match &gate.discovered_jwks_uri {
                Some(url) => url.clone(),
                None => {
                    let url = self.inner.fetcher.discover_jwks_uri(issuer).await?;
                    gate.discovered_jwks_uri = Some(url.clone());
                    url
                }
            },
        };
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        let outcome = match self.inner.fetcher.get(&url).await {
            Ok(body) => KeySet::from_jwks_json(&body, &self.inner.policy).map_err(|e| {
                err(
                    ErrorCode::JwksUnavailable,
                    format!("served key set was rejected: {}", e.message()),
                )
            }),
            Err(e) => Err(e),
        };
        if outcome.is_err() {
            // The IdP may have moved its keys: discover again next time.
            gate.discovered_jwks_uri = None;
        }
        outcome
    }
}

fn not_fetched() -> crate::error::Error {
    err(
        ErrorCode::JwksUnavailable,
        "key set has not been fetched yet",
    )
}

/// Clears the background-refresh flag when dropped.
struct RefreshingFlag(Arc<Inner>);

impl Drop for RefreshingFlag {
    fn drop(&mut self) {
        self.0.refreshing.store(false, Ordering::Release);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Age {
    Fresh,
    RefreshAhead,
    Stale,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Expiry,
    Background,
    UnknownKid,
}

impl Trigger {
    /// The `trigger` field of the key-set events.
    fn name(self) -> &'static str {
        match self {
            Trigger::Expiry => "expiry",
            Trigger::Background => "background",
            Trigger::UnknownKid => "unknown_kid",
        }
    }
}
