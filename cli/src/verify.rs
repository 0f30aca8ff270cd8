//! `incidentfox-auth verify`: one token through the OIDC validator.

use crate::oidc_args::{read_token, verify, OidcArgs};
use crate::output;
use clap::Args;
use serde_json::json;
use std::process::ExitCode;

/// Arguments of `verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The token, or `-` (or nothing) to read it from stdin.
    token: Option<String>,
    #[command(flatten)]
    oidc: OidcArgs,
    /// Verify as of this Unix time instead of now.
    #[arg(long)]
    now: Option<f64>,
}

/// Runs `verify`.
pub fn run(args: VerifyArgs) -> ExitCode {
    // Configuration first, so a bad flag never waits on stdin.
    let outcome = args.oidc.validator().and_then(|validator| {
        let token = read_token(args.token.as_deref())?;
        verify(&validator, &token, args.now)
    });
    match outcome {
        Ok(verified) => {
            output::print(&json!({ "claims": verified.claims(), "identity": verified.identity() }));
            ExitCode::SUCCESS
        }
        Err(e) => output::fail(&e),
    }
}
