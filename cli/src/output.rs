//! How the CLI reports results: JSON on stdout and an exit code per outcome.

use incidentfox_auth::{Error, ErrorCode};
use serde_json::{json, Value};
use std::process::ExitCode;

/// Exit code for a rejected token or request.
pub const REJECTED: u8 = 1;
/// Exit code for a usage or configuration problem.
pub const USAGE: u8 = 2;

/// Prints `value` as pretty JSON.
pub fn print(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

/// Prints the error shape and picks the exit code: configuration and key problems are usage
/// errors (2); everything a token or request did wrong is a rejection (1).
pub fn fail(error: &Error) -> ExitCode {
    print(&json!({ "error": error.to_json() }));
    let usage = matches!(
        error.code(),
        ErrorCode::InvalidConfig | ErrorCode::InvalidKey | ErrorCode::InvalidPermission
    );
    ExitCode::from(if usage { USAGE } else { REJECTED })
}

/// Handles clap's outcome: help and version print normally; anything else is a usage error in
/// the error shape.
pub fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // clap's first paragraph, on one line: "the following required arguments were not
    // provided: --require <REQUIRE>".
    let message = e.render().to_string();
    let summary = message
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    let first_line = match summary.trim_start_matches("error: ") {
        "" => "invalid usage",
        text => text,
    };
    fail(&Error::new(ErrorCode::InvalidConfig, first_line.to_owned()))
}
