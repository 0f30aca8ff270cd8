//! Module-level `openmetrics(*objects)` and `metric_families(*objects)`: several objects'
//! counters added together in the core.

use crate::stats::families;
use incidentfox_auth::observe::{self, Stats};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The counters of every object given, added together in the core.
fn merged(objects: &Bound<'_, PyTuple>) -> PyResult<Stats> {
    let py = objects.py();
    let mut each = Vec::with_capacity(objects.len());
    for object in objects.iter() {
        each.push(stats_of(&object)?);
    }
    Ok(py.detach(|| {
        let mut all = Stats::default();
        for stats in &each {
            all.merge(stats);
        }
        all
    }))
}

fn stats_of(object: &Bound<'_, PyAny>) -> PyResult<Stats> {
    let py = object.py();
    if let Ok(v) = object.cast::<crate::oidc::OidcValidator>() {
        let inner = &v.get().inner;
        return Ok(py.detach(|| inner.stats()));
    }
    if let Ok(v) = object.cast::<crate::impersonation::ImpersonationVerifier>() {
        let inner = &v.get().inner;
        return Ok(py.detach(|| inner.stats()));
    }
    if let Ok(a) = object.cast::<crate::authenticator::Authenticator>() {
        let inner = &a.get().inner;
        return Ok(py.detach(|| inner.stats()));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "expected an OidcValidator, ImpersonationVerifier or Authenticator, got {}",
        object.get_type().name()?
    )))
}

/// The OpenMetrics text of these objects' counters together.
#[pyfunction]
#[pyo3(signature = (*objects))]
pub fn openmetrics(objects: &Bound<'_, PyTuple>) -> PyResult<String> {
    let stats = merged(objects)?;
    Ok(observe::openmetrics(&stats))
}

/// The metric families of these objects' counters together.
#[pyfunction]
#[pyo3(signature = (*objects))]
pub fn metric_families<'py>(objects: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
    let stats = merged(objects)?;
    families(objects.py(), &stats)
}
