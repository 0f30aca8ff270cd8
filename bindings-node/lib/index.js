'use strict'
// @incidentfox/auth: the generated loader of the native addon (../index.js) plus the
// conversions JS callers need. This layer converts; every decision is the Rust core's.
//
// - ERROR_CODES: every core code with its HTTP status, read from the addon (the core's list).
// - JTI stores and team-token lookups: any object whose methods return a value or a Promise (or
//   throw) becomes functions that always return a Promise of `{ value }` or `{ error }`, which
//   the addon awaits from its runtime (see bindings-node/src/js_calls.rs).
// - `authenticate(headers, { method })` also takes a headers object, a `Headers` or a `Map`.
// - Verifications return the `VerifiedToken` / `VerifiedImpersonation` classes of
//   ./verified.js, built here from the addon's plain fields.
// - `OidcLogin` (the web UI's sign-in) is the addon's; its route handlers are in `./next` and
//   `./express`.

const native = require('../index.js')
const verified = require('./verified.js')

/** Every error code (snake_case) with its HTTP status, in the core's order. */
const ERROR_CODES = Object.freeze(
  Object.fromEntries(native.errorCodes().map(({ code, status }) => [code, status])),
)

/** The snake_case code of an error thrown by this package, or undefined. */
function errorCode(error) {
  if (error === null || typeof error !== 'object' || typeof error.code !== 'string') return undefined
  if (!error.code.startsWith('ERR_')) return undefined
  const name = error.code.slice(4).toLowerCase()
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, name) ? name : undefined
}

/** Whether `error` was thrown by this package (it has `code` `ERR_*` and `status`). */
function isAuthError(error) {
  return error instanceof Error && errorCode(error) !== undefined
}

// `call(arg)` as a function that never throws and always returns a Promise of the outcome. An
// error of ours keeps its code (a lookup may answer `ERR_TOKEN_REVOKED` itself); the addon maps
// any other failure to the store's or lookup's unavailable code.
function settled(call) {
  return async (arg) => {
    try {
      const value = await call(arg)
      return { value: value === undefined ? null : value }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { error: { code: errorCode(error) ?? null, message } }
    }
  }
}

// `object[name]` when the object or one of its classes defines it as a function. What
// `Object.prototype` carries does not count: a polluted prototype must not lend a store a method.
function definedMethod(object, name) {
  for (let o = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name)
    if (d) return typeof d.value === 'function' ? d.value : undefined
  }
  return undefined
}

function hasMethods(object, names) {
  return object !== null && typeof object === 'object' && names.every((n) => definedMethod(object, n) !== undefined)
}

// A `jtiStore` option: ours as is; another object's methods settled. An object without the
// methods goes through unchanged, so the addon names what is missing.
function jtiStore(store) {
  if (store == null || store instanceof native.MemoryJtiStore || store instanceof native.PostgresJtiStore) {
    return store ?? undefined
  }
  if (!hasMethods(store, ['record', 'contains', 'revoke'])) return store
  return {
    record: settled((entry) => store.record(entry)),
    // The answers pass through untouched: only a real boolean counts, and the addon says so.
    contains: settled((jti) => store.contains(jti)),
    revoke: settled((jti) => store.revoke(jti)),
    // Single use needs it; without it the addon refuses a single-use verifier.
    consume: definedMethod(store, 'consume') ? settled((jti) => store.consume(jti)) : null,
  }
}

// A Date (a `timestamptz` column read by `pg`) as the RFC 3339 text the core reads. An Invalid
// Date throws here, so the lookup fails (`ERR_LOOKUP_UNAVAILABLE`) instead of reading as "never".
function rowTime(value) {
  if (value instanceof Date) return value.toISOString()
  return value ?? null
}

function sameValue(a, b) {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  return Object.is(a, b)
}

// A team-token row with camelCase or snake_case members (a `pg` row keeps the column names).
function teamTokenRow(found) {
  if (found == null) return null
  // Both spellings present and disagreeing (`revokedAt: null` beside a `revoked_at` Date) must
  // not let one shadow the other: the lookup fails instead.
  const pick = (camel, snake) => {
    const [a, b] = [found[camel], found[snake]]
    if (a !== undefined && b !== undefined && !sameValue(a, b)) {
      throw new Error(`the row's \`${camel}\` and \`${snake}\` disagree`)
    }
    return a !== undefined ? a : b
  }
  return {
    org_id: pick('orgId', 'org_id') ?? null,
    team_node_id: pick('teamNodeId', 'team_node_id') ?? null,
    token_id: pick('tokenId', 'token_id') ?? null,
    token_hash: pick('tokenHash', 'token_hash') ?? null,
    revoked_at: rowTime(pick('revokedAt', 'revoked_at')),
    expires_at: rowTime(pick('expiresAt', 'expires_at')),
    kind: found.kind ?? null,
  }
}

