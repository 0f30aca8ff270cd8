'use strict'
// The verification results (lib/verified.js): plain fields from the addon, claims parsed from the
// caller's token when first read.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ImpersonationSigner, ImpersonationVerifier, OidcValidator, VerifiedImpersonation, VerifiedToken } = require('@incidentfox/auth')
const s = require('./support.js')

// A token over exactly these payload bytes (jose's SignJWT would re-serialise an object).
async function mintPayload(payload, key) {
  const { CompactSign } = await import('jose')
  const spec = s.KEYS[key]
  return new CompactSign(Buffer.from(payload)).setProtectedHeader({ alg: spec.alg, kid: spec.kid }).sign(s.privateKey(key))
}

const validator = () =>
  new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks('rs256') })

test('an OIDC result: fields, absent ones null, read-only, claims parsed once', async () => {
  const claims = s.oidcClaims({ groups: 'one-group', big: 12345678901234, nested: { a: [1, 'x', null] } })
  delete claims.email
  const token = await s.mintOidc(claims, 'rs256')
  const got = validator().verifySync(token, { now: s.NOW })
  assert.ok(got instanceof VerifiedToken)
  assert.equal(got.subject, 'alice')
  assert.deepEqual([got.email, got.orgId, got.teamNodeId], [null, null, null])
  assert.deepEqual(got.groups, ['one-group'])
  got.groups.push('mutated')
  assert.deepEqual(got.groups, ['one-group'], 'groups is a copy')
  assert.throws(() => {
    got.subject = 'mallory'
  }, TypeError)
  assert.equal(got.subject, 'alice')
  assert.deepEqual(got.claims, claims)
  assert.equal(got.claims, got.claims, 'the same object on every read')
})

test('a __proto__ claim is an own member, not the prototype', async () => {
  const payload = JSON.stringify(s.oidcClaims()).replace(/^\{/, '{"__proto__":{"polluted":true},')
  const token = await mintPayload(payload, 'rs256')
  const got = validator().verifySync(token, { now: s.NOW })
  assert.ok(Object.hasOwn(got.claims, '__proto__'))
  assert.equal(Object.getPrototypeOf(got.claims), Object.prototype)
  assert.equal(got.claims.polluted, undefined)
  assert.equal({}.polluted, undefined)
})

test('an impersonation result: fields, principal, claims', async () => {
  const secret = 'verified-test-secret-0123456789abcdef'
  const minted = await new ImpersonationSigner({ secret }).mint({
    orgId: 'org-1', teamNodeId: 'team-1', subject: 'okta|admin', now: s.NOW,
  })
  const verifier = new ImpersonationVerifier({ secret })
  for (const got of [verifier.verifySync(minted.token, { now: s.NOW }), await verifier.verify(minted.token, { now: s.NOW })]) {
    assert.ok(got instanceof VerifiedImpersonation)
    assert.deepEqual(
      [got.kind, got.subject, got.email, got.orgId, got.teamNodeId, got.visitorSessionId, got.jti],
      ['team_impersonation', 'okta|admin', null, 'org-1', 'team-1', null, minted.jti],
    )
    assert.equal(got.expiresAt, minted.expiresAt)
    assert.equal(got.claims.jti, minted.jti)
    assert.equal(got.claims.email, null)
    assert.deepEqual(got.principal().toJSON().permissions, ['team:read'])
  }
})

test('the subject is cut from the front of the answer: any text but a control character, before or after the other fields', async () => {
  const odd = 'okta|"q\\u\\0" é ☃ 𝄞 \u2028'
  const token = await s.mintOidc(s.oidcClaims({ sub: odd, email: 'a@b.example' }), 'rs256')
  const first = validator().verifySync(token, { now: s.NOW })
  assert.equal(first.subject, odd)
  assert.equal(first.email, 'a@b.example')
  assert.equal(first.subject, odd, 'the same once the other fields are parsed')
  const second = validator().verifySync(token, { now: s.NOW })
  assert.equal(second.email, 'a@b.example')
  assert.equal(second.subject, odd)
  // The core refuses a subject holding a NUL (an identifier claim), so the first NUL ends it.
  const nul = await s.mintOidc(s.oidcClaims({ sub: 'alice\u0000admin' }), 'rs256')
  assert.throws(() => validator().verifySync(nul, { now: s.NOW }), { code: 'ERR_INVALID_CLAIM' })
})
