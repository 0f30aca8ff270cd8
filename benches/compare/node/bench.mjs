#!/usr/bin/env node
// @incidentfox/auth (the Node package) against jose, fast-jwt, jsonwebtoken and
// @node-rs/jsonwebtoken, in one run. Prints markdown tables (see README.md beside this file):
//
// 1. Full verification, keys and configuration built once, the same token for every library,
//    no verified-token cache anywhere (every call verifies from scratch):
//    - OIDC RS256, ES256, EdDSA: tokens minted here with jose from the fixed keys in
//      testdata/keys/keys.json (header with `kid`), checked for signature, `iss`, `aud`, `exp` and
//      `sub` with a 30 s leeway. Ours: `validator.verifySync(token)` on an `OidcValidator` with the
//      inline JWKS, built by `OidcValidator.fromEnv` with `OIDC_VERIFIED_CACHE_TTL_SECONDS=0`
//      (the default cache would turn repeat calls into a lookup).
//    - Impersonation HS256: tokens minted by our `ImpersonationSigner`. Ours:
//      `verifier.verifySync(token)` (signature and claims; no JTI store is configured), built by
//      `ImpersonationVerifier.fromEnv` with `IMPERSONATION_VERIFIED_CACHE_TTL_SECONDS=0`. Peers
//      apply the agent runtime's rules: HS256 only, issuer `incidentfox-config-service`, audience
//      `incidentfox-agent-runtime`, required claims, then `ifx_kind` and `scope` (`team:read`).
//    Every library is called one call at a time on the main thread, through its fastest API:
//    sync where it has one, else `await` (jose is async only).
// 2. `await validator.verify(token)` on RS256 with 2 calls in flight against 1 (total
//    throughput ratio); 4 in flight, jose, @node-rs/jsonwebtoken's async `verify` and our HS256
//    verifier for context.
// 3. For context: ours with the verified-token cache at its default (on), same token repeated.
//
// Before a verifier is timed it must accept the token and refuse a tampered signature, a wrong
// audience and an expired token; one that does not is listed under "Notes" and left out.
//
// Timing: process.hrtime around a loop sized to --seconds (default 0.5) plus the GC and Node-API
// finalizers of that loop's garbage (a full GC with --expose-gc, as `npm run bench` runs it, then
// two event-loop turns). The libraries take turns, round by round, for --rounds (default 8)
// rounds, the order rotated each round. A cell is a library's median over the rounds; a ratio is
// paired: the median over the rounds of the two libraries' times in that same round, so a slow
// spell of this shared VM slows both sides of a ratio instead of one of them.
// Tables to stdout, progress to stderr.
//
// Run (from this folder): npm install && npm run bench     (--quick: 0.05 s loops, three rounds)

