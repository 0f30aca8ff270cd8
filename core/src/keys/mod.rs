//! Key sets: parsing JWKS, selecting the key a token may use, and fetching and caching remote
//! sets.

mod cache;
mod fetch;
mod jwk;
mod set;

pub use cache::{CachedSet, JwksCache, JwksSettings, RemoteSource};
pub use fetch::FetchLimits;
pub(crate) use fetch::Fetcher;
pub use jwk::{KeyPolicy, VerifyingKey, MAX_RSA_EXPONENT_BITS, MIN_RSA_BITS, MIN_RSA_EXPONENT};
pub(crate) use set::unknown_key;
pub use set::{DroppedKey, KeySet};
