//! `OidcConfig`'s [`FromEnv`]: the services' `OIDC_*` variables, plus a few new tuning knobs.

use super::config::{ClaimNames, KeySource, OidcConfig};
use crate::config::{EnvReader, FromEnv};
use crate::jose::Algorithm;
use crate::text::clip;
use std::time::Duration;

/// The `OIDC_*` variables; `None` unless `OIDC_ENABLED=1`, which also requires `OIDC_ISSUER` and
/// `OIDC_AUDIENCE` (a CSV list is accepted). Keys: `OIDC_JWKS_JSON` wins over `OIDC_JWKS_URL`; with neither, discovery from the issuer.
impl FromEnv for OidcConfig {
    type Output = Option<OidcConfig>;

    /// Reads the `OIDC_*` variables through `env`, recording every problem there (so one report
    /// can cover every component). `None` when OIDC is disabled or a problem was found.
    fn read_env(env: &mut EnvReader<'_>) -> Option<OidcConfig> {
        let before = env.problems().list().len();
        if !env.opt_in("OIDC_ENABLED") {
            return None;
        }
        let issuer = env.required("OIDC_ISSUER", "when OIDC_ENABLED=1");
        let audiences = env.csv("OIDC_AUDIENCE").unwrap_or_default();
        if audiences.is_empty() {
            env.problem("OIDC_AUDIENCE is required when OIDC_ENABLED=1");
        }
        let keys = match (env.text("OIDC_JWKS_JSON"), env.text("OIDC_JWKS_URL")) {
            (Some(json), _) => KeySource::Inline(json),
            (None, Some(url)) => KeySource::Url(url),
            (None, None) => KeySource::Discovery,
        };
        let mut algorithms = Vec::new();
        for name in env.csv("OIDC_ALG").unwrap_or_else(|| vec!["RS256".into()]) {
            match Algorithm::from_name(&name) {
                Some(alg) => algorithms.push(alg),
                None => env.problem(format!(
                    "OIDC_ALG names `{}`, which is not a supported algorithm",
                    clip(&name)
                )),
            }
        }
        let claims = ClaimNames {
            subject: env.text_or("OIDC_SUBJECT_CLAIM", "sub"),
            email: env.text_or("OIDC_EMAIL_CLAIM", "email"),
            groups: env.text_or("OIDC_GROUPS_CLAIM", "groups"),
            org_id: env.text_or("OIDC_ORG_ID_CLAIM", "org_id"),
            team_node_id: env.text_or("OIDC_TEAM_NODE_ID_CLAIM", "team_node_id"),
        };
        let mut config = OidcConfig::new(issuer, String::new(), keys)
            .with_audiences(audiences)
            .with_claim_names(claims)
            .with_leeway(env.parsed("OIDC_LEEWAY_SECONDS", super::config::DEFAULT_LEEWAY_SECONDS))
            .with_require_kid(env.protection("OIDC_REQUIRE_KID"))
            .with_max_token_bytes(env.number(
                "OIDC_MAX_TOKEN_BYTES",
                super::config::DEFAULT_MAX_TOKEN_BYTES,
                256,
            ));
        if !algorithms.is_empty() {
            config = config.with_algorithms(algorithms);
        }
        if let Some(typ) = env.csv("OIDC_ALLOWED_TYP") {
            config = config.with_allowed_typ(typ);
        }
        if env.text("OIDC_MAX_AGE_SECONDS").is_some() {
            config = config.with_max_age(Duration::from_secs(env.number(
                "OIDC_MAX_AGE_SECONDS",
                0,
                1,
            )));
        }
        let mut jwks = config.jwks;
        jwks.max_age = env.seconds("OIDC_JWKS_MAX_AGE_SECONDS", jwks.max_age, 0.001);
        jwks.cooldown = env.seconds("OIDC_JWKS_COOLDOWN_SECONDS", jwks.cooldown, 0.001);
        jwks.max_stale = env.seconds("OIDC_JWKS_MAX_STALE_SECONDS", jwks.max_stale, 0.001);
        jwks.fetch.timeout = env.seconds("OIDC_JWKS_TIMEOUT_SECONDS", jwks.fetch.timeout, 0.001);
        jwks.fetch.max_body_bytes =
            env.number("OIDC_JWKS_MAX_BYTES", jwks.fetch.max_body_bytes, 1024);
        config = config.with_jwks_settings(jwks);
        let mut cache = config.verified_cache;
        cache.ttl = env.seconds("OIDC_VERIFIED_CACHE_TTL_SECONDS", cache.ttl, 0.0);
        cache.max_entries = env.number("OIDC_VERIFIED_CACHE_MAX_ENTRIES", cache.max_entries, 0);
        config = config.with_verified_cache(cache);
        // Field-level problems (HMAC in the allowlist, empty names) join the variable problems.
        for problem in config.problems() {
            env.problem(problem);
        }
        (env.problems().list().len() == before).then_some(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorCode, Result};
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Option<OidcConfig>> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        OidcConfig::from_env_source(&map)
    }

