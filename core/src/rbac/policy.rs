//! Who gets which admin permissions: defaults plus the grants of each mapped group.

use super::decision::GrantSource;
use super::grants::Grants;
use super::group_map::{self, GroupMap};
use crate::config::{EnvReader, FromEnv};
use crate::error::Result;
use crate::permissions::Permission;
use moka::sync::Cache;

/// The permissions every admin gets when `ADMIN_PERMISSIONS_DEFAULT` is unset.
pub const DEFAULT_ADMIN_PERMISSIONS: &str = "admin:*";

/// Most resolved group lists kept, weighed by their groups plus their grants: a bound on memory
/// rather than on entries, since one list may bring thousands of grants.
pub const RESOLVED_CACHE_WEIGHT: u64 = 1 << 18;

/// Resolves an admin's groups into grants.
///
/// Grants = `ADMIN_PERMISSIONS_DEFAULT` ∪ the mapped permissions of each of the principal's groups
/// (in the order of the groups claim), de-duplicated with order kept.
///
/// Resolution is linear in the grants it yields, and its result is kept per distinct group list
/// (in order; a bounded cache shared by clones), so a repeat authentication with the same groups
/// does not resolve again. The policy never changes after it is built, so a kept result is never
/// stale.
#[derive(Clone)]
pub struct RbacPolicy {
    defaults: Vec<Permission>,
    groups: GroupMap,
    resolved: Cache<Vec<String>, Grants>,
}

impl PartialEq for RbacPolicy {
    /// Two policies are equal when they grant alike; what either has cached does not count.
    fn eq(&self, other: &Self) -> bool {
        self.defaults == other.defaults && self.groups == other.groups
    }
}

impl Eq for RbacPolicy {}

impl std::fmt::Debug for RbacPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RbacPolicy")
            .field("defaults", &self.defaults)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl Default for RbacPolicy {
    /// The services' defaults: every admin gets `admin:*`, no group mapping.
    fn default() -> Self {
        RbacPolicy::new(vec![Permission::known("admin:*")], GroupMap::default())
    }
}

fn resolved_cache() -> Cache<Vec<String>, Grants> {
    Cache::builder()
        .max_capacity(RESOLVED_CACHE_WEIGHT)
        .weigher(|groups: &Vec<String>, grants: &Grants| {
            let weight = 1 + groups.len() + grants.permissions().len();
            u32::try_from(weight).unwrap_or(u32::MAX)
        })
        .build()
}

impl RbacPolicy {
    /// A policy from explicit defaults and group map.
    pub fn new(defaults: Vec<Permission>, groups: GroupMap) -> RbacPolicy {
        RbacPolicy {
            defaults,
            groups,
            resolved: resolved_cache(),
        }
    }

    /// The default permissions.
    pub fn defaults(&self) -> &[Permission] {
        &self.defaults
    }

    /// The group map.
    pub fn group_map(&self) -> &GroupMap {
        &self.groups
    }

    /// The grants of an admin in `groups`, each with its source: the kept result when this list
    /// of groups (same groups, same order) was resolved before.
    pub fn resolve<S: AsRef<str>>(&self, groups: &[S]) -> Grants {
        let key: Vec<String> = groups.iter().map(|g| g.as_ref().to_owned()).collect();
        // Concurrent callers with the same list share one resolution.
        self.resolved
            .get_with(key, || self.resolve_uncached(groups))
    }

    /// The grants of an admin whose claims are `claims`, reading the groups from
    /// `groups_claim` (a name, or a JSON pointer when it starts with `/`, as `OIDC_GROUPS_CLAIM`).
    /// A groups claim of the wrong type is `invalid_claim`, never "no groups". For callers that
    /// hold claims already verified elsewhere; an [`AdminAuthenticator`](crate::AdminAuthenticator)
    /// resolves the grants of the tokens it verifies itself.
    pub fn resolve_claims(
        &self,
        claims: &serde_json::Map<String, serde_json::Value>,
        groups_claim: &str,
    ) -> Result<Grants> {
        let groups = crate::jose::claims::groups(claims, groups_claim)?;
        Ok(self.resolve(&groups))
    }

    /// [`resolve`](Self::resolve) without the cache: the resolution itself, each time.
    pub fn resolve_uncached<S: AsRef<str>>(&self, groups: &[S]) -> Grants {
        let defaults = self
            .defaults
            .iter()
            .map(|p| (p.clone(), GrantSource::Default));
        let mapped = groups.iter().flat_map(|group| {
            let group = group.as_ref();
            self.groups
                .permissions(group)
                .iter()
                .map(move |p| (p.clone(), GrantSource::Group(group.to_owned())))
        });
        Grants::new(defaults.chain(mapped))
    }
}

