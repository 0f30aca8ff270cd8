//! Reading the shared test data under `testdata/`: one loader for every vector test, so a file
//! that is missing or not JSON fails the same way everywhere.

#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// `testdata/<path>`.
pub fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(path)
}

/// `testdata/<path>` parsed as JSON.
pub fn load_testdata(path: &str) -> Value {
    let path = testdata(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `testdata/vectors/<name>` parsed as JSON; every vector file says what it holds.
pub fn load(name: &str) -> Value {
    let doc = load_testdata(&format!("vectors/{name}"));
    assert!(
        doc["description"].as_str().is_some_and(|d| !d.is_empty()),
        "{name} has no description"
    );
    doc
}
