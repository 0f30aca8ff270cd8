//! `incidentfox-auth`: the operators' tool — verify tokens, and run the demo.
//!
//! Exit codes: 0 success, 1 a token or request was rejected, 2 a usage or configuration error.
//! Errors are printed to stdout as `{"error": {"code", "status", "message"}}`.

mod demo;
mod output;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "incidentfox-auth",
    version,
    about = "Authentication and authorization decisions for IncidentFox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify an OIDC token and print its claims and identity.
    Verify(Box<verify::VerifyArgs>),
    /// Run the main job on embedded defaults: a local key, a static JWKS, no network.
    Demo,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return output::usage_error(e),
    };
    match cli.command {
        Command::Verify(args) => verify::run(*args),
        Command::Demo => demo::run(),
    }
}
