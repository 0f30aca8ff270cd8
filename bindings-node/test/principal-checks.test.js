'use strict'
// Principal.requireAdmin / requireTeam: the core's one rule for "admins only" and "one team",
// which the Express and Next.js helpers call.

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
