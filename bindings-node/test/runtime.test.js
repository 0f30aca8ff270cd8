'use strict'
// The addon's tokio runtime (src/runtime.rs): one worker fewer than the cores (at least one), so
// the workers do not preempt the JS thread; TOKIO_WORKER_THREADS overrides. Counted from
// /proc/self/task in a fresh process, after an async call has run on the runtime.

const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const os = require('node:os')
const { test } = require('node:test')

const COUNT_WORKERS = `
  const fs = require('node:fs')
  const { OidcValidator } = require('@incidentfox/auth')
  const v = new OidcValidator({ issuer: 'https://idp.test', audience: 'a', jwksUrl: 'http://127.0.0.1:9/jwks' })
  v.verify('a.b.c').catch(() => {
    const names = fs.readdirSync('/proc/self/task').map((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim())
    console.log(names.filter((n) => n === 'tokio-rt-worker').length)
  })
`

function workers(env) {
  const { TOKIO_WORKER_THREADS, ...inherited } = process.env
  const out = spawnSync(process.execPath, ['-e', COUNT_WORKERS], {
    cwd: __dirname, env: { ...inherited, ...env }, encoding: 'utf8',
  })
  assert.equal(out.status, 0, out.stderr)
  return Number(out.stdout.trim())
}

const linux = process.platform === 'linux'

test('the runtime has one worker fewer than the cores, at least one', { skip: !linux && 'reads /proc' }, () => {
  assert.equal(workers({}), Math.max(1, os.availableParallelism() - 1))
})

test('TOKIO_WORKER_THREADS overrides the count', { skip: !linux && 'reads /proc' }, () => {
  assert.equal(workers({ TOKIO_WORKER_THREADS: '3' }), 3)
})
