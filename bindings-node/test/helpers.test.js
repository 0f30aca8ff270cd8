'use strict'
// The Express and Next.js helpers do what their names say (mirroring
// bindings-python/tests/test_fastapi_helpers.py): an option they do not know throws when the
// route is built; team routes say what they need of the caller (write access, a permission, the
// org and team in the URL, visitors or not); a refusal's body carries its code and a fixed
// message while the detail (a store's error text) goes to the log; and a polluted
// `Object.prototype` chooses nothing, neither a helper's option nor the addon's configuration.

const assert = require('node:assert/strict')
const { after, before, test } = require('node:test')
const express = require('express')
const { Authenticator, ImpersonationSigner, MemoryJtiStore, OidcValidator, Principal, generateTeamToken } = require('@incidentfox/auth')
const ifxExpress = require('@incidentfox/auth/express')
const { withAuth } = require('@incidentfox/auth/next')
const s = require('./support.js')

const ADMIN_TOKEN = 'break-glass-admin-token-for-helpers'
const PEPPER = 'helpers-test-pepper'
const IMP_SECRET = 'helpers-impersonation-secret-0123456789'
const TEAM = generateTeamToken(PEPPER)
const OTHER_TEAM = generateTeamToken(PEPPER)
// What a store's or lookup's exception may say: never for the caller.
const DB_ERROR = 'connection to server at "db.internal" (10.0.0.7), port 5432 failed: FATAL: password authentication failed for user "ifx_auth" (SELECT token_hash FROM team_tokens WHERE token_id = $1)'

const authenticator = (env = {}, lookup = new s.TeamTokens([s.teamRow(TEAM), s.teamRow(OTHER_TEAM, { teamNodeId: 'team-2' })])) =>
  Authenticator.fromEnv(
    { ADMIN_TOKEN, TOKEN_PEPPER: PEPPER, IMPERSONATION_JWT_SECRET: IMP_SECRET, ...env },
    { jtiStore: new MemoryJtiStore(), teamTokenLookup: lookup },
  )

const signer = new ImpersonationSigner({ secret: IMP_SECRET })
const impersonation = () => signer.mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'okta|admin' })
const visitor = () => signer.mintVisitor({ orgId: 'org-1', teamNodeId: 'team-1', sessionId: 'visit-1' })

function serve(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) })
    })
  })
}

async function assertError(response, status, code) {
  assert.equal(response.status, status)
  const body = await response.json()
  assert.deepEqual(Object.keys(body.error), ['code', 'status', 'message'])
  assert.deepEqual([body.error.code, body.error.status], [code, status])
  return body.error.message
}

// --- 1. Unknown options throw when the route is built.

test('withAuth refuses an option it does not know, naming it and the accepted ones', () => {
  const handler = () => new Response('ok')
  const unknown = (name) => (e) =>
    e instanceof TypeError &&
    e.message.includes(`\`${name}\``) &&
    e.message.includes('admin, permission, route, team, orgIdParam, authenticator, logger')
  // Before, each of these wrapped a route that admitted any caller, visitor tokens included.
  assert.throws(() => withAuth(handler, { permissions: ['admin:provision'] }), unknown('permissions'))
  assert.throws(() => withAuth(handler, { teams: true }), unknown('teams'))
  assert.throws(() => withAuth(handler, { requireAdmin: true }), unknown('requireAdmin'))
  assert.throws(() => withAuth(handler, { team: { writes: true } }), (e) => e instanceof TypeError && /`writes`.*write, permission, teamIdParam, allowVisitors/.test(e.message))
  assert.throws(() => withAuth(handler, { team: true, admin: true }), TypeError)
  assert.throws(() => withAuth(handler, { admin: 'yes' }), TypeError)
  assert.throws(() => withAuth(handler, { permission: ['admin:provision'] }), TypeError)
  assert.throws(() => withAuth(handler, 'admin'), TypeError)
})

test('the Express middleware refuses an option it does not know, naming it and the accepted ones', () => {
  const unknown = (name) => (e) => e instanceof TypeError && e.message.includes(`\`${name}\``) && e.message.includes('authenticator, orgIdParam, logger')
  assert.throws(() => ifxExpress.requirePrincipal({ admin: true }), unknown('admin'))
  assert.throws(() => ifxExpress.requireAdmin('admin:provision', { orgIdparam: 'orgId' }), unknown('orgIdparam'))
  assert.throws(() => ifxExpress.requireRoute('provision_team', { permission: 'admin:*' }), unknown('permission'))
  assert.throws(() => ifxExpress.requireTeam({ write: true }), unknown('write'))
  assert.throws(() => ifxExpress.requireTeamMember({ writes: true }), unknown('writes'))
  assert.throws(() => ifxExpress.requireAdmin(['admin:provision', 'admin:read']), TypeError)
  assert.throws(() => ifxExpress.requireTeamMember({ write: 'yes' }), TypeError)
})

