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

// --- Rules that lived in lib/ and now live in the core (mirrored in test_rules_agree.py).

const { Authenticator, ImpersonationVerifier, OidcValidator, RouteTable, generateTeamToken } = require('@incidentfox/auth')
const http = require('../lib/http.js')

test('the credential headers and the session cookie are the core\'s', async () => {
  assert.deepEqual(
    [...http.CREDENTIAL_HEADERS],
    ['authorization', 'x-admin-token', 'x-incidentfox-team-token', 'x-internal-service', 'cookie', 'origin'],
  )
  assert.ok(Object.isFrozen(http.CREDENTIAL_HEADERS))
  assert.equal(http.SESSION_COOKIE, 'incidentfox_session_token')
  assert.equal(require('@incidentfox/auth/express').SESSION_COOKIE, http.SESSION_COOKIE)
  assert.equal(require('@incidentfox/auth/next').SESSION_COOKIE, http.SESSION_COOKIE)
  // The cookie the helpers name is the one the core reads.
  const admin = 'rules-agree-admin-token-0123456789abcdef'
  const auth = Authenticator.fromEnv({ ADMIN_AUTH_MODE: 'token', ADMIN_TOKEN: admin })
  const principal = await auth.authenticate({ cookie: `${http.SESSION_COOKIE}=${admin}` }, { method: 'GET' })
  assert.equal(principal.authKind, 'admin_token')
})

const PEPPER = 'rules-agree-pepper'

class Rows {
  constructor(row) {
    this.row = row
  }
  lookup() {
    return this.row
  }
}

async function withRow(extra) {
  const made = generateTeamToken(PEPPER)
  const row = { tokenId: made.tokenId, tokenHash: made.tokenHash, ...extra }
  const auth = Authenticator.fromEnv({ TOKEN_PEPPER: PEPPER }, { teamTokenLookup: new Rows(row) })
  try {
    return (await auth.authenticate({ 'x-incidentfox-team-token': made.token })).authKind
  } catch (error) {
    return error.code
  }
}

test('a team-token row is read in either spelling, and refused when the two disagree, as in Python', async () => {
  assert.equal(await withRow({ orgId: 'o', teamNodeId: 't' }), 'team_token')
  assert.equal(await withRow({ org_id: 'o', team_node_id: 't' }), 'team_token')
  assert.equal(await withRow({ orgId: 'o', org_id: 'o', teamNodeId: 't' }), 'team_token')
  assert.equal(await withRow({ orgId: 'o', org_id: 'p', teamNodeId: 't' }), 'ERR_LOOKUP_UNAVAILABLE')
  assert.equal(await withRow({ orgId: 'o', teamNodeId: 't', revokedAt: null, revoked_at: new Date(0) }), 'ERR_LOOKUP_UNAVAILABLE')
  // A Date and its RFC 3339 text are the same time; a time given only once counts.
  assert.equal(await withRow({ orgId: 'o', teamNodeId: 't', revokedAt: new Date(0), revoked_at: '1970-01-01T00:00:00.000Z' }), 'ERR_TOKEN_REVOKED')
  assert.equal(await withRow({ orgId: 'o', teamNodeId: 't', expiresAt: undefined, expires_at: new Date(1000) }), 'ERR_TOKEN_EXPIRED')
})

test('an explicit now never takes the cache, as in Python', async () => {
  const s = require('./support.js')
  const validator = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: s.oidcJwks(), algorithms: ['ES256'] })
  const now = Math.floor(Date.now() / 1000)
  const claims = s.oidcClaims({ iat: now - 60, exp: now + 600 })
  const token = await s.mintOidc(claims)
  validator.verifySync(token)
  assert.notEqual(validator.verifyHit(token), null)
  const late = { now: claims.exp + 3600 }
  assert.equal(validator.verifyHit(token, late), null)
  await assert.rejects(validator.verify(token, late), { code: 'ERR_TOKEN_EXPIRED' })
  assert.throws(() => validator.verifySync(token, late), { code: 'ERR_TOKEN_EXPIRED' })
})

test('the network-free impersonation check is the core\'s verify_cached (Python\'s verify_cached)', async () => {
  const minted = await new ImpersonationSigner({ secret: SECRET }).mint({ orgId: 'o', teamNodeId: 't', subject: 's' })
  assert.equal(new ImpersonationVerifier({ secret: SECRET }).verifySync(minted.token).subject, 's')
  const checking = new ImpersonationVerifier({ secret: SECRET, jtiRequire: true, jtiStore: brokenStore })
  assert.throws(() => checking.verifySync(minted.token), { code: 'ERR_INVALID_CONFIG' })
})

test('an unknown team requirement is a TypeError from the addon, as Python refuses an unknown keyword', () => {
  const member = Principal.withGrants('team', ['team:read'], { authKind: 'team_token' })
  for (const need of [{ writes: true }, { orgID: 'o' }, { write: false, team: 't' }]) {
    assert.throws(
      () => member.requireTeamMember(need),
      (e) => e instanceof TypeError && /unknown option `\w+`; the accepted options are write, permission, orgId, teamNodeId, allowVisitors$/.test(e.message),
      JSON.stringify(need),
    )
  }
  // A requirement that is not an object is refused too, never read as no requirement.
  for (const need of [5, 'write', true]) {
    assert.throws(() => member.requireTeamMember(need), TypeError, JSON.stringify(need))
  }
  // Absent and null members are no requirement.
  assert.throws(() => member.requireTeamMember({ write: null, permission: undefined }), { code: 'ERR_PERMISSION_DENIED' })
})

test('exactly one key source, and the defaults are the core\'s', () => {
  const options = { issuer: 'https://idp.example', audience: 'svc' }
  for (const keys of [{}, { jwksUrl: 'https://idp.example/jwks', discovery: true }, { jwksJson: '{"keys":[]}', jwksUrl: 'https://idp.example/jwks' }]) {
    assert.throws(() => new OidcValidator({ ...options, ...keys }), { code: 'ERR_INVALID_CONFIG' }, JSON.stringify(keys))
  }
  assert.equal(new RouteTable().requireAdminStar, RouteTable.fromEnv({}).requireAdminStar)
})
