'use strict'
// Every core error code is exported with its status, and the addon throws (and rejects with)
// JS Errors carrying `code` = 'ERR_' + CODE and `status`.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const ifx = require('@incidentfox/auth')

const { ERROR_CODES, OidcValidator, PermissionSet, ImpersonationVerifier, explain, errorCodes, isAuthError, errorCode } = ifx

// The table of docs/errors.md, in the core's declaration order.
const DOCUMENTED = [
  ['token_malformed', 401], ['forbidden_header', 401], ['token_too_large', 401], ['token_expired', 401],
  ['token_not_yet_valid', 401], ['token_issued_in_future', 401], ['invalid_signature', 401],
  ['algorithm_not_allowed', 401], ['unknown_key_id', 401], ['invalid_issuer', 401], ['invalid_audience', 401],
  ['missing_claim', 401], ['invalid_claim', 401], ['unsupported_critical_header', 401], ['token_revoked', 401],
  ['jti_not_found', 401], ['not_admin', 403], ['permission_denied', 403], ['jwks_unavailable', 503],
  ['jti_store_unavailable', 503], ['invalid_permission', 500], ['invalid_config', 500], ['invalid_key', 500],
  ['missing_credentials', 401], ['invalid_credentials', 401], ['lookup_unavailable', 503],
  ['invalid_state', 401], ['invalid_nonce', 401], ['code_exchange_failed', 401], ['login_denied', 401],
  ['provider_unavailable', 503],
]

test('ERROR_CODES is the core list (ErrorCode::ALL), in order, with each status', () => {
  const core = errorCodes()
  assert.ok(core.length >= 26)
  assert.deepEqual(Object.entries(ERROR_CODES), core.map(({ code, status }) => [code, status]))
  assert.ok(Object.isFrozen(ERROR_CODES))
  assert.equal(ERROR_CODES.lookup_unavailable, 503)
})

test('the core list is the documented one', () => {
  assert.deepEqual(Object.entries(ERROR_CODES), DOCUMENTED)
})

test('every core code maps to ERR_<CODE> and back', () => {
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    const error = Object.assign(new Error('m'), { code: `ERR_${code.toUpperCase()}`, status })
    assert.ok(isAuthError(error), code)
    assert.equal(errorCode(error), code)
    assert.ok([401, 403, 500, 503].includes(status), code)
  }
  assert.equal(errorCode(Object.assign(new Error('m'), { code: 'ERR_MADE_UP' })), undefined)
  assert.equal(isAuthError({ code: 'ERR_TOKEN_EXPIRED' }), false)
})

const JWKS = '{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}'

test('sync throws carry code, status and a message naming the value', () => {
  assert.throws(() => new PermissionSet(['admin::provision']), (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'ERR_INVALID_PERMISSION')
    assert.equal(e.status, 500)
    assert.ok(e.message.includes('admin::provision'))
    return true
  })
  assert.throws(() => new OidcValidator({ issuer: 'https://idp.example', audience: 'aud', jwksJson: JWKS, algorithms: ['HS256'] }), { code: 'ERR_INVALID_CONFIG', status: 500 })
  assert.throws(() => new OidcValidator({ issuer: 'https://idp.example', audience: 'aud', jwksJson: '{"keys": []}', algorithms: ['EdDSA'] }), { code: 'ERR_INVALID_KEY', status: 500 })
  assert.throws(() => new OidcValidator({ issuer: 'https://idp.example', audience: 'aud' }), { code: 'ERR_INVALID_CONFIG' })
  const validator = new OidcValidator({ issuer: 'https://idp.example', audience: 'aud', jwksJson: JSON.parse(JWKS), algorithms: ['EdDSA'] })
  assert.throws(() => validator.verifySync(''), { code: 'ERR_TOKEN_MALFORMED', status: 401 })
})

test('rejections carry code and status', async () => {
  const validator = new OidcValidator({ issuer: 'https://idp.example', audience: 'aud', jwksJson: JWKS, algorithms: ['EdDSA'] })
  await assert.rejects(validator.verify('a.b'), { code: 'ERR_TOKEN_MALFORMED', status: 401 })
  await assert.rejects(new ImpersonationVerifier({ secret: 'some-secret-0123456789abcdef-0123456789' }).verify('x.y.z'), (e) => e instanceof Error && isAuthError(e) && e.status === 401)
})

test('decisions throw their 403 when denied', () => {
  const denied = explain(['admin:read'], 'admin:provision')
  assert.equal(denied.allowed, false)
  assert.equal(denied.reason, 'permission_denied')
  assert.deepEqual(denied.toJSON(), { allowed: false, matched_grant: null, source: null, reason: 'permission_denied' })
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(denied))), ['allowed', 'matched_grant', 'source', 'reason'])
  assert.throws(() => denied.throwIfDenied(), { code: 'ERR_PERMISSION_DENIED', status: 403 })
  explain(['admin:*'], 'admin:provision').throwIfDenied()
})