// --- 2. Team routes say what they need.

let server
before(async () => {
  const auth = authenticator()
  const app = express()
  const ok = (req, res) => res.json({ authKind: req.principal.authKind, teamNodeId: req.principal.teamNodeId })
  app.get('/legacy', ifxExpress.requireTeam({ authenticator: auth }), ok)
  const scoped = { authenticator: auth, orgIdParam: 'orgId', teamIdParam: 'teamId' }
  app.get('/orgs/:orgId/teams/:teamId/config', ifxExpress.requireTeamMember(scoped), ok)
  app.put('/orgs/:orgId/teams/:teamId/config', ifxExpress.requireTeamMember({ ...scoped, write: true }), ok)
  app.post('/teams/:teamId/secrets', ifxExpress.requireTeamMember({ authenticator: auth, teamIdParam: 'teamId', permission: 'team:write' }), ok)
  app.post('/playground', ifxExpress.requireTeamMember({ authenticator: auth, allowVisitors: true, permission: 'agent:invoke' }), ok)
  // A route naming a parameter its path lacks admits nobody.
  app.get('/no-param', ifxExpress.requireTeamMember({ authenticator: auth, teamIdParam: 'teamId' }), ok)
  server = await serve(app)
})
after(() => server.close())

const call = (method, path, headers = {}) => fetch(`${server.url}${path}`, { method, headers })

test('requireTeam admits read-only impersonation and visitors, as documented', async () => {
  for (const minted of [await impersonation(), await visitor()]) {
    assert.equal((await call('GET', '/legacy', s.bearer(minted.token))).status, 200)
  }
})

test('requireTeamMember: members of the team in the URL, no visitors', async () => {
  const config = '/orgs/org-1/teams/team-1/config'
  assert.deepEqual(await (await call('GET', config, s.bearer(TEAM.token))).json(), { authKind: 'team_token', teamNodeId: 'team-1' })
  assert.equal((await call('GET', config, s.bearer((await impersonation()).token))).status, 200)
  await assertError(await call('GET', config, s.bearer((await visitor()).token)), 403, 'permission_denied')
  await assertError(await call('GET', config, s.bearer(OTHER_TEAM.token)), 403, 'permission_denied')
  await assertError(await call('GET', '/orgs/org-2/teams/team-1/config', s.bearer(TEAM.token)), 403, 'permission_denied')
  await assertError(await call('GET', config, s.bearer(ADMIN_TOKEN)), 403, 'permission_denied')
  await assertError(await call('GET', '/no-param', s.bearer(TEAM.token)), 403, 'permission_denied')
})

test('requireTeamMember: write access and a permission refuse read-only principals', async () => {
  const config = '/orgs/org-1/teams/team-1/config'
  assert.equal((await call('PUT', config, s.bearer(TEAM.token))).status, 200)
  await assertError(await call('PUT', config, s.bearer((await impersonation()).token)), 403, 'permission_denied')
  assert.equal((await call('POST', '/teams/team-1/secrets', s.bearer(TEAM.token))).status, 200)
  await assertError(await call('POST', '/teams/team-1/secrets', s.bearer((await impersonation()).token)), 403, 'permission_denied')
  await assertError(await call('POST', '/teams/team-2/secrets', s.bearer(TEAM.token)), 403, 'permission_denied')
})

test('requireTeamMember: visitors where the route allows them', async () => {
  assert.deepEqual(await (await call('POST', '/playground', s.bearer((await visitor()).token))).json(), { authKind: 'visitor', teamNodeId: 'team-1' })
  // A team token holds no agent:invoke grant.
  await assertError(await call('POST', '/playground', s.bearer(TEAM.token)), 403, 'permission_denied')
})

