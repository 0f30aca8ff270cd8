// Next.js route-handler wrapper of @incidentfox/auth.

import type { Authenticator, LoginResult, Principal } from '../index'
import type { ObservedSource, RefusalLogger, TeamRequirementOptions } from './express'
import type { LoginSource } from './types'

export type { ObservedSource, RefusalLogger, TeamRequirementOptions } from './express'

/**
 * What the route requires; with none, any authenticated caller passes. Any other option throws
 * a TypeError when the route is wrapped.
 */
export interface WithAuthOptions {
  /** The caller must be an admin. */
  admin?: boolean
  /** The caller must be an admin holding a grant for this permission. */
  permission?: string
  /** The orchestrator's check for this route (`provision_team`, ...). */
  route?: string
  /** The authenticator to use (default: the configured one, else `Authenticator.fromEnv()`). */
  authenticator?: Authenticator
  /**
   * A team route: `true` for a member of any team (no anonymous visitor), or what the route
   * needs of the member. Does not combine with `admin`, `permission` or `route`.
   */
  team?: boolean | TeamRequirementOptions
  /**
   * The route parameter (`context.params`) holding the org the request acts on. With `admin`,
   * `permission` or `route`, an org-admin token passes only for its own org, never without one;
   * with `team`, the member must belong to it.
   */
  orgIdParam?: string
  /**
   * Where the detail of a refusal goes (the error body carries only its code and a fixed
   * message): 5xx to `error`, 4xx to `info`. Default: 5xx to `console.error`, 4xx nowhere.
   */
  logger?: RefusalLogger
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

/** Options of `loginHandler`. */
export interface LoginHandlerOptions {
  /** Where to go after login when the request has no `?returnTo=` (default `/`). */
  returnTo?: string
  /** The role the login is for when the request has no `?requireRole=`. */
  requireRole?: string
}

/** Options of `callbackHandler`. */
export interface CallbackHandlerOptions {
  /** Set the session cookie (`incidentfox_session_token`, the ID token; default true). */
  sessionCookie?: boolean
  /**
   * Runs after a successful login, before the answer (keep the identity, check `requireRole`);
   * throwing one of this package's errors refuses the login with that error's answer.
   */
  onLogin?: (result: LoginResult, request: Request) => void | Promise<void>
}

/**
 * `GET /api/auth/login` (`app/api/auth/login/route.js`: `export const GET = loginHandler(login)`):
 * sets the login cookies and redirects 302 to the provider. `?returnTo=/path` (or `return_to`)
 * and `?requireRole=` (or `require_role`) are read from the request.
 */
export declare function loginHandler(
  login: LoginSource,
  options?: LoginHandlerOptions,
): (request: Request) => Promise<Response>

/**
 * `GET /api/auth/callback`: completes the login, clears the login cookies, sets the session
 * cookie and redirects 302 to the sanitised return-to path; a refusal is answered with its
 * status and `{"error": {"code", "status", "message"}}`.
 */
export declare function callbackHandler(
  login: LoginSource,
  options?: CallbackHandlerOptions,
): (request: Request) => Promise<Response>

/** The content type of the OpenMetrics text. */
export declare const OPENMETRICS_CONTENT_TYPE: 'application/openmetrics-text; version=1.0.0; charset=utf-8'

/**
 * `GET /metrics` (`app/metrics/route.ts`: `export const GET = metricsHandler()`): the OpenMetrics
 * text of `source` (default: the configured authenticator).
 */
export declare function metricsHandler(source?: ObservedSource | null): (request?: Request) => Promise<Response>

/**
 * `GET /healthz` (`app/healthz/route.ts`): `source.health()` (default: the configured
 * authenticator) as JSON, 200 when `ready`, else 503.
 */
export declare function healthHandler(source?: ObservedSource | null): (request?: Request) => Promise<Response>
