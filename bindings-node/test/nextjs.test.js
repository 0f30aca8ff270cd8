'use strict'
// The Next.js example (examples/nextjs, built by scripts/build-nextjs-example.sh, which
// scripts/test-node.sh runs first) under `next start`: Debian's Chromium signs in through the
// app's /api/auth/login and /api/auth/callback against the real OpenID Provider
// (testdata/oidc-provider), the server component page shows the principal of the session cookie,
// /api/me (behind withAuth) answers 200 signed in and 401 signed out, /settings (behind
// proxy.ts, which loads the addon in Next's Node.js runtime) redirects a visitor without a valid
// session to the sign-in and shows a signed-in one the page, and the page's sign-out
// (POST /api/session/logout) clears the cookie; /metrics (metricsHandler) and /healthz
// (healthHandler) report the shared authenticator before and after the sign-in. Screenshots go
// to a temp dir, whose path is printed.
//
// Fails (never skips) without the example's build, without Chromium at /usr/bin/chromium or
// without the provider's packages. The browser reaches loopback only.

const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { after, before, test } = require('node:test')
const { REPO_ROOT } = require('./support.js')
const p = require('./oidc-provider.js')

const CHROMIUM = '/usr/bin/chromium'
const APP_DIR = path.join(REPO_ROOT, 'examples', 'nextjs')
const SESSION_COOKIE = 'incidentfox_session_token'

let provider
let app
let browser

/** A free loopback port: `next start` takes a port number, and the provider must know the
 * callback URL before the app starts. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** `next start` on `port` with `env`; resolves once `/` answers. Its output is kept for a
 * failure's message. */
async function startNext(port, env) {
  const next = path.join(APP_DIR, 'node_modules', 'next', 'dist', 'bin', 'next')
  // Its own process group, so that stopping it stops any worker it forked too.
  const child = spawn(process.execPath, [next, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: APP_DIR,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk) => {
      output += chunk
    })
  }
  const url = `http://127.0.0.1:${port}`
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', () => resolve())
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        resolve()
      }
    })
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) assert.fail(`next start exited with ${child.exitCode}:\n${output}`)
    try {
      await fetch(`${url}/api/me`)
      break
    } catch {
      if (Date.now() > deadline) {
        await stop()
        assert.fail(`next start did not answer within 60 s:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  return { url, stop, log: () => output }
}

before(async () => {
  assert.ok(
    fs.existsSync(path.join(APP_DIR, '.next', 'BUILD_ID')),
    'examples/nextjs is not built: run scripts/build-nextjs-example.sh (scripts/test-node.sh does)',
  )
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install -y chromium\`; scripts/test-node.sh does)`,
  )
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  provider = await p.startProvider({ redirectUri: `${url}/api/auth/callback` })
  // Only what the app needs: no variable of this process (an ADMIN_TOKEN, say) reaches it.
  app = await startNext(port, {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    // The login (OidcLogin.fromEnv).
    ...p.loginEnv(provider.issuer, url),
    // The authenticator (Authenticator.fromEnv): the session cookie is the ID token, so the
    // issuer is the provider's and the audience the client id; keys by discovery. Admins are
    // the provider's users in OIDC_ADMIN_GROUP (default incidentfox-config-admin), no token.
    ADMIN_AUTH_MODE: 'oidc',
    OIDC_ENABLED: '1',
    OIDC_ISSUER: provider.issuer,
    OIDC_AUDIENCE: p.CLIENT_ID,
  })
  const { chromium } = require('playwright-core')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // Nothing but loopback: the provider's page @imports a web font from the internet.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  })
})

after(async () => {
  await browser?.close()
  await app?.stop()
  await provider?.stop()
})

const isLoopback = (url) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)

/** GET /api/me with `cookie` (none: signed out) as any HTTP client sends it. */
async function me(cookie) {
  const response = await fetch(`${app.url}/api/me`, { headers: cookie ? { cookie } : {} })
  return { status: response.status, body: await response.json() }
}

