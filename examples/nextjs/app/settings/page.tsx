import { currentPrincipal } from '@/lib/session'

export const runtime = 'nodejs'

// Reached only through proxy.ts, which let a valid session through; the page still reads the
// principal itself, as a page must not rely on a matcher that a later change may narrow.
export default async function Settings() {
  const principal = await currentPrincipal()
  if (principal === null) return <p id="status">You are signed out.</p>
  return (
    <>
      <h2>Settings</h2>
      <p>
        Signed in as <strong id="settings-subject">{principal.subject}</strong>, who may{' '}
        {principal.canWrite ? '' : 'not '}change configuration.
      </p>
      <p>
        <a href="/">Back</a>
      </p>
    </>
  )
}
