// Shapes the caller supplies: JTI stores, team-token lookups, request headers, and the errors
// this package throws. Referenced by the generated ../index.d.ts.

import type { JtiEntry, OidcLogin } from '../index'

/** A value, or a Promise of it: store and lookup methods may be sync or async. */
export type MaybePromise<T> = T | PromiseLike<T>

/**
 * Any object with these methods can be the JTI store (a database table, Redis, ...). Throwing or
 * rejecting makes minting fail in strict mode and verification fail closed, with
 * `ERR_JTI_STORE_UNAVAILABLE` (503) unless the error is one of this package's.
 */
export interface JtiStore {
  /** Records a minted token's JTI durably. */
  record(entry: JtiEntry): MaybePromise<unknown>
  /**
   * Whether `jti` is recorded, not revoked and not expired. Only a real boolean counts: any other
   * answer (`'false'`, a row, `[]`, `null`) is `ERR_JTI_STORE_UNAVAILABLE`.
   */
  contains(jti: string): MaybePromise<boolean>
  /** Revokes `jti`; true when it was present (a real boolean, as for `contains`). */
  revoke(jti: string): MaybePromise<boolean>
  /**
   * Single use (`singleUse: true`): checks and deletes `jti` in one atomic step, true for
   * exactly one of any number of concurrent calls (e.g. `DELETE ... RETURNING` in SQL).
   * A single-use verifier refuses a store without it; `contains` then `revoke` is not atomic.
   */
  consume?(jti: string): MaybePromise<boolean>
}

/** A stored team or org-admin token (the `team_tokens` row); snake_case members work too. */
export interface TeamTokenRow {
  orgId: string
  teamNodeId?: string | null
  tokenId: string
  /** SHA-256 of the secret and `TOKEN_PEPPER` (see `hashTeamToken`). */
  tokenHash: string
  /** Unix seconds or a Date; a revoked token is refused. */
  revokedAt?: number | Date | null
  /** Unix seconds or a Date; an expired token is refused. */
  expiresAt?: number | Date | null
  /** Default `team`. */
  kind?: 'team' | 'org_admin' | null
}

/**
 * The service's team-token table. Throwing or rejecting is `ERR_LOOKUP_UNAVAILABLE` (503), and so
 * is a call that has not settled by the deadline (`hookDeadlineSeconds`, default 5) or that would
 * exceed `hookMaxInFlight` calls in flight (default 64). The same holds for a JS `JtiStore`, with
 * `ERR_JTI_STORE_UNAVAILABLE`.
 */
export interface TeamTokenLookup {
  /** The row of `tokenId`, or null/undefined when there is none. */
  lookup(tokenId: string): MaybePromise<TeamTokenRow | Record<string, unknown> | null | undefined>
}

/**
 * Where the login route handlers get their `OidcLogin`: the login itself, a Promise of it
 * (`OidcLogin.create(...)`, `OidcLogin.fromEnv()`; a rejection or `null` answers every request
 * with its error), or a function returning either, called on the first request and again after a
 * failure (a provider that was down at discovery is tried again).
 */
export type LoginSource =
  | OidcLogin
  | PromiseLike<OidcLogin | null>
  | (() => OidcLogin | null | PromiseLike<OidcLogin | null>)

/** Request headers: Node's `req.headers`, a fetch `Headers`, a `Map` or `[name, value]` pairs. */
export type HeaderSource =
  | Record<string, string | string[] | undefined>
  | Iterable<readonly [string, string]>

/** Every error code, snake_case. */
export type ErrorCodeName =
  | 'token_malformed'
  | 'forbidden_header'
  | 'token_too_large'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'invalid_signature'
  | 'algorithm_not_allowed'
  | 'unknown_key_id'
  | 'invalid_issuer'
  | 'invalid_audience'
  | 'missing_claim'
  | 'invalid_claim'
  | 'unsupported_critical_header'
  | 'token_revoked'
  | 'jti_not_found'
  | 'not_admin'
  | 'permission_denied'
  | 'jwks_unavailable'
  | 'jti_store_unavailable'
  | 'invalid_permission'
  | 'invalid_config'
  | 'invalid_key'
  | 'missing_credentials'
  | 'invalid_credentials'
  | 'lookup_unavailable'
  | 'invalid_state'
  | 'invalid_nonce'
  | 'code_exchange_failed'
  | 'login_denied'
  | 'provider_unavailable'

