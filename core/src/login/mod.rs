//! The web UI's OIDC login: Authorization Code + PKCE (S256) + nonce, on the `openidconnect`
//! crate, with ID tokens verified by this library's validator.

mod config;
mod cookies;
mod flow;
mod return_to;
mod transport;

pub use config::{LoginConfig, DEFAULT_SCOPES, LOGIN_JWKS_COOLDOWN};
pub use cookies::{
    SetCookie, CALLBACK_PATH, LOGIN_COOKIE_MAX_AGE, NONCE_COOKIE, REQUIRE_ROLE_COOKIE,
    RETURN_TO_COOKIE, SESSION_COOKIE_MAX_AGE, STATE_COOKIE, VERIFIER_COOKIE,
};
pub use flow::{LoginResult, LoginStart, OidcLogin};
pub use return_to::sanitize_return_to;
