//! One JWK turned into ready-to-use verifiers, parsed once when the set loads.

use crate::jose::KeyKind;
use crate::jose::{b64, Algorithm};
use crate::text::clip;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaPublicKeyComponents};
use aws_lc_rs::{digest, hmac};
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, KeyOperations, PublicKeyUse,
};
use serde_json::Value;

/// Smallest RSA modulus accepted, in bits (NIST SP 800-131A; 1024-bit keys are factorable).
pub const MIN_RSA_BITS: usize = 2048;

/// A key from a set, with one pre-parsed verifier per algorithm it may be used with.
pub struct VerifyingKey {
    kid: Option<String>,
    kind: KeyKind,
    verifiers: Vec<(Algorithm, Verifier)>,
    fingerprint: [u8; 32],
}

enum Verifier {
    Public(ParsedPublicKey),
    Hmac(Box<hmac::Key>),
}

impl std::fmt::Debug for VerifyingKey {
    /// Never prints key material (symmetric keys are secrets).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let algs: Vec<&str> = self.verifiers.iter().map(|(a, _)| a.as_str()).collect();
        f.debug_struct("VerifyingKey")
            .field("kid", &self.kid)
            .field("kind", &self.kind)
            .field("algorithms", &algs)
            .finish()
    }
}

/// Which keys a set may hold, and for which algorithms verifiers are prepared.
#[derive(Debug, Clone)]
pub struct KeyPolicy {
    /// Algorithms to prepare verifiers for (normally the validator's allowlist).
    pub algorithms: Vec<Algorithm>,
    /// Whether `kty: oct` keys may stay in the set (never for OIDC).
    pub allow_symmetric: bool,
}

impl VerifyingKey {
    /// The key's `kid`.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The key's identity: SHA-256 over its type and its decoded, length-prefixed material. Two
    /// keys share it only if they are the same key, whatever their `kid`s, so a verdict bound to
    /// it cannot outlive a replacement of the key under the same `kid`.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    /// Algorithms this key can verify under the policy it was loaded with.
    pub fn algorithms(&self) -> impl Iterator<Item = Algorithm> + '_ {
        self.verifiers.iter().map(|(a, _)| *a)
    }

    /// Whether this key may verify `alg`.
    pub fn supports(&self, alg: Algorithm) -> bool {
        self.verifiers.iter().any(|(a, _)| *a == alg)
    }

    /// Checks `signature` over `message` with the verifier for `alg`; false when the key does not
    /// support `alg` or the signature is wrong. HMAC comparison is constant-time (aws-lc-rs).
    pub fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        let Some((_, verifier)) = self.verifiers.iter().find(|(a, _)| *a == alg) else {
            return false;
        };
        match verifier {
            Verifier::Public(key) => key.verify_sig(message, signature).is_ok(),
            Verifier::Hmac(key) => hmac::verify(key, message, signature).is_ok(),
        }
    }

    /// Builds the verifiers for one JWK. `Err` carries the reason the key is unusable.
    pub fn from_jwk_value(value: &Value, policy: &KeyPolicy) -> Result<VerifyingKey, String> {
        check_no_private_members(value)?;
        let jwk: Jwk =
            serde_json::from_value(value.clone()).map_err(|_| "is not a valid jwk".to_string())?;
        let kid = jwk.common.key_id.clone();
        check_use(&jwk)?;
        let kind = key_kind(&jwk)?;
        if kind == KeyKind::Symmetric && !policy.allow_symmetric {
            return Err(
                "is a symmetric key (its `k` is a shared secret), which an oidc key set must not hold"
                    .into(),
            );
        }
        let pinned = match jwk.common.key_algorithm {
            None => None,
            Some(KeyAlgorithm::UNKNOWN_ALGORITHM) => {
                return Err("names an algorithm this library does not support".into())
            }
            Some(alg) => Some(
                Algorithm::from_name(&alg.to_string())
                    .filter(|a| a.key_kind() == kind)
                    .ok_or_else(|| format!("has `alg` {alg} that does not fit its key type"))?,
            ),
        };
        let mut verifiers = Vec::new();
        let mut first_error = None;
        for alg in policy.algorithms.iter().copied() {
            if alg.key_kind() != kind || pinned.is_some_and(|p| p != alg) {
                continue;
            }
            // A key may be fine for one algorithm and not another (an HMAC key long enough for
            // HS256 but not HS512): keep the algorithms it serves.
            match build_verifier(&jwk.algorithm, alg) {
                Ok(verifier) => verifiers.push((alg, verifier)),
                Err(reason) => first_error = first_error.or(Some(reason)),
            }
        }
        if let (true, Some(reason)) = (verifiers.is_empty(), first_error) {
            return Err(reason);
        }
        if verifiers.is_empty() {
            // Still validate the material so a broken key is reported as such.
            let probe = pinned.unwrap_or(default_alg(kind));
            build_verifier(&jwk.algorithm, probe)?;
        }
        Ok(VerifyingKey {
            kid,
            kind,
            verifiers,
            fingerprint: fingerprint(kind, &jwk.algorithm)?,
        })
    }
}