import { createPrivateKey, createPublicKey, createSecretKey, webcrypto } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import * as jose from 'jose'
import { createVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import * as noders from '@node-rs/jsonwebtoken'
import ifx from '@incidentfox/auth'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../../..')
const require = createRequire(import.meta.url)

// ------------------------------------------------------------------------------ settings

const ISSUER = 'https://idp.example.com'
const AUDIENCE = 'incidentfox-config-service'
const ADMIN_GROUP = 'incidentfox-config-admin'
const LEEWAY = 30 // the OIDC default of @incidentfox/auth; every peer gets the same

const IMP_SECRET = 'bench-impersonation-secret-0123456789-abcdef'
const IMP_ISSUER = 'incidentfox-config-service'
const IMP_AUDIENCE = 'incidentfox-agent-runtime'
const IMP_REQUIRED = ['exp', 'iat', 'sub', 'org_id', 'team_node_id', 'ifx_kind', 'scope', 'jti']
const IMP_KINDS = new Set(['team_impersonation', 'visitor'])
const IMP_SUBJECT = 'okta|00u1admin'

const OIDC_ALGS = [['RS256', 'rs256'], ['ES256', 'es256'], ['EdDSA', 'eddsa']]
const OURS = '@incidentfox/auth'
const PEERS = ['jose', 'fast-jwt', 'jsonwebtoken', '@node-rs/jsonwebtoken']
const LIBS = [OURS, ...PEERS]
const TARGETS = { RS256: 1.4, ES256: 1.4, EdDSA: 1.15, HS256: 2.0 }
const INFLIGHT_TARGET = 1.7

function parseArgs(argv) {
  const opts = { seconds: 0.5, rounds: 8 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--quick') Object.assign(opts, { seconds: 0.05, rounds: 3 })
    else if (a === '--seconds') opts.seconds = Number(argv[++i])
    else if (a === '--rounds') opts.rounds = Number(argv[++i])
    else if (a === '--help' || a === '-h') {
      console.log('usage: node --expose-gc bench.mjs [--quick] [--seconds S] [--rounds N]')
      process.exit(0)
    } else throw new Error(`unknown argument ${a}`)
  }
  if (!(opts.seconds > 0) || !(opts.rounds >= 1)) throw new Error('--seconds and --rounds must be positive')
  return opts
}

// ------------------------------------------------------------------------------ helpers

const log = (...a) => console.error(...a)
const hr = () => process.hrtime.bigint()
const secondsSince = (t0) => Number(hr() - t0) / 1e9

function tamper(token) {
  // One character in the middle of the signature changed.
  const [head, payload, sig] = token.split('.')
  const i = Math.floor(sig.length / 2)
  const c = sig[i] !== 'A' ? 'A' : 'B'
  return `${head}.${payload}.${sig.slice(0, i)}${c}${sig.slice(i + 1)}`
}

function privateKey(entry) {
  const der = Buffer.from(entry.pkcs8_b64, 'base64url')
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } catch (e) {
    // The Ed25519 entry is a PKCS#8 v2 (OneAsymmetricKey, version 1, public key attached), which
    // Node's OpenSSL refuses ("wrong tag"); rewrap its 32-byte seed as PKCS#8 v1.
    const v2 = Buffer.from('3051020101300506032b657004220420', 'hex')
    if (!der.subarray(0, 16).equals(v2)) throw e
    const v1 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), der.subarray(16, 48)])
    return createPrivateKey({ key: v1, format: 'der', type: 'pkcs8' })
  }
}

function requireClaims(claims, names) {
  for (const name of names) {
    if (!(name in claims)) throw new Error(`claim ${name} is missing`)
  }
}

// The agent runtime's post-decode checks: ifx_kind and scope.
function runtimeChecks(claims) {
  if (!IMP_KINDS.has(claims.ifx_kind)) throw new Error('ifx_kind')
  const scope = claims.scope
  const scopes = typeof scope === 'string' ? [scope] : Array.isArray(scope) ? scope : []
  if (!scopes.includes('team:read')) throw new Error('scope')
  return claims.sub
}

function fmtRate(secPerOp) {
  const ops = 1 / secPerOp
  const rate = ops >= 1000 ? `${(ops / 1000).toFixed(1)}k/s` : `${ops.toFixed(0)}/s`
  const us = secPerOp * 1e6
  const t = us < 1000 ? `${us.toFixed(1)} µs` : `${(us / 1000).toFixed(2)} ms`
  return `${rate} · ${t}`
}

const fmtOps = (secPerOp) => `${Math.round(1 / secPerOp).toLocaleString('en-US')}/s`
const mark = (ok) => (ok ? 'met' : '**missed**')

function cpuModel() {
  try {
    const out = execFileSync('lscpu', { encoding: 'utf8' })
    const line = out.split('\n').find((l) => l.startsWith('Model name:'))
    if (line) return line.split(':')[1].trim()
  } catch {
    // fall through
  }
  return os.cpus()[0]?.model ?? 'unknown CPU'
}

