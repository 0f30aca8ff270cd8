import { withAuth } from '@incidentfox/auth/next'

export const runtime = 'nodejs'

// Any signed-in caller: the session cookie, or a bearer token or team token in a header.
// Signed out, withAuth answers 401 with {"error": {"code", "status", "message"}}.
export const GET = withAuth(async (_request, { principal }) =>
  Response.json(principal, { headers: { 'cache-control': 'no-store' } }),
)
