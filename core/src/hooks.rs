//! Deadlines and bounds on the service's own code: the team-token lookup and JTI stores.
//!
//! A hook is usually a database query, and a database that stops answering must not take the
//! process down with it. [`GuardedLookup`] and [`GuardedJtiStore`] wrap a hook so that every call
//!
//! - answers by its deadline: past it the caller gets `lookup_unavailable` (team-token lookups)
//!   or `jti_store_unavailable` (JTI stores), and the hook's future is dropped, which cancels
//!   whatever the hook awaits;
//! - fails fast when the hook already has [`HookSettings::max_in_flight`] calls in flight (same
//!   codes) instead of queueing behind them, so a stalled hook costs each new request nothing
//!   but a refusal, while credentials that need no hook (admin tokens, OIDC) are unaffected.
//!
//! Code a deadline cannot stop (a Python hook runs on a thread, and a thread cannot be killed)
//! takes a [`ThreadPermit`] into that thread: the call then counts against the bound until its
//! thread returns, not merely until its caller stopped waiting, and the threads so held across
//! the whole process never exceed [`MAX_HOOK_THREADS`].

use crate::config::{EnvReader, FromEnv};
use crate::error::{err, Error, ErrorCode, Result};
use crate::jti::{JtiEntry, JtiStore};
use crate::team_tokens::{StoredTeamToken, TeamTokenLookup};
use async_trait::async_trait;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// How long one hook call may take, in seconds (`AUTH_HOOK_DEADLINE_SECONDS`).
pub const DEADLINE_ENV_VAR: &str = "AUTH_HOOK_DEADLINE_SECONDS";

/// How many calls one hook may have in flight (`AUTH_HOOK_MAX_IN_FLIGHT`).
pub const MAX_IN_FLIGHT_ENV_VAR: &str = "AUTH_HOOK_MAX_IN_FLIGHT";

/// The deadline unless configured: far above a healthy query, far below a client's patience.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// The shortest deadline accepted.
pub const MIN_DEADLINE: Duration = Duration::from_millis(1);

/// The longest deadline accepted: a hook slower than this holds requests for no good reason.
pub const MAX_DEADLINE: Duration = Duration::from_secs(60);

/// Calls in flight per hook unless configured.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

/// The most calls in flight one hook may be configured for: no more than [`MAX_HOOK_THREADS`],
/// so one hook alone can use the whole thread allowance but never more.
pub const MAX_IN_FLIGHT_LIMIT: usize = MAX_HOOK_THREADS;

/// The most threads held by hook calls at once, across the process. Python hooks run on the
/// blocking pool of the binding's tokio runtime (512 threads), which also delivers every
/// awaitable's result to the event loop: half of it stays free whatever the hooks do.
pub const MAX_HOOK_THREADS: usize = 256;

static HOOK_THREADS: Semaphore = Semaphore::const_new(MAX_HOOK_THREADS);

tokio::task_local! {
    /// The permit of the guarded call being polled, for [`thread_permit`].
    static CALL_PERMIT: Arc<OwnedSemaphorePermit>;
}

/// The deadline and bound of every call to a hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookSettings {
    /// Longest one call may take before its caller gets the hook's `*_unavailable` code.
    pub deadline: Duration,
    /// Most calls in flight at once per hook; the next one fails fast with the same code.
    pub max_in_flight: usize,
}

