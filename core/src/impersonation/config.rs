//! Impersonation settings: today's `IMPERSONATION_*` variables plus a few new knobs.

use crate::config::{EnvReader, EnvSource, ProcessEnv};
use crate::error::{err, ErrorCode, Result};
use crate::secret::Secret;
use crate::text::clip;
use crate::verified_cache::VerifiedCacheSettings;

/// The issuer of every impersonation and visitor token.
pub const ISSUER: &str = "incidentfox-config-service";
/// The audience when `IMPERSONATION_JWT_AUDIENCE` is unset.
pub const DEFAULT_AUDIENCE: &str = "incidentfox-agent-runtime";
/// The audience older tokens carry, accepted with `IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE=1`.
pub const LEGACY_AUDIENCE: &str = "incidentfox-config-service";
/// Team impersonation TTL when unset, seconds.
pub const DEFAULT_TTL_SECONDS: i64 = 900;
/// Visitor TTL when unset, seconds.
pub const DEFAULT_VISITOR_TTL_SECONDS: i64 = 1800;
/// Shortest TTL: shorter requests are raised to it, as today.
pub const MIN_TTL_SECONDS: i64 = 60;
/// Largest impersonation token read, in bytes.
pub const MAX_TOKEN_BYTES: usize = crate::size_cap::MAX_TOKEN_BYTES;

/// What minting does when the JTI store cannot record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordMode {
    /// The token is returned only after its JTI is durably recorded; a store failure is
    /// `jti_store_unavailable` and no token (nothing is ever lost).
    #[default]
    Strict,
    /// Today's behaviour: a failed record is reported to the caller's log hook and the token is
    /// returned anyway.
    BestEffort,
}

/// Settings shared by the signer and the verifier.
#[derive(Debug, Clone)]
pub struct ImpersonationConfig {
    /// The HS256 key (surrounding whitespace stripped, as today).
    pub secret: Secret,
    /// The audience minted and required.
    pub audience: String,
    /// Also accept [`LEGACY_AUDIENCE`] at verification.
    pub accept_legacy_audience: bool,
    /// Team impersonation TTL in seconds (at least [`MIN_TTL_SECONDS`]).
    pub ttl_seconds: i64,
    /// Visitor TTL in seconds (at least [`MIN_TTL_SECONDS`]).
    pub visitor_ttl_seconds: i64,
    /// Clock leeway at verification (0, as today).
    pub leeway_seconds: f64,
    /// Record each minted JTI (`IMPERSONATION_JTI_DB_LOGGING`).
    pub jti_logging: bool,
    /// Require the JTI to be recorded at verification (`IMPERSONATION_JTI_DB_REQUIRE`).
    pub jti_require: bool,
    /// Strict or best-effort recording at mint.
    pub record_mode: RecordMode,
    /// Each token verifies once (the JTI is consumed); implies a JTI store.
    pub single_use: bool,
    /// The verified-token cache of the verifier (on by default).
    pub verified_cache: VerifiedCacheSettings,
}

impl ImpersonationConfig {
    /// Today's defaults with `secret`.
    pub fn new(secret: impl Into<Vec<u8>>) -> ImpersonationConfig {
        ImpersonationConfig {
            secret: Secret::new(secret),
            audience: DEFAULT_AUDIENCE.to_owned(),
            accept_legacy_audience: false,
            ttl_seconds: DEFAULT_TTL_SECONDS,
            visitor_ttl_seconds: DEFAULT_VISITOR_TTL_SECONDS,
            leeway_seconds: 0.0,
            jti_logging: false,
            jti_require: false,
            record_mode: RecordMode::Strict,
            single_use: false,
            verified_cache: VerifiedCacheSettings::default(),
        }
    }

    /// Reads the process environment; `IMPERSONATION_JWT_SECRET` is required.
    pub fn from_env() -> Result<ImpersonationConfig> {
        ImpersonationConfig::from_env_source(&ProcessEnv)
    }

    /// Reads `source`; every problem is named in one `invalid_config`.
    pub fn from_env_source(source: &dyn EnvSource) -> Result<ImpersonationConfig> {
        let mut env = EnvReader::new(source);
        let config = ImpersonationConfig::read_env(&mut env);
        if config.is_none() && env.problems().list().is_empty() {
            env.problem("IMPERSONATION_JWT_SECRET is required");
        }
        env.finish(config)?.ok_or_else(|| {
            err(
                ErrorCode::InvalidConfig,
                "IMPERSONATION_JWT_SECRET is required",
            )
        })
    }

    /// Reads through `env`; `None` when `IMPERSONATION_JWT_SECRET` is unset (impersonation off).
    pub(crate) fn read_env(env: &mut EnvReader<'_>) -> Option<ImpersonationConfig> {
        let secret = env.text("IMPERSONATION_JWT_SECRET")?;
        let mut config = ImpersonationConfig::new(secret);
        config.audience = env.text_or("IMPERSONATION_JWT_AUDIENCE", DEFAULT_AUDIENCE);
        config.accept_legacy_audience = env.flag("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE", false);
        config.ttl_seconds = ttl(env, "IMPERSONATION_TOKEN_TTL_SECONDS", DEFAULT_TTL_SECONDS);
        config.visitor_ttl_seconds = ttl(
            env,
            "VISITOR_TOKEN_TTL_SECONDS",
            DEFAULT_VISITOR_TTL_SECONDS,
        );
        config.leeway_seconds = env.number("IMPERSONATION_LEEWAY_SECONDS", 0.0, 0.0);
        config.jti_logging = env.flag("IMPERSONATION_JTI_DB_LOGGING", false);
        config.jti_require = env.flag("IMPERSONATION_JTI_DB_REQUIRE", false);
        config.single_use = env.flag("IMPERSONATION_JTI_SINGLE_USE", false);
        config.verified_cache.ttl = crate::oidc::env::seconds_or_zero(
            env,
            "IMPERSONATION_VERIFIED_CACHE_TTL_SECONDS",
            config.verified_cache.ttl,
        );
        let mode = env.text_or("IMPERSONATION_JTI_RECORD_MODE", "strict");
        config.record_mode = match mode.to_ascii_lowercase().as_str() {
            "strict" => RecordMode::Strict,
            "best_effort" | "best-effort" => RecordMode::BestEffort,
            _ => {
                env.problem(format!(
                    "IMPERSONATION_JTI_RECORD_MODE must be strict or best_effort, got `{}`",
                    clip(&mode)
                ));
                RecordMode::Strict
            }
        };
        Some(config)
    }

    /// The audiences accepted at verification.
    pub fn accepted_audiences(&self) -> Vec<&str> {
        let mut audiences = vec![self.audience.as_str()];
        if self.accept_legacy_audience && self.audience != LEGACY_AUDIENCE {
            audiences.push(LEGACY_AUDIENCE);
        }
        audiences
    }

    /// Whether the verifier consults the JTI store.
    pub fn needs_store_at_verify(&self) -> bool {
        self.jti_require || self.single_use
    }

    /// Whether the signer records JTIs.
    pub fn records_at_mint(&self) -> bool {
        self.jti_logging || self.jti_require || self.single_use
    }
}

/// A TTL variable: a whole number of seconds; under 60 is raised to 60, as today.
fn ttl(env: &mut EnvReader<'_>, name: &str, default: i64) -> i64 {
    env.number(name, default, i64::MIN).max(MIN_TTL_SECONDS)
}
