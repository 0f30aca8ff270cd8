//! Signing compact JWS tokens with a local key.
//!
//! Used to mint impersonation tokens (HS256), by the demo's local OpenID key, and by tests that need
//! tokens an attacker could not forge. All cryptography is aws-lc-rs.

use super::{b64, Algorithm};
use crate::error::{err, ErrorCode, Result};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use aws_lc_rs::{hmac, rsa};
use serde_json::{json, Value};
use std::fmt;

/// A private key (or HMAC secret) bound to one algorithm, with an optional `kid`.
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<String>,
    material: Material,
}

enum Material {
    Hmac(Box<hmac::Key>),
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

impl fmt::Debug for SigningKey {
    /// Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn key_error(what: &str) -> crate::error::Error {
    err(ErrorCode::InvalidKey, what)
}

impl SigningKey {
    /// An HMAC key for `HS256`/`HS384`/`HS512`.
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Result<SigningKey> {
        let digest = match alg {
            Algorithm::HS256 => hmac::HMAC_SHA256,
            Algorithm::HS384 => hmac::HMAC_SHA384,
            Algorithm::HS512 => hmac::HMAC_SHA512,
            _ => return Err(key_error("an hmac key needs an hs* algorithm")),
        };
        if secret.is_empty() {
            return Err(key_error("hmac secret is empty"));
        }
        Ok(SigningKey {
            alg,
            kid: None,
            material: Material::Hmac(Box::new(hmac::Key::new(digest, secret))),
        })
    }

    /// A private key from PKCS#8 DER, for an asymmetric `alg`.
    pub fn from_pkcs8(alg: Algorithm, der: &[u8]) -> Result<SigningKey> {
        let material = match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Material::Rsa(
                RsaKeyPair::from_pkcs8(der).map_err(|_| key_error("not an rsa pkcs#8 key"))?,
            ),
            Algorithm::ES256 | Algorithm::ES384 => Material::Ecdsa(
                EcdsaKeyPair::from_pkcs8(ecdsa_signing(alg), der)
                    .map_err(|_| key_error("not an ec pkcs#8 key for this curve"))?,
            ),
            Algorithm::EdDSA => Material::Ed25519(
                Ed25519KeyPair::from_pkcs8(der).map_err(|_| key_error("not an ed25519 key"))?,
            ),
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
                return Err(key_error("hmac keys are not pkcs#8"))
            }
        };
        Ok(SigningKey {
            alg,
            kid: None,
            material,
        })
    }

    /// Generates a fresh key for an asymmetric `alg` (RSA keys are 2048 bits).
    pub fn generate(alg: Algorithm) -> Result<SigningKey> {
        let der = generate_pkcs8(alg)?;
        SigningKey::from_pkcs8(alg, &der)
    }

    /// Sets the `kid` written into headers and the public JWK.
    pub fn with_kid(mut self, kid: impl Into<String>) -> SigningKey {
        self.kid = Some(kid.into());
        self
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// The `kid`, when set.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The public half as a JWK (with `kid`, `alg` and `use: sig`); `None` for HMAC keys.
    pub fn public_jwk(&self) -> Option<Value> {
        let mut jwk = match &self.material {
            Material::Hmac(_) => return None,
            Material::Rsa(key) => {
                let public = key.public_key();
                json!({
                    "kty": "RSA",
                    "n": b64::encode(public.modulus().big_endian_without_leading_zero()),
                    "e": b64::encode(public.exponent().big_endian_without_leading_zero()),
                })
            }
            Material::Ecdsa(key) => {
                let point = key.public_key().as_ref();
                let half = point.len().saturating_sub(1) / 2;
                let x = point.get(1..1 + half).unwrap_or_default();
                let y = point.get(1 + half..).unwrap_or_default();
                let crv = if self.alg == Algorithm::ES384 {
                    "P-384"
                } else {
                    "P-256"
                };
                json!({"kty": "EC", "crv": crv, "x": b64::encode(x), "y": b64::encode(y)})
            }
            Material::Ed25519(key) => json!({
                "kty": "OKP",
                "crv": "Ed25519",
                "x": b64::encode(key.public_key().as_ref()),
            }),
        };
        if let Value::Object(members) = &mut jwk {
            if let Some(kid) = &self.kid {
                members.insert("kid".into(), Value::String(kid.clone()));
            }
            members.insert("alg".into(), Value::String(self.alg.as_str().into()));
            members.insert("use".into(), Value::String("sig".into()));
        }
        Some(jwk)
    }

    /// Signs `claims` under the header `{"alg", "typ": "JWT", "kid"?}`.
    pub fn sign_claims(&self, claims: &Value) -> Result<String> {
        self.sign_parts(
            &jwt_header(self.alg, self.kid.as_deref())?,
            &to_bytes(claims)?,
        )
    }

    /// Signs an arbitrary header and payload, byte for byte as given (tests use this to build
    /// tokens with odd headers).
    pub fn sign_parts(&self, header_json: &[u8], payload: &[u8]) -> Result<String> {
        let signing_input = format!("{}.{}", b64::encode(header_json), b64::encode(payload));
        let signature = self.sign_bytes(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", b64::encode(signature)))
    }

    /// The raw JWS signature over `message`.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        match &self.material {
            Material::Hmac(key) => Ok(hmac::sign(key, message).as_ref().to_vec()),
            Material::Rsa(key) => {
                let mut signature = vec![0u8; key.public_modulus_len()];
                key.sign(rsa_padding(self.alg), &rng, message, &mut signature)
                    .map_err(|_| key_error("rsa signing failed"))?;
                Ok(signature)
            }
            Material::Ecdsa(key) => key
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| key_error("ecdsa signing failed")),
            Material::Ed25519(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }
}

/// Generates PKCS#8 DER for a fresh private key of `alg`'s kind.
pub fn generate_pkcs8(alg: Algorithm) -> Result<Vec<u8>> {
    let failed = || key_error("key generation failed");
    match alg {
        Algorithm::ES256 | Algorithm::ES384 => {
            EcdsaKeyPair::generate_pkcs8(ecdsa_signing(alg), &SystemRandom::new())
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| failed())
        }
        Algorithm::EdDSA => Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map(|d| d.as_ref().to_vec())
            .map_err(|_| failed()),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            Err(key_error("hmac keys are not generated as pkcs#8"))
        }
        _ => {
            let pair = RsaKeyPair::generate(rsa::KeySize::Rsa2048).map_err(|_| failed())?;
            pair.as_der()
                .map(|d| d.as_ref().to_vec())
                .map_err(|_| failed())
        }
    }
}

fn ecdsa_signing(alg: Algorithm) -> &'static signature::EcdsaSigningAlgorithm {
    if alg == Algorithm::ES384 {
        &signature::ECDSA_P384_SHA384_FIXED_SIGNING
    } else {
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING
    }
}

fn rsa_padding(alg: Algorithm) -> &'static dyn signature::RsaEncoding {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_SHA512,
        _ => &signature::RSA_PKCS1_SHA256,
    }
}

fn to_bytes(value: &Value) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|_| err(ErrorCode::InvalidClaim, "claims do not serialise"))
}

/// The header [`SigningKey::sign_claims`] writes, as JSON bytes: `{"alg", "typ": "JWT", "kid"?}`.
pub(crate) fn jwt_header(alg: Algorithm, kid: Option<&str>) -> Result<Vec<u8>> {
    let mut header = json!({"alg": alg.as_str(), "typ": "JWT"});
    if let (Some(kid), Value::Object(members)) = (kid, &mut header) {
        members.insert("kid".into(), Value::String(kid.to_owned()));
    }
    to_bytes(&header)
}
