'use strict'
// testdata/vectors/login.json through the addon: `returnTo` as `OidcLogin.begin` keeps it, the
// WEB_UI_* settings (Secure cookies, the variable named in every problem), the callback's
// refusals before the code exchange (`iss`, the state cookie's role), and the session cookie
// under each SESSION_COOKIE_CSRF policy. The login has explicit endpoints, so nothing is
// fetched: no OpenID Provider is needed.

const assert = require('node:assert/strict')
const { test } = require('node:test')
const { Authenticator, OidcLogin } = require('@incidentfox/auth')
const s = require('./support.js')

const DOC = s.loadVectors('login.json')

/** `base` with the case's `env` on top; null removes a variable. */
function envOf(base, c) {
  const env = { ...base }
  for (const [name, value] of Object.entries(c.env ?? {})) {
    if (value === null) delete env[name]
    else env[name] = value
  }
  return env
}

function checkError(error, expect, name) {
  assert.ok(error instanceof Error, `${name}: expected ${JSON.stringify(expect)}, got ${JSON.stringify(error)}`)
  assert.equal(s.codeOf(error), expect.error, `${name}: ${error.message}`)
  for (const needle of expect.message_contains ?? []) assert.ok(error.message.includes(needle), `${name}: ${needle} in ${error.message}`)
  for (const needle of expect.message_excludes ?? []) assert.ok(!error.message.includes(needle), `${name}: ${needle} in ${error.message}`)
}

test('return_to: what begin keeps', async () => {
  s.uniqueNames(DOC.return_to)
  const login = await OidcLogin.fromEnv(DOC.login_env.base_env)
  for (const c of DOC.return_to) {
    const cookie = login.begin({ returnTo: c.return_to }).cookies.find((k) => k.name === 'ifx_oidc_return_to')
    assert.equal(decodeURIComponent(cookie.value), c.expect, c.name)
  }
})

test('login_env: Secure cookies and the variable named in every problem', async () => {
  s.uniqueNames(DOC.login_env.cases)
  for (const c of DOC.login_env.cases) {
    const got = await s.outcome(() => OidcLogin.fromEnv(envOf(DOC.login_env.base_env, c)))
    if (c.expect.error !== undefined) {
      checkError(got, c.expect, c.name)
    } else if (c.expect.enabled === false) {
      assert.equal(got, null, c.name)
    } else {
      assert.ok(!(got instanceof Error), `${c.name}: ${got?.message}`)
      const cookies = got.begin().cookies
      assert.deepEqual([...new Set(cookies.map((k) => k.secure))], [c.expect.cookie_secure], c.name)
      assert.equal(got.cookieSecure, c.expect.cookie_secure, c.name)
    }
  }
})

test('callback: refused before the code exchange', async () => {
  s.uniqueNames(DOC.callback.cases)
  const login = await OidcLogin.fromEnv(DOC.login_env.base_env)
  for (const c of DOC.callback.cases) {
    checkError(await s.outcome(() => login.complete(c.query, c.cookie)), c.expect, c.name)
  }
})

test('session_cookie: each SESSION_COOKIE_CSRF policy', async () => {
  s.uniqueNames(DOC.session_cookie.cases)
  for (const c of DOC.session_cookie.cases) {
    const got = await s.outcome(() =>
      Authenticator.fromEnv(envOf(DOC.session_cookie.base_env, c)).authenticate(c.headers, { method: c.method ?? undefined }),
    )
    if (c.expect.auth_kind !== undefined) {
      assert.ok(!(got instanceof Error), `${c.name}: ${got?.message}`)
      assert.equal(got.authKind, c.expect.auth_kind, c.name)
    } else {
      checkError(got, c.expect, c.name)
    }
  }
})

test('cookieSecure in OidcLogin.create: derived, forced on, refused off under https', async () => {
  const options = (publicBaseUrl, extra = {}) => ({
    issuer: 'https://idp.example.test',
    clientId: 'web-ui',
    publicBaseUrl,
    authorizationEndpoint: 'https://idp.example.test/auth',
    tokenEndpoint: 'https://idp.example.test/token',
    jwksUrl: 'https://idp.example.test/jwks',
    ...extra,
  })
  assert.equal((await OidcLogin.create(options('https://ui.example.test'))).cookieSecure, true)
  assert.equal((await OidcLogin.create(options('http://localhost:3000'))).cookieSecure, false)
  assert.equal((await OidcLogin.create(options('http://localhost:3000', { cookieSecure: true }))).cookieSecure, true)
  const refused = await s.outcome(() => OidcLogin.create(options('https://ui.example.test', { cookieSecure: false })))
  assert.deepEqual([refused.code, refused.status], ['ERR_INVALID_CONFIG', 500])
  assert.match(refused.message, /`cookie_secure` false/)
})