/** An error thrown (or a Promise rejected) by this package. */
export interface AuthError extends Error {
  /** `'ERR_' + code.toUpperCase()`, e.g. `ERR_TOKEN_EXPIRED`. */
  code: `ERR_${Uppercase<ErrorCodeName>}`
  /** The HTTP status a service should answer with. */
  status: 401 | 403 | 500 | 503 | number
}

/** One cell of the verification counts. */
export interface VerificationCount {
  /** The credential kind: the kind that passed, or on failure the kind it was presented as
   * (`admin_token`, `org_admin_token`, `team_token`, `oidc`, `impersonation`, `visitor`,
   * `internal_service`, `none`). */
  kind: string
  /** `ok` or the error code. */
  outcome: 'ok' | ErrorCodeName
  count: number
}

/** A latency histogram: cumulative counts per upper bound in seconds. */
export interface LatencyStats {
  buckets: Array<[number, number]>
  count: number
  sum_seconds: number
}

/** The remote key set's figures. */
export interface JwksStats {
  fetches_ok: number
  fetches_failed: number
  unknown_kid_refetches: number
  unknown_kid_refused: number
  stale_served: number
  keys: number
  /** Null before the first fetch. */
  age_seconds: number | null
  stale_seconds: number
  fetch_latency: LatencyStats
}

/** The JTI store's figures. */
export interface JtiStoreStats {
  calls: number
  failures: number
  latency: LatencyStats
}

/** `stats()`: a snapshot of the counters, as the core serialises it (snake_case members, the
 * same in every language; see docs/observability.md). */
export interface Stats {
  verifications: VerificationCount[]
  verified_cache: { hits: number; misses: number }
  jwks: JwksStats | null
  jti_store: JtiStoreStats | null
}

/** The remote key set's health. */
export interface JwksHealth {
  usable: boolean
  stale: boolean
  age_seconds: number | null
  last_fetch_ok: boolean | null
  last_fetch_code: ErrorCodeName | null
  last_fetch_seconds_ago: number | null
}

/** The JTI store's health, from one probe call. */
export interface JtiStoreHealth {
  reachable: boolean
  code: ErrorCodeName | null
}

/** `health()`: what a readiness probe needs (answer 200 when `ready`, else 503). */
export interface Health {
  ready: boolean
  jwks: JwksHealth | null
  jti_store: JtiStoreHealth | null
}

/** One sample of a metric family. */
export interface MetricSample {
  /** The full sample name (`..._total`, `..._bucket`, `..._count`, `..._sum` or the family's). */
  name: string
  labels: Record<string, string>
  value: number
}

/** `metricFamilies()`: the counters as Prometheus metric families (`incidentfox_auth_*`). */
export interface MetricFamily {
  /** The family name (no `_total` suffix). */
  name: string
  type: 'counter' | 'gauge' | 'histogram'
  help: string
  samples: MetricSample[]
}

/** A pino-style logger: each method is called as `logger[level]({ event, ...fields }, event)`. */
export interface ObservabilityLogger {
  error?(object: Record<string, unknown>, message: string): void
  warn?(object: Record<string, unknown>, message: string): void
  info?(object: Record<string, unknown>, message: string): void
  debug?(object: Record<string, unknown>, message: string): void
  trace?(object: Record<string, unknown>, message: string): void
  /** pino's level; read when `configureObservability` is given no `level`. */
  level?: string
}

/** Options of `configureObservability`. */
export interface ObservabilityOptions {
  /** `off`, `error`, `warn`, `info` (default), `debug` or `trace` (pino's `fatal`, `silent`
   * are read as `error`, `off`). */
  level?: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'fatal' | 'silent'
  /** Receives every event forwarded; `null` removes the logger. */
  logger?: ObservabilityLogger | null
}
