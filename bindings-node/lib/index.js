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
//   ./verified.js, built here from the addon's fields (JSON text).
// - `OidcLogin` (the web UI's sign-in) is the addon's; its route handlers are in `./next` and
//   `./express`.
// - Events go to `node:diagnostics_channel` and an optional logger (./observe.js,
//   `configureObservability`); `stats()`, `health()`, `metricFamilies()` and `openmetrics()`
//   are the addon's, on the validator, the verifier and the authenticator.
// - Every argument crosses into the addon as its own properties only: napi reads an object's
//   members (and an environment's names) through the prototype chain, so a polluted
//   `Object.prototype` would otherwise choose `INTERNAL_SERVICE_SECRET`, `now` or a row's `kind`.
//   A value napi cannot convert is `ERR_INVALID_CONFIG` naming the option, never echoing it.

const native = require('../index.js')
const verified = require('./verified.js')
const observe = require('./observe.js')

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

/** An `invalid_config` error, as the core would build it. */
function configError(message) {
  const error = new Error(message)
  error.code = 'ERR_INVALID_CONFIG'
  error.status = ERROR_CODES.invalid_config
  return error
}

// `key` of `object` when the object or its class defines it; never what `Object.prototype`
// (polluted or not) supplies.
function member(object, key) {
  for (let o = object; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return object[key]
  }
  return undefined
}

function isPlain(value) {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// An argument as the addon may read it: plain objects (nested ones too) copied, own enumerable
// members only, into objects without a prototype; arrays with holes filled with `undefined`.
// Class instances (stores, principals, Dates) and objects with methods (a caller's JTI store or
// lookup, which `withStores` turns into objects of their own) pass as they are, so their state
// stays theirs.
function own(value) {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    let copy
    for (let i = 0; i < value.length; i++) {
      const present = Object.prototype.hasOwnProperty.call(value, i)
      const item = present ? value[i] : undefined
      const converted = own(item)
      if (copy === undefined && (!present || converted !== item)) copy = value.slice(0, i)
      if (copy !== undefined) copy.push(converted)
    }
    return copy ?? value
  }
  if (!isPlain(value)) return value
  const keys = Object.keys(value)
  if (keys.some((key) => typeof value[key] === 'function')) return value
  const copy = Object.create(null)
  for (const key of keys) copy[key] = own(value[key])
  return copy
}

// An environment object (`process.env` included) as its own names, each a string (or unset).
// A value of another type is named, never shown: `ADMIN_TOKEN: 12345` must not be printed.
function envVars(vars) {
  if (vars == null) return vars
  if (typeof vars !== 'object') throw configError('the environment must be an object of strings')
  const copy = Object.create(null)
  for (const name of Object.keys(vars)) {
    const value = vars[name]
    if (value != null && typeof value !== 'string') {
      throw configError(`the environment variable \`${name}\` must be a string, not a ${typeof value}`)
    }
    copy[name] = value
  }
  return copy
}

// napi's own conversion errors quote the value they could not convert ("Failed to convert
// JavaScript value `Number 12345 ` into rust type `String` on Options.secret"), which may be a
// secret: the option is named, the value dropped.
function conversionError(error) {
  if (!(error instanceof Error) || typeof error.message !== 'string') return error
  const match = /^Failed to convert .* into rust type `([^`]*)`(?: on (\S+))?/s.exec(error.message)
  if (match === null || typeof error.code !== 'string' || error.code.startsWith('ERR_')) return error
  const what = match[2] === undefined ? 'an argument' : `\`${match[2]}\``
  return configError(`${what} has the wrong type (expected ${match[1]})`)
}

function converting(run) {
  let out
  try {
    out = run()
  } catch (error) {
    throw conversionError(error)
  }
  return out instanceof Promise ? out.catch((error) => Promise.reject(conversionError(error))) : out
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

function hasMethods(object, names) {
  return object !== null && typeof object === 'object' && names.every((n) => typeof member(object, n) === 'function')
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
    consume: typeof member(store, 'consume') === 'function' ? settled((jti) => store.consume(jti)) : null,
  }
}

