'use strict'
// The Next.js route-handler wrapper with real fetch `Request`s: the principal reaches the
// handler, refusals are Responses with the error body, the session cookie is a bearer.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, generateTeamToken } = require('@incidentfox/auth')
const { withAuth, configure } = require('@incidentfox/auth/next')
const s = require('./support.js')

const ADMIN_TOKEN = 'break-glass-admin-token-for-next'
const PEPPER = 'next-test-pepper'
const TEAM = generateTeamToken(PEPPER)
const authenticator = Authenticator.fromEnv(
  { ADMIN_TOKEN, TOKEN_PEPPER: PEPPER, ORCHESTRATOR_REQUIRE_ADMIN_STAR: '0' },
  { teamTokenLookup: new s.TeamTokens([s.teamRow(TEAM)]) },
)

const request = (headers = {}) => new Request('http://localhost/api/thing', { headers })
const me = (req, { principal }) => Response.json(principal)

async function assertError(response, status, code) {
  assert.equal(response.status, status)
  const body = await response.json()
  assert.deepEqual(Object.keys(body.error), ['code', 'status', 'message'])
  assert.deepEqual([body.error.code, body.error.status], [code, status])
  assert.equal(response.headers.get('www-authenticate'), status === 401 ? 'Bearer' : null)
}

test('the principal reaches the handler with Next\'s context', async () => {
  const handler = withAuth((req, context) => Response.json({ me: context.principal, params: context.params }), { authenticator })
  const r = await handler(request(s.bearer(ADMIN_TOKEN)), { params: { id: '7' } })
  assert.equal(r.status, 200)
  assert.equal(await r.text(), '{"me":{"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]},"params":{"id":"7"}}')
})

test('the session cookie is a bearer token when no header carries one', async () => {
  const r = await withAuth(me, { authenticator })(request({ cookie: `incidentfox_session_token=${TEAM.token}; other=1` }))
  assert.equal((await r.json()).auth_kind, 'team_token')
})

test('refusals are JSON responses', async () => {
  await assertError(await withAuth(me, { authenticator })(request()), 401, 'missing_credentials')
  await assertError(await withAuth(me, { authenticator })(request(s.bearer('wrong'))), 401, 'invalid_credentials')
  await assertError(await withAuth(me, { authenticator, admin: true })(request(s.bearer(TEAM.token))), 403, 'not_admin')
  await assertError(await withAuth(me, { authenticator, route: 'provision_team' })(request(s.bearer(TEAM.token))), 403, 'not_admin')
  await assertError(await withAuth(me, { authenticator, route: 'no_such_route' })(request(s.bearer(ADMIN_TOKEN))), 500, 'invalid_config')
})

test('admin, permission and route checks pass for the break-glass admin', async () => {
  for (const options of [{ admin: true }, { permission: 'admin:agent:run' }, { route: 'provision_team' }]) {
    const r = await withAuth(me, { authenticator, ...options })(request({ 'X-Admin-Token': ADMIN_TOKEN }))
    assert.equal(r.status, 200, JSON.stringify(options))
  }
})

test('a permission the admin lacks is permission_denied', async () => {
  const env = s.oidcAdminEnv({ ADMIN_PERMISSIONS_DEFAULT: 'admin:read' })
  const oidc = Authenticator.fromEnv(env)
  const now = Math.floor(Date.now() / 1000)
  const token = await s.mintOidc(s.oidcClaims({ groups: [s.ADMIN_GROUP], iat: now, exp: now + 300 }))
  await assertError(await withAuth(me, { authenticator: oidc, permission: 'admin:provision' })(request(s.bearer(token))), 403, 'permission_denied')
  assert.equal((await withAuth(me, { authenticator: oidc, permission: 'admin:read' })(request(s.bearer(token)))).status, 200)
})

test('the configured authenticator is used when none is given; other errors propagate', async () => {
  configure(authenticator)
  try {
    assert.equal((await withAuth(me)(request(s.bearer(ADMIN_TOKEN)))).status, 200)
    await assert.rejects(withAuth(() => { throw new TypeError('handler bug') })(request(s.bearer(ADMIN_TOKEN))), TypeError)
  } finally {
    configure(null)
  }
})
