//! JTI stores: the allowlist of minted impersonation and visitor tokens.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod store;

pub use memory::{MemoryJtiStore, DEFAULT_CAPACITY};
#[cfg(feature = "postgres")]
pub use postgres::{PostgresJtiStore, PostgresSettings};
pub use store::{JtiEntry, JtiStore};