// The members of a team-token row the core reads, both spellings of each (a `pg` row keeps the
// column names; a row mapped by hand may be camelCase). Which spelling counts, and a row whose
// two spellings disagree, is the core's (StoredTeamToken::from_row).
const ROW_MEMBERS = native.teamTokenRowMembers()

// A Date (a `timestamptz` column read by `pg`) as the RFC 3339 text the core reads. An Invalid
// Date throws here, so the lookup fails (`ERR_LOOKUP_UNAVAILABLE`) instead of reading as "never".
function rowValue(value) {
  return value instanceof Date ? value.toISOString() : value
}

// A team-token row as the addon reads it: the members the core reads that the row or its class
// defines (never what `Object.prototype` supplies), undefined ones left out.
function teamTokenRow(found) {
  if (found == null) return null
  const row = Object.create(null)
  for (const name of ROW_MEMBERS) {
    const value = member(found, name)
    if (value !== undefined) row[name] = rowValue(value)
  }
  return row
}

function teamTokenLookup(lookup) {
  if (lookup == null) return undefined
  if (!hasMethods(lookup, ['lookup'])) return lookup
  return { lookup: settled(async (tokenId) => teamTokenRow(await lookup.lookup(tokenId))) }
}

// `options` has been through `own`, so what it holds is its own.
function withStores(options) {
  if (options == null || typeof options !== 'object' || !isPlain(options)) return options
  const converted = Object.assign(Object.create(null), options, { jtiStore: jtiStore(options.jtiStore) })
  if (Object.prototype.hasOwnProperty.call(options, 'teamTokenLookup')) {
    converted.teamTokenLookup = teamTokenLookup(options.teamTokenLookup)
  }
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

// Every class of the addon, wrapped so that its constructor, static methods and methods take
// their arguments through `own` (and `fromEnv` its environment through `envVars`), and napi's
// conversion errors through `conversionError`. napi-rs defines static methods read-only, so the
// class is wrapped rather than patched: the wrapper shares the native prototype, so `instanceof`
// and every method are the native ones. `stores` names the classes whose options (first
// argument; `fromEnv`'s second) may hold a JTI store or a team-token lookup.
function wrapClass(Native, stores) {
  const options = stores ? (value) => withStores(own(value)) : own
  function Wrapped(first, ...rest) {
    if (!new.target) throw new TypeError(`Class constructor ${Native.name} cannot be invoked without 'new'`)
    return converting(() => Reflect.construct(Native, [options(first), ...rest.map(own)]))
  }
  Object.defineProperty(Wrapped, 'name', { value: Native.name })
  Wrapped.prototype = Native.prototype
  for (const name of Object.getOwnPropertyNames(Native)) {
    const method = Object.getOwnPropertyDescriptor(Native, name).value
    if (typeof method !== 'function' || name === 'prototype') continue
    Wrapped[name] =
      name === 'fromEnv'
        ? function fromEnv(env, ...rest) {
            const vars = envVars(env)
            const more = rest.map((value, i) => (i === 0 ? options(value) : own(value)))
            return converting(() => method.call(Native, vars, ...more))
          }
        : function (...args) {
            return converting(() => method.apply(Native, args.map(own)))
          }
    Object.defineProperty(Wrapped[name], 'name', { value: name })
  }
  for (const name of Object.getOwnPropertyNames(Native.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(Native.prototype, name)
    if (name === 'constructor' || typeof descriptor.value !== 'function') continue
    const method = descriptor.value
    Native.prototype[name] = function (...args) {
      return converting(() => method.apply(this, args.map(own)))
    }
    Object.defineProperty(Native.prototype[name], 'name', { value: name })
  }
  return Wrapped
}

// The addon's verify methods as napi-rs defined them, taken before `wrapClass` wraps them:
// `answerWith` below calls them directly (see there).
const ADDON_VERIFY = new Map(
  [native.OidcValidator.prototype, native.ImpersonationVerifier.prototype].map((proto) => [
    proto,
    { verify: proto.verify, verifySync: proto.verifySync, verifyHit: proto.verifyHit },
  ]),
)

const Authenticator = wrapClass(native.Authenticator, true)
const Decision = wrapClass(native.Decision)
const ImpersonationSigner = wrapClass(native.ImpersonationSigner, true)
const ImpersonationVerifier = wrapClass(native.ImpersonationVerifier, true)
const MemoryJtiStore = wrapClass(native.MemoryJtiStore)
const MintedToken = wrapClass(native.MintedToken)
const OidcLogin = wrapClass(native.OidcLogin)
const OidcValidator = wrapClass(native.OidcValidator)
const PermissionSet = wrapClass(native.PermissionSet)
const PostgresJtiStore = wrapClass(native.PostgresJtiStore)
const Principal = wrapClass(native.Principal)
const RbacPolicy = wrapClass(native.RbacPolicy)
const RouteTable = wrapClass(native.RouteTable)

// The addon's functions, their arguments through `own` too.
function wrapFunction(fn) {
  const wrapped = function (...args) {
    return converting(() => fn(...args.map(own)))
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  return wrapped
}

// `authenticate` and `verify` run on the addon's worker threads; a repeat token that the
// verified-token cache answers without a fetch or a store is answered here instead, which saves
// the two thread hops (tens of µs). Whether a call may be answered so (never with an explicit
// `now`) is the core's: the addon's `*Hit` answers null otherwise.
const authenticate = native.Authenticator.prototype.authenticate
native.Authenticator.prototype.authenticate = function (headers, given) {
  const pairs = headerPairs(headers)
  const options = own(given)
  try {
    const hit = this.authenticateHit(pairs, options)
    if (hit !== null) return Promise.resolve(hit)
  } catch (error) {
    return Promise.reject(error)
  }
  return authenticate.call(this, pairs, options)
}

// The addon's verify calls answer with their fields as JSON text; the public results are ./verified.js's
// classes, which also need the token (their claims are parsed from it when first read). A repeat
// token that `verifyHit` answers (cached, no fetch, no store to ask) settles `verify` on the main
// thread, like `authenticate` above.
//
// These are the calls a service makes per request, so they call the addon's methods themselves
// rather than `wrapClass`'s wrappers (a closure, a rest array and a mapped copy of it per call),
// doing by hand what the wrappers do: each argument through `own` (a string passes as it is; an
// options object is copied as for every other method) and a thrown error through
// `conversionError`. Only `verify`'s slow path, which leaves the main thread anyway, goes
// through the wrapper.
function answerWith(proto, result) {
  const addon = ADDON_VERIFY.get(proto)
  const wrappedVerify = proto.verify
  proto.verifySync = function verifySync(t, options) {
    let fields
    try {
      fields = addon.verifySync.call(this, own(t), own(options))
    } catch (error) {
      throw conversionError(error)
    }
    return result(fields, t)
  }
  proto.verifyHit = function verifyHit(t, options) {
    let fields
    try {
      fields = addon.verifyHit.call(this, own(t), own(options))
    } catch (error) {
      throw conversionError(error)
    }
    return fields === null ? null : result(fields, t)
  }
  proto.verify = function verify(t, given) {
    const options = own(given)
    // A token that is not a string is the addon's to refuse, as a rejection.
    if (typeof t === 'string') {
      let fields
      try {
        fields = addon.verifyHit.call(this, t, options)
      } catch (error) {
        return Promise.reject(conversionError(error))
      }
      if (fields !== null) return Promise.resolve(result(fields, t))
    }
    return wrappedVerify.call(this, t, options).then((fields) => result(fields, t))
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
  errorHttpResponse: native.errorHttpResponse,
  isAuthError,
  Authenticator,
  Decision,
  ImpersonationSigner,
  ImpersonationVerifier,
  MemoryJtiStore,
  MintedToken,
  OidcLogin,
  OidcValidator,
  PermissionSet,
  PostgresJtiStore,
  Principal,
  RbacPolicy,
  RouteTable,
  VerifiedImpersonation: verified.VerifiedImpersonation,
  VerifiedToken: verified.VerifiedToken,
  adminTokenGrants: wrapFunction(native.adminTokenGrants),
  configureObservability: observe.configureObservability,
  eventsDropped: observe.eventsDropped,
  explain: wrapFunction(native.explain),
  generateTeamToken: wrapFunction(native.generateTeamToken),
  hashTeamToken: wrapFunction(native.hashTeamToken),
  hashTokenSecret: wrapFunction(native.hashTokenSecret),
  verifyTeamToken: wrapFunction(native.verifyTeamToken),
}
