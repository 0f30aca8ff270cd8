//! `incidentfox-auth`: the operators' tool — verify tokens, explain decisions, check the
//! configuration, and run the demo.
//!
//! Exit codes: 0 success, 1 a token or request was rejected, 2 a usage or configuration error.
//! Errors are printed to stdout as `{"error": {"code", "status", "message"}}`.

mod check_config;
mod demo;
mod demo_impersonation;
mod demo_rbac;
mod explain;
mod hash_team_token;
mod health;
mod impersonation_cmd;
mod oidc_args;
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
    /// Explain whether grants (or an OIDC admin token's groups) allow a permission.
    Explain(Box<explain::ExplainArgs>),
    /// Check every variable the library reads and print each problem.
    CheckConfig,
    /// Fetch the key set, probe the JTI store and print whether the service could serve.
    Health,
    /// Run the main job on embedded defaults: a local key, a static JWKS, no network.
    Demo,
    /// Mint an impersonation (or visitor) token with IMPERSONATION_JWT_SECRET.
    MintImpersonation(Box<impersonation_cmd::MintArgs>),
    /// Verify an impersonation or visitor token and print its claims and principal.
    VerifyImpersonation(Box<impersonation_cmd::VerifyArgs>),
    /// Hash a team token read from stdin, as stored (pepper from TOKEN_PEPPER).
    HashTeamToken,
    /// Generate a team token and print it with its id and stored hash (pepper from TOKEN_PEPPER).
    GenerateTeamToken,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return output::usage_error(e),
    };
    match cli.command {
        Command::Verify(args) => verify::run(*args),
        Command::Explain(args) => explain::run(*args),
        Command::CheckConfig => check_config::run(),
        Command::Health => health::run(),
        Command::Demo => demo::run(),
        Command::MintImpersonation(args) => impersonation_cmd::mint(*args),
        Command::VerifyImpersonation(args) => impersonation_cmd::verify(*args),
        Command::HashTeamToken => hash_team_token::run_hash(),
        Command::GenerateTeamToken => hash_team_token::run_generate(),
    }
}
