// The results of a successful verification (lib/verified.js).

import type { Principal } from '../index'

/** An OIDC token that passed every check. */
export declare class VerifiedToken {
  private constructor()
  /** Every claim of the token, parsed when first read (the same object afterwards). */
  get claims(): Record<string, unknown>
  /** The subject (from the subject claim). */
  get subject(): string
  /** The email, when the token has one. */
  get email(): string | null
  /** The groups, read from the configured groups claim. */
  get groups(): Array<string>
  /** The organisation, when the token names one. */
  get orgId(): string | null
  /** The team node, when the token names one. */
  get teamNodeId(): string | null
}

/** An impersonation or visitor token that passed every check. */
export declare class VerifiedImpersonation {
  private constructor()
  /** Every claim of the token, parsed when first read (the same object afterwards). */
  get claims(): Record<string, unknown>
  /** `team_impersonation` or `visitor`. */
  get kind(): 'team_impersonation' | 'visitor'
  /** `sub`. */
  get subject(): string
  /** `email`, when a string. */
  get email(): string | null
  /** `org_id`. */
  get orgId(): string
  /** `team_node_id`. */
  get teamNodeId(): string
  /** `visitor_session_id`, for visitor tokens. */
  get visitorSessionId(): string | null
  /** `jti`. */
  get jti(): string
  /** `exp`, Unix seconds. */
  get expiresAt(): number
  /** The `/auth/me` principal of the token. */
  principal(): Principal
}