impl Default for HookSettings {
    fn default() -> Self {
        HookSettings {
            deadline: DEFAULT_DEADLINE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

impl HookSettings {
    /// These settings with what a caller gave in code (a binding's options): the deadline in
    /// seconds and the bound. Out of bounds is `invalid_config`, as from the environment.
    pub fn with_overrides(
        mut self,
        deadline_seconds: Option<f64>,
        max_in_flight: Option<u64>,
    ) -> Result<HookSettings> {
        let mut problems = Vec::new();
        if let Some(seconds) = deadline_seconds {
            match deadline_from(seconds) {
                Ok(deadline) => self.deadline = deadline,
                Err(problem) => problems.push(problem),
            }
        }
        if let Some(count) = max_in_flight {
            self.max_in_flight = usize::try_from(count).unwrap_or(usize::MAX);
        }
        problems.extend(self.problems());
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(err(ErrorCode::InvalidConfig, problems.join("; ")))
        }
    }

    /// Every setting outside its bounds, one line each naming the variable that sets it.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(MIN_DEADLINE..=MAX_DEADLINE).contains(&self.deadline) {
            problems.push(deadline_problem(self.deadline.as_secs_f64()));
        }
        if !(1..=MAX_IN_FLIGHT_LIMIT).contains(&self.max_in_flight) {
            problems.push(format!(
                "{MAX_IN_FLIGHT_ENV_VAR} (calls in flight per hook) must be from 1 to \
                 {MAX_IN_FLIGHT_LIMIT}, got `{}`",
                self.max_in_flight
            ));
        }
        problems
    }

    /// `lookup` behind these settings' deadline and bound.
    pub fn guard_lookup(&self, lookup: Arc<dyn TeamTokenLookup>) -> Arc<dyn TeamTokenLookup> {
        Arc::new(GuardedLookup::new(lookup, *self))
    }

    /// `store` behind these settings' deadline and bound.
    pub fn guard_jti_store(&self, store: Arc<dyn JtiStore>) -> Arc<dyn JtiStore> {
        Arc::new(GuardedJtiStore::new(store, *self))
    }
}

/// `AUTH_HOOK_DEADLINE_SECONDS` and `AUTH_HOOK_MAX_IN_FLIGHT` (the defaults when unset); a value
/// that does not parse or is out of bounds is a problem naming the variable.
impl FromEnv for HookSettings {
    type Output = HookSettings;

    /// Reads the variables, recording problems in `env` (for `check-config`, which reports
    /// them with every other variable's).
    fn read_env(env: &mut EnvReader<'_>) -> HookSettings {
        let mut settings = HookSettings::default();
        let seconds = env.parsed(DEADLINE_ENV_VAR, DEFAULT_DEADLINE.as_secs_f64());
        match deadline_from(seconds) {
            Ok(deadline) => settings.deadline = deadline,
            Err(problem) => env.problem(problem),
        }
        settings.max_in_flight = env.parsed(MAX_IN_FLIGHT_ENV_VAR, DEFAULT_MAX_IN_FLIGHT);
        for problem in settings.problems() {
            env.problem(problem);
        }
        settings
    }
}

fn deadline_from(seconds: f64) -> std::result::Result<Duration, String> {
    let range = MIN_DEADLINE.as_secs_f64()..=MAX_DEADLINE.as_secs_f64();
    if range.contains(&seconds) {
        Duration::try_from_secs_f64(seconds).map_err(|_| deadline_problem(seconds))
    } else {
        Err(deadline_problem(seconds))
    }
}

fn deadline_problem(seconds: f64) -> String {
    format!(
        "{DEADLINE_ENV_VAR} (the hook deadline) must be from {} to {} seconds, got `{seconds}`",
        MIN_DEADLINE.as_secs_f64(),
        MAX_DEADLINE.as_secs_f64()
    )
}

/// What a binding holds in a thread running a hook call: the call's place in its hook's bound
/// and one of the process's [`MAX_HOOK_THREADS`]. Both are given back when it is dropped, that
/// is when the thread is done, however long after the caller stopped waiting.
#[derive(Debug)]
pub struct ThreadPermit {
    _call: Option<Arc<OwnedSemaphorePermit>>,
    _thread: SemaphorePermit<'static>,
}

