'use strict'
// A hook cannot take the process down: a team-token lookup or JTI store whose promise never
// settles fails its own calls at the deadline (ERR_LOOKUP_UNAVAILABLE, ERR_JTI_STORE_UNAVAILABLE),
// past the bound at once; credentials that need no hook, and other authenticators, keep
// answering meanwhile. Mirrors bindings-python/tests/test_hooks.py.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, ImpersonationSigner, ImpersonationVerifier, generateTeamToken } = require('@incidentfox/auth')
const s = require('./support.js')

const ADMIN = 'break-glass-admin-token-for-the-hook-tests'
const PEPPER = 'pepper-for-the-hook-tests'
const SECRET = 'impersonation-secret-for-the-hook-tests-0123'
const DEADLINE = 0.5
// Generous: the machine running the suite may be busy; only "answered, not hung" matters.
const SLACK = 5

const env = (extra = {}) => ({ ADMIN_TOKEN: ADMIN, TOKEN_PEPPER: PEPPER, ...extra })
const seconds = () => performance.now() / 1000

/** A lookup and store whose database stopped answering: every promise stays pending. */
class StalledDatabase {
  constructor() {
    this.calls = 0
  }
  stall() {
    this.calls += 1
    return new Promise(() => {})
  }
  lookup() {
    return this.stall()
  }
  record() {
    return this.stall()
  }
  contains() {
    return this.stall()
  }
  revoke() {
    return this.stall()
  }
}

const teamHeaders = () => s.bearer(generateTeamToken(PEPPER).token)

/** The code `call()` rejects with, and when (seconds from `started`). */
async function failure(call, started) {
  const got = await s.outcome(call)
  assert.ok(got instanceof Error, `expected a rejection, got ${JSON.stringify(got)}`)
  return [got.code, seconds() - started]
}

test('600 never-settling lookups fail at the deadline while admins and other authenticators answer', async () => {
  const database = new StalledDatabase()
  // Longer than the other tests': the admins must answer before it, on a machine that may be busy.
  const deadline = 2
  const stalled = Authenticator.fromEnv(s.oidcAdminEnv(env({ ADMIN_AUTH_MODE: 'both' })), {
    teamTokenLookup: database,
    hookDeadlineSeconds: deadline,
  })
  const made = generateTeamToken(PEPPER)
  const healthy = Authenticator.fromEnv(env(), { teamTokenLookup: new s.TeamTokens([s.teamRow(made)]) })
  const now = Math.floor(Date.now() / 1000)
  const oidc = s.bearer(await s.mintOidc(s.oidcClaims({ groups: [s.ADMIN_GROUP], iat: now, exp: now + 300 })))

  const started = seconds()
  const hung = Array.from({ length: 600 }, () => failure(() => stalled.authenticate(teamHeaders()), started))
  // While they wait: the healthy authenticator's team token, and the stalled one's admin token
  // and OIDC admin, all answer before the deadline.
  const team = await healthy.authenticate(s.bearer(made.token))
  assert.equal(team.authKind, 'team_token')
  assert.equal((await stalled.authenticate(s.bearer(ADMIN))).role, 'admin')
  assert.equal((await stalled.authenticate(oidc)).role, 'admin')
  assert.ok(seconds() - started < deadline, 'answered before the hung requests’ deadline')

  const outcomes = await Promise.all(hung)
  assert.deepEqual(new Set(outcomes.map(([code]) => code)), new Set(['ERR_LOOKUP_UNAVAILABLE']))
  // The default bound: 64 calls reach the lookup and end at the deadline, the rest fail at once.
  assert.equal(database.calls, 64)
  assert.ok(outcomes.filter(([, at]) => at >= deadline * 0.9).length >= 64)
  assert.ok(Math.max(...outcomes.map(([, at]) => at)) < deadline + SLACK)
  // Once those calls ended their places are free: the lookup is called again.
  const [code] = await failure(() => stalled.authenticate(teamHeaders()), seconds())
  assert.equal(code, 'ERR_LOOKUP_UNAVAILABLE')
  assert.equal(database.calls, 65)
})

