import { loginHandler } from '@incidentfox/auth/next'
import { login } from '@/lib/login'

// The addon loads in the Node.js runtime only (the default for route handlers; said here so
// that nobody moves the route to the Edge runtime, which cannot load a native addon).
export const runtime = 'nodejs'

export const GET = loginHandler(login)
