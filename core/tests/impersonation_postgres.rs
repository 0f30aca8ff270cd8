//! Impersonation through the PostgreSQL JTI store, end to end: strict minting under load records
//! every JTI, and with the server gone minting and required verification fail closed. Run under
//! `scripts/with-postgres.sh`.
//!
//! The server is stopped here, so this is a binary of its own (cargo runs test binaries one at a
//! time) and its tests hold one lock.
#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/postgres.rs"]
mod pg;

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jti::{JtiStore, PostgresJtiStore, PostgresSettings};
use incidentfox_auth::ErrorCode;
use pg::{database_url, prefix, raw_client};
use std::sync::Arc;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn pg_ctl(action: &str) {
    let ctl = std::env::var("IFX_TEST_PG_CTL").unwrap_or_else(|_| {
        panic!("IFX_TEST_PG_CTL is not set: run under scripts/with-postgres.sh")
    });
    assert!(std::process::Command::new(&ctl)
        .arg(action)
        .status()
        .unwrap()
        .success());
}

fn config() -> ImpersonationConfig {
    let mut config = ImpersonationConfig::new("postgres-impersonation-secret-0123456789");
    config.jti_logging = true;
    config.jti_require = true;
    config
}

async fn store() -> Arc<dyn JtiStore> {
    let store = PostgresJtiStore::connect(PostgresSettings::new(database_url())).unwrap();
    store.migrate().await.unwrap();
    Arc::new(store)
}

fn request(org: &str, i: usize) -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: org.to_owned(),
        team_node_id: "team-1".into(),
        subject: format!("admin-{i}"),
        email: None,
        ttl_seconds: None,
    }
}

async fn rows_for_org(org: &str) -> i64 {
    raw_client(&database_url())
        .await
        .query_one(
            "SELECT count(*) FROM impersonation_jtis WHERE org_id = $1",
            &[&org],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_strict_mints_leave_exactly_ten_thousand_rows() {
    let _serial = SERIAL.lock().await;
    let store = store().await;
    let signer = ImpersonationSigner::new(config(), Some(store.clone())).unwrap();
    let verifier = ImpersonationVerifier::new(config(), Some(store)).unwrap();
    let org = prefix("mint10k");
    let mints: Vec<_> = (0..10_000)
        .map(|i| {
            let (signer, request) = (signer.clone(), request(&org, i));
            tokio::spawn(async move { signer.mint(&request).await })
        })
        .collect();
    let mut tokens = Vec::new();
    for mint in mints {
        tokens.push(mint.await.unwrap().unwrap().token);
    }
    assert_eq!(rows_for_org(&org).await, 10_000);
    // Every one of them verifies against the shared table, as another replica would.
    for token in tokens.iter().step_by(500) {
        assert!(verifier.verify(token).await.is_ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_server_gone_minting_and_verification_fail_closed() {
    let _serial = SERIAL.lock().await;
    let store = store().await;
    let signer = ImpersonationSigner::new(config(), Some(store.clone())).unwrap();
    let verifier = ImpersonationVerifier::new(config(), Some(store)).unwrap();
    let org = prefix("outage");
    let minted = signer.mint(&request(&org, 0)).await.unwrap();
    assert!(verifier.verify(&minted.token).await.is_ok());

    pg_ctl("stop");
    let during_mint = signer.mint(&request(&org, 1)).await;
    let during_verify = verifier.verify(&minted.token).await;
    pg_ctl("start");

    let e = during_mint.expect_err("strict minting must not hand out an unrecorded token");
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    let e = during_verify.expect_err("required verification must fail closed");
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert_eq!(e.http_status(), 503);

    // Back up: the earlier token verifies again, and nothing half-minted was recorded.
    assert!(verifier.verify(&minted.token).await.is_ok());
    assert_eq!(rows_for_org(&org).await, 1);
}
