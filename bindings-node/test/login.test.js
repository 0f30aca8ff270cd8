'use strict'
// The web UI's sign-in over HTTP against a real OpenID Provider (testdata/oidc-provider: npm
// oidc-provider on loopback): an Express app on loopback serves `loginRoute` and `callbackRoute`,
// and a fetch-based browser with a cookie jar goes from the app's login route through the
// provider's login and consent pages back to the app's callback. The Next.js handlers run the
// same flow with fetch `Request`s. Fails (never skips) when the provider's packages are missing:
// scripts/test-node.sh installs them first (scripts/ensure-oidc-provider.sh).

const assert = require('node:assert/strict')
const { after, before, test } = require('node:test')
const express = require('express')
const { OidcLogin, OidcValidator } = require('@incidentfox/auth')
const { callbackRoute, loginRoute } = require('@incidentfox/auth/express')
const { callbackHandler, loginHandler } = require('@incidentfox/auth/next')
const p = require('./oidc-provider.js')
const { outcome } = require('./support.js')

// The cookies `begin` sets; the callback also clears the required-role cookie an earlier version
// set (the role now rides in the state cookie).
const BEGIN_COOKIES = ['ifx_oidc_state', 'ifx_oidc_verifier', 'ifx_oidc_nonce', 'ifx_oidc_return_to']
const LOGIN_COOKIES = [...BEGIN_COOKIES, 'ifx_oidc_require_role']
const ALICE_GROUPS = ['incidentfox-config-admin', 'sre']

let provider
let app
let login
let validator
const logins = []

before(async () => {
  // The app listens first: the provider must know its callback URL.
  const server = express()
  server.get('/api/auth/login', loginRoute(() => login))
  server.get(
    '/api/auth/callback',
    callbackRoute(() => login, {
      onLogin: (result) => {
        logins.push(result)
      },
    }),
  )
  // The session: the ID token in the session cookie, verified on every request.
  server.get('/api/me', async (req, res) => {
    const token = /(?:^|;\s*)incidentfox_session_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
    if (!token) return res.status(401).json({ signedIn: false })
    const verified = await validator.verify(token)
    return res.json({ subject: verified.subject, email: verified.email, groups: verified.groups })
  })
  app = await p.serve(server)
  provider = await p.startProvider({ redirectUri: `${app.url}/api/auth/callback` })
  login = await OidcLogin.fromEnv(p.loginEnv(provider.issuer, app.url))
  validator = new OidcValidator({ issuer: provider.issuer, audience: p.CLIENT_ID, discovery: true })
})

after(async () => {
  await app?.close()
  await provider?.stop()
})

const callbackUrl = () => `${app.url}/api/auth/callback`

/** Signs in through the Express routes up to the provider's redirect to our callback. */
async function toCallback(jar, { returnTo, requireRole, username = 'alice' } = {}) {
  const query = new URLSearchParams()
  if (returnTo !== undefined) query.set('returnTo', returnTo)
  if (requireRole !== undefined) query.set('requireRole', requireRole)
  const start = await p.browse(jar, `${app.url}/api/auth/login?${query}`)
  assert.equal(start.status, 302)
  return p.signIn(jar, start.headers.get('location'), { username, stopAt: callbackUrl() })
}

async function assertError(response, status, code) {
  assert.equal(response.status, status)
  assert.equal(response.headers.get('content-type'), 'application/json')
  assert.equal(response.headers.get('www-authenticate'), null)
  const body = await response.json()
  assert.deepEqual(Object.keys(body.error), ['code', 'status', 'message'])
  assert.deepEqual([body.error.code, body.error.status], [code, status])
  assert.ok(body.error.message)
  return body
}

function cookieAttributes(header) {
  const [pair, ...rest] = header.split('; ')
  return { name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1), attributes: rest }
}

