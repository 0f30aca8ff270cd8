'use strict'
// What an operator of a Node service sees (mirroring core/tests/observe.rs): the events of a key
// set outage and recovery, a rotation, a JTI store outage and a burst of bad tokens, captured
// from the `node:diagnostics_channel` channels `incidentfox:auth:<area>` and a pino-shaped
// logger, with real HTTP servers and JS stores; the counters of `stats()` against the calls
// made; the prom-client adapter; the Express `/metrics` and `/healthz` of the example app; and
// every record searched for every token, secret, password and cookie value that went in.
//
// Events reach JS on a later turn of the event loop (the addon queues them), so the tests wait
// for them (`eventually`) rather than reading them right after a call.

const assert = require('node:assert/strict')
const diagnostics = require('node:diagnostics_channel')
const http = require('node:http')
const { after, test } = require('node:test')
const ifx = require('@incidentfox/auth')
const { Authenticator, ImpersonationSigner, ImpersonationVerifier, OidcValidator, configureObservability } = ifx
const { registerMetrics } = require('@incidentfox/auth/prometheus')
const { createApp } = require('../examples/express-app.js')
const s = require('./support.js')

const AREAS = ['keys', 'jti', 'lookup', 'login', 'config', 'verify']
const IMP_SECRET = 'observe-node-secret-0123456789abcdef-XYZ'
const STORE_PASSWORD = 'pg-password-s3cr3t-node'
const COOKIE = 'incidentfox_session_token'

// Every record of every channel and every logger call of this file, for the redaction test;
// and every secret that went in.
const everything = []
const secrets = new Set([IMP_SECRET, STORE_PASSWORD])
const listeners = AREAS.map((area) => {
  const name = `incidentfox:auth:${area}`
  const listener = (message, channel) => everything.push({ channel, message })
  diagnostics.subscribe(name, listener)
  return [name, listener]
})
after(() => {
  for (const [name, listener] of listeners) diagnostics.unsubscribe(name, listener)
  configureObservability({ level: 'info', logger: null })
})

