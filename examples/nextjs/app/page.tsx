import { currentPrincipal } from '@/lib/session'

// A server component: it reads the session cookie on every request (cookies() makes the page
// dynamic) and authenticates it in the Node.js runtime, where the addon loads.
export const runtime = 'nodejs'

export default async function Home() {
  const principal = await currentPrincipal()
  if (principal === null) {
    return (
      <>
        <p id="status">You are signed out.</p>
        <p>
          <a id="sign-in" href="/api/auth/login?returnTo=%2F">
            Sign in
          </a>
        </p>
      </>
    )
  }
  return (
    <>
      <p id="status">
        Signed in as <strong id="subject">{principal.subject}</strong>
        {principal.email ? (
          <>
            {' '}
            (<span id="email">{principal.email}</span>)
          </>
        ) : null}
        , role <span id="role">{principal.role}</span>.
      </p>
      <h2>Groups</h2>
      <ul id="groups">
        {principal.groups.length ? (
          principal.groups.map((group) => (
            <li className="group" key={group}>
              {group}
            </li>
          ))
        ) : (
          <li>none</li>
        )}
      </ul>
      <p>
        <a id="me" href="/api/me">
          /api/me
        </a>{' '}
        (a route handler behind withAuth),{' '}
        <a id="settings" href="/settings">
          settings
        </a>{' '}
        (a page behind proxy.ts)
      </p>
      <form method="post" action="/api/session/logout">
        <button id="sign-out" type="submit">
          Sign out
        </button>
      </form>
    </>
  )
}
