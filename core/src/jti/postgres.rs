//! The PostgreSQL JTI store: the config service's `impersonation_jtis` table, shared by every replica.
//!
//! Connections come from a deadpool pool; each connection caches its prepared statements. Every
//! wait is bounded (pool slot, connect, statement), so a database that is down or unreachable makes
//! calls fail with `jti_store_unavailable` within seconds instead of hanging a request. Expiry is
//! judged by the database clock (`now()`), so all replicas agree on it.

use super::postgres_tls::{connector, tls_request};
use super::store::{JtiEntry, JtiStore};
use crate::config::{EnvReader, FromEnv};
use crate::error::{err, Error, ErrorCode, Result};
use crate::text::clip;
use async_trait::async_trait;
use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime, TimeoutType,
};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_postgres::error::SqlState;

/// The variable naming the database, read first.
const URL_VAR: &str = "IMPERSONATION_JTI_DATABASE_URL";
/// The service-wide database variable, the fallback (the services set only this one).
const FALLBACK_URL_VAR: &str = "DATABASE_URL";
/// The pool size variable.
const POOL_SIZE_VAR: &str = "IMPERSONATION_JTI_DB_POOL_SIZE";
/// libpq's variable for the server's trust anchors, read when the URL has no `sslrootcert`.
const ROOT_CERT_VAR: &str = "PGSSLROOTCERT";

/// Default number of pooled connections.
const DEFAULT_POOL_SIZE: usize = 16;
/// Default bound on connecting, on running one statement, and on waiting for a free connection.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Expired rows deleted per statement by [`PostgresJtiStore::purge_expired`]: small enough that
/// each batch finishes well inside the statement timeout even on a table that was never purged.
const PURGE_BATCH: i64 = 10_000;

/// Key of the advisory lock that serialises `migrate` across replicas starting together, since
/// concurrent `CREATE TABLE IF NOT EXISTS` can still collide in the catalog.
const MIGRATE_LOCK_KEY: i64 = 0x6966_785f_6a74_6973; // "ifx_jtis"

// The index names are those of the config service's Alembic migration, so on an existing database the
// `IF NOT EXISTS` clauses find them and change nothing.
const MIGRATE_SQL: &str = "\
CREATE TABLE IF NOT EXISTS impersonation_jtis (
    jti varchar(64) PRIMARY KEY,
    org_id varchar(64) NOT NULL,
    team_node_id varchar(128) NOT NULL,
    subject varchar(256) NULL,
    email varchar(256) NULL,
    issued_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_impersonation_jtis_org_team
    ON impersonation_jtis (org_id, team_node_id);
CREATE INDEX IF NOT EXISTS ix_impersonation_jtis_expires_at
    ON impersonation_jtis (expires_at);";

const RECORD_SQL: &str = "INSERT INTO impersonation_jtis \
    (jti, org_id, team_node_id, subject, email, issued_at, expires_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const CONTAINS_SQL: &str =
    "SELECT EXISTS (SELECT 1 FROM impersonation_jtis WHERE jti = $1 AND expires_at > now())";
const REVOKE_SQL: &str = "DELETE FROM impersonation_jtis WHERE jti = $1";
const CONSUME_SQL: &str =
    "DELETE FROM impersonation_jtis WHERE jti = $1 AND expires_at > now() RETURNING jti";
const PURGE_SQL: &str = "DELETE FROM impersonation_jtis WHERE jti IN \
    (SELECT jti FROM impersonation_jtis WHERE expires_at < now() LIMIT $1)";

