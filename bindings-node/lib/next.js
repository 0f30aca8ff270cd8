'use strict'
// Next.js route handlers (App Router): `withAuth(handler, options)` authenticates the `Request`,
// checks what the route needs and calls `handler(request, { ...context, principal })`, or
// answers 401/403/503/500 with {"error": {"code", "status", "message"}}. An unknown option
// throws when the route is wrapped.
//
// Operations: `metricsHandler(source)` for `app/metrics/route.js` (OpenMetrics text) and
// `healthHandler(source)` for `app/healthz/route.js` (the health JSON, 200 or 503).
//
// The web UI's sign-in: `loginHandler(login)` for `app/api/auth/login/route.js` and
// `callbackHandler(login)` for `app/api/auth/callback/route.js` (see lib/login.js).

const http = require('./http.js')
const flow = require('./login.js')

function toResponse(answer) {
  // A Headers built from pairs appends, so every Set-Cookie stays its own header.
  return new Response(answer.body, { status: answer.status, headers: new Headers(answer.headers) })
}

async function answering(run) {
  try {
    return toResponse(await run())
  } catch (error) {
    const answer = flow.loginErrorAnswer(error)
    if (answer === undefined) throw error
    return toResponse(answer)
  }
}

/** `GET /api/auth/login`: sets the login cookies and redirects 302 to the provider. */
function loginHandler(login, options = {}) {
  const getLogin = flow.loginSource(login)
  return function loginRequest(request) {
    return answering(() => flow.startLogin(getLogin, new URL(request.url).searchParams, options))
  }
}

/** `GET /api/auth/callback`: completes the login, clears the login cookies, sets the session
 * cookie and redirects 302 to the sanitised return-to path; a refusal is its JSON error body. */
function callbackHandler(login, options = {}) {
  const getLogin = flow.loginSource(login)
  return function callbackRequest(request) {
    return answering(() =>
      flow.finishLogin(getLogin, new URL(request.url).search, request.headers.get('cookie'), options, [request]),
    )
  }
}

const WITH_AUTH_OPTIONS = ['admin', 'permission', 'route', 'team', 'orgIdParam', 'authenticator', 'logger']

// The options of `withAuth`, checked when the route is wrapped: an unknown option or a value of
// the wrong type throws a TypeError then, rather than leaving the route open to any caller.
function withAuthOptions(given) {
  const options = http.helperOptions('withAuth', given, WITH_AUTH_OPTIONS)
  for (const name of ['permission', 'route', 'orgIdParam']) http.optionalString('withAuth', name, options[name])
  if (options.admin != null && typeof options.admin !== 'boolean') throw new TypeError('withAuth: `admin` must be a boolean')
  if (options.team === true) options.team = Object.create(null)
  else if (options.team === false || options.team == null) options.team = undefined
  else {
    options.team = http.helperOptions('withAuth: team', options.team, http.TEAM_OPTIONS)
    http.checkTeamOptions('withAuth: team', options.team)
  }
  if (options.team !== undefined && (options.admin || options.permission != null || options.route != null)) {
    throw new TypeError('withAuth: `team` is for team routes; it does not combine with `admin`, `permission` or `route`')
  }
  return options
}

function withAuth(handler, given) {
  if (typeof handler !== 'function') throw new TypeError('withAuth: the handler must be a function')
  const options = withAuthOptions(given)
  return async function authenticated(request, context) {
    let principal
    try {
      const authenticator = options.authenticator ?? http.getAuthenticator()
      principal = await authenticator.authenticate(
        http.credentialHeaders((name) => request.headers.get(name) ?? undefined),
        { method: request.method },
      )
      const params = await context?.params
      const orgId = http.orgOf(params, options)
      if (options.route != null) authenticator.routes.authorize(principal, options.route, orgId).throwIfDenied()
      if (options.admin || options.permission != null) http.checkAdmin(principal, options.permission, orgId)
      if (options.team !== undefined) http.checkTeamMember(principal, options.team, options.orgIdParam, params)
    } catch (error) {
      const answer = http.errorResponse(error, options.logger)
      if (answer === undefined) throw error
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    }
    return handler(request, { ...context, principal })
  }
}

// A package error (a configuration problem when the shared authenticator is first built) is
// its JSON error answer; anything else is Next's to handle.
async function operation(answer) {
  let out
  try {
    out = await answer()
  } catch (error) {
    out = http.errorResponse(error)
    if (out === undefined) throw error
  }
  return new Response(out.body, { status: out.status, headers: out.headers })
}

/** `GET /metrics` (`export const GET = metricsHandler()`): the OpenMetrics text of `source`
 * (an Authenticator, OidcValidator or ImpersonationVerifier; default the configured
 * authenticator). */
function metricsHandler(source) {
  http.checkSource('metricsHandler', source)
  return function metricsRequest() {
    return operation(() => http.metricsAnswer(source))
  }
}

/** `GET /healthz`: `health()` of `source` (default the configured authenticator) as JSON, 200
 * when ready, else 503. */
function healthHandler(source) {
  http.checkSource('healthHandler', source)
  return function healthRequest() {
    return operation(() => http.healthAnswer(source))
  }
}

module.exports = {
  OPENMETRICS_CONTENT_TYPE: http.OPENMETRICS_CONTENT_TYPE,
  SESSION_COOKIE: http.SESSION_COOKIE,
  callbackHandler,
  configure: http.configure,
  getAuthenticator: http.getAuthenticator,
  healthHandler,
  loginHandler,
  metricsHandler,
  withAuth,
}
