'use strict'
// The agent runtime's verification rules, written with jose, over every case of
// testdata/vectors/impersonation.json: the Node counterpart of scripts/pyjwt_vectors.py, which
// records PyJWT's verdict under the same rules in each case's `pyjwt`.
//
// The agent runtime's rules: HS256 only, issuer incidentfox-config-service, the accepted audiences, no
// leeway unless configured, the eight required claims, then ifx_kind in {team_impersonation,
// visitor} and scope (a string is one scope) containing team:read.
//
// What is asserted, for every case:
// - the library never accepts a token the agent runtime's rules refuse in jose;
// - where jose and PyJWT both accept and the library refuses, the case says why
//   (`stricter_than_services`);
// - jose and PyJWT reach the same verdict, except for the cases in JOSE_DIFFERS_FROM_PYJWT, each
//   with the reason (a stale entry fails too, so the list stays true).

const assert = require('node:assert/strict')
const { test } = require('node:test')
const s = require('./support.js')

const DOC = s.loadVectors('impersonation.json')
const ISSUER = 'incidentfox-config-service'
const LEGACY_AUDIENCE = 'incidentfox-config-service'
const REQUIRED = ['exp', 'iat', 'sub', 'org_id', 'team_node_id', 'ifx_kind', 'scope', 'jti']
const KINDS = ['team_impersonation', 'visitor']

// Case name -> why jose and PyJWT 2.15 disagree under the same rules.
const JOSE_DIFFERS_FROM_PYJWT = {
  minted_impersonation_issued_in_future: 'PyJWT refuses an iat in the future; jose compares iat with now only under maxTokenAge',
  pyjwt_issued_in_future: 'PyJWT refuses an iat in the future; jose compares iat with now only under maxTokenAge',
  non_canonical_base64url_signature: 'PyJWT refuses base64url with non-zero trailing bits; Node\'s decoder ignores them',
  exp_numeric_string: 'PyJWT reads a numeric string exp with int(); jose wants a number (so does the library)',
  iat_numeric_string: 'PyJWT reads a numeric string iat with int(); jose wants a number (so does the library)',
  aud_list_with_a_non_string: 'PyJWT refuses an aud list with a non-string member; jose looks only for a match',
  jti_number: 'PyJWT refuses a jti that is not a string; jose does not check its type',
}

function acceptedAudiences(config) {
  const audiences = [config.audience]
  if (config.accept_legacy_audience && config.audience !== LEGACY_AUDIENCE) audiences.push(LEGACY_AUDIENCE)
  return audiences
}

/** 'valid', or the code of jose's refusal (or of the agent runtime's two post-decode checks). */
async function runtimeRulesInJose(token, config, now) {
  const { jwtVerify } = await import('jose')
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(DOC.secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: acceptedAudiences(config),
      requiredClaims: REQUIRED,
      clockTolerance: config.leeway_seconds ?? 0,
      currentDate: new Date(now * 1000),
    })
    if (!KINDS.includes(payload.ifx_kind)) return 'InvalidKind'
    const scopes = typeof payload.scope === 'string' ? [payload.scope] : Array.isArray(payload.scope) ? payload.scope : []
    if (!scopes.includes('team:read')) return 'MissingScope'
    return 'valid'
  } catch (error) {
    return error.code ?? error.name
  }
}

test('the agent runtime\'s rules in jose over every impersonation vector', async () => {
  const failures = []
  const differs = new Set()
  for (const c of DOC.cases) {
    const config = { ...DOC.config, ...(c.config ?? {}) }
    const verdict = await runtimeRulesInJose(c.token, config, c.now ?? DOC.now)
    const joseValid = verdict === 'valid'
    const oursValid = c.expect.valid === true
    if (oursValid && !joseValid) {
      failures.push(`${c.name}: the library accepts what the agent runtime's rules in jose refuse (${verdict})`)
    }
    if (joseValid && !oursValid && c.pyjwt === 'valid' && !c.stricter_than_services) {
      failures.push(`${c.name}: jose accepts, the library refuses (${c.expect.code}) without a stated reason`)
    }
    if (joseValid !== (c.pyjwt === 'valid')) {
      differs.add(c.name)
      if (!(c.name in JOSE_DIFFERS_FROM_PYJWT)) {
        failures.push(`${c.name}: jose says ${verdict}, PyJWT says ${c.pyjwt}`)
      }
    }
  }
  for (const name of Object.keys(JOSE_DIFFERS_FROM_PYJWT)) {
    if (!differs.has(name)) failures.push(`${name}: listed as a jose/PyJWT difference, but they agree`)
  }
  assert.ok(DOC.cases.length >= 90, `only ${DOC.cases.length} cases`)
  assert.deepEqual(failures, [])
})
