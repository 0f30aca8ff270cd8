//! Plain conversions between JS values and core inputs.

use std::collections::HashMap;

/// An environment: the given object (entries whose value is `undefined` or `null` are unset),
/// or the process environment when `None` (Node writes `process.env` through to it).
pub fn env_map(env: Option<HashMap<String, Option<String>>>) -> HashMap<String, String> {
    match env {
        Some(vars) => vars
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect(),
        None => std::env::vars().collect(),
    }
}

/// A list of strings from one string or several.
pub fn one_or_many(value: napi::Either<String, Vec<String>>) -> Vec<String> {
    match value {
        napi::Either::A(one) => vec![one],
        napi::Either::B(many) => many,
    }
}

/// The fields of a verification result as the JSON text of one array, which `lib/verified.js`
/// parses. Strings, numbers and arrays of them always serialise; were one ever not to, the
/// verification fails rather than answer without its fields.
pub fn fields_json<T: serde::Serialize>(fields: &T) -> incidentfox_auth::Result<String> {
    serde_json::to_string(fields).map_err(|_| {
        incidentfox_auth::Error::new(
            incidentfox_auth::ErrorCode::InvalidClaim,
            "the verified token's fields do not serialise",
        )
    })
}
