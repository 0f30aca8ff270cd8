//! The demo's last part: an impersonation token through the in-memory JTI store.

use incidentfox_auth::impersonation::{
    ImpersonationConfig, ImpersonationRequest, ImpersonationSigner, ImpersonationVerifier,
};
use incidentfox_auth::jti::{JtiStore, MemoryJtiStore};
use incidentfox_auth::Error;
use std::sync::Arc;

/// Mints with JTI logging and require on, verifies, revokes, and verifies again; `Ok(true)` when
/// every decision came out as expected. Uses the real clock: the store expires entries in real
/// time.
pub fn mint_verify_revoke() -> Result<bool, Error> {
    let now = incidentfox_auth::time::unix_now().floor();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(incidentfox_auth::ErrorCode::InvalidConfig, e.to_string()))?;
    runtime.block_on(run(now))
}

async fn run(now: f64) -> Result<bool, Error> {
    let secret = hex_secret()?;
    let mut config = ImpersonationConfig::new(secret);
    config.jti_logging = true;
    config.jti_require = true;
    let store = Arc::new(MemoryJtiStore::default());
    let shared: Arc<dyn JtiStore> = store.clone();
    let signer = ImpersonationSigner::new(config.clone(), Some(shared.clone()))?;
    let verifier = ImpersonationVerifier::new(config, Some(shared))?;

    println!(
        "\n5. impersonation: an admin acts as a team (HS256, in-memory JTI store, require on)"
    );
    let minted = signer
        .mint_at(
            &ImpersonationRequest {
                org_id: "org-1".into(),
                team_node_id: "team-payments".into(),
                subject: "alice".into(),
                email: Some("alice@example.com".into()),
                ttl_seconds: None,
            },
            now as i64,
        )
        .await?;
    println!(
        "   minted    jti={} expires_at={} (recorded before it was returned)",
        minted.jti, minted.expires_at
    );
    let mut as_expected = true;
    match verifier.verify_at(&minted.token, now + 1.0).await {
        Ok(verified) => println!("   accepted  /auth/me {}", verified.principal().to_json()),
        Err(e) => {
            as_expected = false;
            println!("   UNEXPECTED rejection: {e}");
        }
    }
    store.revoke(&minted.jti).await?;
    match verifier.verify_at(&minted.token, now + 2.0).await {
        Err(e) => {
            as_expected &= e.code().as_str() == "jti_not_found";
            println!("   revoked   {} ({})", e.code(), e.message());
        }
        Ok(_) => {
            as_expected = false;
            println!("   UNEXPECTED: a revoked token was accepted");
        }
    }
    match verifier
        .verify_at(&minted.token, minted.expires_at as f64)
        .await
    {
        Err(e) => {
            as_expected &= e.code().as_str() == "token_expired";
            println!("   at exp    {} ({})", e.code(), e.message());
        }
        Ok(_) => as_expected = false,
    }
    Ok(as_expected)
}

/// A fresh random secret for this run, so the demo never ships a usable key.
fn hex_secret() -> Result<String, Error> {
    let key = incidentfox_auth::team_tokens::generate()?;
    Ok(key.token().replace('.', ""))
}
