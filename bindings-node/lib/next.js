'use strict'
// Next.js route handlers (App Router): `withAuth(handler, options)` authenticates the `Request`,
// checks what the route needs and calls `handler(request, { ...context, principal })`, or
// answers 401/403/503/500 with {"error": {"code", "status", "message"}}.

const http = require('./http.js')

function withAuth(handler, options = {}) {
  return async function authenticated(request, context) {
    let principal
    try {
      const authenticator = options.authenticator ?? http.getAuthenticator()
      principal = await authenticator.authenticate(
        http.credentialHeaders((name) => request.headers.get(name) ?? undefined),
      )
      if (options.route != null) authenticator.routes.authorize(principal, options.route).throwIfDenied()
      if (options.admin || options.permission != null) http.checkAdmin(principal, options.permission)
    } catch (error) {
      const answer = http.errorResponse(error)
      if (answer === undefined) throw error
      return new Response(answer.body, { status: answer.status, headers: answer.headers })
    }
    return handler(request, { ...context, principal })
  }
}

module.exports = {
  SESSION_COOKIE: http.SESSION_COOKIE,
  configure: http.configure,
  getAuthenticator: http.getAuthenticator,
  withAuth,
}
