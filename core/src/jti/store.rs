//! The JTI store contract: what the impersonation signer and verifier call, and when.

use crate::error::Result;
use async_trait::async_trait;
use serde::Serialize;

/// One minted impersonation or visitor token, as recorded (the `impersonation_jtis` row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JtiEntry {
    /// The token's `jti` (32 lowercase hex).
    pub jti: String,
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The subject (the admin, or `visitor:<session>`).
    pub subject: Option<String>,
    /// The email, when known.
    pub email: Option<String>,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
}

/// Where minted JTIs are recorded and looked up.
///
/// - `record` is called at mint when JTI logging is on (`IMPERSONATION_JTI_DB_LOGGING=1`). In
///   strict mode the token is returned only after `record` succeeded.
/// - `contains` is called at verify when the JTI is required (`IMPERSONATION_JTI_DB_REQUIRE=1`),
///   only after the signature and every claim passed; an error fails closed
///   (`jti_store_unavailable`).
/// - `revoke` removes a JTI, so a verifier that requires it refuses the token from then on.
/// - `consume` (single-use mode) atomically checks and revokes; the default calls `contains`
///   then `revoke`, which stores should override with one atomic step.
///
/// Errors should carry `jti_store_unavailable`; the callers map any other code to it too.
#[async_trait]
pub trait JtiStore: Send + Sync + std::fmt::Debug {
    /// Records a minted token's JTI durably.
    async fn record(&self, entry: &JtiEntry) -> Result<()>;

    /// Whether `jti` is recorded, not revoked and not expired.
    async fn contains(&self, jti: &str) -> Result<bool>;

    /// Revokes `jti`; `true` when it was present.
    async fn revoke(&self, jti: &str) -> Result<bool>;

    /// Single use: `true` exactly once for a recorded `jti`.
    async fn consume(&self, jti: &str) -> Result<bool> {
        Ok(self.contains(jti).await? && self.revoke(jti).await?)
    }
}
