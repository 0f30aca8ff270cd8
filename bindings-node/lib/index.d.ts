// The public types of @incidentfox/auth: the addon's classes (generated ../index.d.ts, which
// is what they are) and what lib/index.js adds.

import type { AuthError, ErrorCodeName } from './types'

export {
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
  errorCodes,
  errorHttpResponse,
  explain,
  generateTeamToken,
  adminTokenGrants,
  hashTeamToken,
  hashTokenSecret,
  verifyTeamToken,
} from '../index'
export type {
  AuthenticateOptions,
  AuthenticatorOptions,
  BeginOptions,
  ErrorCodeInfo,
  ErrorHttpResponse,
  GeneratedTeamToken,
  ImpersonationOptions,
  JtiEntry,
  LoginCookie,
  LoginIdentity,
  LoginResult,
  LoginStart,
  MemoryJtiStoreOptions,
  MintRequest,
  OidcLoginOptions,
  OidcValidatorOptions,
  PostgresJtiStoreOptions,
  RbacPolicyOptions,
  RouteInfo,
  RouteTableOptions,
  SourcedGrant,
  StoreOptions,
  TeamNeed,
  TeamTokenHash,
  VerifyOptions,
  VisitorMintRequest,
  WithGrantsOptions,
} from '../index'
export { VerifiedImpersonation, VerifiedToken } from './verified'
export type {
  AuthError,
  ErrorCodeName,
  Health,
  HeaderSource,
  JtiStore,
  JtiStoreHealth,
  JtiStoreStats,
  JwksHealth,
  JwksStats,
  LatencyStats,
  LoginSource,
  MaybePromise,
  MetricFamily,
  MetricSample,
  ObservabilityLogger,
  ObservabilityOptions,
  Stats,
  TeamTokenLookup,
  TeamTokenRow,
} from './types'

/** Every error code with its HTTP status, in the core's order. */
export declare const ERROR_CODES: Readonly<{
  token_malformed: 401
  forbidden_header: 401
  token_too_large: 401
  token_expired: 401
  token_not_yet_valid: 401
  token_issued_in_future: 401
  invalid_signature: 401
  algorithm_not_allowed: 401
  unknown_key_id: 401
  invalid_issuer: 401
  invalid_audience: 401
  missing_claim: 401
  invalid_claim: 401
  unsupported_critical_header: 401
  token_revoked: 401
  jti_not_found: 401
  not_admin: 403
  permission_denied: 403
  jwks_unavailable: 503
  jti_store_unavailable: 503
  invalid_permission: 500
  invalid_config: 500
  invalid_key: 500
  missing_credentials: 401
  invalid_credentials: 401
  lookup_unavailable: 503
  invalid_state: 401
  invalid_nonce: 401
  code_exchange_failed: 401
  login_denied: 401
  provider_unavailable: 503
}>

/** The snake_case code of an error thrown by this package (`token_expired`), or undefined. */
export declare function errorCode(error: unknown): ErrorCodeName | undefined

/** Whether `error` was thrown by this package: an `Error` with `code` `ERR_*` and `status`. */
export declare function isAuthError(error: unknown): error is AuthError

/** The level names of `configureObservability` (pino's `fatal` and `silent` are read as
 * `error` and `off`). */
export type EventLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/**
 * Where the library's events go besides the `node:diagnostics_channel` channels
 * `incidentfox:auth:<area>`, and from which level (default `info`; `debug` adds each
 * verification's outcome). Without `level`, a logger's own `level` is used when it is one of
 * these. Returns the settings in force.
 */
export declare function configureObservability(
  options?: import('./types').ObservabilityOptions,
): { level: EventLevel; logger: import('./types').ObservabilityLogger | null }

/** Events dropped because the JS thread's queue (1024 events) was full. */
export declare function eventsDropped(): number
