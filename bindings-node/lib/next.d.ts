// Next.js route-handler wrapper of @incidentfox/auth.

import type { Authenticator, Principal } from '../index'

/** What the route requires; with none, any authenticated caller passes. */
export interface WithAuthOptions {
  /** The caller must be an admin. */
  admin?: boolean
  /** The caller must be an admin holding a grant for this permission. */
  permission?: string
  /** The orchestrator's check for this route (`provision_team`, ...). */
  route?: string
  /** The authenticator to use (default: the configured one, else `Authenticator.fromEnv()`). */
  authenticator?: Authenticator
}

/** The handler's second argument: Next's context plus the principal. */
export type AuthContext<C> = C & { principal: Principal }

/** Wraps a route handler: it runs only for a caller that passes, else the error's JSON answer. */
export declare function withAuth<C extends object = { params?: unknown }>(
  handler: (request: Request, context: AuthContext<C>) => Response | Promise<Response>,
  options?: WithAuthOptions,
): (request: Request, context?: C) => Promise<Response>

/** The web UI's session cookie name; its value is read as a bearer token. */
export declare const SESSION_COOKIE: 'incidentfox_session_token'
/** Uses `authenticator` for every wrapper given none (`null` forgets it). */
export declare function configure(authenticator: Authenticator | null | undefined): void
/** The configured authenticator, else one built from the environment on first use. */
export declare function getAuthenticator(): Authenticator
