'use strict'
// testdata/vectors/me.json (credential + configuration → GET /api/v1/auth/me), mirroring
// core/tests/vectors_me.rs and bindings-python/tests/test_vectors_me.py:
// `Authenticator.fromEnv(env, { jtiStore: new MemoryJtiStore(), teamTokenLookup })` then
// `authenticate(headers, { now })`, compared as text so the member order counts.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, MemoryJtiStore, Principal } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('me.json')
const CASES = DOC.cases
const NOW = Number(DOC.now)

const envOf = (c) => ({ ...DOC.base_env, ...c.env })

function headersOf(c) {
  if ('headers' in c) return { ...c.headers }
  if ('internal_service' in c) return { 'X-Internal-Service': c.internal_service }
  return c.credential ? { Authorization: `Bearer ${c.credential}` } : {}
}

function build(c, lookup = new s.TeamTokens(DOC.team_tokens)) {
  return Authenticator.fromEnv(envOf(c), { jtiStore: new MemoryJtiStore(), teamTokenLookup: lookup })
}

function asText(result) {
  return result instanceof Principal ? JSON.stringify({ me: result }) : JSON.stringify({ error: s.codeOf(result) })
}

async function outcomeOf(c, lookup) {
  // A configuration error is thrown by fromEnv; a credential error rejects authenticate.
  return s.outcome(async () => build(c, lookup).authenticate(headersOf(c), { now: NOW }))
}

const teamCase = () => CASES.find((c) => c.name === 'team token')

test('the file is well formed', () => {
  assert.ok(CASES.length >= 55)
  s.uniqueNames(CASES)
})

test('every me vector', async () => {
  const failures = []
  for (const c of CASES) {
    const got = asText(await outcomeOf(c))
    if (got !== JSON.stringify(c.expect)) failures.push(`${c.name}: expected ${JSON.stringify(c.expect)}, got ${got}`)
  }
  s.report(failures, CASES.length, 'me vectors')
})

test('every me vector, all at once', async () => {
  const results = await Promise.all(CASES.map((c) => outcomeOf(c)))
  const failures = []
  CASES.forEach((c, i) => {
    if (asText(results[i]) !== JSON.stringify(c.expect)) failures.push(`${c.name}: got ${asText(results[i])}`)
  })
  s.report(failures, CASES.length, 'me vectors (concurrent)')
})

test('principal getters agree with toJSON', async () => {
  for (const c of CASES) {
    if (!('me' in c.expect)) continue
    const principal = await build(c).authenticate(headersOf(c), { now: NOW })
    const me = c.expect.me
    assert.equal(principal.role, me.role)
    // An org-admin token is its own kind in the principal; /auth/me names it admin_token.
    const reported = principal.authKind === 'org_admin_token' ? 'admin_token' : principal.authKind
    assert.equal(reported, me.auth_kind)
    if (principal.authKind === 'org_admin_token') assert.ok(me.org_id)
    assert.equal(principal.canWrite, me.can_write)
    assert.deepEqual(principal.permissions, me.permissions)
    for (const [getter, member] of [['orgId', 'org_id'], ['teamNodeId', 'team_node_id'], ['subject', 'subject'], ['email', 'email'], ['visitorSessionId', 'visitor_session_id']]) {
      assert.equal(principal[getter], me[member] ?? null, `${c.name}: ${getter}`)
    }
    assert.equal(principal.isAdmin, me.role === 'admin')
  }
})

test('the lookup is asked by token id', async () => {
  const c = teamCase()
  const lookup = new s.TeamTokens(DOC.team_tokens)
  await Authenticator.fromEnv(envOf(c), { teamTokenLookup: lookup }).authenticate(headersOf(c), { now: NOW })
  assert.deepEqual(lookup.calls, [c.credential.split('.')[0]])
})

test('an async lookup with camelCase rows and Date times', async () => {
  const c = teamCase()
  const rows = new Map(DOC.team_tokens.map((r) => [r.token_id, {
    orgId: r.org_id, teamNodeId: r.team_node_id, tokenId: r.token_id, tokenHash: r.token_hash,
    revokedAt: r.revoked_at == null ? null : new Date(r.revoked_at * 1000),
    expiresAt: r.expires_at == null ? undefined : new Date(r.expires_at * 1000), kind: r.kind,
  }]))
  const lookup = { async lookup(tokenId) { await new Promise((r) => setTimeout(r, 1)); return rows.get(tokenId) } }
  const principal = await Authenticator.fromEnv(envOf(c), { teamTokenLookup: lookup }).authenticate(headersOf(c), { now: NOW })
  assert.equal(JSON.stringify(principal), JSON.stringify(c.expect.me))
})

test('a lookup that fails is lookup_unavailable', async () => {
  const c = teamCase()
  for (const lookup of [
    { lookup() { throw new Error('the team-token table is unreachable') } },
    { lookup: async () => { throw new Error('the team-token table is unreachable') } },
    { lookup: () => ({ orgId: 'org-1' }) },
  ]) {
    const auth = Authenticator.fromEnv(envOf(c), { teamTokenLookup: lookup })
    await assert.rejects(auth.authenticate(headersOf(c), { now: NOW }), { code: 'ERR_LOOKUP_UNAVAILABLE', status: 503 })
  }
})

test('a lookup that throws an error of ours passes its code through', async () => {
  const c = teamCase()
  const failing = { async lookup() { throw Object.assign(new Error('the store is down'), { code: 'ERR_JTI_STORE_UNAVAILABLE' }) } }
  const auth = Authenticator.fromEnv(envOf(c), { teamTokenLookup: failing })
  await assert.rejects(auth.authenticate(headersOf(c), { now: NOW }), { code: 'ERR_JTI_STORE_UNAVAILABLE', status: 503 })
})

test('a lookup without a lookup method is refused at load', () => {
  assert.throws(() => Authenticator.fromEnv(envOf(teamCase()), { teamTokenLookup: {} }), { code: 'ERR_INVALID_CONFIG', status: 500 })
})

test('errors never echo the presented credential', async () => {
  const error = await s.outcome(() => build(CASES[0]).authenticate({ Authorization: 'Bearer a-wrong-token-value' }, { now: NOW }))
  assert.ok(error instanceof Error)
  assert.ok(!String(error).includes('a-wrong-token-value'))
  assert.ok(!JSON.stringify({ ...error, message: error.message }).includes('a-wrong-token-value'))
})

test('headers as Headers, Map and pairs give the same principal', async () => {
  const c = CASES[0]
  const auth = build(c)
  const want = JSON.stringify(c.expect.me)
  const value = `Bearer ${c.credential}`
  for (const headers of [new Headers({ Authorization: value }), new Map([['authorization', value]]), [['Authorization', value]], { authorization: [value] }]) {
    assert.equal(JSON.stringify(await auth.authenticate(headers, { now: NOW })), want)
  }
})
