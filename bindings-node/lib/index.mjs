// The ES module entry: the same objects as the CommonJS entry (one addon, one set of classes).
import lib from './index.js'

export const {
  ERROR_CODES,
  errorCodes,
  errorCode,
  errorHttpResponse,
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
  VerifiedImpersonation,
  VerifiedToken,
  configureObservability,
  eventsDropped,
  explain,
  generateTeamToken,
  hashTeamToken,
  verifyTeamToken,
} = lib

export default lib
