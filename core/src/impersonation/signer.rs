//! Minting impersonation and visitor tokens, recording each JTI when configured.

use super::claims::{impersonation_claims, visitor_claims};
use super::config::{ImpersonationConfig, RecordMode};
use crate::error::{err, Error, ErrorCode, Result};
use crate::jose::{Algorithm, SigningKey};
use crate::jti::{JtiEntry, JtiStore};
use crate::time::{unix_now, When};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// A minted token, the mint endpoint's `{"token", "expires_at"}` plus the `jti`.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
pub struct MintedToken {
    /// The compact JWT.
    pub token: String,
    /// `exp`, Unix seconds.
    pub expires_at: i64,
    /// The token's `jti`.
    pub jti: String,
}

impl fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MintedToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("jti", &self.jti)
            .finish()
    }
}

/// Who a team-impersonation token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpersonationRequest {
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The admin's subject.
    pub subject: String,
    /// The admin's email (written as `null` when unknown, as the config service writes it).
    pub email: Option<String>,
    /// A TTL in seconds instead of the configured one (raised to 60 when lower).
    pub ttl_seconds: Option<i64>,
}

/// Who a visitor token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorRequest {
    /// The organisation.
    pub org_id: String,
    /// The team node.
    pub team_node_id: String,
    /// The visitor's session id (`sub` becomes `visitor:<session id>`).
    pub session_id: String,
    /// The visitor's email, written as the `email` claim (the services' visitor mint takes it,
    /// and a visitor's `/auth/me` shows it); no claim when `None`.
    pub email: Option<String>,
    /// A TTL in seconds instead of the configured one (raised to 60 when lower).
    pub ttl_seconds: Option<i64>,
}

/// Called with the error when best-effort recording fails (the config service's "log and continue").
pub type RecordFailureHook = Arc<dyn Fn(&Error, &JtiEntry) + Send + Sync>;

/// Mints HS256 impersonation and visitor tokens with the config service's claims.
#[derive(Clone)]
pub struct ImpersonationSigner {
    config: ImpersonationConfig,
    key: Arc<SigningKey>,
    store: Option<Arc<dyn JtiStore>>,
    on_record_failure: Option<RecordFailureHook>,
}