function pkgVersion(name) {
  return JSON.parse(readFileSync(path.join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version
}

// ------------------------------------------------------------------------------ timing
// A verifier is { lib, api, mode: 'sync' | 'async', fn(token) -> subject (or its Promise) }.

let sink

// Every job gets loops of its own, compiled from source here: loops shared by all libraries would
// see every library's function at one call site, which V8 then treats as megamorphic (no inlining)
// in an order-dependent way, and one library's timing would depend on which ran before it. Each
// job's call site sees only its own function, as an application's would.
function ownLoops() {
  const syncLoop = new Function('fn', 'token', 'n', 'let s; for (let i = 0; i < n; i++) s = fn(token); return s')
  const asyncLoop = new Function('fn', 'token', 'n', 'return (async () => { let s; for (let i = 0; i < n; i++) s = await fn(token); return s })()')
  // `inflight` calls in flight at once until n calls have completed in total.
  const inflightLoop = new Function('fn', 'token', 'n', 'inflight', `
    let left = n
    let s
    const worker = async () => { while (left > 0) { left--; s = await fn(token) } }
    return Promise.all(Array.from({ length: inflight }, worker)).then(() => s)`)
  return {
    sync: (fn, token, n) => { sink = syncLoop(fn, token, n) },
    async: async (fn, token, n) => { sink = await asyncLoop(fn, token, n) },
    inflight: async (fn, token, n, k) => { sink = await inflightLoop(fn, token, n, k) },
  }
}

// A full GC (with --expose-gc), then two turns of the event loop. Node-API runs the finalizers
// of collected native objects (our VerifiedToken, @node-rs's results) from the event loop, so a
// sync loop never pays for them inside the loop: the next code that yields does. Settling inside
// the timed region charges every loop with the GC and the finalizers of its own garbage.
const tick = () => new Promise((resolve) => setImmediate(resolve))
async function settle() {
  globalThis.gc?.()
  await tick()
  await tick()
}

// One timed run of `job.run(n)`: settled before (untimed) and after (timed).
async function timed(job, n) {
  await settle()
  const t0 = hr()
  await job.run(n)
  await settle()
  return secondsSince(t0)
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// A job is { key, run(n) } (sync or returning a Promise). Calibrates each to about `seconds`,
// then runs them in turn for `rounds` rounds, rotating the order so that no job always follows
// the same one. Returns { median: key -> seconds per call, ratio(a, b) }: ratio is the median
// over the rounds of a's time ÷ b's time in the same round.
async function measure(jobs, seconds, rounds) {
  const sizes = new Map()
  for (const job of jobs) {
    let n = 1
    let dt
    for (;;) {
      dt = await timed(job, n)
      if (dt >= 0.05) break
      n *= dt < 0.005 ? 4 : 2
    }
    sizes.set(job.key, Math.max(1, Math.round((n * seconds) / dt)))
  }
  const perRound = new Map(jobs.map((j) => [j.key, []]))
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[(i + r) % jobs.length]
      const n = sizes.get(job.key)
      perRound.get(job.key)[r] = (await timed(job, n)) / n
    }
  }
  const medians = new Map([...perRound].map(([key, xs]) => [key, median(xs)]))
  const ratio = (a, b) => median(perRound.get(a).map((x, r) => x / perRound.get(b)[r]))
  return { median: medians, ratio }
}

function verifierJob(v, token) {
  const loops = ownLoops()
  return {
    key: v.lib,
    run: v.mode === 'sync' ? (n) => loops.sync(v.fn, token, n) : (n) => loops.async(v.fn, token, n),
  }
}

// ------------------------------------------------------------------------------ tokens

async function mintTokens() {
  const keys = JSON.parse(readFileSync(path.join(ROOT, 'testdata/keys/keys.json'), 'utf8'))
  const now = Math.floor(Date.now() / 1000)
  const oidc = {}
  const jwks = {}
  for (const [alg, name] of OIDC_ALGS) {
    const entry = keys[name]
    const priv = privateKey(entry)
    const pubFromPriv = createPublicKey(priv).export({ format: 'jwk' })
    if (pubFromPriv.x !== entry.public_jwk.x || pubFromPriv.n !== entry.public_jwk.n) {
      throw new Error(`${name}: the private key does not match public_jwk`)
    }
    const mint = (over = {}) =>
      new jose.SignJWT({
        iss: ISSUER, aud: AUDIENCE, sub: 'alice', email: 'alice@example.com', groups: [ADMIN_GROUP],
        iat: now, exp: now + 3600, ...over,
      })
        .setProtectedHeader({ alg, kid: entry.kid, typ: 'JWT' })
        .sign(priv)
    const good = await mint()
    oidc[alg] = {
      valid: good,
      tampered: tamper(good),
      wrong_aud: await mint({ aud: 'someone-else' }),
      expired: await mint({ iat: now - 7200, exp: now - 3600 }),
    }
    jwks[alg] = entry.public_jwk
  }
  const signer = new ifx.ImpersonationSigner({ secret: IMP_SECRET })
  const otherAud = new ifx.ImpersonationSigner({ secret: IMP_SECRET, audience: 'someone-else' })
  const imp = async (s, extra) =>
    (await s.mint({
      orgId: 'org-acme', teamNodeId: 'team-payments', subject: IMP_SUBJECT, email: 'admin@acme.example', ...extra,
    })).token
  const good = await imp(signer, { ttlSeconds: 3600 })
  const hs256 = {
    valid: good,
    tampered: tamper(good),
    wrong_aud: await imp(otherAud, { ttlSeconds: 3600 }),
    expired: await imp(signer, { ttlSeconds: 60, now: now - 7200 }),
  }
  return { oidc, jwks, hs256 }
}

// ------------------------------------------------------------------------------ verifiers
// Each factory builds keys and configuration once and returns a verifier that verifies fully
// on every call and throws on any rejection.

function oursOidcValidator(jwk, alg, cacheOff) {
  const env = {
    OIDC_ENABLED: '1', OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE,
    OIDC_JWKS_JSON: JSON.stringify({ keys: [jwk] }), OIDC_ALG: alg,
    OIDC_LEEWAY_SECONDS: String(LEEWAY),
  }
  if (cacheOff) env.OIDC_VERIFIED_CACHE_TTL_SECONDS = '0'
  return ifx.OidcValidator.fromEnv(env)
}

const OIDC_FACTORIES = {
  [OURS]: async (jwk, alg) => {
    const v = oursOidcValidator(jwk, alg, true)
    return { api: '`validator.verifySync(token)`', mode: 'sync', fn: (t) => v.verifySync(t).subject }
  },
  jose: async (jwk, alg) => {
    const key = await jose.importJWK(jwk, alg) // a CryptoKey
    const opts = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], clockTolerance: LEEWAY, requiredClaims: ['exp', 'sub'] }
    return {
      api: '`await jwtVerify(token, cryptoKey, opts)`',
      mode: 'async',
      fn: async (t) => (await jose.jwtVerify(t, key, opts)).payload.sub,
    }
  },
  'fast-jwt': async (jwk) => {
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
    const verify = createVerifier({
      key: pem, algorithms: [jwk.alg], allowedIss: ISSUER, allowedAud: AUDIENCE,
      requiredClaims: ['exp', 'sub', 'iss', 'aud'], clockTolerance: LEEWAY * 1000, cache: false,
    })
    return { api: '`createVerifier({...})(token)` (sync, `cache: false`)', mode: 'sync', fn: (t) => verify(t).sub }
  },
  jsonwebtoken: async (jwk, alg) => {
    if (alg === 'EdDSA') return null // jsonwebtoken 9 (jws/jwa) has no EdDSA
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    const opts = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE, clockTolerance: LEEWAY }
    return {
      api: '`jwt.verify(token, keyObject, opts)` (sync) + `exp`/`sub` presence',
      mode: 'sync',
      fn: (t) => {
        const claims = jsonwebtoken.verify(t, key, opts)
        requireClaims(claims, ['exp', 'sub'])
        return claims.sub
      },
    }
  },
  '@node-rs/jsonwebtoken': async (jwk, alg) => {
    // Its API takes the key as PEM text (or bytes) on every call and parses it each time.
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
    const validation = {
      algorithms: [alg], iss: [ISSUER], aud: [AUDIENCE], leeway: LEEWAY,
      requiredSpecClaims: ['exp', 'iss', 'aud', 'sub'], validateExp: true,
    }
    return { api: '`verifySync(token, pem, validation)`', mode: 'sync', fn: (t) => noders.verifySync(t, pem, validation).sub }
  },
}

