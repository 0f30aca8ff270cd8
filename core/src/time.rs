//! Wall-clock time as Unix seconds (fractional), the unit of JWT NumericDates.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, with sub-second precision.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// When a verification happens. `Now` goes through the verified-token caches; an explicit
/// instant always verifies in full (tests, replays, vector files).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum When {
    /// The wall clock, read once per call.
    Now,
    /// A given instant, Unix seconds.
    At(f64),
}

impl When {
    /// The instant as Unix seconds.
    pub fn seconds(self) -> f64 {
        match self {
            When::Now => unix_now(),
            When::At(seconds) => seconds,
        }
    }
}
