import type { ReactNode } from 'react'

export const metadata = { title: 'IncidentFox' }

// System fonts only: next/font would fetch a web font at build time.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ font: '16px/1.5 system-ui, sans-serif', maxWidth: '40rem', margin: '3rem auto', padding: '0 1rem' }}>
        <h1>IncidentFox</h1>
        {children}
      </body>
    </html>
  )
}