/// SHA-256 over the key kind and each piece of the key's material, decoded and length-prefixed so
/// that no two different keys encode alike: RSA `n` and `e`; EC `x` and `y` (the curve is in the
/// kind); OKP `x`; oct `k`. Everything a signature check depends on, nothing it does not (`kid`,
/// `use`, `alg` are checked by key selection instead).
fn fingerprint(kind: KeyKind, params: &AlgorithmParameters) -> Result<[u8; 32], String> {
    let parts = match params {
        AlgorithmParameters::RSA(rsa) => vec![field(&rsa.n, "n")?, field(&rsa.e, "e")?],
        AlgorithmParameters::EllipticCurve(ec) => vec![field(&ec.x, "x")?, field(&ec.y, "y")?],
        AlgorithmParameters::OctetKeyPair(okp) => vec![field(&okp.x, "x")?],
        AlgorithmParameters::OctetKey(oct) => vec![field(&oct.value, "k")?],
        _ => return Err("has an unsupported key type".into()),
    };
    let mut context = digest::Context::new(&digest::SHA256);
    let label: &[u8] = match kind {
        KeyKind::Rsa => b"RSA",
        KeyKind::EcP256 => b"EC P-256",
        KeyKind::EcP384 => b"EC P-384",
        KeyKind::Ed25519 => b"OKP Ed25519",
        KeyKind::Symmetric => b"oct",
    };
    context.update(label);
    for part in &parts {
        // A key part is far below 4 GiB (the set's body is capped); saturate rather than wrap.
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        context.update(&len.to_be_bytes());
        context.update(part);
    }
    <[u8; 32]>::try_from(context.finish().as_ref())
        .map_err(|_| "has material that could not be fingerprinted".to_string())
}

fn default_alg(kind: KeyKind) -> Algorithm {
    match kind {
        KeyKind::Rsa => Algorithm::RS256,
        KeyKind::EcP256 => Algorithm::ES256,
        KeyKind::EcP384 => Algorithm::ES384,
        KeyKind::Ed25519 => Algorithm::EdDSA,
        KeyKind::Symmetric => Algorithm::HS256,
    }
}

/// Members that only a private key has (RFC 7518 §6.2.2 for RSA, §6.3.2 for EC, RFC 8037 §2 for
/// OKP). A key set is public: a key that carries any of them was published by mistake and must be
/// treated as compromised, not used.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn check_no_private_members(value: &Value) -> Result<(), String> {
    let Some(object) = value.as_object() else {
        return Ok(());
    };
    let present: Vec<String> = PRIVATE_MEMBERS
        .iter()
        .filter(|m| object.contains_key(**m))
        .map(|m| format!("`{m}`"))
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    Err(format!(
        "carries private key material ({}): a published private key is compromised",
        present.join(", ")
    ))
}

/// Smallest RSA public exponent accepted.
pub const MIN_RSA_EXPONENT: u64 = 3;

/// Most bits an RSA public exponent may have: the bound aws-lc enforces on every signature check,
/// applied at load so such a key is reported rather than failing each token it signed.
pub const MAX_RSA_EXPONENT_BITS: usize = 33;

/// An RSA `e` must be odd (else it shares a factor with φ(n) and is no RSA key), at least 3 (with
/// `e = 1` a signature is the padded digest itself, so anyone can forge one) and of sane size.
fn check_rsa_exponent(e: &[u8]) -> Result<(), String> {
    let bits = modulus_bits(e);
    if bits > MAX_RSA_EXPONENT_BITS {
        return Err(format!(
            "has a {bits}-bit rsa exponent `e`, over {MAX_RSA_EXPONENT_BITS} bits"
        ));
    }
    // At most 33 bits from here, so the value fits a u64.
    let value = e
        .iter()
        .fold(0u64, |acc, b| acc.wrapping_shl(8) | u64::from(*b));
    if value < MIN_RSA_EXPONENT {
        return Err(format!(
            "has rsa exponent `e` = {value}, under {MIN_RSA_EXPONENT}"
        ));
    }
    if value % 2 == 0 {
        return Err(format!("has an even rsa exponent `e` = {value}"));
    }
    Ok(())
}

