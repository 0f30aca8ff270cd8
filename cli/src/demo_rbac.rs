//! The demo's second half: resolve an admin's groups into grants, then explain route decisions.

use incidentfox_auth::rbac::GroupMap;
use incidentfox_auth::{
    AdminAuthenticator, AuthMode, Error, GrantSource, Grants, OidcValidator, Permission,
    RbacPolicy, RouteTable, SigningKey,
};
use serde_json::Value;
use std::sync::Arc;

/// Resolves `admin_token`'s groups and checks three routes and a non-admin; `Ok(true)` when every
/// decision came out as expected.
pub fn resolve_and_explain(
    validator: Arc<OidcValidator>,
    key: &SigningKey,
    claims: &Value,
    now: f64,
) -> Result<bool, Error> {
    let policy = RbacPolicy::new(
        vec![Permission::parse("admin:provision:read")?],
        GroupMap::new([(
            "sre-oncall".to_owned(),
            vec![
                Permission::parse("admin:provision")?,
                Permission::parse("admin:agent:*")?,
            ],
        )]),
    );
    let admins = AdminAuthenticator::builder()
        .mode(AuthMode::Oidc)
        .oidc(validator)
        .rbac(policy)
        .build()?;
    let routes = RouteTable::default().with_require_admin_star(false);

    println!("\n3. resolve: the admin's groups become grants");
    println!("   ADMIN_PERMISSIONS_DEFAULT     admin:provision:read");
    println!("   ADMIN_GROUP_PERMISSIONS_JSON  {{\"sre-oncall\": [\"admin:provision\", \"admin:agent:*\"]}}");
    let admin = admins.authenticate_cached_at(&key.sign_claims(claims)?, now)?;
    println!("   /auth/me  {}", admin.to_json());
    let mut as_expected = show_sources(&admin.permissions);

    println!("\n4. explain: orchestrator routes (ORCHESTRATOR_REQUIRE_ADMIN_STAR=0)");
    for (route, allowed) in [
        ("provision_team", true),
        ("provision_read", true),
        ("agent_run", true),
        ("deprovision", false),
    ] {
        let decision = routes.authorize(&admin, route)?;
        as_expected &= decision.allowed == allowed;
        println!("   {route:<15} {}", decision.to_json());
    }
    let mut outsider = claims.clone();
    if let Some(members) = outsider.as_object_mut() {
        members.insert("groups".into(), serde_json::json!(["sre-oncall"]));
    }
    match admins.authenticate_cached_at(&key.sign_claims(&outsider)?, now) {
        Err(e) => {
            as_expected &= e.code().as_str() == "not_admin";
            println!("   outside the admin group: {} ({})", e.code(), e.message());
        }
        Ok(_) => {
            as_expected = false;
            println!("   UNEXPECTED: a user outside the admin group was accepted");
        }
    }
    Ok(as_expected)
}

fn show_sources(grants: &Grants) -> bool {
    for (permission, source) in grants.iter() {
        println!("   {:<22} from {source}", permission.as_str());
    }
    grants.iter().any(|(p, s)| {
        p.as_str() == "admin:provision" && *s == GrantSource::Group("sre-oncall".into())
    })
}
