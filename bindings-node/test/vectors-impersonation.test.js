'use strict'
// testdata/vectors/impersonation.json, mirroring core/tests/vectors_impersonation.rs and
// bindings-python/tests/test_vectors_impersonation.py: each case through ImpersonationVerifier
// built twice, from options and from the IMPERSONATION_* environment. No JTI store: signature and
// claims only, as the file says; also each case through verifySync.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ERROR_CODES, ImpersonationVerifier, VerifiedImpersonation } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('impersonation.json')
const CASES = DOC.cases
const KNOWN_SETTINGS = new Set(['audience', 'accept_legacy_audience', 'leeway_seconds'])

function settings(c) {
  const merged = { ...DOC.config, ...(c.config ?? {}) }
  for (const name of Object.keys(merged)) assert.ok(KNOWN_SETTINGS.has(name), `${c.name}: unknown setting ${name}`)
  return merged
}

function fromOptions(c) {
  const x = settings(c)
  return new ImpersonationVerifier({
    secret: DOC.secret,
    audience: x.audience,
    acceptLegacyAudience: x.accept_legacy_audience,
    leewaySeconds: x.leeway_seconds ?? 0,
  })
}

function fromEnv(c) {
  const x = settings(c)
  return ImpersonationVerifier.fromEnv({
    IMPERSONATION_JWT_SECRET: DOC.secret,
    IMPERSONATION_JWT_AUDIENCE: x.audience,
    IMPERSONATION_JWT_ACCEPT_LEGACY_AUDIENCE: x.accept_legacy_audience ? '1' : '0',
    IMPERSONATION_LEEWAY_SECONDS: String(x.leeway_seconds ?? 0),
  })
}

const nowOf = (c) => Number(c.now ?? DOC.now)

function problems(c, got) {
  const expect = c.expect
  if (expect.valid !== true) {
    if (got instanceof VerifiedImpersonation) return `expected ${expect.code}, got a valid ${got.kind} token`
    if (s.codeOf(got) !== expect.code) return `expected ${expect.code}, got ${got.code}: ${got.message}`
    if (got.status !== ERROR_CODES[expect.code]) return `${got.code} has status ${got.status}`
    return null
  }
  if (!(got instanceof VerifiedImpersonation)) return `expected valid, got ${got.code}: ${got.message}`
  const found = []
  if (got.kind !== expect.kind) found.push(`kind ${got.kind}, expected ${expect.kind}`)
  // Compared as text, so the member order of /auth/me counts too.
  const me = JSON.stringify(got.principal())
  if (me !== JSON.stringify(expect.me)) found.push(`me ${me}, expected ${JSON.stringify(expect.me)}`)
  const claims = got.claims
  for (const [name, want] of Object.entries(expect.claims ?? {})) {
    if (!(name in claims) || JSON.stringify(claims[name]) !== JSON.stringify(want)) {
      found.push(`claim ${name} is ${JSON.stringify(claims[name])}, expected ${JSON.stringify(want)}`)
    }
  }
  if (expect.claim_names && JSON.stringify(Object.keys(claims)) !== JSON.stringify(expect.claim_names)) {
    found.push(`claim names ${Object.keys(claims)}, expected ${expect.claim_names}`)
  }
  if ('exp_minus_iat' in expect && claims.exp - claims.iat !== expect.exp_minus_iat) {
    found.push(`exp - iat is ${claims.exp - claims.iat}, expected ${expect.exp_minus_iat}`)
  }
  if ('jti_hex_chars' in expect) {
    if (!new RegExp(`^[0-9a-f]{${expect.jti_hex_chars}}$`).test(got.jti)) found.push(`jti ${got.jti} is not ${expect.jti_hex_chars} lowercase hex digits`)
    if (claims.jti !== got.jti) found.push(`jti ${got.jti} differs from the claim ${claims.jti}`)
  }
  // The typed getters agree with the claims.
  if (got.subject !== claims.sub || got.orgId !== claims.org_id || got.teamNodeId !== claims.team_node_id) {
    found.push('subject/orgId/teamNodeId disagree with the claims')
  }
  if (got.expiresAt !== claims.exp) found.push(`expiresAt ${got.expiresAt} is not exp ${claims.exp}`)
  const email = typeof claims.email === 'string' ? claims.email : null
  if (got.email !== email) found.push(`email ${got.email} is not the claim ${claims.email}`)
  if (got.visitorSessionId !== (claims.visitor_session_id ?? null)) found.push(`visitorSessionId ${got.visitorSessionId}`)
  return found.join('; ') || null
}

test('the file is well formed', () => {
  assert.ok(CASES.length >= 40)
  s.uniqueNames(CASES)
  assert.ok(CASES.filter((c) => c.source === 'pyjwt').length >= 8)
  for (const source of ['incidentfox-auth', 'pyjwt']) {
    for (const valid of [true, false]) {
      assert.ok(CASES.some((c) => c.source === source && c.expect.valid === valid), `${source} ${valid}`)
    }
  }
})

for (const [label, build] of [['options', fromOptions], ['env', fromEnv]]) {
  test(`every impersonation vector (verifier from ${label})`, async () => {
    const failures = []
    for (const c of CASES) {
      const got = await s.outcome(() => build(c).verify(c.token, { now: nowOf(c) }))
      const why = problems(c, got)
      if (why) failures.push(`${c.name}: ${why}`)
    }
    s.report(failures, CASES.length, 'impersonation vectors')
  })
}

test('every impersonation vector with verifySync', () => {
  const failures = []
  for (const c of CASES) {
    const got = s.outcomeSync(() => fromOptions(c).verifySync(c.token, { now: nowOf(c) }))
    const why = problems(c, got)
    if (why) failures.push(`${c.name}: ${why}`)
  }
  s.report(failures, CASES.length, 'impersonation vectors (verifySync)')
})

test('verifySync refuses when the JTI store must be asked, and answers repeats from the cache', async () => {
  const { MemoryJtiStore, ImpersonationSigner } = require('@incidentfox/auth')
  const store = new MemoryJtiStore()
  const options = { secret: DOC.secret, jtiRequire: true, jtiLogging: true, jtiStore: store }
  const minted = await new ImpersonationSigner(options).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  const strict = new ImpersonationVerifier(options)
  assert.throws(() => strict.verifySync(minted.token), { code: 'ERR_INVALID_CONFIG', status: 500 })
  assert.equal((await strict.verify(minted.token)).jti, minted.jti)

  const plain = new ImpersonationVerifier({ secret: DOC.secret })
  const first = plain.verifySync(minted.token)
  const again = plain.verifySync(minted.token)
  assert.deepEqual(again.claims, first.claims)
  const t = minted.token
  const tampered = t.slice(0, -5) + (t.at(-5) === 'A' ? 'B' : 'A') + t.slice(-4)
  assert.throws(() => plain.verifySync(tampered), { code: 'ERR_INVALID_SIGNATURE' })
})

test('every impersonation vector, all at once', async () => {
  const results = await Promise.all(CASES.map((c) => s.outcome(() => fromOptions(c).verify(c.token, { now: nowOf(c) }))))
  const failures = []
  CASES.forEach((c, i) => {
    const why = problems(c, results[i])
    if (why) failures.push(`${c.name}: ${why}`)
  })
  s.report(failures, CASES.length, 'impersonation vectors (concurrent)')
})
