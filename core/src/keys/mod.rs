//! Key sets: parsing JWKS, selecting the key a token may use, and fetching and caching remote
//! sets.

pub mod cache;
pub mod fetch;
pub mod jwk;
pub mod set;

pub use cache::{JwksCache, JwksSettings};
pub use jwk::{KeyPolicy, VerifyingKey};
pub use set::{DroppedKey, KeySet};
