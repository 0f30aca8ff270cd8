#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Generates the shared test data read by the Rust, Python and Node suites:
//!
//! - `testdata/keys/keys.json`: signing keys (PKCS#8, base64url) and their public JWKs. Written only
//!   when it does not exist yet, so keys stay stable across runs.
//! - `testdata/vectors/attacks.json`: attack vectors for the OIDC validator, rebuilt from
//!   `keys.json` on every run.
//!
//! Run with `cargo run -p incidentfox-auth --example gen_testdata`.

use incidentfox_auth::jose::b64;
use incidentfox_auth::jose::generate_pkcs8;
use incidentfox_auth::{Algorithm, SigningKey};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// The fixed clock of every vector.
const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "https://idp.incidentfox.test";
const AUDIENCE: &str = "incidentfox-config-service";

/// The public half of a 1024-bit RSA key (e = 65537), generated once for this corpus with Python
/// `cryptography` 48 (`rsa.generate_private_key(65537, 1024)`); the private half was kept only long
/// enough to sign [`WEAK_RSA_TOKEN`]. aws-lc-rs refuses to generate or sign with RSA keys under
/// 2048 bits, hence the hard-coded values.
const WEAK_RSA_N: &str = "yixTd5erOFAT5D8AwBsr47fJInfc0PINIpeckqSjfR7OxBZz2Gr9eLfrDCddET5jb9jyRFz7IqDF9zkHyzCM9QiJW-ZWewYJLEd4RiMe8J2v6QJeKFQS2XzYexuEVxukIedQFz_A8d88u0zhf12BYP0gI8m2pEW9lbmkGKcU-js";
const WEAK_RSA_E: &str = "AQAB";

/// An RS256 token with `kid` `weak-rsa`, really signed by the 1024-bit key above (header
/// `{"alg":"RS256","typ":"JWT","kid":"weak-rsa"}`, otherwise valid claims at [`NOW`]).
const WEAK_RSA_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IndlYWstcnNhIn0.eyJpc3MiOiJodHRwczovL2lkcC5pbmNpZGVudGZveC50ZXN0IiwiYXVkIjoiaW5jaWRlbnRmb3gtY29uZmlnLXNlcnZpY2UiLCJzdWIiOiJ1c2VyLTEyMyIsImdyb3VwcyI6WyJzcmUiXSwiaWF0IjoxNjk5OTk5OTQwLCJleHAiOjE3MDAwMDM2MDB9.OHEOvBjac8NdyksAerPpa9ZnNKmSHRMBbbkUwW8-riR4yknDMhbR006uCog1bnk83EwFGWytw_5_7gfbBgIZSETg5S6po98Wii4rKNe6jm-mmTZtzWF5fO4aG0x-aJnPOFOL6s-8vIyW1Yr5DaYOc1ksMXtwE9ZkVB8aW_jKa2Y";

/// The secret of the `hmac-key` entry (a symmetric key that must never be in an OIDC set).
const HMAC_SECRET: &[u8] = b"incidentfox-shared-hmac-secret-do-not-use";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ has a parent")
        .join("testdata")
}

// ---------------------------------------------------------------------------------------------
// keys.json

/// `(name, alg, kid)` of every generated key.
const KEY_SPECS: [(&str, Algorithm, &str); 5] = [
    ("rs256", Algorithm::RS256, "rs256-1"),
    ("rs256_rotated", Algorithm::RS256, "rs256-2"),
    ("es256", Algorithm::ES256, "es256-1"),
    ("es384", Algorithm::ES384, "es384-1"),
    ("eddsa", Algorithm::EdDSA, "eddsa-1"),
];

fn generate_keys() -> Value {
    let mut doc = Map::new();
    for (name, alg, kid) in KEY_SPECS {
        let der = generate_pkcs8(alg).expect("key generation");
        let key = SigningKey::from_pkcs8(alg, &der)
            .expect("generated key loads")
            .with_kid(kid);
        doc.insert(
            name.into(),
            json!({
                "alg": alg.as_str(),
                "kid": kid,
                "pkcs8_b64": b64::encode(&der),
                "public_jwk": key.public_jwk().expect("asymmetric key has a public jwk"),
            }),
        );
    }
    doc.insert(
        "rsa1024_public_jwk".into(),
        json!({
            "kty": "RSA",
            "kid": "weak-rsa",
            "alg": "RS256",
            "use": "sig",
            "n": WEAK_RSA_N,
            "e": WEAK_RSA_E,
        }),
    );
    Value::Object(doc)
}

/// A loaded signing key and its public JWK.
struct Key {
    signer: SigningKey,
    jwk: Value,
    kid: String,
    pkcs8: Vec<u8>,
}

