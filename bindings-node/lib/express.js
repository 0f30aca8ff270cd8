'use strict'
// Express (or plain `http`) middleware: authenticate the request, check what the route needs,
// put the principal on `req.principal` (and `res.locals.principal`), or answer 401/403/503/500
// with {"error": {"code", "status", "message"}}.
//
// Operations: `metricsHandler(source)` for `GET /metrics` (OpenMetrics text) and
// `healthHandler(source)` for a readiness probe (`GET /healthz`: the health JSON, 200 or 503).
//
// The web UI's sign-in: `loginRoute(login)` for `GET /api/auth/login` and `callbackRoute(login)`
// for `GET /api/auth/callback` (see lib/login.js).

const nodeHttp = require('node:http')
const http = require('./http.js')
const flow = require('./login.js')

// The options every middleware takes; `requireTeamMember` adds the team ones.
const MIDDLEWARE_OPTIONS = ['authenticator', 'orgIdParam', 'logger']

function middlewareOptions(helper, given, extra = []) {
  const options = http.helperOptions(helper, given, [...MIDDLEWARE_OPTIONS, ...extra])
  http.optionalString(helper, 'orgIdParam', options.orgIdParam)
  return options
}

function middleware(check, options) {
  return async function incidentfoxAuth(req, res, next) {
    try {
      const authenticator = options.authenticator ?? http.getAuthenticator()
      const principal = await authenticator.authenticate(http.credentialHeaders((name) => header(req, name)), {
        method: req.method,
      })
      check(principal, authenticator, req.params)
      req.principal = principal
      if (res.locals) res.locals.principal = principal
    } catch (error) {
      const answer = http.errorResponse(error, options.logger)
      if (answer === undefined) return next(error)
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body)
      return undefined
    }
    return next()
  }
}

// Node joins repeated headers except `cookie` (joined with `; `) and `set-cookie`. Only the
// headers object's own members are headers.
function header(req, name) {
  if (!Object.prototype.hasOwnProperty.call(req.headers, name)) return undefined
  const value = req.headers[name]
  return Array.isArray(value) ? value.join('; ') : value
}

/** Any authenticated caller (e.g. `GET /api/v1/auth/me`). */
function requirePrincipal(options) {
  return middleware(() => undefined, middlewareOptions('requirePrincipal', options))
}

/** An admin (`not_admin` otherwise) that, when `permission` is given, holds a grant for it
 * (`permission_denied`). `options.orgIdParam` names the route parameter holding the org the
 * request acts on; an org-admin token passes only for its own org, and never without it. */
function requireAdmin(permission, options) {
  http.optionalString('requireAdmin', 'permission', permission)
  const checked = middlewareOptions('requireAdmin', options)
  return middleware(
    (principal, _, params) => http.checkAdmin(principal, permission, http.orgOf(params, checked)),
    checked,
  )
}

/** The orchestrator's check for route `name`: admin, `admin:*` when required, the route's
 * permission; an unknown name is `invalid_config` (500), so a typo never opens a route. */
function requireRoute(name, options) {
  if (typeof name !== 'string') throw new TypeError('requireRoute: the route name must be a string')
  const checked = middlewareOptions('requireRoute', options)
  return middleware(
    (principal, authenticator, params) =>
      authenticator.routes.authorize(principal, name, http.orgOf(params, checked)).throwIfDenied(),
    checked,
  )
}

/** A caller that names an org and a team (`permission_denied` otherwise). Read-only
 * impersonation and anonymous visitor tokens name one too and pass, whatever the request is
 * about: routes that write, need a permission, act on a team in the URL or are not for visitors
 * use `requireTeamMember`. */
function requireTeam(options) {
  return middleware(http.checkTeam, middlewareOptions('requireTeam', options))
}

/** A member of a team that meets what the route needs (`permission_denied` otherwise): no
 * anonymous visitor unless `allowVisitors`; `write`: no read-only principal (impersonation,
 * visitors); `permission`: a grant for it; `orgIdParam` / `teamIdParam`: the route parameters
 * holding the org and team the request acts on, which the caller must belong to. */
function requireTeamMember(options) {
  const team = middlewareOptions('requireTeamMember', options, http.TEAM_OPTIONS)
  http.checkTeamOptions('requireTeamMember', team)
  return middleware((principal, _, params) => http.checkTeamMember(principal, team, team.orgIdParam, params), team)
}