test('withAuth({ team }): the same needs for a Next.js route', async () => {
  const auth = authenticator()
  const me = (req, { principal }) => Response.json({ authKind: principal.authKind })
  const context = (orgId, teamId) => ({ params: Promise.resolve({ orgId, teamId }) })
  const request = (method, headers) => new Request('http://localhost/api/orgs/x/teams/y', { method, headers })
  const reader = withAuth(me, { authenticator: auth, team: { teamIdParam: 'teamId' }, orgIdParam: 'orgId' })
  const writer = withAuth(me, { authenticator: auth, team: { write: true, teamIdParam: 'teamId' }, orgIdParam: 'orgId' })
  const anyTeam = withAuth(me, { authenticator: auth, team: true })
  assert.equal((await reader(request('GET', s.bearer(TEAM.token)), context('org-1', 'team-1'))).status, 200)
  assert.equal((await reader(request('GET', s.bearer((await impersonation()).token)), context('org-1', 'team-1'))).status, 200)
  await assertError(await reader(request('GET', s.bearer(TEAM.token)), context('org-1', 'team-2')), 403, 'permission_denied')
  await assertError(await reader(request('GET', s.bearer(TEAM.token)), context('org-2', 'team-1')), 403, 'permission_denied')
  await assertError(await reader(request('GET', s.bearer((await visitor()).token)), context('org-1', 'team-1')), 403, 'permission_denied')
  assert.equal((await writer(request('PUT', s.bearer(TEAM.token)), context('org-1', 'team-1'))).status, 200)
  await assertError(await writer(request('PUT', s.bearer((await impersonation()).token)), context('org-1', 'team-1')), 403, 'permission_denied')
  assert.equal((await anyTeam(request('GET', s.bearer(OTHER_TEAM.token)))).status, 200)
  await assertError(await anyTeam(request('GET', s.bearer((await visitor()).token))), 403, 'permission_denied')
})

// --- 3. A refusal's body never carries the detail; the log does.

const failingLookup = { lookup: () => { throw new Error(DB_ERROR) } }

function assertNoDetail(text) {
  for (const secret of ['db.internal', '10.0.0.7', 'ifx_auth', 'SELECT', 'team_tokens']) {
    assert.ok(!text.includes(secret), `${secret} in ${text}`)
  }
}

test('Express: a failing lookup is a 503 with a fixed message; the detail is logged', async () => {
  const logged = []
  const logger = { error: (line) => logged.push(['error', line]), info: (line) => logged.push(['info', line]) }
  const app = express()
  const auth = authenticator({}, failingLookup)
  app.get('/me', ifxExpress.requirePrincipal({ authenticator: auth, logger }), (req, res) => res.json({}))
  app.get('/quiet', ifxExpress.requirePrincipal({ authenticator: auth }), (req, res) => res.json({}))
  const failing = await serve(app)
  const saved = console.error
  const consoled = []
  console.error = (...args) => consoled.push(args.join(' '))
  try {
    const r = await fetch(`${failing.url}/me`, { headers: s.bearer(TEAM.token) })
    const text = await r.text()
    assertNoDetail(text)
    assert.deepEqual(JSON.parse(text), {
      error: { code: 'lookup_unavailable', status: 503, message: 'the token lookup is unavailable; try again later' },
    })
    assert.equal(logged.length, 1)
    assert.equal(logged[0][0], 'error')
    assert.match(logged[0][1], /^incidentfox_auth: 503 lookup_unavailable: .*db\.internal/)
    // Without a logger, a 5xx goes to console.error.
    const quiet = await fetch(`${failing.url}/quiet`, { headers: s.bearer(TEAM.token) })
    assertNoDetail(await quiet.text())
    assert.equal(quiet.status, 503)
    assert.equal(consoled.length, 1)
    assert.match(consoled[0], /lookup_unavailable: .*db\.internal/)
    // A 401's detail goes to `info`, with `WWW-Authenticate`.
    const refused = await fetch(`${failing.url}/me`, { headers: s.bearer('not-the-admin-token') })
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer')
    assert.equal(await assertError(refused, 401, 'invalid_credentials'), 'the credential is not valid')
    assert.equal(logged.at(-1)[0], 'info')
  } finally {
    console.error = saved
    await failing.close()
  }
})

test('Next.js: a failing lookup is a 503 with a fixed message; the detail is logged', async () => {
  const logged = []
  const handler = withAuth(() => Response.json({}), { authenticator: authenticator({}, failingLookup), logger: { error: (line) => logged.push(line) } })
  const r = await handler(new Request('http://localhost/api/thing', { headers: s.bearer(TEAM.token) }))
  const text = await r.text()
  assert.equal(r.status, 503)
  assertNoDetail(text)
  assert.equal(JSON.parse(text).error.message, 'the token lookup is unavailable; try again later')
  assert.match(logged[0], /db\.internal/)
})

