//! From a request's credential to a [`Principal`](crate::Principal).

mod admin;
mod admin_env;
mod credential;
mod headers;
mod mode;
mod request;
mod request_env;
mod session_cookie;

pub use admin::{
    admin_token_grants, admin_token_principal, AdminAuthBuilder, AdminAuthenticator,
    InternalService, DEFAULT_ADMIN_GROUP, INTERNAL_SERVICE_HEADER,
    MIN_INTERNAL_SERVICE_SECRET_BYTES,
};
pub use credential::{bearer_token, CredentialShape};
pub use headers::{
    Credentials, ADMIN_TOKEN_HEADER, AUTHORIZATION_HEADER, COOKIE_HEADER, CREDENTIAL_HEADERS,
    ORIGIN_HEADER, TEAM_TOKEN_HEADER,
};
pub use mode::AuthMode;
pub use request::Authenticator;
pub(crate) use request_env::read_team_mode;
pub(crate) use session_cookie::read_session_cookie_policy;
pub use session_cookie::{SessionCookiePolicy, SESSION_COOKIE_CSRF_VAR};
