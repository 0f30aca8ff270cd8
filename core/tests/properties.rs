//! Laws of token verification, checked on generated inputs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::{Algorithm, KeySource, OidcConfig, OidcValidator, SigningKey};
use proptest::prelude::*;
use serde_json::json;
use std::sync::OnceLock;

const ISSUER: &str = "https://idp.prop.test";
const AUDIENCE: &str = "prop-aud";
const NOW: f64 = 1_700_000_000.0;

fn fixture() -> &'static (SigningKey, OidcValidator) {
    static FIXTURE: OnceLock<(SigningKey, OidcValidator)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SigningKey::generate(Algorithm::EdDSA)
            .unwrap()
            .with_kid("k");
        let jwks = json!({ "keys": [key.public_jwk()] }).to_string();
        let config = OidcConfig::new(ISSUER, AUDIENCE, KeySource::Inline(jwks))
            .with_algorithms(vec![Algorithm::EdDSA]);
        (key, OidcValidator::new(config).unwrap())
    })
}

proptest! {
    /// Whatever the subject and groups, a token we sign verifies and yields exactly them.
    #[test]
    fn signed_claims_round_trip(
        subject in "\\PC{1,40}",
        groups in proptest::collection::vec("[a-z:_-]{1,20}", 0..5),
        lifetime in 1.0f64..100_000.0,
    ) {
        let (key, validator) = fixture();
        let token = key.sign_claims(&json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": subject, "groups": groups,
            "iat": NOW, "exp": NOW + lifetime,
        })).unwrap();
        let verified = validator.verify_cached_at(&token, NOW).unwrap();
        prop_assert_eq!(&verified.identity().subject, &subject);
        prop_assert_eq!(&verified.identity().groups, &groups);
        // And it is expired exactly from exp + leeway on.
        let expired = validator.verify_cached_at(&token, NOW + lifetime + 30.0);
        prop_assert!(expired.is_err());
    }

    /// Changing any one character of a valid token makes it invalid.
    #[test]
    fn any_single_character_change_is_rejected(position in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9_.=+/ -]") {
        let (key, validator) = fixture();
        let token = key.sign_claims(&json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": NOW + 60.0,
        })).unwrap();
        let i = position.index(token.len());
        let mut changed = token.clone();
        changed.replace_range(i..=i, &replacement);
        prop_assume!(changed != token);
        prop_assert!(validator.verify_cached_at(&changed, NOW).is_err());
    }

    /// Arbitrary input is rejected with an error, never a panic.
    #[test]
    fn arbitrary_input_is_rejected(input in "\\PC{0,300}") {
        let (_, validator) = fixture();
        prop_assert!(validator.verify_cached_at(&input, NOW).is_err());
    }

    /// Arbitrary three-part input made of base64url alphabets is rejected without panicking.
    #[test]
    fn arbitrary_compact_shapes_are_rejected(
        h in "[A-Za-z0-9_-]{0,60}", p in "[A-Za-z0-9_-]{0,60}", s in "[A-Za-z0-9_-]{0,90}",
    ) {
        let (_, validator) = fixture();
        let token = format!("{h}.{p}.{s}");
        prop_assert!(validator.verify_cached_at(&token, NOW).is_err());
    }
}
