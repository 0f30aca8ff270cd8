//! Wall-clock time as Unix seconds (fractional), the unit of JWT NumericDates.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, with sub-second precision.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
