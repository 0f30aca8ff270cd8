// The ES module entry of @incidentfox/auth/next: the CommonJS module's objects.
import lib from './next.js'

export const { SESSION_COOKIE, callbackHandler, configure, getAuthenticator, loginHandler, withAuth } = lib
export default lib