// Writes a login answer; Set-Cookie values already on the response (another middleware's, or
// `onLogin`'s) are kept. Every header is checked before the response is touched, so a value Node
// refuses throws here with nothing of the answer half-set.
function send(res, answer) {
  const cookies = []
  const headers = {}
  for (const [name, value] of answer.headers) {
    nodeHttp.validateHeaderValue(name, value)
    if (name === 'set-cookie') cookies.push(value)
    else headers[name] = value
  }
  if (cookies.length > 0) {
    const before = res.getHeader('set-cookie')
    const kept = before === undefined ? [] : Array.isArray(before) ? before.map(String) : [String(before)]
    res.setHeader('set-cookie', [...kept, ...cookies])
  }
  res.writeHead(answer.status, headers)
  res.end(answer.body ?? undefined)
}

// An error that is not one of this package's: Express's error handling when there is one
// (`next`), else (plain `http`, where nothing else would catch it and the process would exit on
// the unhandled rejection) a bare 500, the error logged as Express's default handler logs it.
function fail(res, next, error) {
  if (typeof next === 'function') return next(error)
  console.error('@incidentfox/auth: the login route failed:', error)
  if (res.headersSent) {
    res.destroy()
    return undefined
  }
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end('Internal Server Error')
  return undefined
}

// Every error is caught here: an async handler's rejection is dropped by Express 4 and plain
// `http` alike, which exits the process (one crafted login link would bring the app down).
function route(run) {
  return async function incidentfoxLogin(req, res, next) {
    try {
      let answer
      try {
        answer = await run(req, res, new URL(req.originalUrl ?? req.url ?? '/', 'http://localhost'))
      } catch (error) {
        answer = flow.loginErrorAnswer(error)
        if (answer === undefined) throw error
      }
      send(res, answer)
    } catch (error) {
      return fail(res, next, error)
    }
    return undefined
  }
}

/** `GET /api/auth/login`: sets the login cookies and redirects 302 to the provider. */
function loginRoute(login, options = {}) {
  const getLogin = flow.loginSource(login)
  return route((req, res, url) => flow.startLogin(getLogin, url.searchParams, options))
}

/** `GET /api/auth/callback`: completes the login, clears the login cookies, sets the session
 * cookie and redirects 302 to the sanitised return-to path; a refusal is its JSON error body. */
function callbackRoute(login, options = {}) {
  const getLogin = flow.loginSource(login)
  return route((req, res, url) => flow.finishLogin(getLogin, url.search, header(req, 'cookie'), options, [req, res]))
}

// A package error (a configuration problem when the shared authenticator is first built) is
// its JSON error answer; anything else goes to `fail`.
function operation(answer, logger) {
  return async function incidentfoxOperation(req, res, next) {
    let out
    try {
      out = await answer()
    } catch (error) {
      const refusal = http.errorResponse(error, logger)
      if (refusal === undefined) return fail(res, next, error)
      out = refusal
    }
    res.writeHead(out.status, out.headers)
    res.end(req.method === 'HEAD' ? undefined : out.body)
    return undefined
  }
}

/** `GET /metrics`: the OpenMetrics text of `source` (an Authenticator, OidcValidator or
 * ImpersonationVerifier; default the configured authenticator), content type
 * `application/openmetrics-text; version=1.0.0; charset=utf-8`. */
function metricsHandler(source) {
  http.checkSource('metricsHandler', source)
  return operation(() => http.metricsAnswer(source))
}

/** `GET /healthz`: `health()` of `source` (default the configured authenticator) as JSON,
 * 200 when ready, else 503: for a Kubernetes readiness probe. */
function healthHandler(source) {
  http.checkSource('healthHandler', source)
  return operation(() => http.healthAnswer(source))
}

module.exports = {
  OPENMETRICS_CONTENT_TYPE: http.OPENMETRICS_CONTENT_TYPE,
  SESSION_COOKIE: http.SESSION_COOKIE,
  callbackRoute,
  configure: http.configure,
  getAuthenticator: http.getAuthenticator,
  healthHandler,
  loginRoute,
  metricsHandler,
  requireAdmin,
  requirePrincipal,
  requireRoute,
  requireTeam,
  requireTeamMember,
}
