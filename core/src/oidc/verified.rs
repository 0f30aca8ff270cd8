//! `VerifiedToken`: what a successful verification returns.
//!
//! A full verification reads the identity in the same pass as the claim rules, and keeps the
//! decoded payload: the claims as a map are built only when asked for (most callers read only
//! the identity). A verified-token cache hit keeps neither: the cache holds only the verdict
//! (so 100,000 tokens fit in tens of MiB), and the claims and identity are read again from the
//! caller's own token — the very bytes that were verified, since the cache is keyed by the
//! SHA-256 of the whole token — the first time they are asked for.

use super::claims::{identity, FieldPlan, Identity, OidcFields};
use super::config::ClaimNames;
use crate::jose::{b64, json};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

/// Where the claims come from until they are first read.
#[derive(Debug, Clone)]
enum Source {
    /// Already parsed.
    Parsed,
    /// The payload's bytes, decoded and verified.
    Payload(Box<[u8]>),
    /// The token's payload segment (base64url), copied from the token that hit the cache.
    Segment {
        payload: Box<str>,
        names: Arc<ClaimNames>,
        /// The validator's one-pass reader of the claims, when its configuration has one.
        plan: Option<Arc<FieldPlan>>,
    },
}

/// A token that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    claims: OnceLock<Map<String, Value>>,
    identity: OnceLock<Identity>,
    source: Source,
}

impl VerifiedToken {
    /// The result of a full verification that built the claims' map.
    pub(crate) fn parsed(claims: Map<String, Value>, identity: Identity) -> VerifiedToken {
        VerifiedToken {
            claims: OnceLock::from(claims),
            identity: OnceLock::from(identity),
            source: Source::Parsed,
        }
    }

    /// The result of a full verification that read `identity` from the verified `payload`
    /// without building the claims' map.
    pub(crate) fn checked(payload: &[u8], identity: Identity) -> VerifiedToken {
        VerifiedToken {
            claims: OnceLock::new(),
            identity: OnceLock::from(identity),
            source: Source::Payload(payload.into()),
        }
    }

    /// The result of a cache hit for `token`: its claims are read when first asked for.
    pub(crate) fn cached(
        token: &str,
        names: &Arc<ClaimNames>,
        plan: Option<&Arc<FieldPlan>>,
    ) -> VerifiedToken {
        let payload = token.split('.').nth(1).unwrap_or_default();
        VerifiedToken {
            claims: OnceLock::new(),
            identity: OnceLock::new(),
            source: Source::Segment {
                payload: payload.into(),
                names: Arc::clone(names),
                plan: plan.map(Arc::clone),
            },
        }
    }

    /// All claims of the payload.
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims.get_or_init(|| {
            // These bytes parsed and passed every check when they were verified; parsing the
            // same bytes again with the same rules gives the same result, so the empty fallback
            // is never reached.
            let parse = |bytes: &[u8]| json::parse_object(bytes).ok();
            match &self.source {
                Source::Parsed => None,
                Source::Payload(bytes) => parse(bytes),
                Source::Segment { payload, .. } => b64::decode(payload).and_then(|b| parse(&b)),
            }
            .unwrap_or_default()
        })
    }

    /// The identity read from the claims.
    pub fn identity(&self) -> &Identity {
        self.identity.get_or_init(|| match &self.source {
            // Only a cache hit comes without its identity; the same bytes with the same names
            // passed `identity` when verified, so the default is never reached. The one-pass
            // reader, when the validator has one, reads it without building the claims' map.
            Source::Segment {
                payload,
                names,
                plan: Some(plan),
            } if self.claims.get().is_none() => b64::decode(payload)
                .and_then(|bytes| {
                    let mut fields = OidcFields::new(plan);
                    json::parse_fields(&bytes, &mut fields).ok()?;
                    identity(&fields, names).ok()
                })
                .unwrap_or_default(),
            Source::Segment { names, .. } => identity(self.claims(), names).unwrap_or_default(),
            Source::Parsed | Source::Payload(_) => Identity::default(),
        })
    }

    /// Takes the claims, parsing them first if they were not yet.
    pub fn into_claims(mut self) -> Map<String, Value> {
        self.claims();
        self.claims.take().unwrap_or_default()
    }

    /// Takes the identity, reading it first if this came from a cache hit.
    pub fn into_identity(mut self) -> Identity {
        self.identity();
        self.identity.take().unwrap_or_default()
    }
}

impl PartialEq for VerifiedToken {
    fn eq(&self, other: &Self) -> bool {
        self.identity() == other.identity() && self.claims() == other.claims()
    }
}

impl Serialize for VerifiedToken {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("VerifiedToken", 2)?;
        out.serialize_field("claims", self.claims())?;
        out.serialize_field("identity", self.identity())?;
        out.end()
    }
}
