//! The events the library emits, through [`tracing`], under stable names.
//!
//! Every event has the field `event` (one of [`EVENT_NAMES`]) and is emitted under a target that
//! names its area: `incidentfox_auth::keys`, `::jti`, `::lookup`, `::login`, `::config`,
//! `::verify`. Fields are codes, counts, durations and configuration-chosen sources; never a
//! token, a secret, a password, a cookie or a claim value a caller controls (not even a `kid`).

use crate::error::ErrorCode;
use std::time::Duration;
use url::Url;

/// Every event name, with its level and area (the target's last segment).
pub const EVENT_NAMES: [(&str, &str, &str); 11] = [
    ("jwks.fetched", "info", "keys"),
    ("jwks.fetch_failed", "warn", "keys"),
    ("jwks.stale_served", "warn", "keys"),
    ("jwks.unknown_kid_refetch", "info", "keys"),
    ("jwks.unknown_kid_refused", "info", "keys"),
    ("jti_store.failed", "warn", "jti"),
    ("jti_store.slow", "warn", "jti"),
    ("lookup.failed", "warn", "lookup"),
    ("login.outcome", "info", "login"),
    ("config.problem", "warn", "config"),
    ("verification", "debug", "verify"),
];

/// A hook or store call at least this long is reported as slow.
pub const SLOW_CALL: Duration = Duration::from_millis(250);

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A URL as it may be logged: scheme, host, port and path; no user, password, query or fragment.
pub(crate) fn loggable_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

pub(crate) fn jwks_fetched(
    source: &str,
    trigger: &'static str,
    keys_loaded: usize,
    dropped: &[String],
    took: Duration,
) {
    tracing::info!(
        target: "incidentfox_auth::keys",
        event = "jwks.fetched",
        source,
        trigger,
        keys_loaded,
        keys_dropped = dropped.len(),
        dropped_reasons = dropped.join("; "),
        duration_ms = millis(took),
    );
}

pub(crate) fn jwks_fetch_failed(
    source: &str,
    trigger: &'static str,
    code: ErrorCode,
    took: Duration,
    serving_age: Option<Duration>,
) {
    tracing::warn!(
        target: "incidentfox_auth::keys",
        event = "jwks.fetch_failed",
        source,
        trigger,
        code = code.as_str(),
        duration_ms = millis(took),
        serving = serving_age.is_some(),
        serving_age_seconds = serving_age.map_or(-1.0, |d| d.as_secs_f64()),
    );
}

pub(crate) fn jwks_stale_served(age: Duration, stale: Duration) {
    tracing::warn!(
        target: "incidentfox_auth::keys",
        event = "jwks.stale_served",
        age_seconds = age.as_secs_f64(),
        stale_seconds = stale.as_secs_f64(),
    );
}

pub(crate) fn jwks_unknown_kid(refetching: bool) {
    if refetching {
        tracing::info!(target: "incidentfox_auth::keys", event = "jwks.unknown_kid_refetch");
    } else {
        tracing::info!(
            target: "incidentfox_auth::keys",
            event = "jwks.unknown_kid_refused",
            reason = "cooldown",
        );
    }
}

pub(crate) fn jti_store_failed(operation: &'static str, code: ErrorCode, took: Duration) {
    tracing::warn!(
        target: "incidentfox_auth::jti",
        event = "jti_store.failed",
        operation,
        code = code.as_str(),
        duration_ms = millis(took),
    );
}

pub(crate) fn jti_store_slow(operation: &'static str, took: Duration) {
    tracing::warn!(
        target: "incidentfox_auth::jti",
        event = "jti_store.slow",
        operation,
        duration_ms = millis(took),
    );
}

pub(crate) fn lookup_failed(code: ErrorCode, took: Duration) {
    tracing::warn!(
        target: "incidentfox_auth::lookup",
        event = "lookup.failed",
        code = code.as_str(),
        duration_ms = millis(took),
    );
}

/// A login step's outcome: `ok` or the error code; provider outages at `warn`.
pub(crate) fn login_outcome(step: &'static str, code: Option<ErrorCode>) {
    match code {
        Some(code) if code.http_status() >= 500 => tracing::warn!(
            target: "incidentfox_auth::login",
            event = "login.outcome",
            step,
            outcome = code.as_str(),
        ),
        _ => tracing::info!(
            target: "incidentfox_auth::login",
            event = "login.outcome",
            step,
            outcome = code.map_or("ok", ErrorCode::as_str),
        ),
    }
}

/// A configuration problem found while loading (its text names the variable, never a secret's
/// value: the readers only quote values of settings that are not secret).
pub(crate) fn config_problem(problem: &str) {
    tracing::warn!(target: "incidentfox_auth::config", event = "config.problem", problem);
}

pub(crate) fn verification(kind: &'static str, code: Option<ErrorCode>) {
    tracing::debug!(
        target: "incidentfox_auth::verify",
        event = "verification",
        kind,
        outcome = code.map_or("ok", ErrorCode::as_str),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn urls_lose_credentials_and_query() {
        let url = Url::parse("https://user:pw@idp.example:8443/keys?sig=abc#x").unwrap();
        assert_eq!(loggable_url(&url), "https://idp.example:8443/keys");
    }
}
