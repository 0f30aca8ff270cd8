'use strict'
// The Express helpers against examples/express-app.js over a real HTTP server on loopback:
// the config service's GET /api/v1/auth/me, an orchestrator admin route, an admin route with a permission, a
// team route, the session cookie, and the error body of every refusal (mirroring
// bindings-python/tests/test_fastapi.py).

const assert = require('node:assert/strict')
const { after, before, test } = require('node:test')
const { Authenticator, ImpersonationSigner, MemoryJtiStore, generateTeamToken } = require('@incidentfox/auth')
const ifxExpress = require('@incidentfox/auth/express')
const { createApp } = require('../examples/express-app.js')
const s = require('./support.js')

const ADMIN_TOKEN = 'break-glass-admin-token-for-express'
const PEPPER = 'express-test-pepper'
const IMP_SECRET = 'express-impersonation-secret-0123456789'
const TEAM = generateTeamToken(PEPPER)

function authenticator(env = {}) {
  return Authenticator.fromEnv(
    s.oidcAdminEnv({
      ADMIN_AUTH_MODE: 'both',
      ADMIN_TOKEN,
      ADMIN_PERMISSIONS_DEFAULT: '',
      ADMIN_GROUP_PERMISSIONS_JSON: '{"provisioners": ["admin:provision"], "readers": ["admin:read"], "runners": ["admin:agent:run"]}',
      TOKEN_PEPPER: PEPPER,
      IMPERSONATION_JWT_SECRET: IMP_SECRET,
      ORCHESTRATOR_REQUIRE_ADMIN_STAR: '0',
      ...env,
    }),
    { jtiStore: new MemoryJtiStore(), teamTokenLookup: new s.TeamTokens([s.teamRow(TEAM)]) },
  )
}

/** Serves `app` on an ephemeral loopback port; resolves to its base URL and a close(). */
function serve(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) })
    })
  })
}

let server
before(async () => {
  server = await serve(createApp(authenticator()))
})
after(async () => {
  await server.close()
  ifxExpress.configure(null)
})

const get = (path, headers = {}) => fetch(`${server.url}${path}`, { headers })
const post = (path, body, headers = {}) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

async function oidcAdmin(...groups) {
  const now = Math.floor(Date.now() / 1000)
  return s.bearer(await s.mintOidc(s.oidcClaims({ groups: [s.ADMIN_GROUP, ...groups], iat: now, exp: now + 300 })))
}

async function assertError(response, status, code) {
  assert.equal(response.status, status)
  const text = await response.text()
  const body = JSON.parse(text)
  assert.deepEqual(Object.keys(body), ['error'])
  assert.deepEqual(Object.keys(body.error), ['code', 'status', 'message'])
  assert.equal(body.error.code, code)
  assert.equal(body.error.status, status)
  assert.ok(typeof body.error.message === 'string' && body.error.message)
  assert.equal(response.headers.get('content-type'), 'application/json')
  assert.equal(response.headers.get('www-authenticate'), status === 401 ? 'Bearer' : null)
}

test('me with the admin token, the config service\'s members in its order', async () => {
  const r = await get('/api/v1/auth/me', s.bearer(ADMIN_TOKEN))
  assert.equal(r.status, 200)
  assert.equal(await r.text(), '{"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]}')
})

test('me with a team token in either header, or the session cookie', async () => {
  const want = { role: 'team', auth_kind: 'team_token', org_id: 'org-1', team_node_id: 'team-1', can_write: true, permissions: ['team:read', 'team:write'] }
  for (const headers of [
    s.bearer(TEAM.token),
    { 'X-IncidentFox-Team-Token': TEAM.token },
    { cookie: `theme=dark; incidentfox_session_token=${encodeURIComponent(TEAM.token)}` },
  ]) {
    const r = await get('/api/v1/auth/me', headers)
    assert.equal(r.status, 200, JSON.stringify(headers))
    assert.equal(await r.text(), JSON.stringify(want))
  }
})

test('a header wins over the session cookie', async () => {
  const r = await get('/api/v1/auth/me', { 'X-Admin-Token': ADMIN_TOKEN, cookie: `incidentfox_session_token=${TEAM.token}` })
  assert.equal((await r.json()).role, 'admin')
})

test('me with an impersonation token', async () => {
  const minted = await new ImpersonationSigner({ secret: IMP_SECRET }).mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'okta|admin', email: 'a@example.com' })
  const r = await get('/api/v1/auth/me', s.bearer(minted.token))
  assert.deepEqual(await r.json(), {
    role: 'team', auth_kind: 'impersonation', org_id: 'org-1', team_node_id: 'team-1', subject: 'okta|admin',
    email: 'a@example.com', can_write: false, permissions: ['team:read'],
  })
})

