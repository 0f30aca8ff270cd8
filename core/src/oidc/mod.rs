//! OIDC token validation: configuration, claim rules and the validator.

mod claims;
mod config;
mod env;
mod validator;
mod verified;

pub use claims::Identity;
pub use config::{
    ClaimNames, KeySource, OidcConfig, DEFAULT_LEEWAY_SECONDS, DEFAULT_MAX_TOKEN_BYTES,
    MAX_MAX_TOKEN_BYTES,
};
pub use validator::{OidcValidator, VerifiedToken};
