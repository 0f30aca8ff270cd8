'use strict'
// A JTI store of your own on PostgreSQL with `pg`: the reference for the store protocol.
//
// The package's `PostgresJtiStore` already does this natively; write your own when the JTIs must
// live in a database or schema the service already manages. The protocol (each method may return
// a value or a Promise; throwing or rejecting fails closed with ERR_JTI_STORE_UNAVAILABLE):
// - `record(entry)`: store the row; reject to refuse (a strict mint then returns no token).
// - `contains(jti)`: recorded and not expired. Only a real boolean counts.
// - `revoke(jti)`: delete; true when a row was there.
// - `consume(jti)`: single use. Must check and delete in one atomic step: of any number of
//   concurrent calls for one JTI exactly one answers true. `DELETE ... RETURNING` is one
//   statement, so the row lock decides; `contains` then `revoke` would let concurrent callers all
//   pass. A single-use verifier refuses a store without `consume`.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS impersonation_jtis (
  jti          text PRIMARY KEY,
  org_id       text NOT NULL,
  team_node_id text NOT NULL,
  subject      text,
  email        text,
  issued_at    timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
)`

class PgJtiStore {
  /** @param {import('pg').Pool} pool */
  constructor(pool) {
    this.pool = pool
  }

  async migrate() {
    await this.pool.query(SCHEMA)
  }

  /** @param {import('@incidentfox/auth').JtiEntry} entry */
  async record(entry) {
    await this.pool.query(
      'INSERT INTO impersonation_jtis VALUES ($1, $2, $3, $4, $5, to_timestamp($6), to_timestamp($7))',
      [entry.jti, entry.orgId, entry.teamNodeId, entry.subject, entry.email, entry.issuedAt, entry.expiresAt],
    )
  }

  /** @param {string} jti */
  async contains(jti) {
    const { rows } = await this.pool.query(
      'SELECT EXISTS (SELECT 1 FROM impersonation_jtis WHERE jti = $1 AND expires_at > now()) AS found',
      [jti],
    )
    return rows[0]?.found === true
  }

  /** @param {string} jti */
  async revoke(jti) {
    const { rowCount } = await this.pool.query('DELETE FROM impersonation_jtis WHERE jti = $1', [jti])
    return (rowCount ?? 0) > 0
  }

  /** @param {string} jti */
  async consume(jti) {
    const { rowCount } = await this.pool.query(
      'DELETE FROM impersonation_jtis WHERE jti = $1 AND expires_at > now() RETURNING jti',
      [jti],
    )
    return rowCount === 1
  }
}

module.exports = { PgJtiStore }
