//! Login settings: the chart's explicit endpoints or discovery from an issuer, and `from_env()`
//! over the `WEB_UI_*` variables.

use crate::config::{EnvReader, EnvSource, ProcessEnv};
use crate::error::{err, ErrorCode, Result};
use crate::jose::Algorithm;
use crate::secret::Secret;
use crate::text::clip;

/// The login validator's unknown-kid refetch cooldown. ID tokens reach `complete` from the
/// provider's token endpoint, not from a caller, so an unknown kid there means a key rotation:
/// a short cooldown picks it up at once while still sparing the provider.
pub const LOGIN_JWKS_COOLDOWN: std::time::Duration = std::time::Duration::from_secs(1);

/// Scopes requested when `WEB_UI_OIDC_SCOPES` is unset (as today).
pub const DEFAULT_SCOPES: &str = "openid email profile groups";

/// How the web UI signs users in.
#[derive(Debug, Clone)]
pub struct LoginConfig {
    /// The provider's issuer: ID tokens must carry it, and discovery starts from it.
    pub issuer: String,
    /// The client id (the ID token's audience).
    pub client_id: String,
    /// The client secret, for confidential clients.
    pub client_secret: Option<Secret>,
    /// The web UI's public base URL; the callback is `<base>/api/auth/callback`.
    pub public_base_url: String,
    /// The authorization endpoint; discovered from the issuer when `None`.
    pub authorization_endpoint: Option<String>,
    /// The token endpoint; discovered from the issuer when `None`.
    pub token_endpoint: Option<String>,
    /// The JWKS URL for ID tokens; discovered from the issuer when `None`.
    pub jwks_url: Option<String>,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// Set `Secure` on the login and session cookies.
    pub cookie_secure: bool,
    /// Algorithms accepted for ID tokens (default RS256).
    pub algorithms: Vec<Algorithm>,
    /// The groups claim (name or JSON pointer).
    pub groups_claim: String,
    /// Key-set caching for ID tokens (cooldown [`LOGIN_JWKS_COOLDOWN`]).
    pub jwks: crate::keys::JwksSettings,
}

impl LoginConfig {
    /// A configuration with discovery from `issuer` and today's defaults.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        public_base_url: impl Into<String>,
    ) -> LoginConfig {
        LoginConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            public_base_url: public_base_url.into(),
            authorization_endpoint: None,
            token_endpoint: None,
            jwks_url: None,
            scopes: crate::config::split_csv(&DEFAULT_SCOPES.replace(' ', ",")),
            cookie_secure: false,
            algorithms: vec![Algorithm::RS256],
            groups_claim: "groups".to_owned(),
            jwks: crate::keys::JwksSettings {
                cooldown: LOGIN_JWKS_COOLDOWN,
                ..crate::keys::JwksSettings::default()
            },
        }
    }

    /// The callback URL registered with the provider.
    pub fn redirect_uri(&self) -> String {
        format!(
            "{}/api/auth/callback",
            self.public_base_url.trim_end_matches('/')
        )
    }

    /// Reads the process environment; `Ok(None)` unless `WEB_UI_OIDC_ENABLED=1`.
    pub fn from_env() -> Result<Option<LoginConfig>> {
        LoginConfig::from_env_source(&ProcessEnv)
    }

    /// Reads `WEB_UI_OIDC_ENABLED`, `WEB_UI_PUBLIC_BASE_URL`, `WEB_UI_OIDC_ISSUER` (new; else
    /// `OIDC_ISSUER`), `WEB_UI_OIDC_AUTHORIZATION_ENDPOINT`, `WEB_UI_OIDC_TOKEN_ENDPOINT`,
    /// `WEB_UI_OIDC_JWKS_URL` (new; else `OIDC_JWKS_URL`, else discovery), `WEB_UI_OIDC_CLIENT_ID`,
    /// `WEB_UI_OIDC_CLIENT_SECRET`, `WEB_UI_OIDC_SCOPES`, `WEB_UI_COOKIE_SECURE`, `OIDC_ALG` and
    /// `OIDC_GROUPS_CLAIM`. Every problem is named in one `invalid_config`.
    pub fn from_env_source(source: &dyn EnvSource) -> Result<Option<LoginConfig>> {
        let mut env = EnvReader::new(source);
        if !env.flag("WEB_UI_OIDC_ENABLED", false) {
            return env.finish(None);
        }
        let issuer = env
            .text("WEB_UI_OIDC_ISSUER")
            .or_else(|| env.text("OIDC_ISSUER"))
            .unwrap_or_else(|| {
                env.problem(
                    "WEB_UI_OIDC_ISSUER (or OIDC_ISSUER) is required when WEB_UI_OIDC_ENABLED=1",
                );
                String::new()
            });
        let client_id = env.required("WEB_UI_OIDC_CLIENT_ID", "when WEB_UI_OIDC_ENABLED=1");
        let base = env.required("WEB_UI_PUBLIC_BASE_URL", "when WEB_UI_OIDC_ENABLED=1");
        let mut config = LoginConfig::new(issuer, client_id, base);
        config.client_secret = env.text("WEB_UI_OIDC_CLIENT_SECRET").map(Secret::new);
        config.authorization_endpoint = env.text("WEB_UI_OIDC_AUTHORIZATION_ENDPOINT");
        config.token_endpoint = env.text("WEB_UI_OIDC_TOKEN_ENDPOINT");
        config.jwks_url = env
            .text("WEB_UI_OIDC_JWKS_URL")
            .or_else(|| env.text("OIDC_JWKS_URL"));
        let scopes = env.text_or("WEB_UI_OIDC_SCOPES", DEFAULT_SCOPES);
        config.scopes = scopes.split_whitespace().map(str::to_owned).collect();
        config.cookie_secure = env.flag("WEB_UI_COOKIE_SECURE", false);
        config.groups_claim = env.text_or("OIDC_GROUPS_CLAIM", "groups");
        if let Some(names) = env.csv("OIDC_ALG") {
            let mut algorithms = Vec::new();
            for name in names {
                match Algorithm::from_name(&name) {
                    Some(alg) => algorithms.push(alg),
                    None => env.problem(format!(
                        "OIDC_ALG names `{}`, which is not supported",
                        clip(&name)
                    )),
                }
            }
            config.algorithms = algorithms;
        }
        for problem in config.problems() {
            env.problem(problem);
        }
        env.finish(Some(config))
    }

    /// Every problem with these settings.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.client_id.trim().is_empty() {
            problems.push("the client id is empty".to_owned());
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            problems.push("scopes must include `openid`".to_owned());
        }
        for (what, url) in [
            ("public base url", Some(&self.public_base_url)),
            (
                "authorization endpoint",
                self.authorization_endpoint.as_ref(),
            ),
        ] {
            if let Some(url) = url {
                if url::Url::parse(url).is_err() {
                    problems.push(format!("{what} `{}` is not a url", clip(url)));
                }
            }
        }
        for (what, url) in [
            ("token endpoint", self.token_endpoint.as_ref()),
            ("jwks url", self.jwks_url.as_ref()),
        ] {
            if let Some(url) = url {
                // The code and the keys travel over these: https only (http on loopback).
                if let Err(e) = crate::keys::fetch::check_url(url) {
                    problems.push(format!("{what}: {}", e.message()));
                }
            }
        }
        problems
    }

    /// `Ok` when [`LoginConfig::problems`] is empty.
    pub fn validate(&self) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(err(
                ErrorCode::InvalidConfig,
                format!("invalid login configuration: {}", problems.join("; ")),
            ))
        }
    }
}