/// A [`ThreadPermit`] for the guarded call being polled, to be moved into the thread that runs
/// it. When [`MAX_HOOK_THREADS`] threads are already held the call fails at once with `failure`
/// rather than waiting for one, naming `what`.
pub fn thread_permit(failure: ErrorCode, what: &str) -> Result<ThreadPermit> {
    let thread = HOOK_THREADS.try_acquire().map_err(|_| {
        Error::new(
            failure,
            format!("{what}: {MAX_HOOK_THREADS} hook calls already hold a thread"),
        )
    })?;
    Ok(ThreadPermit {
        _call: CALL_PERMIT.try_with(Arc::clone).ok(),
        _thread: thread,
    })
}

/// The deadline and bound of one hook.
#[derive(Debug)]
struct Gate {
    settings: HookSettings,
    permits: Arc<Semaphore>,
    failure: ErrorCode,
}

impl Gate {
    fn new(settings: HookSettings, failure: ErrorCode) -> Gate {
        Gate {
            settings,
            permits: Arc::new(Semaphore::new(settings.max_in_flight)),
            failure,
        }
    }

    /// Runs `call` if the bound allows, and no longer than the deadline.
    async fn run<T>(&self, what: &str, call: impl Future<Output = Result<T>>) -> Result<T> {
        let permit = Arc::clone(&self.permits).try_acquire_owned().map_err(|_| {
            Error::new(
                self.failure,
                format!(
                    "{what}: {} calls already in flight ({MAX_IN_FLIGHT_ENV_VAR}); refused \
                     rather than queued",
                    self.settings.max_in_flight
                ),
            )
        })?;
        let deadline = self.settings.deadline;
        let call = CALL_PERMIT.scope(Arc::new(permit), call);
        match tokio::time::timeout(deadline, call).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Error::new(
                self.failure,
                format!(
                    "{what} did not answer within {} s ({DEADLINE_ENV_VAR})",
                    deadline.as_secs_f64()
                ),
            )),
        }
    }
}

/// A team-token lookup behind a deadline and a bound: past either, `lookup_unavailable`.
#[derive(Debug)]
pub struct GuardedLookup {
    inner: Arc<dyn TeamTokenLookup>,
    gate: Gate,
}

impl GuardedLookup {
    /// Wraps `inner` with `settings`.
    pub fn new(inner: Arc<dyn TeamTokenLookup>, settings: HookSettings) -> GuardedLookup {
        GuardedLookup {
            inner,
            gate: Gate::new(settings, ErrorCode::LookupUnavailable),
        }
    }
}

#[async_trait]
impl TeamTokenLookup for GuardedLookup {
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>> {
        self.gate
            .run("the team-token lookup", self.inner.lookup(token_id))
            .await
    }
}

/// A JTI store behind a deadline and a bound: past either, `jti_store_unavailable`. One bound
/// covers all of the store's methods, as they share whatever the store talks to.
#[derive(Debug)]
pub struct GuardedJtiStore {
    inner: Arc<dyn JtiStore>,
    gate: Gate,
}

impl GuardedJtiStore {
    /// Wraps `inner` with `settings`.
    pub fn new(inner: Arc<dyn JtiStore>, settings: HookSettings) -> GuardedJtiStore {
        GuardedJtiStore {
            inner,
            gate: Gate::new(settings, ErrorCode::JtiStoreUnavailable),
        }
    }
}

