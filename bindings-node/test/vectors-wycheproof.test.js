'use strict'
// Wycheproof JWS/JWK, RFC 7520 §4, RFC 7515 A.1 and RFC 8037 A.4, mirroring core/tests/vectors_wycheproof.rs
// and bindings-python/tests/test_vectors_wycheproof.py.
//
// The Rust runner drives the JOSE layer directly and asks only "does the signature verify?".
// Node reaches that layer through OidcValidator, so each group gets a validator with every
// asymmetric algorithm, requireKid false and a large size cap, and the verdict is read from where
// verification stopped: the signature is checked before the claims, so an outcome that got to
// the claims (a claim error, the "claims ..." token_malformed of a payload that is not a JSON
// object, or success) means the signature verified; any other error means it did not (or the
// token or key set was refused first).
//
// Covered: every Wycheproof case except the Rust allowlist below and the HMAC cases labelled
// valid; RFC 7520 4.1 (RS256), 4.2 (PS384) with a forged copy, 4.3 (ES512, must be rejected);
// RFC 8037 A.4 (Ed25519) and its altered copy.
// Not expressible, so not run (counted in the assertions below): a valid HS256/384/512
// signature (OIDC never accepts HMAC, and the impersonation verifier takes a text secret, not
// these binary keys): the Wycheproof HMAC cases labelled valid, RFC 7520 4.4 and RFC 7515 A.1.
// HMAC cases labelled invalid still run and must be rejected.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { test } = require('node:test')
const { OidcValidator } = require('@incidentfox/auth')
const s = require('./support.js')

const EXTERNAL = path.join(s.REPO_ROOT, 'testdata', 'vectors', 'external')
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA']

// Codes that only the claim checks produce, so the signature had verified.
const CLAIM_STAGE = new Set(['missing_claim', 'invalid_claim', 'invalid_issuer', 'invalid_audience', 'token_expired', 'token_not_yet_valid', 'token_issued_in_future'])

// The Rust allowlist (core/tests/vectors_wycheproof.rs), same reasons.
const ALLOWLIST = new Map([
  // `?` inserted into base64url, labelled valid for lenient decoders; invalid per RFC 7515 §2.
  ['jws:372', 'invalid base64url character labelled valid'],
  ['jws:373', 'invalid base64url character labelled valid'],
  // Byte-identical to tcId 357 (labelled valid): the signature rightly verifies.
  ['jws:367', 'token identical to a valid vector'],
  ['jws:370', 'token identical to a valid vector'],
  // The JWK pins alg PS256 while the token says PS384: the key cannot verify it.
  ['jws:346', 'jwk alg PS256 pins the key; token uses PS384'],
  ['jws:350', 'jwk alg PS256 pins the key; token uses PS384'],
  // ES512 (P-521) is outside the supported algorithms.
  ['jws:347', 'ES512 is not supported'],
  ['jws:351', 'ES512 is not supported'],
  // ROCA fingerprinting is not implemented.
  ['jwk:7', 'ROCA fingerprinting is not implemented'],
])

const load = (file) => JSON.parse(fs.readFileSync(path.join(EXTERNAL, file), 'utf8'))

/** [whether `token`'s signature verifies under `jwks`, what happened]. */
function signatureVerifies(jwks, token) {
  let validator
  try {
    validator = new OidcValidator({
      issuer: 'https://wycheproof.invalid',
      audience: 'wycheproof',
      jwksJson: JSON.stringify(jwks),
      algorithms: ASYMMETRIC,
      requireKid: false,
      maxTokenBytes: 1 << 20,
    })
  } catch (error) {
    return [false, `key set refused: ${error.code}`]
  }
  try {
    validator.verifySync(token, { now: 1_700_000_000 })
  } catch (error) {
    const code = s.codeOf(error)
    return [CLAIM_STAGE.has(code) || (code === 'token_malformed' && error.message.startsWith('claims')), `${code}: ${error.message}`]
  }
  return [true, 'valid']
}

function headerAlg(token) {
  try {
    const alg = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).alg
    return typeof alg === 'string' ? alg : null
  } catch {
    return null
  }
}

function runWycheproof(file, family) {
  const doc = load(file)
  const failures = []
  let run = 0
  let skipped = 0
  for (const group of doc.testGroups) {
    // Verification uses the public key; symmetric groups only have the private JWK. Key-set
    // groups carry a whole set, under `public` when it differs from the private one (a set
    // carrying private members is refused, as core/tests/vectors_wycheproof.rs checks).
    const key = group.public ?? group.private
    const jwks = key && typeof key === 'object' && 'keys' in key ? key : { keys: [key] }
    for (const c of group.tests) {
      const expectValid = c.result === 'valid'
      if (ALLOWLIST.has(`${family}:${c.tcId}`) || (expectValid && typeof c.jws === 'string' && (headerAlg(c.jws) ?? '').startsWith('HS'))) {
        skipped += 1
        continue
      }
      run += 1
      const [verified, what] = typeof c.jws === 'string' ? signatureVerifies(jwks, c.jws) : [false, 'JSON serialisation is not a JWT']
      if (verified !== expectValid) failures.push(`${family} tcId ${c.tcId} (${c.comment}): expected ${c.result}, got ${what}`)
    }
  }
  s.report(failures, run, `wycheproof ${family} cases`)
  return [run, skipped]
}

test('wycheproof json web signature', () => {
  const [run, skipped] = runWycheproof('wycheproof/json_web_signature_test.json', 'jws')
  assert.ok(run > 350, `only ${run} cases ran (${skipped} not expressible or allowlisted)`)
})

test('wycheproof json web key', () => {
  const [run, skipped] = runWycheproof('wycheproof/json_web_key_test.json', 'jwk')
  assert.ok(run >= 15, `only ${run} cases ran (${skipped} not expressible or allowlisted)`)
})

const publicOnly = (jwk) => Object.fromEntries(Object.entries(jwk).filter(([k]) => !['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(k)))

test('rfc 7520 signatures', () => {
  for (const [file, supported] of [
    ['4_1.rsa_v15_signature.json', true],
    ['4_2.rsa-pss_signature.json', true],
    // ES512 is not supported; the vector must be rejected, not crash.
    ['4_3.ecdsa_signature.json', false],
    // 4_4 (HMAC) is not expressible: see the top of this file.
  ]) {
    const doc = load(`rfc7520/${file}`)
    const jwks = { keys: [publicOnly(doc.input.key)] }
    const token = doc.output.compact
    const [verified, what] = signatureVerifies(jwks, token)
    assert.equal(verified, supported, `${file}: ${what}`)
    if (supported) {
      const forged = token.slice(0, -1) + (token.endsWith('A') ? 'Q' : 'A')
      assert.equal(signatureVerifies(jwks, forged)[0], false, `${file} forged`)
    }
  }
})

test('rfc 7515 and rfc 8037 examples', () => {
  const doc = s.loadVectors('rfc_examples.json')
  let ran = 0
  for (const c of doc.cases) {
    if (c.jwk.kty === 'oct') continue // RFC 7515 A.1 (HS256): not expressible, see the top
    ran += 1
    const [verified, what] = signatureVerifies({ keys: [c.jwk] }, c.token)
    assert.equal(verified, c.valid === true, `${c.name}: ${what}`)
  }
  assert.ok(ran >= 2)
})