    #[test]
    fn disabled_by_default() {
        assert!(matches!(load(&[]), Ok(None)));
        assert!(matches!(load(&[("OIDC_ENABLED", "0")]), Ok(None)));
    }

    #[test]
    fn reads_the_services_variables() {
        let config = load(&[
            ("OIDC_ENABLED", "1"),
            ("OIDC_ISSUER", "https://idp.example.com"),
            ("OIDC_AUDIENCE", "incidentfox"),
            ("OIDC_JWKS_URL", "https://idp.example.com/jwks"),
            ("OIDC_JWKS_JSON", "{\"keys\":[]}"),
            ("OIDC_ALG", "ES256"),
            ("OIDC_LEEWAY_SECONDS", "5"),
            ("OIDC_GROUPS_CLAIM", "cognito:groups"),
            ("OIDC_SUBJECT_CLAIM", "oid"),
        ]);
        let Ok(Some(config)) = config else {
            unreachable!("config should load: {config:?}")
        };
        assert_eq!(config.issuer, "https://idp.example.com");
        assert_eq!(config.audiences, vec!["incidentfox".to_string()]);
        assert!(
            matches!(config.keys, KeySource::Inline(_)),
            "inline JSON wins"
        );
        assert_eq!(config.algorithms, vec![Algorithm::ES256]);
        assert_eq!(config.leeway, 5.0);
        assert_eq!(config.claims.groups, "cognito:groups");
        assert_eq!(config.required().collect::<Vec<_>>(), vec!["exp", "oid"]);
    }

    #[test]
    fn reports_every_problem_at_once() {
        let e = load(&[
            ("OIDC_ENABLED", "1"),
            ("OIDC_ALG", "none,HS256"),
            ("OIDC_LEEWAY_SECONDS", "soon"),
        ])
        .err();
        let Some(e) = e else {
            unreachable!("must fail")
        };
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        for needle in [
            "OIDC_ISSUER",
            "OIDC_AUDIENCE",
            "`none`",
            "HS256",
            "OIDC_LEEWAY_SECONDS",
        ] {
            assert!(
                e.message().contains(needle),
                "{needle} missing from {}",
                e.message()
            );
        }
    }

    #[test]
    fn rejects_durations_that_do_not_fit() {
        for value in ["inf", "1e30", "NaN"] {
            let e = load(&[
                ("OIDC_ENABLED", "1"),
                ("OIDC_ISSUER", "https://idp.example.com"),
                ("OIDC_AUDIENCE", "a"),
                ("OIDC_JWKS_MAX_STALE_SECONDS", value),
            ]);
            assert!(
                e.as_ref()
                    .is_err_and(|e| e.message().contains("OIDC_JWKS_MAX_STALE_SECONDS")),
                "{value}: {e:?}"
            );
        }
    }

    #[test]
    fn rejects_a_bad_enabled_flag() {
        assert!(load(&[("OIDC_ENABLED", "maybe")]).is_err());
    }
}