test('alice signs in through the Express routes, with her groups', async () => {
  const jar = new p.CookieJar()
  const start = await p.browse(jar, `${app.url}/api/auth/login?returnTo=${encodeURIComponent('/teams/42?tab=agents')}&requireRole=admin`)

  // The login route: four login cookies (each its own Set-Cookie) and a 302 to the provider.
  assert.equal(start.status, 302)
  assert.equal(start.headers.get('cache-control'), 'no-store')
  const set = start.headers.getSetCookie().map(cookieAttributes)
  assert.deepEqual(set.map((c) => c.name), BEGIN_COOKIES)
  for (const c of set) {
    assert.deepEqual(c.attributes, ['Path=/api/auth/callback', 'Max-Age=600', 'SameSite=Lax', 'HttpOnly'], c.name)
  }
  const authorization = new URL(start.headers.get('location'))
  assert.equal(`${authorization.origin}${authorization.pathname}`, `${provider.issuer}/auth`)
  const params = authorization.searchParams
  assert.equal(params.get('client_id'), p.CLIENT_ID)
  assert.equal(params.get('redirect_uri'), callbackUrl())
  assert.equal(params.get('response_type'), 'code')
  assert.equal(params.get('code_challenge_method'), 'S256')
  assert.equal(params.get('scope'), 'openid email profile groups')
  // The required role rides in the state cookie, after the state.
  assert.equal(`${params.get('state')}.admin`, jar.get('ifx_oidc_state'))
  assert.equal(params.get('nonce'), jar.get('ifx_oidc_nonce'))

  // The provider's pages, then its redirect to our callback, which the browser follows.
  const callback = await p.signIn(jar, authorization.href, { stopAt: callbackUrl() })
  assert.ok(new URL(callback).searchParams.get('code'))
  const before = logins.length
  const done = await p.browse(jar, callback)
  assert.equal(done.status, 302, await done.clone().text())
  assert.equal(done.headers.get('location'), '/teams/42?tab=agents')
  assert.equal(done.headers.get('cache-control'), 'no-store')

  // The login cookies cleared, the session cookie set (the ID token, path /, 7 days).
  const answered = done.headers.getSetCookie().map(cookieAttributes)
  assert.deepEqual(answered.map((c) => c.name), [...LOGIN_COOKIES, 'incidentfox_session_token'])
  for (const c of answered.slice(0, LOGIN_COOKIES.length)) {
    assert.deepEqual([c.value, c.attributes], ['', ['Path=/api/auth/callback', 'Max-Age=0', 'SameSite=Lax', 'HttpOnly']], c.name)
  }
  const session = answered.at(-1)
  assert.deepEqual(session.attributes, ['Path=/', 'Max-Age=604800', 'SameSite=Lax', 'HttpOnly'])
  for (const name of LOGIN_COOKIES) assert.equal(jar.get(name), undefined, name)

  // What `complete` resolved to, as the callback's onLogin saw it.
  assert.equal(logins.length, before + 1)
  const result = logins.at(-1)
  assert.deepEqual(result.identity, { subject: 'alice', email: 'alice@example.com', groups: ALICE_GROUPS, orgId: null, teamNodeId: null })
  assert.equal(result.idToken, session.value)
  assert.equal(result.returnTo, '/teams/42?tab=agents')
  assert.equal(result.requireRole, 'admin')
  assert.equal(result.sessionCookie.header, done.headers.getSetCookie().at(-1))

  // The session cookie is a genuine ID token of the provider for this client.
  const me = await p.browse(jar, `${app.url}/api/me`)
  assert.deepEqual(await me.json(), { subject: 'alice', email: 'alice@example.com', groups: ALICE_GROUPS })
})

test('anyone else signs in as a viewer, and returns to / by default', async () => {
  const jar = new p.CookieJar()
  const done = await p.browse(jar, await toCallback(jar, { username: 'bob' }))
  assert.equal(done.status, 302)
  assert.equal(done.headers.get('location'), '/')
  assert.deepEqual(logins.at(-1).identity.groups, ['viewer'])
  assert.equal(logins.at(-1).requireRole, null)
})

test('a tampered state is 401 invalid_state, and no session is set', async () => {
  const jar = new p.CookieJar()
  const callback = new URL(await toCallback(jar))
  callback.searchParams.set('state', `${callback.searchParams.get('state')}x`)
  const r = await p.browse(jar, callback.href)
  await assertError(r, 401, 'invalid_state')
  assert.deepEqual(r.headers.getSetCookie(), [])
  assert.equal(jar.get('incidentfox_session_token'), undefined)

  // The callback without the login cookies (another browser) is refused alike.
  const stranger = await p.browse(new p.CookieJar(), callback.href)
  await assertError(stranger, 401, 'invalid_state')
})

