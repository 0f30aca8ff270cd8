//! Grant de-duplication and group resolution against the plain quadratic reading of the rules
//! (keep the first of each grant, in order, with its source): same output, same order, on
//! generated inputs full of repeats; and the per-group-list cache answers exactly what a fresh
//! resolution does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::rbac::GroupMap;
use incidentfox_auth::{GrantSource, Grants, Permission, PermissionSet, RbacPolicy};
use proptest::prelude::*;

/// Segments from a tiny alphabet, so generated grants repeat often.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[ab]{1,2}", 1 => Just("*".to_string())]
}

fn permission() -> impl Strategy<Value = Permission> {
    proptest::collection::vec(segment(), 1..4)
        .prop_map(|s| Permission::parse(&s.join(":")).unwrap())
}

fn source() -> impl Strategy<Value = GrantSource> {
    prop_oneof![
        Just(GrantSource::Default),
        "[xyz]".prop_map(GrantSource::Group),
        Just(GrantSource::Explicit),
    ]
}

/// The reference: a linear scan of what was kept for every grant.
fn naive(grants: &[(Permission, GrantSource)]) -> Vec<(Permission, GrantSource)> {
    let mut kept: Vec<(Permission, GrantSource)> = Vec::new();
    for (permission, source) in grants {
        if !kept.iter().any(|(p, _)| p == permission) {
            kept.push((permission.clone(), source.clone()));
        }
    }
    kept
}

fn pairs(grants: &Grants) -> Vec<(Permission, GrantSource)> {
    grants.iter().map(|(p, s)| (p.clone(), s.clone())).collect()
}

/// The reference resolution: defaults, then each group's grants in the order of the groups.
fn naive_resolve(
    defaults: &[Permission],
    map: &[(String, Vec<Permission>)],
    groups: &[String],
) -> Vec<(Permission, GrantSource)> {
    let mut all: Vec<(Permission, GrantSource)> = defaults
        .iter()
        .map(|p| (p.clone(), GrantSource::Default))
        .collect();
    for group in groups {
        // A repeated group in the map keeps its first entry, as `GroupMap::new` does.
        if let Some((_, perms)) = map.iter().find(|(g, _)| g == group) {
            all.extend(
                perms
                    .iter()
                    .map(|p| (p.clone(), GrantSource::Group(group.clone()))),
            );
        }
    }
    naive(&all)
}

fn group_map() -> impl Strategy<Value = Vec<(String, Vec<Permission>)>> {
    proptest::collection::vec(
        ("[g-j]", proptest::collection::vec(permission(), 0..6)),
        0..6,
    )
}

proptest! {
    #[test]
    fn grants_keep_the_first_of_each_in_order_like_the_reference(
        grants in proptest::collection::vec((permission(), source()), 0..40),
        required in permission(),
    ) {
        let expected = naive(&grants);
        let compiled = Grants::new(grants.clone());
        prop_assert_eq!(pairs(&compiled), expected.clone());
        // The set alone de-duplicates the same way, and still reports the first match.
        let set = PermissionSet::new(grants.iter().map(|(p, _)| p.clone()));
        let kept: Vec<Permission> = expected.iter().map(|(p, _)| p.clone()).collect();
        prop_assert_eq!(set.grants_list(), kept.as_slice());
        let reference = kept.iter().find(|g| g.grants(&required));
        prop_assert_eq!(set.matching_grant(&required), reference);
        let decision = compiled.explain(&required);
        let first = expected.iter().find(|(g, _)| g.grants(&required));
        prop_assert_eq!(decision.matched_grant, first.map(|(p, _)| p.to_string()));
        prop_assert_eq!(decision.source, first.map(|(_, s)| s.to_string()));
    }

    #[test]
    fn resolution_matches_the_reference_and_the_cache_matches_resolution(
        defaults in proptest::collection::vec(permission(), 0..4),
        map in group_map(),
        groups in proptest::collection::vec("[g-k]", 0..8),
    ) {
        let policy = RbacPolicy::new(defaults.clone(), GroupMap::new(map.clone()));
        let expected = naive_resolve(&defaults, &map, &groups);
        let fresh = policy.resolve_uncached(&groups);
        prop_assert_eq!(pairs(&fresh), expected.clone());
        let first = policy.resolve(&groups);
        let again = policy.resolve(&groups);
        prop_assert_eq!(pairs(&first), expected.clone());
        prop_assert_eq!(pairs(&again), expected);
        // A clone shares the cache and answers alike.
        prop_assert_eq!(pairs(&policy.clone().resolve(&groups)), pairs(&first));
    }
}

#[test]
fn ten_thousand_grants_resolve_to_the_same_list_as_the_reference() {
    // Groups bringing overlapping slices of 10,000 distinct grants, plus repeats.
    let all: Vec<Permission> = (0..10_000)
        .map(|i| Permission::parse(&format!("svc{}:area{}:*", i % 97, i)).unwrap())
        .collect();
    let map: Vec<(String, Vec<Permission>)> = (0..20)
        .map(|g| (format!("group-{g}"), all[g * 400..g * 400 + 1000].to_vec()))
        .collect();
    let groups: Vec<String> = (0..20).rev().map(|g| format!("group-{g}")).collect();
    let defaults = vec![Permission::parse("admin:*").unwrap(), all[5].clone()];
    let policy = RbacPolicy::new(defaults.clone(), GroupMap::new(map.clone()));
    let resolved = policy.resolve(&groups);
    assert_eq!(pairs(&resolved), naive_resolve(&defaults, &map, &groups));
    assert_eq!(resolved.permissions().len(), 1 + 8_600);
}
