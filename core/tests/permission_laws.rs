//! Laws of permission matching, and the compiled set checked against the plain reading of the
//! rules (`Permission::grants`) on generated grants — differential testing in the cedar style.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::{Permission, PermissionSet};
use proptest::prelude::*;

/// Segments from a tiny alphabet so that generated grants and permissions overlap often.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[ab]{1,2}", 1 => Just("*".to_string())]
}

fn concrete_segment() -> impl Strategy<Value = String> {
    "[ab]{1,2}".prop_map(String::from)
}

fn permission(seg: impl Strategy<Value = String>) -> impl Strategy<Value = Permission> {
    proptest::collection::vec(seg, 1..5).prop_map(|s| Permission::parse(&s.join(":")).unwrap())
}

proptest! {
    #[test]
    fn a_concrete_permission_grants_itself(p in permission(concrete_segment())) {
        prop_assert!(PermissionSet::new([p.clone()]).grants(&p));
    }

    #[test]
    fn bare_star_grants_everything(p in permission(segment())) {
        prop_assert!(PermissionSet::parse(["*"]).unwrap().grants(&p));
    }

    #[test]
    fn prefix_star_grants_longer_permissions_only(
        prefix in concrete_segment(),
        rest in proptest::collection::vec(segment(), 1..4),
        suffix in "[ab]{1,2}",
    ) {
        let set = PermissionSet::parse([format!("{prefix}:*")]).unwrap();
        let longer = Permission::parse(&format!("{prefix}:{}", rest.join(":"))).unwrap();
        prop_assert!(set.grants(&longer));
        prop_assert!(!set.grants(&Permission::parse(&prefix).unwrap()));
        let lookalike = Permission::parse(&format!("{prefix}{suffix}:{}", rest.join(":"))).unwrap();
        prop_assert!(!set.grants(&lookalike));
    }

    #[test]
    fn adding_grants_never_removes_access(
        grants in proptest::collection::vec(permission(segment()), 0..6),
        extra in proptest::collection::vec(permission(segment()), 0..6),
        required in permission(segment()),
    ) {
        let before = PermissionSet::new(grants.clone()).grants(&required);
        let after = PermissionSet::new(grants.into_iter().chain(extra)).grants(&required);
        prop_assert!(!before || after);
    }

    #[test]
    fn the_compiled_set_agrees_with_the_reference(
        grants in proptest::collection::vec(permission(segment()), 0..8),
        required in permission(segment()),
    ) {
        let set = PermissionSet::new(grants.clone());
        let reference = grants.iter().find(|g| g.grants(&required));
        prop_assert_eq!(set.matching_grant(&required), reference);
    }
}