test('the addon names a value it cannot convert, never shows it', () => {
  assert.throws(
    () => Authenticator.fromEnv({ ADMIN_TOKEN: 918273645546372819 }),
    (e) => e.code === 'ERR_INVALID_CONFIG' && e.message.includes('ADMIN_TOKEN') && !/9182736/.test(e.message),
  )
  assert.throws(
    () => new OidcValidator({ issuer: 918273645546372819, audience: 'a', jwksUrl: 'https://idp.example/jwks' }),
    (e) => e.code === 'ERR_INVALID_CONFIG' && e.message.includes('issuer') && !/9182736/.test(e.message),
  )
  assert.throws(
    () => Principal.withGrants('admin', ['admin:*'], { canWrite: 'secret-looking-text' }),
    (e) => e.code === 'ERR_INVALID_CONFIG' && e.message.includes('canWrite') && !e.message.includes('secret-looking'),
  )
})

// --- 4. A polluted Object.prototype chooses nothing.

const CHOSEN = 'an-attacker-chosen-internal-service-secret'

function polluted(entries, run) {
  for (const [name, value] of Object.entries(entries)) {
    // eslint-disable-next-line no-extend-native
    Object.defineProperty(Object.prototype, name, { value, enumerable: true, configurable: true, writable: true })
  }
  const cleanup = () => {
    for (const name of Object.keys(entries)) delete Object.prototype[name]
  }
  let out
  try {
    out = run()
  } catch (error) {
    cleanup()
    throw error
  }
  return Promise.resolve(out).finally(cleanup)
}

test('an inherited INTERNAL_SERVICE_SECRET is no secret, through fromEnv(vars) and fromEnv(process.env)', async () => {
  const saved = process.env.ADMIN_TOKEN
  process.env.ADMIN_TOKEN = ADMIN_TOKEN
  try {
    await polluted({ INTERNAL_SERVICE_SECRET: CHOSEN }, async () => {
      for (const env of [{ ADMIN_TOKEN }, process.env]) {
        const auth = Authenticator.fromEnv(env)
        await assert.rejects(auth.authenticate({ 'x-internal-service': CHOSEN }, { method: 'GET' }), (e) => e.code === 'ERR_INVALID_CREDENTIALS')
        // Over HTTP, through the middleware.
        const app = express()
        app.get('/me', ifxExpress.requirePrincipal({ authenticator: auth }), (req, res) => res.json(req.principal))
        const polluting = await serve(app)
        try {
          await assertError(await fetch(`${polluting.url}/me`, { headers: { 'x-internal-service': CHOSEN } }), 401, 'invalid_credentials')
        } finally {
          await polluting.close()
        }
      }
    })
  } finally {
    if (saved === undefined) delete process.env.ADMIN_TOKEN
    else process.env.ADMIN_TOKEN = saved
  }
  assert.equal(Object.prototype.INTERNAL_SERVICE_SECRET, undefined)
})

test('inherited options, rows and route parameters choose nothing', async () => {
  // An option object: `canWrite` stays its default.
  await polluted({ canWrite: false }, () => {
    assert.equal(Principal.withGrants('admin', ['admin:*'], {}).canWrite, true)
  })
  // A team-token row: an inherited `kind` never makes a team token an org-admin one.
  const row = s.teamRow(TEAM)
  delete row.kind
  const auth = authenticator({}, new s.TeamTokens([row]))
  await polluted({ kind: 'org_admin' }, async () => {
    assert.equal((await auth.authenticate(s.bearer(TEAM.token), { method: 'GET' })).role, 'team')
  })
  // A helper's option: an inherited `authenticator` or `admin` is not the route's.
  await polluted({ admin: true, authenticator: null }, async () => {
    const handler = withAuth(() => Response.json({}), { authenticator: auth })
    assert.equal((await handler(new Request('http://localhost/x', { headers: s.bearer(TEAM.token) }))).status, 200)
  })
  // A route parameter: an inherited `teamId` is not the request's.
  await polluted({ teamId: 'team-1' }, async () => {
    await assertError(await call('GET', '/no-param', s.bearer(TEAM.token)), 403, 'permission_denied')
  })
})