/** Captures the events published from now on; `named(event)` filters them. */
function capture() {
  const from = everything.length
  const records = () => everything.slice(from)
  return {
    records,
    named: (event) => records().filter((r) => r.message.event === event),
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function eventually(condition, what) {
  const deadline = Date.now() + 5000
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** Lets every event queued so far reach JS. */
async function settle() {
  await sleep(50)
}

/** A JWKS endpoint on loopback that can fail: `fault` is an HTTP status to answer instead. */
async function jwksServer(keys) {
  const state = { jwks: { keys }, fault: null, hits: 0 }
  const server = http.createServer((req, res) => {
    state.hits += 1
    if (state.fault !== null) {
      res.writeHead(state.fault, { 'content-type': 'text/plain' })
      res.end('the IdP is down')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(state.jwks))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${server.address().port}/jwks`
  state.close = () => new Promise((resolve) => server.close(resolve))
  state.validator = (env = {}) =>
    OidcValidator.fromEnv({
      OIDC_ENABLED: '1',
      OIDC_ISSUER: s.ISSUER,
      OIDC_AUDIENCE: s.AUDIENCE,
      OIDC_JWKS_URL: state.url,
      OIDC_ALG: 'ES256',
      ...env,
    })
  return state
}

/** A fresh ES256 key pair with `kid`: `{ jwk, sign(claims) }`. */
async function esKey(kid) {
  const jose = await import('jose')
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  const sign = (claims) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey)
  return { jwk, sign }
}

/** Claims a validator for s.ISSUER / s.AUDIENCE accepts now. */
function claims(extra = {}) {
  const now = Math.floor(Date.now() / 1000)
  return { iss: s.ISSUER, aud: s.AUDIENCE, sub: 'alice', iat: now, exp: now + 600, ...extra }
}

async function token(key, extra) {
  const t = await key.sign(claims(extra))
  secrets.add(t)
  return t
}

function count(stats, kind, outcome) {
  return stats.verifications.filter((c) => c.kind === kind && c.outcome === outcome).reduce((n, c) => n + c.count, 0)
}

/** A JTI store in JS whose every method rejects while `down`, with a message naming a database
 * URL and its password, as a real driver's might. */
function flakyStore() {
  const jtis = new Map()
  const store = {
    down: false,
    check() {
      if (store.down) throw new Error(`connect to postgres://auth:${STORE_PASSWORD}@db:5432 refused`)
    },
    async record(entry) {
      store.check()
      jtis.set(entry.jti, { ...entry, revoked: false })
    },
    async contains(jti) {
      store.check()
      const found = jtis.get(jti)
      return found !== undefined && !found.revoked
    },
    async revoke(jti) {
      store.check()
      const found = jtis.get(jti)
      if (found === undefined) return false
      found.revoked = true
      return true
    },
    async consume(jti) {
      store.check()
      return jtis.delete(jti)
    },
  }
  return store
}

test('a key set outage: fetched, the IdP answers 500, the stale set is served, then recovery', async () => {
  const events = capture()
  const a = await esKey('outage-a')
  const server = await jwksServer([a.jwk])
  try {
    const v = server.validator({ OIDC_JWKS_MAX_AGE_SECONDS: '0.3', OIDC_JWKS_COOLDOWN_SECONDS: '0.4' })
    const t = await token(a)

    assert.equal((await v.verify(t)).subject, 'alice')
    await eventually(() => events.named('jwks.fetched').length === 1, 'jwks.fetched')
    const [fetched] = events.named('jwks.fetched')
    assert.equal(fetched.channel, 'incidentfox:auth:keys')
    assert.deepEqual(
      { ...fetched.message, duration_ms: typeof fetched.message.duration_ms },
      {
        event: 'jwks.fetched',
        level: 'info',
        source: server.url,
        trigger: 'expiry',
        keys_loaded: 1,
        keys_dropped: 0,
        dropped_reasons: '',
        duration_ms: 'number',
      },
    )

    // The IdP fails; past max_age the stale set is served while a background fetch fails.
    server.fault = 500
    await sleep(450)
    for (let i = 0; i < 3; i++) assert.equal((await v.verify(t)).subject, 'alice')
    await eventually(() => events.named('jwks.fetch_failed').length === 1, 'jwks.fetch_failed')
    const [failed] = events.named('jwks.fetch_failed')
    assert.equal(failed.channel, 'incidentfox:auth:keys')
    assert.equal(failed.message.level, 'warn')
    assert.equal(failed.message.code, 'jwks_unavailable')
    assert.equal(failed.message.trigger, 'background')
    assert.equal(failed.message.serving, true)
    assert.ok(failed.message.serving_age_seconds > 0.3, JSON.stringify(failed.message))
    // Reported once per set, counted per verification.
    const stale = events.named('jwks.stale_served')
    assert.equal(stale.length, 1)
    assert.equal(stale[0].message.level, 'warn')
    assert.ok(stale[0].message.age_seconds > 0.3)
    let stats = v.stats()
    assert.equal(stats.jwks.stale_served, 3)
    assert.deepEqual([stats.jwks.fetches_ok, stats.jwks.fetches_failed], [1, 1])
    assert.ok(stats.jwks.stale_seconds > 0)
    const health = await v.health()
    assert.equal(health.ready, true, 'a stale set still serves')
    assert.equal(health.jti_store, null)
    assert.deepEqual(
      [health.jwks.usable, health.jwks.stale, health.jwks.last_fetch_ok, health.jwks.last_fetch_code],
      [true, true, false, 'jwks_unavailable'],
    )

    // The IdP recovers: past the cooldown the next verification's background fetch succeeds.
    server.fault = null
    await sleep(500)
    assert.equal((await v.verify(t)).subject, 'alice')
    await eventually(() => events.named('jwks.fetched').length === 2, 'the second jwks.fetched')
    assert.equal(events.named('jwks.fetched')[1].message.trigger, 'background')
    stats = v.stats()
    assert.deepEqual([stats.jwks.fetches_ok, stats.jwks.fetches_failed], [2, 1])
    assert.equal(stats.jwks.stale_seconds, 0)
    assert.equal(stats.jwks.fetch_latency.count, 3)
    assert.equal(stats.jwks.keys, 1)
    assert.equal((await v.health()).jwks.last_fetch_ok, true)
    assert.equal((await v.health()).jwks.stale, false)
    // Five verifications, all passed; four answered from the verified-token cache.
    assert.equal(count(stats, 'oidc', 'ok'), 5)
    assert.equal(stats.verifications.length, 1)
    assert.deepEqual(stats.verified_cache, { hits: 4, misses: 1 })
    // At the default level (info), no verification event leaves the core.
    await settle()
    assert.equal(events.named('verification').length, 0)
    assert.equal(events.named('jwks.fetch_failed').length, 1)
  } finally {
    await server.close()
  }
})

test('a rotation: an unknown kid refetches, then the cooldown refuses the next one', async () => {
  const events = capture()
  const [a, b, stranger] = await Promise.all([esKey('rot-a'), esKey('rot-b'), esKey('nowhere-kid')])
  const server = await jwksServer([a.jwk])
  try {
    const v = server.validator({ OIDC_JWKS_MAX_AGE_SECONDS: '30', OIDC_JWKS_COOLDOWN_SECONDS: '0.3' })
    await v.verify(await token(a))

    server.jwks = { keys: [a.jwk, b.jwk] }
    await sleep(400)
    assert.equal((await v.verify(await token(b))).subject, 'alice')
    await eventually(() => events.named('jwks.fetched').length === 2, 'two jwks.fetched')
    const refetch = events.named('jwks.unknown_kid_refetch')
    assert.equal(refetch.length, 1)
    assert.deepEqual(refetch[0].message, { event: 'jwks.unknown_kid_refetch', level: 'info' })
    assert.equal(refetch[0].channel, 'incidentfox:auth:keys')
    const second = events.named('jwks.fetched')[1].message
    assert.equal(second.trigger, 'unknown_kid')
    assert.equal(second.keys_loaded, 2)

    // Within the cooldown, an unknown kid is refused without a fetch.
    const hits = server.hits
    const refused = await s.outcome(async () => v.verify(await token(stranger)))
    assert.equal(refused.code, 'ERR_UNKNOWN_KEY_ID')
    assert.equal(server.hits, hits)
    await eventually(() => events.named('jwks.unknown_kid_refused').length === 1, 'jwks.unknown_kid_refused')
    assert.deepEqual(events.named('jwks.unknown_kid_refused')[0].message, {
      event: 'jwks.unknown_kid_refused',
      level: 'info',
      reason: 'cooldown',
    })

    const stats = v.stats()
    assert.deepEqual([stats.jwks.unknown_kid_refetches, stats.jwks.unknown_kid_refused], [1, 1])
    assert.equal(stats.jwks.keys, 2)
    assert.equal(count(stats, 'oidc', 'ok'), 2)
    assert.equal(count(stats, 'oidc', 'unknown_key_id'), 1)
    // No event names the kid a caller chose.
    await settle()
    assert.ok(!JSON.stringify(events.records()).includes('nowhere-kid'))
  } finally {
    await server.close()
  }
})

test('a JTI store outage: each failure reported and counted, health() unreachable, then ready', async () => {
  const events = capture()
  const store = flakyStore()
  const options = { secret: IMP_SECRET, jtiRequire: true, jtiStore: store }
  const signer = new ImpersonationSigner(options)
  const verifier = new ImpersonationVerifier(options)
  const minted = await signer.mint({ orgId: 'org-1', teamNodeId: 'team-1', subject: 'admin@example.com' })
  secrets.add(minted.token)
  secrets.add(minted.jti)
  await verifier.verify(minted.token)
  const ready = await verifier.health()
  assert.deepEqual(ready, { ready: true, jwks: null, jti_store: { reachable: true, code: null } })

  store.down = true
  for (let i = 0; i < 4; i++) {
    const e = await s.outcome(() => verifier.verify(minted.token))
    assert.equal(e.code, 'ERR_JTI_STORE_UNAVAILABLE')
  }
  const down = await verifier.health()
  assert.deepEqual(down, { ready: false, jwks: null, jti_store: { reachable: false, code: 'jti_store_unavailable' } })
  await eventually(() => events.named('jti_store.failed').length === 5, 'five jti_store.failed')
  for (const { channel, message } of events.named('jti_store.failed')) {
    assert.equal(channel, 'incidentfox:auth:jti')
    assert.equal(message.level, 'warn')
    assert.equal(message.operation, 'contains')
    assert.equal(message.code, 'jti_store_unavailable')
    assert.equal(typeof message.duration_ms, 'number')
    assert.deepEqual(Object.keys(message).sort(), ['code', 'duration_ms', 'event', 'level', 'operation'])
  }

  store.down = false
  assert.equal((await verifier.health()).ready, true)
  const stats = verifier.stats()
  assert.deepEqual([stats.jti_store.calls, stats.jti_store.failures], [8, 5])
  assert.equal(stats.jti_store.latency.count, 8)
  assert.equal(count(stats, 'impersonation', 'ok'), 1)
  assert.equal(count(stats, 'impersonation', 'jti_store_unavailable'), 4)
  await settle()
  assert.equal(events.named('jti_store.failed').length, 5)
})

test('a burst of bad tokens at debug: one verification event each, counted by outcome', async () => {
  const events = capture()
  configureObservability({ level: 'debug' })
  try {
    // A forger's key under the trusted key's kid.
    const good = await esKey('burst')
    const forger = await esKey('burst')
    const v = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: { keys: [good.jwk] }, algorithms: ['ES256'] })
    const forged = await Promise.all(Array.from({ length: 50 }, () => token(forger)))
    for (const t of forged.slice(0, 40)) {
      assert.equal(s.outcomeSync(() => v.verifySync(t)).code, 'ERR_INVALID_SIGNATURE')
    }
    // Emitted on the JS thread, published on a later turn: nothing yet.
    assert.equal(events.named('verification').length, 0)
    for (const t of forged.slice(40)) assert.equal((await s.outcome(() => v.verify(t))).code, 'ERR_INVALID_SIGNATURE')
    const garbage = 'not-a-token-at-all-but-a-secret-looking-string'
    secrets.add(garbage)
    assert.equal(s.outcomeSync(() => v.verifySync(garbage)).code, 'ERR_TOKEN_MALFORMED')
    await eventually(() => events.named('verification').length === 51, '51 verification events')
    const outcomes = events.named('verification')
    for (const { channel, message } of outcomes.slice(0, 50)) {
      assert.equal(channel, 'incidentfox:auth:verify')
      assert.deepEqual(message, { event: 'verification', level: 'debug', kind: 'oidc', outcome: 'invalid_signature' })
    }
    assert.deepEqual(outcomes[50].message, { event: 'verification', level: 'debug', kind: 'oidc', outcome: 'token_malformed' })
    const stats = v.stats()
    assert.equal(count(stats, 'oidc', 'invalid_signature'), 50)
    assert.equal(count(stats, 'oidc', 'token_malformed'), 1)
    assert.equal(stats.jwks, null)
    assert.match(v.openmetrics(), /^incidentfox_auth_verifications_total\{kind="oidc",outcome="invalid_signature"\} 50$/m)

    // Back at info, the same calls publish nothing (the core drops them before any JS call).
    configureObservability({ level: 'info' })
    for (const t of forged.slice(0, 10)) s.outcomeSync(() => v.verifySync(t))
    await settle()
    assert.equal(events.named('verification').length, 51)
    assert.equal(count(v.stats(), 'oidc', 'invalid_signature'), 60)
    assert.equal(ifx.eventsDropped(), 0)
  } finally {
    configureObservability({ level: 'info' })
  }
})

test('a pino-shaped logger gets logger[level]({ event, ...fields }, event), from its own level', async () => {
  const calls = []
  const logger = { level: 'debug' }
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) {
    logger[level] = function (object, message) {
      assert.equal(this, logger)
      calls.push({ level, object, message })
    }
  }
  const settings = configureObservability({ logger })
  assert.deepEqual(settings, { level: 'debug', logger })
  try {
    const key = await esKey('logger')
    const v = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: { keys: [key.jwk] }, algorithms: ['ES256'] })
    const expired = await token(key, { exp: Math.floor(Date.now() / 1000) - 3600 })
    assert.equal(s.outcomeSync(() => v.verifySync(expired)).code, 'ERR_TOKEN_EXPIRED')
    // A configuration problem (warn): the short secret is named, never shown.
    const short = 'tiny-secret-value'
    secrets.add(short)
    assert.equal(
      s.outcomeSync(() => ImpersonationVerifier.fromEnv({ IMPERSONATION_JWT_SECRET: short, IMPERSONATION_TOKEN_TTL_SECONDS: 'soon' })).code,
      'ERR_INVALID_CONFIG',
    )
    await eventually(() => calls.some((c) => c.level === 'warn') && calls.some((c) => c.level === 'debug'), 'the logger calls')
    const debug = calls.find((c) => c.level === 'debug')
    assert.deepEqual(debug, {
      level: 'debug',
      object: { event: 'verification', kind: 'oidc', outcome: 'token_expired' },
      message: 'verification',
    })
    const problems = calls.filter((c) => c.level === 'warn')
    assert.ok(problems.every((c) => c.message === 'config.problem' && c.object.event === 'config.problem'))
    assert.ok(problems.some((c) => c.object.problem.includes('IMPERSONATION_JWT_SECRET')), JSON.stringify(problems))
    everything.push(...calls.map((c) => ({ channel: 'logger', message: c })))

    // Removed: no more calls; the channels go on.
    assert.deepEqual(configureObservability({ logger: null }), { level: 'debug', logger: null })
    const before = calls.length
    const events = capture()
    s.outcomeSync(() => v.verifySync(expired))
    await eventually(() => events.named('verification').length === 1, 'the channel')
    assert.equal(calls.length, before)

    assert.throws(() => configureObservability({ level: 'verbose' }), /level/)
    assert.throws(() => configureObservability({ levle: 'debug' }), /unknown option `levle`/)
  } finally {
    configureObservability({ level: 'info', logger: null })
  }
})

