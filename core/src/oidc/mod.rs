//! OIDC token validation: configuration, claim rules and the validator.

pub mod claims;
pub mod config;
pub mod env;
pub mod validator;
mod verified;

pub use claims::Identity;
pub use config::{ClaimNames, KeySource, OidcConfig};
pub use validator::{OidcValidator, VerifiedToken};
