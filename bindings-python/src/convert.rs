//! Plain conversions between Python values and core inputs.

use crate::errors::invalid_argument;
use incidentfox_auth::jose::json::MAX_DEPTH;
use pyo3::prelude::*;
use pyo3::types::{
    PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySequence,
    PySet, PyString, PyTuple,
};
use std::collections::HashMap;

/// An environment: the given mapping, or `os.environ` when `None`.
pub fn env_map(
    py: Python<'_>,
    env: Option<&Bound<'_, PyAny>>,
) -> PyResult<HashMap<String, String>> {
    let owned;
    let source = match env {
        Some(e) => e,
        None => {
            owned = py.import("os")?.getattr("environ")?;
            &owned
        }
    };
    let mapping = source
        .cast::<PyMapping>()
        .map_err(|_| invalid_argument("env must be a mapping of str to str"))?;
    let mut out = HashMap::new();
    for item in mapping.items()?.iter() {
        let (k, v): (String, String) = item
            .extract()
            .map_err(|_| invalid_argument("env must be a mapping of str to str"))?;
        out.insert(k, v);
    }
    Ok(out)
}

/// A JSON value as Python objects (dicts, lists, str, int, float, bool, None).
pub fn to_python<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| invalid_argument(format!("conversion: {e}")))
}

/// A Python value as JSON. Nesting deeper than the core's JSON cap is refused before the
/// conversion, which recurses once per level: a row that contains itself (or a few thousand
/// nested lists) would otherwise overflow the stack and take the interpreter down.
pub fn from_python(value: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    nesting_within(value, MAX_DEPTH)?;
    pythonize::depythonize(value).map_err(|e| invalid_argument(format!("not json-like: {e}")))
}

/// Whether `value` nests at most `levels` containers deep (the value itself counting as one),
/// looking where the conversion looks: dicts (keys and values), lists, tuples, sets, and any
/// other mapping or sequence but text and bytes.
fn nesting_within(value: &Bound<'_, PyAny>, levels: usize) -> PyResult<()> {
    // Scalars first: the abstract `Sequence` and `Mapping` checks below are the slow ones.
    if value.is_none()
        || value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyFloat>()
        || value.is_instance_of::<PyBytes>()
        || value.is_instance_of::<PyByteArray>()
    {
        return Ok(());
    }
    let inner: Vec<Bound<'_, PyAny>> = if let Ok(dict) = value.cast::<PyDict>() {
        dict.iter().flat_map(|(k, v)| [k, v]).collect()
    } else if value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>()
    {
        value.try_iter()?.collect::<PyResult<_>>()?
    } else if let Ok(sequence) = value.cast::<PySequence>() {
        sequence.try_iter()?.collect::<PyResult<_>>()?
    } else if let Ok(mapping) = value.cast::<PyMapping>() {
        mapping
            .items()?
            .iter()
            .map(|item| item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
            .collect::<PyResult<Vec<_>>>()?
            .into_iter()
            .flat_map(|(k, v)| [k, v])
            .collect()
    } else {
        return Ok(());
    };
    let Some(left) = levels.checked_sub(1) else {
        return Err(invalid_argument(format!(
            "nested deeper than {MAX_DEPTH} levels (or contains itself)"
        )));
    };
    inner.iter().try_for_each(|v| nesting_within(v, left))
}

/// A team-token row as the core reads it: a mapping whose values are converted one by one. A
/// `datetime` (a `timestamptz` column through SQLAlchemy or asyncpg) becomes its ISO 8601 text,
/// which the core reads as RFC 3339 (a naive one has no offset and is refused there). A float
/// that is not finite is refused here: JSON has no NaN, and the generic conversion would make it
/// `null`, which reads as "never revoked".
pub fn row_from_python(row: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    let py = row.py();
    let datetime = py.import("datetime")?.getattr("datetime")?;
    let mapping = row
        .cast::<PyMapping>()
        .map_err(|_| invalid_argument("a lookup row must be a mapping"))?;
    let mut out = serde_json::Map::new();
    for item in mapping.items()?.iter() {
        let (name, value): (String, Bound<'_, PyAny>) = item
            .extract()
            .map_err(|_| invalid_argument("a lookup row's keys must be str"))?;
        let value = if value.is_instance(&datetime)? {
            serde_json::Value::String(value.call_method0("isoformat")?.extract()?)
        } else if let Ok(number) = value.cast::<pyo3::types::PyFloat>() {
            let number = number.value();
            serde_json::Number::from_f64(number)
                .map(serde_json::Value::Number)
                .ok_or_else(|| invalid_argument(format!("`{name}` is `{number}`, not a number")))?
        } else {
            from_python(&value)?
        };
        out.insert(name, value);
    }
    Ok(serde_json::Value::Object(out))
}

/// A dict from a JSON object value.
pub fn dict<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyDict>> {
    to_python(py, value)?
        .cast_into::<PyDict>()
        .map_err(|_| invalid_argument("expected a json object"))
}

/// A claims mapping as the JSON object the core reads; anything else is `invalid_config`.
pub fn claims_from_python(
    value: &Bound<'_, PyAny>,
) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    match from_python(value)? {
        serde_json::Value::Object(members) => Ok(members),
        _ => Err(crate::errors::invalid_argument("claims must be a mapping")),
    }
}
