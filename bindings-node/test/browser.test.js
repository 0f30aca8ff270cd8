'use strict'
// A real browser through the sign-in: Debian's Chromium, driven by playwright-core, opens
// examples/login-app, follows "Sign in" to the real OpenID Provider (testdata/oidc-provider),
// types `alice` and a password into its login form, consents, and lands back on the app's page,
// which must show her subject and groups (read from the session cookie, verified as an ID
// token). Screenshots go to a temp dir, whose path is printed.
//
// Fails (never skips) without Chromium at /usr/bin/chromium (scripts/test-node.sh installs
// Debian's `chromium` when it is missing) or without the provider's packages. The browser
// reaches loopback only: every other request is aborted, and no other host name resolves.

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { after, before, test } = require('node:test')
const { OidcLogin, OidcValidator } = require('@incidentfox/auth')
const { createApp } = require('../examples/login-app/server.js')
const p = require('./oidc-provider.js')

const CHROMIUM = '/usr/bin/chromium'

let provider
let app
let browser

/** A Promise and its resolve/reject, for what the app needs before it is known. */
function deferred() {
  let resolve
  let reject
  const promise = new Promise((yes, no) => {
    resolve = yes
    reject = no
  })
  return { promise, resolve, reject }
}

before(async () => {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install -y chromium\`; scripts/test-node.sh does)`,
  )
  // The app listens first (the provider must know its callback URL); its login and validator
  // follow once the provider runs.
  const login = deferred()
  const validator = deferred()
  app = await p.serve(createApp({ login: login.promise, validator: validator.promise }))
  try {
    provider = await p.startProvider({ redirectUri: `${app.url}/api/auth/callback` })
    login.resolve(
      await OidcLogin.create({
        issuer: provider.issuer,
        clientId: p.CLIENT_ID,
        clientSecret: p.CLIENT_SECRET,
        publicBaseUrl: app.url,
      }),
    )
    validator.resolve(new OidcValidator({ issuer: provider.issuer, audience: p.CLIENT_ID, discovery: true }))
  } catch (error) {
    login.reject(error)
    validator.reject(error)
    throw error
  }
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
  await app?.close()
  await provider?.stop()
})

const isLoopback = (url) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname)

test('alice signs in with Chromium and sees her subject and groups', async () => {
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'ifx-login-browser-'))
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
    // Signed out: the page offers "Sign in".
    await page.goto(`${app.url}/`)
    assert.equal(await page.textContent('#status'), 'You are signed out.')
    await page.screenshot({ path: path.join(shots, '1-signed-out.png') })

    // The provider's login form.
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

    // Back on the app, signed in.
    await page.waitForSelector('#subject')
    assert.equal(page.url(), `${app.url}/`)
    assert.equal(await page.textContent('#subject'), 'alice')
    assert.equal(await page.textContent('#email'), 'alice@example.com')
    assert.deepEqual(await page.locator('#groups li.group').allTextContents(), ['incidentfox-config-admin', 'sre'])
    const shot = path.join(shots, '4-signed-in.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok(fs.statSync(shot).size > 1000)

    // The session cookie as the browser keeps it; the login cookies are gone.
    const cookies = await context.cookies(app.url)
    const session = cookies.find((c) => c.name === 'incidentfox_session_token')
    assert.ok(session, JSON.stringify(cookies.map((c) => c.name)))
    assert.deepEqual([session.path, session.httpOnly, session.sameSite], ['/', true, 'Lax'])
    assert.deepEqual(cookies.filter((c) => c.name.startsWith('ifx_oidc_')).map((c) => c.name), [])

    // Signing out ends the session.
    await page.click('#sign-out')
    await page.waitForSelector('#sign-in')
    assert.equal(await page.textContent('#status'), 'You are signed out.')
    console.log(`screenshots: ${shots} (requests off loopback aborted: ${blocked.length})`)
  } catch (error) {
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => undefined)
    console.log(`screenshots (failed run): ${shots}`)
    throw error
  } finally {
    await context.close()
  }
})
