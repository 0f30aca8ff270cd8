'use strict'
// Sharing and JTI stores, mirroring bindings-python/tests/test_concurrency.py: one validator
// across many concurrent verifies, the event loop kept free, JS stores (sync methods, async
// methods, broken ones) behind the impersonation signer and verifier, the memory store, and the
// PostgreSQL store when scripts/with-postgres.sh provides a server (IFX_TEST_DATABASE_URL).

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ImpersonationSigner, ImpersonationVerifier, MemoryJtiStore, OidcValidator, PostgresJtiStore, VerifiedToken } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('attacks.json')
// Cases the file's own validator judges (no per-case settings), repeated to make a crowd.
const PLAIN = DOC.cases.filter((c) => !('validator_overrides' in c) && !('now' in c))
const CROWD = [...PLAIN, ...PLAIN, ...PLAIN, ...PLAIN]
const SECRET = 'concurrency-test-secret-0123456789abcdef'

function sharedValidator() {
  const v = DOC.validator
  return new OidcValidator({
    issuer: v.issuer, audience: v.audiences, jwksJson: JSON.stringify(DOC.jwks), algorithms: v.algorithms,
    leeway: v.leeway, groupsClaim: v.groups_claim, requireKid: v.require_kid, maxTokenBytes: v.max_token_bytes,
  })
}

const verdict = (got) => (got instanceof VerifiedToken ? `valid:${got.subject}` : s.codeOf(got))
const expected = (c) => (c.expect.valid ? `valid:${c.expect.subject}` : c.expect.code)

test('one validator shared by concurrent verifies', async () => {
  assert.ok(PLAIN.length >= 30)
  const validator = sharedValidator()
  const got = await Promise.all(CROWD.map((c) => s.outcome(() => validator.verify(c.token, { now: DOC.now }))))
  assert.deepEqual(got.map(verdict), CROWD.map(expected))
})

test('verifying does not block the event loop', async () => {
  const validator = sharedValidator()
  const token = PLAIN.find((c) => c.expect.valid).token
  let ticks = 0
  let running = true
  const ticker = (async () => {
    while (running) {
      ticks += 1
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  await Promise.all(Array.from({ length: 200 }, () => validator.verify(token, { now: DOC.now })))
  running = false
  await ticker
  assert.ok(ticks > 1, `the loop ticked ${ticks} times`)
})

class SyncStore {
  constructor() {
    this.entries = new Map()
    this.calls = []
  }
  record(entry) {
    this.calls.push('record')
    this.entries.set(entry.jti, { ...entry })
  }
  contains(jti) {
    this.calls.push('contains')
    return this.entries.has(jti)
  }
  revoke(jti) {
    this.calls.push('revoke')
    return this.entries.delete(jti)
  }
  consume(jti) {
    this.calls.push('consume')
    return this.entries.delete(jti)
  }
}

class AsyncStore {
  constructor() {
    this.entries = new Map()
    this.inFlight = 0
    this.maxInFlight = 0
  }
  async enter() {
    this.inFlight += 1
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    await new Promise((resolve) => setTimeout(resolve, 10))
    this.inFlight -= 1
  }
  async record(entry) {
    await this.enter()
    this.entries.set(entry.jti, { ...entry })
  }
  async contains(jti) {
    await this.enter()
    return this.entries.has(jti)
  }
  async revoke(jti) {
    await this.enter()
    return this.entries.delete(jti)
  }
}

const brokenStore = {
  record() { throw new Error('database is down') },
  contains: async () => { throw new Error('database is down') },
  revoke: () => Promise.reject(new Error('database is down')),
}

function pair(store, options = {}) {
  const settings = { secret: SECRET, jtiLogging: true, jtiRequire: true, jtiStore: store, ...options }
  return [new ImpersonationSigner(settings), new ImpersonationVerifier(settings)]
}

test('a sync JS store records, checks and revokes', async () => {
  const store = new SyncStore()
  const [signer, verifier] = pair(store)
  const minted = await signer.mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'admin', email: 'a@example.com' })
  const entry = store.entries.get(minted.jti)
  assert.deepEqual(
    [entry.jti, entry.orgId, entry.teamNodeId, entry.subject, entry.email],
    [minted.jti, 'org-1', 'team-1', 'admin', 'a@example.com'],
  )
  assert.equal(entry.expiresAt, minted.expiresAt)
  assert.equal(entry.expiresAt - entry.issuedAt, 900)
  assert.equal((await verifier.verify(minted.token)).jti, minted.jti)
  assert.ok(store.revoke(minted.jti))
  await assert.rejects(verifier.verify(minted.token), { code: 'ERR_JTI_NOT_FOUND', status: 401 })
  assert.equal(store.calls.filter((c) => c === 'record').length, 1)
  assert.equal(store.calls.filter((c) => c === 'contains').length, 2)
})

test('single use with a sync JS store', async () => {
  const [signer, verifier] = pair(new SyncStore(), { singleUse: true })
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  await verifier.verify(minted.token)
  await assert.rejects(verifier.verify(minted.token), { code: 'ERR_JTI_NOT_FOUND' })
})

test('an async JS store, many mints and verifies at once', async () => {
  const store = new AsyncStore()
  const [signer, verifier] = pair(store)
  const minted = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.mint({ orgId: 'org-1', teamNodeId: `team-${i}`, subject: 'admin' })))
  assert.equal(store.entries.size, 20)
  const verified = await Promise.all(minted.map((m) => verifier.verify(m.token)))
  assert.deepEqual(verified.map((v) => v.teamNodeId), minted.map((_, i) => `team-${i}`))
  assert.ok(await store.revoke(minted[0].jti))
  await assert.rejects(verifier.verify(minted[0].token), { code: 'ERR_JTI_NOT_FOUND' })
  // The store's methods ran side by side on the event loop.
  assert.ok(store.maxInFlight > 1, `at most ${store.maxInFlight} at once`)
})

