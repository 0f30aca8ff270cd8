'use strict'
// Values the library did not expect are refused, never compared: a clock that is not a finite
// number, a leeway out of range, a short secret, and team-token rows in every shape a lookup
// returns (`Date` from `pg`, `Invalid Date`, ISO strings, NaN, booleans). Mirrors
// core/tests/fail_closed.rs and bindings-python/tests/test_fail_closed.py.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const {
  Authenticator,
  ImpersonationSigner,
  ImpersonationVerifier,
  OidcValidator,
  generateTeamToken,
} = require('@incidentfox/auth')
const s = require('./support.js')
const { codeOf, loadVectors, outcome, outcomeSync, teamRow, TeamTokens } = s

const ATTACKS = loadVectors('attacks.json')
const SECRET = 'impersonation-test-secret-0123456789abcdef'
const ADMIN = 'break-glass-admin-token-0123456789abcdef'
const PEPPER = 'pepper-for-the-fail-closed-tests'
const NOW = 1_700_000_000
const NOT_FINITE = [NaN, Infinity, -Infinity]

const validRs256 = () => ATTACKS.cases.find((c) => c.name === 'valid_rs256').token
const validator = (options = {}) =>
  new OidcValidator({
    issuer: ATTACKS.validator.issuer,
    audience: ATTACKS.validator.audiences,
    algorithms: ATTACKS.validator.algorithms,
    jwksJson: JSON.stringify(ATTACKS.jwks),
    ...options,
  })

const code = (result) => (result instanceof Error ? codeOf(result) : 'ok')

test('a clock that is not finite is refused by OIDC verification', async () => {
  const v = validator()
  const token = validRs256()
  assert.equal(code(outcomeSync(() => v.verifySync(token, { now: 4e9 }))), 'token_expired')
  for (const now of NOT_FINITE) {
    assert.equal(code(outcomeSync(() => v.verifySync(token, { now }))), 'invalid_config', `${now}`)
    assert.equal(code(await outcome(() => v.verify(token, { now }))), 'invalid_config', `${now}`)
  }
})

test('a clock that is not finite is refused by impersonation verification', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 'a', now: 1000 })
  const v = new ImpersonationVerifier({ secret: SECRET })
  assert.equal(code(outcomeSync(() => v.verifySync(minted.token, { now: 1e12 }))), 'token_expired')
  for (const now of NOT_FINITE) {
    assert.equal(code(outcomeSync(() => v.verifySync(minted.token, { now }))), 'invalid_config', `${now}`)
    assert.equal(code(await outcome(() => v.verify(minted.token, { now }))), 'invalid_config', `${now}`)
  }
})

test('a clock that is not finite is refused by the authenticator', async () => {
  const auth = Authenticator.fromEnv({ ADMIN_TOKEN: ADMIN })
  const headers = { authorization: `Bearer ${ADMIN}` }
  assert.equal((await auth.authenticate(headers, { now: NOW })).role, 'admin')
  for (const now of NOT_FINITE) {
    assert.equal(code(await outcome(() => auth.authenticate(headers, { now }))), 'invalid_config', `${now}`)
  }
})

test('a leeway out of range is invalid_config, in options and in the environment', () => {
  for (const leeway of [NaN, Infinity, -1, 301, 1e308]) {
    assert.equal(code(outcomeSync(() => validator({ leeway }))), 'invalid_config', `leeway ${leeway}`)
    const options = { secret: SECRET, leewaySeconds: leeway }
    assert.equal(code(outcomeSync(() => new ImpersonationVerifier(options))), 'invalid_config', `leewaySeconds ${leeway}`)
    const env = { IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_LEEWAY_SECONDS: String(leeway) }
    assert.equal(code(outcomeSync(() => ImpersonationVerifier.fromEnv(env))), 'invalid_config', `env ${leeway}`)
  }
  assert.equal(code(outcomeSync(() => validator({ leeway: 300 }))), 'ok')
})

test('TTLs are bounded and never wrap', async () => {
  const signer = new ImpersonationSigner({ secret: SECRET })
  const request = { orgId: 'o', teamNodeId: 't', subject: 'a', now: 0 }
  assert.equal(code(await outcome(() => signer.mint({ ...request, ttlSeconds: Number.MAX_SAFE_INTEGER }))), 'invalid_config')
  assert.equal((await signer.mint({ ...request, ttlSeconds: 86_400 })).expiresAt, 86_400)
  assert.equal(code(outcomeSync(() => new ImpersonationSigner({ secret: SECRET, ttlSeconds: 86_401 }))), 'invalid_config')
})

test('short secrets need the legacy opt-out', async () => {
  for (const secret of ['a', 'x'.repeat(31)]) {
    assert.equal(code(outcomeSync(() => new ImpersonationSigner({ secret }))), 'invalid_config')
    assert.equal(code(outcomeSync(() => new ImpersonationVerifier({ secret }))), 'invalid_config')
  }
  assert.equal(code(outcomeSync(() => Authenticator.fromEnv({ ADMIN_TOKEN: 'a' }))), 'invalid_config')
  const auth = Authenticator.fromEnv({ ADMIN_TOKEN: 'a', AUTH_ALLOW_SHORT_SECRETS: '1' })
  assert.equal((await auth.authenticate({ authorization: 'Bearer a' }, { now: NOW })).role, 'admin')
})

