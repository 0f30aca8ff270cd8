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

/// The fields of a verification result as `lib/verified.js` reads them: the subject, a NUL,
/// then the JSON text of one array of every field. The subject is what most callers read, and
/// `subject` takes it with one `slice`, no `JSON.parse`; the core refuses a subject holding any
/// control character (an identifier claim), so the first NUL ends it. Strings, numbers and
/// arrays of them always serialise; were one ever not to, the verification fails rather than
/// answer without its fields.
pub fn fields_json<T: serde::Serialize>(
    subject: &str,
    fields: &T,
) -> incidentfox_auth::Result<String> {
    let mut text = Vec::with_capacity(subject.len() + 160);
    text.extend_from_slice(subject.as_bytes());
    text.push(0);
    let unserialisable = || {
        incidentfox_auth::Error::new(
            incidentfox_auth::ErrorCode::InvalidClaim,
            "the verified token's fields do not serialise",
        )
    };
    serde_json::to_writer(&mut text, fields).map_err(|_| unserialisable())?;
    String::from_utf8(text).map_err(|_| unserialisable())
}
