'use strict'
// testdata/vectors/rbac.json, mirroring core/tests/vectors_rbac.rs (`rbac_vectors`) and
// bindings-python/tests/test_vectors_rbac.py. `RbacPolicy.fromEnv(env)`: resolveWithSources
// gives the permissions and their sources in order, resolve the same permissions, and
// explain(groups, grant) names the first grant that matches with that grant's source. Load errors
// carry the code and name the group and value.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { RbacPolicy } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('rbac.json')
const CASES = DOC.cases

test('the file is well formed', () => {
  s.uniqueNames(CASES)
  assert.ok(CASES.length >= 20)
})

function check(c) {
  const expect = c.expect
  const got = s.outcomeSync(() => RbacPolicy.fromEnv(c.env))
  if ('error' in expect) {
    if (got instanceof RbacPolicy) return `expected ${expect.error}, got a policy granting ${got.resolve([])}`
    if (s.codeOf(got) !== expect.error) return `expected ${expect.error}, got ${got.code}`
    if (got.status !== 500) return `status ${got.status}`
    const missing = expect.message_contains.filter((n) => !got.message.includes(n))
    return missing.length ? `message lacks ${missing}: ${got.message}` : null
  }
  if (!(got instanceof RbacPolicy)) return `expected a policy, got ${got.code}: ${got.message}`
  const withSources = got.resolveWithSources(c.groups).map((g) => [g.permission, g.source])
  const want = expect.permissions.map((p, i) => [p, expect.sources[i]])
  if (JSON.stringify(withSources) !== JSON.stringify(want)) return `expected ${JSON.stringify(want)}, got ${JSON.stringify(withSources)}`
  const permissions = got.resolve(c.groups)
  if (JSON.stringify(permissions) !== JSON.stringify(expect.permissions)) return `expected permissions ${expect.permissions}, got ${permissions}`
  const sources = Object.fromEntries(want)
  for (const [index, grant] of permissions.entries()) {
    const decision = got.explain(c.groups, grant).toJSON()
    const matched = decision.matched_grant
    if (!decision.allowed || !permissions.slice(0, index + 1).includes(matched)) return `${grant}: decision ${JSON.stringify(decision)}`
    if (decision.source !== sources[matched]) return `${grant}: matched ${matched} from ${decision.source}, expected ${sources[matched]}`
  }
  return null
}

test('every rbac vector', () => {
  const failures = CASES.map((c) => [c, check(c)]).filter(([, why]) => why).map(([c, why]) => `${c.name}: ${why}`)
  s.report(failures, CASES.length, 'rbac cases')
})

const csv = (value) => value.split(',').map((x) => x.trim()).filter(Boolean)

test('the constructor agrees with fromEnv', () => {
  // Only where a JS object can hold the map (no duplicate members) and the env is valid.
  let compared = 0
  for (const c of CASES) {
    if ('error' in c.expect) continue
    const env = c.env
    const defaults = 'ADMIN_PERMISSIONS_DEFAULT' in env ? csv(env.ADMIN_PERMISSIONS_DEFAULT) : ['admin:*']
    const raw = (env.ADMIN_GROUP_PERMISSIONS_JSON ?? '').trim()
    const groupPermissions = raw ? JSON.parse(raw) : {}
    const policy = new RbacPolicy({ defaults, groupPermissions })
    assert.deepEqual(policy.resolve(c.groups), c.expect.permissions, c.name)
    compared += 1
  }
  assert.ok(compared >= 10)
})
