'use strict'
// What the Next.js and Express login routes share: where the `OidcLogin` comes from, what
// `/api/auth/login` and `/api/auth/callback` answer, as framework-free answers
// `{ status, headers: [name, value][], body }`. The flow itself (state, PKCE, nonce, the code
// exchange, the ID token, the return-to rules) is the core's.

const http = require('./http.js')

/** The login cookie paths and the session cookie are the core's; the query parameters the
 * login route reads (the second spelling is the web UI's). */
const RETURN_TO_PARAMS = ['returnTo', 'return_to']
const REQUIRE_ROLE_PARAMS = ['requireRole', 'require_role']

function notEnabled() {
  return http.authError('invalid_config', 'the web UI login is not configured (WEB_UI_OIDC_ENABLED is not 1)')
}

/**
 * A function returning a Promise of the `OidcLogin`, from what the caller gave:
 * - an `OidcLogin`;
 * - a Promise of one (`OidcLogin.create(...)`, `OidcLogin.fromEnv()`): a rejection, or `null`
 *   (login not enabled), is the answer of every request, never an unhandled rejection;
 * - a function returning either: called on the first request, its value kept once it is an
 *   `OidcLogin`; a failure (a provider down at discovery) is tried again on the next request.
 */
function loginSource(login) {
  const checked = (value) => {
    if (value == null) throw notEnabled()
    if (typeof value.begin !== 'function' || typeof value.complete !== 'function') {
      throw new TypeError('the login must be an OidcLogin (or a Promise of one, or a function returning one)')
    }
    return value
  }
  if (typeof login === 'function') {
    let pending
    return () => {
      if (pending === undefined) {
        pending = Promise.resolve()
          .then(() => login())
          .then(checked)
        pending.catch(() => {
          pending = undefined
        })
      }
      return pending
    }
  }
  const ready = Promise.resolve(login).then(checked)
  ready.catch(() => undefined) // reported by each request instead
  return () => ready
}

function firstParam(params, names) {
  for (const name of names) {
    const value = params.get(name)
    if (value != null && value !== '') return value
  }
  return undefined
}

const NO_STORE = ['cache-control', 'no-store']

/** `GET /api/auth/login`: the login cookies and a 302 to the provider. `params` is the request's
 * `URLSearchParams`; `?returnTo=` and `?requireRole=` (or the web UI's `return_to`, `require_role`)
 * win over the options' defaults. */
async function startLogin(getLogin, params, options = {}) {
  const login = await getLogin()
  const start = login.begin({
    returnTo: firstParam(params, RETURN_TO_PARAMS) ?? options.returnTo,
    requireRole: firstParam(params, REQUIRE_ROLE_PARAMS) ?? options.requireRole,
  })
  const headers = start.cookies.map((c) => ['set-cookie', c.header])
  headers.push(['location', start.authorizationUrl], NO_STORE)
  return { status: 302, headers, body: null }
}

/** `GET /api/auth/callback`: completes the login, clears the login cookies, sets the session
 * cookie (unless `options.sessionCookie === false`) and redirects 302 to the sanitised return-to
 * path. `onLogin(result, ...hookArgs)` runs first; throwing one of this package's errors there
 * refuses the login with that error's answer. */
async function finishLogin(getLogin, query, cookieHeader, options = {}, hookArgs = []) {
  const login = await getLogin()
  const result = await login.complete(query, cookieHeader ?? null)
  if (typeof options.onLogin === 'function') await options.onLogin(result, ...hookArgs)
  const headers = result.clearCookies.map((c) => ['set-cookie', c.header])
  if (options.sessionCookie !== false) headers.push(['set-cookie', result.sessionCookie.header])
  headers.push(['location', result.returnTo], NO_STORE)
  return { status: 302, headers, body: null }
}

/** The answer to an error of this package (its status and the JSON error body), or undefined
 * for any other error. No `WWW-Authenticate`: these are browser navigations, not bearer APIs. */
function loginErrorAnswer(error) {
  const answer = http.errorResponse(error)
  if (answer === undefined) return undefined
  const headers = Object.entries(answer.headers).filter(([name]) => name !== 'www-authenticate')
  headers.push(NO_STORE)
  return { status: answer.status, headers, body: answer.body }
}

module.exports = { finishLogin, loginErrorAnswer, loginSource, startLogin }
