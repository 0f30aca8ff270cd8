//! Impersonation settings: the config service's `IMPERSONATION_*` variables plus a few new knobs.

use crate::config::{EnvReader, EnvSource, ProcessEnv};
use crate::error::{err, ErrorCode, Result};
use crate::secret::{Secret, ALLOW_SHORT_SECRETS_ENV_VAR, MIN_SECRET_BYTES};
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
/// Shortest TTL: shorter requests are raised to it, as the config service does.
pub const MIN_TTL_SECONDS: i64 = 60;
/// Longest TTL when no other maximum is configured, seconds: a day. A longer-lived token is a
/// bearer credential nobody can take back without the JTI store.
pub const DEFAULT_MAX_TTL_SECONDS: i64 = 24 * 3600;
/// Largest impersonation token read, in bytes.
pub const MAX_TOKEN_BYTES: usize = crate::size_cap::MAX_TOKEN_BYTES;

/// What minting does when the JTI store cannot record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordMode {
    /// The token is returned only after its JTI is durably recorded; a store failure is
    /// `jti_store_unavailable` and no token (nothing is ever lost).
    #[default]
    Strict,
    /// The config service's behaviour: a failed record is reported to the caller's log hook and the token is
    /// returned anyway.
    BestEffort,
}

impl RecordMode {
    /// The mode named `name`: `strict`, or `best_effort` (also spelled `best-effort`), in any
    /// case, as `IMPERSONATION_JTI_RECORD_MODE` reads it and the bindings' `record_mode` option.
    pub fn from_name(name: &str) -> Option<RecordMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "strict" => Some(RecordMode::Strict),
            "best_effort" | "best-effort" => Some(RecordMode::BestEffort),
            _ => None,
        }
    }
}

/// Settings shared by the signer and the verifier.
#[derive(Debug, Clone)]
pub struct ImpersonationConfig {
    /// The HS256 key (surrounding whitespace stripped, as the config service strips it).
    pub secret: Secret,
    /// The audience minted and required.
    pub audience: String,
    /// Also accept [`LEGACY_AUDIENCE`] at verification.
    pub accept_legacy_audience: bool,
    /// Team impersonation TTL in seconds (at least [`MIN_TTL_SECONDS`]).
    pub ttl_seconds: i64,
    /// Longest TTL minted, configured or requested (`IMPERSONATION_MAX_TTL_SECONDS`, default
    /// [`DEFAULT_MAX_TTL_SECONDS`]); a longer request is `invalid_config`.
    pub max_ttl_seconds: i64,
    /// Accept a secret shorter than [`MIN_SECRET_BYTES`] (`AUTH_ALLOW_SHORT_SECRETS=1`, for
    /// deployments that cannot rotate yet). Visitor tokens go to anonymous browsers, so each is
    /// an offline oracle for a weak secret, which then mints for any org and team.
    pub allow_short_secret: bool,
    /// Visitor TTL in seconds (at least [`MIN_TTL_SECONDS`]).
    pub visitor_ttl_seconds: i64,
    /// Clock leeway at verification (0, as in the agent runtime; at most [`crate::time::MAX_LEEWAY_SECONDS`]).
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
    /// The config service's defaults with `secret`, surrounding whitespace stripped as the config service
    /// strips it, so a secret read from a file or a variable with a trailing newline keeps
    /// verifying the tokens minted with it.
    pub fn new(secret: impl Into<Vec<u8>>) -> ImpersonationConfig {
        let secret: Vec<u8> = secret.into();
        ImpersonationConfig {
            secret: Secret::new(secret.trim_ascii()),
            audience: DEFAULT_AUDIENCE.to_owned(),
            accept_legacy_audience: false,
            ttl_seconds: DEFAULT_TTL_SECONDS,
            visitor_ttl_seconds: DEFAULT_VISITOR_TTL_SECONDS,
            max_ttl_seconds: DEFAULT_MAX_TTL_SECONDS,
            allow_short_secret: false,
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
        config.accept_legacy_audience = env.opt_in("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE");
        config.max_ttl_seconds =
            env.parsed("IMPERSONATION_MAX_TTL_SECONDS", DEFAULT_MAX_TTL_SECONDS);
        config.allow_short_secret = env.opt_in(ALLOW_SHORT_SECRETS_ENV_VAR);
        config.ttl_seconds = ttl(env, "IMPERSONATION_TOKEN_TTL_SECONDS", DEFAULT_TTL_SECONDS);
        config.visitor_ttl_seconds = ttl(
            env,
            "VISITOR_TOKEN_TTL_SECONDS",
            DEFAULT_VISITOR_TTL_SECONDS,
        );
        config.leeway_seconds = env.parsed("IMPERSONATION_LEEWAY_SECONDS", 0.0);
        config.jti_logging = env.flag("IMPERSONATION_JTI_DB_LOGGING", false);
        config.jti_require = env.flag("IMPERSONATION_JTI_DB_REQUIRE", false);
        config.single_use = env.flag("IMPERSONATION_JTI_SINGLE_USE", false);
        config.verified_cache.ttl = env.seconds(
            "IMPERSONATION_VERIFIED_CACHE_TTL_SECONDS",
            config.verified_cache.ttl,
            0.0,
        );
        let mode = env.text_or("IMPERSONATION_JTI_RECORD_MODE", "strict");
        config.record_mode = RecordMode::from_name(&mode).unwrap_or_else(|| {
            env.problem(format!(
                "IMPERSONATION_JTI_RECORD_MODE must be strict or best_effort, got `{}`",
                clip(&mode)
            ));
            RecordMode::Strict
        });
        // Range problems (a short secret, a leeway out of bounds, TTLs over the maximum) are the
        // same for settings made in code, so they are found by `problems`, not here.
        for problem in config.problems() {
            env.problem(problem);
        }
        Some(config)
    }

    /// Every problem with these settings, one line each, naming the variable; empty when the
    /// signer and verifier may be built. [`ImpersonationSigner::new`] and
    /// [`ImpersonationVerifier::new`] refuse a configuration with problems, so settings made
    /// in code (the bindings' options) are held to the same bounds as the environment.
    ///
    /// [`ImpersonationSigner::new`]: super::ImpersonationSigner::new
    /// [`ImpersonationVerifier::new`]: super::ImpersonationVerifier::new
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.secret.is_empty() {
            problems.push("IMPERSONATION_JWT_SECRET is empty".to_owned());
        } else if self.secret.len() < MIN_SECRET_BYTES && !self.allow_short_secret {
            problems.push(format!(
                "IMPERSONATION_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes \
                 ({ALLOW_SHORT_SECRETS_ENV_VAR}=1 accepts a shorter one, for legacy deployments)"
            ));
        }
        if let Some(problem) =
            crate::time::leeway_problem("IMPERSONATION_LEEWAY_SECONDS", self.leeway_seconds)
        {
            problems.push(problem);
        }
        if self.max_ttl_seconds < MIN_TTL_SECONDS {
            problems.push(format!(
                "IMPERSONATION_MAX_TTL_SECONDS must be at least {MIN_TTL_SECONDS}"
            ));
        }
        for (name, ttl) in [
            ("IMPERSONATION_TOKEN_TTL_SECONDS", self.ttl_seconds),
            ("VISITOR_TOKEN_TTL_SECONDS", self.visitor_ttl_seconds),
        ] {
            if ttl > self.max_ttl_seconds {
                problems.push(format!(
                    "{name} must be at most {} (IMPERSONATION_MAX_TTL_SECONDS), got `{ttl}`",
                    self.max_ttl_seconds
                ));
            }
        }
        problems
    }

