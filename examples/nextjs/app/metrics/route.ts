import { metricsHandler } from '@incidentfox/auth/next'

export const runtime = 'nodejs'
// Read at each request, never prerendered at build time.
export const dynamic = 'force-dynamic'

// The counters of the shared authenticator (Authenticator.fromEnv) as OpenMetrics text, for
// Prometheus to scrape. Keep it off the public route in production (a separate port, or a
// network policy).
export const GET = metricsHandler()
