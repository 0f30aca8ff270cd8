'use strict'
// The real OpenID Provider of the login tests (testdata/oidc-provider/server.js: npm
// oidc-provider on loopback; client `incidentfox-web-ui`, user `alice` in groups
// incidentfox-config-admin and sre), and a small browser: fetch with a cookie jar that goes
// through the provider's login and consent pages the way a person would.
//
// The provider's packages come from `scripts/ensure-oidc-provider.sh` (scripts/test-node.sh runs
// it first); without them the tests that need the provider fail, saying so.

const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { REPO_ROOT } = require('./support.js')

const PROVIDER_DIR = path.join(REPO_ROOT, 'testdata', 'oidc-provider')
const CLIENT_ID = 'incidentfox-web-ui'
const CLIENT_SECRET = 'web-ui-test-secret'

/**
 * Starts server.js on a free loopback port with `redirectUri` as the clients' one redirect URI;
 * resolves to `{ issuer, port, stop(), log() }`. It exits with this process (its stdin closes).
 */
async function startProvider({ redirectUri, idTokenTtl = 600 }) {
  const installed = path.join(PROVIDER_DIR, 'node_modules', 'oidc-provider', 'package.json')
  assert.ok(
    fs.existsSync(installed),
    `${installed} is missing: run scripts/ensure-oidc-provider.sh (scripts/test-node.sh does it)`,
  )
  const child = spawn(
    process.execPath,
    ['server.js', '--port', '0', '--redirect-uri', redirectUri, '--id-token-ttl', String(idTokenTtl), '--exit-with-stdin'],
    { cwd: PROVIDER_DIR, stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const ready = await new Promise((resolve, reject) => {
    let stdout = ''
    const timer = setTimeout(() => fail(new Error('no ready line within 60 s')), 60_000)
    function fail(error) {
      clearTimeout(timer)
      child.kill()
      reject(new Error(`the OpenID Provider did not start: ${error.message}\n--- its stderr\n${stderr}`))
    }
    child.on('error', fail)
    child.on('exit', (code) => fail(new Error(`it exited with ${code}`)))
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const end = stdout.indexOf('\n')
      if (end < 0) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      try {
        resolve(JSON.parse(stdout.slice(0, end)))
      } catch (error) {
        fail(error)
      }
    })
  })
  assert.equal(ready.issuer, `http://127.0.0.1:${ready.port}`)
  return {
    issuer: ready.issuer,
    port: ready.port,
    log: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** The `WEB_UI_*` environment of the confidential client against `issuer` (discovery). */
function loginEnv(issuer, publicBaseUrl) {
  return {
    WEB_UI_OIDC_ENABLED: '1',
    WEB_UI_OIDC_ISSUER: issuer,
    WEB_UI_OIDC_CLIENT_ID: CLIENT_ID,
    WEB_UI_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    WEB_UI_PUBLIC_BASE_URL: publicBaseUrl,
  }
}

/** Serves an Express app (or a `(req, res)` listener) on a free loopback port. */
function serve(app) {
  return new Promise((resolve, reject) => {
    const server = typeof app.listen === 'function' ? app.listen(0, '127.0.0.1') : require('node:http').createServer(app).listen(0, '127.0.0.1')
    server.once('error', reject)
    server.once('listening', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise((r) => {
          server.closeAllConnections?.()
          server.close(() => r())
        }),
      })
    })
  })
}

/**
 * A browser's cookies, enough for these tests: by name and path (no domain or port, as browsers
 * keep no port apart), `Max-Age=0` or an `Expires` in the past deletes.
 */
class CookieJar {
  constructor() {
    this.cookies = new Map() // `${path}\n${name}` → { name, value, path }
  }

  /** Takes every Set-Cookie of `response` to `url`. */
  store(url, response) {
    for (const header of response.headers.getSetCookie()) this.set(url, header)
  }

  set(url, header) {
    const [pair, ...attributes] = header.split(';')
    const at = pair.indexOf('=')
    const name = pair.slice(0, at).trim()
    const value = pair.slice(at + 1).trim()
    let cookiePath = new URL(url).pathname.replace(/\/[^/]*$/, '') || '/'
    let gone = false
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.split('=')
      const v = rest.join('=').trim()
      switch (key.trim().toLowerCase()) {
        case 'path':
          cookiePath = v || '/'
          break
        case 'max-age':
          if (Number(v) <= 0) gone = true
          break
        case 'expires':
          if (Date.parse(v) <= Date.now()) gone = true
          break
        default:
      }
    }
    const key = `${cookiePath}\n${name}`
    if (gone) this.cookies.delete(key)
    else this.cookies.set(key, { name, value, path: cookiePath })
  }

  /** The `Cookie` header for `url` (undefined when none applies). */
  header(url) {
    const { pathname } = new URL(url)
    const matching = [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined
  }

  /** The value of cookie `name` at `path` (default: any path). */
  get(name, cookiePath) {
    for (const c of this.cookies.values()) if (c.name === name && (cookiePath === undefined || c.path === cookiePath)) return c.value
    return undefined
  }
}

/** One request as the browser: its cookies sent, the answer's cookies kept, no redirect followed. */
async function browse(jar, url, { method = 'GET', form } = {}) {
  const headers = {}
  const cookie = jar.header(url)
  if (cookie) headers.cookie = cookie
  let body
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(form).toString()
  }
  const response = await fetch(url, { method, headers, body, redirect: 'manual' })
  jar.store(url, response)
  return response
}

/** The value of the first `attr="…"` in `html` that ends with `suffix`. */
function attribute(html, attr, suffix = '') {
  for (const match of html.matchAll(new RegExp(`${attr}="([^"]*)"`, 'g'))) {
    if (match[1].endsWith(suffix)) return match[1]
  }
  return undefined
}

/**
 * From `url` (the app's login route, or the provider's authorization URL) through the provider's
 * login form (as `username`, any password) and consent form, following every redirect, until a
 * redirect leaves for `stopAt` (the app's callback URL); resolves to that URL, not followed.
 */
async function signIn(jar, url, { username = 'alice', stopAt }) {
  let next = url
  let form
  for (let step = 0; step < 20; step += 1) {
    const response = await browse(jar, next, form ? { method: 'POST', form } : {})
    form = undefined
    if (response.status >= 300 && response.status < 400) {
      next = new URL(response.headers.get('location'), next).href
      if (next.startsWith(stopAt)) return next
      continue
    }
    const body = await response.text()
    assert.ok(response.ok, `${next}: ${response.status}: ${body}`)
    if (body.includes('name="prompt" value="login"')) {
      form = { prompt: 'login', login: username, password: 'any password' }
      next = new URL(attribute(body, 'action'), next).href
    } else if (body.includes('name="prompt" value="consent"')) {
      form = { prompt: 'consent' }
      next = new URL(attribute(body, 'action'), next).href
    } else {
      assert.fail(`unexpected page at ${next}: ${body}`)
    }
  }
  return assert.fail(`no redirect to ${stopAt} after 20 steps`)
}

module.exports = { CLIENT_ID, CLIENT_SECRET, CookieJar, attribute, browse, loginEnv, serve, signIn, startProvider }
