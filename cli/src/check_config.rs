//! `incidentfox-auth check-config`: every variable the library reads, checked at once.

use crate::output;
use incidentfox_auth::check_env;
use incidentfox_auth::config::ProcessEnv;
use serde_json::json;
use std::process::ExitCode;

/// Prints `{"ok", "problems", "notes"}`; exit 2 when any problem was found.
pub fn run() -> ExitCode {
    let report = check_env(&ProcessEnv);
    output::print(&json!({
        "ok": report.is_ok(),
        "problems": report.problems,
        "notes": report.notes,
    }));
    if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(output::USAGE)
    }
}
