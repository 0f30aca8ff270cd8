// The ES module entry of @incidentfox/auth/express: the CommonJS module's objects.
import lib from './express.js'

export const {
  OPENMETRICS_CONTENT_TYPE,
  SESSION_COOKIE,
  callbackRoute,
  configure,
  getAuthenticator,
  healthHandler,
  loginRoute,
  metricsHandler,
  requireAdmin,
  requirePrincipal,
  requireRoute,
  requireTeam,
  requireTeamMember,
} = lib
export default lib
