// Express (or plain `http`) middleware of @incidentfox/auth.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Authenticator, ImpersonationVerifier, LoginResult, OidcValidator, Principal } from '../index'
import type { LoginSource } from './types'

/** Where the helpers log the detail of a refusal (console, pino, winston, ...). */
export interface RefusalLogger {
  /** A 5xx refusal (a store, lookup or key set failed; a misconfiguration). */
  error(message: string): void
  /** A 4xx refusal (a bad or missing credential, a denied check). */
  info?(message: string): void
}

/**
 * Options of every middleware; any other option throws a TypeError when the middleware is
 * built.
 */
export interface MiddlewareOptions {
  /** The authenticator to use (default: the configured one, else `Authenticator.fromEnv()`). */
  authenticator?: Authenticator
  /**
   * `requireAdmin`, `requireRoute` and `requireTeamMember`: the route parameter (`req.params`)
   * holding the org the request acts on. An org-admin token passes only for its own org, and
   * never without one; a team member only for its own org.
   */
  orgIdParam?: string
  /**
   * Where the detail of a refusal goes (the error body carries only its code and a fixed
   * message): 5xx to `error`, 4xx to `info`. Default: 5xx to `console.error`, 4xx nowhere.
   */
  logger?: RefusalLogger
}

/** What a team route needs of its caller (`requireTeamMember`, Next's `withAuth({ team })`). */
export interface TeamRequirementOptions {
  /** The route changes something: read-only impersonation and visitor tokens are refused. */
  write?: boolean
  /** The permission the route needs (e.g. `team:write`). */
  permission?: string
  /** The route parameter holding the team the request acts on; the caller must belong to it. */
  teamIdParam?: string
  /** Admit anonymous visitor tokens (a public playground's routes; default false). */
  allowVisitors?: boolean
}

/** Options of `requireTeamMember`. */
export interface TeamMemberOptions extends MiddlewareOptions, TeamRequirementOptions {}

/** A request that passed: the principal is on `req.principal`. */
export interface AuthenticatedRequest extends IncomingMessage {
  principal: Principal
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated caller, on every request that passed one of this package's
       * middleware (`requirePrincipal`, `requireAdmin`, `requireRoute`, `requireTeam`,
       * `requireTeamMember`). */
      principal: Principal
    }
  }
}

/** Connect-style middleware (Express, or `http` with a `next`). */
export type Middleware = (
  req: IncomingMessage & { principal?: Principal },
  res: ServerResponse & { locals?: Record<string, unknown> },
  next: (error?: unknown) => void,
) => Promise<void>

/** The web UI's session cookie name; its value is read as a bearer token. */
export declare const SESSION_COOKIE: 'incidentfox_session_token'
/** Uses `authenticator` for every middleware given none (`null` forgets it). */
export declare function configure(authenticator: Authenticator | null | undefined): void
/** The configured authenticator, else one built from the environment on first use. */
export declare function getAuthenticator(): Authenticator
/** Any authenticated caller. */
export declare function requirePrincipal(options?: MiddlewareOptions): Middleware
/** An admin that, when `permission` is given, holds a grant for it. */
export declare function requireAdmin(permission?: string | null, options?: MiddlewareOptions): Middleware
/** The orchestrator's check for route `name` (`provision_team`, `agent_run`, ...). */
export declare function requireRoute(name: string, options?: MiddlewareOptions): Middleware
/**
 * A caller that names an org and a team node. Read-only impersonation and anonymous visitor
 * tokens pass too, whatever the request is about: see `requireTeamMember`.
 */
export declare function requireTeam(options?: MiddlewareOptions): Middleware
/**
 * A member of a team that meets what the route needs: no anonymous visitor unless
 * `allowVisitors`, write access when `write`, a grant for `permission`, and the org and team of
 * `orgIdParam` / `teamIdParam`.
 */
export declare function requireTeamMember(options?: TeamMemberOptions): Middleware

/** Options of `loginRoute`. */
export interface LoginRouteOptions {
  /** Where to go after login when the request has no `?returnTo=` (default `/`). */
  returnTo?: string
  /** The role the login is for when the request has no `?requireRole=`. */
  requireRole?: string
}

/** Options of `callbackRoute`. */
export interface CallbackRouteOptions {
  /** Set the session cookie (`incidentfox_session_token`, the ID token; default true). */
  sessionCookie?: boolean
  /**
   * Runs after a successful login, before the answer (keep the identity, set a cookie of one's
   * own with `res`, check `requireRole`); throwing one of this package's errors refuses the
   * login with that error's answer.
   */
  onLogin?: (
    result: LoginResult,
    req: IncomingMessage,
    res: ServerResponse & { locals?: Record<string, unknown> },
  ) => void | Promise<void>
}

/** `GET /api/auth/login`: sets the login cookies and redirects 302 to the provider
 * (`?returnTo=/path`, `?requireRole=`). */
export declare function loginRoute(login: LoginSource, options?: LoginRouteOptions): Middleware

/** `GET /api/auth/callback`: completes the login, clears the login cookies, sets the session
 * cookie and redirects 302 to the sanitised return-to path; a refusal is answered with its
 * status and `{"error": {"code", "status", "message"}}`. */
export declare function callbackRoute(login: LoginSource, options?: CallbackRouteOptions): Middleware

/** What a metrics or health endpoint reports on. */
export type ObservedSource = Authenticator | OidcValidator | ImpersonationVerifier

/** The content type of the OpenMetrics text. */
export declare const OPENMETRICS_CONTENT_TYPE: 'application/openmetrics-text; version=1.0.0; charset=utf-8'

/**
 * `GET /metrics`: the OpenMetrics text of `source` (default: the configured authenticator), with
 * content type `application/openmetrics-text; version=1.0.0; charset=utf-8`.
 */
export declare function metricsHandler(source?: ObservedSource | null): Middleware

/**
 * `GET /healthz`: `source.health()` (default: the configured authenticator) as JSON, 200 when
 * `ready`, else 503, for a readiness probe.
 */
export declare function healthHandler(source?: ObservedSource | null): Middleware