test('me with an OIDC admin', async () => {
  const body = await (await get('/api/v1/auth/me', await oidcAdmin('provisioners'))).json()
  assert.equal(body.auth_kind, 'oidc')
  assert.deepEqual(body.permissions, ['admin:provision'])
})

test('me refusals', async () => {
  await assertError(await get('/api/v1/auth/me'), 401, 'missing_credentials')
  await assertError(await get('/api/v1/auth/me', s.bearer('not-the-admin-token')), 401, 'invalid_credentials')
  const now = Math.floor(Date.now() / 1000)
  const expired = await s.mintOidc(s.oidcClaims({ groups: [s.ADMIN_GROUP], iat: now - 900, exp: now - 600 }))
  await assertError(await get('/api/v1/auth/me', s.bearer(expired)), 401, 'token_expired')
  const outsider = await s.mintOidc(s.oidcClaims({ groups: ['sre'], iat: now, exp: now + 300 }))
  await assertError(await get('/api/v1/auth/me', s.bearer(outsider)), 403, 'not_admin')
})

const BODY = { org_id: 'org-9', team_node_id: 'team-9' }
const PROVISION = '/api/v1/admin/provision/team'

test('provision by an admin holding the permission', async () => {
  let r = await post(PROVISION, BODY, await oidcAdmin('provisioners'))
  assert.equal(r.status, 200)
  assert.deepEqual(await r.json(), { provisioned: BODY, by: 'alice', grant: 'admin:provision' })
  r = await post(PROVISION, BODY, s.bearer(ADMIN_TOKEN))
  assert.equal((await r.json()).grant, 'admin:*')
})

test('provision refusals', async () => {
  await assertError(await post(PROVISION, BODY), 401, 'missing_credentials')
  await assertError(await post(PROVISION, BODY, await oidcAdmin('readers')), 403, 'permission_denied')
  await assertError(await post(PROVISION, BODY, s.bearer(TEAM.token)), 403, 'not_admin')
})

test('provision with admin star required', async () => {
  const strict = await serve(createApp(authenticator({ ORCHESTRATOR_REQUIRE_ADMIN_STAR: '1' })))
  try {
    const r = await fetch(`${strict.url}${PROVISION}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await oidcAdmin('provisioners')) }, body: JSON.stringify(BODY) })
    await assertError(r, 403, 'permission_denied')
  } finally {
    await strict.close()
    ifxExpress.configure(authenticator())
  }
})

test('requireAdmin with a permission', async () => {
  assert.equal((await post('/api/v1/admin/agent/run', {}, await oidcAdmin('runners'))).status, 200)
  assert.equal((await (await post('/api/v1/admin/agent/run', {}, s.bearer(ADMIN_TOKEN))).json()).grant, 'admin:*')
  await assertError(await post('/api/v1/admin/agent/run', {}, await oidcAdmin('readers')), 403, 'permission_denied')
  await assertError(await post('/api/v1/admin/agent/run', {}, s.bearer(TEAM.token)), 403, 'not_admin')
})

test('the team route', async () => {
  const r = await get('/api/v1/team/config', s.bearer(TEAM.token))
  assert.deepEqual(await r.json(), { org_id: 'org-1', team_node_id: 'team-1', can_write: true })
  // The break-glass admin names no team.
  await assertError(await get('/api/v1/team/config', s.bearer(ADMIN_TOKEN)), 403, 'permission_denied')
})

test('a typo in a route name never opens the route', async () => {
  const express = require('express')
  const app = express()
  app.get('/typo', ifxExpress.requireRoute('provison_team', { authenticator: authenticator() }), (req, res) => res.json({}))
  const typo = await serve(app)
  try {
    await assertError(await fetch(`${typo.url}/typo`, { headers: s.bearer(ADMIN_TOKEN) }), 500, 'invalid_config')
  } finally {
    await typo.close()
  }
})

test('a broken environment is a 500 with its code', async () => {
  const express = require('express')
  const saved = process.env.TEAM_AUTH_MODE
  process.env.TEAM_AUTH_MODE = 'sometimes'
  ifxExpress.configure(null)
  const app = express()
  app.get('/me', ifxExpress.requirePrincipal(), (req, res) => res.json(req.principal))
  const broken = await serve(app)
  try {
    await assertError(await fetch(`${broken.url}/me`, { headers: s.bearer('x') }), 500, 'invalid_config')
  } finally {
    await broken.close()
    if (saved === undefined) delete process.env.TEAM_AUTH_MODE
    else process.env.TEAM_AUTH_MODE = saved
    ifxExpress.configure(authenticator())
  }
})
