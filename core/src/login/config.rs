//! Login settings: the chart's explicit endpoints or discovery from an issuer, and `from_env()`
//! over the `WEB_UI_*` variables.

use crate::config::{EnvReader, FromEnv};
use crate::error::{err, ErrorCode, Result};
use crate::jose::Algorithm;
use crate::secret::Secret;
use crate::text::clip;
use url::Url;

/// The login validator's unknown-kid refetch cooldown. ID tokens reach `complete` from the
/// provider's token endpoint, not from a caller, so an unknown kid there means a key rotation:
/// a short cooldown picks it up at once while still sparing the provider.
pub const LOGIN_JWKS_COOLDOWN: std::time::Duration = std::time::Duration::from_secs(1);

/// Scopes requested when `WEB_UI_OIDC_SCOPES` is unset (as in the web UI).
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
    /// Set `Secure` on the login and session cookies. [`LoginConfig::new`] turns it on when the
    /// public base URL is https; off with an https base URL is a configuration problem.
    pub cookie_secure: bool,
    /// Algorithms accepted for ID tokens (default RS256).
    pub algorithms: Vec<Algorithm>,
    /// The groups claim (name or JSON pointer).
    pub groups_claim: String,
    /// Key-set caching for ID tokens (cooldown [`LOGIN_JWKS_COOLDOWN`]).
    pub jwks: crate::keys::JwksSettings,
}

