'use strict'
// Single use with a store of the caller's own, mirroring bindings-python/tests/test_single_use.py:
// verification calls the store's atomic `consume`, so of many concurrent verifications of one
// token exactly one passes; a store without `consume` is refused when a single-use verifier is
// built; `consume` answers only with a real boolean. The PostgreSQL reference store
// (examples/jti-store-postgres.js) runs when scripts/with-postgres.sh provides a server.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, ImpersonationSigner, ImpersonationVerifier, MemoryJtiStore } = require('@incidentfox/auth')
const s = require('./support.js')

const SECRET = 'single-use-test-secret-0123456789abcdef'
const CROWD = 8
const pause = () => new Promise((resolve) => setTimeout(resolve, 10))

// What a store looks like without `consume`: `contains` and `revoke` with a pause between them,
// as any database round trip has.
class CheckThenRevokeStore {
  constructor() {
    this.entries = new Map()
  }
  async record(entry) {
    this.entries.set(entry.jti, entry)
  }
  async contains(jti) {
    await pause()
    return this.entries.has(jti)
  }
  async revoke(jti) {
    await pause()
    return this.entries.delete(jti)
  }
}

class ConsumingStore extends CheckThenRevokeStore {
  async consume(jti) {
    await pause()
    return this.entries.delete(jti)
  }
}

function pair(store) {
  const options = { secret: SECRET, jtiStore: store, singleUse: true }
  return [new ImpersonationSigner(options), new ImpersonationVerifier(options)]
}

async function crowd(verifier, token) {
  const got = await Promise.all(Array.from({ length: CROWD }, () => s.outcome(() => verifier.verify(token))))
  return got.map((g) => (g instanceof Error ? s.codeOf(g) : 'ok')).sort()
}

const ONE_PASSES = [...Array(CROWD - 1).fill('jti_not_found'), 'ok']

test('a store without consume is refused for single use', () => {
  assert.throws(() => new ImpersonationVerifier({ secret: SECRET, jtiStore: new CheckThenRevokeStore(), singleUse: true }), (e) => {
    assert.equal(e.code, 'ERR_INVALID_CONFIG')
    assert.match(e.message, /consume/)
    return true
  })
  // Without single use the same store is fine: it is asked `contains` only.
  new ImpersonationVerifier({ secret: SECRET, jtiStore: new CheckThenRevokeStore(), jtiRequire: true })
  const env = { ADMIN_TOKEN: 'a'.repeat(40), IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_JTI_SINGLE_USE: '1' }
  assert.throws(() => Authenticator.fromEnv(env, { jtiStore: new CheckThenRevokeStore() }), { code: 'ERR_INVALID_CONFIG' })
})

test('a consume inherited from a polluted Object.prototype does not count', () => {
  Object.prototype.consume = async () => true
  try {
    assert.throws(() => new ImpersonationVerifier({ secret: SECRET, jtiStore: new CheckThenRevokeStore(), singleUse: true }), { code: 'ERR_INVALID_CONFIG' })
  } finally {
    delete Object.prototype.consume
  }
})

test('concurrent verifications of one token pass once', async () => {
  const [signer, verifier] = pair(new ConsumingStore())
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  assert.deepEqual(await crowd(verifier, minted.token), ONE_PASSES)
})

for (const answer of ['true', 1, [true], { jti: 'x' }, null]) {
  test(`a consume answer of ${JSON.stringify(answer)} is refused`, async () => {
    const store = new ConsumingStore()
    store.consume = async () => answer
    const [signer, verifier] = pair(store)
    const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
    await assert.rejects(verifier.verify(minted.token), (e) => {
      assert.equal(e.code, 'ERR_JTI_STORE_UNAVAILABLE')
      assert.match(e.message, /consume/)
      if (typeof answer === 'string') assert.ok(!e.message.includes(`'${answer}'`))
      return true
    })
  })
}

test('the memory store consumes once', async () => {
  const store = new MemoryJtiStore()
  const [signer] = pair(store)
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  assert.equal(await store.consume(minted.jti), true)
  assert.equal(await store.consume(minted.jti), false)
})

const DATABASE_URL = process.env.IFX_TEST_DATABASE_URL
test('the PostgreSQL reference store passes one of many', { skip: DATABASE_URL ? false : 'no IFX_TEST_DATABASE_URL (run under scripts/with-postgres.sh)' }, async () => {
  const { Pool } = require('pg')
  const { PgJtiStore } = require('../examples/jti-store-postgres.js')
  const pool = new Pool({ connectionString: DATABASE_URL, max: CROWD })
  try {
    const store = new PgJtiStore(pool)
    await store.migrate()
    const [signer, verifier] = pair(store)
    const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
    assert.equal(await store.contains(minted.jti), true)
    assert.deepEqual(await crowd(verifier, minted.token), ONE_PASSES)
    assert.equal(await store.contains(minted.jti), false)
    const other = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
    assert.equal(await store.revoke(other.jti), true)
    assert.equal(await store.revoke(other.jti), false)
  } finally {
    await pool.end()
  }
})
