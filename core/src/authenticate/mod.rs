//! From a request's credential to a [`Principal`](crate::Principal).

mod admin;
mod admin_env;
mod credential;
mod mode;

pub use admin::{
    admin_token_principal, AdminAuthBuilder, AdminAuthenticator, InternalService,
    DEFAULT_ADMIN_GROUP, INTERNAL_SERVICE_HEADER, MIN_INTERNAL_SERVICE_SECRET_BYTES,
};
pub use credential::{bearer_token, CredentialShape};
pub use mode::AuthMode;