fn load_key(keys: &Value, name: &str) -> Key {
    let entry = &keys[name];
    let alg = Algorithm::from_name(entry["alg"].as_str().expect("alg")).expect("known alg");
    let kid = entry["kid"].as_str().expect("kid").to_owned();
    let der = b64::decode(entry["pkcs8_b64"].as_str().expect("pkcs8_b64")).expect("base64url");
    let signer = SigningKey::from_pkcs8(alg, &der)
        .expect("pkcs8 loads")
        .with_kid(kid.clone());
    let jwk = entry["public_jwk"].clone();
    assert_eq!(
        signer.public_jwk().as_ref(),
        Some(&jwk),
        "{name}: stored public_jwk does not match the private key"
    );
    Key {
        signer,
        jwk,
        kid,
        pkcs8: der,
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers

/// Standard (padded, `+/`) base64, built from the library's base64url encoder.
fn std_b64(bytes: &[u8]) -> String {
    let mut s = b64::encode(bytes).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

fn der_tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
    out
}

fn der_uint(be: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut body = Vec::new();
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(&trimmed);
    der_tlv(0x02, &body)
}

/// PKCS#1 `RSAPublicKey` DER of an RSA public JWK.
fn rsa_pkcs1_der(jwk: &Value) -> Vec<u8> {
    let n = b64::decode(jwk["n"].as_str().expect("n")).expect("n b64");
    let e = b64::decode(jwk["e"].as_str().expect("e")).expect("e b64");
    der_tlv(0x30, &[der_uint(&n), der_uint(&e)].concat())
}

/// SubjectPublicKeyInfo DER of an RSA public JWK.
fn rsa_spki_der(jwk: &Value) -> Vec<u8> {
    // AlgorithmIdentifier { rsaEncryption, NULL }
    let alg_id: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bit_string = vec![0u8];
    bit_string.extend(rsa_pkcs1_der(jwk));
    der_tlv(
        0x30,
        &[alg_id.to_vec(), der_tlv(0x03, &bit_string)].concat(),
    )
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = std_b64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// DER `ECDSA-Sig-Value` of a fixed-width `r || s` signature.
fn ecdsa_der(fixed: &[u8]) -> Vec<u8> {
    let (r, s) = fixed.split_at(fixed.len() / 2);
    der_tlv(0x30, &[der_uint(r), der_uint(s)].concat())
}

/// One DER TLV of `tag` at the start of `input`: its body and what follows it.
fn der_read(tag: u8, input: &[u8]) -> (&[u8], &[u8]) {
    assert_eq!(input[0], tag, "unexpected DER tag");
    let (len, start) = match input[1] {
        short if short < 0x80 => (short as usize, 2),
        long => {
            let count = (long & 0x7f) as usize;
            let len = input[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| acc << 8 | *b as usize);
            (len, 2 + count)
        }
    };
    (&input[start..start + len], &input[start + len..])
}

/// The private members of an RSA key (`d`, `p`, `q`, `dp`, `dq`, `qi`) as JWK base64url, read
/// from its PKCS#8 `RSAPrivateKey` (RFC 8017 A.1.2).
fn rsa_private_members(pkcs8: &[u8]) -> Value {
    let (info, _) = der_read(0x30, pkcs8);
    let (_, rest) = der_read(0x02, info); // version
    let (_, rest) = der_read(0x30, rest); // algorithm identifier
    let (private, _) = der_read(0x04, rest);
    let (mut fields, _) = der_read(0x30, private);
    let mut ints = Vec::new();
    while !fields.is_empty() {
        let (int, rest) = der_read(0x02, fields);
        ints.push(b64::encode(
            int.iter()
                .copied()
                .skip_while(|b| *b == 0)
                .collect::<Vec<u8>>(),
        ));
        fields = rest;
    }
    // version, n, e, d, p, q, dp, dq, qi
    assert_eq!(ints.len(), 9, "RSAPrivateKey has nine integers");
    json!({"d": ints[3], "p": ints[4], "q": ints[5], "dp": ints[6], "dq": ints[7], "qi": ints[8]})
}

/// The private scalar `d` of a P-256 key, as JWK base64url.
fn ec_private_d(pkcs8: &[u8]) -> String {
    use aws_lc_rs::encoding::AsBigEndian;
    let pair = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8,
    )
    .expect("p-256 pkcs8");
    let d = pair.private_key().as_be_bytes().expect("private scalar");
    b64::encode(d.as_ref())
}

/// The private seed `d` of an Ed25519 key, as JWK base64url.
fn okp_private_d(pkcs8: &[u8]) -> String {
    use aws_lc_rs::encoding::AsBigEndian;
    let pair = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(pkcs8).expect("ed25519 pkcs8");
    let seed = pair.seed().expect("seed");
    let bytes = seed.as_be_bytes().expect("seed bytes");
    b64::encode(bytes.as_ref())
}

/// An RS256 "signature" that verifies under `e = 1`: the EMSA-PKCS1-v1_5 encoding of the
/// signing input's SHA-256 (RFC 8017 §9.2) itself, since `s^1 mod n = s`. Anyone can compute it.
fn forged_for_exponent_one(signing_input: &str, modulus_len: usize) -> Vec<u8> {
    const SHA256_DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, signing_input.as_bytes());
    let t = [&SHA256_DIGEST_INFO[..], hash.as_ref()].concat();
    let mut em = vec![0x00, 0x01];
    em.resize(modulus_len - t.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&t);
    em
}

fn parts(token: &str) -> (String, String, String) {
    let mut it = token.split('.');
    let h = it.next().expect("header").to_owned();
    let p = it.next().expect("payload").to_owned();
    let s = it.next().expect("signature").to_owned();
    assert!(it.next().is_none());
    (h, p, s)
}

fn join(h: &str, p: &str, s: &str) -> String {
    format!("{h}.{p}.{s}")
}

/// Appends the `=` padding a padded encoder would write (at least one `=`).
fn pad(part: &str) -> String {
    let n = (4 - part.len() % 4) % 4;
    assert!(
        n > 0,
        "part length is a multiple of 4; padding would be empty"
    );
    format!("{part}{}", "=".repeat(n))
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Sets a trailing bit of the last character: same decoded bytes to a lenient decoder, but not
/// the canonical encoding.
fn non_canonical(part: &str) -> String {
    let unused_bits = match part.len() % 4 {
        2 => 4,
        3 => 2,
        _ => panic!("part has no trailing bits"),
    };
    let last = *part.as_bytes().last().expect("non-empty");
    let index = B64URL
        .iter()
        .position(|c| *c == last)
        .expect("base64url char");
    assert_eq!(index & ((1 << unused_bits) - 1), 0, "already non-canonical");
    let changed = B64URL[index | 1] as char;
    format!("{}{changed}", &part[..part.len() - 1])
}

// ---------------------------------------------------------------------------------------------
// Claims and headers

fn base_claims() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-123",
        "email": "alice@incidentfox.test",
        "groups": ["sre", "incident-commanders"],
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "exp": NOW + 3600,
        "jti": "6f1c0b52-attack-vectors",
    }) else {
        unreachable!()
    };
    map
}

/// Base claims with `edit` applied, serialised.
fn claims_with(edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
    let mut map = base_claims();
    edit(&mut map);
    serde_json::to_vec(&Value::Object(map)).expect("serialise")
}

fn claims() -> Vec<u8> {
    claims_with(|_| {})
}

fn header(alg: &str, kid: &str) -> Vec<u8> {
    format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{kid}"}}"#).into_bytes()
}

