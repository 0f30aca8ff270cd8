'use strict'
// What a successful verification returns: `VerifiedToken` (OIDC) and `VerifiedImpersonation`.
//
// The addon answers with the subject, a NUL, then its fields as the JSON text of one array, and
// these classes wrap it: `subject` is cut from the front (the core refuses a subject holding any
// control character, so the first NUL ends it), and the array is parsed when another field is
// first read. A napi class instance would cost a wrapped object, a
// reference and a finalizer per result, and an array of values one Node-API call per element and
// per string; one string crosses in one. The claims are not sent at all: they are parsed here,
// when first read, from the payload of the caller's own token. Those are the very bytes the core
// verified (their strict base64url and strict JSON, no duplicate members, passed its checks), so
// `JSON.parse` reads the same members the core did; each numeric claim becomes a JS number, as
// it did when the addon converted them.

const TOKEN = Symbol('token')
const TEXT = Symbol('text')
const FIELDS = Symbol('fields')

// The claims of a compact JWS that the core has verified.
function payloadClaims(token) {
  const start = token.indexOf('.') + 1
  const end = token.indexOf('.', start)
  return JSON.parse(Buffer.from(token.slice(start, end), 'base64url').toString('utf8'))
}

// The addon's fields of `result`: the JSON text after the subject parsed on the first read (the
// addon wrote it with serde_json, from the core's values), the array afterwards.
function fieldsOf(result) {
  const fields = result[FIELDS]
  if (fields !== undefined) return fields
  const text = result[TEXT]
  const parsed = JSON.parse(text.slice(text.indexOf('\0') + 1))
  result[FIELDS] = parsed
  return parsed
}

// The subject of `result`, without parsing the rest.
function subjectOf(result) {
  const text = result[TEXT]
  return text.slice(0, text.indexOf('\0'))
}

class Verified {
  #claims
  constructor(text, token) {
    this[TEXT] = text
    this[FIELDS] = undefined
    this[TOKEN] = token
  }

  /** Every claim of the token, parsed when first read (the same object afterwards). */
  get claims() {
    if (this.#claims === undefined) this.#claims = payloadClaims(this[TOKEN])
    return this.#claims
  }
}

// The addon's fields of an OIDC result, in this order (src/oidc.rs).
// 0: the subject, read through subjectOf.
const OIDC_EMAIL = 1
const OIDC_GROUPS = 2
const OIDC_ORG_ID = 3
const OIDC_TEAM_NODE_ID = 4

/** An OIDC token that passed every check. */
class VerifiedToken extends Verified {
  /** The subject (from the subject claim). */
  get subject() {
    return subjectOf(this)
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
// 1: the subject, read through subjectOf.
const EMAIL = 2
const ORG_ID = 3
const TEAM_NODE_ID = 4
const VISITOR_SESSION_ID = 5
const JTI = 6
const EXPIRES_AT = 7

/** An impersonation or visitor token that passed every check. */
class VerifiedImpersonation extends Verified {
  #principalOf
  constructor(text, token, principalOf) {
    super(text, token)
    this.#principalOf = principalOf
  }

  /** `team_impersonation` or `visitor`. */
  get kind() {
    return fieldsOf(this)[KIND]
  }
  /** `sub`. */
  get subject() {
    return subjectOf(this)
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
