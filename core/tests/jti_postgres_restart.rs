//! The PostgreSQL JTI store while its server goes down and comes back: run under
//! `scripts/with-postgres.sh`, which exports `IFX_TEST_PG_CTL`.
//!
//! A binary of its own: `cargo test` runs test binaries one after another, so taking the shared
//! server away here cannot fail a test in `jti_postgres.rs`. Within this binary the tests hold
//! one lock, so they never overlap either. (A runner that runs binaries in parallel must run
//! this one alone.)
#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/postgres.rs"]
mod pg;

use incidentfox_auth::jti::{JtiStore, PostgresJtiStore, PostgresSettings};
use incidentfox_auth::{ErrorCode, Result};
use pg::{database_url, entry, prefix};
use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest a call may take while the server is down: the default 3 s bounds plus slack for a
/// busy machine. A hang would blow far past it.
const FAIL_FAST: Duration = Duration::from_secs(10);

/// Held by each test for its whole run: they take the server away in turn.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs the helper the script wrote: `stop` (`pg_ctl stop -m immediate`, a crash), `start`,
/// `freeze` (SIGSTOP: the server hangs with its connections open), `thaw`.
fn pg_ctl(action: &str) {
    let ctl = std::env::var("IFX_TEST_PG_CTL").unwrap_or_else(|_| {
        panic!("IFX_TEST_PG_CTL is not set: run this test under scripts/with-postgres.sh")
    });
    let status = Command::new(&ctl).arg(action).status().unwrap();
    assert!(status.success(), "`{ctl} {action}` failed: {status}");
}

/// The server taken away (`stop` or `freeze`); brought back (`start` or `thaw`) when ended or
/// dropped, so a failing assertion cannot leave it away for the next test.
struct Downtime {
    undo: Option<&'static str>,
}

impl Downtime {
    fn begin(action: &'static str, undo: &'static str) -> Downtime {
        pg_ctl(action);
        Downtime { undo: Some(undo) }
    }

    fn end(mut self) {
        if let Some(undo) = self.undo.take() {
            pg_ctl(undo);
        }
    }
}

impl Drop for Downtime {
    fn drop(&mut self) {
        if let Some(undo) = self.undo.take() {
            pg_ctl(undo);
        }
    }
}

/// A migrated store with the default settings and several pooled connections open, and a JTI
/// recorded under a fresh prefix.
async fn warm_store(tag: &str) -> (Arc<PostgresJtiStore>, String, String) {
    let store = Arc::new(PostgresJtiStore::connect(PostgresSettings::new(database_url())).unwrap());
    store.migrate().await.unwrap();
    let p = prefix(tag);
    let before = format!("{p}before");
    store.record(&entry(&before, 600)).await.unwrap();
    let warm: Vec<_> = (0..8)
        .map(|_| {
            let (store, jti) = (Arc::clone(&store), before.clone());
            tokio::spawn(async move { store.contains(&jti).await.unwrap() })
        })
        .collect();
    for call in warm {
        assert!(call.await.unwrap());
    }
    (store, p, before)
}

/// Many callers at once all fail fast too, rather than queueing behind each other.
async fn callers_fail_fast(store: &Arc<PostgresJtiStore>, jti: &str) {
    let started = Instant::now();
    let callers: Vec<_> = (0..32)
        .map(|_| {
            let (store, jti) = (Arc::clone(store), jti.to_owned());
            tokio::spawn(async move { store.contains(&jti).await })
        })
        .collect();
    for caller in callers {
        let e = caller.await.unwrap().unwrap_err();
        assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    }
    assert!(
        started.elapsed() < FAIL_FAST,
        "took {:?}",
        started.elapsed()
    );
}

/// Awaits `call`, which must fail with `jti_store_unavailable` inside [`FAIL_FAST`].
async fn fails_fast<T: std::fmt::Debug>(what: &str, call: impl Future<Output = Result<T>>) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(FAIL_FAST * 2, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung with the server down"));
    let took = started.elapsed();
    eprintln!("{what}: failed in {took:?}");
    let e = outcome.expect_err(what);
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable, "{what}: {e}");
    assert!(e.message().contains(what), "{what}: {e}");
    assert!(took < FAIL_FAST, "{what} took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fails_fast_while_the_server_is_down_and_recovers_without_a_rebuild() {
    let _serial = SERIAL.lock().await;
    let (store, p, before) = warm_store("restart").await;

    // A crash: every pooled connection drops, new ones are refused.
    let downtime = Downtime::begin("stop", "start");
    fails_fast("contains", store.contains(&before)).await;
    fails_fast("record", store.record(&entry(&format!("{p}during"), 600))).await;
    fails_fast("revoke", store.revoke(&before)).await;
    fails_fast("consume", store.consume(&before)).await;
    fails_fast("purge_expired", store.purge_expired()).await;
    callers_fail_fast(&store, &before).await;
    downtime.end();

    // The same store works again at once: no rebuild, no retry loop in the caller.
    assert!(
        store.contains(&before).await.unwrap(),
        "the row recorded before the crash"
    );
    let after = format!("{p}after");
    store.record(&entry(&after, 600)).await.unwrap();
    assert!(store.contains(&after).await.unwrap());
    assert!(!store.contains(&format!("{p}during")).await.unwrap());
    assert!(store.consume(&after).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fails_fast_while_the_server_hangs_and_recovers_without_a_rebuild() {
    let _serial = SERIAL.lock().await;
    let (store, p, before) = warm_store("hang").await;

    // A hang: pooled connections stay open but nothing answers, and new ones get no handshake.
    // Only the client-side bounds end these calls.
    let downtime = Downtime::begin("freeze", "thaw");
    fails_fast("contains", store.contains(&before)).await;
    fails_fast("record", store.record(&entry(&format!("{p}during"), 600))).await;
    fails_fast("consume", store.consume(&before)).await;
    callers_fail_fast(&store, &before).await;
    downtime.end();

    assert!(
        store.contains(&before).await.unwrap(),
        "the row recorded before the hang"
    );
    let after = format!("{p}after");
    store.record(&entry(&after, 600)).await.unwrap();
    assert!(store.consume(&after).await.unwrap());
    // Whether `during` landed is not asserted: a statement the client gave up on may still run
    // once the server wakes (the outcome of a timed-out call is unknown, as with any database).
}