test('open-redirect returnTo values end at /', async () => {
  for (const evil of [
    '//evil.example',
    'https://evil.example/x',
    '/\\evil.example',
    '/%2F%2Fevil.example',
    'javascript:alert(1)',
    '/redirect?x=1&to=https%3A%2F%2Fevil.example',
    '/a&%0d%0aSet-Cookie:%20x=1',
  ]) {
    const jar = new p.CookieJar()
    const done = await p.browse(jar, await toCallback(jar, { returnTo: evil }))
    assert.equal(done.status, 302, evil)
    assert.equal(done.headers.get('location'), '/', evil)
  }
})

test('a returnTo outside Latin-1 comes back percent-encoded, over Express and plain node:http', async () => {
  // Written raw into Location it made Node throw while writing the answer: under plain `http`
  // (and Express 4) an unhandled rejection, which exits the process.
  const plain = await p.serve(callbackRoute(() => login))
  try {
    for (const [returnTo, location] of [
      ['/\u3000', '/%E3%80%80'],
      ['/caf\u00e9?q=\u{1F600}#\u00e9', '/caf%C3%A9?q=%F0%9F%98%80#%C3%A9'],
      ['/a/../b', '/b'],
    ]) {
      const jar = new p.CookieJar()
      const done = await p.browse(jar, await toCallback(jar, { returnTo }))
      assert.equal(done.status, 302, await done.clone().text())
      assert.equal(done.headers.get('location'), location, returnTo)
      assert.equal(logins.at(-1).returnTo, location)

      // The same callback, answered by a plain `http` server with the same route.
      const jar2 = new p.CookieJar()
      const callback = new URL(await toCallback(jar2, { returnTo }))
      const atPlain = `${plain.url}${callback.pathname}${callback.search}`
      const answered = await fetch(atPlain, { headers: { cookie: jar2.header(callback.href) }, redirect: 'manual' })
      assert.equal(answered.status, 302, await answered.clone().text())
      assert.equal(answered.headers.get('location'), location, returnTo)
    }
    // Both servers still answer.
    assert.equal((await fetch(`${app.url}/api/me`)).status, 401)
    await assertError(await fetch(`${plain.url}/api/auth/callback`, { redirect: 'manual' }), 401, 'invalid_issuer')
  } finally {
    await plain.close()
  }
})

test('an error that is not one of this package\'s is a 500 under plain node:http, and goes to Express\'s error handling', async () => {
  const boom = () => {
    throw new Error('the app\'s own failure')
  }
  const logged = []
  const consoleError = console.error
  console.error = (...args) => logged.push(args)
  const plainLogin = await p.serve(loginRoute({ nope: true }))
  const plainCallback = await p.serve(callbackRoute(() => login, { onLogin: boom }))
  const server = express()
  server.get('/api/auth/callback', callbackRoute(() => login, { onLogin: boom }))
  server.use((error, req, res, next) => res.status(599).json({ caught: error.message }))
  const withHandler = await p.serve(server)
  try {
    // A login source that is no OidcLogin: nothing else would catch the TypeError.
    const r = await fetch(`${plainLogin.url}/api/auth/login`, { redirect: 'manual' })
    assert.equal(r.status, 500)
    assert.equal(r.headers.get('cache-control'), 'no-store')
    assert.equal(await r.text(), 'Internal Server Error')

    // onLogin throwing: no session cookie, and the process lives on.
    const jar = new p.CookieJar()
    const callback = new URL(await toCallback(jar))
    const failed = await fetch(`${plainCallback.url}${callback.pathname}${callback.search}`, {
      headers: { cookie: jar.header(callback.href) },
      redirect: 'manual',
    })
    assert.equal(failed.status, 500)
    assert.deepEqual(failed.headers.getSetCookie(), [])
    assert.ok(logged.some((args) => args.some((a) => a instanceof Error && a.message === 'the app\'s own failure')))

    // With Express, its error handlers see it.
    const jar2 = new p.CookieJar()
    const callback2 = new URL(await toCallback(jar2))
    const handled = await fetch(`${withHandler.url}${callback2.pathname}${callback2.search}`, {
      headers: { cookie: jar2.header(callback2.href) },
      redirect: 'manual',
    })
    assert.equal(handled.status, 599)
    assert.deepEqual(await handled.json(), { caught: 'the app\'s own failure' })
  } finally {
    console.error = consoleError
    await Promise.all([plainLogin.close(), plainCallback.close(), withHandler.close()])
  }
})

