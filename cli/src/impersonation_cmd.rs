//! `mint-impersonation` and `verify-impersonation`: the config service's short-lived team tokens, from the
//! `IMPERSONATION_*` variables.

use crate::oidc_args::read_token;
use crate::output;
use clap::Args;
use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
    VisitorRequest,
};
use incidentfox_auth::jti::{store_from_env, JtiStore};
use incidentfox_auth::{Error, ErrorCode};
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `mint-impersonation`.
#[derive(Args)]
pub struct MintArgs {
    /// The organisation.
    #[arg(long)]
    org: String,
    /// The team node.
    #[arg(long)]
    team: String,
    /// The admin's subject (not needed for a visitor token).
    #[arg(long, required_unless_present = "visitor_session")]
    subject: Option<String>,
    /// The admin's email (written as null when absent, as the config service writes it), or the visitor's (no claim
    /// when absent).
    #[arg(long)]
    email: Option<String>,
    /// TTL in seconds (default IMPERSONATION_TOKEN_TTL_SECONDS or VISITOR_TOKEN_TTL_SECONDS;
    /// under 60 is raised to 60).
    #[arg(long)]
    ttl: Option<i64>,
    /// Mint a visitor token for this session instead.
    #[arg(long)]
    visitor_session: Option<String>,
}

/// Arguments of `verify-impersonation`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The token, or `-` (or nothing) to read it from stdin.
    token: Option<String>,
    /// Verify as of this Unix time instead of now.
    #[arg(long)]
    now: Option<f64>,
}

/// A store only when the configuration asks for one (`IMPERSONATION_JTI_STORE`).
fn store(config: &ImpersonationConfig) -> Result<Option<Arc<dyn JtiStore>>, Error> {
    if config.records_at_mint() || config.needs_store_at_verify() {
        Ok(Some(store_from_env()?))
    } else {
        Ok(None)
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorCode::InvalidConfig, format!("runtime: {e}")))
}

/// Runs `mint-impersonation`: prints `{"token", "expires_at", "jti"}`.
pub fn mint(args: MintArgs) -> ExitCode {
    let outcome = (|| {
        let config = ImpersonationConfig::from_env()?;
        let signer = ImpersonationSigner::new(config.clone(), store(&config)?)?;
        runtime()?.block_on(async {
            match &args.visitor_session {
                Some(session) => {
                    signer
                        .mint_visitor(&VisitorRequest {
                            org_id: args.org.clone(),
                            team_node_id: args.team.clone(),
                            session_id: session.clone(),
                            email: args.email.clone(),
                            ttl_seconds: args.ttl,
                        })
                        .await
                }
                None => {
                    signer
                        .mint(&ImpersonationRequest {
                            org_id: args.org.clone(),
                            team_node_id: args.team.clone(),
                            subject: args.subject.clone().unwrap_or_default(),
                            email: args.email.clone(),
                            ttl_seconds: args.ttl,
                        })
                        .await
                }
            }
        })
    })();
    match outcome {
        Ok(minted) => {
            output::print(&json!({
                "token": minted.token, "expires_at": minted.expires_at, "jti": minted.jti,
            }));
            ExitCode::SUCCESS
        }
        Err(e) => output::fail(&e),
    }
}

/// Runs `verify-impersonation`: prints `{"claims", "me"}` or the error.
pub fn verify(args: VerifyArgs) -> ExitCode {
    let outcome = (|| {
        let config = ImpersonationConfig::from_env()?;
        let verifier = ImpersonationVerifier::new(config.clone(), store(&config)?)?;
        let token = read_token(args.token.as_deref())?;
        runtime()?.block_on(async {
            match args.now {
                Some(now) => verifier.verify_at(&token, now).await,
                None => verifier.verify(&token).await,
            }
        })
    })();
    match outcome {
        Ok(verified) => {
            output::print(&json!({ "claims": verified.claims(), "me": verified.principal() }));
            ExitCode::SUCCESS
        }
        Err(e) => output::fail(&e),
    }
}
