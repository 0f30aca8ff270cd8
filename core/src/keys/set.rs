//! A loaded key set: the usable keys, what was dropped and why, and key selection.

use super::jwk::{KeyPolicy, VerifyingKey};
use crate::error::{err, ErrorCode, Result};
use crate::jose::KeyKind;
use crate::jose::{json, Algorithm, CompactJws};
use crate::text::clip;
use serde_json::Value;
use std::collections::HashMap;

/// A key that was left out of a set when it loaded, with the reason (reported by `check-config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedKey {
    /// The key's `kid`, when it had one.
    pub kid: Option<String>,
    /// Why it was dropped, e.g. `is a 1024-bit rsa key, under 2048 bits`.
    pub reason: String,
}

/// A validated JWKS: every key parsed once, unusable ones dropped.
#[derive(Debug)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
    by_kid: HashMap<String, usize>,
    dropped: Vec<DroppedKey>,
}

impl KeySet {
    /// Parses a JWKS document (`{"keys": [...]}`) under `policy`.
    ///
    /// Keys that cannot be used (any carrying private members, RSA under 2048 bits or with an
    /// exponent that is even, under 3 or over 33 bits, symmetric keys when the policy forbids
    /// them, unsupported types or curves, `use`/`key_ops` not for verification, duplicate `kid`s)
    /// are dropped and listed in [`KeySet::dropped`]; a set left with no usable key is
    /// `invalid_key`.
    pub fn from_jwks_json(document: &[u8], policy: &KeyPolicy) -> Result<KeySet> {
        let root = json::parse_object(document)
            .map_err(|e| err(ErrorCode::InvalidKey, format!("key set {e}")))?;
        let Some(Value::Array(entries)) = root.get("keys") else {
            return Err(err(ErrorCode::InvalidKey, "key set has no `keys` array"));
        };
        let mut keys = Vec::new();
        let mut dropped = Vec::new();
        // Kids are counted over every entry, usable or not: a broken twin still makes the kid
        // ambiguous.
        let mut kid_counts: HashMap<&str, usize> = HashMap::new();
        for kid in entries
            .iter()
            .filter_map(|e| e.get("kid").and_then(Value::as_str))
        {
            *kid_counts.entry(kid).or_default() += 1;
        }
        for entry in entries {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            match VerifyingKey::from_jwk_value(entry, policy) {
                Ok(key) => keys.push(key),
                Err(reason) => dropped.push(DroppedKey { kid, reason }),
            }
        }
        let keys = drop_duplicate_kids(keys, &kid_counts, &mut dropped);
        let keys = drop_symmetric_beside_public(keys, &mut dropped);
        if keys.is_empty() {
            let why = dropped
                .first()
                .map(|d| format!(" (first key {})", d.reason))
                .unwrap_or_default();
            return Err(err(
                ErrorCode::InvalidKey,
                format!("key set has no usable key{why}"),
            ));
        }
        let by_kid = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| k.kid().map(|kid| (kid.to_owned(), i)))
            .collect();
        Ok(KeySet {
            keys,
            by_kid,
            dropped,
        })
    }

    /// The usable keys.
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// How many keys are usable.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is usable (never true of a loaded set, which refuses to load empty).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys left out when the set loaded, with why.
    pub fn dropped(&self) -> &[DroppedKey] {
        &self.dropped
    }

    /// Whether a key with this `kid` is in the set (whatever its algorithms).
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// The key that may verify a token with this `kid` and `alg`.
    ///
    /// With `kid` absent, a key is chosen only when exactly one key supports `alg`, so a token
    /// can never pick among several keys by trial.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&VerifyingKey> {
        let found = match kid {
            Some(kid) => self
                .by_kid
                .get(kid)
                .and_then(|i| self.keys.get(*i))
                .filter(|k| k.supports(alg)),
            None => {
                let mut candidates = self.keys.iter().filter(|k| k.supports(alg));
                match (candidates.next(), candidates.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            }
        };
        found.ok_or_else(|| unknown_key(kid, alg))
    }
}

impl KeySet {
    /// Checks a parsed token's signature with the key its header selects for `alg`
    /// (`unknown_key_id` when none fits, `invalid_signature` when it does not verify).
    pub fn verify_signature(&self, jws: &CompactJws<'_>, alg: Algorithm) -> Result<()> {
        let key = self.select(jws.header.kid.as_deref(), alg)?;
        if key.verify(alg, jws.signing_input.as_bytes(), &jws.signature) {
            Ok(())
        } else {
            Err(err(
                ErrorCode::InvalidSignature,
                "signature does not verify",
            ))
        }
    }
}

pub(crate) fn unknown_key(kid: Option<&str>, alg: Algorithm) -> crate::error::Error {
    match kid {
        Some(kid) => err(
            ErrorCode::UnknownKeyId,
            format!("no usable key with kid `{}` for {alg}", clip(kid)),
        ),
        None => err(
            ErrorCode::UnknownKeyId,
            format!("token has no `kid` and no single key fits {alg}"),
        ),
    }
}

/// Two keys under one `kid` make selection ambiguous; neither is trusted.
fn drop_duplicate_kids(
    keys: Vec<VerifyingKey>,
    kid_counts: &HashMap<&str, usize>,
    dropped: &mut Vec<DroppedKey>,
) -> Vec<VerifyingKey> {
    keys.into_iter()
        .filter(|k| match k.kid() {
            Some(kid) if kid_counts.get(kid).is_some_and(|n| *n > 1) => {
                dropped.push(DroppedKey {
                    kid: Some(kid.to_owned()),
                    reason: "shares its kid with another key".into(),
                });
                false
            }
            _ => true,
        })
        .collect()
}

/// A set that mixes shared secrets with public keys invites algorithm confusion (a public key
/// used as an HMAC secret); the secrets are dropped.
fn drop_symmetric_beside_public(
    keys: Vec<VerifyingKey>,
    dropped: &mut Vec<DroppedKey>,
) -> Vec<VerifyingKey> {
    if !keys.iter().any(|k| k.kind() != KeyKind::Symmetric) {
        return keys;
    }
    keys.into_iter()
        .filter(|k| {
            let symmetric = k.kind() == KeyKind::Symmetric;
            if symmetric {
                dropped.push(DroppedKey {
                    kid: k.kid().map(str::to_owned),
                    reason: "is a symmetric key in a set with public keys".into(),
                });
            }
            !symmetric
        })
        .collect()
}
