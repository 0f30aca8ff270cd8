import { isAuthError, type Principal } from '@incidentfox/auth'
import { SESSION_COOKIE, getAuthenticator } from '@incidentfox/auth/next'
import { cookies } from 'next/headers'

/**
 * The principal of a session cookie's value, or null when there is none or it is not a valid
 * session. The cookie goes to the authenticator as the `Cookie` header of a GET, so the same
 * rules apply as in the route handlers (SESSION_COOKIE_CSRF).
 */
export async function sessionPrincipal(token: string | undefined): Promise<Principal | null> {
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

/** In a server component: the principal of the request's session cookie, or null. */
export async function currentPrincipal(): Promise<Principal | null> {
  return sessionPrincipal((await cookies()).get(SESSION_COOKIE)?.value)
}
