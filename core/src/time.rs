//! Wall-clock time as Unix seconds (fractional), the unit of JWT NumericDates.

use crate::error::{err, ErrorCode, Result};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, with sub-second precision.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// An instant a caller passes in (`verify_at`, `now=` in Python, `{ now }` in Node, `--now`),
/// checked before any comparison: a NaN makes every `<` and `>=` false, and an infinite clock
/// makes every token look fresh, so either would switch the time checks off rather than fail.
/// Both are `invalid_config`, the code the bindings give every malformed argument.
pub fn checked_instant(seconds: f64) -> Result<f64> {
    if seconds.is_finite() {
        Ok(seconds)
    } else {
        Err(err(
            ErrorCode::InvalidConfig,
            format!("`now` must be a finite number of unix seconds, got `{seconds}`"),
        ))
    }
}

/// An explicit instant as whole Unix seconds (the `iat` of a minted token), checked as
/// [`checked_instant`] is and then within the range of `i64`; the fraction is dropped.
pub fn whole_seconds(seconds: f64) -> Result<i64> {
    let seconds = checked_instant(seconds)?.floor();
    // Every finite f64 in this range converts exactly; i64::MAX itself is not representable.
    if (-9.0e18..=9.0e18).contains(&seconds) {
        Ok(seconds as i64)
    } else {
        Err(err(
            ErrorCode::InvalidConfig,
            format!("`now` must be a number of unix seconds within range, got `{seconds}`"),
        ))
    }
}

/// The largest clock leeway accepted, seconds. Leeway widens every time check; past a few
/// minutes it stops being about clock skew and starts extending tokens' lives.
pub const MAX_LEEWAY_SECONDS: f64 = 300.0;

/// The problem with a leeway setting named `name`, if any: it must be a finite number from 0
/// to [`MAX_LEEWAY_SECONDS`]. An infinite leeway would switch expiry off; a NaN would make
/// every comparison false.
pub fn leeway_problem(name: &str, seconds: f64) -> Option<String> {
    (!(0.0..=MAX_LEEWAY_SECONDS).contains(&seconds)).then(|| {
        format!(
            "{name} must be a number of seconds from 0 to {MAX_LEEWAY_SECONDS}, got `{seconds}`"
        )
    })
}

/// Whether instant `a` is strictly before `b`; false when either is NaN. Time checks are
/// written as "refuse unless `before(..)`", so an instant that is not a number refuses.
pub(crate) fn before(a: f64, b: f64) -> bool {
    a < b
}

/// Whether instant `a` is at or before `b`; false when either is NaN (see [`before`]).
pub(crate) fn at_or_before(a: f64, b: f64) -> bool {
    a <= b
}

/// When a verification or a mint happens. `Now` goes through the verified-token caches; an
/// explicit instant always verifies in full (tests, replays, vector files) and must be finite
/// (`invalid_config` otherwise). The bindings' optional `now` argument maps onto it with
/// `When::from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    /// The wall clock, read once per call.
    Now,
    /// A given instant, Unix seconds.
    At(f64),
}

impl From<Option<f64>> for When {
    fn from(now: Option<f64>) -> When {
        now.map_or(When::Now, When::At)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_seconds_are_finite_and_in_range() {
        assert_eq!(whole_seconds(1_700_000_000.9).ok(), Some(1_700_000_000));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e19, -1e19] {
            assert!(whole_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_explicit_instant_must_be_finite() {
        assert_eq!(checked_instant(1.5).ok(), Some(1.5));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let e = checked_instant(bad).err();
            assert_eq!(e.map(|e| e.code()), Some(ErrorCode::InvalidConfig), "{bad}");
        }
    }
}
