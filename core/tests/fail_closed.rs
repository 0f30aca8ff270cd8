//! Numbers from outside the token (an explicit clock, leeways, TTLs, key-set timings) that the
//! library did not expect are refused; none of them can switch a time check off.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::check_env;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
    VisitorRequest,
};
use incidentfox_auth::{ErrorCode, KeySource, OidcConfig, OidcValidator};
use std::collections::HashMap;
use std::time::Duration;

#[path = "support/vectors.rs"]
mod vectors;

const SECRET: &str = "impersonation-test-secret-0123456789abcdef";
const NOT_FINITE: [f64; 3] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];

/// The attack vectors' validator and its valid RS256 token.
fn oidc() -> (OidcConfig, String) {
    let doc = vectors::load("attacks.json");
    let settings = &doc["validator"];
    let config = OidcConfig::new(
        settings["issuer"].as_str().unwrap(),
        settings["audiences"][0].as_str().unwrap(),
        KeySource::Inline(doc["jwks"].to_string()),
    );
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "valid_rs256")
        .unwrap();
    (config, case["token"].as_str().unwrap().to_owned())
}

fn request() -> ImpersonationRequest {
    ImpersonationRequest {
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        subject: "admin@example.com".into(),
        email: None,
        ttl_seconds: None,
    }
}

#[tokio::test]
async fn a_clock_that_is_not_finite_is_refused_by_every_oidc_entry_point() {
    let (config, token) = oidc();
    let validator = OidcValidator::new(config).unwrap();
    // Decades after the token expired: expired, whatever the leeway.
    let late = 4_000_000_000.0;
    let e = validator.verify_at(&token, late).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenExpired);
    for now in NOT_FINITE {
        let e = validator.verify_at(&token, now).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "verify_at({now})");
        assert!(e.message().contains("`now`"), "{e}");
        let e = validator.verify_cached_at(&token, now).unwrap_err();
        assert_eq!(
            e.code(),
            ErrorCode::InvalidConfig,
            "verify_cached_at({now})"
        );
    }
}

#[tokio::test]
async fn a_clock_that_is_not_finite_is_refused_by_every_impersonation_entry_point() {
    let config = ImpersonationConfig::new(SECRET);
    let signer = ImpersonationSigner::new(config.clone(), None).unwrap();
    let verifier = ImpersonationVerifier::new(config, None).unwrap();
    let minted = signer.mint_at(&request(), 1_000).await.unwrap();
    let e = verifier.verify_at(&minted.token, 1e12).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TokenExpired);
    for now in NOT_FINITE {
        for e in [
            verifier.verify_at(&minted.token, now).await.unwrap_err(),
            verifier.verify_cached_at(&minted.token, now).unwrap_err(),
            verifier
                .dangerous_verify_without_jti_store_at(&minted.token, now)
                .unwrap_err(),
        ] {
            assert_eq!(e.code(), ErrorCode::InvalidConfig, "{now}: {e}");
        }
    }
}

#[tokio::test]
async fn a_clock_that_is_not_finite_is_refused_by_the_authenticators() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("ADMIN_TOKEN", "break-glass-admin-token-0123456789abcdef"),
        ("IMPERSONATION_JWT_SECRET", SECRET),
        ("TOKEN_PEPPER", "pepper"),
    ]);
    let auth = incidentfox_auth::Authenticator::from_env_source(&env, None).unwrap();
    let admin = incidentfox_auth::authenticate::AdminAuthenticator::from_env_source(&env).unwrap();
    let credentials = incidentfox_auth::Credentials::from_headers([(
        "authorization",
        "Bearer break-glass-admin-token-0123456789abcdef",
    )]);
    assert!(auth.authenticate_at(&credentials, 1_000.0).await.is_ok());
    for now in NOT_FINITE {
        let e = auth.authenticate_at(&credentials, now).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{now}");
        let e = admin
            .authenticate_at("break-glass-admin-token-0123456789abcdef", now)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{now}");
        let e = admin
            .authenticate_cached_at("break-glass-admin-token-0123456789abcdef", now)
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{now}");
    }
}