test('a visitor token through an async store', async () => {
  const [signer, verifier] = pair(new AsyncStore())
  const minted = await signer.mintVisitor({ orgId: 'o', teamNodeId: 't', sessionId: 'vs-1' })
  assert.equal((await verifier.verify(minted.token)).visitorSessionId, 'vs-1')
})

test('a failing store fails closed', async () => {
  const [signer, verifier] = pair(brokenStore)
  // Strict: no token without a record.
  await assert.rejects(signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' }), (e) => {
    assert.equal(e.code, 'ERR_JTI_STORE_UNAVAILABLE')
    assert.equal(e.status, 503)
    assert.ok(e.message.includes('database is down'))
    return true
  })
  const good = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  await assert.rejects(verifier.verify(good.token), { code: 'ERR_JTI_STORE_UNAVAILABLE', status: 503 })
})

test('a store answering a non-boolean fails closed', async () => {
  const [, verifier] = pair({ record() {}, contains: () => ({}), revoke: () => true })
  const good = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  // Never truth-tested: an object (a row, a driver's result) is not "recorded".
  await assert.rejects(verifier.verify(good.token), { code: 'ERR_JTI_STORE_UNAVAILABLE', status: 503 })
})

test('best-effort mode mints despite a failing store', async () => {
  const signer = new ImpersonationSigner({ secret: SECRET, jtiLogging: true, recordMode: 'best_effort', jtiStore: brokenStore })
  assert.equal((await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })).token.split('.').length, 3)
})

test('a store missing a method is refused at construction', () => {
  assert.throws(() => new ImpersonationSigner({ secret: SECRET, jtiStore: { record() {}, contains() {} } }), { code: 'ERR_INVALID_CONFIG', status: 500 })
  assert.throws(() => new ImpersonationSigner({ secret: SECRET, recordMode: 'sometimes' }), { code: 'ERR_INVALID_CONFIG' })
})

test('the memory store shared by many mints', async () => {
  const store = new MemoryJtiStore()
  const [signer, verifier] = pair(store)
  const minted = await Promise.all(Array.from({ length: 50 }, (_, i) => signer.mint({ orgId: 'o', teamNodeId: `t${i}`, subject: 's' })))
  assert.equal(store.size, 50)
  assert.ok((await Promise.all(minted.map((m) => store.contains(m.jti)))).every(Boolean))
  await Promise.all(minted.map((m) => verifier.verify(m.token)))
  assert.ok(await store.revoke(minted[0].jti))
  assert.equal(await store.contains(minted[0].jti), false)
  const now = Math.floor(Date.now() / 1000)
  await store.record({ jti: 'a'.repeat(32), orgId: 'o', teamNodeId: 't', issuedAt: now, expiresAt: now + 60 })
  assert.ok(await store.contains('a'.repeat(32)))
})

test('fromEnv takes a store too', async () => {
  const store = new MemoryJtiStore()
  const env = { IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_JTI_DB_LOGGING: '1', IMPERSONATION_JTI_DB_REQUIRE: '1' }
  const signer = ImpersonationSigner.fromEnv(env, { jtiStore: store })
  const verifier = ImpersonationVerifier.fromEnv(env, { jtiStore: new SyncStore() })
  assert.ok(signer instanceof ImpersonationSigner && verifier instanceof ImpersonationVerifier)
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  assert.ok(await store.contains(minted.jti))
  await assert.rejects(verifier.verify(minted.token), { code: 'ERR_JTI_NOT_FOUND' })
})

const DATABASE_URL = process.env.IFX_TEST_DATABASE_URL
test('the PostgreSQL store', { skip: DATABASE_URL ? false : 'no IFX_TEST_DATABASE_URL (run under scripts/with-postgres.sh)' }, async () => {
  const store = new PostgresJtiStore(DATABASE_URL, { poolSize: 4 })
  await store.migrate()
  await store.migrate() // idempotent
  const [signer, verifier] = pair(store)
  const minted = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.mint({ orgId: 'org-node', teamNodeId: `t${i}`, subject: 's' })))
  await Promise.all(minted.map((m) => verifier.verify(m.token)))
  assert.ok(await store.revoke(minted[0].jti))
  await assert.rejects(verifier.verify(minted[0].token), { code: 'ERR_JTI_NOT_FOUND' })
  assert.equal(typeof (await store.purgeExpired()), 'number')
  const env = PostgresJtiStore.fromEnv({ IMPERSONATION_JTI_DATABASE_URL: DATABASE_URL })
  assert.ok(await env.contains(minted[1].jti))
  const down = new PostgresJtiStore('postgres://postgres@127.0.0.1:1/nowhere')
  await assert.rejects(down.contains('x'), { code: 'ERR_JTI_STORE_UNAVAILABLE', status: 503 })
})
