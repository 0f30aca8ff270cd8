//! The caller-supplied lookup of stored team and org-admin tokens.

use crate::error::Result;
use crate::team_tokens::StoredTeamToken;
use async_trait::async_trait;
use std::collections::HashMap;

/// Finds the stored row of a team or org-admin token by its `token_id` (the service's
/// `team_tokens` table, or wherever it keeps them). `Ok(None)` when there is no such token; an
/// error is passed through unchanged, so return the code the service should answer with.
#[async_trait]
pub trait TeamTokenLookup: Send + Sync + std::fmt::Debug {
    /// The row for `token_id`, if any.
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>>;
}

/// A fixed set of rows in memory (tests, small deployments, the bindings' vector runners).
#[derive(Debug, Clone, Default)]
pub struct MemoryTeamTokens {
    rows: HashMap<String, StoredTeamToken>,
}

impl MemoryTeamTokens {
    /// Holds `rows`, keyed by their `token_id`.
    pub fn new(rows: impl IntoIterator<Item = StoredTeamToken>) -> Self {
        MemoryTeamTokens {
            rows: rows.into_iter().map(|r| (r.token_id.clone(), r)).collect(),
        }
    }
}

#[async_trait]
impl TeamTokenLookup for MemoryTeamTokens {
    async fn lookup(&self, token_id: &str) -> Result<Option<StoredTeamToken>> {
        Ok(self.rows.get(token_id).cloned())
    }
}
