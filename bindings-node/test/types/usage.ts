// Typed usage of the public API, checked by `tsc --noEmit` (never run): what a TypeScript service
// writes compiles, and the types say what the values are.

import {
  Authenticator,
  Decision,
  ERROR_CODES,
  ImpersonationSigner,
  ImpersonationVerifier,
  MemoryJtiStore,
  OidcValidator,
  PermissionSet,
  Principal,
  RbacPolicy,
  RouteTable,
  errorHttpResponse,
  explain,
  generateTeamToken,
  hashTeamToken,
  isAuthError,
  verifyTeamToken,
  type AuthError,
  type ErrorCodeName,
  type JtiEntry,
  type JtiStore,
  type TeamTokenLookup,
} from '@incidentfox/auth'
import { OidcLogin, type LoginResult, type LoginSource } from '@incidentfox/auth'
import { callbackRoute, loginRoute, requireAdmin, requireTeam, requireTeamMember } from '@incidentfox/auth/express'
import { callbackHandler, loginHandler, withAuth } from '@incidentfox/auth/next'

const status: 401 = ERROR_CODES.token_expired
const unavailable: 503 = ERROR_CODES.lookup_unavailable
const code: ErrorCodeName = 'jti_not_found'

const validator = new OidcValidator({
  issuer: 'https://idp.example.com',
  audience: ['incidentfox-config-service'],
  jwksUrl: 'https://idp.example.com/jwks',
  algorithms: ['RS256', 'ES256'],
  leeway: 30,
  groupsClaim: 'cognito:groups',
})
const fromEnv: OidcValidator | null = OidcValidator.fromEnv({ OIDC_ENABLED: '0' })

// A JTI store of one's own: sync or async methods.
const entries = new Map<string, JtiEntry>()
const store: JtiStore = {
  record: async (entry) => {
    entries.set(entry.jti, entry)
  },
  contains: (jti) => entries.has(jti),
  revoke: async (jti) => entries.delete(jti),
}
const lookup: TeamTokenLookup = {
  lookup: async (tokenId) => (tokenId === 'x' ? { orgId: 'o', tokenId, tokenHash: 'h', revokedAt: new Date() } : null),
}

async function main(): Promise<void> {
  const verified = await validator.verify('a.b.c', { now: 1_800_000_000 })
  const subject: string = verified.subject
  const groups: string[] = verified.groups
  const sync = validator.verifySync('a.b.c')
  const email: string | null = sync.email

  const signer = new ImpersonationSigner({ secret: 's', jtiLogging: true, jtiStore: store })
  const memory = new MemoryJtiStore({ capacity: 1000 })
  const verifier = new ImpersonationVerifier({ secret: 's', jtiRequire: true, jtiStore: memory })
  const minted = await signer.mint({ orgId: 'o', teamNodeId: 't', subject: 'admin' })
  const visitor = await signer.mintVisitor({ orgId: 'o', teamNodeId: 't', sessionId: 'vs' })
  const body: { token: string; expires_at: number; jti: string } = minted.toJSON()
  const imp = await verifier.verify(visitor.token)
  const kind: 'team_impersonation' | 'visitor' = imp.kind

  const auth = Authenticator.fromEnv(undefined, { jtiStore: memory, teamTokenLookup: lookup })
  const principal: Principal = await auth.authenticate(new Headers({ authorization: 'Bearer x' }))
  await auth.authenticate({ authorization: 'Bearer x', 'x-forwarded-for': ['a', 'b'] })
  const me = principal.toJSON()
  const role: 'admin' | 'team' = me.role
  const canWrite: boolean = me.can_write
  const decision: Decision = auth.routes.authorize(principal, 'provision_team')
  const json: { allowed: boolean; matched_grant: string | null } = decision.toJSON()
  decision.throwIfDenied()

  const set = new PermissionSet(['admin:*'])
  const grant: string | null = set.matchingGrant('admin:provision')
  const policy = new RbacPolicy({ defaults: [], groupPermissions: { sre: ['admin:read'], ops: 'admin:a,admin:b' } })
  const sources = policy.resolveWithSources(['sre']).map((g) => `${g.permission} from ${g.source}`)
  const table = new RouteTable({ requireAdminStar: false, routes: { provision_team: null } })
  const tester = Principal.withGrants('admin', ['admin:read'], { authKind: 'oidc', canWrite: false })
  explain(['admin:*'], 'admin:x').toJSON()

  const generated = generateTeamToken('pepper')
  const hashed = hashTeamToken(generated.token, 'pepper')
  const ok: boolean = verifyTeamToken(generated.token, hashed.tokenHash, 'pepper')

  try {
    validator.verifySync('')
  } catch (error) {
    if (isAuthError(error)) {
      const e: AuthError = error
      const s: number = e.status
      const c: string = e.code
      void [s, c]
    }
  }
  void [subject, groups, email, body, kind, role, canWrite, json, grant, sources, table, tester, ok]
}