fn check_use(jwk: &Jwk) -> Result<(), String> {
    match &jwk.common.public_key_use {
        None | Some(PublicKeyUse::Signature) => {}
        Some(PublicKeyUse::Encryption) => return Err("has `use` enc, not sig".into()),
        Some(PublicKeyUse::Other(u)) => return Err(format!("has `use` `{}`, not sig", clip(u))),
    }
    if let Some(ops) = &jwk.common.key_operations {
        if !ops.contains(&KeyOperations::Verify) {
            return Err("has `key_ops` without verify".into());
        }
    }
    Ok(())
}

fn key_kind(jwk: &Jwk) -> Result<KeyKind, String> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Ok(KeyKind::Rsa),
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Ok(KeyKind::EcP256),
            EllipticCurve::P384 => Ok(KeyKind::EcP384),
            _ => Err("uses an unsupported elliptic curve".into()),
        },
        AlgorithmParameters::OctetKeyPair(okp) => match okp.curve {
            EllipticCurve::Ed25519 => Ok(KeyKind::Ed25519),
            _ => Err("uses an unsupported okp curve".into()),
        },
        AlgorithmParameters::OctetKey(_) => Ok(KeyKind::Symmetric),
        _ => Err("has an unsupported key type".into()),
    }
}

fn field(value: &str, name: &str) -> Result<Vec<u8>, String> {
    b64::decode(value).ok_or_else(|| format!("has `{name}` that is not strict base64url"))
}

fn build_verifier(params: &AlgorithmParameters, alg: Algorithm) -> Result<Verifier, String> {
    let parsed = |alg: &'static dyn signature::VerificationAlgorithm, bytes: &[u8]| {
        ParsedPublicKey::new(alg, bytes)
            .map(Verifier::Public)
            .map_err(|_| "holds key material that does not parse".to_string())
    };
    match params {
        AlgorithmParameters::RSA(rsa) => {
            let n = field(&rsa.n, "n")?;
            let e = field(&rsa.e, "e")?;
            check_rsa_exponent(&e)?;
            let bits = modulus_bits(&n);
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "is a {bits}-bit rsa key, under {MIN_RSA_BITS} bits"
                ));
            }
            RsaPublicKeyComponents { n: &n, e: &e }
                .to_parsed_public_key(rsa_params(alg))
                .map(Verifier::Public)
                .map_err(|_| "holds rsa material that does not parse".to_string())
        }
        AlgorithmParameters::EllipticCurve(ec) => {
            let (x, y) = (field(&ec.x, "x")?, field(&ec.y, "y")?);
            let (size, verifier): (usize, &'static dyn signature::VerificationAlgorithm) =
                if alg == Algorithm::ES384 {
                    (48, &signature::ECDSA_P384_SHA384_FIXED)
                } else {
                    (32, &signature::ECDSA_P256_SHA256_FIXED)
                };
            if x.len() != size || y.len() != size {
                return Err("has ec coordinates of the wrong length".into());
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            parsed(verifier, &point)
        }
        AlgorithmParameters::OctetKeyPair(okp) => {
            let x = field(&okp.x, "x")?;
            if x.len() != 32 {
                return Err("has an ed25519 key of the wrong length".into());
            }
            parsed(&signature::ED25519, &x)
        }
        AlgorithmParameters::OctetKey(oct) => {
            let k = field(&oct.value, "k")?;
            if k.is_empty() {
                return Err("has an empty symmetric key".into());
            }
            let (digest, min_len) = match alg {
                Algorithm::HS384 => (hmac::HMAC_SHA384, 48),
                Algorithm::HS512 => (hmac::HMAC_SHA512, 64),
                _ => (hmac::HMAC_SHA256, 32),
            };
            // RFC 7518 §3.2: the key must be at least as long as the hash output.
            if k.len() < min_len {
                return Err(format!("is a symmetric key too short for {alg}"));
            }
            Ok(Verifier::Hmac(Box::new(hmac::Key::new(digest, &k))))
        }
        _ => Err("has an unsupported key type".into()),
    }
}

fn rsa_params(alg: Algorithm) -> &'static signature::RsaParameters {
    match alg {
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => &signature::RSA_PKCS1_2048_8192_SHA256,
    }
}

