'use strict'
// What the services need to switch by changing imports, mirroring
// bindings-python/tests/test_drop_in.py: visitor tokens carry the email, grants resolve from
// claims verified elsewhere, the break-glass grants are known without a token, and a team-only
// configuration (TOKEN_PEPPER alone) starts.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const {
  Authenticator, ImpersonationSigner, ImpersonationVerifier, RbacPolicy, adminTokenGrants, hashTokenSecret,
} = require('@incidentfox/auth')

const SECRET = 'drop-in-impersonation-secret-0123456789'
const PEPPER = 'drop-in-pepper'

test('a visitor token carries the email into /auth/me', async () => {
  const signer = new ImpersonationSigner({ secret: SECRET })
  const verifier = new ImpersonationVerifier({ secret: SECRET })
  const minted = await signer.mintVisitor({ orgId: 'o', teamNodeId: 't', sessionId: 's-1', email: 'v@example.com' })
  const me = (await verifier.verify(minted.token)).principal().toJSON()
  assert.equal(me.email, 'v@example.com')
  assert.equal(me.visitor_session_id, 's-1')
  const without = await signer.mintVisitor({ orgId: 'o', teamNodeId: 't', sessionId: 's-2' })
  assert.equal('email' in (await verifier.verify(without.token)).principal().toJSON(), false)
})

test('a team-only configuration starts', async () => {
  const lookup = {
    lookup: (tokenId) => (tokenId === 'tokid'
      ? { orgId: 'org-1', teamNodeId: 'team-1', tokenId, tokenHash: hashTokenSecret('toksecret', PEPPER) }
      : null),
  }
  const auth = Authenticator.fromEnv({ TOKEN_PEPPER: PEPPER }, { teamTokenLookup: lookup })
  const principal = await auth.authenticate({ authorization: 'Bearer tokid.toksecret' })
  assert.deepEqual([principal.authKind, principal.teamNodeId], ['team_token', 'team-1'])
  await assert.rejects(auth.authenticate({ authorization: 'Bearer some-admin-token-0123456789abcdef0123' }), { code: 'ERR_INVALID_CREDENTIALS' })
  assert.throws(() => Authenticator.fromEnv({ TOKEN_PEPPER: PEPPER, ADMIN_AUTH_MODE: 'token' }), { code: 'ERR_INVALID_CONFIG' })
})

test('grants resolve from claims', () => {
  const env = {
    ADMIN_TOKEN: 'break-glass-admin-token-0123456789abcdef',
    OIDC_ENABLED: '1', OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'svc',
    OIDC_JWKS_URL: 'https://idp.example/jwks', OIDC_GROUPS_CLAIM: 'cognito:groups',
    ADMIN_PERMISSIONS_DEFAULT: '', ADMIN_GROUP_PERMISSIONS_JSON: '{"sre": ["admin:provision"]}',
  }
  const claims = { groups: ['ignored'], 'cognito:groups': ['sre'] }
  assert.deepEqual(Authenticator.fromEnv(env).grantsFromClaims(claims), ['admin:provision'])
  const policy = RbacPolicy.fromEnv(env)
  assert.deepEqual(policy.resolveClaims(claims), [])
  assert.deepEqual(policy.resolveClaims(claims, 'cognito:groups'), ['admin:provision'])
  assert.throws(() => policy.resolveClaims({ groups: { sre: true } }), { code: 'ERR_INVALID_CLAIM' })
  assert.deepEqual(adminTokenGrants(), ['admin:*'])
})