test('a failing logger never breaks the process: it is reported once and the channels go on', async () => {
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  configureObservability({
    level: 'debug',
    logger: {
      debug() {
        throw new Error('the log pipe is closed')
      },
    },
  })
  try {
    const events = capture()
    const key = await esKey('failing-logger')
    const v = new OidcValidator({ issuer: s.ISSUER, audience: s.AUDIENCE, jwksJson: { keys: [key.jwk] }, algorithms: ['ES256'] })
    for (let i = 0; i < 3; i++) s.outcomeSync(() => v.verifySync('a.b.c'))
    await eventually(() => events.named('verification').length === 3, 'three events')
    await settle()
    assert.equal(warnings.filter((w) => /the event logger failed/.test(w.message)).length, 1)
  } finally {
    process.off('warning', onWarning)
    configureObservability({ level: 'info', logger: null })
  }
})

test('prom-client: the core families in a Registry, counters equal to the calls, histograms whole', async () => {
  const client = require('prom-client')
  const key = await esKey('prom')
  const server = await jwksServer([key.jwk])
  try {
    const v = server.validator({ OIDC_VERIFIED_CACHE_TTL_SECONDS: '0' })
    const registry = new client.Registry()
    const metrics = registerMetrics(v, { registry })
    // Registered up front, before the first fetch: the key set's age has no sample yet.
    assert.ok(metrics.some((m) => m.name === 'incidentfox_auth_jwks_age_seconds'))
    assert.doesNotMatch(await registry.metrics(), /^incidentfox_auth_jwks_age_seconds \d/m)

    for (let i = 0; i < 3; i++) await v.verify(await token(key))
    assert.equal((await s.outcome(async () => v.verify(await token(key, { aud: 'someone-else' })))).code, 'ERR_INVALID_AUDIENCE')
    const text = await registry.metrics()
    assert.match(text, /^# TYPE incidentfox_auth_verifications_total counter$/m)
    assert.match(text, /^incidentfox_auth_verifications_total\{kind="oidc",outcome="ok"\} 3$/m)
    assert.match(text, /^incidentfox_auth_verifications_total\{kind="oidc",outcome="invalid_audience"\} 1$/m)
    assert.match(text, /^incidentfox_auth_jwks_fetches_total\{result="ok"\} 1$/m)
    assert.match(text, /^incidentfox_auth_jwks_keys 1$/m)
    assert.match(text, /^incidentfox_auth_jwks_age_seconds [\d.e-]+$/m)
    assert.match(text, /^# TYPE incidentfox_auth_jwks_fetch_duration_seconds histogram$/m)
    const buckets = [...text.matchAll(/^incidentfox_auth_jwks_fetch_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)]
    assert.deepEqual(
      buckets.map((m) => m[1]),
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '+Inf'],
    )
    const counts = buckets.map((m) => Number(m[2]))
    assert.ok(counts.every((n, i) => i === 0 || n >= counts[i - 1]), 'cumulative buckets')
    assert.equal(counts.at(-1), 1)
    assert.match(text, /^incidentfox_auth_jwks_fetch_duration_seconds_count 1$/m)
    assert.match(text, /^incidentfox_auth_jwks_fetch_duration_seconds_sum [\d.e-]+$/m)
    // No JTI store: none of its families.
    assert.doesNotMatch(text, /jti_store/)

    // With the OpenMetrics content type, the counter lines are the core's own.
    const open = new client.Registry(client.Registry.OPENMETRICS_CONTENT_TYPE)
    registerMetrics(v, { registry: open })
    const openText = await open.metrics()
    assert.match(openText, /^# TYPE incidentfox_auth_verifications counter$/m)
    const coreCounters = v.openmetrics().split('\n').filter((line) => /^incidentfox_auth_\w+_total[{ ]/.test(line))
    assert.ok(coreCounters.length >= 6)
    for (const line of coreCounters) assert.ok(openText.split('\n').includes(line), `${line} is missing:\n${openText}`)
    assert.ok(openText.endsWith('# EOF\n'))

    // Twice in one registry is prom-client's error, and nothing is left half-registered.
    assert.throws(() => registerMetrics(v, { registry }), /already been registered/)
    assert.throws(() => registerMetrics({}, { registry }), /source must be/)
  } finally {
    await server.close()
  }
})

test('Express /metrics and /healthz of the example app: OpenMetrics text, 200 ready, 503 when the JTI store rejects', async () => {
  const store = flakyStore()
  const ADMIN = 'observability-admin-token-value-0123456789abcdef'
  secrets.add(ADMIN)
  const auth = Authenticator.fromEnv(
    { ADMIN_TOKEN: ADMIN, IMPERSONATION_JWT_SECRET: IMP_SECRET, IMPERSONATION_JTI_DB_REQUIRE: '1' },
    { jtiStore: store },
  )
  const app = createApp(auth)
  const server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const url = `http://127.0.0.1:${server.address().port}`
  try {
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${url}/api/v1/auth/me`, { headers: s.bearer(ADMIN) })).status, 200)
    assert.equal((await fetch(`${url}/api/v1/auth/me`, { headers: s.bearer('wrong') })).status, 401)

    const metrics = await fetch(`${url}/metrics`)
    assert.equal(metrics.status, 200)
    assert.equal(metrics.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8')
    const text = await metrics.text()
    assert.match(text, /^incidentfox_auth_verifications_total\{kind="admin_token",outcome="ok"\} 2$/m)
    assert.match(text, /^incidentfox_auth_verifications_total\{kind="admin_token",outcome="invalid_credentials"\} 1$/m)
    assert.match(text, /^# TYPE incidentfox_auth_jti_store_duration_seconds histogram$/m)
    assert.ok(text.endsWith('# EOF\n'))

    let health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 200)
    assert.equal(health.headers.get('content-type'), 'application/json')
    assert.deepEqual(await health.json(), { ready: true, jwks: null, jti_store: { reachable: true, code: null } })

    store.down = true
    health = await fetch(`${url}/healthz`)
    assert.equal(health.status, 503)
    const body = await health.text()
    assert.deepEqual(JSON.parse(body), { ready: false, jwks: null, jti_store: { reachable: false, code: 'jti_store_unavailable' } })
    assert.ok(!body.includes(STORE_PASSWORD))
    const after = await (await fetch(`${url}/metrics`)).text()
    assert.match(after, /^incidentfox_auth_jti_store_calls_total\{result="failed"\} 1$/m)
    assert.match(after, /^incidentfox_auth_jti_store_calls_total\{result="ok"\} 1$/m)
  } finally {
    await new Promise((resolve) => server.close(resolve))
    require('@incidentfox/auth/express').configure(null)
  }
})

test('the handlers check their source when built', () => {
  const express = require('@incidentfox/auth/express')
  const next = require('@incidentfox/auth/next')
  for (const helper of [express.metricsHandler, express.healthHandler, next.metricsHandler, next.healthHandler]) {
    assert.throws(() => helper({}), /source must be/)
  }
})

test('no record carries a token, a secret, a password or a cookie value', async () => {
  // The session cookie and a login-free authenticator at trace: every verification event path.
  configureObservability({ level: 'trace' })
  try {
    const events = capture()
    const key = await esKey('redaction')
    const auth = Authenticator.fromEnv({
      OIDC_ENABLED: '1',
      OIDC_ISSUER: s.ISSUER,
      OIDC_AUDIENCE: s.AUDIENCE,
      OIDC_JWKS_JSON: JSON.stringify({ keys: [key.jwk] }),
      OIDC_ALG: 'ES256',
      ADMIN_AUTH_MODE: 'oidc',
      IMPERSONATION_JWT_SECRET: IMP_SECRET,
    })
    const good = await token(key, { groups: ['incidentfox-config-admin'] })
    const cookieValue = `${good}`
    const forgedCookie = 'cookie-value-that-is-not-a-token-0123456789'
    secrets.add(forgedCookie)
    await auth.authenticate({ cookie: `${COOKIE}=${cookieValue}` }, { method: 'GET' })
    await s.outcome(() => auth.authenticate({ cookie: `${COOKIE}=${forgedCookie}` }, { method: 'GET' }))
    await s.outcome(() => auth.authenticate(s.bearer(IMP_SECRET)))
    await eventually(() => events.named('verification').length >= 3, 'the verification events')
  } finally {
    configureObservability({ level: 'info' })
  }
  await settle()

  assert.ok(everything.length > 60, `${everything.length} records`)
  const seen = new Set(everything.map((r) => r.message.event ?? r.message.object?.event))
  for (const event of ['jwks.fetched', 'jwks.fetch_failed', 'jwks.stale_served', 'jwks.unknown_kid_refetch', 'jwks.unknown_kid_refused', 'jti_store.failed', 'config.problem', 'verification']) {
    assert.ok(seen.has(event), `no ${event} was captured`)
  }
  const needles = []
  for (const secret of secrets) {
    needles.push(secret)
    // A token's payload and signature alone, too.
    for (const part of secret.split('.')) if (part.length >= 16) needles.push(part)
  }
  for (const record of everything) {
    const shown = JSON.stringify(record)
    for (const needle of needles) assert.ok(!shown.includes(needle), `a record carries a secret: ${shown}`)
  }
})
