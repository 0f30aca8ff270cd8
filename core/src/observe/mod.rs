//! What the library lets an operator see: structured events, counters, health.
//!
//! - **Events** go through [`tracing`] under the targets `incidentfox_auth::<area>` with a
//!   stable `event` field ([`EVENT_NAMES`]); a Rust service sees them with any `tracing`
//!   subscriber. The bindings install a [`Forwarder`] that hands them to Python `logging` and
//!   Node `diagnostics_channel`.
//! - **Counters** are kept by every validator, verifier and authenticator and read as a
//!   [`Stats`] snapshot (`stats()`), as metric [`families`] or as [`openmetrics`] text.
//! - **Health** ([`Health`]) says whether the key set is usable and the JTI store answers, for a
//!   readiness probe.
//!
//! No event, counter or health field carries a token, a secret, a password or a cookie.
//! `docs/observability.md` lists every event, field and metric.

pub(crate) mod counters;
pub(crate) mod events;
mod exposition;
mod forward;
mod health;

pub use counters::{
    set_counting, CacheStats, JtiStoreStats, JwksStats, LatencyStats, Stats, VerificationCount,
    KINDS, LATENCY_BUCKETS,
};
pub use events::{EVENT_NAMES, SLOW_CALL};
pub use exposition::{families, openmetrics, MetricFamily, Sample};
pub use forward::{level_number, EventRecord, FieldValue, Forwarder};
pub use health::{Health, JwksHealth, StoreHealth};