test('a required role belongs to its login attempt: a later login that asked for none is not given it', async () => {
  const jar = new p.CookieJar()
  // A login for a role, abandoned at the provider ...
  assert.equal((await p.browse(jar, `${app.url}/api/auth/login?requireRole=admin`)).status, 302)
  // ... and the cookie an earlier version set for it, still in the browser.
  jar.set(`${app.url}/api/auth/login`, 'ifx_oidc_require_role=admin; Path=/api/auth/callback')
  const done = await p.browse(jar, await toCallback(jar, { username: 'bob' }))
  assert.equal(done.status, 302, await done.clone().text())
  assert.equal(logins.at(-1).identity.subject, 'bob')
  assert.equal(logins.at(-1).requireRole, null)
  assert.equal(jar.get('ifx_oidc_require_role'), undefined)

  // A role written into the state cookie that the login route never writes is refused.
  const jar2 = new p.CookieJar()
  const callback = await toCallback(jar2, { requireRole: 'admin' })
  const state = new URL(callback).searchParams.get('state')
  jar2.set(`${app.url}/api/auth/login`, `ifx_oidc_state=${state}.a%20b; Path=/api/auth/callback`)
  await assertError(await p.browse(jar2, callback), 401, 'invalid_state')
})

test('the callback\'s iss (RFC 9207) must be the provider\'s: another, or none, is 401 invalid_issuer', async () => {
  const discovery = await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()
  assert.equal(discovery.authorization_response_iss_parameter_supported, true)
  const jar = new p.CookieJar()
  const callback = new URL(await toCallback(jar))
  assert.equal(callback.searchParams.get('iss'), provider.issuer)
  const other = new URL(callback)
  other.searchParams.set('iss', 'https://evil.example')
  // The body carries the code's fixed message; which of the two it was goes to the log only.
  await assertError(await p.browse(jar, other.href), 401, 'invalid_issuer')
  const none = new URL(callback)
  none.searchParams.delete('iss')
  await assertError(await p.browse(jar, none.href), 401, 'invalid_issuer')
  assert.equal(jar.get('incidentfox_session_token'), undefined)
  // Refused before the code exchange: the untouched callback still signs in.
  assert.equal((await p.browse(jar, callback.href)).status, 302)
})

test('the provider reporting an error is 401 login_denied', async () => {
  const jar = new p.CookieJar()
  await p.browse(jar, `${app.url}/api/auth/login`)
  const state = jar.get('ifx_oidc_state')
  const iss = encodeURIComponent(provider.issuer)
  await assertError(await p.browse(jar, `${callbackUrl()}?error=access_denied&state=${state}&iss=${iss}`), 401, 'login_denied')
})