async function outcomeWith(times) {
  const made = generateTeamToken(PEPPER)
  const row = { ...teamRow(made), ...times }
  const auth = Authenticator.fromEnv({ ADMIN_TOKEN: ADMIN, TOKEN_PEPPER: PEPPER }, { teamTokenLookup: new TeamTokens([row]) })
  const result = await outcome(() => auth.authenticate({ authorization: `Bearer ${made.token}` }, { now: NOW }))
  return result instanceof Error ? codeOf(result) : result.authKind
}

const PAST = new Date((NOW - 60) * 1000)
const FUTURE = new Date((NOW + 3600) * 1000)

test('team-token rows are read strictly', async () => {
  const cases = [
    [{}, 'team_token'],
    [{ expiresAt: NOW + 60 }, 'team_token'],
    [{ expiresAt: FUTURE }, 'team_token'],
    [{ expiresAt: FUTURE.toISOString() }, 'team_token'],
    [{ revokedAt: PAST }, 'token_revoked'],
    [{ revokedAt: PAST.toISOString() }, 'token_revoked'],
    [{ revokedAt: NOW - 1 }, 'token_revoked'],
    [{ expiresAt: PAST }, 'token_expired'],
    [{ expiresAt: '2023-11-14T22:12:20Z' }, 'token_expired'],
    // Shapes that used to read as "no time", so a revoked or expired token passed.
    [{ revokedAt: new Date('not a date') }, 'lookup_unavailable'],
    [{ expiresAt: new Date(NaN) }, 'lookup_unavailable'],
    [{ revokedAt: NaN }, 'lookup_unavailable'],
    [{ expiresAt: Infinity }, 'lookup_unavailable'],
    [{ revokedAt: true }, 'lookup_unavailable'],
    [{ revokedAt: 'yes' }, 'lookup_unavailable'],
    [{ expiresAt: 'Invalid Date' }, 'lookup_unavailable'],
    [{ expiresAt: [] }, 'lookup_unavailable'],
  ]
  for (const [times, expected] of cases) {
    assert.equal(await outcomeWith(times), expected, JSON.stringify(times))
  }
})

test('required claims add to exp and the subject', async () => {
  const v = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks(), algorithms: ['ES256'], requiredClaims: ['email'] })
  const claims = s.oidcClaims({ email: 'a@example.com' })
  assert.equal(v.verifySync(await s.mintOidc(claims), { now: NOW }).subject, 'alice')
  for (const name of ['exp', 'sub', 'email']) {
    const without = { ...claims }
    delete without[name]
    const token = await s.mintOidc(without)
    assert.equal(code(outcomeSync(() => v.verifySync(token, { now: NOW }))), 'missing_claim', name)
  }
})

test('an OIDC subject with a control character is refused', async () => {
  const v = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks(), algorithms: ['ES256'] })
  for (const subject of ['alice\u0000admin', 'alice\nadmin', '', '   ']) {
    const token = await s.mintOidc(s.oidcClaims({ sub: subject }))
    assert.equal(code(outcomeSync(() => v.verifySync(token, { now: NOW }))), 'invalid_claim', JSON.stringify(subject))
  }
})

test('a mint clock that is not finite is refused, never read as 0', async () => {
  const signer = new ImpersonationSigner({ secret: SECRET })
  for (const now of NOT_FINITE) {
    assert.equal(code(await outcome(() => signer.mint({ orgId: 'o', teamNodeId: 't', subject: 'a', now }))), 'invalid_config', `${now}`)
    assert.equal(code(await outcome(() => signer.mintVisitor({ orgId: 'o', teamNodeId: 't', sessionId: 's', now }))), 'invalid_config', `${now}`)
  }
  assert.equal((await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 'a', now: 1000.5 })).expiresAt, 1900)
})