function oursImpersonationVerifier(cacheOff) {
  const env = { IMPERSONATION_JWT_SECRET: IMP_SECRET }
  if (cacheOff) env.IMPERSONATION_VERIFIED_CACHE_TTL_SECONDS = '0'
  return ifx.ImpersonationVerifier.fromEnv(env)
}

const HS_FACTORIES = {
  [OURS]: async () => {
    const v = oursImpersonationVerifier(true)
    return {
      api: '`verifier.verifySync(token)`',
      mode: 'sync',
      fn: (t) => v.verifySync(t).subject,
    }
  },
  jose: async () => {
    const key = await webcrypto.subtle.importKey(
      'raw', Buffer.from(IMP_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'],
    )
    const opts = { issuer: IMP_ISSUER, audience: IMP_AUDIENCE, algorithms: ['HS256'], requiredClaims: IMP_REQUIRED }
    return {
      api: '`await jwtVerify(token, cryptoKey, opts)` + the agent runtime\'s checks',
      mode: 'async',
      fn: async (t) => runtimeChecks((await jose.jwtVerify(t, key, opts)).payload),
    }
  },
  'fast-jwt': async () => {
    const verify = createVerifier({
      key: IMP_SECRET, algorithms: ['HS256'], allowedIss: IMP_ISSUER, allowedAud: IMP_AUDIENCE,
      requiredClaims: [...IMP_REQUIRED, 'iss', 'aud'], cache: false,
    })
    return { api: '`createVerifier({...})(token)` + the agent runtime\'s checks', mode: 'sync', fn: (t) => runtimeChecks(verify(t)) }
  },
  jsonwebtoken: async () => {
    const key = createSecretKey(Buffer.from(IMP_SECRET))
    const opts = { algorithms: ['HS256'], issuer: IMP_ISSUER, audience: IMP_AUDIENCE }
    return {
      api: '`jwt.verify(token, secretKeyObject, opts)` + required claims + the agent runtime\'s checks',
      mode: 'sync',
      fn: (t) => {
        const claims = jsonwebtoken.verify(t, key, opts)
        requireClaims(claims, IMP_REQUIRED)
        return runtimeChecks(claims)
      },
    }
  },
  '@node-rs/jsonwebtoken': async () => {
    const validation = {
      algorithms: ['HS256'], iss: [IMP_ISSUER], aud: [IMP_AUDIENCE], leeway: 0,
      requiredSpecClaims: ['exp', 'iss', 'aud', 'sub'], validateExp: true,
    }
    return {
      api: '`verifySync(token, secret, validation)` + required claims + the agent runtime\'s checks',
      mode: 'sync',
      fn: (t) => {
        const claims = noders.verifySync(t, IMP_SECRET, validation)
        requireClaims(claims, IMP_REQUIRED)
        return runtimeChecks(claims)
      },
    }
  },
}

async function selfCheck(v, tokens, subject) {
  const problems = []
  try {
    const got = await v.fn(tokens.valid)
    if (got !== subject) problems.push(`valid token gave subject ${JSON.stringify(got)}`)
  } catch (e) {
    problems.push(`valid token refused: ${e?.code ?? e?.name}: ${e?.message}`)
  }
  for (const bad of ['tampered', 'wrong_aud', 'expired']) {
    try {
      await v.fn(tokens[bad])
    } catch {
      continue // a rejection is what we want
    }
    problems.push(`${bad} token accepted`)
  }
  return problems
}

// ------------------------------------------------------------------------------ sections

async function sectionVerify(t, opts, notes, summary) {
  const cases = []
  for (const [alg] of OIDC_ALGS) {
    cases.push({ label: `OIDC ${alg}`, alg, facs: OIDC_FACTORIES, args: [t.jwks[alg], alg], tokens: t.oidc[alg], subject: 'alice' })
  }
  cases.push({ label: 'Impersonation HS256', alg: 'HS256', facs: HS_FACTORIES, args: [], tokens: t.hs256, subject: IMP_SUBJECT })

  const header = ['token', ...LIBS, 'ours ÷ fastest peer', 'target']
  const rows = [`| ${header.join(' | ')} |`, `|${'---|'.repeat(header.length)}`]
  const apis = new Map()
  const results = {}
  for (const c of cases) {
    log(`verify: ${c.label}`)
    const verifiers = []
    const missing = new Map()
    for (const lib of LIBS) {
      const v = await c.facs[lib](...c.args)
      if (v === null) {
        missing.set(lib, `n/a (no ${c.alg})`)
        continue
      }
      v.lib = lib
      const problems = await selfCheck(v, c.tokens, c.subject)
      if (problems.length) {
        notes.push(`${lib}, ${c.label}: left out, ${problems.join('; ')}`)
        missing.set(lib, 'failed self-check')
        continue
      }
      if (!apis.has(lib)) apis.set(lib, new Map())
      apis.get(lib).set(v.api, [...(apis.get(lib).get(v.api) ?? []), c.alg])
      verifiers.push(v)
    }
    const measured = await measure(verifiers.map((v) => verifierJob(v, c.tokens.valid)), opts.seconds, opts.rounds)
    const times = measured.median
    results[c.alg] = times
    const cells = LIBS.map((lib) => (times.has(lib) ? fmtRate(times.get(lib)) : missing.get(lib) ?? '—'))
    const peerTimes = PEERS.filter((p) => times.has(p)).map((p) => [p, times.get(p)])
    let ratioCell = '—'
    let targetCell = `≥ ${TARGETS[c.alg]}×`
    if (times.has(OURS) && peerTimes.length) {
      const [fastest] = peerTimes.reduce((a, b) => (b[1] < a[1] ? b : a))
      const ratio = measured.ratio(fastest, OURS)
      const ok = ratio >= TARGETS[c.alg]
      ratioCell = `**${ratio.toFixed(2)}×** (vs ${fastest})`
      targetCell += `: ${mark(ok)}`
      summary.push({ what: `${c.label}: ours ÷ fastest peer (${fastest})`, value: `${ratio.toFixed(2)}×`, target: `≥ ${TARGETS[c.alg]}×`, ok })
    }
    rows.push(`| ${[c.label, ...cells, ratioCell, targetCell].join(' | ')} |`)
  }
  const apiLines = []
  for (const [lib, byApi] of apis) {
    for (const [api, algs] of byApi) apiLines.push(`- ${lib} (${algs.join(', ')}): ${api}`)
  }
  return { rows, apiLines, results }
}

async function sectionInflight(t, opts, summary) {
  log('in flight: RS256 and HS256, 1 / 2 / 4 calls at a time')
  const jwk = t.jwks.RS256
  const token = t.oidc.RS256.valid
  const ours = oursOidcValidator(jwk, 'RS256', true)
  const joseKey = await jose.importJWK(jwk, 'RS256')
  const joseOpts = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], clockTolerance: LEEWAY, requiredClaims: ['exp', 'sub'] }
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
  const validation = { algorithms: ['RS256'], iss: [ISSUER], aud: [AUDIENCE], leeway: LEEWAY, requiredSpecClaims: ['exp', 'iss', 'aud', 'sub'] }
  const imp = oursImpersonationVerifier(true)
  const subjects = [
    { label: `${OURS} \`await validator.verify(token)\`, RS256`, token, subject: 'alice', bad: t.oidc.RS256,
      fn: async (x) => (await ours.verify(x)).subject, target: true },
    { label: 'jose `await jwtVerify(...)`, RS256 (context)', token, subject: 'alice', bad: t.oidc.RS256,
      fn: async (x) => (await jose.jwtVerify(x, joseKey, joseOpts)).payload.sub },
    { label: '@node-rs/jsonwebtoken `await verify(...)`, RS256 (context)', token, subject: 'alice', bad: t.oidc.RS256,
      fn: async (x) => (await noders.verify(x, pem, validation)).sub },
    { label: `${OURS} \`await verifier.verify(token)\`, HS256 (context)`, token: t.hs256.valid, subject: IMP_SUBJECT, bad: t.hs256,
      fn: async (x) => (await imp.verify(x)).subject },
  ]
  const rows = [
    '| `await` verification | 1 in flight | 2 in flight (total) | 2 ÷ 1 | 4 in flight (total) | 4 ÷ 1 | target |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const s of subjects) {
    const problems = await selfCheck(s, s.bad, s.subject)
    if (problems.length) throw new Error(`${s.label}: ${problems.join('; ')}`)
    const jobs = [1, 2, 4].map((k) => {
      const loops = ownLoops()
      return { key: k, run: (n) => loops.inflight(s.fn, s.token, n, k) }
    })
    const measured = await measure(jobs, opts.seconds, opts.rounds)
    const times = measured.median
    const r2 = measured.ratio(1, 2)
    const r4 = measured.ratio(1, 4)
    let target = '—'
    if (s.target) {
      const ok = r2 >= INFLIGHT_TARGET
      target = `≥ ${INFLIGHT_TARGET}×: ${mark(ok)}`
      summary.push({ what: 'RS256 `verify()`: 2 in flight ÷ 1', value: `${r2.toFixed(2)}×`, target: `≥ ${INFLIGHT_TARGET}×`, ok })
    }
    rows.push(`| ${s.label} | ${fmtOps(times.get(1))} | ${fmtOps(times.get(2))} | **${r2.toFixed(2)}×** | ${fmtOps(times.get(4))} | ${r4.toFixed(2)}× | ${target} |`)
  }
  return rows
}

