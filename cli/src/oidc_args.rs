//! The OIDC flags shared by `verify` and `explain`, and verifying one token with them.

use clap::Args;
use incidentfox_auth::config::FromEnv;
use incidentfox_auth::{
    Algorithm, Error, ErrorCode, KeySource, OidcConfig, OidcValidator, VerifiedToken,
};
use std::io::Read;

/// Where keys come from and what a token must satisfy.
#[derive(Args)]
pub struct OidcArgs {
    /// Exact expected issuer.
    #[arg(long)]
    issuer: Option<String>,
    /// Accepted audience (repeatable).
    #[arg(long = "audience")]
    audiences: Vec<String>,
    /// Read the JWKS from a file.
    #[arg(long, conflicts_with = "jwks_url")]
    jwks_file: Option<std::path::PathBuf>,
    /// Fetch the JWKS from a URL (https, or http on loopback). Without this or --jwks-file, keys
    /// come from OIDC discovery on the issuer.
    #[arg(long)]
    jwks_url: Option<String>,
    /// Allowed algorithm (repeatable; default RS256).
    #[arg(long = "alg")]
    algorithms: Vec<String>,
    /// Clock leeway in seconds (default 30).
    #[arg(long)]
    leeway: Option<f64>,
    /// Groups claim: a name or a JSON pointer such as /realm_access/roles.
    #[arg(long)]
    groups_claim: Option<String>,
    /// Take every setting from the OIDC_* environment variables instead.
    #[arg(long, conflicts_with_all = ["issuer", "audiences", "jwks_file", "jwks_url", "algorithms", "leeway", "groups_claim"])]
    from_env: bool,
}

impl OidcArgs {
    /// The validator these flags describe (configuration problems are `invalid_config`).
    pub fn validator(&self) -> Result<OidcValidator, Error> {
        OidcValidator::new(config(self)?)
    }
}

/// Verifies `token` as of `now` (or the clock), fetching keys when the source is remote.
pub fn verify(
    validator: &OidcValidator,
    token: &str,
    now: Option<f64>,
) -> Result<VerifiedToken, Error> {
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::new(ErrorCode::InvalidConfig, format!("runtime: {e}")))?;
        runtime.block_on(async {
            match now {
                Some(now) => validator.verify_at(token, now).await,
                None => validator.verify(token).await,
            }
        })
    }
}

fn config(args: &OidcArgs) -> Result<OidcConfig, Error> {
    if args.from_env {
        return OidcConfig::from_env()?.ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidConfig,
                "OIDC_ENABLED is not 1; nothing to verify against",
            )
        });
    }
    let mut problems = Vec::new();
    let issuer = args.issuer.clone().unwrap_or_else(|| {
        problems.push("--issuer is required (or --from-env)".to_string());
        String::new()
    });
    if args.audiences.is_empty() {
        problems.push("--audience is required (or --from-env)".to_string());
    }
    let keys = match (&args.jwks_file, &args.jwks_url) {
        (Some(path), _) => match std::fs::read_to_string(path) {
            Ok(text) => KeySource::Inline(text),
            Err(e) => {
                problems.push(format!("--jwks-file `{}`: {e}", path.display()));
                KeySource::Inline(String::new())
            }
        },
        (None, Some(url)) => KeySource::Url(url.clone()),
        (None, None) => KeySource::Discovery,
    };
    let mut algorithms = Vec::new();
    for name in &args.algorithms {
        match Algorithm::from_name(name) {
            Some(alg) => algorithms.push(alg),
            None => problems.push(format!("--alg `{name}` is not a supported algorithm")),
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(ErrorCode::InvalidConfig, problems.join("; ")));
    }
    let mut config =
        OidcConfig::new(issuer, String::new(), keys).with_audiences(args.audiences.clone());
    if !algorithms.is_empty() {
        config = config.with_algorithms(algorithms);
    }
    if let Some(leeway) = args.leeway {
        config = config.with_leeway(leeway);
    }
    if let Some(groups) = &args.groups_claim {
        config = config.with_groups_claim(groups.clone());
    }
    Ok(config)
}

/// The token from the argument, or stdin for `-` or no argument; surrounding whitespace trimmed
/// (a trailing newline from `echo` is not part of a token).
pub fn read_token(arg: Option<&str>) -> Result<String, Error> {
    match arg {
        Some(token) if token != "-" => Ok(token.trim().to_owned()),
        _ => {
            let mut buffer = String::new();
            std::io::stdin()
                .take(1024 * 1024)
                .read_to_string(&mut buffer)
                .map_err(|e| {
                    Error::new(ErrorCode::TokenMalformed, format!("reading stdin: {e}"))
                })?;
            Ok(buffer.trim().to_owned())
        }
    }
}