impl LoginConfig {
    /// A configuration with discovery from `issuer` and the web UI's defaults; cookies are `Secure`
    /// when `public_base_url` is https.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        public_base_url: impl Into<String>,
    ) -> LoginConfig {
        let public_base_url = public_base_url.into();
        LoginConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            cookie_secure: is_https(&public_base_url),
            public_base_url,
            authorization_endpoint: None,
            token_endpoint: None,
            jwks_url: None,
            scopes: crate::config::split_csv(&DEFAULT_SCOPES.replace(' ', ",")),
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

    /// Every problem with these settings.
    pub fn problems(&self) -> Vec<String> {
        self.problems_named(&Names::FIELDS)
    }

    /// Things worth knowing about settings read from the `WEB_UI_*` variables that do not stop
    /// the login (`incidentfox-auth check-config` lists them).
    pub fn env_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let Ok(base) = Url::parse(&self.public_base_url) else {
            return notes;
        };
        if base.scheme() == "http" {
            if !is_loopback(&base) {
                notes.push(format!(
                    "WEB_UI_PUBLIC_BASE_URL `{}` is http: the session cookie, a bearer token, \
                     travels unencrypted",
                    clip(base.origin().ascii_serialization().as_str())
                ));
            }
            if self.cookie_secure {
                notes.push(
                    "WEB_UI_COOKIE_SECURE=1 with an http WEB_UI_PUBLIC_BASE_URL: browsers keep \
                     `Secure` cookies only from https pages (and localhost), so sign-in fails"
                        .to_owned(),
                );
            }
        }
        notes
    }

    fn problems_named(&self, names: &Names) -> Vec<String> {
        let mut problems = Vec::new();
        let missing = |name: &str| format!("{name} {}", names.missing);
        let discovery = self.authorization_endpoint.is_none()
            || self.token_endpoint.is_none()
            || self.jwks_url.is_none();
        if self.issuer.trim().is_empty() {
            problems.push(missing(names.issuer));
        } else if Url::parse(&self.issuer).is_err() {
            problems.push(format!(
                "{} `{}` is not an absolute url",
                names.issuer,
                clip(&self.issuer)
            ));
        } else if discovery {
            // The discovery document is fetched from the issuer: https only (http on loopback).
            if let Err(e) = crate::http::check_url(&self.issuer) {
                problems.push(format!("{}: {}", names.issuer, e.message()));
            }
        }
        if self.client_id.trim().is_empty() {
            problems.push(missing(names.client_id));
        }
        if self.public_base_url.trim().is_empty() {
            problems.push(missing(names.public_base_url));
        } else if let Err(why) = check_base_url(&self.public_base_url) {
            problems.push(format!("{}: {why}", names.public_base_url));
        }
        if is_https(&self.public_base_url) && !self.cookie_secure {
            // Without `Secure` the browser also sends the session token, a bearer credential,
            // to plain-http URLs of the same host, where anyone on the path can read it.
            problems.push(format!(
                "{} turns `Secure` off, but {} is https: the session cookie would also be sent \
                 over plain http (leave it unset or set it to 1)",
                names.cookie_secure_off, names.public_base_url
            ));
        }
        // The browser brings the user's password to the authorization endpoint; the code and the
        // keys travel over the other two: https only (http on loopback).
        for (name, url) in [
            (names.authorization_endpoint, &self.authorization_endpoint),
            (names.token_endpoint, &self.token_endpoint),
            (names.jwks_url, &self.jwks_url),
        ] {
            if let Some(url) = url {
                if let Err(e) = crate::http::check_url(url) {
                    problems.push(format!("{name}: {}", e.message()));
                }
            }
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            problems.push(format!("{} must include `openid`", names.scopes));
        }
        for scope in self.scopes.iter().filter(|s| !is_scope_token(s)) {
            problems.push(format!(
                "{} holds `{}`, which is not a scope (RFC 6749 §3.3)",
                names.scopes,
                clip(scope)
            ));
        }
        if self.algorithms.is_empty() {
            problems.push(format!("{} allows no algorithm", names.algorithms));
        }
        for alg in self.algorithms.iter().filter(|a| a.is_hmac()) {
            problems.push(format!(
                "{} names `{alg}`, which is not allowed for id tokens (hmac keys are shared \
                 secrets)",
                names.algorithms
            ));
        }
        if self.groups_claim.trim().is_empty() {
            problems.push(format!("{} is empty", names.groups_claim));
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

/// `WEB_UI_OIDC_ENABLED`, `WEB_UI_PUBLIC_BASE_URL`, `WEB_UI_OIDC_ISSUER` (new; else
/// `OIDC_ISSUER`), `WEB_UI_OIDC_AUTHORIZATION_ENDPOINT`, `WEB_UI_OIDC_TOKEN_ENDPOINT`,
/// `WEB_UI_OIDC_JWKS_URL` (new; else `OIDC_JWKS_URL`, else discovery), `WEB_UI_OIDC_CLIENT_ID`,
/// `WEB_UI_OIDC_CLIENT_SECRET`, `WEB_UI_OIDC_SCOPES`, `WEB_UI_COOKIE_SECURE` (unset: on when
/// the public base URL is https), `OIDC_ALG` and `OIDC_GROUPS_CLAIM`. Every problem names the
/// variable at fault.
impl FromEnv for LoginConfig {
    type Output = Option<LoginConfig>;

    /// Reads the variables into `env`, recording every problem there; `None` unless
    /// `WEB_UI_OIDC_ENABLED=1`.
    fn read_env(env: &mut EnvReader<'_>) -> Option<LoginConfig> {
        if !env.opt_in("WEB_UI_OIDC_ENABLED") {
            return None;
        }
        let (issuer_var, issuer) = first_set(env, &["WEB_UI_OIDC_ISSUER", "OIDC_ISSUER"]);
        let client_id = env.text("WEB_UI_OIDC_CLIENT_ID").unwrap_or_default();
        let base = env.text("WEB_UI_PUBLIC_BASE_URL").unwrap_or_default();
        let mut config = LoginConfig::new(issuer.unwrap_or_default(), client_id, base);
        config.client_secret = env.text("WEB_UI_OIDC_CLIENT_SECRET").map(Secret::new);
        config.authorization_endpoint = env.text("WEB_UI_OIDC_AUTHORIZATION_ENDPOINT");
        config.token_endpoint = env.text("WEB_UI_OIDC_TOKEN_ENDPOINT");
        let (jwks_var, jwks_url) = first_set(env, &["WEB_UI_OIDC_JWKS_URL", "OIDC_JWKS_URL"]);
        config.jwks_url = jwks_url;
        let scopes = env.text_or("WEB_UI_OIDC_SCOPES", DEFAULT_SCOPES);
        config.scopes = scopes.split_whitespace().map(str::to_owned).collect();
        // Unset: derived from the base URL's scheme by `new`.
        config.cookie_secure = env.flag("WEB_UI_COOKIE_SECURE", config.cookie_secure);
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
        let names = Names {
            issuer: issuer_var.unwrap_or("WEB_UI_OIDC_ISSUER (or OIDC_ISSUER)"),
            jwks_url: jwks_var.unwrap_or("WEB_UI_OIDC_JWKS_URL"),
            ..Names::ENV
        };
        for problem in config.problems_named(&names) {
            env.problem(problem);
        }
        Some(config)
    }
}

/// How problems name each setting: as a field (the bindings' options) or as the variable that
/// set it.
struct Names {
    issuer: &'static str,
    client_id: &'static str,
    public_base_url: &'static str,
    authorization_endpoint: &'static str,
    token_endpoint: &'static str,
    jwks_url: &'static str,
    scopes: &'static str,
    cookie_secure_off: &'static str,
    algorithms: &'static str,
    groups_claim: &'static str,
    /// What follows the name of a missing required setting.
    missing: &'static str,
}

impl Names {
    const FIELDS: Names = Names {
        issuer: "the issuer",
        client_id: "the client id",
        public_base_url: "the public base url",
        authorization_endpoint: "the authorization endpoint",
        token_endpoint: "the token endpoint",
        jwks_url: "the jwks url",
        scopes: "the scopes",
        cookie_secure_off: "`cookie_secure` false",
        algorithms: "the algorithm list",
        groups_claim: "the groups claim",
        missing: "is empty",
    };

    const ENV: Names = Names {
        issuer: "WEB_UI_OIDC_ISSUER",
        client_id: "WEB_UI_OIDC_CLIENT_ID",
        public_base_url: "WEB_UI_PUBLIC_BASE_URL",
        authorization_endpoint: "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT",
        token_endpoint: "WEB_UI_OIDC_TOKEN_ENDPOINT",
        jwks_url: "WEB_UI_OIDC_JWKS_URL",
        scopes: "WEB_UI_OIDC_SCOPES",
        cookie_secure_off: "WEB_UI_COOKIE_SECURE=0",
        algorithms: "OIDC_ALG",
        groups_claim: "OIDC_GROUPS_CLAIM",
        missing: "is required when WEB_UI_OIDC_ENABLED=1",
    };
}

/// The first of `names` that is set, with its value.
fn first_set(
    env: &EnvReader<'_>,
    names: &[&'static str],
) -> (Option<&'static str>, Option<String>) {
    names
        .iter()
        .find_map(|name| env.text(name).map(|value| (Some(*name), Some(value))))
        .unwrap_or((None, None))
}

fn is_https(url: &str) -> bool {
    Url::parse(url).is_ok_and(|u| u.scheme() == "https")
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The web UI's public base URL: an http(s) origin with an optional path, which the callback
/// URL and the session cookie's origin check are built from.
fn check_base_url(value: &str) -> std::result::Result<(), String> {
    let Ok(url) = Url::parse(value) else {
        return Err(format!("`{}` is not an absolute url", clip(value)));
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Not quoted: the value holds a credential.
        return Err("the url must not carry credentials".to_owned());
    }
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(format!("`{}` is not an http(s) url", clip(value)));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{}` must not have a query or a fragment (the callback is <base>/api/auth/callback)",
            clip(value)
        ));
    }
    Ok(())
}

/// An RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`.
fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A valid environment with explicit endpoints (nothing is fetched), and `changes` on top
    /// (an empty value unsets the variable).
    fn env_with(changes: &[(&'static str, &'static str)]) -> HashMap<&'static str, &'static str> {
        let mut env = HashMap::from([
            ("WEB_UI_OIDC_ENABLED", "1"),
            ("WEB_UI_OIDC_ISSUER", "https://idp.example.test"),
            ("WEB_UI_OIDC_CLIENT_ID", "web-ui"),
            ("WEB_UI_PUBLIC_BASE_URL", "https://ui.example.test"),
            (
                "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT",
                "https://idp.example.test/auth",
            ),
            (
                "WEB_UI_OIDC_TOKEN_ENDPOINT",
                "https://idp.example.test/token",
            ),
            ("WEB_UI_OIDC_JWKS_URL", "https://idp.example.test/jwks"),
        ]);
        for (name, value) in changes {
            if value.is_empty() {
                env.remove(name);
            } else {
                env.insert(name, value);
            }
        }
        env
    }

    fn read(changes: &[(&'static str, &'static str)]) -> Result<Option<LoginConfig>> {
        LoginConfig::from_env_source(&env_with(changes))
    }

    /// The configuration read, when the login is on.
    fn enabled(changes: &[(&'static str, &'static str)]) -> Result<LoginConfig> {
        read(changes)?.ok_or_else(|| err(ErrorCode::InvalidConfig, "the login is off"))
    }

    fn secure(changes: &[(&'static str, &'static str)]) -> Option<bool> {
        enabled(changes).ok().map(|config| config.cookie_secure)
    }

    /// The `invalid_config` message reading `changes` gives (empty when they are accepted).
    fn problem(changes: &[(&'static str, &'static str)]) -> String {
        match read(changes) {
            Err(e) if e.code() == ErrorCode::InvalidConfig => e.message().to_owned(),
            _ => String::new(),
        }
    }

    #[test]
    fn cookies_are_secure_when_the_base_url_is_https_unless_forced() {
        assert_eq!(secure(&[]), Some(true));
        assert_eq!(secure(&[("WEB_UI_COOKIE_SECURE", "1")]), Some(true));
        let local = ("WEB_UI_PUBLIC_BASE_URL", "http://127.0.0.1:3000");
        assert_eq!(secure(&[local]), Some(false));
        assert_eq!(secure(&[local, ("WEB_UI_COOKIE_SECURE", "0")]), Some(false));
        assert_eq!(
            secure(&[local, ("WEB_UI_COOKIE_SECURE", "true")]),
            Some(true)
        );
        assert!(LoginConfig::new("https://idp", "c", "https://ui.example.test").cookie_secure);
        assert!(!LoginConfig::new("https://idp", "c", "http://localhost").cookie_secure);
    }

    /// Without `Secure` an https deployment would hand the session token to plain-http URLs of
    /// its host: refused, naming both variables, rather than started with a warning.
    #[test]
    fn secure_turned_off_under_an_https_base_url_is_refused() {
        let message = problem(&[("WEB_UI_COOKIE_SECURE", "0")]);
        assert!(message.contains("WEB_UI_COOKIE_SECURE=0"), "{message}");
        assert!(message.contains("WEB_UI_PUBLIC_BASE_URL"), "{message}");
        let mut config = LoginConfig::new("https://idp", "c", "https://ui.example.test");
        config.authorization_endpoint = Some("https://idp/auth".into());
        config.cookie_secure = false;
        let e = config.validate().err();
        assert_eq!(
            e.as_ref().map(crate::error::Error::code),
            Some(ErrorCode::InvalidConfig)
        );
        let message = e.map(|e| e.message().to_owned()).unwrap_or_default();
        assert!(message.contains("`cookie_secure` false"), "{message}");
    }

    #[test]
    fn every_bad_setting_is_a_problem_naming_its_variable() {
        for (changes, needle) in [
            (
                vec![("WEB_UI_OIDC_ENABLED", "maybe")],
                "WEB_UI_OIDC_ENABLED must be 1 or 0",
            ),
            (
                vec![("WEB_UI_OIDC_ISSUER", "")],
                "WEB_UI_OIDC_ISSUER (or OIDC_ISSUER) is required",
            ),
            (
                vec![("WEB_UI_OIDC_ISSUER", "idp.example.test")],
                "WEB_UI_OIDC_ISSUER `idp.example.test` is not an absolute url",
            ),
            (
                vec![
                    ("WEB_UI_OIDC_ISSUER", ""),
                    ("OIDC_ISSUER", "http://idp.example.test"),
                    ("WEB_UI_OIDC_JWKS_URL", ""),
                ],
                "OIDC_ISSUER: url `http://idp.example.test` must use https",
            ),
            (
                vec![("WEB_UI_OIDC_CLIENT_ID", "")],
                "WEB_UI_OIDC_CLIENT_ID is required when WEB_UI_OIDC_ENABLED=1",
            ),
            (
                vec![("WEB_UI_PUBLIC_BASE_URL", "")],
                "WEB_UI_PUBLIC_BASE_URL is required when WEB_UI_OIDC_ENABLED=1",
            ),
            (
                vec![("WEB_UI_PUBLIC_BASE_URL", "ui.example.test")],
                "WEB_UI_PUBLIC_BASE_URL: `ui.example.test` is not an absolute url",
            ),
            (
                vec![("WEB_UI_PUBLIC_BASE_URL", "ftp://ui.example.test")],
                "WEB_UI_PUBLIC_BASE_URL: `ftp://ui.example.test` is not an http(s) url",
            ),
            (
                vec![("WEB_UI_PUBLIC_BASE_URL", "https://ui.example.test/?a=1")],
                "WEB_UI_PUBLIC_BASE_URL: `https://ui.example.test/?a=1` must not have a query",
            ),
            (
                vec![(
                    "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT",
                    "http://idp.example.test/auth",
                )],
                "WEB_UI_OIDC_AUTHORIZATION_ENDPOINT: url `http://idp.example.test/auth` must use https",
            ),
            (
                vec![("WEB_UI_OIDC_TOKEN_ENDPOINT", "not a url")],
                "WEB_UI_OIDC_TOKEN_ENDPOINT: url `not a url` is not an absolute url",
            ),
            (
                vec![("WEB_UI_OIDC_JWKS_URL", "http://idp.example.test/jwks")],
                "WEB_UI_OIDC_JWKS_URL: url `http://idp.example.test/jwks` must use https",
            ),
            (
                vec![
                    ("WEB_UI_OIDC_JWKS_URL", ""),
                    ("OIDC_JWKS_URL", "ftp://idp.example.test/jwks"),
                ],
                "OIDC_JWKS_URL: url `ftp://idp.example.test/jwks` must use https",
            ),
            (
                vec![("WEB_UI_OIDC_SCOPES", "email profile")],
                "WEB_UI_OIDC_SCOPES must include `openid`",
            ),
            (
                vec![("WEB_UI_OIDC_SCOPES", "openid \"email\"")],
                "WEB_UI_OIDC_SCOPES holds `\"email\"`, which is not a scope",
            ),
            (
                vec![("WEB_UI_COOKIE_SECURE", "sometimes")],
                "WEB_UI_COOKIE_SECURE must be 1 or 0, got `sometimes`",
            ),
            (
                vec![("OIDC_ALG", "RS256,XS999")],
                "OIDC_ALG names `XS999`, which is not supported",
            ),
            (
                vec![("OIDC_ALG", "HS256")],
                "OIDC_ALG names `HS256`, which is not allowed for id tokens",
            ),
            (vec![("OIDC_ALG", ",")], "OIDC_ALG allows no algorithm"),
        ] {
            let message = problem(&changes);
            assert!(message.contains(needle), "{changes:?}: {message}");
        }
    }

    #[test]
    fn all_problems_come_at_once_and_credentials_are_not_quoted() {
        let message = problem(&[
            ("WEB_UI_OIDC_CLIENT_ID", ""),
            (
                "WEB_UI_PUBLIC_BASE_URL",
                "https://user:hunter2@ui.example.test",
            ),
            ("WEB_UI_OIDC_SCOPES", "email"),
        ]);
        for needle in [
            "WEB_UI_OIDC_CLIENT_ID",
            "WEB_UI_PUBLIC_BASE_URL: the url must not carry credentials",
            "WEB_UI_OIDC_SCOPES",
        ] {
            assert!(message.contains(needle), "{needle}: {message}");
        }
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_valid_environment_and_an_off_switch() -> Result<()> {
        let config = enabled(&[])?;
        assert_eq!(
            config.redirect_uri(),
            "https://ui.example.test/api/auth/callback"
        );
        assert!(config.env_notes().is_empty());
        assert!(LoginConfig::from_env_source(&HashMap::<&str, &str>::new())?.is_none());
        Ok(())
    }

    #[test]
    fn http_base_urls_are_noted() -> Result<()> {
        let config = enabled(&[
            ("WEB_UI_PUBLIC_BASE_URL", "http://ui.example.test"),
            ("WEB_UI_COOKIE_SECURE", "1"),
        ])?;
        let notes = config.env_notes().join("\n");
        assert!(notes.contains("WEB_UI_PUBLIC_BASE_URL `http://ui.example.test` is http"));
        assert!(notes.contains("WEB_UI_COOKIE_SECURE=1 with an http WEB_UI_PUBLIC_BASE_URL"));
        let local = enabled(&[("WEB_UI_PUBLIC_BASE_URL", "http://localhost:3000")])?;
        assert!(local.env_notes().is_empty());
        Ok(())
    }
}