/** A JWKS endpoint on loopback: `served` is what it answers, `hits` how often it was asked. */
async function jwksServer(served) {
  const http = require('node:http')
  const state = { served, hits: 0 }
  const server = http.createServer((req, res) => {
    state.hits += 1
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(state.served))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.validator = (env = {}) =>
    OidcValidator.fromEnv({
      OIDC_ENABLED: '1',
      OIDC_ISSUER: s.ISSUER,
      OIDC_AUDIENCE: s.AUDIENCE,
      OIDC_JWKS_URL: `http://127.0.0.1:${server.address().port}/jwks`,
      ...env,
    })
  state.close = () => new Promise((resolve) => server.close(resolve))
  return state
}

test('an oversized token never drives a key fetch', async () => {
  const server = await jwksServer({ keys: [s.publicJwk('rs256')] })
  try {
    const v = server.validator()
    const huge = await s.mintOidc(s.oidcClaims({ pad: 'x'.repeat(20_000) }), 'rs256', { kid: 'a-kid-nobody-has' })
    assert.equal(code(outcomeSync(() => v.verifySync(huge))), 'token_too_large')
    assert.equal(code(await outcome(() => v.verify(huge))), 'token_too_large')
    assert.equal(server.hits, 0, 'an oversized token drove a fetch on a cold cache')
    const auth = Authenticator.fromEnv({ ADMIN_TOKEN: ADMIN })
    assert.equal(code(await outcome(() => auth.authenticate({ authorization: `Bearer ${huge}` }))), 'token_too_large')
  } finally {
    await server.close()
  }
})

test('a key replaced under the same kid takes its cached verdicts with it', async () => {
  const server = await jwksServer({ keys: [s.publicJwk('rs256')] })
  try {
    const v = server.validator({ OIDC_JWKS_MAX_AGE_SECONDS: '0.2' })
    const now = Math.floor(Date.now() / 1000)
    const token = await s.mintOidc(s.oidcClaims({ iat: now, exp: now + 600 }), 'rs256')
    assert.equal((await v.verify(token)).subject, 'alice')
    // The same kid, other key material: past max_age the stale set is served while a background
    // refresh fetches the new one; from then on the cached verdict matches no key.
    server.served = { keys: [{ ...s.publicJwk('rs256_rotated'), kid: s.publicJwk('rs256').kid }] }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const deadline = Date.now() + 5000
    let outcomeCode = 'ok'
    while (outcomeCode === 'ok' && Date.now() < deadline) {
      outcomeCode = code(await outcome(() => v.verify(token)))
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.equal(outcomeCode, 'invalid_signature')
    assert.equal(code(outcomeSync(() => v.verifySync(token))), 'invalid_signature')
  } finally {
    await server.close()
  }
})

test('a store answer that is not a boolean is refused, naming its type only', async () => {
  const signer = new ImpersonationSigner({ secret: SECRET })
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 'a' })
  const answers = ['false', 'true', [], [1], { jti: 'x' }, 1, 0, null, undefined]
  for (const answer of answers) {
    for (const asynchronous of [false, true]) {
      const store = {
        record() {},
        contains: asynchronous ? async () => answer : () => answer,
        revoke: () => answer,
      }
      const v = new ImpersonationVerifier({ secret: SECRET, jtiRequire: true, jtiStore: store })
      const result = await outcome(() => v.verify(minted.token))
      assert.equal(code(result), 'jti_store_unavailable', `${JSON.stringify(answer)} (async: ${asynchronous})`)
      assert.match(result.message, /not a boolean/)
      if (typeof answer === 'string') assert.ok(!result.message.includes(answer), result.message)
    }
  }
  for (const [answer, expected] of [[true, 'ok'], [false, 'jti_not_found']]) {
    const store = { record() {}, contains: () => answer, revoke: () => answer }
    const v = new ImpersonationVerifier({ secret: SECRET, jtiRequire: true, jtiStore: store })
    assert.equal(code(await outcome(() => v.verify(minted.token))), expected)
  }
})

test('a row whose two spellings of a time disagree is lookup_unavailable', async () => {
  const revoked = new Date((NOW - 60) * 1000)
  assert.equal(await outcomeWith({ revokedAt: null, revoked_at: revoked }), 'lookup_unavailable')
  assert.equal(await outcomeWith({ expiresAt: undefined, expires_at: revoked }), 'token_expired')
  assert.equal(await outcomeWith({ revokedAt: revoked, revoked_at: new Date(revoked.getTime()) }), 'token_revoked')
})

test('numeric options are range-checked, never wrapped', () => {
  const { MemoryJtiStore, PostgresJtiStore } = require('@incidentfox/auth')
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 40]) {
    assert.equal(code(outcomeSync(() => validator({ maxTokenBytes: bad }))), 'invalid_config', `maxTokenBytes ${bad}`)
  }
  for (const bad of [-1, 1.5, NaN]) {
    assert.equal(code(outcomeSync(() => validator({ verifiedCacheMaxEntries: bad }))), 'invalid_config', `${bad}`)
    const options = { secret: SECRET, verifiedCacheMaxEntries: bad }
    assert.equal(code(outcomeSync(() => new ImpersonationVerifier(options))), 'invalid_config', `${bad}`)
    assert.equal(code(outcomeSync(() => new MemoryJtiStore({ capacity: bad }))), 'invalid_config', `capacity ${bad}`)
    const url = 'postgres://user@127.0.0.1:1/db'
    assert.equal(code(outcomeSync(() => new PostgresJtiStore(url, { poolSize: bad }))), 'invalid_config', `poolSize ${bad}`)
  }
  assert.equal(code(outcomeSync(() => validator({ maxTokenBytes: 1024 * 1024 }))), 'ok')
  assert.ok(new MemoryJtiStore({ capacity: 10 }))
})
