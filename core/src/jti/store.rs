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
/// - `consume` is called at verify instead of `contains` when each token verifies once
///   (`IMPERSONATION_JTI_SINGLE_USE=1`). It must check and revoke in one atomic step: of any
///   number of concurrent calls for one recorded `jti`, exactly one answers `true`. A
///   `contains` followed by a `revoke` is not atomic (two verifiers both see the JTI before
///   either revokes it), which is why the trait gives `consume` no default.
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

    /// Single use: `true` exactly once for a recorded, unexpired `jti`, atomically.
    async fn consume(&self, jti: &str) -> Result<bool>;

    /// Whether [`consume`](Self::consume) is available. Only adapters of foreign stores (a
    /// Python or JS object that may lack a `consume` method) answer `false`; a single-use
    /// verifier refuses such a store when it is built, rather than at the first token.
    fn can_consume(&self) -> bool {
        true
    }
}
