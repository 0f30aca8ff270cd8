// A real OpenID Provider (npm `oidc-provider`, pinned in package.json) for the login end-to-end
// tests (core/tests/login_e2e.rs). Test use only: it accepts any username with any password.
//
//   node server.js --port 0 --redirect-uri http://127.0.0.1:9/api/auth/callback [--exit-with-stdin]
//
// Once it listens it prints one JSON line to stdout: {"issuer":"http://127.0.0.1:PORT","port":PORT}.
// Everything else it says goes to stderr.
//
// - Dev interactions: the built-in login page (any username, any password) and consent page; the
//   login page's "Cancel" link (GET /interaction/UID/abort) ends the flow with
//   `error=access_denied`.
// - PKCE is required for every client (oidc-provider 9 knows only S256).
// - Clients: `incidentfox-web-ui` (confidential, client_secret_basic, secret `web-ui-test-secret`)
//   and `incidentfox-web-ui-public` (public, token_endpoint_auth_method none); both have the one
//   redirect URI given by --redirect-uri.
// - Accounts: any username is the `sub`; `email` is `<username>@example.com`; `groups` is
//   ["incidentfox-config-admin", "sre"] for `alice` and ["viewer"] for anyone else. `groups`
//   (scope `groups`) and `email` (scope `email`) are in the ID token itself
//   (conformIdTokenClaims: false), not only in userinfo.
// - ID tokens: RS256, 600 s lifetime (--id-token-ttl), signed by one of two RSA keys made at start
//   (kids `test-key-1`, `test-key-2`).
//
// Test-only admin endpoints (all POST, all answer the state as JSON):
//   /__test/rotate[?retire=1]  the other key signs from now on; the JWKS publishes
//                              [new, old], or only [new] with retire=1.
//   /__test/retire             the JWKS publishes only the signing key.
//   /__test/clock?offset=S     the provider's clock (Date.now) runs S seconds off (negative: in
//                              the past), so tokens it issues carry shifted iat/exp; offset=0
//                              restores it.
//   /__test/state (GET too)    {signing_kid, published_kids, clock_offset}.
//   /__test/status/CODE        answers CODE with an HTML page, as a proxy in front of a provider
//                              that is down would (a stand-in token endpoint).
//   /__test/token-as/CLIENT    the token endpoint, replayed as public client CLIENT: the body's
//                              client_id is replaced and the Authorization header dropped. Lets a
//                              test make a relying party receive an ID token minted for another
//                              client (a wrong audience) with a genuine signature.
//
// Key rotation without restarting: oidc-provider reads its keys only when a Provider is built, so
// a rotation builds a new Provider with the same configuration and the new key set, and requests
// go to it from then on. Sessions, interactions, grants and codes live in oidc-provider's
// in-memory adapter, which is shared by every Provider in the process, and the cookie keys are
// fixed, so flows that started before a rotation finish after it.

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

// oidc-provider prints notices with console.info (stdout): keep stdout for the ready line.
console.log = console.error;
console.info = console.error;

const { Provider } = await import('oidc-provider');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:3000/api/auth/callback' },
    'id-token-ttl': { type: 'string', default: '600' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const CONFIDENTIAL_CLIENT = 'incidentfox-web-ui';
const CONFIDENTIAL_SECRET = 'web-ui-test-secret';
const PUBLIC_CLIENT = 'incidentfox-web-ui-public';
const ID_TOKEN_TTL = Number.parseInt(args['id-token-ttl'], 10);
if (!(ID_TOKEN_TTL > 0)) {
  throw new Error('--id-token-ttl must be a positive number of seconds');
}

// The clock: every oidc-provider time (iat, exp, code and interaction expiry) comes from Date.now.
const realNow = Date.now.bind(Date);
let clockOffsetSeconds = 0;
Date.now = () => realNow() + clockOffsetSeconds * 1000;

function rsaKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}
const keys = [rsaKey('test-key-1'), rsaKey('test-key-2')];
let signing = 0; // index into keys
let published = [0]; // indexes into keys, signing key first (oidc-provider signs with the first)

function groupsFor(username) {
  return username === 'alice' ? ['incidentfox-config-admin', 'sre'] : ['viewer'];
}

function configuration(redirectUri) {
  return {
    clients: [
      {
        client_id: CONFIDENTIAL_CLIENT,
        client_secret: CONFIDENTIAL_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
      },
      {
        client_id: PUBLIC_CLIENT,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Claims of granted scopes go into the ID token itself, not only into userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: `${sub}@example.com`,
            email_verified: true,
            name: sub,
            preferred_username: sub,
            groups: groupsFor(sub),
          };
        },
      };
    },
    ttl: {
      IdToken: () => ID_TOKEN_TTL,
      AccessToken: () => 600,
      AuthorizationCode: () => 60,
      Interaction: () => 3600,
      Session: () => 3600,
      Grant: () => 3600,
    },
    cookies: { keys: ['incidentfox-auth-test-cookie-key'] },
    // Errors as JSON so a test failure shows the provider's reason.
    async renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
    jwks: { keys: published.map((i) => keys[i]) },
  };
}

function state() {
  return {
    signing_kid: keys[signing].kid,
    published_kids: published.map((i) => keys[i].kid),
    clock_offset: clockOffsetSeconds,
  };
}

let issuer;
let provider;
let handler;
function build() {
  provider = new Provider(issuer, configuration(args['redirect-uri']));
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  handler = provider.callback();
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function admin(req, res, url) {
  const path = url.pathname;
  if (path === '/__test/state') {
    return json(res, 200, state());
  }
  if (req.method !== 'POST') {
    return json(res, 405, { error: 'use POST' });
  }
  if (path === '/__test/rotate') {
    const old = signing;
    signing = 1 - signing;
    published = url.searchParams.get('retire') === '1' ? [signing] : [signing, old];
    build();
    return json(res, 200, state());
  }
  if (path === '/__test/retire') {
    published = [signing];
    build();
    return json(res, 200, state());
  }
  if (path === '/__test/clock') {
    const offset = Number(url.searchParams.get('offset') ?? '0');
    if (!Number.isFinite(offset)) return json(res, 400, { error: 'offset must be a number' });
    clockOffsetSeconds = offset;
    return json(res, 200, state());
  }
  const tokenAs = path.match(/^\/__test\/token-as\/([^/]+)$/);
  if (tokenAs) {
    const form = new URLSearchParams(await readBody(req));
    form.set('client_id', decodeURIComponent(tokenAs[1]));
    const answer = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-store',
    });
    return res.end(await answer.text());
  }
  const status = path.match(/^\/__test\/status\/([1-5][0-9][0-9])$/);
  if (status) {
    // What a proxy in front of a provider that is down answers.
    res.writeHead(Number(status[1]), { 'content-type': 'text/html' });
    return res.end(`<html><body><h1>${status[1]}</h1>upstream unavailable</body></html>`);
  }
  return json(res, 404, { error: 'unknown test endpoint' });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/__test/')) {
    admin(req, res, url).catch((error) => {
      console.error(error);
      json(res, 500, { error: String(error) });
    });
    return;
  }
  handler(req, res);
});

server.listen(Number.parseInt(args.port, 10), args.host, () => {
  const { port } = server.address();
  issuer = `http://${args.host}:${port}`;
  build();
  process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
});

function stop() {
  server.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args['exit-with-stdin']) {
  // The test keeps our stdin open; when it exits (even by a crash) the pipe closes and so do we.
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
