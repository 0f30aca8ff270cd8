use super::*;

/// Key selection.
pub(super) fn key_selection(c: &mut Cases, k: &Keys, base: &Base<'_>) {
    let Base { rs, .. } = base;
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
}
