'use strict'
// One rule, one home, mirroring bindings-python/tests/test_rules_agree.py: the options a binding
// takes mean what the same environment variable means, because both go through the core.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { ImpersonationSigner, Principal } = require('@incidentfox/auth')

const SECRET = 'rules-agree-impersonation-secret-0123456789'
const brokenStore = {
  record() { throw new Error('down') },
  contains() { throw new Error('down') },
  revoke() { throw new Error('down') },
}
const claims = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())

test('record mode spellings agree with the environment', async () => {
  for (const spelling of ['best_effort', 'best-effort', 'BEST_EFFORT', ' Best-Effort ']) {
    const fromEnv = ImpersonationSigner.fromEnv(
      { IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_JTI_DB_LOGGING: '1', IMPERSONATION_JTI_RECORD_MODE: spelling },
      { jtiStore: brokenStore },
    )
    const direct = new ImpersonationSigner({ secret: SECRET, jtiStore: brokenStore, jtiLogging: true, recordMode: spelling })
    for (const signer of [fromEnv, direct]) {
      assert.ok((await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })).token, spelling)
    }
  }
  assert.throws(() => new ImpersonationSigner({ secret: SECRET, recordMode: 'lenient' }), { code: 'ERR_INVALID_CONFIG' })
})

test('the ttl floor is one rule', async () => {
  const fromEnv = ImpersonationSigner.fromEnv({ IMPERSONATION_JWT_SECRET: SECRET, IMPERSONATION_TOKEN_TTL_SECONDS: '5' })
  const direct = new ImpersonationSigner({ secret: SECRET, ttlSeconds: 5 })
  for (const signer of [fromEnv, direct]) {
    const minted = claims((await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 's' })).token)
    assert.equal(minted.exp - minted.iat, 60)
  }
})

test('a fractional now is whole seconds, as in Python', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's', now: 1_700_000_000.9 })
  assert.equal(claims(minted.token).iat, 1_700_000_000)
  await assert.rejects(new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's', now: NaN }), { code: 'ERR_INVALID_CONFIG' })
})

test('role names come from the core', () => {
  assert.equal(Principal.withGrants('team', ['team:read']).role, 'team')
  assert.throws(() => Principal.withGrants('Admin', ['admin:*']))
})

test('algorithm names are read as the environment reads them', () => {
  const { Authenticator, OidcValidator } = require('@incidentfox/auth')
  const options = { issuer: 'https://idp.example', audience: 'svc', jwksUrl: 'https://idp.example/jwks' }
  new OidcValidator({ ...options, algorithms: ['RS256'] })
  for (const names of [['rs256'], ['RS256', 'ES512'], ['none']]) {
    assert.throws(() => new OidcValidator({ ...options, algorithms: names }), { code: 'ERR_INVALID_CONFIG' }, names.join())
    assert.throws(() => Authenticator.fromEnv({
      ADMIN_AUTH_MODE: 'oidc', OIDC_ENABLED: '1', OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'svc',
      OIDC_JWKS_URL: 'https://idp.example/jwks', OIDC_ALG: names.join(','),
    }), { code: 'ERR_INVALID_CONFIG' }, names.join())
  }
})

test('the default admin grant is the core\'s', () => {
  const { RbacPolicy } = require('@incidentfox/auth')
  assert.deepEqual(new RbacPolicy().resolve([]), ['admin:*'])
  assert.deepEqual(RbacPolicy.fromEnv({}).resolve([]), ['admin:*'])
})
