'use strict'
// Authority matches the credential: an org-admin token is an admin of its own org only, in the
// principal's checks, the route table, the Express middleware and Next's withAuth, while
// /auth/me reports it as the config service does. Mirrors core/tests/authority.rs and
// bindings-python/tests/test_authority.py.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const express = require('express')
const { Authenticator, generateTeamToken } = require('@incidentfox/auth')
const ifxExpress = require('@incidentfox/auth/express')
const { withAuth } = require('@incidentfox/auth/next')
const s = require('./support.js')

const ADMIN = 'break-glass-admin-token-0123456789abcdef'
const PEPPER = 'pepper-for-the-authority-tests'
const ORG_ADMIN = generateTeamToken(PEPPER)
const NOW = 1_700_000_000

const authenticator = () =>
  Authenticator.fromEnv(
    { ADMIN_TOKEN: ADMIN, TOKEN_PEPPER: PEPPER },
    { teamTokenLookup: new s.TeamTokens([s.teamRow(ORG_ADMIN, { orgId: 'org-a', teamNodeId: null, kind: 'org_admin' })]) },
  )

const codeOf = (call) => {
  try {
    call()
  } catch (error) {
    return s.codeOf(error)
  }
  return 'ok'
}

test('an org-admin token is its own kind, and /auth/me is unchanged', async () => {
  const principal = await authenticator().authenticate(s.bearer(ORG_ADMIN.token), { now: NOW })
  assert.equal(principal.authKind, 'org_admin_token')
  assert.equal(
    JSON.stringify(principal),
    '{"role":"admin","auth_kind":"admin_token","org_id":"org-a","can_write":true,"permissions":["admin:*"]}',
  )
})

test('an org admin passes the checks of its own org only', async () => {
  const auth = authenticator()
  const principal = await auth.authenticate(s.bearer(ORG_ADMIN.token), { now: NOW })
  assert.equal(auth.routes.authorize(principal, 'provision_team', 'org-a').allowed, true)
  for (const other of ['org-b', undefined]) {
    const decision = auth.routes.authorize(principal, 'provision_team', other)
    assert.equal(decision.allowed, false)
    assert.equal(decision.reason, 'org_scope')
    assert.equal(codeOf(() => principal.requireAdmin('admin:provision', other)), 'permission_denied')
  }
  assert.equal(codeOf(() => principal.requireAdmin('admin:provision', 'org-a')), 'ok')
  const admin = await auth.authenticate(s.bearer(ADMIN), { now: NOW })
  assert.equal(codeOf(() => admin.requireAdmin('admin:provision', 'org-b')), 'ok')
})

test('Express and Next routes hold an org admin to the org in their path', async () => {
  const auth = authenticator()
  const app = express()
  const options = { authenticator: auth, orgIdParam: 'orgId' }
  app.post('/orgs/:orgId/provision', ifxExpress.requireRoute('provision_team', options), (req, res) => res.json({ ok: true }))
  app.get('/orgs/:orgId/settings', ifxExpress.requireAdmin(undefined, options), (req, res) => res.json({ ok: true }))
  app.get('/all-orgs', ifxExpress.requireAdmin(undefined, { authenticator: auth }), (req, res) => res.json({ ok: true }))
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const base = `http://127.0.0.1:${server.address().port}`
  try {
    const call = (method, path, token) => fetch(`${base}${path}`, { method, headers: s.bearer(token) })
    assert.equal((await call('POST', '/orgs/org-a/provision', ORG_ADMIN.token)).status, 200)
    assert.equal((await call('GET', '/orgs/org-a/settings', ORG_ADMIN.token)).status, 200)
    for (const [method, path] of [['POST', '/orgs/org-b/provision'], ['GET', '/orgs/org-b/settings'], ['GET', '/all-orgs']]) {
      const answer = await call(method, path, ORG_ADMIN.token)
      assert.equal(answer.status, 403, path)
      assert.equal((await answer.json()).error.code, 'permission_denied', path)
    }
    assert.equal((await call('POST', '/orgs/org-b/provision', ADMIN)).status, 200)
    assert.equal((await call('GET', '/all-orgs', ADMIN)).status, 200)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }

  const handler = withAuth(() => Response.json({ ok: true }), { authenticator: auth, admin: true, orgIdParam: 'orgId' })
  const request = (token) => new Request('http://localhost/api/orgs', { headers: s.bearer(token) })
  assert.equal((await handler(request(ORG_ADMIN.token), { params: Promise.resolve({ orgId: 'org-a' }) })).status, 200)
  assert.equal((await handler(request(ORG_ADMIN.token), { params: { orgId: 'org-b' } })).status, 403)
  assert.equal((await handler(request(ADMIN), { params: { orgId: 'org-b' } })).status, 200)
})
