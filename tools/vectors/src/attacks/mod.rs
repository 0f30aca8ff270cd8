//! The signing keys and the OIDC attack vectors:
//!
//! - `testdata/keys/keys.json`: signing keys (PKCS#8, base64url) and their public JWKs. Written only
//!   when it does not exist yet, so keys stay stable across runs.
//! - `testdata/vectors/attacks.json`: attack vectors for the OIDC validator, rebuilt from
//!   `keys.json` on every run; one function per attack family, in the order the file lists them.

mod algorithms;
mod claims;
mod encoding;
mod key_selection;

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
    crate::testdata()
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

/// What most families start from: the reference RS256 key and a valid token signed with it, split
/// into its three parts.
struct Base<'a> {
    rs: &'a Key,
    rs_kid: &'a str,
    valid_rs: String,
    vh: String,
    vp: String,
    vs: String,
}

impl<'a> Base<'a> {
    fn new(k: &'a Keys) -> Self {
        let rs = &k.rs;
        let valid_rs = signed(rs, &claims());
        let (vh, vp, vs) = parts(&valid_rs);
        Base {
            rs,
            rs_kid: rs.kid.as_str(),
            valid_rs,
            vh,
            vp,
            vs,
        }
    }
}

fn build_cases(k: &Keys) -> Vec<Value> {
    let mut c = Cases::default();
    let base = Base::new(k);
    algorithms::valid_tokens(&mut c, k, &base);
    algorithms::alg_none(&mut c, k, &base);
    algorithms::hmac_confusion(&mut c, k, &base);
    algorithms::signatures(&mut c, k, &base);
    key_selection::key_selection(&mut c, k, &base);
    encoding::header_rules(&mut c, k, &base);
    encoding::compact_serialisation(&mut c, k, &base);
    encoding::size_cap(&mut c, k, &base);
    encoding::payload_structure(&mut c, k, &base);
    claims::claim_types(&mut c, k, &base);
    claims::required_claims(&mut c, k, &base);
    claims::issuer(&mut c, k, &base);
    claims::audience(&mut c, k, &base);
    claims::times(&mut c, k, &base);
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

/// Writes `keys.json` (when missing) and `attacks.json`.
pub fn generate() {
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
            exact error code. Generated by `cargo run -p incidentfox-auth-vectors -- \
            attacks` from testdata/keys/keys.json; do not edit by hand.",
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