function teamTokenLookup(lookup) {
  if (lookup == null) return undefined
  if (!hasMethods(lookup, ['lookup'])) return lookup
  return { lookup: settled(async (tokenId) => teamTokenRow(await lookup.lookup(tokenId))) }
}

function withStores(options) {
  if (options == null || typeof options !== 'object') return options
  const converted = { ...options, jtiStore: jtiStore(options.jtiStore) }
  if ('teamTokenLookup' in options) converted.teamTokenLookup = teamTokenLookup(options.teamTokenLookup)
  return converted
}

/** `[name, value]` pairs from a headers object (Node's `req.headers`), a `Headers`, a `Map` or
 * pairs; repeated values keep their order. */
function headerPairs(headers) {
  if (headers == null) return []
  const pairs = []
  const add = (name, value) => {
    if (value == null) return
    if (Array.isArray(value)) value.forEach((v) => pairs.push([String(name), String(v)]))
    else pairs.push([String(name), String(value)])
  }
  if (typeof headers[Symbol.iterator] === 'function') {
    for (const [name, value] of headers) add(name, value)
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value)
  }
  return pairs
}

// A class whose constructor and `fromEnv` options go through `withStores`. napi-rs defines
// static methods read-only, so the class is wrapped rather than patched: the wrapper shares the
// native prototype, so `instanceof` and every method are the native ones.
function takingStores(Native) {
  function Wrapped(options, ...rest) {
    if (!new.target) throw new TypeError(`Class constructor ${Native.name} cannot be invoked without 'new'`)
    return Reflect.construct(Native, [withStores(options), ...rest])
  }
  Object.defineProperty(Wrapped, 'name', { value: Native.name })
  Wrapped.prototype = Native.prototype
  Wrapped.fromEnv = function fromEnv(env, options) {
    return Native.fromEnv(env, withStores(options))
  }
  return Wrapped
}

const ImpersonationSigner = takingStores(native.ImpersonationSigner)
const ImpersonationVerifier = takingStores(native.ImpersonationVerifier)
const Authenticator = takingStores(native.Authenticator)

// `authenticate` and `verify` run on the addon's worker threads; a repeat token that the
// verified-token cache answers without a fetch or a store is answered here instead, which saves
// the two thread hops (tens of µs). An explicit `now` always takes the full path.
const authenticate = native.Authenticator.prototype.authenticate
native.Authenticator.prototype.authenticate = function (headers, options) {
  const pairs = headerPairs(headers)
  if (options?.now == null) {
    try {
      const hit = this.authenticateHit(pairs, options?.method ?? undefined)
      if (hit !== null) return Promise.resolve(hit)
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return authenticate.call(this, pairs, options)
}

// The addon's verify calls answer with plain fields; the public results are ./verified.js's
// classes, which also need the token (their claims are parsed from it when first read). A repeat
// token that `verifyHit` answers (cached, no fetch, no store to ask) settles `verify` on the main
// thread, like `authenticate` above.
function answerWith(proto, result) {
  const addon = { verify: proto.verify, verifySync: proto.verifySync, verifyHit: proto.verifyHit }
  proto.verifySync = function verifySync(t, options) {
    return result(addon.verifySync.call(this, t, options), t)
  }
  proto.verifyHit = function verifyHit(t) {
    const fields = addon.verifyHit.call(this, t)
    return fields === null ? null : result(fields, t)
  }
  proto.verify = function verify(t, options) {
    if (options?.now == null && typeof t === 'string') {
      const fields = addon.verifyHit.call(this, t)
      if (fields !== null) return Promise.resolve(result(fields, t))
    }
    return addon.verify.call(this, t, options).then((fields) => result(fields, t))
  }
}
answerWith(native.OidcValidator.prototype, (fields, t) => new verified.VerifiedToken(fields, t))
answerWith(
  native.ImpersonationVerifier.prototype,
  (fields, t) => new verified.VerifiedImpersonation(fields, t, native.impersonationPrincipal),
)

module.exports = {
  ERROR_CODES,
  errorCodes: native.errorCodes,
  errorCode,
  isAuthError,
  Authenticator,
  Decision: native.Decision,
  ImpersonationSigner,
  ImpersonationVerifier,
  MemoryJtiStore: native.MemoryJtiStore,
  MintedToken: native.MintedToken,
  OidcLogin: native.OidcLogin,
  OidcValidator: native.OidcValidator,
  PermissionSet: native.PermissionSet,
  PostgresJtiStore: native.PostgresJtiStore,
  Principal: native.Principal,
  RbacPolicy: native.RbacPolicy,
  RouteTable: native.RouteTable,
  VerifiedImpersonation: verified.VerifiedImpersonation,
  VerifiedToken: verified.VerifiedToken,
  explain: native.explain,
  generateTeamToken: native.generateTeamToken,
  hashTeamToken: native.hashTeamToken,
  hashTokenSecret: native.hashTokenSecret,
  verifyTeamToken: native.verifyTeamToken,
}