test('the Next.js handlers run the same flow with fetch Requests', async () => {
  const start = await loginHandler(login)(new Request(`${app.url}/api/auth/login?return_to=%2Fincidents&require_role=admin`))
  assert.equal(start.status, 302)
  assert.deepEqual(start.headers.getSetCookie().map((h) => cookieAttributes(h).name), BEGIN_COOKIES)
  const jar = new p.CookieJar()
  jar.store(`${app.url}/api/auth/login`, start)
  const callback = await p.signIn(jar, start.headers.get('location'), { stopAt: callbackUrl() })

  const seen = []
  const handler = callbackHandler(Promise.resolve(login), { onLogin: (result, request) => seen.push([result, request]) })
  const done = await handler(new Request(callback, { headers: { cookie: jar.header(callback) } }))
  assert.equal(done.status, 302)
  assert.equal(done.headers.get('location'), '/incidents')
  const cookies = done.headers.getSetCookie()
  assert.equal(cookies.length, LOGIN_COOKIES.length + 1)
  assert.ok(cookies.at(-1).startsWith(`incidentfox_session_token=${seen[0][0].idToken}; Path=/;`))
  assert.deepEqual(seen[0][0].identity.groups, ALICE_GROUPS)
  assert.equal(seen[0][0].requireRole, 'admin')
  assert.ok(seen[0][1] instanceof Request)

  // The same code again: the provider refuses it.
  const again = await handler(new Request(callback, { headers: { cookie: jar.header(callback) } }))
  await assertError(again, 401, 'code_exchange_failed')

  // A tampered state.
  const tampered = new URL(callback)
  tampered.searchParams.set('state', 'forged')
  await assertError(await handler(new Request(tampered, { headers: { cookie: jar.header(callback) } })), 401, 'invalid_state')
})

test('sessionCookie: false leaves the session to the app; onLogin can refuse the login', async () => {
  const jar = new p.CookieJar()
  const callback = await toCallback(jar, { requireRole: 'admin' })
  const handler = callbackHandler(login, { sessionCookie: false })
  const done = await handler(new Request(callback, { headers: { cookie: jar.header(callback) } }))
  assert.equal(done.status, 302)
  assert.deepEqual(done.headers.getSetCookie().map((h) => cookieAttributes(h).name), LOGIN_COOKIES)

  const jar2 = new p.CookieJar()
  const callback2 = await toCallback(jar2, { requireRole: 'admin', username: 'bob' })
  const refusing = callbackHandler(login, {
    onLogin: (result) => {
      if (result.requireRole === 'admin' && !result.identity.groups.includes('incidentfox-config-admin')) {
        const error = new Error(`${result.identity.subject} is not an admin`)
        Object.assign(error, { code: 'ERR_NOT_ADMIN', status: 403 })
        throw error
      }
    },
  })
  const refused = await refusing(new Request(callback2, { headers: { cookie: jar2.header(callback2) } }))
  await assertError(refused, 403, 'not_admin')
  assert.deepEqual(refused.headers.getSetCookie(), [])
})

test('login not enabled, or a provider that is down, answers with its error', async () => {
  // WEB_UI_OIDC_ENABLED unset: fromEnv resolves to null.
  assert.equal(await OidcLogin.fromEnv({}), null)
  const off = express()
  off.get('/api/auth/login', loginRoute(OidcLogin.fromEnv({})))
  const offServer = await p.serve(off)
  try {
    await assertError(await fetch(`${offServer.url}/api/auth/login`, { redirect: 'manual' }), 500, 'invalid_config')
  } finally {
    await offServer.close()
  }

  // Discovery against a port nothing listens on: rejected, and every request answers 503 ...
  const down = { issuer: 'http://127.0.0.1:9', clientId: p.CLIENT_ID, publicBaseUrl: app.url }
  const refused = await outcome(() => OidcLogin.create(down))
  assert.equal(refused.code, 'ERR_PROVIDER_UNAVAILABLE')
  assert.equal(refused.status, 503)
  const failing = OidcLogin.create(down)
  await assertError(await loginHandler(failing)(new Request(`${app.url}/api/auth/login`)), 503, 'provider_unavailable')
  await assertError(await loginHandler(failing)(new Request(`${app.url}/api/auth/login`)), 503, 'provider_unavailable')

  // ... while a function source is tried again on the next request.
  let calls = 0
  const retrying = loginHandler(() => {
    calls += 1
    return calls === 1 ? OidcLogin.create(down) : login
  })
  await assertError(await retrying(new Request(`${app.url}/api/auth/login`)), 503, 'provider_unavailable')
  assert.equal((await retrying(new Request(`${app.url}/api/auth/login`))).status, 302)
  assert.equal((await retrying(new Request(`${app.url}/api/auth/login`))).status, 302)
  assert.equal(calls, 2)

  // Anything that is not one of this package's errors propagates.
  await assert.rejects(loginHandler({ nope: true })(new Request(`${app.url}/api/auth/login`)), TypeError)
})

