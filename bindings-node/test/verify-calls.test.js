'use strict'
// The verify calls (`verifySync`, `verifyHit`, `verify`) call the addon directly rather than
// through the wrapper every other method goes through (lib/index.js), and their results cross as
// JSON text parsed in JS (lib/verified.js). What the wrapper does must still hold on them: each
// argument through `own`, napi's conversion errors renamed without the value, every check of
// the core; and the fields must read back exactly as the core wrote them.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ImpersonationSigner, ImpersonationVerifier, OidcValidator, VerifiedImpersonation, VerifiedToken } = require('@incidentfox/auth')
const s = require('./support.js')

const SECRET = 'verify-calls-secret-0123456789abcdef'

const validator = (extra = {}) =>
  new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks('es256'), algorithms: ['ES256'], ...extra })

async function freshOidc(extra = {}) {
  const now = Math.floor(Date.now() / 1000)
  return s.mintOidc(s.oidcClaims({ iat: now - 5, exp: now + 600, ...extra }), 'es256')
}

async function freshImpersonation(extra = {}) {
  return new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'okta|admin', ...extra })
}

// Each verifier with a valid token for it, built fresh per call so that a cache starts empty.
async function cases() {
  return [
    ['OidcValidator', (extra) => validator(extra), await freshOidc()],
    ['ImpersonationVerifier', (extra) => new ImpersonationVerifier({ secret: SECRET, ...extra }), (await freshImpersonation()).token],
  ]
}

// The outcome of `call` as `{ error }` or `{ value }`, a synchronous throw and a rejection alike.
async function settle(call) {
  try {
    return { value: await call() }
  } catch (error) {
    return { error }
  }
}

test('a token that is not a string is ERR_INVALID_CONFIG from every verify call, its value never shown', async () => {
  for (const [name, build, token] of await cases()) {
    const v = build()
    for (const bad of [12345, { token }, ['a.b.c'], null, undefined, Buffer.from(token)]) {
      for (const [call, run] of [
        ['verifySync', () => v.verifySync(bad)],
        ['verifyHit', () => v.verifyHit(bad)],
        ['verify', () => v.verify(bad)],
      ]) {
        const { error } = await settle(run)
        const what = `${name}.${call}(${typeof bad})`
        assert.ok(error instanceof Error, what)
        assert.equal(error.code, 'ERR_INVALID_CONFIG', what)
        assert.equal(error.message, 'an argument has the wrong type (expected String)', what)
      }
    }
  }
})

test('options of the wrong type are ERR_INVALID_CONFIG naming the option, never echoing the value', async () => {
  for (const [name, build, token] of await cases()) {
    const v = build()
    for (const [call, run] of [
      ['verifySync', () => v.verifySync(token, { now: 'not-a-number-sentinel' })],
      ['verifyHit', () => v.verifyHit(token, { now: 'not-a-number-sentinel' })],
      ['verify', () => v.verify(token, { now: 'not-a-number-sentinel' })],
    ]) {
      const { error } = await settle(run)
      assert.equal(error?.code, 'ERR_INVALID_CONFIG', `${name}.${call}`)
      assert.equal(error.status, 500)
      assert.match(error.message, /^`VerifyOptions\.now` has the wrong type/, `${name}.${call}`)
      assert.ok(!error.message.includes('sentinel'), `${name}.${call}: ${error.message}`)
    }
  }
})

test('no options, undefined, null and {} all verify on the clock; an explicit now is used', async () => {
  for (const [name, build, token] of await cases()) {
    const v = build({ verifiedCacheTtlSeconds: 0 })
    const subjects = [v.verifySync(token), v.verifySync(token, undefined), v.verifySync(token, null), v.verifySync(token, {})].map(
      (r) => r.subject,
    )
    assert.equal(new Set(subjects).size, 1, name)
    assert.equal((await v.verify(token, {})).subject, subjects[0], name)
    // Far in the future the token has expired: `now` reached the core.
    assert.throws(() => v.verifySync(token, { now: 1e10 }), { code: 'ERR_TOKEN_EXPIRED' }, name)
    await assert.rejects(v.verify(token, { now: 1e10 }), { code: 'ERR_TOKEN_EXPIRED' }, name)
  }
})

test('a polluted Object.prototype.now is never read by a verify call', async (t) => {
  Object.prototype.now = 1e10 // eslint-disable-line no-extend-native
  t.after(() => delete Object.prototype.now)
  for (const [name, build, token] of await cases()) {
    const v = build()
    // Read as the clock, 1e10 would make the token expired (and keep it out of the cache).
    assert.ok(v.verifySync(token).subject, name)
    assert.ok(v.verifySync(token, {}).subject, name)
    assert.ok((await v.verify(token, {})).subject, name)
    // A cached token is a hit only without an explicit clock.
    assert.ok(v.verifyHit(token, {}) !== null, name)
    assert.ok(v.verifyHit(token) !== null, name)
  }
})