/// Where the PostgreSQL JTI store connects, and how long it may wait.
///
/// `url` carries the database password: `Debug` shows only the user, host, port and database.
#[derive(Clone)]
pub struct PostgresSettings {
    /// A `postgres://user:password@host:port/db` URL or a `key=value` connection string, with
    /// libpq's `sslmode` and `sslrootcert` (see docs/configuration.md: any mode that encrypts verifies the
    /// server's certificate and name).
    pub url: String,
    /// Trust anchors (PEM) for the server's certificate when the URL names none: libpq's
    /// `PGSSLROOTCERT`. Neither given: the system's roots.
    pub ssl_root_cert: Option<PathBuf>,
    /// Most connections held open at once (default 16).
    pub pool_size: usize,
    /// Bound on opening one connection, TCP and handshake together (default 3 s).
    pub connect_timeout: Duration,
    /// Bound on one statement, enforced by the server (`statement_timeout`) and by the client, so
    /// a server that stops answering cannot hold a request (default 3 s).
    pub statement_timeout: Duration,
    /// Bound on waiting for a free pooled connection when all are busy (default 3 s).
    pub wait_timeout: Duration,
}

impl PostgresSettings {
    /// Settings for `url` with the default pool size and timeouts.
    pub fn new(url: impl Into<String>) -> Self {
        PostgresSettings {
            url: url.into(),
            ssl_root_cert: None,
            pool_size: DEFAULT_POOL_SIZE,
            connect_timeout: DEFAULT_TIMEOUT,
            statement_timeout: DEFAULT_TIMEOUT,
            wait_timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// `IMPERSONATION_JTI_DATABASE_URL`, else `DATABASE_URL` (one is required), `PGSSLROOTCERT` and
/// `IMPERSONATION_JTI_DB_POOL_SIZE` (at least 1); the URL itself is never quoted in a problem.
impl FromEnv for PostgresSettings {
    type Output = PostgresSettings;

    fn read_env(env: &mut EnvReader<'_>) -> PostgresSettings {
        let (name, url) = match (env.text(URL_VAR), env.text(FALLBACK_URL_VAR)) {
            (Some(url), _) => (URL_VAR, url),
            (None, Some(url)) => (FALLBACK_URL_VAR, url),
            (None, None) => {
                env.problem(format!(
                    "{URL_VAR} (or {FALLBACK_URL_VAR}) is required for the postgresql jti store"
                ));
                (URL_VAR, String::new())
            }
        };
        if !url.is_empty() {
            if let Err(problem) = pg_config(&url) {
                env.problem(format!("{name} {problem}"));
            }
        }
        let mut settings = PostgresSettings::new(url);
        settings.ssl_root_cert = env.text(ROOT_CERT_VAR).map(PathBuf::from);
        settings.pool_size = env.number(POOL_SIZE_VAR, DEFAULT_POOL_SIZE, 1);
        settings
    }
}

impl fmt::Debug for PostgresSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresSettings")
            .field("url", &RedactedUrl(&self.url))
            .field("ssl_root_cert", &self.ssl_root_cert)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("wait_timeout", &self.wait_timeout)
            .finish()
    }
}

/// Prints where a connection string points, never its password.
struct RedactedUrl<'a>(&'a str);

impl fmt::Debug for RedactedUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rebuilt from parsed parts rather than edited, so a password hidden in the query
        // (`?password=`) or in a `key=value` string can never slip through.
        match parse_config(self.0) {
            Some(config) => {
                let hosts: Vec<String> = config
                    .get_hosts()
                    .iter()
                    .map(|host| match host {
                        tokio_postgres::config::Host::Tcp(name) => name.clone(),
                        tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                    })
                    .collect();
                let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
                write!(
                    f,
                    "\"postgres://{}{}@{}:{}/{}\"",
                    config.get_user().unwrap_or(""),
                    if config.get_password().is_some() {
                        ":<redacted>"
                    } else {
                        ""
                    },
                    hosts.join(","),
                    ports.join(","),
                    config.get_dbname().unwrap_or(""),
                )
            }
            None => f.write_str("<redacted>"),
        }
    }
}

/// Parses a connection string, dropping the parser's error, which could quote part of it.
fn parse_config(url: &str) -> Option<tokio_postgres::Config> {
    url.parse().ok()
}

