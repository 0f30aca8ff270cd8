//! Choosing the JTI store from the environment (`IMPERSONATION_JTI_STORE`).

use super::{JtiStore, MemoryJtiStore};
use crate::config::{EnvSource, ProcessEnv};
use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use std::sync::Arc;

/// The store named by `IMPERSONATION_JTI_STORE`: `memory` (the default; one process only) or
/// `postgres` (needs the `postgres` feature and `IMPERSONATION_JTI_DATABASE_URL` or
/// `DATABASE_URL`; the pool connects lazily, and `migrate()` is the caller's to run).
pub fn store_from_env() -> Result<Arc<dyn JtiStore>> {
    store_from_env_source(&ProcessEnv)
}

/// As [`store_from_env`], reading `source`.
pub fn store_from_env_source(source: &dyn EnvSource) -> Result<Arc<dyn JtiStore>> {
    let kind = source
        .var("IMPERSONATION_JTI_STORE")
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "memory".to_owned());
    match kind.as_str() {
        "memory" => Ok(Arc::new(MemoryJtiStore::default())),
        "postgres" => postgres(source),
        other => Err(err(
            ErrorCode::InvalidConfig,
            format!(
                "IMPERSONATION_JTI_STORE must be memory or postgres, got `{}`",
                clip(other)
            ),
        )),
    }
}

#[cfg(feature = "postgres")]
fn postgres(source: &dyn EnvSource) -> Result<Arc<dyn JtiStore>> {
    use crate::config::FromEnv;
    let settings = super::PostgresSettings::from_env_source(source)?;
    Ok(Arc::new(super::PostgresJtiStore::connect(settings)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &dyn EnvSource) -> Result<Arc<dyn JtiStore>> {
    Err(err(
        ErrorCode::InvalidConfig,
        "IMPERSONATION_JTI_STORE=postgres needs incidentfox-auth built with the `postgres` feature",
    ))
}
