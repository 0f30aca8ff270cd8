'use strict'
// Express (or plain `http`) middleware: authenticate the request, check what the route needs,
// put the principal on `req.principal` (and `res.locals.principal`), or answer 401/403/503/500
// with {"error": {"code", "status", "message"}}.

const http = require('./http.js')

function middleware(check, options) {
  return async function incidentfoxAuth(req, res, next) {
    try {
      const authenticator = options?.authenticator ?? http.getAuthenticator()
      const principal = await authenticator.authenticate(http.credentialHeaders((name) => header(req, name)))
      check(principal, authenticator)
      req.principal = principal
      if (res.locals) res.locals.principal = principal
    } catch (error) {
      const answer = http.errorResponse(error)
      if (answer === undefined) return next(error)
      res.writeHead(answer.status, answer.headers)
      res.end(answer.body)
      return undefined
    }
    return next()
  }
}

// Node joins repeated headers except `cookie` (joined with `; `) and `set-cookie`.
function header(req, name) {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join('; ') : value
}

/** Any authenticated caller (e.g. `GET /api/v1/auth/me`). */
function requirePrincipal(options) {
  return middleware(() => undefined, options)
}

/** An admin (`not_admin` otherwise) that, when `permission` is given, holds a grant for it
 * (`permission_denied`). */
function requireAdmin(permission, options) {
  return middleware((principal) => http.checkAdmin(principal, permission), options)
}

/** The orchestrator's check for route `name`: admin, `admin:*` when required, the route's
 * permission; an unknown name is `invalid_config` (500), so a typo never opens a route. */
function requireRoute(name, options) {
  return middleware((principal, authenticator) => authenticator.routes.authorize(principal, name).throwIfDenied(), options)
}

/** A caller scoped to one team (`org_id` and `team_node_id`; `permission_denied` otherwise). */
function requireTeam(options) {
  return middleware(http.checkTeam, options)
}

module.exports = {
  SESSION_COOKIE: http.SESSION_COOKIE,
  configure: http.configure,
  getAuthenticator: http.getAuthenticator,
  requireAdmin,
  requirePrincipal,
  requireRoute,
  requireTeam,
}
