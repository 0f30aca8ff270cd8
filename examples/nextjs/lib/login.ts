import { OidcLogin } from '@incidentfox/auth'

// A function, not an OidcLogin: the handlers call it on the first request (discovery happens
// then, and again after a failure), so neither `next build` nor the server's start needs the
// provider or the WEB_UI_* variables.
export const login = () => OidcLogin.fromEnv()