/// A header with extra members (given as the JSON text after `kid`).
fn header_extra(alg: &str, kid: &str, extra: &str) -> Vec<u8> {
    format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{kid}",{extra}}}"#).into_bytes()
}

fn sign(key: &SigningKey, header: &[u8], payload: &[u8]) -> String {
    key.sign_parts(header, payload).expect("sign")
}

/// A token signed by `key` with its own alg and kid.
fn signed(key: &Key, payload: &[u8]) -> String {
    let alg = key.signer.algorithm().as_str();
    sign(&key.signer, &header(alg, &key.kid), payload)
}

fn hs256(secret: &[u8], header: &[u8], payload: &[u8]) -> String {
    let key = SigningKey::hmac(Algorithm::HS256, secret).expect("hmac key");
    sign(&key, header, payload)
}

fn nested_objects(levels: usize) -> Value {
    let mut value = json!({});
    for _ in 1..levels {
        value = json!({ "a": value });
    }
    value
}

fn nested_arrays(levels: usize) -> Value {
    let mut value = json!([]);
    for _ in 1..levels {
        value = json!([value]);
    }
    value
}

// ---------------------------------------------------------------------------------------------
// Cases

#[derive(Default)]
struct Cases(Vec<Value>);

impl Cases {
    fn push(&mut self, name: &str, description: &str, token: String, expect: Value) {
        self.push_with(name, description, token, expect, None, None);
    }

    fn push_with(
        &mut self,
        name: &str,
        description: &str,
        token: String,
        expect: Value,
        overrides: Option<Value>,
        now: Option<i64>,
    ) {
        assert!(
            self.0.iter().all(|c| c["name"] != name),
            "duplicate case name {name}"
        );
        let mut case = json!({
            "name": name,
            "description": description,
            "token": token,
            "expect": expect,
        });
        if let Some(o) = overrides {
            case["validator_overrides"] = o;
        }
        if let Some(now) = now {
            case["now"] = json!(now);
        }
        self.0.push(case);
    }
}

fn bad(code: &str) -> Value {
    json!({"valid": false, "code": code})
}

fn ok(subject: &str, groups: &[&str]) -> Value {
    json!({"valid": true, "subject": subject, "groups": groups})
}

struct Keys {
    rs: Key,
    rotated: Key,
    es: Key,
    es384: Key,
    ed: Key,
}

fn build_jwks(k: &Keys, keys_doc: &Value) -> Value {
    let with = |jwk: &Value, members: Value| {
        let mut jwk = jwk.clone();
        for (name, value) in members.as_object().expect("object") {
            jwk[name] = value.clone();
        }
        jwk
    };
    let rotated_bare = json!({
        "kty": "RSA",
        "n": k.rotated.jwk["n"],
        "e": k.rotated.jwk["e"],
    });
    json!({"keys": [
        k.rs.jwk,
        k.es.jwk,
        k.ed.jwk,
        keys_doc["rsa1024_public_jwk"],
        {"kty": "oct", "kid": "hmac-key", "alg": "HS256", "k": b64::encode(HMAC_SECRET)},
        with(&rotated_bare, json!({"kid": "enc-key", "use": "enc", "alg": "RS256"})),
        with(&rotated_bare, json!({"kid": "rs384-pinned", "use": "sig", "alg": "RS384"})),
        with(&rotated_bare, json!({"kid": "ops-encrypt", "key_ops": ["encrypt"]})),
        with(&rotated_bare, json!({"kid": "dup-key", "use": "sig", "alg": "RS256"})),
        with(&k.rs.jwk, json!({"kid": "dup-key"})),
        // Public keys published with their private halves: compromised, dropped.
        with(
            &with(&rotated_bare, json!({"kid": "private-rsa", "use": "sig", "alg": "RS256"})),
            rsa_private_members(&k.rotated.pkcs8),
        ),
        with(&k.es.jwk, json!({"kid": "private-ec", "d": ec_private_d(&k.es.pkcs8)})),
        with(&k.ed.jwk, json!({"kid": "private-okp", "d": okp_private_d(&k.ed.pkcs8)})),
        // The rotated key's modulus under exponents no RSA key may have.
        with(&rotated_bare, json!({"kid": "rsa-e-1", "e": "AQ"})),
        with(&rotated_bare, json!({"kid": "rsa-e-even", "e": b64::encode([1u8, 0, 0])})),
        with(&rotated_bare, json!({"kid": "rsa-e-huge", "e": b64::encode([1u8, 0, 0, 0, 0, 0, 0, 0, 1])})),
    ]})
}

