'use strict'
// Interop with jose (panva/jose), both ways, mirroring bindings-python/tests/test_pyjwt_interop.py.
//
// - OIDC: tokens jose signs with RS256, ES256, ES384 and EdDSA (the test keys) verify with
//   OidcValidator; jose's HS256 and `none` tokens are refused. (We do not mint OIDC tokens.)
// - Impersonation: tokens our ImpersonationSigner mints pass jose's jwtVerify under the agent runtime's rules
//   (HS256, issuer, audience, required claims, no leeway, plus its two post-decode checks),
//   and tokens jose mints with the config service's claims verify with ImpersonationVerifier.
// The agent runtime's rules in jose over the whole impersonation corpus: vectors-impersonation-jose.test.js.

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { test } = require('node:test')
const { ImpersonationSigner, ImpersonationVerifier, OidcValidator } = require('@incidentfox/auth')
const s = require('./support.js')

const SECRET = 'jose-interop-secret-0123456789abcdef'
const IMP_ISSUER = 'incidentfox-config-service'
const IMP_AUDIENCE = 'incidentfox-agent-runtime'
const REQUIRED = ['exp', 'iat', 'sub', 'org_id', 'team_node_id', 'ifx_kind', 'scope', 'jti']

const jose = () => import('jose')

function validator(overrides = {}) {
  return new OidcValidator({
    issuer: s.ISSUER,
    audience: s.AUDIENCE,
    jwksJson: s.oidcJwks('rs256', 'es256', 'es384', 'eddsa'),
    algorithms: ['RS256', 'ES256', 'ES384', 'EdDSA'],
    ...overrides,
  })
}

// --- OIDC: jose signs, we verify.

for (const key of ['rs256', 'es256', 'es384', 'eddsa']) {
  test(`jose ${key} OIDC tokens verify`, async () => {
    const claims = s.oidcClaims({
      email: 'alice@example.com', groups: ['sre', 'incidentfox-config-admin'], org_id: 'org-1',
      team_node_id: 'team-1', nbf: s.NOW - 60, jti: crypto.randomUUID(),
    })
    const token = await s.mintOidc(claims, key)
    for (const verified of [validator().verifySync(token, { now: s.NOW }), await validator().verify(token, { now: s.NOW })]) {
      assert.equal(verified.subject, 'alice')
      assert.equal(verified.email, 'alice@example.com')
      assert.deepEqual(verified.groups, ['sre', 'incidentfox-config-admin'])
      assert.deepEqual([verified.orgId, verified.teamNodeId], ['org-1', 'team-1'])
      assert.deepEqual(verified.claims, claims)
    }
  })
}

test('jose OIDC tokens verify at the real clock', async () => {
  const now = Math.floor(Date.now() / 1000)
  const token = await s.mintOidc(s.oidcClaims({ iat: now, exp: now + 300 }), 'rs256')
  assert.equal(validator().verifySync(token).subject, 'alice')
  const expired = await s.mintOidc(s.oidcClaims({ iat: now - 600, exp: now - 300 }), 'rs256')
  assert.throws(() => validator().verifySync(expired), { code: 'ERR_TOKEN_EXPIRED', status: 401 })
})

test('jose OIDC tokens with bad claims are refused', async () => {
  for (const [change, code] of [
    [{ iss: 'https://evil.example' }, 'ERR_INVALID_ISSUER'],
    [{ aud: 'someone-else' }, 'ERR_INVALID_AUDIENCE'],
    [{ exp: s.NOW - 3600 }, 'ERR_TOKEN_EXPIRED'],
    [{ nbf: s.NOW + 3600 }, 'ERR_TOKEN_NOT_YET_VALID'],
    [{ exp: String(s.NOW + 3600) }, 'ERR_INVALID_CLAIM'],
  ]) {
    const token = await s.mintOidc({ ...s.oidcClaims(), ...change }, 'es256')
    assert.throws(() => validator().verifySync(token, { now: s.NOW }), { code }, JSON.stringify(change))
  }
})

test('jose HMAC and none tokens are refused', async () => {
  const { SignJWT } = await jose()
  const hs = await new SignJWT(s.oidcClaims()).setProtectedHeader({ alg: 'HS256', kid: 'rs256-1' }).sign(new TextEncoder().encode('a-shared-secret-of-some-length-0123'))
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const none = `${part({ alg: 'none', kid: 'rs256-1' })}.${part(s.oidcClaims())}.`
  for (const token of [hs, none]) {
    assert.throws(() => validator().verifySync(token, { now: s.NOW }), { code: 'ERR_ALGORITHM_NOT_ALLOWED' }, token)
  }
})

test('a jose token signed by an unknown key is refused', async () => {
  const token = await s.mintOidc(s.oidcClaims(), 'rs256_rotated') // kid rs256-2, not in the set
  assert.throws(() => validator().verifySync(token, { now: s.NOW }), { code: 'ERR_UNKNOWN_KEY_ID' })
})

// --- Impersonation: we mint, jose verifies under the agent runtime's rules.

async function runtimeDecode(token, { secret = SECRET, audience = IMP_AUDIENCE } = {}) {
  const { jwtVerify } = await jose()
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret), {
    algorithms: ['HS256'], issuer: IMP_ISSUER, audience, requiredClaims: REQUIRED, clockTolerance: 0,
  })
  // The agent runtime's two checks after decoding.
  assert.ok(['team_impersonation', 'visitor'].includes(payload.ifx_kind))
  assert.ok((typeof payload.scope === 'string' ? [payload.scope] : payload.scope).includes('team:read'))
  return { payload, protectedHeader }
}

