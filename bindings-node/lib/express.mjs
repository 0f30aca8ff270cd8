// The ES module entry of @incidentfox/auth/express: the CommonJS module's objects.
import lib from './express.js'

export const {
  SESSION_COOKIE,
  callbackRoute,
  configure,
  getAuthenticator,
  loginRoute,
  requireAdmin,
  requirePrincipal,
  requireRoute,
  requireTeam,
  requireTeamMember,
} = lib
export default lib
