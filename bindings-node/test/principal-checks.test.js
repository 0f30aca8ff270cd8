'use strict'
// Principal.requireAdmin / requireTeam / requireTeamMember: the core's one rule for "admins only"
// and "one team", which the Express and Next.js helpers call (test/helpers.test.js has the
// team-member cases with real impersonation, visitor and team tokens).

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Principal } = require('@incidentfox/auth')

test('requireAdmin wants an admin, then the permission', () => {
  const admin = Principal.withGrants('admin', ['admin:provision'], { authKind: 'oidc' })
  admin.requireAdmin()
  admin.requireAdmin('admin:provision')
  assert.throws(() => admin.requireAdmin('admin:agents'), { code: 'ERR_PERMISSION_DENIED', status: 403 })
  assert.throws(() => admin.requireAdmin('not a permission'), { code: 'ERR_INVALID_PERMISSION' })
  const member = Principal.withGrants('team', ['admin:*'], { authKind: 'team_token' })
  assert.throws(() => member.requireAdmin('admin:provision'), { code: 'ERR_NOT_ADMIN', status: 403, message: /team principal/ })
})

test('requireTeam wants an org and a team', () => {
  assert.throws(() => Principal.withGrants('admin', ['admin:*']).requireTeam(), { code: 'ERR_PERMISSION_DENIED', status: 403 })
})

test('requireTeamMember wants an org and a team, and refuses a requirement it does not know', () => {
  const member = Principal.withGrants('team', ['team:read', 'team:write'], { authKind: 'team_token' })
  // withGrants names no org or team.
  assert.throws(() => member.requireTeamMember({ write: true }), { code: 'ERR_PERMISSION_DENIED', status: 403 })
  assert.throws(() => member.requireTeamMember(), { code: 'ERR_PERMISSION_DENIED' })
  assert.throws(() => member.requireTeamMember({ writes: true }), (e) => e instanceof TypeError && /`writes`.*write, permission, orgId, teamNodeId, allowVisitors/.test(e.message))
})