/// Parses and checks a connection string (libpq's TLS parameters taken out first, see
/// `postgres_tls`); the problem never quotes it.
fn pg_config(
    url: &str,
) -> std::result::Result<(tokio_postgres::Config, bool, Option<PathBuf>), &'static str> {
    let request = tls_request(url)?;
    let config = parse_config(&request.url).ok_or("is not a valid postgresql connection string")?;
    Ok((config, request.encrypt, request.root_cert))
}

/// JTIs in the `impersonation_jtis` table of a PostgreSQL database.
///
/// Cheap to clone (the pool is shared). Build it with [`PostgresJtiStore::connect`], call
/// [`PostgresJtiStore::migrate`] once at startup, and schedule
/// [`PostgresJtiStore::purge_expired`]; expired rows are never returned, but only the purge
/// removes them.
#[derive(Clone)]
pub struct PostgresJtiStore {
    pool: Pool,
    statement_timeout: Duration,
}

impl fmt::Debug for PostgresJtiStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only pool counters: the pool's own `Debug` would print the connection configuration.
        let status = self.pool.status();
        f.debug_struct("PostgresJtiStore")
            .field("max_size", &status.max_size)
            .field("size", &status.size)
            .field("available", &status.available)
            .field("statement_timeout", &self.statement_timeout)
            .finish()
    }
}

impl PostgresJtiStore {
    /// Builds the pool. No connection is opened yet, so this succeeds while the database is
    /// down; the first call then reports `jti_store_unavailable`. `invalid_config` when the
    /// connection string does not parse or the pool size is 0.
    pub fn connect(settings: PostgresSettings) -> Result<PostgresJtiStore> {
        let (mut config, encrypt, url_root_cert) = pg_config(&settings.url)
            .map_err(|problem| err(ErrorCode::InvalidConfig, format!("database url {problem}")))?;
        let root_cert = url_root_cert.or_else(|| settings.ssl_root_cert.clone());
        let tls = connector(encrypt, root_cert.as_deref())?;
        if settings.pool_size == 0 {
            return Err(err(
                ErrorCode::InvalidConfig,
                "the jti store pool size must be at least 1",
            ));
        }
        config.connect_timeout(settings.connect_timeout);
        // The server cancels a statement past the timeout too, so a slow query (a lock wait)
        // stops using the database once the client has given up on it.
        let statement_ms = settings.statement_timeout.as_millis().max(1);
        let options = match config.get_options() {
            Some(existing) => format!("{existing} -c statement_timeout={statement_ms}"),
            None => format!("-c statement_timeout={statement_ms}"),
        };
        config.options(options);
        if config.get_application_name().is_none() {
            config.application_name("incidentfox-auth");
        }
        let manager = Manager::from_config(
            config,
            tls,
            ManagerConfig {
                // A closed connection is detected at checkout; a connection that timed out is
                // dropped by `finish`, so a per-checkout test query would only add a round trip.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.connect_timeout))
            .recycle_timeout(Some(settings.statement_timeout))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|_| {
                err(
                    ErrorCode::InvalidConfig,
                    "the jti store pool cannot be built",
                )
            })?;
        Ok(PostgresJtiStore {
            pool,
            statement_timeout: settings.statement_timeout,
        })
    }

    /// Creates the `impersonation_jtis` table and its two indexes when missing. Idempotent, safe
    /// for replicas starting together, and an existing table (the config service's) is left as it is.
    pub async fn migrate(&self) -> Result<()> {
        const OP: &str = "migrate";
        let mut client = self.client(OP).await?;
        let outcome = tokio::time::timeout(self.statement_timeout, async {
            let tx = client.transaction().await?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK_KEY])
                .await?;
            tx.batch_execute(MIGRATE_SQL).await?;
            tx.commit().await
        })
        .await;
        finish(OP, client, outcome)
    }

    /// Deletes the rows whose token has expired (by the database clock); the number deleted.
    ///
    /// Meant to be scheduled by the service (every few minutes is plenty). Works in batches, so
    /// the first purge of a table that has grown for months does not hit the statement timeout.
    pub async fn purge_expired(&self) -> Result<u64> {
        const OP: &str = "purge_expired";
        let mut total = 0u64;
        loop {
            let client = self.client(OP).await?;
            let outcome = tokio::time::timeout(self.statement_timeout, async {
                let statement = client.prepare_cached(PURGE_SQL).await?;
                client.execute(&statement, &[&PURGE_BATCH]).await
            })
            .await;
            let deleted = finish(OP, client, outcome)?;
            total = total.saturating_add(deleted);
            if deleted < PURGE_BATCH.unsigned_abs() {
                return Ok(total);
            }
        }
    }

    /// A pooled connection, or `jti_store_unavailable` naming `operation`.
    async fn client(&self, operation: &str) -> Result<Object> {
        self.pool
            .get()
            .await
            .map_err(|e| unavailable(operation, &describe_pool_error(&e)))
    }
}