#[test]
fn a_leeway_must_be_finite_non_negative_and_bounded() {
    let (config, _) = oidc();
    for leeway in [f64::NAN, f64::INFINITY, -1.0, 301.0, f64::MAX] {
        let e = OidcValidator::new(config.clone().with_leeway(leeway)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{leeway}");
        assert!(e.message().contains("OIDC_LEEWAY_SECONDS"), "{e}");
        let mut imp = ImpersonationConfig::new(SECRET);
        imp.leeway_seconds = leeway;
        let e = ImpersonationVerifier::new(imp.clone(), None).unwrap_err();
        assert!(e.message().contains("IMPERSONATION_LEEWAY_SECONDS"), "{e}");
        assert_eq!(
            ImpersonationSigner::new(imp, None).unwrap_err().code(),
            ErrorCode::InvalidConfig
        );
    }
    assert!(OidcValidator::new(config.with_leeway(300.0)).is_ok());
}

#[test]
fn leeway_variables_out_of_range_are_named_problems() {
    for value in ["inf", "1e309", "NaN", "-1", "301", "soon"] {
        for name in ["IMPERSONATION_LEEWAY_SECONDS", "OIDC_LEEWAY_SECONDS"] {
            let env: HashMap<&str, &str> = HashMap::from([
                ("IMPERSONATION_JWT_SECRET", SECRET),
                ("OIDC_ENABLED", "1"),
                ("OIDC_ISSUER", "https://idp.example"),
                ("OIDC_AUDIENCE", "aud"),
                ("OIDC_JWKS_URL", "https://idp.example/jwks"),
                (name, value),
            ]);
            let report = check_env(&env);
            assert!(
                report.problems.iter().any(|p| p.contains(name)),
                "{name}={value}: {:?}",
                report.problems
            );
        }
    }
    let env: HashMap<&str, &str> = HashMap::from([("IMPERSONATION_JWT_SECRET", SECRET)]);
    assert!(ImpersonationConfig::from_env_source(&env).is_ok());
}

#[tokio::test]
async fn a_ttl_never_wraps_and_has_a_maximum() {
    let signer = ImpersonationSigner::new(ImpersonationConfig::new(SECRET), None).unwrap();
    let huge = ImpersonationRequest {
        ttl_seconds: Some(i64::MAX),
        ..request()
    };
    let e = signer.mint_at(&huge, 1_700_000_000).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    // Within the maximum, but past the end of time: refused, never wrapped.
    let mut config = ImpersonationConfig::new(SECRET);
    config.max_ttl_seconds = i64::MAX;
    let signer = ImpersonationSigner::new(config, None).unwrap();
    let e = signer.mint_at(&huge, 1_700_000_000).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    let visitor = VisitorRequest {
        org_id: "org-1".into(),
        team_node_id: "team-1".into(),
        session_id: "s-1".into(),
        email: None,
        ttl_seconds: Some(i64::MAX - 10),
    };
    let e = signer.mint_visitor_at(&visitor, 100).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);

    // The default maximum is a day; a day is fine, a second more is not.
    let signer = ImpersonationSigner::new(ImpersonationConfig::new(SECRET), None).unwrap();
    let day = ImpersonationRequest {
        ttl_seconds: Some(86_400),
        ..request()
    };
    let minted = signer.mint_at(&day, 1_000).await.unwrap();
    assert_eq!(minted.expires_at, 87_400);
    let over = ImpersonationRequest {
        ttl_seconds: Some(86_401),
        ..request()
    };
    assert!(signer.mint_at(&over, 1_000).await.is_err());

    let env: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", SECRET),
        ("IMPERSONATION_TOKEN_TTL_SECONDS", "9223372036854775807"),
    ]);
    let e = ImpersonationConfig::from_env_source(&env).unwrap_err();
    assert!(
        e.message().contains("IMPERSONATION_TOKEN_TTL_SECONDS"),
        "{e}"
    );
    let env: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", SECRET),
        ("IMPERSONATION_MAX_TTL_SECONDS", "3600"),
        ("VISITOR_TOKEN_TTL_SECONDS", "7200"),
    ]);
    let e = ImpersonationConfig::from_env_source(&env).unwrap_err();
    assert!(e.message().contains("VISITOR_TOKEN_TTL_SECONDS"), "{e}");
}

#[test]
fn key_set_timings_have_bounds() {
    let (config, _) = oidc();
    let settings = config.jwks;
    let mut cases = Vec::new();
    for (name, max_age, cooldown, timeout) in [
        ("OIDC_JWKS_MAX_AGE_SECONDS", 0.0, 30.0, 3.0),
        ("OIDC_JWKS_MAX_AGE_SECONDS", 1e7, 30.0, 3.0),
        ("OIDC_JWKS_COOLDOWN_SECONDS", 300.0, 0.0, 3.0),
        ("OIDC_JWKS_COOLDOWN_SECONDS", 300.0, 1e6, 3.0),
        ("OIDC_JWKS_TIMEOUT_SECONDS", 300.0, 30.0, 0.0),
        ("OIDC_JWKS_TIMEOUT_SECONDS", 300.0, 30.0, 3600.0),
    ] {
        let mut s = settings;
        s.max_age = Duration::from_secs_f64(max_age);
        s.cooldown = Duration::from_secs_f64(cooldown);
        s.fetch.timeout = Duration::from_secs_f64(timeout);
        cases.push((name, s));
    }
    for (name, s) in cases {
        let e = OidcValidator::new(config.clone().with_jwks_settings(s)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains(name), "{name}: {e}");
    }
    let env: HashMap<&str, &str> = HashMap::from([
        ("OIDC_ENABLED", "1"),
        ("OIDC_ISSUER", "https://idp.example"),
        ("OIDC_AUDIENCE", "aud"),
        ("OIDC_JWKS_URL", "https://idp.example/jwks"),
        ("OIDC_JWKS_COOLDOWN_SECONDS", "0.01"),
        ("OIDC_JWKS_TIMEOUT_SECONDS", "1e9"),
    ]);
    let report = check_env(&env);
    for name in ["OIDC_JWKS_COOLDOWN_SECONDS", "OIDC_JWKS_TIMEOUT_SECONDS"] {
        assert!(
            report.problems.iter().any(|p| p.contains(name)),
            "{name}: {:?}",
            report.problems
        );
    }
}

