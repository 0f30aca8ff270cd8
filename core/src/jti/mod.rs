//! JTI stores: the allowlist of minted impersonation and visitor tokens.

mod env;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
mod postgres_tls;
mod store;

pub use env::{store_from_env, store_from_env_source};
pub use memory::{MemoryJtiStore, DEFAULT_CAPACITY};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresJtiStore, PostgresSettings};
pub use store::{JtiEntry, JtiStore};
