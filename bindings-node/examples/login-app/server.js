'use strict'
// The web UI's sign-in with @incidentfox/auth in a small Express app: `/` shows a "Sign in" link
// when signed out; "Sign in" goes through the library's login route to the OpenID Provider and
// back through its callback route, which sets the session cookie (the ID token); signed in, `/`
// verifies that cookie with an `OidcValidator` on every request and shows who you are.
//
// Against the repository's test provider (testdata/oidc-provider, after
// scripts/ensure-oidc-provider.sh; any username, any password; `alice` has groups):
//
//   node testdata/oidc-provider/server.js --port 4000 --redirect-uri http://127.0.0.1:3000/api/auth/callback
//   WEB_UI_OIDC_ENABLED=1 WEB_UI_OIDC_ISSUER=http://127.0.0.1:4000 \
//   WEB_UI_OIDC_CLIENT_ID=incidentfox-web-ui WEB_UI_OIDC_CLIENT_SECRET=web-ui-test-secret \
//   WEB_UI_PUBLIC_BASE_URL=http://127.0.0.1:3000 node examples/login-app/server.js
//   # open http://127.0.0.1:3000/
//
// Every setting comes from the web UI's WEB_UI_* variables (and OIDC_ALG, OIDC_GROUPS_CLAIM).

const express = require('express')
const { OidcLogin, OidcValidator, isAuthError } = require('@incidentfox/auth')
const { SESSION_COOKIE, callbackRoute, loginRoute } = require('@incidentfox/auth/express')

/** @param {unknown} value */
function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The session cookie's value, or undefined.
 * @param {string | undefined} header
 */
function sessionToken(header) {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) return part.slice(at + 1).trim() || undefined
  }
  return undefined
}

/**
 * @param {string} title
 * @param {string} body
 */
function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}
code{background:#f2f2f2;padding:0 .25rem}li{margin:.15rem 0}</style></head>
<body><h1>IncidentFox</h1>
${body}
</body>
</html>
`
}

/**
 * The app.
 * @param {{
 *   login: import('@incidentfox/auth').LoginSource,
 *   validator: import('@incidentfox/auth').OidcValidator | PromiseLike<import('@incidentfox/auth').OidcValidator>,
 * }} options
 *   `login` as the route handlers take it (an OidcLogin, a Promise of one, or a function);
 *   `validator` verifies the session cookie (issuer: the provider, audience: the client id).
 */
function createApp({ login, validator }) {
  const app = express()
  app.get('/api/auth/login', loginRoute(login))
  app.get('/api/auth/callback', callbackRoute(login))
  app.get('/api/auth/logout', (req, res) => {
    res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly`)
    res.redirect(302, '/')
  })

  app.get('/', async (req, res, next) => {
    const token = sessionToken(req.headers.cookie)
    let verified
    if (token !== undefined) {
      try {
        verified = await (await validator).verify(token)
      } catch (error) {
        // An expired or foreign session is a signed-out visitor; anything else is a server error.
        if (!isAuthError(error) || /** @type {{ status?: number }} */ (error).status !== 401) return next(error)
      }
    }
    res.setHeader('cache-control', 'no-store')
    if (verified === undefined) {
      return res.type('html').send(page('Signed out', `<p id="status">You are signed out.</p>
<p><a id="sign-in" href="/api/auth/login?returnTo=%2F">Sign in</a></p>`))
    }
    const groups = verified.groups.map((g) => `<li class="group">${escape(g)}</li>`).join('\n')
    return res.type('html').send(page(`Signed in as ${verified.subject}`, `<p id="status">Signed in as <strong id="subject">${escape(verified.subject)}</strong>${verified.email ? ` (<span id="email">${escape(verified.email)}</span>)` : ''}.</p>
<h2>Groups</h2>
<ul id="groups">
${groups || '<li>none</li>'}
</ul>
<p><a id="sign-out" href="/api/auth/logout">Sign out</a></p>`))
  })
  return app
}

module.exports = { createApp }

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000)
  const env = process.env
  const login = OidcLogin.fromEnv()
  // The session cookie holds the ID token: same issuer, audience the client id.
  const validator = new OidcValidator({
    issuer: env.WEB_UI_OIDC_ISSUER ?? env.OIDC_ISSUER ?? '',
    audience: env.WEB_UI_OIDC_CLIENT_ID ?? '',
    ...(env.WEB_UI_OIDC_JWKS_URL ? { jwksUrl: env.WEB_UI_OIDC_JWKS_URL } : { discovery: true }),
    groupsClaim: env.OIDC_GROUPS_CLAIM ?? 'groups',
  })
  createApp({ login, validator }).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
}
