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
