import { isAuthError, type Principal } from '@incidentfox/auth'
import { SESSION_COOKIE, getAuthenticator } from '@incidentfox/auth/next'
import { cookies } from 'next/headers'

/**
 * The principal of the session cookie, or null when signed out. The cookie goes to the
 * authenticator as the `Cookie` header of a GET, so the same rules as for the route handlers
 * apply (SESSION_COOKIE_CSRF, a credential header winning over the cookie).
 */
export async function currentPrincipal(): Promise<Principal | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value
  if (!token) return null
  try {
    return await getAuthenticator().authenticate({ cookie: `${SESSION_COOKIE}=${token}` }, { method: 'GET' })
  } catch (error) {
    // An expired or foreign token is a signed-out visitor; anything else (the provider's keys
    // unreachable, a configuration error) is the server's error and goes to Next's error page.
    if (isAuthError(error) && error.status === 401) return null
    throw error
  }
}