#[test]
fn short_secrets_need_the_legacy_opt_out_and_are_reported_anyway() {
    let short: HashMap<&str, &str> =
        HashMap::from([("IMPERSONATION_JWT_SECRET", "a"), ("ADMIN_TOKEN", "a")]);
    let e = ImpersonationConfig::from_env_source(&short).unwrap_err();
    assert!(e.message().contains("IMPERSONATION_JWT_SECRET"), "{e}");
    let e =
        incidentfox_auth::authenticate::AdminAuthenticator::from_env_source(&short).unwrap_err();
    assert!(e.message().contains("ADMIN_TOKEN"), "{e}");
    assert!(ImpersonationSigner::new(ImpersonationConfig::new("a"), None).is_err());
    assert!(ImpersonationVerifier::new(ImpersonationConfig::new("x".repeat(31)), None).is_err());
    assert!(ImpersonationVerifier::new(ImpersonationConfig::new("x".repeat(32)), None).is_ok());
    let report = check_env(&short);
    for name in ["IMPERSONATION_JWT_SECRET", "ADMIN_TOKEN"] {
        assert!(
            report.problems.iter().any(|p| p.contains(name)),
            "{report:?}"
        );
    }

    let mut opted_out = short.clone();
    opted_out.insert("AUTH_ALLOW_SHORT_SECRETS", "1");
    assert!(ImpersonationConfig::from_env_source(&opted_out).is_ok());
    assert!(
        incidentfox_auth::authenticate::AdminAuthenticator::from_env_source(&opted_out).is_ok()
    );
    let report = check_env(&opted_out);
    for name in ["IMPERSONATION_JWT_SECRET", "ADMIN_TOKEN"] {
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains(name) && p.contains("AUTH_ALLOW_SHORT_SECRETS")),
            "{report:?}"
        );
    }
    // A secret never appears in what check-config says.
    let secret_env: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", "tiny-secret"),
        ("AUTH_ALLOW_SHORT_SECRETS", "1"),
    ]);
    let report = check_env(&secret_env);
    assert!(!format!("{report:?}").contains("tiny-secret"));
}

#[test]
fn switches_that_widen_acceptance_take_only_1() {
    for name in [
        "OIDC_ENABLED",
        "IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE",
        "AUTH_ALLOW_SHORT_SECRETS",
    ] {
        for value in ["true", "yes", "on", "2"] {
            let env: HashMap<&str, &str> = HashMap::from([
                ("ADMIN_TOKEN", "break-glass-admin-token-0123456789abcdef"),
                ("IMPERSONATION_JWT_SECRET", SECRET),
                (name, value),
            ]);
            let report = check_env(&env);
            let hits = report.problems.iter().filter(|p| p.contains(name)).count();
            assert_eq!(hits, 1, "{name}={value}: {:?}", report.problems);
        }
    }
    let legacy: HashMap<&str, &str> = HashMap::from([
        ("IMPERSONATION_JWT_SECRET", SECRET),
        ("IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE", "1"),
    ]);
    assert!(
        ImpersonationConfig::from_env_source(&legacy)
            .unwrap()
            .accept_legacy_audience
    );
}

#[test]
fn a_protection_is_turned_off_only_by_0() {
    let base = [
        ("OIDC_ENABLED", "1"),
        ("OIDC_ISSUER", "https://idp.example"),
        ("OIDC_AUDIENCE", "aud"),
        ("OIDC_JWKS_URL", "https://idp.example/jwks"),
    ];
    for value in ["false", "no", "off"] {
        let mut env: HashMap<&str, &str> = HashMap::from(base);
        env.insert("OIDC_REQUIRE_KID", value);
        let e = OidcConfig::from_env_source(&env).unwrap_err();
        assert!(e.message().contains("OIDC_REQUIRE_KID"), "{value}: {e}");
    }
    let mut env: HashMap<&str, &str> = HashMap::from(base);
    env.insert("OIDC_REQUIRE_KID", "0");
    assert!(
        !OidcConfig::from_env_source(&env)
            .unwrap()
            .unwrap()
            .require_kid
    );
}
