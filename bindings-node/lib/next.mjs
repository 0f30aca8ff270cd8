// The ES module entry of @incidentfox/auth/next: the CommonJS module's objects.
import lib from './next.js'

export const {
  OPENMETRICS_CONTENT_TYPE,
  SESSION_COOKIE,
  callbackHandler,
  configure,
  getAuthenticator,
  healthHandler,
  loginHandler,
  metricsHandler,
  withAuth,
} = lib
export default lib
