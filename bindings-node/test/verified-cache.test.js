'use strict'
// The verified-token cache from Node: on by default, configurable through the constructors, a hit
// reads back the same claims, a changed token is never a hit. The core's tests prove it never
// returns an expired, revoked or removed-key token.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ImpersonationSigner, ImpersonationVerifier, OidcValidator } = require('@incidentfox/auth')
const s = require('./support.js')

const SECRET = 'cache-test-secret-0123456789abcdef'

function validator(extra = {}) {
  return new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks('es256'), algorithms: ['ES256'], ...extra })
}

async function freshToken() {
  const now = Math.floor(Date.now() / 1000)
  return s.mintOidc(s.oidcClaims({ iat: now - 5, exp: now + 600, email: 'alice@example.com', groups: ['sre'] }), 'es256')
}

test('a repeat is a hit with the same claims and identity', async () => {
  const v = validator()
  const token = await freshToken()
  const first = v.verifySync(token)
  assert.equal(v.verifiedCacheLen(), 1)
  const again = v.verifySync(token)
  const later = await v.verify(token)
  assert.equal(v.verifiedCacheLen(), 1)
  for (const hit of [again, later]) {
    assert.deepEqual(hit.claims, first.claims)
    assert.deepEqual([hit.subject, hit.email, hit.groups], [first.subject, first.email, first.groups])
  }
})

test('an explicit now never uses the cache', async () => {
  const v = validator()
  v.verifySync(await freshToken(), { now: Date.now() / 1000 })
  assert.equal(v.verifiedCacheLen(), 0)
})

for (const settings of [{ verifiedCacheTtlSeconds: 0 }, { verifiedCacheMaxEntries: 0 }]) {
  test(`the cache turns off with ${JSON.stringify(settings)}`, async () => {
    const v = validator(settings)
    const token = await freshToken()
    v.verifySync(token)
    v.verifySync(token)
    assert.equal(v.verifiedCacheLen(), 0)
  })
}

test('a bad ttl is ERR_INVALID_CONFIG', () => {
  for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => validator({ verifiedCacheTtlSeconds: ttl }), { code: 'ERR_INVALID_CONFIG' }, String(ttl))
    assert.throws(() => new ImpersonationVerifier({ secret: SECRET, verifiedCacheTtlSeconds: ttl }), { code: 'ERR_INVALID_CONFIG' })
  }
})

test('a tampered repeat is not a hit', async () => {
  const v = validator()
  const token = await freshToken()
  v.verifySync(token)
  const [head, payload, signature] = token.split('.')
  const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11)
  assert.throws(() => v.verifySync(`${head}.${payload}.${flipped}`), { code: 'ERR_INVALID_SIGNATURE' })
})

test('the impersonation verifier takes the cache settings', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  for (const settings of [{}, { verifiedCacheTtlSeconds: 0 }, { verifiedCacheTtlSeconds: 60, verifiedCacheMaxEntries: 10 }]) {
    const verifier = new ImpersonationVerifier({ secret: SECRET, ...settings })
    assert.equal(verifier.verifySync(minted.token).jti, minted.jti)
    assert.equal((await verifier.verify(minted.token)).jti, minted.jti)
  }
})

test('a repeat token is answered on the main thread, with the same result and the same refusals', async () => {
  const { Authenticator } = require('@incidentfox/auth')
  const v = validator()
  const token = await freshToken()
  assert.equal(v.verifyHit(token), null)
  const first = await v.verify(token)
  const hit = v.verifyHit(token)
  assert.notEqual(hit, null)
  assert.deepEqual(hit.claims, first.claims)
  assert.deepEqual((await v.verify(token)).claims, first.claims)
  // An explicit now never takes the shortcut.
  assert.deepEqual((await v.verify(token, { now: Date.now() / 1000 })).claims, first.claims)

  const auth = Authenticator.fromEnv({
    ADMIN_AUTH_MODE: 'oidc', OIDC_ENABLED: '1', OIDC_ISSUER: s.ISSUER, OIDC_AUDIENCE: s.AUDIENCE,
    OIDC_ALG: 'ES256', OIDC_JWKS_JSON: s.oidcJwks('es256'),
  })
  const now = Math.floor(Date.now() / 1000)
  const admin = await s.mintOidc(s.oidcClaims({ iat: now - 5, exp: now + 600, groups: [s.ADMIN_GROUP] }), 'es256')
  const headers = { authorization: `Bearer ${admin}` }
  assert.equal(auth.authenticateHit(Object.entries(headers)), null)
  const me = await auth.authenticate(headers)
  assert.equal(JSON.stringify(auth.authenticateHit(Object.entries(headers))), JSON.stringify(me))
  assert.equal(JSON.stringify(await auth.authenticate(headers)), JSON.stringify(me))

  // A cached refusal is the same refusal, still as a rejected Promise.
  const member = await s.mintOidc(s.oidcClaims({ iat: now - 5, exp: now + 600, groups: ['readers'] }), 'es256')
  const memberHeaders = { authorization: `Bearer ${member}` }
  await assert.rejects(auth.authenticate(memberHeaders), { code: 'ERR_NOT_ADMIN', status: 403 })
  assert.throws(() => auth.authenticateHit(Object.entries(memberHeaders)), { code: 'ERR_NOT_ADMIN' })
  const repeat = auth.authenticate(memberHeaders)
  assert.ok(repeat instanceof Promise)
  await assert.rejects(repeat, { code: 'ERR_NOT_ADMIN', status: 403 })
})

test('a repeat impersonation token is answered on the main thread, unless a JTI store must be asked', async () => {
  const { MemoryJtiStore } = require('@incidentfox/auth')
  const signer = new ImpersonationSigner({ secret: SECRET })
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's', email: 's@example.com' })
  const verifier = new ImpersonationVerifier({ secret: SECRET })
  assert.equal(verifier.verifyHit(minted.token), null)
  const first = await verifier.verify(minted.token)
  const hit = verifier.verifyHit(minted.token)
  assert.notEqual(hit, null)
  assert.deepEqual([hit.jti, hit.subject, hit.email, hit.expiresAt], [first.jti, first.subject, first.email, first.expiresAt])
  assert.deepEqual(hit.claims, first.claims)
  assert.deepEqual(JSON.stringify(hit.principal()), JSON.stringify(first.principal()))
  assert.deepEqual((await verifier.verify(minted.token)).claims, first.claims)
  // An explicit now never takes the shortcut: an hour later the same token is expired.
  await assert.rejects(verifier.verify(minted.token, { now: Date.now() / 1000 + 3600 }), { code: 'ERR_TOKEN_EXPIRED' })
  assert.equal(new ImpersonationVerifier({ secret: SECRET, verifiedCacheTtlSeconds: 0 }).verifyHit(minted.token), null)

  // With jtiRequire every verify asks the store, so a revocation after a success is seen at once.
  const store = new MemoryJtiStore()
  const settings = { secret: SECRET, jtiRequire: true, jtiLogging: true, jtiStore: store }
  const recorded = await new ImpersonationSigner(settings).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  const checking = new ImpersonationVerifier(settings)
  assert.equal((await checking.verify(recorded.token)).jti, recorded.jti)
  assert.equal(checking.verifyHit(recorded.token), null)
  assert.ok(await store.revoke(recorded.jti))
  await assert.rejects(checking.verify(recorded.token), { code: 'ERR_JTI_NOT_FOUND' })
})
