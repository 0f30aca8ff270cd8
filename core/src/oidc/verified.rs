//! `VerifiedToken`: what a successful verification returns.
//!
//! A full verification parses the claims anyway, so its result carries them. A verified-token
//! cache hit does not: the cache keeps only the verdict (so 100,000 tokens fit in tens of MiB),
//! and the claims are read again from the caller's own token — the very bytes that were verified,
//! since the cache is keyed by the SHA-256 of the whole token — the first time they are asked for.

use super::claims::{identity, Identity};
use super::config::ClaimNames;
use crate::jose::{b64, json};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

/// The claims and the identity read from them.
#[derive(Debug, Clone, PartialEq, Default)]
struct Parsed {
    claims: Map<String, Value>,
    identity: Identity,
}

/// Where a cache hit's claims come from until they are first read.
#[derive(Debug, Clone)]
struct Source {
    /// The token's payload segment (base64url), copied from the token that hit.
    payload: Box<str>,
    names: Arc<ClaimNames>,
}

/// A token that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    parsed: OnceLock<Parsed>,
    source: Option<Source>,
}

impl VerifiedToken {
    /// The result of a full verification, which parsed the claims already.
    pub(crate) fn parsed(claims: Map<String, Value>, identity: Identity) -> VerifiedToken {
        VerifiedToken {
            parsed: OnceLock::from(Parsed { claims, identity }),
            source: None,
        }
    }

    /// The result of a cache hit for `token`: its claims are read when first asked for.
    pub(crate) fn cached(token: &str, names: &Arc<ClaimNames>) -> VerifiedToken {
        let payload = token.split('.').nth(1).unwrap_or_default();
        VerifiedToken {
            parsed: OnceLock::new(),
            source: Some(Source {
                payload: payload.into(),
                names: Arc::clone(names),
            }),
        }
    }

    /// All claims of the payload.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.get().claims
    }

    /// The identity read from the claims.
    pub fn identity(&self) -> &Identity {
        &self.get().identity
    }

    /// Takes the claims, parsing them first if this came from a cache hit.
    pub fn into_claims(self) -> Map<String, Value> {
        self.into_parsed().claims
    }

    /// Takes the identity, parsing the claims first if this came from a cache hit.
    pub fn into_identity(self) -> Identity {
        self.into_parsed().identity
    }

    fn into_parsed(mut self) -> Parsed {
        self.get();
        self.parsed.take().unwrap_or_default()
    }

    fn get(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            // These bytes parsed and passed every check when they were verified; parsing the
            // same bytes again with the same rules gives the same result, so the empty fallback
            // is never reached.
            self.source
                .as_ref()
                .and_then(|source| {
                    let bytes = b64::decode(&source.payload)?;
                    let claims = json::parse_object(&bytes).ok()?;
                    let identity = identity(&claims, &source.names).ok()?;
                    Some(Parsed { claims, identity })
                })
                .unwrap_or_default()
        })
    }
}

impl PartialEq for VerifiedToken {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for VerifiedToken {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let parsed = self.get();
        let mut out = serializer.serialize_struct("VerifiedToken", 2)?;
        out.serialize_field("claims", &parsed.claims)?;
        out.serialize_field("identity", &parsed.identity)?;
        out.end()
    }
}
