//! Short-lived HS256 team-impersonation and visitor tokens, as the config service mints
//! them and the agent runtime verifies them.

mod claims;
mod config;
mod signer;
mod verifier;

pub use claims::{TokenKind, VerifiedImpersonation, MAX_JTI_CHARS, TEAM_READ};
pub use config::{
    ImpersonationConfig, RecordMode, DEFAULT_AUDIENCE, DEFAULT_TTL_SECONDS,
    DEFAULT_VISITOR_TTL_SECONDS, ISSUER, LEGACY_AUDIENCE, MIN_TTL_SECONDS,
};
pub use signer::{
    ImpersonationRequest, ImpersonationSigner, MintedToken, RecordFailureHook, VisitorRequest,
};
pub use verifier::ImpersonationVerifier;