    /// `Ok` when [`problems`](Self::problems) is empty, else one `invalid_config` naming them.
    pub fn validate(&self) -> Result<()> {
        let mut problems = crate::config::Problems::default();
        problems.extend(self.problems());
        problems.into_result(())
    }

    /// The lifetime of a token: `requested` or the configured `configured`, raised to
    /// [`MIN_TTL_SECONDS`] as the config service does, and refused (`invalid_config`) above the maximum.
    pub(crate) fn lifetime(&self, requested: Option<i64>, configured: i64) -> Result<i64> {
        let ttl = at_least_a_minute(requested.unwrap_or(configured));
        if ttl > self.max_ttl_seconds {
            return Err(err(
                ErrorCode::InvalidConfig,
                format!(
                    "ttl_seconds `{ttl}` is over the maximum of {} seconds",
                    self.max_ttl_seconds
                ),
            ));
        }
        Ok(ttl)
    }

    /// Sets the team impersonation TTL, raised to [`MIN_TTL_SECONDS`] as the services do.
    pub fn set_ttl_seconds(&mut self, ttl: i64) {
        self.ttl_seconds = at_least_a_minute(ttl);
    }

    /// Sets the visitor TTL, raised to [`MIN_TTL_SECONDS`] as the services do.
    pub fn set_visitor_ttl_seconds(&mut self, ttl: i64) {
        self.visitor_ttl_seconds = at_least_a_minute(ttl);
    }

    /// Whether `audience` is one of [`accepted_audiences`](Self::accepted_audiences), without
    /// building the list.
    pub(crate) fn accepts_audience(&self, audience: &str) -> bool {
        audience == self.audience || (self.accept_legacy_audience && audience == LEGACY_AUDIENCE)
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

/// A TTL variable: a whole number of seconds; under 60 is raised to 60, as the config service does.
fn ttl(env: &mut EnvReader<'_>, name: &str, default: i64) -> i64 {
    at_least_a_minute(env.number(name, default, i64::MIN))
}

/// The one TTL floor: the services raise any TTL under [`MIN_TTL_SECONDS`] to it.
fn at_least_a_minute(ttl: i64) -> i64 {
    ttl.max(MIN_TTL_SECONDS)
}
