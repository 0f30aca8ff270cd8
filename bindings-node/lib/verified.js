'use strict'
// What a successful verification returns: `VerifiedToken` (OIDC) and `VerifiedImpersonation`.
//
// The addon answers with its fields as the JSON text of one array, and these classes wrap it,
// parsing it when a field is first read. A napi class instance would cost a wrapped object, a
// reference and a finalizer per result, and an array of values one Node-API call per element and
// per string; one string crosses in one. The claims are not sent at all: they are parsed here,
// when first read, from the payload of the caller's own token. Those are the very bytes the core
// verified (their strict base64url and strict JSON, no duplicate members, passed its checks), so
// `JSON.parse` reads the same members the core did; each numeric claim becomes a JS number, as
// it did when the addon converted them.

const TOKEN = Symbol('token')
const FIELDS = Symbol('fields')

// The claims of a compact JWS that the core has verified.
function payloadClaims(token) {
  const start = token.indexOf('.') + 1
  const end = token.indexOf('.', start)
  return JSON.parse(Buffer.from(token.slice(start, end), 'base64url').toString('utf8'))
}

// The addon's fields of `result`: its JSON text parsed on the first read (the addon wrote it with
// serde_json, from the core's values), the array afterwards.
function fieldsOf(result) {
  const fields = result[FIELDS]
  if (typeof fields !== 'string') return fields
  const parsed = JSON.parse(fields)
  result[FIELDS] = parsed
  return parsed
}

class Verified {
  #claims
  constructor(fields, token) {
    this[FIELDS] = fields
    this[TOKEN] = token
  }

  /** Every claim of the token, parsed when first read (the same object afterwards). */
  get claims() {
    if (this.#claims === undefined) this.#claims = payloadClaims(this[TOKEN])
    return this.#claims
  }
}

// The addon's fields of an OIDC result, in this order (src/oidc.rs).
const OIDC_SUBJECT = 0
const OIDC_EMAIL = 1
const OIDC_GROUPS = 2
const OIDC_ORG_ID = 3
const OIDC_TEAM_NODE_ID = 4

/** An OIDC token that passed every check. */
class VerifiedToken extends Verified {
  /** The subject (from the subject claim). */
  get subject() {
    return fieldsOf(this)[OIDC_SUBJECT]
  }
  /** The email, when the token has one. */
  get email() {
    return fieldsOf(this)[OIDC_EMAIL] ?? null
  }
  /** The groups, read from the configured groups claim. */
  get groups() {
    return fieldsOf(this)[OIDC_GROUPS].slice()
  }
  /** The organisation, when the token names one. */
  get orgId() {
    return fieldsOf(this)[OIDC_ORG_ID] ?? null
  }
  /** The team node, when the token names one. */
  get teamNodeId() {
    return fieldsOf(this)[OIDC_TEAM_NODE_ID] ?? null
  }
}

// The addon's fields of an impersonation result, in this order (src/impersonation.rs).
const KIND = 0
const SUBJECT = 1
const EMAIL = 2
const ORG_ID = 3
const TEAM_NODE_ID = 4
const VISITOR_SESSION_ID = 5
const JTI = 6
const EXPIRES_AT = 7

/** An impersonation or visitor token that passed every check. */
class VerifiedImpersonation extends Verified {
  #principalOf
  constructor(fields, token, principalOf) {
    super(fields, token)
    this.#principalOf = principalOf
  }

  /** `team_impersonation` or `visitor`. */
  get kind() {
    return fieldsOf(this)[KIND]
  }
  /** `sub`. */
  get subject() {
    return fieldsOf(this)[SUBJECT]
  }
  /** `email`, when a string. */
  get email() {
    return fieldsOf(this)[EMAIL] ?? null
  }
  /** `org_id`. */
  get orgId() {
    return fieldsOf(this)[ORG_ID]
  }
  /** `team_node_id`. */
  get teamNodeId() {
    return fieldsOf(this)[TEAM_NODE_ID]
  }
  /** `visitor_session_id`, for visitor tokens. */
  get visitorSessionId() {
    return fieldsOf(this)[VISITOR_SESSION_ID] ?? null
  }
  /** `jti`. */
  get jti() {
    return fieldsOf(this)[JTI]
  }
  /** `exp`, Unix seconds. */
  get expiresAt() {
    return fieldsOf(this)[EXPIRES_AT]
  }
  /** The `/auth/me` principal of the token. */
  principal() {
    return this.#principalOf(fieldsOf(this))
  }
}

module.exports = { VerifiedImpersonation, VerifiedToken }
