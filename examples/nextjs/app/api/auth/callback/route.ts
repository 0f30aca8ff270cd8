import { callbackHandler } from '@incidentfox/auth/next'
import { login } from '@/lib/login'

export const runtime = 'nodejs'

// Sets the session cookie (incidentfox_session_token: the ID token) and redirects back.
export const GET = callbackHandler(login)
