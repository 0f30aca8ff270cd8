'use strict'
// An Express service authenticated by @incidentfox/auth: the config service's GET /api/v1/auth/me, an
// orchestrator admin route, an admin route with a permission, a team route, and the operator's
// GET /metrics (OpenMetrics text) and GET /healthz (readiness: 200, or 503 when the key set or
// the JTI store cannot serve).
//
//   ADMIN_TOKEN=break-glass-token ORCHESTRATOR_REQUIRE_ADMIN_STAR=0 node examples/express-app.js
//   curl -s localhost:3000/api/v1/auth/me -H 'Authorization: Bearer break-glass-token'
//   # {"role":"admin","auth_kind":"admin_token","can_write":true,"permissions":["admin:*"]}
//   curl -s localhost:3000/api/v1/auth/me -H 'Authorization: Bearer nope'
//   # 401 {"error":{"code":"invalid_credentials","status":401,"message":"..."}}
//   curl -s localhost:3000/metrics
//   # incidentfox_auth_verifications_total{kind="admin_token",outcome="ok"} 1 ...
//
// Every setting comes from the services' environment variables (ADMIN_TOKEN, OIDC_*, TOKEN_PEPPER,
// IMPERSONATION_*, ORCHESTRATOR_*, ...).

const express = require('express')
const {
  configure,
  getAuthenticator,
  healthHandler,
  metricsHandler,
  requireAdmin,
  requirePrincipal,
  requireRoute,
  requireTeamMember,
} = require('@incidentfox/auth/express')

/**
 * The service; `authenticator` defaults to `Authenticator.fromEnv()` on the first request.
 * @param {import('@incidentfox/auth').Authenticator} [authenticator]
 */
function createApp(authenticator) {
  configure(authenticator)
  const app = express()
  app.use(express.json())

  // Who the caller is: the config service's response, members in its order.
  app.get('/api/v1/auth/me', requirePrincipal(), (req, res) => {
    res.json(req.principal)
  })

  // An orchestrator admin route: admin, admin star (when required) and admin:provision.
  app.post('/api/v1/admin/provision/team', requireRoute('provision_team'), (req, res) => {
    const decision = getAuthenticator().routes.authorize(req.principal, 'provision_team')
    res.json({
      provisioned: { org_id: req.body.org_id, team_node_id: req.body.team_node_id },
      by: req.principal.subject ?? req.principal.authKind,
      grant: decision.matchedGrant,
    })
  })

  // An admin route that needs one permission.
  app.post('/api/v1/admin/agent/run', requireAdmin('admin:agent:run'), (req, res) => {
    res.json({ started: true, grant: req.principal.explain('admin:agent:run').matchedGrant })
  })

  // A team-scoped read: a member of a team (read-only impersonation included), no anonymous
  // visitor. A write would add `write: true`; a route with the team in its path, `teamIdParam`.
  app.get('/api/v1/team/config', requireTeamMember(), (req, res) => {
    res.json({ org_id: req.principal.orgId, team_node_id: req.principal.teamNodeId, can_write: req.principal.canWrite })
  })

  // For the operator (keep them off the public listener in production): the counters of the
  // configured authenticator, and its readiness.
  app.get('/metrics', metricsHandler())
  app.get('/healthz', healthHandler())

  return app
}

module.exports = { createApp }

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000)
  createApp().listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`))
}
