//! Request headers through the authenticator's dispatch: never panics, never an admin by accident.
#![no_main]

use incidentfox_auth::team_tokens::MemoryTeamTokens;
use incidentfox_auth::{Authenticator, Credentials};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

const ADMIN_TOKEN: &str = "fuzz-admin-token-0123456789abcdef";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| match tokio::runtime::Builder::new_current_thread().build() {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    })
}

fn authenticator() -> &'static Authenticator {
    static A: OnceLock<Authenticator> = OnceLock::new();
    A.get_or_init(|| {
        let env: HashMap<&str, &str> = HashMap::from([
            ("ADMIN_TOKEN", ADMIN_TOKEN),
            ("TOKEN_PEPPER", "fuzz-pepper"),
            ("IMPERSONATION_JWT_SECRET", "fuzz-impersonation-secret-0123456789"),
        ]);
        match Authenticator::from_env_source(&env, None) {
            Ok(a) => a.with_team_token_lookup(Arc::new(MemoryTeamTokens::default())),
            Err(e) => panic!("fixture: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pairs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once(':')).collect();
    let credentials = Credentials::from_headers(pairs.iter().copied());
    let outcome = runtime().block_on(authenticator().authenticate_at(&credentials, 1.8e9));
    if let Ok(principal) = outcome {
        // Only the exact admin token can make an admin here: no OIDC, no team rows.
        assert_eq!(credentials.token(), Some(ADMIN_TOKEN), "{principal:?}");
    }
});
