// The package as an ES module: named and default imports of every entry point are the
// CommonJS objects (one addon, one set of classes).

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import ifx, { ERROR_CODES, OidcValidator, explain, isAuthError } from '@incidentfox/auth'
import * as express from '@incidentfox/auth/express'
import { withAuth } from '@incidentfox/auth/next'

const require = createRequire(import.meta.url)

test('named and default imports are the CommonJS exports', () => {
  const cjs = require('@incidentfox/auth')
  assert.equal(OidcValidator, cjs.OidcValidator)
  assert.equal(ifx.Authenticator, cjs.Authenticator)
  assert.deepEqual(Object.keys(ifx).sort(), Object.keys(cjs).sort())
  assert.equal(ERROR_CODES.token_expired, 401)
  assert.equal(explain(['admin:*'], 'admin:x').allowed, true)
  assert.equal(typeof express.requireAdmin, 'function')
  assert.equal(withAuth, require('@incidentfox/auth/next').withAuth)
})

test('errors are recognised through the ES module too', () => {
  assert.throws(() => explain(['bad perm'], 'x'), (e) => isAuthError(e) && e.status === 500)
})