test('an options object is read through own: a getter\'s value is the clock, its error passes unchanged', async () => {
  for (const [name, build, token] of await cases()) {
    const v = build({ verifiedCacheTtlSeconds: 0 })
    let reads = 0
    const options = {
      get now() {
        reads += 1
        return 1e10
      },
    }
    assert.throws(() => v.verifySync(token, options), { code: 'ERR_TOKEN_EXPIRED' }, name)
    assert.ok(reads > 0, name)
    const failing = {
      get now() {
        throw new RangeError('getter failed')
      },
    }
    assert.throws(() => v.verifySync(token, failing), (e) => e instanceof RangeError && e.message === 'getter failed', name)
    assert.throws(() => v.verifyHit(token, failing), RangeError, name)
    assert.equal((await settle(() => v.verify(token, failing))).error?.message, 'getter failed', name)
  }
})

test('every check still runs: a tampered token, a wrong audience and a bad signature are refused', async () => {
  const oidcToken = await freshOidc()
  const [head, payload, sig] = oidcToken.split('.')
  const flipped = `${head}.${payload}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`
  assert.throws(() => validator().verifySync(flipped), { code: 'ERR_INVALID_SIGNATURE', status: 401 })
  assert.equal(validator().verifyHit(flipped), null)
  await assert.rejects(validator().verify(flipped), { code: 'ERR_INVALID_SIGNATURE' })
  const elsewhere = await freshOidc({ aud: 'someone-else' })
  assert.throws(() => validator().verifySync(elsewhere), { code: 'ERR_INVALID_AUDIENCE' })
  assert.throws(() => validator().verifySync('not a token'), { code: 'ERR_TOKEN_MALFORMED' })

  const minted = await freshImpersonation()
  const other = new ImpersonationVerifier({ secret: 'another-secret-0123456789abcdefghij' })
  assert.throws(() => other.verifySync(minted.token), { code: 'ERR_INVALID_SIGNATURE' })
  await assert.rejects(other.verify(minted.token), { code: 'ERR_INVALID_SIGNATURE' })
})

test('a verify call on an object that is not a verifier is a TypeError, not a verification', async () => {
  for (const [name, , token] of await cases()) {
    const proto = name === 'OidcValidator' ? OidcValidator.prototype : ImpersonationVerifier.prototype
    assert.throws(() => proto.verifySync.call({}, token), TypeError, name)
    assert.throws(() => proto.verifyHit.call({}, token), TypeError, name)
  }
})

test('OIDC fields read back exactly, whatever their characters', async () => {
  const odd = 'a "quoted" \\ back\u2028slash é 😀 </script>'
  const groups = ['__proto__', odd, '', 'x'.repeat(300), 'constructor']
  const token = await freshOidc({ sub: odd, email: '\u00e9@example.com', groups, org_id: '{"not":"json"}', team_node_id: 'null' })
  for (const got of [validator().verifySync(token), await validator().verify(token)]) {
    assert.ok(got instanceof VerifiedToken)
    assert.equal(got.subject, odd)
    assert.equal(got.email, '\u00e9@example.com')
    assert.deepEqual(got.groups, groups)
    assert.equal(Object.getPrototypeOf(got.groups), Array.prototype)
    assert.equal(got.orgId, '{"not":"json"}')
    assert.equal(got.teamNodeId, 'null')
    assert.equal(got.claims.sub, odd)
  }
  const v = validator()
  v.verifySync(token)
  const hit = v.verifyHit(token)
  assert.ok(hit instanceof VerifiedToken)
  assert.deepEqual([hit.subject, hit.groups], [odd, groups])
})

test('impersonation and visitor fields read back exactly, the principal from them', async () => {
  const now = Math.floor(Date.now() / 1000)
  const signer = new ImpersonationSigner({ secret: SECRET })
  const odd = 'okta|"ad\\min" 😀'
  const team = await signer.mint({ orgId: 'org-é', teamNodeId: 'team-\u2028', subject: odd, email: 'a@b.example', now })
  const visitor = await signer.mintVisitor({ orgId: 'org-1', teamNodeId: 'team-1', sessionId: 'sess-"1"', now })
  const v = new ImpersonationVerifier({ secret: SECRET })
  for (const got of [v.verifySync(team.token), await v.verify(team.token), v.verifyHit(team.token)]) {
    assert.ok(got instanceof VerifiedImpersonation)
    assert.deepEqual(
      [got.kind, got.subject, got.email, got.orgId, got.teamNodeId, got.visitorSessionId, got.jti, got.expiresAt],
      ['team_impersonation', odd, 'a@b.example', 'org-é', 'team-\u2028', null, team.jti, team.expiresAt],
    )
    assert.equal(typeof got.expiresAt, 'number')
    assert.deepEqual(got.principal().toJSON().permissions, ['team:read'])
  }
  const got = v.verifySync(visitor.token)
  assert.deepEqual(
    [got.kind, got.subject, got.email, got.visitorSessionId, got.jti, got.expiresAt],
    ['visitor', 'visitor:sess-"1"', null, 'sess-"1"', visitor.jti, visitor.expiresAt],
  )
  assert.equal(got.principal().toJSON().orgId ?? got.principal().toJSON().org_id, 'org-1')
})
