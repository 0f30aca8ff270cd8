'use strict'
// What the Express and Next.js helpers share: which headers carry a credential, the session
// cookie, the shared authenticator, their options, and the error response. The decisions are
// the core's.

const native = require('../index.js')
const { Authenticator, ERROR_CODES, errorCode, errorHttpResponse } = require('./index.js')

/** The web UI's session cookie; its value is a bearer token (the core's `SESSION_COOKIE`). */
const SESSION_COOKIE = native.sessionCookieName()

// The headers the core reads a credential from (the core's `CREDENTIAL_HEADERS`), the session
// cookie in `Cookie` included, and `Origin`: the core decides when the cookie stands in as the
// bearer token (SESSION_COOKIE_CSRF checks the request's method and `Origin`).
const CREDENTIAL_HEADERS = Object.freeze(native.credentialHeaders())

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

/**
 * The options of helper `helper` as an object of their own (no prototype), checked: an option
 * not in `accepted` throws a TypeError naming it and the accepted ones, so a misspelt or
 * unsupported requirement (`permissions`, `team`) never leaves a route open. Only the options'
 * own members count: a polluted `Object.prototype` adds none.
 */
function helperOptions(helper, given, accepted) {
  const options = Object.create(null)
  if (given == null) return options
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new TypeError(`${helper}: options must be an object; the accepted options are ${accepted.join(', ')}`)
  }
  for (const name of Object.keys(given)) {
    if (!accepted.includes(name)) {
      throw new TypeError(`${helper}: unknown option \`${name}\`; the accepted options are ${accepted.join(', ')}`)
    }
    options[name] = given[name]
  }
  return options
}

/** Throws a TypeError unless `value` (option `name` of `helper`) is undefined, null or a string. */
function optionalString(helper, name, value) {
  if (value != null && typeof value !== 'string') throw new TypeError(`${helper}: \`${name}\` must be a string`)
}

/** The value of route parameter `name` (`req.params`, Next's `params`): a string of the
 * parameters' own, `''` when the route names the parameter but the request lacks it (which the
 * core admits nobody for), undefined when no parameter is named. */
function paramOf(params, name) {
  if (name == null) return undefined
  if (params == null || !Object.prototype.hasOwnProperty.call(params, name)) return ''
  const value = params[name]
  return typeof value === 'string' ? value : ''
}

/** The org a request acts on: the route parameter `options.orgIdParam` names, if any. */
function orgOf(params, options) {
  const name = options?.orgIdParam
  if (name == null || params == null || !Object.prototype.hasOwnProperty.call(params, name)) return undefined
  const value = params[name]
  return typeof value === 'string' ? value : undefined
}

/** Throws unless `principal` names one org and team. */
function checkTeam(principal) {
  principal.requireTeam()
}

/** The options of a team-member check (`requireTeamMember`, Next's `team`). */
const TEAM_OPTIONS = ['write', 'permission', 'teamIdParam', 'allowVisitors']

/** Throws unless `principal` is a team member meeting `team` (checked options: `write`,
 * `permission`, `teamIdParam`, `allowVisitors`) for the request's `params`; `orgIdParam` binds
 * the org. The decision is the core's (`Principal::require_team_member`). */
function checkTeamMember(principal, team, orgIdParam, params) {
  principal.requireTeamMember({
    write: team.write === true,
    permission: team.permission ?? undefined,
    orgId: paramOf(params, orgIdParam),
    teamNodeId: paramOf(params, team.teamIdParam),
    allowVisitors: team.allowVisitors === true,
  })
}

/** Throws a TypeError unless the team options of `helper` have the right types. */
function checkTeamOptions(helper, team) {
  optionalString(helper, 'permission', team.permission)
  optionalString(helper, 'teamIdParam', team.teamIdParam)
  for (const name of ['write', 'allowVisitors']) {
    if (team[name] != null && typeof team[name] !== 'boolean') throw new TypeError(`${helper}: \`${name}\` must be a boolean`)
  }
}

// The detail of a refusal, for the service's log: which claim, key or store failed and why (a
// store's or lookup's error text may name a database host, user or query). A 5xx goes to
// `logger.error` (default `console.error`); a 4xx, the everyday refusal, to `logger.info` when a
// logger is given.
function logRefusal(error, code, status, logger) {
  const line = `incidentfox_auth: ${status} ${code}: ${error.message}`
  if (status >= 500) (logger ?? console).error(line)
  else if (logger != null && typeof logger.info === 'function') logger.info(line)
}

/** The HTTP answer to an error of this package: status, headers and the JSON body
 * `{"error": {"code", "status", "message"}}` whose message is the code's fixed one (the core's
 * `Error::http_response`); the error's own message goes to the log (see `logRefusal`), never to
 * the caller. Undefined for any other error. */
function errorResponse(error, logger) {
  const code = errorCode(error)
  if (code === undefined) return undefined
  const answer = errorHttpResponse(code)
  logRefusal(error, code, answer.status, logger)
  return { status: answer.status, headers: Object.fromEntries(answer.headers), body: answer.body }
}

/** The content type of `openmetrics()`'s text. */
const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'

// The object a metrics or health endpoint reports on: the one given (an Authenticator,
// OidcValidator or ImpersonationVerifier), else the configured authenticator.
function reported(helper, source) {
  if (source == null) return getAuthenticator()
  if (typeof source.openmetrics !== 'function' || typeof source.health !== 'function') {
    throw new TypeError(`${helper}: the source must be an Authenticator, OidcValidator or ImpersonationVerifier`)
  }
  return source
}

function checkSource(helper, source) {
  if (source != null) reported(helper, source)
}

/** The answer of a metrics endpoint: 200 with the OpenMetrics text of `source`. */
function metricsAnswer(source) {
  const body = reported('metricsHandler', source).openmetrics()
  return { status: 200, headers: { 'content-type': OPENMETRICS_CONTENT_TYPE, 'cache-control': 'no-store' }, body }
}

/** The answer of a readiness endpoint: the core's health report as JSON, 200 when it is
 * `ready`, else 503. */
async function healthAnswer(source) {
  const health = await reported('healthHandler', source).health()
  return {
    status: health.ready ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(health),
  }
}

module.exports = {
  OPENMETRICS_CONTENT_TYPE,
  checkSource,
  healthAnswer,
  metricsAnswer,
  orgOf,
  CREDENTIAL_HEADERS,
  SESSION_COOKIE,
  TEAM_OPTIONS,
  authError,
  checkAdmin,
  checkTeam,
  checkTeamMember,
  configure,
  credentialHeaders,
  errorResponse,
  getAuthenticator,
  helperOptions,
  optionalString,
  checkTeamOptions,
}
