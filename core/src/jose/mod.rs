//! The JOSE layer: strict compact-JWS parsing, header rules, algorithms and signing.
//!
//! Everything here is shared by OIDC and impersonation tokens, so the strict base64url, duplicate
//! member, nesting and header rules apply to every JWT the library reads.

mod algorithm;
pub mod b64;
pub(crate) mod claims;
mod compact;
mod header;
pub mod json;
mod sign;

pub use algorithm::{Algorithm, KeyKind};
pub use compact::{parse_compact, CompactJws};
pub(crate) use compact::{parse_jws, parse_jws_known, Jws, KnownHeader};
pub use header::Header;
pub(crate) use sign::jwt_header;
pub use sign::{generate_pkcs8, SigningKey};
