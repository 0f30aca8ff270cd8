//! Reading every component's configuration from arbitrary `KEY=VALUE` lines: never panics.
#![no_main]

use incidentfox_auth::config::FromEnv;
use incidentfox_auth::{check_env, Authenticator, OidcConfig, RbacPolicy, RouteTable};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let env: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let _ = check_env(&env);
    let _ = OidcConfig::from_env_source(&env);
    let _ = RbacPolicy::from_env_source(&env);
    let _ = RouteTable::from_env_source(&env);
    let _ = Authenticator::from_env_source(&env, None);
    let _ = incidentfox_auth::login::LoginConfig::from_env_source(&env);
    let _ = incidentfox_auth::impersonation::ImpersonationConfig::from_env_source(&env);
});
