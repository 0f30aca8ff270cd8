'use strict'
// The Node service of `make bench-load` (scripts/bench_load.py): `node:http` under `cluster`.
//
//   node benches/load/server.js WORKERS PORT
//
// The primary forks WORKERS workers that share PORT on 127.0.0.1 (cluster's default scheduling:
// on Linux the primary accepts each connection and hands it to a worker in turn). Each worker
// serves, for the same request (the bearer header is sent to both) and a response of the same
// shape:
// - GET /auth: the package's `requirePrincipal()` middleware (lib/express.js, which takes plain
//   `http` requests too), then `JSON.stringify(req.principal)`;
// - GET /noauth: no authentication, a fixed principal-shaped body.
// The authenticator is built from the environment as a service builds it (OIDC_*, an inline
// OIDC_JWKS_JSON so no request leaves the machine), at start, so a configuration error stops the
// worker before the first request. The primary prints `ready` once every worker listens, and
// exits (taking the workers with it) on SIGTERM or when a worker dies.

const cluster = require('node:cluster')
const http = require('node:http')
const path = require('node:path')

const PACKAGE = path.resolve(__dirname, '../../bindings-node')
const workers = Number(process.argv[2])
const port = Number(process.argv[3])

if (!(Number.isInteger(workers) && workers > 0 && Number.isInteger(port) && port > 0)) {
  console.error('usage: node server.js WORKERS PORT')
  process.exit(2)
}

if (cluster.isPrimary) {
  let listening = 0
  let stopping = false
  cluster.on('listening', () => {
    listening += 1
    if (listening === workers) console.log('ready')
  })
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return
    console.error(`worker ${worker.process.pid} died (${signal ?? code}); stopping`)
    stop(1)
  })
  function stop(code) {
    stopping = true
    for (const worker of Object.values(cluster.workers)) worker.process.kill('SIGTERM')
    process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  for (let i = 0; i < workers; i += 1) cluster.fork()
} else {
  const { Authenticator } = require(path.join(PACKAGE, 'lib/index.js'))
  const { configure, requirePrincipal } = require(path.join(PACKAGE, 'lib/express.js'))
  configure(Authenticator.fromEnv())
  const authenticate = requirePrincipal()
  const unauthenticatedBody = JSON.stringify({
    role: 'admin',
    auth_kind: 'oidc',
    subject: 'alice',
    email: 'alice@example.com',
    can_write: true,
    permissions: ['admin:*'],
  })

  function send(res, status, body) {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }

  const server = http.createServer((req, res) => {
    if (req.url === '/noauth') return send(res, 200, unauthenticatedBody)
    if (req.url === '/auth') {
      return authenticate(req, res, (error) => {
        if (error) return send(res, 500, '{"error":"internal"}')
        return send(res, 200, JSON.stringify(req.principal))
      })
    }
    return send(res, 404, '{"error":"not_found"}')
  })
  server.listen(port, '127.0.0.1')
}
