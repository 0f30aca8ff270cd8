//! `incidentfox-auth explain`: whether a set of grants (or a token's groups) allows a
//! permission, and why.

use crate::oidc_args::{read_token, verify, OidcArgs};
use crate::output;
use clap::Args;
use incidentfox_auth::authenticate::DEFAULT_ADMIN_GROUP;
use incidentfox_auth::config::split_csv;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::{
    AdminAuthenticator, AuthMode, Decision, DenyReason, Error, ErrorCode, GrantSource, Grants,
    Permission, RbacPolicy,
};
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// The permission required, e.g. `admin:provision`.
    #[arg(long)]
    require: String,
    /// The grants to check, as a CSV list.
    #[arg(long, conflicts_with = "token", required_unless_present = "token")]
    grants: Option<String>,
    /// An OIDC admin token (`-` reads stdin): its groups are resolved through
    /// ADMIN_PERMISSIONS_DEFAULT and ADMIN_GROUP_PERMISSIONS_JSON.
    #[arg(long)]
    token: Option<String>,
    #[command(flatten)]
    oidc: OidcArgs,
    /// The group that makes an OIDC user an admin (default: OIDC_ADMIN_GROUP, else
    /// incidentfox-config-admin).
    #[arg(long)]
    admin_group: Option<String>,
    /// Verify the token as of this Unix time instead of now.
    #[arg(long)]
    now: Option<f64>,
}

/// Runs `explain`: exit 0 allowed, 1 denied (or the token rejected), 2 bad input.
pub fn run(args: ExplainArgs) -> ExitCode {
    let required = match Permission::parse(args.require.trim()) {
        Ok(p) => p,
        Err(e) => return output::fail(&e),
    };
    let decision = match &args.grants {
        Some(csv) => explicit_grants(csv).map(|grants| grants.explain(&required)),
        None => token_decision(&args, &required),
    };
    match decision {
        Ok(decision) => {
            output::print(&decision.to_json());
            if decision.allowed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(output::REJECTED)
            }
        }
        Err(e) => output::fail(&e),
    }
}

fn explicit_grants(csv: &str) -> Result<Grants, Error> {
    let grants = split_csv(csv)
        .iter()
        .map(|g| Permission::parse(g))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Grants::from_source(grants, GrantSource::Explicit))
}

fn token_decision(args: &ExplainArgs, required: &Permission) -> Result<Decision, Error> {
    let policy = RbacPolicy::from_env()?;
    let group = args
        .admin_group
        .clone()
        .or_else(|| std::env::var("OIDC_ADMIN_GROUP").ok())
        .unwrap_or_else(|| DEFAULT_ADMIN_GROUP.to_owned());
    let validator = Arc::new(args.oidc.validator()?);
    let admin = AdminAuthenticator::builder()
        .mode(AuthMode::Oidc)
        .oidc(validator.clone())
        .admin_group(group)
        .rbac(policy)
        .build()?;
    let token = read_token(args.token.as_deref())?;
    let verified = verify(&validator, &token, args.now)?;
    match admin.oidc_principal(&verified) {
        Ok(principal) => Ok(principal.explain(required)),
        Err(e) if e.code() == ErrorCode::NotAdmin => {
            Ok(Decision::deny(required, DenyReason::NotAdmin))
        }
        Err(e) => Err(e),
    }
}
