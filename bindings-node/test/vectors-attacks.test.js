'use strict'
// testdata/vectors/attacks.json through OidcValidator, as core/tests/vectors_attacks.rs runs it (and
// bindings-python/tests/test_vectors_attacks.py): every case through verifySync and verify.
// Not covered: which keys the set drops and why (the API does not expose the loaded key set).

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ERROR_CODES, OidcValidator, VerifiedToken } = require('@incidentfox/auth')
const { codeOf, loadVectors, outcome, outcomeSync, report, uniqueNames } = require('./support.js')

const DOC = loadVectors('attacks.json')
const JWKS = JSON.stringify(DOC.jwks)
const CASES = DOC.cases

// Vector setting → OidcValidator option.
const OPTIONS = {
  issuer: 'issuer',
  audiences: 'audience',
  algorithms: 'algorithms',
  leeway: 'leeway',
  groups_claim: 'groupsClaim',
  require_kid: 'requireKid',
  max_token_bytes: 'maxTokenBytes',
  allowed_typ: 'allowedTyp',
  max_age: 'maxAge',
  required_claims: 'requiredClaims',
}

function build(c) {
  const merged = { ...DOC.validator, ...(c.validator_overrides ?? {}) }
  const options = { jwksJson: JWKS }
  for (const [name, value] of Object.entries(merged)) {
    assert.ok(name in OPTIONS, `${c.name}: unknown validator setting ${name}`)
    options[OPTIONS[name]] = value
  }
  return new OidcValidator(options)
}

const nowOf = (c) => Number(c.now ?? DOC.now)

function check(c, got) {
  const expect = c.expect
  if (expect.valid) {
    if (!(got instanceof VerifiedToken)) return `expected valid, got ${got.code}: ${got.message}`
    if (got.subject !== expect.subject || JSON.stringify(got.groups) !== JSON.stringify(expect.groups)) {
      return `expected subject ${expect.subject} groups ${expect.groups}, got ${got.subject} ${got.groups}`
    }
    return null
  }
  if (got instanceof VerifiedToken) return `expected ${expect.code}, got a valid token`
  if (codeOf(got) !== expect.code) return `expected ${expect.code}, got ${got.code}: ${got.message}`
  if (got.status !== ERROR_CODES[expect.code]) return `${got.code} has status ${got.status}`
  return null
}

test('the file is well formed', () => {
  assert.ok(CASES.length >= 40)
  uniqueNames(CASES)
  for (const c of CASES) {
    const code = c.expect.code
    assert.ok(code === undefined || code in ERROR_CODES, `${c.name}: ${code} is not an error code`)
  }
  assert.ok(CASES.filter((c) => c.expect.valid === true).length >= 3)
})

test('every attack vector with verifySync', () => {
  const failures = []
  for (const c of CASES) {
    const got = outcomeSync(() => build(c).verifySync(c.token, { now: nowOf(c) }))
    const why = check(c, got)
    if (why) failures.push(`${c.name}: ${why}`)
  }
  report(failures, CASES.length, 'attack vectors (verifySync)')
})

test('every attack vector with verify, all at once', async () => {
  // An inline key set never touches the network, so verify() agrees with verifySync().
  const results = await Promise.all(CASES.map((c) => outcome(() => build(c).verify(c.token, { now: nowOf(c) }))))
  const failures = []
  CASES.forEach((c, i) => {
    const why = check(c, results[i])
    if (why) failures.push(`${c.name}: ${why}`)
  })
  report(failures, CASES.length, 'attack vectors (verify)')
})

test('codes cover every token failure', () => {
  const codes = new Set(CASES.map((c) => c.expect.code))
  for (const code of [
    'token_malformed', 'forbidden_header', 'token_too_large', 'token_expired', 'token_not_yet_valid',
    'token_issued_in_future', 'invalid_signature', 'algorithm_not_allowed', 'unknown_key_id',
    'invalid_issuer', 'invalid_audience', 'missing_claim', 'invalid_claim', 'unsupported_critical_header',
  ]) {
    assert.ok(codes.has(code), `no case expects ${code}`)
  }
})
