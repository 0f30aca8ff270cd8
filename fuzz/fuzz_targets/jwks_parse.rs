//! JWKS parsing under the OIDC key policy: never panics; a set that loads selects without panic.
#![no_main]

use incidentfox_auth::keys::{KeyPolicy, KeySet};
use incidentfox_auth::Algorithm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let policy = KeyPolicy {
        algorithms: vec![Algorithm::RS256, Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA, Algorithm::PS256],
        allow_symmetric: false,
    };
    if let Ok(set) = KeySet::from_jwks_json(data, &policy) {
        for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA] {
            let _ = set.select(None, alg);
            let _ = set.select(Some("k"), alg);
        }
        let _ = set.dropped();
    }
});
