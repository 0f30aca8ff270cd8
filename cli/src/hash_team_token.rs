//! `incidentfox-auth hash-team-token` and `generate-team-token`: the opaque team-token hash as
//! the services store it, for operators seeding or checking `team_tokens` rows by hand.

use crate::output;
use incidentfox_auth::team_tokens::{generate, ParsedTeamToken, MAX_SECRET_LEN, MAX_TOKEN_ID_LEN};
use incidentfox_auth::{Error, ErrorCode, TokenPepper};
use serde_json::json;
use std::io::Read;
use std::process::ExitCode;

/// Most bytes read from stdin: far above a token's length, low enough that a stray pipe cannot
/// exhaust memory.
const MAX_STDIN: u64 = 64 * 1024;

/// Reads a token from stdin, prints `{"token_id", "token_hash"}`.
pub fn run_hash() -> ExitCode {
    // The pepper first, so a misconfigured shell never waits on stdin.
    let outcome = TokenPepper::from_env().and_then(|pepper| {
        let token = read_stdin()?;
        let parsed = ParsedTeamToken::parse(&token)?;
        Ok(json!({
            "token_id": parsed.token_id(),
            "token_hash": parsed.stored_hash(&pepper),
        }))
    });
    finish(outcome)
}

/// Generates a token and prints `{"token", "token_id", "token_hash"}`.
pub fn run_generate() -> ExitCode {
    let outcome = TokenPepper::from_env().and_then(|pepper| {
        let generated = generate()?;
        Ok(json!({
            "token": generated.token(),
            "token_id": generated.token_id(),
            "token_hash": generated.stored_hash(&pepper),
        }))
    });
    finish(outcome)
}

fn finish(outcome: Result<serde_json::Value, Error>) -> ExitCode {
    match outcome {
        Ok(body) => {
            output::print(&body);
            ExitCode::SUCCESS
        }
        Err(e) => output::fail(&e),
    }
}

/// The token from stdin, surrounding whitespace trimmed (a trailing newline from `echo` is
/// normal). Input that is not UTF-8 or longer than the cap is malformed, never quoted.
fn read_stdin() -> Result<String, Error> {
    let mut buffer = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut buffer)
        .map_err(|e| Error::new(ErrorCode::TokenMalformed, format!("reading stdin: {e}")))?;
    if buffer.len() as u64 > MAX_STDIN {
        return Err(Error::new(
            ErrorCode::TokenMalformed,
            format!(
                "stdin exceeds {MAX_STDIN} bytes; a team token is at most {} characters",
                MAX_TOKEN_ID_LEN + 1 + MAX_SECRET_LEN
            ),
        ));
    }
    let text = String::from_utf8(buffer)
        .map_err(|_| Error::new(ErrorCode::TokenMalformed, "stdin is not utf-8"))?;
    Ok(text.trim().to_owned())
}
