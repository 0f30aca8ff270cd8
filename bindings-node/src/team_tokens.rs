//! Team-token helpers.

use crate::errors::IntoJs;
use incidentfox_auth::team_tokens::{self, ParsedTeamToken, TokenPepper};
use napi::Env;
use napi_derive::napi;

/// A new team token and what its row stores.
#[napi(object)]
pub struct GeneratedTeamToken {
    /// `<tokenId>.<secret>`: give it to the team, never store it.
    pub token: String,
    /// The row's `token_id`.
    pub token_id: String,
    /// The row's `token_hash`: SHA-256 of the secret and the pepper.
    pub token_hash: String,
}

/// What a team token's row stores.
#[napi(object)]
pub struct TeamTokenHash {
    /// The row's `token_id`.
    pub token_id: String,
    /// The row's `token_hash`.
    pub token_hash: String,
}

/// A new `<tokenId>.<secret>` with its stored hash under `pepper` (`TOKEN_PEPPER`).
#[napi]
pub fn generate_team_token(env: &Env, pepper: String) -> napi::Result<GeneratedTeamToken> {
    let pepper = TokenPepper::new(pepper).js(env)?;
    let token = team_tokens::generate().js(env)?;
    Ok(GeneratedTeamToken {
        token: token.token().to_owned(),
        token_id: token.token_id().to_owned(),
        token_hash: token.stored_hash(&pepper),
    })
}

/// The stored hash of any secret: lowercase hex SHA-256 of the secret followed by the pepper, as
/// the services' `hash_token` computes it (no shape check: the services hash any string).
#[napi]
pub fn hash_token_secret(env: &Env, secret: String, pepper: String) -> napi::Result<String> {
    let pepper = TokenPepper::new(pepper).js(env)?;
    Ok(team_tokens::hash_secret(&secret, &pepper))
}

/// `{ tokenId, tokenHash }` as stored, for a full `<tokenId>.<secret>` token.
#[napi]
pub fn hash_team_token(env: &Env, token: String, pepper: String) -> napi::Result<TeamTokenHash> {
    let pepper = TokenPepper::new(pepper).js(env)?;
    let parsed = ParsedTeamToken::parse(token.trim()).js(env)?;
    Ok(TeamTokenHash {
        token_id: parsed.token_id().to_owned(),
        token_hash: parsed.stored_hash(&pepper),
    })
}

/// Whether the token's secret hashes to `storedHash` under `pepper` (constant time).
#[napi]
pub fn verify_team_token(
    env: &Env,
    token: String,
    stored_hash: String,
    pepper: String,
) -> napi::Result<bool> {
    let pepper = TokenPepper::new(pepper).js(env)?;
    let parsed = ParsedTeamToken::parse(token.trim()).js(env)?;
    Ok(team_tokens::verify_secret(&parsed, &stored_hash, &pepper))
}

/// The members of a team-token lookup row the core reads (`StoredTeamToken::from_row`), both
/// spellings of each: what `lib/index.js` copies from a lookup's answer.
#[napi]
pub fn team_token_row_members() -> Vec<String> {
    let mut names: Vec<String> = team_tokens::ROW_MEMBERS
        .iter()
        .flat_map(|(snake, camel)| [*snake, *camel])
        .map(str::to_owned)
        .collect();
    names.dedup();
    names
}