test('past the bound a call fails at once without reaching the lookup', async () => {
  const database = new StalledDatabase()
  const auth = Authenticator.fromEnv(env(), { teamTokenLookup: database, hookDeadlineSeconds: 30, hookMaxInFlight: 2 })
  const held = [auth.authenticate(teamHeaders()), auth.authenticate(teamHeaders())]
  held.forEach((p) => p.catch(() => {}))
  while (database.calls < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  const started = seconds()
  const [code, took] = await failure(() => auth.authenticate(teamHeaders()), started)
  assert.equal(code, 'ERR_LOOKUP_UNAVAILABLE')
  assert.ok(took < SLACK, 'at once, not at the 30 s deadline')
  assert.equal(database.calls, 2)
})

test('the deadline can come from the environment', async () => {
  const auth = Authenticator.fromEnv(env({ AUTH_HOOK_DEADLINE_SECONDS: String(DEADLINE) }), {
    teamTokenLookup: new StalledDatabase(),
  })
  const [code, took] = await failure(() => auth.authenticate(teamHeaders()), seconds())
  assert.equal(code, 'ERR_LOOKUP_UNAVAILABLE')
  assert.ok(took >= DEADLINE * 0.9 && took < DEADLINE + SLACK, `${took}`)
})

test('a never-settling JTI store fails at the deadline', async () => {
  const store = new StalledDatabase()
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 'a' })
  const verifier = new ImpersonationVerifier({ secret: SECRET, jtiRequire: true, jtiStore: store, hookDeadlineSeconds: DEADLINE })
  let [code, took] = await failure(() => verifier.verify(minted.token), seconds())
  assert.equal(code, 'ERR_JTI_STORE_UNAVAILABLE')
  assert.ok(took >= DEADLINE * 0.9 && took < DEADLINE + SLACK, `${took}`)
  const signer = ImpersonationSigner.fromEnv(
    { IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_JTI_DB_LOGGING: '1', AUTH_HOOK_DEADLINE_SECONDS: '10' },
    { jtiStore: store, hookDeadlineSeconds: DEADLINE },
  )
  ;[code, took] = await failure(() => signer.mint({ orgId: 'o', teamNodeId: 't', subject: 'a' }), seconds())
  assert.equal(code, 'ERR_JTI_STORE_UNAVAILABLE')
  assert.ok(took >= DEADLINE * 0.9 && took < DEADLINE + SLACK, `the option wins over the variable: ${took}`)
})

test('hook settings out of bounds are invalid config', () => {
  const bad = [
    { hookDeadlineSeconds: 0 },
    { hookDeadlineSeconds: -1 },
    { hookDeadlineSeconds: 61 },
    { hookDeadlineSeconds: NaN },
    { hookDeadlineSeconds: Infinity },
    { hookMaxInFlight: 0 },
    { hookMaxInFlight: -1 },
    { hookMaxInFlight: 1.5 },
    { hookMaxInFlight: 257 },
  ]
  for (const options of bad) {
    const label = JSON.stringify(options)
    for (const make of [
      () => Authenticator.fromEnv(env(), options),
      () => new ImpersonationVerifier({ secret: SECRET, ...options }),
      () => ImpersonationSigner.fromEnv({ IMPERSONATION_JWT_SECRET: SECRET }, options),
    ]) {
      assert.equal(s.outcomeSync(make).code, 'ERR_INVALID_CONFIG', label)
    }
  }
  for (const [name, value] of [
    ['AUTH_HOOK_DEADLINE_SECONDS', 'soon'],
    ['AUTH_HOOK_MAX_IN_FLIGHT', '0'],
  ]) {
    const got = s.outcomeSync(() => Authenticator.fromEnv(env({ [name]: value })))
    assert.equal(got.code, 'ERR_INVALID_CONFIG')
    assert.match(got.message, new RegExp(name))
  }
})
