import { SESSION_COOKIE } from '@incidentfox/auth/next'

export const runtime = 'nodejs'

// POST, from the page's form: a GET could be fired by a prefetch or an image on another site.
// 303 so the browser follows with a GET of the page.
export function POST(request: Request) {
  const headers = new Headers({ location: new URL('/', request.url).pathname })
  headers.append('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`)
  return new Response(null, { status: 303, headers })
}
