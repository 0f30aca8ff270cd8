//! Team-token helpers.

use crate::errors::IntoPy;
use incidentfox_auth::team_tokens::{self, ParsedTeamToken, TokenPepper};
use pyo3::prelude::*;
use std::collections::HashMap;

/// A new `<token_id>.<secret>`: `{"token", "token_id", "token_hash"}`.
#[pyfunction]
pub fn generate_team_token(pepper: String) -> PyResult<HashMap<&'static str, String>> {
    let pepper = TokenPepper::new(pepper).py_err()?;
    let token = team_tokens::generate().py_err()?;
    Ok(HashMap::from([
        ("token", token.token().to_owned()),
        ("token_id", token.token_id().to_owned()),
        ("token_hash", token.stored_hash(&pepper)),
    ]))
}

/// `{"token_id", "token_hash"}` as stored.
#[pyfunction]
pub fn hash_team_token(token: &str, pepper: String) -> PyResult<HashMap<&'static str, String>> {
    let pepper = TokenPepper::new(pepper).py_err()?;
    let parsed = ParsedTeamToken::parse(token.trim()).py_err()?;
    Ok(HashMap::from([
        ("token_id", parsed.token_id().to_owned()),
        ("token_hash", parsed.stored_hash(&pepper)),
    ]))
}

/// The stored hash of any secret: lowercase hex SHA-256 of the secret followed by the pepper,
/// as the services' `hash_token` computes it (no shape check: the services hash any string).
#[pyfunction]
pub fn hash_token_secret(secret: &str, pepper: String) -> PyResult<String> {
    let pepper = TokenPepper::new(pepper).py_err()?;
    Ok(team_tokens::hash_secret(secret, &pepper))
}

/// Whether the token's secret hashes to `stored_hash` (constant time).
#[pyfunction]
pub fn verify_team_token(token: &str, stored_hash: &str, pepper: String) -> PyResult<bool> {
    let pepper = TokenPepper::new(pepper).py_err()?;
    let parsed = ParsedTeamToken::parse(token.trim()).py_err()?;
    Ok(team_tokens::verify_secret(&parsed, stored_hash, &pepper))
}