test('OidcLogin: explicit endpoints, cookies, configuration errors', async () => {
  assert.throws(() => new OidcLogin(), Error)
  const explicit = await OidcLogin.create({
    issuer: provider.issuer,
    clientId: p.CLIENT_ID,
    clientSecret: p.CLIENT_SECRET,
    publicBaseUrl: `${app.url}/`,
    authorizationEndpoint: `${provider.issuer}/auth`,
    tokenEndpoint: `${provider.issuer}/token`,
    jwksUrl: `${provider.issuer}/jwks`,
    scopes: ['openid', 'email', 'groups'],
    cookieSecure: true,
    algorithms: ['RS256'],
    groupsClaim: 'groups',
  })
  assert.equal(explicit.redirectUri, callbackUrl())
  assert.equal(explicit.cookieSecure, true)
  const start = explicit.begin({ returnTo: '/x', requireRole: 'bad role!' })
  assert.equal(new URL(start.authorizationUrl).searchParams.get('scope'), 'openid email groups')
  // An unsafe role is not echoed into a cookie: the state cookie is the state alone.
  assert.deepEqual(start.cookies.map((c) => c.name), BEGIN_COOKIES)
  const state = start.cookies[0]
  assert.equal(state.value, new URL(start.authorizationUrl).searchParams.get('state'))
  assert.deepEqual(Object.keys(state), ['name', 'value', 'path', 'maxAge', 'httpOnly', 'secure', 'sameSite', 'header'])
  assert.deepEqual({ ...state, value: '' }, {
    name: 'ifx_oidc_state', value: '', path: '/api/auth/callback', maxAge: 600, httpOnly: true, secure: true, sameSite: 'Lax',
    header: `ifx_oidc_state=${state.value}; Path=/api/auth/callback; Max-Age=600; SameSite=Lax; HttpOnly; Secure`,
  })
  assert.equal(explicit.begin().cookies.find((c) => c.name === 'ifx_oidc_return_to').value, '%2F')

  // A signed-in round through the API alone (query with its `?`, the Cookie header as a browser sends it).
  const jar = new p.CookieJar()
  const callback = await p.signIn(jar, start.authorizationUrl, { stopAt: callbackUrl() })
  const cookieHeader = start.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
  const result = await explicit.complete(new URL(callback).search, cookieHeader)
  assert.equal(result.identity.subject, 'alice')
  assert.equal(result.returnTo, '/x')
  assert.ok(result.sessionCookie.header.endsWith('; HttpOnly; Secure'))
  assert.ok(result.clearCookies.every((c) => c.maxAge === 0 && c.value === ''))

  // No Cookie header at all.
  const missing = await outcome(() => explicit.complete(new URL(callback).search))
  assert.deepEqual([missing.code, missing.status], ['ERR_INVALID_STATE', 401])

  // Configuration problems reject (never throw) with ERR_INVALID_CONFIG.
  for (const bad of [
    { issuer: provider.issuer, clientId: '', publicBaseUrl: app.url },
    { issuer: provider.issuer, clientId: p.CLIENT_ID, publicBaseUrl: app.url, scopes: ['email'] },
    { issuer: provider.issuer, clientId: p.CLIENT_ID, publicBaseUrl: app.url, algorithms: ['HS256'] },
    { issuer: provider.issuer, clientId: p.CLIENT_ID, publicBaseUrl: app.url, tokenEndpoint: 'http://idp.example/token' },
  ]) {
    const promise = OidcLogin.create(bad)
    const e = await outcome(() => promise)
    assert.deepEqual([e.code, e.status], ['ERR_INVALID_CONFIG', 500], JSON.stringify(bad))
  }
  const env = await outcome(() => OidcLogin.fromEnv({ WEB_UI_OIDC_ENABLED: '1' }))
  assert.equal(env.code, 'ERR_INVALID_CONFIG')
  assert.match(env.message, /WEB_UI_OIDC_CLIENT_ID/)
  assert.match(env.message, /WEB_UI_PUBLIC_BASE_URL/)
})
