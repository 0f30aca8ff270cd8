//! The PostgreSQL JTI store against a real server: run under `scripts/with-postgres.sh`.
//!
//! Tests share one database and run concurrently; each uses JTIs under its own prefix, and those
//! that need the table absent or shaped like the config service's get a fresh database of their own. Stopping
//! the server is in `jti_postgres_restart.rs`, a separate binary, so it cannot disturb these.
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
use pg::{count_rows, database_url, entry, prefix, raw_client, store_at, FreshDatabase};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_is_idempotent_and_safe_to_run_concurrently() {
    let db = FreshDatabase::create("migrate").await;
    let store = PostgresJtiStore::connect(PostgresSettings::new(&db.url)).unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    // Replicas starting together all migrate at once.
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.migrate().await })
        })
        .collect();
    for run in runs {
        run.await.unwrap().unwrap();
    }

    let client = raw_client(&db.url).await;
    let mut indexes: Vec<String> = client
        .query(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'impersonation_jtis'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    indexes.sort();
    assert_eq!(
        indexes,
        [
            "impersonation_jtis_pkey",
            "ix_impersonation_jtis_expires_at",
            "ix_impersonation_jtis_org_team"
        ]
    );
    let columns: Vec<(String, String, String, Option<i32>)> = client
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text, \
             character_maximum_length FROM information_schema.columns \
             WHERE table_name = 'impersonation_jtis' ORDER BY ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect();
    let expected = [
        ("jti", "character varying", "NO", Some(64)),
        ("org_id", "character varying", "NO", Some(64)),
        ("team_node_id", "character varying", "NO", Some(128)),
        ("subject", "character varying", "YES", Some(256)),
        ("email", "character varying", "YES", Some(256)),
        ("issued_at", "timestamp with time zone", "NO", None),
        ("expires_at", "timestamp with time zone", "NO", None),
    ];
    assert_eq!(columns.len(), expected.len());
    for (got, want) in columns.iter().zip(expected) {
        assert_eq!(
            (got.0.as_str(), got.1.as_str(), got.2.as_str(), got.3),
            want
        );
    }
    drop(store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_leaves_the_services_table_and_its_rows_alone() {
    let db = FreshDatabase::create("compat").await;
    let client = raw_client(&db.url).await;
    // The config service's schema exactly as its Alembic migration creates it, foreign key to org_nodes
    // included, with one row minted by the config service.
    client
        .batch_execute(
            "CREATE TABLE org_nodes (
                 org_id VARCHAR(64) NOT NULL,
                 node_id VARCHAR(128) NOT NULL,
                 PRIMARY KEY (org_id, node_id)
             );
             INSERT INTO org_nodes VALUES ('org-1', 'team-1');
             CREATE TABLE impersonation_jtis (
                 jti VARCHAR(64) PRIMARY KEY,
                 org_id VARCHAR(64) NOT NULL,
                 team_node_id VARCHAR(128) NOT NULL,
                 subject VARCHAR(256),
                 email VARCHAR(256),
                 issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
                 expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
                 FOREIGN KEY (org_id, team_node_id) REFERENCES org_nodes(org_id, node_id)
                     ON DELETE CASCADE
             );
             CREATE INDEX ix_impersonation_jtis_org_team
                 ON impersonation_jtis(org_id, team_node_id);
             CREATE INDEX ix_impersonation_jtis_expires_at ON impersonation_jtis(expires_at);
             INSERT INTO impersonation_jtis VALUES ('0123456789abcdef0123456789abcdef', 'org-1',
                 'team-1', 'admin@example.com', NULL, now(), now() + interval '15 minutes');",
        )
        .await
        .unwrap();

    let store = store_at(&db.url).await;
    store.migrate().await.unwrap();

    let rows = client
        .query("SELECT jti, org_id, subject FROM impersonation_jtis", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].get::<_, String>(0),
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(rows[0].get::<_, String>(1), "org-1");
    assert_eq!(
        rows[0].get::<_, Option<String>>(2).as_deref(),
        Some("admin@example.com")
    );
    let indexes: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'impersonation_jtis'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(indexes, 3, "migrate added an index to an existing table");

    // The row minted by the config service is honoured, and new rows land beside it.
    assert!(store
        .contains("0123456789abcdef0123456789abcdef")
        .await
        .unwrap());
    store
        .record(&entry("fedcba9876543210fedcba9876543210", 900))
        .await
        .unwrap();
    assert!(store
        .contains("fedcba9876543210fedcba9876543210")
        .await
        .unwrap());

    // The config service's foreign key refuses a team that is not in org_nodes: an error, not a lost row.
    let mut stray = entry("00000000000000000000000000000000", 900);
    stray.team_node_id = "no-such-team".into();
    let e = store.record(&stray).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert!(e.message().contains("23503"), "{e}");
    drop(store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_contains_revoke_consume() {
    let store = store_at(&database_url()).await;
    let p = prefix("basic");
    let (a, b, c) = (format!("{p}a"), format!("{p}b"), format!("{p}c"));

    assert!(!store.contains(&a).await.unwrap());
    assert!(!store.revoke(&a).await.unwrap());
    assert!(!store.consume(&a).await.unwrap());

    store.record(&entry(&a, 60)).await.unwrap();
    store.record(&entry(&b, 60)).await.unwrap();
    assert!(store.contains(&a).await.unwrap());
    assert!(store.contains(&b).await.unwrap());
    assert!(!store.contains(&c).await.unwrap());

    assert!(store.revoke(&a).await.unwrap());
    assert!(!store.contains(&a).await.unwrap());
    assert!(!store.revoke(&a).await.unwrap());

    assert!(store.consume(&b).await.unwrap());
    assert!(!store.consume(&b).await.unwrap());
    assert!(!store.contains(&b).await.unwrap());

    // Revoked and consumed JTIs are gone for good: recording them again is allowed, not a clash.
    store.record(&entry(&a, 60)).await.unwrap();
    assert!(store.contains(&a).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_is_stored_as_given() {
    let store = store_at(&database_url()).await;
    let jti = format!("{}x", prefix("fields"));
    let mut e = entry(&jti, 900);
    e.subject = None;
    e.email = Some("alice@example.com".into());
    e.issued_at = 1_700_000_000;
    e.expires_at = 4_102_444_800; // 2100-01-01
    store.record(&e).await.unwrap();

    let client = raw_client(&database_url()).await;
    let row = client
        .query_one(
            "SELECT org_id, team_node_id, subject, email, \
             extract(epoch FROM issued_at)::bigint, extract(epoch FROM expires_at)::bigint \
             FROM impersonation_jtis WHERE jti = $1",
            &[&jti],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), e.org_id);
    assert_eq!(row.get::<_, String>(1), e.team_node_id);
    assert_eq!(row.get::<_, Option<String>>(2), None);
    assert_eq!(row.get::<_, Option<String>>(3), e.email);
    assert_eq!(row.get::<_, i64>(4), e.issued_at);
    assert_eq!(row.get::<_, i64>(5), e.expires_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_record_is_an_error() {
    let store = store_at(&database_url()).await;
    let jti = format!("{}dup", prefix("dup"));
    store.record(&entry(&jti, 60)).await.unwrap();
    let e = store.record(&entry(&jti, 120)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert!(e.message().contains("already recorded"), "{e}");
    assert!(e.message().contains(&jti), "{e}");
    assert_eq!(
        count_rows(&raw_client(&database_url()).await, &jti).await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_jti_is_an_error_not_a_truncation() {
    let store = store_at(&database_url()).await;
    let jti = format!("{}{}", prefix("long"), "z".repeat(64));
    let e = store.record(&entry(&jti, 60)).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert!(!store.contains(&jti).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_entries_are_not_contained_and_are_purged() {
    let store = store_at(&database_url()).await;
    let client = raw_client(&database_url()).await;
    let p = prefix("expiry");
    let (old, older, live) = (format!("{p}old"), format!("{p}older"), format!("{p}live"));
    store.record(&entry(&old, -1)).await.unwrap();
    store.record(&entry(&older, -86_400)).await.unwrap();
    store.record(&entry(&live, 600)).await.unwrap();

    assert!(!store.contains(&old).await.unwrap());
    assert!(!store.contains(&older).await.unwrap());
    assert!(store.contains(&live).await.unwrap());
    // An expired entry cannot be consumed either.
    assert!(!store.consume(&old).await.unwrap());
    assert_eq!(
        count_rows(&client, &p).await,
        3,
        "expired rows stay until purged"
    );

    let purged = store.purge_expired().await.unwrap();
    assert!(purged >= 2, "purged {purged}");
    assert_eq!(count_rows(&client, &p).await, 1);
    assert!(store.contains(&live).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_works_in_batches() {
    // More expired rows than one purge batch (10,000), inserted behind the store's back.
    let db = FreshDatabase::create("purge").await;
    let store = store_at(&db.url).await;
    let client = raw_client(&db.url).await;
    client
        .batch_execute(
            "INSERT INTO impersonation_jtis \
             SELECT 'p' || i, 'org', 'team', NULL, NULL, now() - interval '2 hours', \
                    now() - interval '1 hour' FROM generate_series(1, 25000) AS i;
             INSERT INTO impersonation_jtis VALUES ('keep', 'org', 'team', NULL, NULL, now(), \
                    now() + interval '1 hour');",
        )
        .await
        .unwrap();
    assert_eq!(store.purge_expired().await.unwrap(), 25_000);
    assert_eq!(store.purge_expired().await.unwrap(), 0);
    assert!(store.contains("keep").await.unwrap());
    drop(store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_consumers_succeed_exactly_once() {
    let store = Arc::new(store_at(&database_url()).await);
    let p = prefix("once");
    for round in 0..20 {
        let jti = format!("{p}{round}");
        store.record(&entry(&jti, 60)).await.unwrap();
        let consumers: Vec<_> = (0..8)
            .map(|_| {
                let (store, jti) = (Arc::clone(&store), jti.clone());
                tokio::spawn(async move { store.consume(&jti).await.unwrap() })
            })
            .collect();
        let mut winners = 0;
        for consumer in consumers {
            winners += usize::from(consumer.await.unwrap());
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_records_all_land() {
    let mut settings = PostgresSettings::new(database_url());
    settings.pool_size = 16;
    // 10,000 callers queue for 16 connections at once; the default 3 s bound on waiting for a
    // slot is for real traffic, not for a queue this test builds on purpose.
    settings.wait_timeout = Duration::from_secs(120);
    let store = Arc::new(PostgresJtiStore::connect(settings).unwrap());
    store.migrate().await.unwrap();
    let p = prefix("bulk");
    let tasks: Vec<_> = (0..10_000)
        .map(|i| {
            let store = Arc::clone(&store);
            let jti = format!("{p}{i}");
            tokio::spawn(async move { store.record(&entry(&jti, 600)).await })
        })
        .collect();
    let mut failures = Vec::new();
    for task in tasks {
        if let Err(e) = task.await.unwrap() {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        count_rows(&raw_client(&database_url()).await, &p).await,
        10_000
    );
    assert!(format!("{store:?}").contains("max_size: 16"), "{store:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_never_show_the_password() {
    // A wrong password against the real server (trust auth ignores it, so a missing database
    // gives the server-side error instead) must not echo the URL.
    let mut url = url::Url::parse(&database_url()).unwrap();
    url.set_password(Some("hunter2-secret")).unwrap();
    url.set_path("no_such_database");
    let store = PostgresJtiStore::connect(PostgresSettings::new(url.as_str())).unwrap();
    let e = store.contains("x").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
    assert!(e.message().starts_with("jti store contains failed"), "{e}");
    assert!(e.message().contains("3D000"), "{e}");
    assert!(!e.message().contains("hunter2"), "{e}");
    assert!(!format!("{store:?}").contains("hunter2"));
}