/// `ADMIN_PERMISSIONS_DEFAULT` and `ADMIN_GROUP_PERMISSIONS_JSON`.
impl FromEnv for RbacPolicy {
    type Output = RbacPolicy;

    /// Reads through `env`, recording problems there.
    fn read_env(env: &mut EnvReader<'_>) -> RbacPolicy {
        // Set-but-empty means "no default permissions", as in the services.
        let defaults = env.parsed_list(
            "ADMIN_PERMISSIONS_DEFAULT",
            DEFAULT_ADMIN_PERMISSIONS,
            Permission::parse,
        );
        let groups = match env.text(group_map::VARIABLE) {
            None => GroupMap::default(),
            Some(document) => GroupMap::parse(&document).unwrap_or_else(|problems| {
                for problem in problems {
                    env.problem(problem);
                }
                GroupMap::default()
            }),
        };
        RbacPolicy::new(defaults, groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<RbacPolicy> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        RbacPolicy::from_env_source(&map)
    }

    fn names(grants: &Grants) -> Vec<&str> {
        grants
            .permissions()
            .iter()
            .map(Permission::as_str)
            .collect()
    }

    #[test]
    fn defaults_to_admin_star() {
        let policy = load(&[]).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(names(&policy.resolve::<&str>(&[])), ["admin:*"]);
    }

    #[test]
    fn unions_defaults_and_groups_in_order() {
        let policy = load(&[
            (
                "ADMIN_PERMISSIONS_DEFAULT",
                "admin:read, admin:provision:read",
            ),
            (
                "ADMIN_GROUP_PERMISSIONS_JSON",
                r#"{"sre": ["admin:provision", "admin:read"], "ops": "admin:agent:run"}"#,
            ),
        ])
        .unwrap_or_else(|e| unreachable!("{e}"));
        let grants = policy.resolve(&["ops", "unmapped", "sre"]);
        assert_eq!(
            names(&grants),
            [
                "admin:read",
                "admin:provision:read",
                "admin:agent:run",
                "admin:provision"
            ]
        );
        let sources: Vec<String> = grants.iter().map(|(_, s)| s.to_string()).collect();
        assert_eq!(sources, ["default", "default", "group:ops", "group:sre"]);
    }

    #[test]
    fn a_repeat_resolution_is_the_kept_result() {
        let policy = load(&[(
            "ADMIN_GROUP_PERMISSIONS_JSON",
            r#"{"sre": ["admin:provision", "admin:*"], "ops": "admin:read"}"#,
        )])
        .unwrap_or_else(|e| unreachable!("{e}"));
        let first = policy.resolve(&["sre", "ops"]);
        assert_eq!(names(&first), ["admin:*", "admin:provision", "admin:read"]);
        // The same list, however it is passed, is not resolved again.
        let again = policy.resolve(&["sre".to_owned(), "ops".to_owned()]);
        assert!(again.shares(&first));
        assert!(policy.clone().resolve(&["sre", "ops"]).shares(&first));
        let fresh = policy.resolve_uncached(&["sre", "ops"]);
        assert!(!fresh.shares(&first));
        assert_eq!(
            fresh.iter().collect::<Vec<_>>(),
            first.iter().collect::<Vec<_>>()
        );
        // Order is part of the key: it decides order and sources.
        let reordered = policy.resolve(&["ops", "sre"]);
        assert!(!reordered.shares(&first));
        assert_eq!(
            names(&reordered),
            ["admin:*", "admin:read", "admin:provision"]
        );
        let sources: Vec<String> = reordered.iter().map(|(_, s)| s.to_string()).collect();
        assert_eq!(sources, ["default", "group:ops", "group:sre"]);
        // Equality is about what a policy grants, not what it has cached.
        assert_eq!(policy, policy.clone());
        assert_ne!(policy, RbacPolicy::default());
    }

    #[test]
    fn an_empty_default_grants_nothing() {
        let policy =
            load(&[("ADMIN_PERMISSIONS_DEFAULT", "")]).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(policy.resolve::<&str>(&[]).permissions().is_empty());
    }

    #[test]
    fn malformed_configuration_fails_at_load() {
        let e = load(&[
            ("ADMIN_PERMISSIONS_DEFAULT", "admin:*,bad perm"),
            ("ADMIN_GROUP_PERMISSIONS_JSON", r#"{"sre": "admin::x"}"#),
        ])
        .err();
        let Some(e) = e else {
            unreachable!("must fail")
        };
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        for needle in ["`bad perm`", "`sre`", "`admin::x`"] {
            assert!(e.message().contains(needle), "{needle}: {}", e.message());
        }
        assert!(load(&[("ADMIN_GROUP_PERMISSIONS_JSON", "{oops")]).is_err());
    }
}
