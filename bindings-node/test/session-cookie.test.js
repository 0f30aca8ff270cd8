'use strict'
// The Express middleware and the Next.js wrapper pass the request's method and `Origin` on, so a
// SESSION_COOKIE_CSRF policy decides whether the session cookie counts (a real HTTP server on
// loopback for Express, fetch `Request`s for Next.js). Why the cookie was refused is in the log
// (the helpers' `logger`), not in the answer.

const assert = require('node:assert/strict')
const { after, before, test } = require('node:test')
const express = require('express')
const { Authenticator } = require('@incidentfox/auth')
const ifxExpress = require('@incidentfox/auth/express')
const { withAuth } = require('@incidentfox/auth/next')

const ADMIN_TOKEN = 'break-glass-admin-token-for-csrf'
const WEB_UI = 'https://ui.example.test'
const COOKIE = { cookie: `theme=dark; incidentfox_session_token=${ADMIN_TOKEN}` }

const authenticator = (policy) =>
  Authenticator.fromEnv({ ADMIN_TOKEN, WEB_UI_PUBLIC_BASE_URL: WEB_UI, ...(policy ? { SESSION_COOKIE_CSRF: policy } : {}) })

const logged = []
const logger = { error: (line) => logged.push(line), info: (line) => logged.push(line) }

async function assertRefused(response) {
  assert.equal(response.status, 401)
  const { error } = await response.json()
  assert.equal(error.code, 'missing_credentials')
  assert.equal(error.message, 'no credential was given')
  const line = logged.pop()
  assert.match(line, /^incidentfox_auth: 401 missing_credentials: .*the session cookie is not a credential/)
  return line
}

let server
before(async () => {
  const app = express()
  for (const [path, policy] of [['/default', undefined], ['/origin', 'origin'], ['/safe', 'safe_methods']]) {
    const auth = ifxExpress.requirePrincipal({ authenticator: authenticator(policy), logger })
    app.all(path, auth, (req, res) => res.json({ authKind: req.principal.authKind }))
  }
  server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
})
after(() => new Promise((resolve) => server.close(resolve)))

const send = (path, method, headers) => fetch(`http://127.0.0.1:${server.address().port}${path}`, { method, headers })

test('Express: off by default, the cookie counts for any request', async () => {
  const r = await send('/default', 'POST', { ...COOKIE, origin: 'https://evil.example' })
  assert.equal(r.status, 200)
})

test('Express: origin admits reads, and writes from the web UI only', async () => {
  assert.equal((await send('/origin', 'GET', { ...COOKIE, origin: 'https://evil.example' })).status, 200)
  assert.equal((await send('/origin', 'POST', { ...COOKIE, origin: WEB_UI })).status, 200)
  const message = await assertRefused(await send('/origin', 'POST', { ...COOKIE, origin: 'https://evil.example' }))
  assert.match(message, /a `POST` request from origin `https:\/\/evil\.example`/)
  assert.match(await assertRefused(await send('/origin', 'DELETE', COOKIE)), /without an `Origin` header/)
  // A header credential is not the policy's business.
  const r = await send('/origin', 'PUT', { ...COOKIE, origin: 'https://evil.example', authorization: `Bearer ${ADMIN_TOKEN}` })
  assert.equal(r.status, 200)
})

test('Express: safe_methods refuses every write', async () => {
  assert.equal((await send('/safe', 'HEAD', COOKIE)).status, 200)
  assert.match(await assertRefused(await send('/safe', 'POST', { ...COOKIE, origin: WEB_UI })), /SESSION_COOKIE_CSRF=safe_methods/)
})

test('Next.js: withAuth passes the method and Origin on', async () => {
  const handler = withAuth((request, { principal }) => Response.json({ authKind: principal.authKind }), { authenticator: authenticator('origin'), logger })
  const request = (method, headers) => new Request('https://ui.example.test/api/thing', { method, headers })
  assert.equal((await handler(request('GET', COOKIE))).status, 200)
  assert.equal((await handler(request('POST', { ...COOKIE, origin: WEB_UI }))).status, 200)
  await assertRefused(await handler(request('POST', { ...COOKIE, origin: 'https://evil.example' })))
  await assertRefused(await handler(request('PATCH', COOKIE)))
})

test('the addon: a method not given is not a safe one', async () => {
  const auth = authenticator('safe_methods')
  assert.equal((await auth.authenticate(COOKIE, { method: 'GET' })).authKind, 'admin_token')
  await assert.rejects(auth.authenticate(COOKIE), (e) => e.code === 'ERR_MISSING_CREDENTIALS' && /whose method was not given/.test(e.message))
  // The main-thread answer (no work to do) applies the same policy.
  assert.throws(() => auth.authenticateHit([['cookie', COOKIE.cookie]], { method: 'POST' }), (e) => e.code === 'ERR_MISSING_CREDENTIALS')
  assert.equal(auth.authenticateHit([['cookie', COOKIE.cookie]], { method: 'GET' }), null)
})
