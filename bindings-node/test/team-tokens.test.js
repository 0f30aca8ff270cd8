'use strict'
// Team-token hashing as the services do it, mirroring bindings-python/tests/test_team_tokens.py:
// any secret hashes to hex SHA-256(secret ‖ pepper), and tokens in the shapes the services accept
// (hand-seeded `tokid.toksecret` rows) verify.

const assert = require('node:assert/strict')
const { createHash } = require('node:crypto')
const { test } = require('node:test')
const { hashTeamToken, hashTokenSecret, verifyTeamToken } = require('@incidentfox/auth')

const PEPPER = 'team-token-pepper'

test('any secret hashes as the services hash it', () => {
  for (const secret of ['toksecret', '', 'with space', 'ünïcode', 'a.b', 'x'.repeat(2000)]) {
    const expected = createHash('sha256').update(secret + PEPPER, 'utf8').digest('hex')
    assert.equal(hashTokenSecret(secret, PEPPER), expected, secret)
  }
  assert.throws(() => hashTokenSecret('toksecret', ''), { code: 'ERR_INVALID_CONFIG' })
})

test('legacy shapes hash and verify', () => {
  for (const token of ['tokid.toksecret', 'EBB404E7.short', 't-1_x~.s~_-9']) {
    const [tokenId, secret] = token.split('.')
    const stored = hashTokenSecret(secret, PEPPER)
    assert.deepEqual({ ...hashTeamToken(token, PEPPER) }, { tokenId, tokenHash: stored })
    assert.equal(verifyTeamToken(token, stored, PEPPER), true)
    assert.equal(verifyTeamToken(token + 'x', stored, PEPPER), false)
  }
})

test('other shapes stay malformed', () => {
  for (const token of ['tokid.', '.toksecret', 'tok id.secret', 'tokid.tok+secret', 'a'.repeat(129) + '.s']) {
    assert.throws(() => hashTeamToken(token, PEPPER), { code: 'ERR_TOKEN_MALFORMED' }, token)
  }
})