#[async_trait]
impl JtiStore for PostgresJtiStore {
    async fn record(&self, entry: &JtiEntry) -> Result<()> {
        const OP: &str = "record";
        let issued_at = timestamp(OP, "issued_at", entry.issued_at)?;
        let expires_at = timestamp(OP, "expires_at", entry.expires_at)?;
        let client = self.client(OP).await?;
        let outcome = tokio::time::timeout(self.statement_timeout, async {
            let statement = client.prepare_cached(RECORD_SQL).await?;
            client
                .execute(
                    &statement,
                    &[
                        &entry.jti,
                        &entry.org_id,
                        &entry.team_node_id,
                        &entry.subject,
                        &entry.email,
                        &issued_at,
                        &expires_at,
                    ],
                )
                .await
        })
        .await;
        match finish_raw(client, outcome) {
            Ok(_) => Ok(()),
            // A JTI collision must never pass silently: two tokens would share one allowlist row,
            // and revoking one would revoke the other.
            Err(Failure::Db(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Err(err(
                ErrorCode::JtiStoreUnavailable,
                format!(
                    "jti store record failed: jti `{}` is already recorded",
                    clip(&entry.jti)
                ),
            )),
            Err(failure) => Err(failure.into_error(OP)),
        }
    }

    async fn contains(&self, jti: &str) -> Result<bool> {
        const OP: &str = "contains";
        let client = self.client(OP).await?;
        let outcome = tokio::time::timeout(self.statement_timeout, async {
            let statement = client.prepare_cached(CONTAINS_SQL).await?;
            client.query_one(&statement, &[&jti]).await?.try_get(0)
        })
        .await;
        finish(OP, client, outcome)
    }

    async fn revoke(&self, jti: &str) -> Result<bool> {
        const OP: &str = "revoke";
        let client = self.client(OP).await?;
        let outcome = tokio::time::timeout(self.statement_timeout, async {
            let statement = client.prepare_cached(REVOKE_SQL).await?;
            client.execute(&statement, &[&jti]).await
        })
        .await;
        Ok(finish(OP, client, outcome)? > 0)
    }

    async fn consume(&self, jti: &str) -> Result<bool> {
        const OP: &str = "consume";
        let client = self.client(OP).await?;
        // One statement: the row lock makes exactly one of two concurrent consumers see the row.
        let outcome = tokio::time::timeout(self.statement_timeout, async {
            let statement = client.prepare_cached(CONSUME_SQL).await?;
            client.query_opt(&statement, &[&jti]).await
        })
        .await;
        Ok(finish(OP, client, outcome)?.is_some())
    }
}

/// Why an operation on a checked-out connection failed.
enum Failure {
    /// The client gave up waiting.
    TimedOut,
    /// The driver or the server reported an error.
    Db(tokio_postgres::Error),
}

impl Failure {
    fn into_error(self, operation: &str) -> Error {
        match self {
            Failure::TimedOut => unavailable(operation, "timed out waiting for the database"),
            Failure::Db(e) => unavailable(operation, &describe_pg_error(&e)),
        }
    }
}

/// Ends an operation: the connection goes back to the pool, unless the client timed out.
fn finish_raw<T>(
    client: Object,
    outcome: std::result::Result<
        std::result::Result<T, tokio_postgres::Error>,
        tokio::time::error::Elapsed,
    >,
) -> std::result::Result<T, Failure> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Failure::Db(e)),
        Err(_) => {
            // The abandoned statement may still be running, or the link may be dead without the
            // socket knowing; either way the connection must not serve the next caller.
            drop(Object::take(client));
            Err(Failure::TimedOut)
        }
    }
}

