'use strict'
// testdata/vectors/permissions.json, mirroring core/tests/vectors_rbac.rs (`permission_vectors`)
// and bindings-python/tests/test_vectors_permissions.py.
//
// parse: `new PermissionSet([p])` accepts or throws ERR_INVALID_PERMISSION.
// match: the compiled set, explain and a one-grant-at-a-time reference agree on the first
//   matching grant.
// routes: `RouteTable.fromEnv(env).authorize(principal, route)` with
//   `Principal.withGrants(role, grants)` (source `grants`), and again with principals that come
//   out of the authenticator: an OIDC admin (ES256 token signed by jose, in the admin group) whose
//   ADMIN_PERMISSIONS_DEFAULT is the case's grants (so the source reads `default`), and a
//   team-token principal (always `team:read, team:write`; every team case expects not_admin or
//   invalid_config whatever the grants).

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, PermissionSet, Principal, RouteTable, explain, generateTeamToken } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('permissions.json')
const PEPPER = 'permissions-vectors-pepper'

test('the file is well formed', () => {
  const names = new Set()
  for (const cases of [DOC.parse, DOC.match, DOC.routes]) {
    assert.ok(cases.length)
    s.uniqueNames(cases, names)
  }
  assert.ok(DOC.parse.length + DOC.match.length + DOC.routes.length >= 70)
})

test('parse', () => {
  const failures = []
  for (const c of DOC.parse) {
    const got = s.outcomeSync(() => new PermissionSet([c.permission]))
    if (c.valid) {
      if (!(got instanceof PermissionSet)) failures.push(`${c.name}: rejected, expected valid: ${got.message}`)
      else if (JSON.stringify(got.toArray()) !== JSON.stringify([c.permission]) || got.size !== 1) {
        failures.push(`${c.name}: parsed as ${got.toArray()}`)
      }
    } else if (got instanceof PermissionSet || got.code !== 'ERR_INVALID_PERMISSION' || got.status !== 500) {
      failures.push(`${c.name}: expected ERR_INVALID_PERMISSION, got ${got.code ?? 'a set'}`)
    }
  }
  s.report(failures, DOC.parse.length, 'parse cases')
})

test('invalid permissions throw their code and status', () => {
  for (const c of DOC.parse) {
    if (!c.valid && c.permission && c.permission.length < 100) {
      assert.throws(() => new PermissionSet([c.permission]), { code: 'ERR_INVALID_PERMISSION', status: 500 })
    }
  }
})

test('match', () => {
  const failures = []
  for (const c of DOC.match) {
    const { grants, required, matched_grant: expected, allowed } = c
    assert.equal(allowed, expected !== null, `${c.name}: vector disagrees with itself`)
    const compiled = new PermissionSet(grants)
    const reference = grants.find((g) => new PermissionSet([g]).grants(required)) ?? null
    const decision = explain(grants, required)
    const got = {
      matchingGrant: compiled.matchingGrant(required),
      grants: compiled.grants(required),
      reference,
      explain: decision.toJSON(),
      setExplain: compiled.explain(required).toJSON(),
      getters: [decision.allowed, decision.matchedGrant, decision.source, decision.reason],
    }
    const want = {
      matchingGrant: expected,
      grants: allowed,
      reference: expected,
      explain: {
        allowed,
        matched_grant: expected,
        source: allowed ? 'grants' : null,
        reason: allowed ? null : 'permission_denied',
      },
    }
    want.setExplain = want.explain
    want.getters = Object.values(want.explain)
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${c.name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`)
  }
  s.report(failures, DOC.match.length, 'match cases')
})

async function adminWithGrants(grants) {
  const env = s.oidcAdminEnv({ ADMIN_PERMISSIONS_DEFAULT: grants.join(',') })
  const token = await s.mintOidc(s.oidcClaims({ groups: [s.ADMIN_GROUP] }))
  const principal = await Authenticator.fromEnv(env).authenticate(s.bearer(token), { now: s.NOW })
  assert.ok(principal.isAdmin)
  assert.deepEqual(principal.permissions, grants)
  return principal
}

async function teamPrincipal() {
  const generated = generateTeamToken(PEPPER)
  const lookup = new s.TeamTokens([s.teamRow(generated)])
  const env = { TOKEN_PEPPER: PEPPER, ADMIN_AUTH_MODE: 'token', ADMIN_TOKEN: 'unused-admin-token-0123456789abcdef' }
  const principal = await Authenticator.fromEnv(env, { teamTokenLookup: lookup }).authenticate(s.bearer(generated.token), { now: s.NOW })
  assert.equal(principal.role, 'team')
  assert.ok(!principal.isAdmin)
  return principal
}

function expectedDecision(expect, source) {
  if ('error' in expect) return { ...expect }
  return { ...expect, source: expect.source === 'grants' ? source : expect.source }
}

async function runRoutes(principalOf, source) {
  const failures = []
  for (const c of DOC.routes) {
    assert.ok(['admin', 'team'].includes(c.role), c.name)
    const principal = await principalOf(c)
    const got = s.outcomeSync(() => RouteTable.fromEnv(c.env).authorize(principal, c.route).toJSON())
    const result = got instanceof Error ? { error: s.codeOf(got) } : got
    const want = expectedDecision(c.expect, source)
    if (JSON.stringify(result) !== JSON.stringify(want)) failures.push(`${c.name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(result)}`)
  }
  s.report(failures, DOC.routes.length, 'route cases')
}

test('routes', async () => {
  await runRoutes((c) => {
    const authKind = c.role === 'admin' ? 'admin_token' : 'team_token'
    const principal = Principal.withGrants(c.role, c.grants, { authKind })
    assert.deepEqual(principal.permissions, c.grants)
    assert.equal(principal.role, c.role)
    return principal
  }, 'grants')
})

test('routes with authenticated principals', async () => {
  const team = await teamPrincipal()
  await runRoutes((c) => (c.role === 'admin' ? adminWithGrants(c.grants) : team), 'default')
})

test('route denials throw their 403', async () => {
  const table = RouteTable.fromEnv({ ORCHESTRATOR_REQUIRE_ADMIN_STAR: '0' })
  const denied = table.authorize(await adminWithGrants(['admin:read']), 'provision_team')
  assert.equal(denied.toJSON().reason, 'permission_denied')
  assert.throws(() => denied.throwIfDenied(), { code: 'ERR_PERMISSION_DENIED', status: 403 })
  const team = await teamPrincipal()
  assert.throws(() => table.authorize(team, 'provision_team').throwIfDenied(), { code: 'ERR_NOT_ADMIN', status: 403 })
})
