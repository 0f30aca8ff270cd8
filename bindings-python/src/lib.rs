//! `incidentfox_auth._native`: the incidentfox-auth core for Python.
//!
//! Bindings hold no policy: every class wraps a core type and every function converts arguments
//! and errors, nothing else. Errors become the exception classes of `incidentfox_auth.errors`
//! (pure Python), built through `errors.from_code`.

mod authenticator;
mod convert;
mod errors;
mod exposition;
mod impersonation;
mod login;
mod observe;
mod oidc;
mod rbac;
mod runtime;
mod stats;
mod stores;
mod team_tokens;

use pyo3::prelude::*;

/// The module: classes and functions of the contract in `_native.pyi`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let codes: Vec<(&str, u16)> = incidentfox_auth::ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str(), c.http_status()))
        .collect();
    m.add("ERROR_CODES", codes)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<oidc::OidcValidator>()?;
    m.add_class::<oidc::VerifiedToken>()?;
    m.add_class::<rbac::Decision>()?;
    m.add_class::<rbac::PermissionSet>()?;
    m.add_class::<rbac::Principal>()?;
    m.add_class::<rbac::RbacPolicy>()?;
    m.add_class::<rbac::RouteTable>()?;
    m.add_function(wrap_pyfunction!(rbac::explain, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_http_response, m)?)?;
    m.add_class::<impersonation::MintedToken>()?;
    m.add_class::<impersonation::VerifiedImpersonation>()?;
    m.add_class::<impersonation::ImpersonationSigner>()?;
    m.add_class::<impersonation::ImpersonationVerifier>()?;
    m.add_class::<stores::MemoryJtiStore>()?;
    m.add_class::<stores::PostgresJtiStore>()?;
    m.add_class::<authenticator::Authenticator>()?;
    m.add_class::<login::OidcLogin>()?;
    m.add_function(wrap_pyfunction!(team_tokens::generate_team_token, m)?)?;
    m.add_function(wrap_pyfunction!(team_tokens::hash_team_token, m)?)?;
    m.add_function(wrap_pyfunction!(team_tokens::hash_token_secret, m)?)?;
    m.add_function(wrap_pyfunction!(rbac::admin_token_grants, m)?)?;
    m.add_function(wrap_pyfunction!(team_tokens::verify_team_token, m)?)?;
    m.add_function(wrap_pyfunction!(exposition::openmetrics, m)?)?;
    m.add_function(wrap_pyfunction!(exposition::metric_families, m)?)?;
    m.add_function(wrap_pyfunction!(observe::refresh_log_level, m)?)?;
    observe::install(m.py())?;
    Ok(())
}
