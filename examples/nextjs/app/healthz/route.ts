import { healthHandler } from '@incidentfox/auth/next'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

// Readiness: the shared authenticator's health() as JSON, 200 when its key set (and JTI store,
// if any) can serve, else 503.
export const GET = healthHandler()