/// Bit length of a big-endian unsigned integer.
fn modulus_bits(n: &[u8]) -> usize {
    let significant: Vec<&u8> = n.iter().skip_while(|b| **b == 0).collect();
    match significant.first() {
        None => 0,
        Some(first) => (significant.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::jose::SigningKey;
    use serde_json::json;

    fn policy(allow_symmetric: bool) -> KeyPolicy {
        KeyPolicy {
            algorithms: Algorithm::ALL.to_vec(),
            allow_symmetric,
        }
    }

    fn public_jwk(alg: Algorithm) -> Value {
        let key = SigningKey::generate(alg).unwrap_or_else(|e| unreachable!("{e}"));
        key.public_jwk()
            .unwrap_or_else(|| unreachable!("asymmetric"))
    }

    /// `jwk` with member `name` set to `value`.
    fn with(mut jwk: Value, name: &str, value: Value) -> Value {
        if let Some(object) = jwk.as_object_mut() {
            object.insert(name.to_owned(), value);
        }
        jwk
    }

    fn load(jwk: &Value, allow_symmetric: bool) -> Result<VerifyingKey, String> {
        VerifyingKey::from_jwk_value(jwk, &policy(allow_symmetric))
    }

    #[test]
    fn a_key_carrying_private_members_is_refused_whatever_its_type() {
        for alg in [
            Algorithm::RS256,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ] {
            let jwk = public_jwk(alg);
            assert!(load(&jwk, false).is_ok(), "{alg}");
            for member in PRIVATE_MEMBERS {
                let leaked = with(jwk.clone(), member, json!("AQAB"));
                let reason = load(&leaked, false).err().unwrap_or_default();
                assert!(
                    reason.contains(&format!("private key material (`{member}`)")),
                    "{alg} {member}: {reason}"
                );
            }
        }
        // Whatever else is wrong with the key, the leak is what is reported.
        let enc = with(public_jwk(Algorithm::ES256), "use", json!("enc"));
        let enc = with(with(enc, "d", json!("AQAB")), "qi", json!(null));
        let reason = load(&enc, false).err().unwrap_or_default();
        assert!(reason.contains("(`d`, `qi`)"), "{reason}");
    }

    #[test]
    fn a_symmetric_key_is_a_secret_only_a_symmetric_policy_may_hold() {
        let oct = json!({"kty": "oct", "k": b64::encode([7u8; 32])});
        let reason = load(&oct, false).err().unwrap_or_default();
        assert!(reason.contains("`k` is a shared secret"), "{reason}");
        assert!(load(&oct, true).is_ok());
    }

    fn rsa_with_exponent(e: &[u8]) -> Value {
        with(public_jwk(Algorithm::RS256), "e", json!(b64::encode(e)))
    }

    #[test]
    fn rsa_exponents_must_be_odd_at_least_three_and_at_most_33_bits() {
        let kept = |e: &[u8]| load(&rsa_with_exponent(e), false).map(|_| ());
        let reason = |e: &[u8]| kept(e).err().unwrap_or_default();
        // The exponent is not checked against the key here (the public half is all there is), so
        // any valid value loads: these are the limits, not this key's own exponent.
        for ok in [
            &[3u8][..],
            &[1, 0, 1],
            &[1, 0, 0, 0, 1],
            &[1, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert_eq!(kept(ok), Ok(()), "{ok:?}");
        }
        assert!(reason(&[]).contains("`e` = 0, under 3"));
        assert!(reason(&[1]).contains("`e` = 1, under 3"));
        assert!(reason(&[2]).contains("`e` = 2, under 3"));
        assert!(reason(&[4]).contains("even rsa exponent `e` = 4"));
        assert!(reason(&[1, 0, 0]).contains("even rsa exponent `e` = 65536"));
        assert!(reason(&[2, 0, 0, 0, 1]).contains("34-bit rsa exponent `e`, over 33 bits"));
        assert!(reason(&[0xff; 64]).contains("512-bit"));
        // A leading zero byte is not the minimal encoding aws-lc requires.
        assert!(reason(&[0, 1, 0, 1]).contains("does not parse"));
    }

    #[test]
    fn the_fingerprint_is_the_key_material_whatever_the_kid() {
        let fingerprint = |jwk: &Value| load(jwk, true).map(|k| *k.fingerprint()).ok();
        for alg in [Algorithm::RS256, Algorithm::ES384, Algorithm::EdDSA] {
            let jwk = public_jwk(alg);
            let same = fingerprint(&jwk);
            assert!(same.is_some(), "{alg}");
            assert_eq!(fingerprint(&jwk), same, "{alg}: stable across loads");
            let renamed = with(jwk.clone(), "kid", json!("another-kid"));
            assert_eq!(fingerprint(&renamed), same, "{alg}: the kid is not the key");
            assert_ne!(fingerprint(&public_jwk(alg)), same, "{alg}: another key");
        }
        let oct = |k: &[u8]| json!({"kty": "oct", "k": b64::encode(k)});
        assert_ne!(fingerprint(&oct(&[1; 32])), fingerprint(&oct(&[2; 32])));
        // The same bytes as different kinds of key are different keys.
        let okp = public_jwk(Algorithm::EdDSA);
        let x = okp.get("x").cloned().unwrap_or_default();
        assert_ne!(
            fingerprint(&json!({"kty": "oct", "k": x})),
            fingerprint(&okp)
        );
    }

    #[test]
    fn counts_modulus_bits() {
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[1]), 1);
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
    }
}