async function sectionCache(t, opts, verifyResults) {
  log('context: ours with the verified-token cache on')
  const rows = [
    '| ours, same token repeated | cache off (timed above) | cache on (default) |',
    '|---|---|---|',
  ]
  for (const [alg] of OIDC_ALGS) {
    const v = oursOidcValidator(t.jwks[alg], alg, false)
    const on = (await measure([verifierJob({ lib: 'on', mode: 'sync', fn: (x) => v.verifySync(x).subject }, t.oidc[alg].valid)], opts.seconds, opts.rounds)).median
    const off = verifyResults[alg]?.get(OURS)
    rows.push(`| OIDC ${alg} \`verifySync\` | ${off ? fmtRate(off) : '—'} | ${fmtRate(on.get('on'))} |`)
  }
  const imp = oursImpersonationVerifier(false)
  const on = (await measure([verifierJob({ lib: 'on', mode: 'sync', fn: (x) => imp.verifySync(x).subject }, t.hs256.valid)], opts.seconds, opts.rounds)).median
  const off = verifyResults.HS256?.get(OURS)
  rows.push(`| Impersonation HS256 \`verifySync\` | ${off ? fmtRate(off) : '—'} | ${fmtRate(on.get('on'))} |`)
  return rows
}

// ------------------------------------------------------------------------------ main

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const started = new Date()
  const load0 = os.loadavg().map((x) => x.toFixed(2)).join(', ')
  const addonPath = path.join(path.dirname(require.resolve('@incidentfox/auth/package.json')), 'incidentfox-auth.linux-x64-gnu.node')
  let addon = 'addon not found next to the package'
  try {
    addon = `addon ${path.basename(addonPath)} built ${statSync(addonPath).mtime.toISOString().replace(/\.\d+Z$/, 'Z')}`
  } catch {
    // another platform's addon name; not worth guessing
  }
  const t = await mintTokens()
  const notes = []
  const summary = []

  const verify = await sectionVerify(t, opts, notes, summary)
  const inflight = await sectionInflight(t, opts, summary)
  const cache = await sectionCache(t, opts, verify.results)
  const load1 = os.loadavg().map((x) => x.toFixed(2)).join(', ')

  const out = []
  out.push('# @incidentfox/auth (Node) against jose, fast-jwt, jsonwebtoken, @node-rs/jsonwebtoken')
  out.push('')
  out.push(`- date: ${started.toISOString().replace(/\.\d+Z$/, 'Z')}`)
  out.push(`- machine: ${cpuModel()}, ${os.availableParallelism?.() ?? os.cpus().length} cores (lscpu), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; load average at start ${load0}, at end ${load1}`)
  out.push(`- Node ${process.version} (V8 ${process.versions.v8}, OpenSSL ${process.versions.openssl})`)
  out.push(`- packages: ${OURS} ${pkgVersion('@incidentfox/auth')} (${addon}), jose ${pkgVersion('jose')}, fast-jwt ${pkgVersion('fast-jwt')}, jsonwebtoken ${pkgVersion('jsonwebtoken')}, @node-rs/jsonwebtoken ${pkgVersion('@node-rs/jsonwebtoken')}`)
  out.push(`- timing: loops of about ${opts.seconds} s, the libraries taking turns for ${opts.rounds} rounds; a cell is the median over the rounds, a ratio the median of the per-round ratios; each loop's time includes ${globalThis.gc ? 'a full GC and' : '(no --expose-gc: no forced GC)'} the Node-API finalizers of its garbage`)
  out.push('')
  out.push('## Full verification, one call at a time (signature, `iss`, `aud`, `exp`, `sub`; impersonation: the agent runtime\'s rules)')
  out.push('')
  out.push(...verify.rows)
  out.push('')
  out.push('Calls timed (keys built once; no verified-token cache anywhere):')
  out.push('')
  out.push(...verify.apiLines)
  out.push('')
  out.push('## Calls in flight on the main thread (`await` in a loop, total throughput)')
  out.push('')
  out.push(...inflight)
  out.push('')
  out.push('## For context: our verified-token cache')
  out.push('')
  out.push(...cache)
  out.push('')
  out.push('## Targets')
  out.push('')
  for (const s of summary) out.push(`- ${s.what}: ${s.value}, target ${s.target}: ${mark(s.ok)}`)
  if (notes.length) {
    out.push('')
    out.push('## Notes')
    out.push('')
    for (const n of notes) out.push(`- ${n}`)
  }
  console.log(out.join('\n'))
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
