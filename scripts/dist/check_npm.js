// Loads the installed @incidentfox/auth and judges two vectors of testdata/vectors/attacks.json:
// the first valid token and the first rejected one, so a package that loads but whose addon
// misbehaves fails here. Usage: node check_npm.js ATTACKS_JSON (from the project that installed it).
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
const good = plain.find((c) => c.expect.valid)
const bad = plain.find((c) => !c.expect.valid)
if (validator.verifySync(good.token, { now: doc.now }).subject !== good.expect.subject) throw new Error(good.name)
let code
try { validator.verifySync(bad.token, { now: doc.now }) } catch (e) { code = e.code }
// Node's codes are the shared code, upper-cased, behind ERR_.
const want = `ERR_${bad.expect.code.toUpperCase()}`
if (code !== want) throw new Error(`${bad.name}: got ${code}, want ${want}`)
console.log(`npm package ok: ${good.name} valid, ${bad.name} -> ${code}`)
