'use strict'
// Next.js route handlers (App Router): `withAuth(handler, options)` authenticates the `Request`,
// checks what the route needs and calls `handler(request, { ...context, principal })`, or
// answers 401/403/503/500 with {"error": {"code", "status", "message"}}.
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

function withAuth(handler, options = {}) {
  return async function authenticated(request, context) {
    let principal
    try {
      const authenticator = options.authenticator ?? http.getAuthenticator()
      principal = await authenticator.authenticate(
        http.credentialHeaders((name) => request.headers.get(name) ?? undefined),
        { method: request.method },
      )
      const orgId = http.orgOf(await context?.params, options)
      if (options.route != null) authenticator.routes.authorize(principal, options.route, orgId).throwIfDenied()
      if (options.admin || options.permission != null) http.checkAdmin(principal, options.permission, orgId)
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
  callbackHandler,
  configure: http.configure,
  getAuthenticator: http.getAuthenticator,
  loginHandler,
  withAuth,
}