test('our impersonation tokens verify in jose under the agent runtime\'s rules', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'okta|admin', email: 'admin@example.com' })
  const { payload, protectedHeader } = await runtimeDecode(minted.token)
  assert.deepEqual(protectedHeader, { alg: 'HS256', typ: 'JWT' })
  assert.deepEqual(Object.keys(payload), ['iss', 'aud', 'sub', 'email', 'org_id', 'team_node_id', 'ifx_kind', 'scope', 'iat', 'exp', 'jti'])
  assert.equal(payload.sub, 'okta|admin')
  assert.equal(payload.email, 'admin@example.com')
  assert.deepEqual([payload.org_id, payload.team_node_id], ['org-1', 'team-1'])
  assert.equal(payload.ifx_kind, 'team_impersonation')
  assert.deepEqual(payload.scope, ['team:read'])
  assert.equal(payload.exp - payload.iat, 900)
  assert.equal(payload.jti, minted.jti)
  assert.equal(payload.exp, minted.expiresAt)
  assert.deepEqual(minted.toJSON(), { token: minted.token, expires_at: minted.expiresAt, jti: minted.jti })
})

test('our impersonation token without an email writes null, TTL floor 60', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's', ttlSeconds: 30 })
  const { payload } = await runtimeDecode(minted.token)
  assert.equal(payload.email, null)
  assert.equal(payload.exp - payload.iat, 60)
})

test('our visitor tokens verify in jose under the agent runtime\'s rules', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mintVisitor({ orgId: 'org-1', teamNodeId: 'team-1', sessionId: 'vs-1' })
  const { payload } = await runtimeDecode(minted.token)
  assert.equal(payload.sub, 'visitor:vs-1')
  assert.equal(payload.visitor_session_id, 'vs-1')
  assert.equal(payload.ifx_kind, 'visitor')
  assert.deepEqual(payload.scope, ['team:read', 'agent:invoke'])
  assert.equal(payload.exp - payload.iat, 1800)
})

test('our tokens for a custom audience', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET, audience: 'staging-runtime' }).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  assert.equal((await runtimeDecode(minted.token, { audience: 'staging-runtime' })).payload.aud, 'staging-runtime')
  await assert.rejects(runtimeDecode(minted.token), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' })
})

// --- Impersonation: jose mints with the config service's claims, we verify.

async function configServiceMint({ visitor = false, secret = SECRET, iat = Math.floor(Date.now() / 1000), ttl = 900, audience = IMP_AUDIENCE, email = 'admin@example.com' } = {}) {
  const { SignJWT } = await jose()
  const common = { iss: IMP_ISSUER, aud: audience }
  const claims = visitor
    ? { ...common, sub: 'visitor:vs-9', org_id: 'org-1', team_node_id: 'team-1', ifx_kind: 'visitor', visitor_session_id: 'vs-9', scope: ['team:read', 'agent:invoke'], iat, exp: iat + Math.max(60, ttl), jti: crypto.randomBytes(16).toString('hex') }
    : { ...common, sub: 'okta|admin', email, org_id: 'org-1', team_node_id: 'team-1', ifx_kind: 'team_impersonation', scope: ['team:read'], iat, exp: iat + Math.max(60, ttl), jti: crypto.randomBytes(16).toString('hex') }
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret))
}

test('jose impersonation tokens verify with our verifier', async () => {
  const verifier = new ImpersonationVerifier({ secret: SECRET })
  const verified = await verifier.verify(await configServiceMint())
  assert.equal(verified.kind, 'team_impersonation')
  assert.equal(JSON.stringify(verified.principal()), JSON.stringify({
    role: 'team', auth_kind: 'impersonation', org_id: 'org-1', team_node_id: 'team-1', subject: 'okta|admin',
    email: 'admin@example.com', can_write: false, permissions: ['team:read'],
  }))
  const visitor = await verifier.verify(await configServiceMint({ visitor: true }))
  assert.equal(visitor.kind, 'visitor')
  assert.equal(visitor.visitorSessionId, 'vs-9')
  assert.deepEqual(visitor.principal().permissions, ['team:read', 'agent:invoke'])
  assert.equal((await verifier.verify(await configServiceMint({ email: null }))).email, null)
})

test('bad jose impersonation tokens are refused', async () => {
  const now = Math.floor(Date.now() / 1000)
  for (const [args, code] of [
    [{ secret: 'a-different-secret-the-verifier-does-not-know' }, 'ERR_INVALID_SIGNATURE'],
    [{ iat: now - 1000 }, 'ERR_TOKEN_EXPIRED'],
    [{ iat: now + 600 }, 'ERR_TOKEN_ISSUED_IN_FUTURE'],
    [{ audience: 'incidentfox-web-ui' }, 'ERR_INVALID_AUDIENCE'],
  ]) {
    await assert.rejects(new ImpersonationVerifier({ secret: SECRET }).verify(await configServiceMint(args)), { code }, JSON.stringify(args))
  }
})

test('the legacy audience only with the switch', async () => {
  const token = await configServiceMint({ audience: 'incidentfox-config-service' })
  await assert.rejects(new ImpersonationVerifier({ secret: SECRET }).verify(token), { code: 'ERR_INVALID_AUDIENCE' })
  assert.equal((await new ImpersonationVerifier({ secret: SECRET, acceptLegacyAudience: true }).verify(token)).orgId, 'org-1')
})

test('the keys are the vector keys', () => {
  const kids = new Set(s.loadVectors('attacks.json').jwks.keys.map((k) => k.kid))
  for (const name of ['rs256', 'es256', 'eddsa']) assert.ok(kids.has(s.KEYS[name].kid), name)
})
