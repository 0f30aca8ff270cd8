'use strict'
// Shared helpers: where the vectors are, how to read an outcome, and OIDC tokens signed by jose
// with the repository's test keys (the issuer and audience of the vector files).

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { isAuthError } = require('@incidentfox/auth')

/** The repository root (bindings-node/test → two levels up). */
const REPO_ROOT = path.resolve(__dirname, '..', '..')
const VECTORS = path.join(REPO_ROOT, 'testdata', 'vectors')

/** A vector file under testdata/vectors; a file's description, when present, is not empty. */
function loadVectors(name) {
  const doc = JSON.parse(fs.readFileSync(path.join(VECTORS, name), 'utf8'))
  if (doc && typeof doc === 'object' && 'description' in doc) {
    assert.ok(typeof doc.description === 'string' && doc.description, name)
  }
  return doc
}

/** testdata/keys/keys.json: test-only key pairs (PKCS#8 private keys and public JWKs). */
const KEYS = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'testdata', 'keys', 'keys.json'), 'utf8'))

/** keys.json's private key `name` as a KeyObject (jose signs with it). */
function privateKey(name) {
  let der = Buffer.from(KEYS[name].pkcs8_b64, 'base64url')
  if (KEYS[name].alg === 'EdDSA') {
    // ring writes Ed25519 keys as PKCS#8 v2 (with the public key), which OpenSSL does not read:
    // take the 32-byte seed from the inner OCTET STRING (04 22 04 20 <seed>) into a v1 key.
    const marker = Buffer.from('04220420', 'hex')
    const at = der.indexOf(marker) + marker.length
    der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), der.subarray(at, at + 32)])
  }
  return crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}

function publicJwk(name) {
  return { ...KEYS[name].public_jwk }
}

/** The value of `call()` (awaited), or the error of this package it threw; anything else throws. */
async function outcome(call) {
  try {
    return await call()
  } catch (error) {
    if (isAuthError(error)) return error
    throw error
  }
}

/** The same, for a synchronous call. */
function outcomeSync(call) {
  try {
    return call()
  } catch (error) {
    if (isAuthError(error)) return error
    throw error
  }
}

/** The snake_case code of an error of this package. */
function codeOf(error) {
  return error.code.slice(4).toLowerCase()
}

/** Every case has a name, used once. */
function uniqueNames(cases, seen = new Set()) {
  for (const c of cases) {
    assert.ok(typeof c.name === 'string' && c.name, `a case has no name: ${JSON.stringify(c)}`)
    assert.ok(!seen.has(c.name), `duplicate case name ${c.name}`)
    seen.add(c.name)
  }
}

function report(failures, total, what) {
  assert.equal(failures.length, 0, `${failures.length} of ${total} ${what} failed:\n  ${failures.join('\n  ')}`)
}

const ISSUER = 'https://idp.incidentfox.test'
const AUDIENCE = 'incidentfox-config-service'
const ADMIN_GROUP = 'incidentfox-config-admin'
const NOW = 1_700_000_000

/** A JWKS (JSON text) with the public halves of keys.json's `names`. */
function oidcJwks(...names) {
  return JSON.stringify({ keys: (names.length ? names : ['rs256', 'es256', 'eddsa']).map(publicJwk) })
}

/** Claims the vector files' validator accepts at NOW. */
function oidcClaims(extra = {}) {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'alice', iat: NOW - 60, exp: NOW + 3600, ...extra }
}

/** `claims` signed by jose with keys.json's `key` (its alg, its kid). */
async function mintOidc(claims, key = 'es256', header = {}) {
  const { SignJWT } = await import('jose')
  const spec = KEYS[key]
  return new SignJWT(claims).setProtectedHeader({ alg: spec.alg, kid: spec.kid, ...header }).sign(privateKey(key))
}

/** An authenticator environment: OIDC admins only, trusting the rs256/es256/eddsa test keys. */
function oidcAdminEnv(extra = {}) {
  return {
    OIDC_ENABLED: '1',
    OIDC_ISSUER: ISSUER,
    OIDC_AUDIENCE: AUDIENCE,
    OIDC_JWKS_JSON: oidcJwks(),
    OIDC_ALG: 'RS256,ES256,EdDSA',
    ADMIN_AUTH_MODE: 'oidc',
    ...extra,
  }
}

function bearer(token) {
  return { Authorization: `Bearer ${token}` }
}

/** A team-token lookup: `lookup(tokenId)` returns the stored row or null (sync). */
class TeamTokens {
  constructor(rows = []) {
    this.rows = new Map(rows.map((r) => [r.token_id ?? r.tokenId, { ...r }]))
    this.calls = []
  }
  add(row) {
    this.rows.set(row.token_id ?? row.tokenId, { ...row })
  }
  lookup(tokenId) {
    this.calls.push(tokenId)
    return this.rows.get(tokenId) ?? null
  }
}

/** The stored row of a token from generateTeamToken (never revoked, never expires), camelCase. */
function teamRow(generated, { orgId = 'org-1', teamNodeId = 'team-1', kind = 'team' } = {}) {
  return { orgId, teamNodeId, tokenId: generated.tokenId, tokenHash: generated.tokenHash, revokedAt: null, expiresAt: null, kind }
}

module.exports = {
  ADMIN_GROUP,
  AUDIENCE,
  ISSUER,
  KEYS,
  NOW,
  REPO_ROOT,
  TeamTokens,
  bearer,
  codeOf,
  loadVectors,
  mintOidc,
  oidcAdminEnv,
  oidcClaims,
  oidcJwks,
  outcome,
  outcomeSync,
  privateKey,
  publicJwk,
  report,
  teamRow,
  uniqueNames,
}