/** GET /metrics: the OpenMetrics text, and the value of `sample` (a full sample with labels). */
async function metrics() {
  const response = await fetch(`${app.url}/metrics`)
  assert.equal(response.status, 200)
  assert.equal(response.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8')
  const text = await response.text()
  assert.ok(text.endsWith('# EOF\n'), text)
  const value = (sample) => {
    const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
    return line === undefined ? undefined : Number(line.slice(sample.length + 1))
  }
  return { text, value }
}

async function healthz() {
  const response = await fetch(`${app.url}/healthz`)
  assert.equal(response.headers.get('content-type'), 'application/json')
  return { status: response.status, body: await response.json() }
}

test('before any JWT, /healthz fetches the discovered key set itself (200) and /metrics counts the refusals and the fetch', async () => {
  // Nothing has verified a JWT yet (the startup probe of /api/me carried no credential), so the
  // key set was never fetched: the readiness probe fetches it, as a new replica needs.
  const { status, body } = await healthz()
  assert.equal(status, 200, JSON.stringify(body))
  assert.equal(body.ready, true)
  assert.deepEqual([body.jwks.usable, body.jwks.last_fetch_ok, body.jwks.stale], [true, true, false])
  assert.equal(body.jti_store, null)
  const { text, value } = await metrics()
  assert.ok(value('incidentfox_auth_verifications_total{kind="none",outcome="missing_credentials"}') >= 1, text)
  assert.match(text, /^# TYPE incidentfox_auth_jwks_fetch_duration_seconds histogram$/m)
  assert.equal(value('incidentfox_auth_jwks_fetches_total{result="ok"}'), 1)
})

test('signed out, the withAuth route answers 401 with the error body', async () => {
  const { status, body } = await me()
  assert.equal(status, 401, JSON.stringify(body))
  assert.equal(body.error.code, 'missing_credentials')
  assert.equal(body.error.status, 401)
  const forged = await me(`${SESSION_COOKIE}=not.a.token`)
  assert.equal(forged.status, 401)
  assert.equal(forged.body.error.code, 'token_malformed')
})

test('signed out, proxy.ts sends /settings to the sign-in', async () => {
  for (const headers of [{}, { cookie: `${SESSION_COOKIE}=not.a.token` }]) {
    const response = await fetch(`${app.url}/settings`, { headers, redirect: 'manual' })
    assert.equal(response.status, 307, JSON.stringify(headers))
    assert.equal(new URL(response.headers.get('location'), app.url).href, `${app.url}/api/auth/login?returnTo=%2Fsettings`)
  }
})

test('alice signs in to the Next.js app with Chromium, calls the protected route and signs out', async () => {
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'ifx-nextjs-browser-'))
  const context = await browser.newContext()
  const blocked = []
  await context.route(
    (url) => !isLoopback(url.href),
    (route) => {
      blocked.push(route.request().url())
      return route.abort()
    },
  )
  const page = await context.newPage()
  try {
    // Signed out: the server component offers "Sign in".
    await page.goto(`${app.url}/`)
    assert.equal(await page.textContent('#status'), 'You are signed out.')
    await page.screenshot({ path: path.join(shots, '1-signed-out.png') })

    // The provider's login form, reached through the app's /api/auth/login.
    await page.click('#sign-in')
    await page.waitForSelector('input[name="login"]')
    assert.ok(page.url().startsWith(`${provider.issuer}/interaction/`), page.url())
    await page.fill('input[name="login"]', 'alice')
    await page.fill('input[name="password"]', 'correct horse battery staple')
    await page.screenshot({ path: path.join(shots, '2-provider-login.png') })
    await page.click('button[type="submit"]')

    // Its consent form.
    await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' })
    await page.screenshot({ path: path.join(shots, '3-provider-consent.png') })
    await page.click('button[type="submit"]')

    // Back through /api/auth/callback to the page, which shows the principal of the cookie.
    await page.waitForSelector('#subject')
    assert.equal(page.url(), `${app.url}/`)
    assert.equal(await page.textContent('#subject'), 'alice')
    assert.equal(await page.textContent('#email'), 'alice@example.com')
    assert.equal(await page.textContent('#role'), 'admin')
    assert.deepEqual(await page.locator('#groups li.group').allTextContents(), ['incidentfox-config-admin', 'sre'])
    const shot = path.join(shots, '4-signed-in.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok(fs.statSync(shot).size > 1000)

    // The session cookie as the browser keeps it; the login cookies are gone.
    const cookies = await context.cookies(app.url)
    const session = cookies.find((c) => c.name === SESSION_COOKIE)
    assert.ok(session, JSON.stringify(cookies.map((c) => c.name)))
    assert.deepEqual([session.path, session.httpOnly, session.sameSite], ['/', true, 'Lax'])
    assert.deepEqual(cookies.filter((c) => c.name.startsWith('ifx_oidc_')).map((c) => c.name), [])

    // The protected route, from the browser (its cookie) and from any client holding the cookie.
    const answer = await page.goto(`${app.url}/api/me`)
    assert.equal(answer.status(), 200)
    const principal = await answer.json()
    assert.deepEqual([principal.role, principal.auth_kind, principal.subject], ['admin', 'oidc', 'alice'])
    assert.equal((await me(`${SESSION_COOKIE}=${session.value}`)).status, 200)

    // The page behind proxy.ts.
    await page.goto(`${app.url}/`)
    await page.click('#settings')
    await page.waitForSelector('#settings-subject')
    assert.equal(page.url(), `${app.url}/settings`)
    assert.equal(await page.textContent('#settings-subject'), 'alice')

    // Sign out: the cookie is cleared, the page is signed out, and the route refuses the browser.
    await page.goto(`${app.url}/`)
    await page.click('#sign-out')
    await page.waitForSelector('#sign-in')
    assert.equal(page.url(), `${app.url}/`)
    assert.equal(await page.textContent('#status'), 'You are signed out.')
    await page.screenshot({ path: path.join(shots, '5-signed-out-again.png') })
    assert.deepEqual((await context.cookies(app.url)).filter((c) => c.name === SESSION_COOKIE), [])
    const refused = await page.goto(`${app.url}/api/me`)
    assert.equal(refused.status(), 401)
    assert.equal((await refused.json()).error.code, 'missing_credentials')
    console.log(`screenshots: ${shots} (requests off loopback aborted: ${blocked.length})`)
  } catch (error) {
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => undefined)
    console.log(`screenshots (failed run): ${shots}\n--- next start's output\n${app.log()}`)
    throw error
  } finally {
    await context.close()
  }
})

test('after the sign-in, /healthz is 200 and /metrics counts the OIDC verifications and the key fetch', async () => {
  const { status, body } = await healthz()
  assert.equal(status, 200, JSON.stringify(body))
  assert.deepEqual([body.ready, body.jwks.usable, body.jwks.last_fetch_ok], [true, true, true])
  const { text, value } = await metrics()
  assert.ok(value('incidentfox_auth_verifications_total{kind="oidc",outcome="ok"}') >= 2, text)
  assert.ok(value('incidentfox_auth_jwks_fetches_total{result="ok"}') >= 1, text)
  assert.ok(value('incidentfox_auth_jwks_fetch_duration_seconds_bucket{le="+Inf"}') >= 1, text)
  assert.equal(value('incidentfox_auth_jwks_fetch_duration_seconds_count'), value('incidentfox_auth_jwks_fetch_duration_seconds_bucket{le="+Inf"}'))
})
