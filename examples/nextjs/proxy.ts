import { SESSION_COOKIE } from '@incidentfox/auth/next'
import { NextResponse, type NextRequest } from 'next/server'
import { sessionPrincipal } from '@/lib/session'

// Next 16's proxy (the former middleware) runs in the Node.js runtime, so it can load the addon:
// pages under /settings are for signed-in users only, and a visitor without a valid session goes
// to the sign-in, which brings them back. (A `middleware.ts` on the Edge runtime could not load
// the package at all.)
export async function proxy(request: NextRequest) {
  if (await sessionPrincipal(request.cookies.get(SESSION_COOKIE)?.value)) return NextResponse.next()
  const login = new URL('/api/auth/login', request.url)
  login.searchParams.set('returnTo', request.nextUrl.pathname)
  return NextResponse.redirect(login)
}

export const config = { matcher: ['/settings/:path*'] }
