//! Helpers for the tests that need a real PostgreSQL server, as started by
//! `scripts/with-postgres.sh`: the database URL, a raw client for checking rows, fresh databases
//! for tests that need the table absent, and JTI prefixes unique to one test run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use incidentfox_auth::jti::{JtiEntry, PostgresJtiStore, PostgresSettings};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio_postgres::NoTls;

/// The server's URL; a test run without one fails, never passes silently.
pub fn database_url() -> String {
    match std::env::var("IFX_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "IFX_TEST_DATABASE_URL is not set: run these tests under scripts/with-postgres.sh, \
             e.g. `bash scripts/with-postgres.sh cargo test -p incidentfox-auth --features \
             postgres --test jti_postgres`"
        ),
    }
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A JTI prefix no other test, and no earlier run against the same database, uses.
pub fn prefix(tag: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{tag}-{:x}-{nanos:x}-{}-",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// An entry for `jti` expiring `expires_in` seconds from now.
pub fn entry(jti: &str, expires_in: i64) -> JtiEntry {
    let now = now();
    JtiEntry {
        jti: jti.into(),
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        subject: Some("admin@example.com".into()),
        email: None,
        issued_at: now,
        expires_at: now + expires_in,
    }
}

/// A migrated store on `url` with the default settings.
pub async fn store_at(url: &str) -> PostgresJtiStore {
    let store = PostgresJtiStore::connect(PostgresSettings::new(url)).unwrap();
    store.migrate().await.unwrap();
    store
}

/// A plain client, for setting up and checking rows behind the store's back.
pub async fn raw_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// Rows whose jti starts with `prefix`.
pub async fn count_rows(client: &tokio_postgres::Client, prefix: &str) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM impersonation_jtis WHERE starts_with(jti, $1)",
            &[&prefix],
        )
        .await
        .unwrap()
        .get(0)
}

/// A new, empty database on the same server, dropped when the value is dropped; for tests that
/// need `impersonation_jtis` absent or shaped by hand without touching the shared one.
pub struct FreshDatabase {
    pub url: String,
    name: String,
}

impl FreshDatabase {
    pub async fn create(tag: &str) -> FreshDatabase {
        let base = database_url();
        let name = format!("ifx_{tag}_{}", prefix("db").replace('-', "_"))
            .trim_end_matches('_')
            .to_owned();
        raw_client(&base)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut url = url::Url::parse(&base).unwrap();
        url.set_path(&name);
        FreshDatabase {
            url: url.to_string(),
            name,
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        // Best effort, on a thread of its own since drop cannot await; `FORCE` ends connections
        // a pool may still hold.
        let base = database_url();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&base, NoTls).await {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}