/// [`finish_raw`] with every failure mapped to `jti_store_unavailable`.
fn finish<T>(
    operation: &str,
    client: Object,
    outcome: std::result::Result<
        std::result::Result<T, tokio_postgres::Error>,
        tokio::time::error::Elapsed,
    >,
) -> Result<T> {
    finish_raw(client, outcome).map_err(|failure| failure.into_error(operation))
}

/// `jti_store_unavailable` naming the operation and what went wrong.
fn unavailable(operation: &str, detail: &str) -> Error {
    err(
        ErrorCode::JtiStoreUnavailable,
        format!("jti store {operation} failed: {detail}"),
    )
}

/// A driver error in words that never include the connection string: the server's SQLSTATE and
/// message, or the driver's kind plus the I/O error kind.
fn describe_pg_error(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("database error {}: {}", db.code().code(), db.message());
    }
    let io_kind = std::error::Error::source(e)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    match io_kind {
        Some(kind) => format!("{e}: {kind}"),
        None => e.to_string(),
    }
}

/// A pool error in the same terms as [`describe_pg_error`].
fn describe_pool_error(e: &PoolError) -> String {
    match e {
        PoolError::Timeout(TimeoutType::Wait) => "timed out waiting for a free connection".into(),
        PoolError::Timeout(TimeoutType::Create) => "timed out connecting to the database".into(),
        PoolError::Timeout(TimeoutType::Recycle) => "timed out checking a pooled connection".into(),
        PoolError::Backend(e) => describe_pg_error(e),
        PoolError::Closed => "the connection pool is closed".into(),
        PoolError::NoRuntimeSpecified => "the connection pool has no runtime".into(),
        PoolError::PostCreateHook(_) => "a new connection could not be set up".into(),
    }
}