#[async_trait]
impl JtiStore for GuardedJtiStore {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        self.gate
            .run("the jti store's `record`", self.inner.record(entry))
            .await
    }

    async fn contains(&self, jti: &str) -> Result<bool> {
        self.gate
            .run("the jti store's `contains`", self.inner.contains(jti))
            .await
    }

    async fn revoke(&self, jti: &str) -> Result<bool> {
        self.gate
            .run("the jti store's `revoke`", self.inner.revoke(jti))
            .await
    }

    async fn consume(&self, jti: &str) -> Result<bool> {
        self.gate
            .run("the jti store's `consume`", self.inner.consume(jti))
            .await
    }

    fn can_consume(&self) -> bool {
        self.inner.can_consume()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    /// A hook that never answers, counting its calls.
    #[derive(Debug, Default)]
    struct Stalled {
        calls: AtomicUsize,
    }

    #[async_trait]
    impl TeamTokenLookup for Stalled {
        async fn lookup(&self, _: &str) -> Result<Option<StoredTeamToken>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            std::future::pending().await
        }
    }

    #[async_trait]
    impl JtiStore for Stalled {
        async fn record(&self, _: &JtiEntry) -> Result<()> {
            std::future::pending().await
        }
        async fn contains(&self, _: &str) -> Result<bool> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            std::future::pending().await
        }
        async fn revoke(&self, _: &str) -> Result<bool> {
            std::future::pending().await
        }
        async fn consume(&self, _: &str) -> Result<bool> {
            std::future::pending().await
        }
    }

    /// A lookup that answers at once.
    #[derive(Debug)]
    struct Healthy;

    #[async_trait]
    impl TeamTokenLookup for Healthy {
        async fn lookup(&self, _: &str) -> Result<Option<StoredTeamToken>> {
            Ok(None)
        }
    }

    fn settings(deadline_ms: u64, max_in_flight: usize) -> HookSettings {
        HookSettings {
            deadline: Duration::from_millis(deadline_ms),
            max_in_flight,
        }
    }

    #[tokio::test]
    async fn a_stalled_lookup_is_lookup_unavailable_at_the_deadline() {
        let lookup = settings(50, 4).guard_lookup(Arc::new(Stalled::default()));
        let started = Instant::now();
        let e = lookup.lookup("id").await.err().map(|e| e.code());
        assert_eq!(e, Some(ErrorCode::LookupUnavailable));
        assert!(started.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_stalled_store_is_jti_store_unavailable_at_the_deadline_for_every_method() {
        let store = settings(20, 8).guard_jti_store(Arc::new(Stalled::default()));
        let entry = JtiEntry {
            jti: "j".into(),
            org_id: "o".into(),
            team_node_id: "t".into(),
            subject: None,
            email: None,
            issued_at: 0,
            expires_at: 1,
        };
        let codes = [
            store.record(&entry).await.err(),
            store.contains("j").await.err(),
            store.revoke("j").await.err(),
            store.consume("j").await.err(),
        ];
        for code in codes {
            assert_eq!(code.map(|e| e.code()), Some(ErrorCode::JtiStoreUnavailable));
        }
    }

    #[tokio::test]
    async fn past_the_bound_calls_fail_fast_instead_of_queueing() {
        let stalled = Arc::new(Stalled::default());
        let lookup = settings(60_000, 3).guard_lookup(stalled.clone());
        let mut held = Vec::new();
        for _ in 0..3 {
            let lookup = Arc::clone(&lookup);
            held.push(tokio::spawn(async move { lookup.lookup("id").await }));
        }
        while stalled.calls.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        let started = Instant::now();
        let refused = lookup.lookup("id").await.err().map(|e| e.code());
        assert_eq!(refused, Some(ErrorCode::LookupUnavailable));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            stalled.calls.load(Ordering::SeqCst),
            3,
            "never reached the hook"
        );
        // A caller that gives up frees its place: the call's future is dropped.
        for task in held {
            task.abort();
            let _ = task.await;
        }
        let admitted = tokio::time::timeout(Duration::from_millis(20), lookup.lookup("id")).await;
        assert!(admitted.is_err(), "admitted, so it waits on the hook");
        assert_eq!(stalled.calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_healthy_hook_answers_through_the_guard() {
        let lookup = HookSettings::default().guard_lookup(Arc::new(Healthy));
        assert_eq!(lookup.lookup("id").await.ok(), Some(None));
    }

    /// A lookup that runs on a thread it cannot stop, holding a thread permit, as the Python
    /// binding runs a sync hook.
    #[derive(Debug)]
    struct OnAThread {
        release: Arc<std::sync::Barrier>,
    }

    #[async_trait]
    impl TeamTokenLookup for OnAThread {
        async fn lookup(&self, _: &str) -> Result<Option<StoredTeamToken>> {
            let permit = thread_permit(ErrorCode::LookupUnavailable, "test")?;
            let release = Arc::clone(&self.release);
            let _ = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                release.wait();
            })
            .await;
            Ok(None)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_thread_still_running_keeps_its_place_in_the_bound_after_the_deadline() {
        let release = Arc::new(std::sync::Barrier::new(2));
        let lookup = settings(20, 1).guard_lookup(Arc::new(OnAThread {
            release: Arc::clone(&release),
        }));
        let first = lookup.lookup("id").await.err().map(|e| e.code());
        assert_eq!(
            first,
            Some(ErrorCode::LookupUnavailable),
            "past the deadline"
        );
        // The caller gave up, but its thread has not returned: the bound still counts it.
        let second = lookup.lookup("id").await.err().map(|e| e.to_string());
        assert!(
            second.as_deref().is_some_and(|m| m.contains("in flight")),
            "{second:?}"
        );
        release.wait();
        // Once the thread returned its place is free again (the permit goes with the thread).
        let mut freed = false;
        for _ in 0..200 {
            let outcome = lookup.lookup("id").await;
            if outcome
                .as_ref()
                .err()
                .is_none_or(|e| !e.to_string().contains("in flight"))
            {
                freed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(freed, "the place was given back when the thread returned");
        // That call stalled again at the barrier; let its thread go.
        release.wait();
    }

    #[test]
    fn settings_are_read_from_the_environment_and_bounded() {
        let read = |vars: &[(&str, &str)]| {
            HookSettings::from_env_source(&vars.iter().copied().collect::<HashMap<&str, &str>>())
        };
        assert_eq!(read(&[]).ok(), Some(HookSettings::default()));
        assert_eq!(
            read(&[(DEADLINE_ENV_VAR, "0.25"), (MAX_IN_FLIGHT_ENV_VAR, "8")]).ok(),
            Some(settings(250, 8))
        );
        for (name, value) in [
            (DEADLINE_ENV_VAR, "0"),
            (DEADLINE_ENV_VAR, "-1"),
            (DEADLINE_ENV_VAR, "61"),
            (DEADLINE_ENV_VAR, "NaN"),
            (DEADLINE_ENV_VAR, "inf"),
            (DEADLINE_ENV_VAR, "soon"),
            (MAX_IN_FLIGHT_ENV_VAR, "0"),
            (MAX_IN_FLIGHT_ENV_VAR, "-1"),
            (MAX_IN_FLIGHT_ENV_VAR, "257"),
            (MAX_IN_FLIGHT_ENV_VAR, "many"),
        ] {
            let e = read(&[(name, value)]).err();
            assert_eq!(e.as_ref().map(Error::code), Some(ErrorCode::InvalidConfig));
            assert!(
                e.is_some_and(|e| e.message().contains(name)),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn settings_given_in_code_have_the_same_bounds() {
        let base = HookSettings::default();
        assert_eq!(
            base.with_overrides(Some(0.5), Some(2)).ok(),
            Some(settings(500, 2))
        );
        assert_eq!(base.with_overrides(None, None).ok(), Some(base));
        for (deadline, max) in [
            (Some(f64::NAN), None),
            (Some(f64::INFINITY), None),
            (Some(-0.5), None),
            (Some(0.0), None),
            (Some(120.0), None),
            (None, Some(0)),
            (None, Some(u64::MAX)),
        ] {
            let e = base.with_overrides(deadline, max).err().map(|e| e.code());
            assert_eq!(e, Some(ErrorCode::InvalidConfig), "{deadline:?} {max:?}");
        }
    }

    #[test]
    fn check_config_reports_hook_settings() {
        let vars: HashMap<&str, &str> = [(DEADLINE_ENV_VAR, "0")].into_iter().collect();
        let report = crate::check::check_env(&vars);
        assert!(
            report.problems.iter().any(|p| p.contains(DEADLINE_ENV_VAR)),
            "{report:?}"
        );
    }
}
