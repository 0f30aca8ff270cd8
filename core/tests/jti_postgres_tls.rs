//! The PostgreSQL JTI store over TLS, against the server of `scripts/with-postgres.sh`: it speaks
//! TLS with a certificate for localhost and 127.0.0.1 signed by the CA in
//! `IFX_TEST_PG_SSLROOTCERT`; `IFX_TEST_PG_OTHER_CA` signed nothing it has.
//!
//! Each test names its connections (`application_name`) and asks the server, through a plain
//! connection, whether they are encrypted (`pg_stat_ssl`).
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
use incidentfox_auth::ErrorCode;
use pg::{database_url, entry, prefix, raw_client};
use std::path::PathBuf;

fn ca(var: &str) -> PathBuf {
    match std::env::var(var) {
        Ok(path) if !path.is_empty() => PathBuf::from(path),
        _ => panic!("{var} is not set: run under scripts/with-postgres.sh (it needs openssl)"),
    }
}

/// The test server's URL with `query` appended and `host` in place of 127.0.0.1.
fn url(host: &str, query: &str) -> String {
    format!("{}?{query}", database_url().replacen("127.0.0.1", host, 1))
}

/// Sessions of `app` on the server: (encrypted, plaintext).
async fn sessions(app: &str) -> (i64, i64) {
    let client = raw_client(&database_url()).await;
    let row = client
        .query_one(
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FILTER (WHERE NOT s.ssl) \
             FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = $1",
            &[&app],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

async fn round_trip(store: &PostgresJtiStore, tag: &str) {
    store.migrate().await.unwrap();
    let jti = format!("{}a", prefix(tag));
    store.record(&entry(&jti, 600)).await.unwrap();
    assert!(store.contains(&jti).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_servers_ca_in_the_url_encrypts() {
    let root = ca("IFX_TEST_PG_SSLROOTCERT");
    let query = format!(
        "sslmode=verify-full&sslrootcert={}&application_name=ifx-tls-url",
        root.display()
    );
    let store = PostgresJtiStore::connect(PostgresSettings::new(url("127.0.0.1", &query))).unwrap();
    round_trip(&store, "tls-url").await;
    let (encrypted, plain) = sessions("ifx-tls-url").await;
    assert!(encrypted >= 1, "no encrypted session");
    assert_eq!(plain, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_checks_the_name_against_pgsslrootcert_anchors() {
    let mut settings = PostgresSettings::new(url(
        "localhost",
        "sslmode=require&application_name=ifx-tls-env",
    ));
    settings.ssl_root_cert = Some(ca("IFX_TEST_PG_SSLROOTCERT"));
    let store = PostgresJtiStore::connect(settings).unwrap();
    round_trip(&store, "tls-env").await;
    assert!(sessions("ifx-tls-env").await.0 >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_from_another_ca_is_refused_without_falling_back_to_plaintext() {
    let mut settings = PostgresSettings::new(url(
        "127.0.0.1",
        "sslmode=require&application_name=ifx-tls-wrong-ca",
    ));
    settings.ssl_root_cert = Some(ca("IFX_TEST_PG_OTHER_CA"));
    let store = PostgresJtiStore::connect(settings).unwrap();
    let e = store
        .record(&entry(&format!("{}a", prefix("tls-wrong")), 600))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert_eq!(sessions("ifx-tls-wrong-ca").await, (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_sslmode_the_store_stays_in_plaintext() {
    // tokio-postgres alone would try TLS here (`prefer`) and fail on the private CA; the store
    // encrypts only when asked to.
    let store = PostgresJtiStore::connect(PostgresSettings::new(url(
        "127.0.0.1",
        "application_name=ifx-tls-off",
    )))
    .unwrap();
    round_trip(&store, "tls-off").await;
    let (encrypted, plain) = sessions("ifx-tls-off").await;
    assert_eq!(encrypted, 0);
    assert!(plain >= 1);
}
