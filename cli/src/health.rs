//! `incidentfox-auth health`: what a readiness probe needs, from the service's environment.
//!
//! Builds the authenticator the services build (`Authenticator::from_env`, with the JTI store
//! `IMPERSONATION_JTI_STORE` names), fetches the OIDC key set once, probes the JTI store, and
//! prints the health with the counters of that one round as OpenMetrics text.

use crate::output;
use incidentfox_auth::jti::store_from_env;
use incidentfox_auth::observe::openmetrics;
use incidentfox_auth::{Authenticator, Error, ErrorCode};
use serde_json::json;
use std::process::ExitCode;

/// Prints `{"ready", "jwks", "jti_store", "openmetrics"}`; exit 0 when ready, 1 when not, 2 on a
/// configuration problem.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            return output::fail(&Error::new(
                ErrorCode::InvalidConfig,
                format!("runtime: {e}"),
            ))
        }
    };
    runtime.block_on(async {
        let auth = match store_from_env().and_then(|store| Authenticator::from_env(Some(store))) {
            Ok(auth) => auth,
            Err(e) => return output::fail(&e),
        };
        if let Some(cache) = auth.admin().oidc().and_then(|v| v.jwks_cache()) {
            // A failed fetch is what the health reports; it is not an error of this command.
            let _ = cache.prefetch().await;
        }
        let health = auth.health().await;
        let mut report = health.to_json();
        if let Some(object) = report.as_object_mut() {
            object.insert("openmetrics".into(), json!(openmetrics(&auth.stats())));
        }
        output::print(&report);
        if health.ready {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(output::REJECTED)
        }
    })
}