fn build_cases(k: &Keys) -> Vec<Value> {
    let mut c = Cases::default();
    let rs = &k.rs;
    let rs_kid = rs.kid.as_str();
    let valid_rs = signed(rs, &claims());
    let (vh, vp, vs) = parts(&valid_rs);

    // ---- valid tokens --------------------------------------------------------------------
    c.push(
        "valid_rs256",
        "a well-formed RS256 token from the configured issuer",
        valid_rs.clone(),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_es256",
        "a well-formed ES256 token",
        signed(
            &k.es,
            &claims_with(|m| {
                m.insert("sub".into(), json!("user-es256"));
                m.insert("groups".into(), json!(["sre"]));
            }),
        ),
        ok("user-es256", &["sre"]),
    );
    c.push(
        "valid_eddsa_group_string",
        "a well-formed EdDSA token whose groups claim is a single string (one group)",
        signed(
            &k.ed,
            &claims_with(|m| {
                m.insert("sub".into(), json!("user-eddsa"));
                m.insert("groups".into(), json!("oncall"));
            }),
        ),
        ok("user-eddsa", &["oncall"]),
    );
    c.push(
        "valid_no_groups_email_null",
        "groups absent is an empty list; email null counts as absent",
        signed(
            rs,
            &claims_with(|m| {
                m.remove("groups");
                m.insert("email".into(), Value::Null);
            }),
        ),
        ok("user-123", &[]),
    );
    c.push_with(
        "valid_groups_json_pointer",
        "groups read through a JSON pointer (Keycloak realm roles)",
        signed(
            rs,
            &claims_with(|m| {
                m.remove("groups");
                m.insert("realm_access".into(), json!({"roles": ["admin", "viewer"]}));
            }),
        ),
        ok("user-123", &["admin", "viewer"]),
        Some(json!({"groups_claim": "/realm_access/roles"})),
        None,
    );
    c.push_with(
        "valid_missing_kid_when_not_required",
        "with require_kid false, a token without kid uses the single key that fits its alg",
        sign(&rs.signer, br#"{"alg":"RS256","typ":"JWT"}"#, &claims()),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"require_kid": false})),
        None,
    );
    c.push(
        "valid_aud_array_with_one_match",
        "aud array with one configured audience among others",
        signed(
            rs,
            &claims_with(|m| {
                m.insert(
                    "aud".into(),
                    json!(["other-service", AUDIENCE, "third-service"]),
                );
            }),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_exp_within_leeway",
        "exp 29 s in the past is inside the 30 s leeway",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 29))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_fractional_exp_just_inside_leeway",
        "exp = now - leeway + 0.5: fractional NumericDates are not truncated",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW as f64 - 29.5))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_nbf_at_leeway_edge",
        "nbf = now + leeway is accepted (rejected only when nbf > now + leeway)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("nbf".into(), json!(NOW + 30))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push(
        "valid_iat_at_leeway_edge",
        "iat = now + leeway is accepted (rejected only when iat > now + leeway)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW + 30))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );
    c.push_with(
        "valid_typ_case_insensitive",
        "typ AT+JWT matches the allowlist entry at+jwt case-insensitively",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","typ":"AT+JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );
    c.push_with(
        "valid_max_age_at_edge",
        "max_age 300 with leeway 30: iat 330 s ago is still accepted",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW - 330))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"max_age": 300})),
        None,
    );
    c.push_with(
        "valid_token_exactly_at_size_cap",
        "max_token_bytes equal to the token length is accepted",
        valid_rs.clone(),
        ok("user-123", &["sre", "incident-commanders"]),
        Some(json!({"max_token_bytes": valid_rs.len()})),
        None,
    );
    c.push(
        "valid_claims_nested_32_levels",
        "a claim nested so that the payload is exactly 32 levels deep (the cap) is accepted",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_arrays(31))),
        ),
        ok("user-123", &["sre", "incident-commanders"]),
    );

    // ---- alg none ------------------------------------------------------------------------
    for spelling in ["none", "None", "NONE"] {
        let h = b64::encode(format!(
            r#"{{"alg":"{spelling}","typ":"JWT","kid":"{rs_kid}"}}"#
        ));
        c.push(
            &format!("alg_{}_empty_signature", none_name(spelling)),
            &format!(
                "unsecured JWS (alg {spelling}) with an empty signature part: reported as the \
                 algorithm problem it is"
            ),
            format!("{h}.{vp}."),
            bad("algorithm_not_allowed"),
        );
        c.push(
            &format!("alg_{}_with_signature", none_name(spelling)),
            &format!("alg {spelling} carrying the signature of a valid RS256 token"),
            format!("{h}.{vp}.{vs}"),
            bad("algorithm_not_allowed"),
        );
    }

    // ---- HMAC confusion ------------------------------------------------------------------
    let hs_header = header("HS256", rs_kid);
    let jwk_json = serde_json::to_string(&rs.jwk).expect("jwk json");
    let spki = rsa_spki_der(&rs.jwk);
    let pkcs1 = rsa_pkcs1_der(&rs.jwk);
    let secrets: [(&str, &str, Vec<u8>); 5] = [
        (
            "jwk_json",
            "the RSA public key's JWK JSON",
            jwk_json.into_bytes(),
        ),
        (
            "spki_pem",
            "the RSA public key's SPKI PEM",
            pem("PUBLIC KEY", &spki).into_bytes(),
        ),
        ("spki_der", "the RSA public key's SPKI DER", spki.clone()),
        (
            "pkcs1_pem",
            "the RSA public key's PKCS#1 PEM",
            pem("RSA PUBLIC KEY", &pkcs1).into_bytes(),
        ),
        ("pkcs1_der", "the RSA public key's PKCS#1 DER", pkcs1),
    ];
    for (name, what, secret) in secrets {
        c.push(
            &format!("hs256_confusion_{name}"),
            &format!("RS256->HS256 key confusion: HMAC over the token with {what} as secret, kid of the RSA key"),
            hs256(&secret, &hs_header, &claims()),
            bad("algorithm_not_allowed"),
        );
    }
    c.push(
        "hs256_with_hmac_key_in_set",
        "HS256 signed with the secret of the oct key that sits in the set",
        hs256(HMAC_SECRET, &header("HS256", "hmac-key"), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push_with(
        "hs256_in_oidc_allowlist",
        "an HMAC algorithm in an OIDC allowlist is a configuration error when the validator is built",
        valid_rs.clone(),
        bad("invalid_config"),
        Some(json!({"algorithms": ["RS256", "HS256"]})),
        None,
    );
    c.push(
        "alg_lowercase_rs256",
        "alg names are case-sensitive: rs256 is not RS256",
        sign(&rs.signer, &header("rs256", rs_kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_es384_not_allowlisted",
        "a correctly signed ES384 token when ES384 is not in the allowlist",
        signed(&k.es384, &claims()),
        bad("algorithm_not_allowed"),
    );
    let ps = SigningKey::from_pkcs8(Algorithm::PS256, &rs.pkcs8).expect("ps256 key");
    c.push(
        "alg_ps256_not_allowlisted",
        "a PS256 token signed by the RSA key whose kid is in the set, PS256 not allowed",
        sign(&ps, &header("PS256", rs_kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_ed25519_name",
        "alg Ed25519 is not a JWS algorithm name (EdDSA is)",
        sign(&k.ed.signer, &header("Ed25519", &k.ed.kid), &claims()),
        bad("algorithm_not_allowed"),
    );
    c.push(
        "alg_not_a_string",
        "header alg is a number",
        sign(
            &rs.signer,
            format!(r#"{{"alg":256,"typ":"JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "alg_missing",
        "header without alg",
        sign(
            &rs.signer,
            format!(r#"{{"typ":"JWT","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );

    // ---- signatures ----------------------------------------------------------------------
    let valid_es = signed(&k.es, &claims());
    let (eh, ep, es_sig) = parts(&valid_es);
    c.push(
        "psychic_signature_es256",
        "ES256 signature r = s = 0 (64 zero bytes), CVE-2022-21449",
        join(&eh, &ep, &b64::encode([0u8; 64])),
        bad("invalid_signature"),
    );
    c.push(
        "es256_der_signature",
        "ES256 signature in ASN.1 DER form instead of the fixed r||s form JWS requires",
        join(
            &eh,
            &ep,
            &b64::encode(ecdsa_der(&b64::decode(&es_sig).expect("sig"))),
        ),
        bad("invalid_signature"),
    );
    let other_payload = b64::encode(claims_with(|m| {
        m.insert("groups".into(), json!(["admin"]));
    }));
    c.push(
        "tampered_payload",
        "payload changed to claim admin, signature of the original payload",
        join(&vh, &other_payload, &vs),
        bad("invalid_signature"),
    );
    c.push(
        "signed_by_other_key_same_kid",
        "signed by a different RSA key that claims the kid of the trusted key",
        sign(&k.rotated.signer, &header("RS256", rs_kid), &claims()),
        bad("invalid_signature"),
    );
    let sig_bytes = b64::decode(&vs).expect("sig");
    c.push(
        "truncated_signature",
        "RS256 signature with its last byte removed",
        join(&vh, &vp, &b64::encode(&sig_bytes[..sig_bytes.len() - 1])),
        bad("invalid_signature"),
    );
    c.push(
        "signature_from_eddsa_key_on_rs256",
        "alg RS256 and the RSA kid, but the signature bytes come from a valid EdDSA token",
        join(&vh, &vp, &parts(&signed(&k.ed, &claims())).2),
        bad("invalid_signature"),
    );

    // ---- key selection -------------------------------------------------------------------
    c.push(
        "missing_kid",
        "no kid in the header while kid is required",
        sign(&rs.signer, br#"{"alg":"RS256","typ":"JWT"}"#, &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "unknown_kid",
        "kid not in the set",
        sign(&rs.signer, &header("RS256", "no-such-key"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "empty_kid",
        "kid is the empty string",
        sign(&rs.signer, &header("RS256", ""), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_path_traversal",
        "kid that looks like a file path",
        sign(
            &rs.signer,
            &header("RS256", "../../../../dev/null"),
            &claims(),
        ),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_not_a_string",
        "header kid is a number",
        sign(
            &rs.signer,
            br#"{"alg":"RS256","typ":"JWT","kid":1}"#,
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "kid_weak_rsa_1024",
        "signed by the 1024-bit RSA key whose JWK is in the set (dropped at load: under 2048 bits)",
        WEAK_RSA_TOKEN.to_owned(),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_hmac_key_with_rs256",
        "alg RS256 with the kid of the oct key (dropped at load: symmetric), HMAC signature",
        hs256(HMAC_SECRET, &header("RS256", "hmac-key"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_enc_key",
        "signed by the key whose JWK has use enc (dropped at load)",
        sign(&k.rotated.signer, &header("RS256", "enc-key"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_key_ops_without_verify",
        "signed by the key whose JWK has key_ops [encrypt] (dropped at load)",
        sign(
            &k.rotated.signer,
            &header("RS256", "ops-encrypt"),
            &claims(),
        ),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_duplicate",
        "signed by one of two keys sharing kid dup-key (both dropped at load)",
        sign(&k.rotated.signer, &header("RS256", "dup-key"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_private_rsa",
        "signed by the RSA key whose JWK in the set carries d, p, q, dp, dq, qi (dropped at load)",
        sign(
            &k.rotated.signer,
            &header("RS256", "private-rsa"),
            &claims(),
        ),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_private_ec",
        "signed by the P-256 key whose JWK in the set carries its private d (dropped at load)",
        sign(&k.es.signer, &header("ES256", "private-ec"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_private_okp",
        "signed by the Ed25519 key whose JWK in the set carries its private d (dropped at load)",
        sign(&k.ed.signer, &header("EdDSA", "private-okp"), &claims()),
        bad("unknown_key_id"),
    );
    let e1_input = format!(
        "{}.{}",
        b64::encode(header("RS256", "rsa-e-1")),
        b64::encode(claims())
    );
    let modulus_len = b64::decode(k.rotated.jwk["n"].as_str().expect("n"))
        .expect("n b64")
        .len();
    c.push(
        "kid_rsa_exponent_one",
        "an RSA JWK with e = 1, and a token whose signature is its own padded digest, forged \
         without any private key (dropped at load: e under 3)",
        format!(
            "{e1_input}.{}",
            b64::encode(forged_for_exponent_one(&e1_input, modulus_len))
        ),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_rsa_exponent_even",
        "the rotated key's modulus with e = 65536 (dropped at load: even exponent)",
        sign(&k.rotated.signer, &header("RS256", "rsa-e-even"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_rsa_exponent_huge",
        "the rotated key's modulus with e = 2^64 + 1 (dropped at load: exponent over 33 bits)",
        sign(&k.rotated.signer, &header("RS256", "rsa-e-huge"), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_rs384_pinned_used_with_rs256",
        "the JWK pins alg RS384; an RS256 token by the same RSA key must not use it",
        sign(
            &k.rotated.signer,
            &header("RS256", "rs384-pinned"),
            &claims(),
        ),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_es256_key_with_rs256",
        "alg RS256 with the kid of the P-256 key (key type mismatch)",
        sign(&rs.signer, &header("RS256", &k.es.kid), &claims()),
        bad("unknown_key_id"),
    );
    c.push(
        "kid_eddsa_key_with_es256",
        "alg ES256 with the kid of the Ed25519 key (key type mismatch)",
        sign(&k.es.signer, &header("ES256", &k.ed.kid), &claims()),
        bad("unknown_key_id"),
    );

    // ---- header rules --------------------------------------------------------------------
    let attacker = &k.rotated;
    let mut attacker_jwk = attacker.jwk.clone();
    attacker_jwk["kid"] = json!("attacker");
    c.push(
        "header_jku",
        "jku pointing at an attacker's key set",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                r#""jku":"https://attacker.example/jwks.json""#,
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_x5u",
        "x5u pointing at an attacker's certificate",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                r#""x5u":"https://attacker.example/cert.pem""#,
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_jwk_embedded",
        "attacker's public key embedded as jwk, token signed by the attacker's private key",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                &format!(
                    r#""jwk":{}"#,
                    serde_json::to_string(&attacker_jwk).expect("jwk")
                ),
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_x5c",
        "x5c chain naming an attacker's key, signed by the attacker",
        sign(
            &attacker.signer,
            &header_extra(
                "RS256",
                "attacker",
                &format!(r#""x5c":["{}"]"#, std_b64(&rsa_spki_der(&attacker.jwk))),
            ),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_b64_outside_crit",
        "b64 false without crit (RFC 7797 unencoded payload)",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""b64":false"#),
            &claims(),
        ),
        bad("forbidden_header"),
    );
    c.push(
        "header_crit_b64",
        "b64 false listed in crit: an extension the library does not implement",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""b64":false,"crit":["b64"]"#),
            &claims(),
        ),
        bad("unsupported_critical_header"),
    );
    c.push(
        "header_crit_exp",
        "crit naming exp",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""exp":1700003600,"crit":["exp"]"#),
            &claims(),
        ),
        bad("unsupported_critical_header"),
    );
    c.push(
        "header_crit_empty",
        "crit is an empty array (RFC 7515 forbids it)",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""crit":[]"#),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_crit_not_array",
        "crit is a string",
        sign(
            &rs.signer,
            &header_extra("RS256", rs_kid, r#""crit":"exp""#),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_duplicate_kid",
        "header names kid twice",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","kid":"{rs_kid}","kid":"no-such-key"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_duplicate_alg",
        "header names alg twice (none, then RS256)",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"none","alg":"RS256","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_json_array",
        "header is a JSON array",
        sign(
            &rs.signer,
            format!(r#"[{{"alg":"RS256","kid":"{rs_kid}"}}]"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "header_not_json",
        "header is not JSON",
        format!("{}.{vp}.{vs}", b64::encode("alg=RS256")),
        bad("token_malformed"),
    );
    c.push_with(
        "typ_not_allowed",
        "typ JWT when only at+jwt is allowed",
        valid_rs.clone(),
        bad("token_malformed"),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );
    c.push_with(
        "typ_missing_when_required",
        "no typ when a typ allowlist is configured",
        sign(
            &rs.signer,
            format!(r#"{{"alg":"RS256","kid":"{rs_kid}"}}"#).as_bytes(),
            &claims(),
        ),
        bad("token_malformed"),
        Some(json!({"allowed_typ": ["at+jwt"]})),
        None,
    );

    // ---- compact serialisation ---------------------------------------------------------------
    c.push(
        "empty_token",
        "the empty string",
        String::new(),
        bad("token_malformed"),
    );
    c.push(
        "one_part",
        "no dots at all",
        vh.clone(),
        bad("token_malformed"),
    );
    c.push(
        "two_parts",
        "header.payload without a signature part",
        format!("{vh}.{vp}"),
        bad("token_malformed"),
    );
    c.push(
        "four_parts",
        "a valid token with a fourth part appended",
        format!("{valid_rs}.{vs}"),
        bad("token_malformed"),
    );
    c.push(
        "trailing_dot",
        "a valid token followed by a dot",
        format!("{valid_rs}."),
        bad("token_malformed"),
    );
    c.push(
        "empty_signature_rs256",
        "RS256 token with the signature part emptied (an empty part decodes to no bytes, which do not verify)",
        format!("{vh}.{vp}."),
        bad("invalid_signature"),
    );
    c.push(
        "padded_header",
        "header part with = padding",
        join(&pad(&vh), &vp, &vs),
        bad("token_malformed"),
    );
    let padded_payload_token = signed(
        rs,
        &claims_with(|m| _ = m.insert("jti".into(), json!("pad"))),
    );
    let (ph, pp, psig) = parts(&padded_payload_token);
    let (ph, pp, psig) = if pp.len().is_multiple_of(4) {
        parts(&signed(
            rs,
            &claims_with(|m| _ = m.insert("jti".into(), json!("padd"))),
        ))
    } else {
        (ph, pp, psig)
    };
    c.push(
        "padded_payload",
        "payload part with = padding",
        join(&ph, &pad(&pp), &psig),
        bad("token_malformed"),
    );
    c.push(
        "padded_signature",
        "signature part with = padding",
        join(&vh, &vp, &pad(&vs)),
        bad("token_malformed"),
    );
    let mid = vp.len() / 2;
    c.push(
        "space_inside_payload",
        "a space in the middle of the payload part",
        join(&vh, &format!("{} {}", &vp[..mid], &vp[mid..]), &vs),
        bad("token_malformed"),
    );
    c.push(
        "newline_inside_signature",
        "a line break inside the signature part (MIME-style wrapping)",
        join(&vh, &vp, &format!("{}\n{}", &vs[..64], &vs[64..])),
        bad("token_malformed"),
    );
    c.push(
        "trailing_newline",
        "a valid token followed by a newline",
        format!("{valid_rs}\n"),
        bad("token_malformed"),
    );
    c.push(
        "leading_space",
        "a valid token preceded by a space",
        format!(" {valid_rs}"),
        bad("token_malformed"),
    );
    c.push(
        "bearer_prefix",
        "verify never strips a Bearer prefix",
        format!("Bearer {valid_rs}"),
        bad("token_malformed"),
    );
    c.push(
        "non_canonical_signature_bits",
        "last signature character changed so its unused trailing bits are non-zero (same bytes to a lenient decoder)",
        join(&vh, &vp, &non_canonical(&vs)),
        bad("token_malformed"),
    );
    c.push(
        "non_canonical_header_bits",
        "last header character changed so its unused trailing bits are non-zero",
        join(&non_canonical(&vh), &vp, &vs),
        bad("token_malformed"),
    );
    let std_plus = if vs.contains('-') {
        vs.replacen('-', "+", 1)
    } else {
        format!("+{}", &vs[1..])
    };
    let std_slash = if vs.contains('_') {
        vs.replacen('_', "/", 1)
    } else {
        format!("/{}", &vs[1..])
    };
    c.push(
        "standard_base64_plus",
        "signature with a standard-alphabet + in place of -",
        join(&vh, &vp, &std_plus),
        bad("token_malformed"),
    );
    c.push(
        "standard_base64_slash",
        "signature with a standard-alphabet / in place of _",
        join(&vh, &vp, &std_slash),
        bad("token_malformed"),
    );

    // ---- size cap ------------------------------------------------------------------------
    let big = signed(
        rs,
        &claims_with(|m| _ = m.insert("padding".into(), json!("x".repeat(13_000)))),
    );
    assert!(big.len() > 16_384);
    c.push(
        "oversized_signed_token",
        "a correctly signed token over 16384 bytes",
        big,
        bad("token_too_large"),
    );
    c.push(
        "oversized_garbage",
        "20000 bytes of garbage: the size cap applies before any decoding",
        "!".repeat(20_000),
        bad("token_too_large"),
    );
    c.push_with(
        "one_byte_over_size_cap",
        "max_token_bytes one less than the token length",
        valid_rs.clone(),
        bad("token_too_large"),
        Some(json!({"max_token_bytes": valid_rs.len() - 1})),
        None,
    );

    // ---- payload structure -----------------------------------------------------------------
    let dup_sub = format!(
        r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"user-123","sub":"admin","exp":{},"iat":{}}}"#,
        NOW + 3600,
        NOW - 60
    );
    c.push(
        "payload_duplicate_sub",
        "claims name sub twice (parsers disagree on which wins)",
        sign(&rs.signer, &header("RS256", rs_kid), dup_sub.as_bytes()),
        bad("token_malformed"),
    );
    c.push(
        "payload_duplicate_nested_member",
        "a duplicate member inside a nested claim object",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            format!(
                r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","sub":"user-123","exp":{},"realm_access":{{"roles":["viewer"],"roles":["admin"]}}}}"#,
                NOW + 3600
            )
            .as_bytes(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_nested_40_levels",
        "a claim nesting objects 40 levels deep",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_objects(40))),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_nested_33_levels",
        "a claim nesting arrays so that the payload is 33 levels deep (one over the cap)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("deep".into(), nested_arrays(32))),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_not_json",
        "signed payload that is not JSON",
        sign(&rs.signer, &header("RS256", rs_kid), b"sub=admin"),
        bad("token_malformed"),
    );
    c.push(
        "payload_json_array",
        "signed payload that is a JSON array",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            format!("[{}]", String::from_utf8(claims()).expect("utf8")).as_bytes(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_json_string",
        "signed payload that is a JSON string",
        sign(&rs.signer, &header("RS256", rs_kid), br#""admin""#),
        bad("token_malformed"),
    );
    c.push(
        "payload_empty",
        "signed empty payload",
        sign(&rs.signer, &header("RS256", rs_kid), b""),
        bad("token_malformed"),
    );
    c.push(
        "payload_trailing_data",
        "signed payload with data after the JSON object",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            &[claims(), br#"{"sub":"admin"}"#.to_vec()].concat(),
        ),
        bad("token_malformed"),
    );
    c.push(
        "payload_invalid_utf8",
        "signed payload with an invalid UTF-8 byte inside a string",
        sign(
            &rs.signer,
            &header("RS256", rs_kid),
            &[
                format!(
                    r#"{{"iss":"{ISSUER}","aud":"{AUDIENCE}","exp":{},"sub":"user-"#,
                    NOW + 3600
                )
                .into_bytes(),
                vec![0xff],
                br#""}"#.to_vec(),
            ]
            .concat(),
        ),
        bad("token_malformed"),
    );

    // ---- claim types -----------------------------------------------------------------------
    let typed: [(&str, &str, &str, Value); 9] = [
        (
            "exp_string",
            "exp",
            "exp is the string \"1700000100\" (never treated as absent)",
            json!("1700000100"),
        ),
        ("exp_null", "exp", "exp is null", Value::Null),
        ("exp_bool", "exp", "exp is true", json!(true)),
        ("nbf_string", "nbf", "nbf is a string", json!("1699999000")),
        ("iat_string", "iat", "iat is a string", json!("1699999000")),
        ("iss_number", "iss", "iss is a number", json!(42)),
        ("sub_number", "sub", "sub is a number", json!(123)),
        (
            "aud_array_with_number",
            "aud",
            "aud array holding a number next to the right audience",
            json!([AUDIENCE, 7]),
        ),
        (
            "aud_object",
            "aud",
            "aud is an object",
            json!({"aud": AUDIENCE}),
        ),
    ];
    for (name, claim, description, value) in typed {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert(claim.into(), value))),
            bad("invalid_claim"),
        );
    }
    c.push(
        "groups_with_number",
        "groups array holding a number",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("groups".into(), json!(["sre", 1]))),
        ),
        bad("invalid_claim"),
    );
    c.push(
        "groups_object",
        "groups is an object",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("groups".into(), json!({"admin": true}))),
        ),
        bad("invalid_claim"),
    );
    c.push(
        "email_number",
        "email is a number",
        signed(rs, &claims_with(|m| _ = m.insert("email".into(), json!(5)))),
        bad("invalid_claim"),
    );

    // ---- required claims -----------------------------------------------------------------
    for (name, claim) in [
        ("missing_exp", "exp"),
        ("missing_sub", "sub"),
        ("missing_iss", "iss"),
        ("missing_aud", "aud"),
    ] {
        c.push(
            name,
            &format!("no {claim} claim"),
            signed(rs, &claims_with(|m| _ = m.remove(claim))),
            bad("missing_claim"),
        );
    }

    // ---- issuer ----------------------------------------------------------------------------
    for (name, iss, description) in [
        (
            "issuer_prefix",
            "https://idp.incidentfox",
            "iss is a prefix of the configured issuer",
        ),
        (
            "issuer_extended_host",
            "https://idp.incidentfox.test.evil.com",
            "iss extends the configured host",
        ),
        (
            "issuer_trailing_slash",
            "https://idp.incidentfox.test/",
            "iss with a trailing slash",
        ),
        (
            "issuer_uppercase_host",
            "https://IDP.incidentfox.test",
            "iss differing only in case (compared exactly)",
        ),
        (
            "issuer_homoglyph",
            "https://idp.incidentfox.t\u{0435}st",
            "iss with a Cyrillic e in place of e",
        ),
        (
            "issuer_http",
            "http://idp.incidentfox.test",
            "iss with http instead of https",
        ),
    ] {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert("iss".into(), json!(iss)))),
            bad("invalid_issuer"),
        );
    }

    // ---- audience ----------------------------------------------------------------------------
    for (name, aud, description) in [
        (
            "audience_mismatch_string",
            json!("incidentfox-orchestrator"),
            "aud is another service",
        ),
        (
            "audience_mismatch_array",
            json!(["incidentfox-orchestrator", "web-ui"]),
            "aud array without the configured audience",
        ),
        ("audience_empty_array", json!([]), "aud is an empty array"),
        (
            "audience_prefix",
            json!("incidentfox-config"),
            "aud is a prefix of the configured audience",
        ),
    ] {
        c.push(
            name,
            description,
            signed(rs, &claims_with(|m| _ = m.insert("aud".into(), aud))),
            bad("invalid_audience"),
        );
    }

    // ---- times -----------------------------------------------------------------------------
    c.push_with(
        "exp_equals_now_no_leeway",
        "exp == now with leeway 0 is expired (now >= exp + leeway)",
        signed(rs, &claims_with(|m| _ = m.insert("exp".into(), json!(NOW)))),
        bad("token_expired"),
        Some(json!({"leeway": 0})),
        None,
    );
    c.push(
        "exp_past_beyond_leeway",
        "exp 31 s ago with leeway 30",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 31))),
        ),
        bad("token_expired"),
    );
    c.push(
        "exp_at_leeway_edge",
        "exp + leeway == now is expired",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW - 30))),
        ),
        bad("token_expired"),
    );
    c.push(
        "fractional_exp_just_past_leeway",
        "exp = now - leeway - 0.5: expired by half a second (no truncation)",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("exp".into(), json!(NOW as f64 - 30.5))),
        ),
        bad("token_expired"),
    );
    c.push_with(
        "replayed_after_expiry",
        "the valid RS256 token verified at exp + leeway (now overridden)",
        valid_rs.clone(),
        bad("token_expired"),
        None,
        Some(NOW + 3630),
    );
    c.push(
        "nbf_in_future",
        "nbf 31 s in the future with leeway 30",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("nbf".into(), json!(NOW + 31))),
        ),
        bad("token_not_yet_valid"),
    );
    c.push(
        "iat_in_future",
        "iat 31 s in the future with leeway 30",
        signed(
            rs,
            &claims_with(|m| {
                m.insert("iat".into(), json!(NOW + 31));
                m.remove("nbf");
            }),
        ),
        bad("token_issued_in_future"),
    );
    c.push_with(
        "max_age_exceeded",
        "max_age 300 with leeway 30: iat 331 s ago is too old",
        signed(
            rs,
            &claims_with(|m| _ = m.insert("iat".into(), json!(NOW - 331))),
        ),
        bad("token_expired"),
        Some(json!({"max_age": 300})),
        None,
    );
    c.push_with(
        "max_age_without_iat",
        "max_age configured and the token has no iat",
        signed(rs, &claims_with(|m| _ = m.remove("iat"))),
        bad("missing_claim"),
        Some(json!({"max_age": 300})),
        None,
    );

    c.0
}

/// Case-name suffix for a spelling of `none`.
fn none_name(spelling: &str) -> &'static str {
    match spelling {
        "none" => "none",
        "None" => "none_titlecase",
        _ => "none_uppercase",
    }
}

fn write_json(path: &Path, value: &Value) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut text = serde_json::to_string_pretty(value).expect("serialise");
    text.push('\n');
    std::fs::write(path, text).expect("write");
    println!("wrote {}", path.display());
}

fn main() {
    let keys_path = root().join("keys/keys.json");
    if keys_path.exists() {
        println!("kept {}", keys_path.display());
    } else {
        write_json(&keys_path, &generate_keys());
    }
    let keys_doc: Value =
        serde_json::from_slice(&std::fs::read(&keys_path).expect("read keys.json"))
            .expect("keys.json is json");
    let keys = Keys {
        rs: load_key(&keys_doc, "rs256"),
        rotated: load_key(&keys_doc, "rs256_rotated"),
        es: load_key(&keys_doc, "es256"),
        es384: load_key(&keys_doc, "es384"),
        ed: load_key(&keys_doc, "eddsa"),
    };
    let cases = build_cases(&keys);
    let doc = json!({
        "description": "Attack vectors for the OIDC validator, shared by the Rust, Python and Node \
            suites. For each case: build a validator from `validator` with `validator_overrides` \
            applied (max_age in seconds), the key set `jwks`, and verify `token` at `now` (the \
            case's `now` when present). `expect` is the outcome of building the validator and \
            verifying: either {valid: true, subject, groups} or {valid: false, code} with the \
            exact error code. Generated by `cargo run -p incidentfox-auth --example \
            gen_testdata` from testdata/keys/keys.json; do not edit by hand.",
        "now": NOW,
        "validator": {
            "issuer": ISSUER,
            "audiences": [AUDIENCE],
            "algorithms": ["RS256", "ES256", "EdDSA"],
            "leeway": 30,
            "groups_claim": "groups",
            "require_kid": true,
            "max_token_bytes": 16384,
        },
        "jwks": build_jwks(&keys, &keys_doc),
        "cases": cases,
    });
    write_json(&root().join("vectors/attacks.json"), &doc);
    println!("{} cases", doc["cases"].as_array().map_or(0, Vec::len));
}
