//! What a readiness probe needs to know.

use serde::Serialize;

/// The remote key set's health.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JwksHealth {
    /// A set is loaded and within `max_age + max_stale`: verification can proceed.
    pub usable: bool,
    /// The set served is past its `max_age` (fetching has been failing) or past serving.
    pub stale: bool,
    /// Seconds since the set served was fetched; `None` before the first fetch.
    pub age_seconds: Option<f64>,
    /// Whether the last fetch loaded a set; `None` before any fetch.
    pub last_fetch_ok: Option<bool>,
    /// The last fetch's error code, when it failed.
    pub last_fetch_code: Option<&'static str>,
    /// Seconds since the last fetch ended.
    pub last_fetch_seconds_ago: Option<f64>,
}

/// The JTI store's health, from one probe call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreHealth {
    /// The probe was answered in time.
    pub reachable: bool,
    /// Its error code when it was not.
    pub code: Option<&'static str>,
}

/// A validator's, verifier's or authenticator's health.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Health {
    /// Every component can serve: the key set (if remote) is usable and the JTI store (if any)
    /// answered. An inline key set is always usable.
    pub ready: bool,
    /// The remote key set, when there is one.
    pub jwks: Option<JwksHealth>,
    /// The JTI store, when there is one.
    pub jti_store: Option<StoreHealth>,
}

impl Health {
    /// Combines components: ready when each is.
    pub(crate) fn of(jwks: Option<JwksHealth>, jti_store: Option<StoreHealth>) -> Health {
        let ready = jwks.as_ref().is_none_or(|j| j.usable)
            && jti_store.as_ref().is_none_or(|s| s.reachable);
        Health {
            ready,
            jwks,
            jti_store,
        }
    }

    /// The HTTP status a readiness endpoint answers with: 200 when ready, else 503.
    pub fn http_status(&self) -> u16 {
        if self.ready {
            200
        } else {
            503
        }
    }

    /// The JSON body of a readiness endpoint.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
