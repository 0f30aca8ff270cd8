'use strict'
// What the Express and Next.js helpers share: which headers carry a credential, the session
// cookie, the shared authenticator, and the error response. The decisions are the core's.

const { Authenticator, ERROR_CODES, errorCode } = require('./index.js')

/** The web UI's session cookie; its value is a bearer token. */
const SESSION_COOKIE = 'incidentfox_session_token'

// The headers the core reads a credential from (see Credentials::from_headers), the session
// cookie in `Cookie` included, and `Origin`: the core decides when the cookie stands in as the
// bearer token (SESSION_COOKIE_CSRF checks the request's method and `Origin`).
const CREDENTIAL_HEADERS = ['authorization', 'x-admin-token', 'x-incidentfox-team-token', 'x-internal-service', 'cookie', 'origin']

/**
 * The credential headers of a request as `[name, value]` pairs, given `get(name)` (lowercase
 * name → value or undefined).
 */
function credentialHeaders(get) {
  const pairs = []
  for (const name of CREDENTIAL_HEADERS) {
    const value = get(name)
    if (typeof value === 'string' && value.trim() !== '') pairs.push([name, value])
  }
  return pairs
}

let shared

/** Uses `authenticator` for every helper that is given none (`null` forgets it). */
function configure(authenticator) {
  shared = authenticator ?? undefined
}

/** The configured authenticator, else one built from the environment on first use. A
 * configuration problem throws `ERR_INVALID_CONFIG` on each call until fixed. */
function getAuthenticator() {
  if (shared === undefined) shared = Authenticator.fromEnv()
  return shared
}

/** An error of this package for `code` (as the core would build it). */
function authError(code, message) {
  const error = new Error(message)
  error.code = `ERR_${code.toUpperCase()}`
  error.status = ERROR_CODES[code]
  return error
}

/** Throws unless `principal` is an admin that, when given, holds a grant for `permission`, and
 * (an org-admin token) acts on its own org `orgId`. */
function checkAdmin(principal, permission, orgId) {
  principal.requireAdmin(permission ?? undefined, orgId ?? undefined)
}

/** The org a request acts on: the route parameter `options.orgIdParam` names, if any. */
function orgOf(params, options) {
  const name = options?.orgIdParam
  if (name == null || params == null) return undefined
  const value = params[name]
  return typeof value === 'string' ? value : undefined
}

/** Throws unless `principal` names one org and team. */
function checkTeam(principal) {
  principal.requireTeam()
}

/** The HTTP answer to an error of this package: status, headers and the JSON body
 * `{"error": {"code", "status", "message"}}`; undefined for any other error. */
function errorResponse(error) {
  const code = errorCode(error)
  if (code === undefined) return undefined
  const status = error.status ?? ERROR_CODES[code]
  const headers = { 'content-type': 'application/json' }
  if (status === 401) headers['www-authenticate'] = 'Bearer'
  return { status, headers, body: JSON.stringify({ error: { code, status, message: error.message } }) }
}

module.exports = {
  orgOf,
  SESSION_COOKIE,
  authError,
  checkAdmin,
  checkTeam,
  configure,
  credentialHeaders,
  errorResponse,
  getAuthenticator,
}