/// Unix seconds as the `SystemTime` that `timestamptz` parameters take.
fn timestamp(operation: &str, field: &str, unix_seconds: i64) -> Result<SystemTime> {
    let magnitude = Duration::from_secs(unix_seconds.unsigned_abs());
    let time = if unix_seconds >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    };
    time.ok_or_else(|| {
        unavailable(
            operation,
            &format!("{field} {unix_seconds} is out of range"),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reads_the_jti_url_first_then_database_url() {
        let env = HashMap::from([
            (URL_VAR, "postgres://a@jti-host/jtis"),
            (FALLBACK_URL_VAR, "postgres://b@main-host/main"),
            (POOL_SIZE_VAR, "4"),
        ]);
        let settings = PostgresSettings::from_env_source(&env).unwrap();
        assert_eq!(settings.url, "postgres://a@jti-host/jtis");
        assert_eq!(settings.pool_size, 4);
        assert_eq!(settings.statement_timeout, DEFAULT_TIMEOUT);

        let env = HashMap::from([(FALLBACK_URL_VAR, "postgres://b@main-host/main")]);
        let settings = PostgresSettings::from_env_source(&env).unwrap();
        assert_eq!(settings.url, "postgres://b@main-host/main");
        assert_eq!(settings.pool_size, DEFAULT_POOL_SIZE);
    }

    #[test]
    fn a_missing_url_names_both_variables() {
        let env: HashMap<&str, &str> = HashMap::new();
        let e = PostgresSettings::from_env_source(&env).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains(URL_VAR), "{e}");
        assert!(e.message().contains(FALLBACK_URL_VAR), "{e}");
    }

    #[test]
    fn bad_values_are_reported_without_the_url() {
        let env = HashMap::from([
            (URL_VAR, "postgres://u:hunter2@h/db?nonsense=1"),
            (POOL_SIZE_VAR, "0"),
        ]);
        let e = PostgresSettings::from_env_source(&env).unwrap_err();
        assert!(e.message().contains(URL_VAR), "{e}");
        assert!(e.message().contains(POOL_SIZE_VAR), "{e}");
        assert!(!e.message().contains("hunter2"), "{e}");

        let env = HashMap::from([(URL_VAR, "postgres://u:hunter2@h/db?sslmode=sometimes")]);
        let e = PostgresSettings::from_env_source(&env).unwrap_err();
        assert!(e.message().contains("sslmode"), "{e}");
        assert!(!e.message().contains("hunter2"), "{e}");

        // Encryption is asked for and supported; the trust anchors come from PGSSLROOTCERT.
        let env = HashMap::from([
            (URL_VAR, "postgres://u:hunter2@h/db?sslmode=verify-full"),
            (ROOT_CERT_VAR, "/etc/ssl/db-ca.pem"),
        ]);
        let settings = PostgresSettings::from_env_source(&env).unwrap();
        assert_eq!(
            settings.ssl_root_cert.as_deref(),
            Some(std::path::Path::new("/etc/ssl/db-ca.pem"))
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        for url in [
            "postgres://user:hunter2@db.example:6432/jtis",
            "postgres://user@db.example/jtis?password=hunter2",
            "host=db.example user=user password=hunter2 dbname=jtis",
            "not a url hunter2",
        ] {
            let shown = format!("{:?}", PostgresSettings::new(url));
            assert!(!shown.contains("hunter2"), "{shown}");
        }
        let shown = format!(
            "{:?}",
            PostgresSettings::new("postgres://user:hunter2@db.example:6432/jtis")
        );
        assert!(
            shown.contains("postgres://user:<redacted>@db.example:6432/jtis"),
            "{shown}"
        );
    }

    #[test]
    fn connect_needs_no_server_and_checks_its_input() {
        let store = PostgresJtiStore::connect(PostgresSettings::new(
            "postgres://user:hunter2@127.0.0.1:1/none",
        ))
        .unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
        let mut settings = PostgresSettings::new("postgres://u@h/db");
        settings.pool_size = 0;
        let e = PostgresJtiStore::connect(settings).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
    }

    #[tokio::test]
    async fn an_unreachable_server_is_unavailable_without_the_password() {
        let mut settings = PostgresSettings::new("postgres://user:hunter2@127.0.0.1:1/none");
        settings.connect_timeout = Duration::from_millis(500);
        let store = PostgresJtiStore::connect(settings).unwrap();
        let e = store.contains("abc").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::JtiStoreUnavailable);
        assert!(e.message().starts_with("jti store contains failed"), "{e}");
        assert!(!e.message().contains("hunter2"), "{e}");
    }

    #[test]
    fn unix_seconds_become_system_times() {
        assert_eq!(timestamp("t", "f", 0).unwrap(), UNIX_EPOCH);
        assert_eq!(
            timestamp("t", "f", 90).unwrap(),
            UNIX_EPOCH + Duration::from_secs(90)
        );
        assert_eq!(
            timestamp("t", "f", -90).unwrap(),
            UNIX_EPOCH - Duration::from_secs(90)
        );
        // The extremes must not panic; whether they fit is the platform's business.
        let _ = timestamp("t", "f", i64::MIN);
        let _ = timestamp("t", "f", i64::MAX);
    }
}
