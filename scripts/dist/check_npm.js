// Loads the installed @incidentfox/auth and judges every case of testdata/vectors/attacks.json that
// runs on the file's own validator settings and clock: each valid token with its subject, each
// rejected one with its error code. A package that loads but whose addon misbehaves on its platform
// fails here. Usage: node check_npm.js ATTACKS_JSON (from the project that installed it).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const ifx = require(require.resolve('@incidentfox/auth', { paths: [process.cwd()] }))

const doc = JSON.parse(fs.readFileSync(path.resolve(process.argv[2]), 'utf8'))
const v = doc.validator
const validator = new ifx.OidcValidator({
  issuer: v.issuer, audience: v.audiences, jwksJson: JSON.stringify(doc.jwks), algorithms: v.algorithms,
  leeway: v.leeway, groupsClaim: v.groups_claim, requireKid: v.require_kid, maxTokenBytes: v.max_token_bytes,
})
const plain = doc.cases.filter((c) => !('validator_overrides' in c) && !('now' in c))
for (const c of plain) {
  let got
  let code
  try {
    got = validator.verifySync(c.token, { now: doc.now })
  } catch (e) {
    code = e.code
  }
  // Node's codes are the shared code, upper-cased, behind ERR_.
  if (c.expect.valid) {
    if (code !== undefined || got.subject !== c.expect.subject) throw new Error(`${c.name}: got ${code}`)
  } else if (code !== `ERR_${c.expect.code.toUpperCase()}`) {
    throw new Error(`${c.name}: got ${code}, want ${c.expect.code}`)
  }
}
const valid = plain.filter((c) => c.expect.valid).length
console.log(`npm package ok: ${plain.length} vectors (${valid} valid, ${plain.length - valid} refused with their codes)`)