impl fmt::Debug for ImpersonationSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImpersonationSigner")
            .field("config", &self.config)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl ImpersonationSigner {
    /// A signer; `store` receives each JTI when logging (or require, or single use) is on, and
    /// must then be present (`invalid_config` otherwise).
    pub fn new(
        config: ImpersonationConfig,
        store: Option<Arc<dyn JtiStore>>,
    ) -> Result<ImpersonationSigner> {
        config.validate()?;
        if config.records_at_mint() && store.is_none() {
            return Err(err(
                ErrorCode::InvalidConfig,
                "jti logging is on but no jti store was given",
            ));
        }
        let key = SigningKey::hmac(Algorithm::HS256, config.secret.expose())
            .map_err(|e| err(ErrorCode::InvalidConfig, e.message().to_owned()))?;
        Ok(ImpersonationSigner {
            config,
            key: Arc::new(key),
            store,
            on_record_failure: None,
        })
    }

    /// Sets the hook told about failed best-effort recordings.
    pub fn on_record_failure(mut self, hook: RecordFailureHook) -> Self {
        self.on_record_failure = Some(hook);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &ImpersonationConfig {
        &self.config
    }

    /// [`mint`](Self::mint) now, or issued at `when` (whole Unix seconds, the fraction dropped;
    /// not finite or out of range is `invalid_config`).
    pub async fn mint_when(
        &self,
        request: &ImpersonationRequest,
        when: When,
    ) -> Result<MintedToken> {
        self.mint_at(request, issued_at(when)?).await
    }

    /// [`mint_visitor`](Self::mint_visitor) now, or issued at `when`, as for
    /// [`mint_when`](Self::mint_when).
    pub async fn mint_visitor_when(
        &self,
        request: &VisitorRequest,
        when: When,
    ) -> Result<MintedToken> {
        self.mint_visitor_at(request, issued_at(when)?).await
    }

    /// Mints a team-impersonation token now.
    pub async fn mint(&self, request: &ImpersonationRequest) -> Result<MintedToken> {
        self.mint_at(request, unix_now() as i64).await
    }

    /// Mints a team-impersonation token issued at `iat` (Unix seconds).
    pub async fn mint_at(&self, request: &ImpersonationRequest, iat: i64) -> Result<MintedToken> {
        require_nonempty(&[
            ("org_id", &request.org_id),
            ("team_node_id", &request.team_node_id),
            ("subject", &request.subject),
        ])?;
        let exp = self.expiry(iat, request.ttl_seconds, self.config.ttl_seconds)?;
        let jti = crate::random::uuid4_hex()?;
        let entry = JtiEntry {
            jti: jti.clone(),
            org_id: request.org_id.clone(),
            team_node_id: request.team_node_id.clone(),
            subject: Some(request.subject.clone()),
            email: request.email.clone(),
            issued_at: iat,
            expires_at: exp,
        };
        let claims = impersonation_claims(&self.config, &entry);
        self.finish(&claims, entry).await
    }

    /// Mints a visitor token now.
    pub async fn mint_visitor(&self, request: &VisitorRequest) -> Result<MintedToken> {
        self.mint_visitor_at(request, unix_now() as i64).await
    }

    /// Mints a visitor token issued at `iat` (Unix seconds).
    pub async fn mint_visitor_at(&self, request: &VisitorRequest, iat: i64) -> Result<MintedToken> {
        require_nonempty(&[
            ("org_id", &request.org_id),
            ("team_node_id", &request.team_node_id),
            ("session_id", &request.session_id),
        ])?;
        let exp = self.expiry(iat, request.ttl_seconds, self.config.visitor_ttl_seconds)?;
        let jti = crate::random::uuid4_hex()?;
        let entry = JtiEntry {
            jti: jti.clone(),
            org_id: request.org_id.clone(),
            team_node_id: request.team_node_id.clone(),
            subject: Some(format!("visitor:{}", request.session_id)),
            email: request.email.clone(),
            issued_at: iat,
            expires_at: exp,
        };
        let claims = visitor_claims(&self.config, &entry, &request.session_id);
        self.finish(&claims, entry).await
    }

    /// `exp` of a token issued at `iat`: the TTL bounded by the configuration, added without
    /// wrapping (a wrapped `exp` would be a token that expired long ago, or a debug-build panic).
    fn expiry(&self, iat: i64, requested: Option<i64>, configured: i64) -> Result<i64> {
        let ttl = self.config.lifetime(requested, configured)?;
        iat.checked_add(ttl).ok_or_else(|| {
            err(
                ErrorCode::InvalidConfig,
                format!("`iat` {iat} plus the ttl is out of range"),
            )
        })
    }

    /// Signs, then records (strict: the token exists for the caller only once recorded).
    async fn finish(&self, claims: &Value, entry: JtiEntry) -> Result<MintedToken> {
        let token = self.key.sign_claims(claims)?;
        if let (Some(store), true) = (&self.store, self.config.records_at_mint()) {
            let started = std::time::Instant::now();
            let recorded = store.record(&entry).await;
            let took = started.elapsed();
            if took >= crate::observe::SLOW_CALL {
                crate::observe::events::jti_store_slow("record", took);
            }
            if let Err(e) = recorded {
                let e = unavailable(&e);
                crate::observe::events::jti_store_failed("record", e.code(), took);
                match self.config.record_mode {
                    RecordMode::Strict => return Err(e),
                    RecordMode::BestEffort => {
                        if let Some(hook) = &self.on_record_failure {
                            hook(&e, &entry);
                        }
                    }
                }
            }
        }
        Ok(MintedToken {
            token,
            expires_at: entry.expires_at,
            jti: entry.jti,
        })
    }
}

/// The `iat` of a token minted at `when`.
fn issued_at(when: When) -> Result<i64> {
    match when {
        When::Now => Ok(unix_now() as i64),
        When::At(seconds) => crate::time::whole_seconds(seconds),
    }
}

fn require_nonempty(fields: &[(&str, &String)]) -> Result<()> {
    for (name, value) in fields {
        if value.trim().is_empty() {
            return Err(err(
                ErrorCode::InvalidClaim,
                format!("`{name}` must not be empty"),
            ));
        }
    }
    Ok(())
}

/// Any store failure reads as `jti_store_unavailable` (services answer 503).
pub(crate) fn unavailable(e: &Error) -> Error {
    if e.code() == ErrorCode::JtiStoreUnavailable {
        e.clone()
    } else {
        err(
            ErrorCode::JtiStoreUnavailable,
            format!("jti store: {}", e.message()),
        )
    }
}
