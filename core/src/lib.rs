#![doc = include_str!("../README.md")]

pub mod authenticate;
mod check;
pub mod config;
pub mod cookie;
pub mod error;
pub mod hooks;
mod http;
pub mod impersonation;
pub mod jose;
pub mod jti;
pub mod keys;
pub mod login;
pub mod observe;
pub mod oidc;
pub mod permissions;
mod principal;
mod random;
pub mod rbac;
mod secret;
mod size_cap;
pub mod team_tokens;
mod text;
pub mod time;
mod verified_cache;

pub use authenticate::{AdminAuthenticator, AuthMode, Authenticator, Credentials};
pub use check::{check_env, ConfigReport};
pub use error::{Error, ErrorCode, HttpResponse, Result};
pub use jose::{Algorithm, SigningKey};
pub use keys::{JwksCache, JwksSettings, KeySet};
pub use oidc::{ClaimNames, Identity, KeySource, OidcConfig, OidcValidator, VerifiedToken};
pub use permissions::{Permission, PermissionSet};
pub use principal::{AuthKind, Principal, Role, TeamRequirement};
pub use rbac::{Decision, DenyReason, GrantSource, Grants, RbacPolicy, RouteTable};
pub use secret::Secret;
pub use team_tokens::{
    GeneratedTeamToken, ParsedTeamToken, StoredTeamToken, StoredTokenKind, TokenPepper,
};
pub use time::When;
pub use verified_cache::VerifiedCacheSettings;

// The repository README's Rust quickstart is a doc test too. The README sits outside this
// crate's package, so it is read only under `cfg(doctest)`, which neither `cargo package` nor a
// downstream build ever sets.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;