// Framework helpers.
const admin = requireAdmin('admin:provision')
const team = requireTeam()
export const GET = withAuth(async (request, { principal }) => Response.json({ me: principal, url: request.url }), { route: 'provision_team' })
const writer = requireTeamMember({ write: true, permission: 'team:write', orgIdParam: 'orgId', teamIdParam: 'teamId', logger: console })
export const PUT = withAuth(async () => new Response(null, { status: 204 }), { team: { write: true, teamIdParam: 'teamId' }, orgIdParam: 'orgId' })
export const PATCH = withAuth(async () => new Response(null, { status: 204 }), { team: true, logger: { error: () => undefined } })
// @ts-expect-error -- an unknown option is refused by the types too (and throws at wrap time)
export const DELETE = withAuth(async () => new Response(null, { status: 204 }), { permissions: ['admin:provision'] })
const answer = errorHttpResponse('jti_store_unavailable')
void [writer, answer?.status, answer?.headers, answer?.body]

// The web UI's sign-in.
async function signIn(): Promise<void> {
  const login: OidcLogin = await OidcLogin.create({
    issuer: 'https://idp.example.com',
    clientId: 'incidentfox-web-ui',
    clientSecret: 'secret',
    publicBaseUrl: 'https://incidentfox.example.com',
    scopes: ['openid', 'email', 'groups'],
    cookieSecure: true,
  })
  const maybe: OidcLogin | null = await OidcLogin.fromEnv({ WEB_UI_OIDC_ENABLED: '1' })
  const start = login.begin({ returnTo: '/teams/1', requireRole: 'admin' })
  const url: string = start.authorizationUrl
  const headers: string[] = start.cookies.map((c) => c.header)
  const maxAge: number = start.cookies[0].maxAge
  const sameSite: 'Lax' | 'Strict' | 'None' = start.cookies[0].sameSite
  const result: LoginResult = await login.complete('?code=c&state=s', 'ifx_oidc_state=s')
  const groups: string[] = result.identity.groups
  const email: string | null | undefined = result.identity.email
  const role: string | null | undefined = result.requireRole
  const session: string = result.sessionCookie.header
  const redirectUri: string = login.redirectUri
  void [maybe, url, headers, maxAge, sameSite, groups, email, role, session, redirectUri, login.begin()]
}
const source: LoginSource = () => OidcLogin.fromEnv()
const nextLogin: (request: Request) => Promise<Response> = loginHandler(source, { returnTo: '/' })
const nextCallback = callbackHandler(OidcLogin.fromEnv(), {
  sessionCookie: true,
  onLogin: async (result, request) => {
    void [result.identity.subject, request.url]
  },
})
const expressLogin = loginRoute(source)
const expressCallback = callbackRoute(source, { onLogin: (result, req, res) => void [result.idToken, req.url, res.statusCode] })

void [status, unavailable, code, fromEnv, main, admin, team, signIn, nextLogin, nextCallback, expressLogin, expressCallback]

// Observability: events, counters, health, prom-client and the operator endpoints.
import { configureObservability, eventsDropped, type Health, type MetricFamily, type Stats } from '@incidentfox/auth'
import { healthHandler as expressHealth, metricsHandler as expressMetrics } from '@incidentfox/auth/express'
import { healthHandler as nextHealth, metricsHandler as nextMetrics } from '@incidentfox/auth/next'
import { registerMetrics } from '@incidentfox/auth/prometheus'

async function observability(validator: OidcValidator, verifier: ImpersonationVerifier, auth: Authenticator): Promise<void> {
  const settings = configureObservability({ level: 'debug', logger: { info(object, message) { void object; void message } } })
  const level: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace' = settings.level
  const dropped: number = eventsDropped()
  const stats: Stats = validator.stats()
  const oidcOk: number = stats.verifications.filter((c) => c.outcome === 'ok').length
  const age: number | null | undefined = stats.jwks?.age_seconds
  const ready: boolean = (await validator.health()).ready
  const verifierHealth: Health = await verifier.health()
  const authHealth: Health = await auth.health()
  const families: MetricFamily[] = auth.metricFamilies()
  const text: string = auth.openmetrics()
  registerMetrics(auth, { registry: { registerMetric() {}, removeSingleMetric() {} } })
  const routes = [expressMetrics(), expressHealth(auth), nextMetrics(validator), nextHealth(verifier)]
  void [level, dropped, oidcOk, age, ready, verifierHealth, authHealth, families, text, routes]
}
void observability
