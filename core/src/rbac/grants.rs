//! A principal's grants, each remembering where it came from, so a decision can be explained.

use super::decision::{Decision, DenyReason, GrantSource};
use crate::permissions::{Permission, PermissionSet};
use serde::{Serialize, Serializer};
use std::sync::Arc;

/// Grants in order, without duplicates (the first source of a repeated grant is kept),
/// compiled for matching.
///
/// Immutable and shared: a clone is a reference count, so a principal can hold grants that a
/// cache also holds.
#[derive(Debug, Clone, Default)]
pub struct Grants(Arc<Compiled>);

#[derive(Debug, Default)]
struct Compiled {
    set: PermissionSet,
    sources: Vec<GrantSource>,
}

impl Grants {
    /// Collects `grants`, keeping order and dropping repeats, in time linear in their total
    /// length.
    pub fn new(grants: impl IntoIterator<Item = (Permission, GrantSource)>) -> Grants {
        let mut set = PermissionSet::new([]);
        let mut sources = Vec::new();
        for (permission, source) in grants {
            // The set reports whether it kept the grant, so sources line up with its list.
            if set.insert(permission) {
                sources.push(source);
            }
        }
        Grants(Arc::new(Compiled { set, sources }))
    }

    /// Grants that all come from one source.
    pub fn from_source(
        grants: impl IntoIterator<Item = Permission>,
        source: GrantSource,
    ) -> Grants {
        Grants::new(grants.into_iter().map(|p| (p, source.clone())))
    }

    /// The permissions, in order.
    pub fn permissions(&self) -> &[Permission] {
        self.0.set.grants_list()
    }

    /// The permissions with their sources, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Permission, &GrantSource)> {
        self.0.set.grants_list().iter().zip(self.0.sources.iter())
    }

    /// The compiled set.
    pub fn set(&self) -> &PermissionSet {
        &self.0.set
    }

    /// Whether `required` is granted.
    pub fn grants(&self, required: &Permission) -> bool {
        self.0.set.grants(required)
    }

    /// The whole decision for `required`: the first grant that matches and its source, or
    /// `permission_denied`.
    pub fn explain(&self, required: &Permission) -> Decision {
        match self.0.set.matching_index(required) {
            Some(index) => self.allow_by(index, Some(required)),
            None => Decision::deny(required, DenyReason::PermissionDenied),
        }
    }

    /// Whether `self` and `other` are the same compiled grants (one resolution, shared).
    #[cfg(test)]
    pub(crate) fn shares(&self, other: &Grants) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub(crate) fn allow_by(&self, index: usize, required: Option<&Permission>) -> Decision {
        Decision::allow(
            required,
            self.0.set.grants_list().get(index),
            self.0.sources.get(index),
        )
    }
}

impl Serialize for Grants {
    /// Serialises as the list of permission strings (the `/auth/me` shape).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.permissions().iter().map(Permission::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Permission {
        Permission::parse(s).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn keeps_the_first_source_of_a_repeated_grant() {
        let grants = Grants::new([
            (p("admin:*"), GrantSource::Default),
            (p("admin:read"), GrantSource::Group("ops".into())),
            (p("admin:*"), GrantSource::Group("sre".into())),
        ]);
        assert_eq!(grants.permissions(), &[p("admin:*"), p("admin:read")]);
        let decision = grants.explain(&p("admin:provision"));
        assert!(decision.allowed);
        assert_eq!(decision.source.as_deref(), Some("default"));
        let only_group = Grants::new([(p("admin:read"), GrantSource::Group("ops".into()))]);
        let decision = only_group.explain(&p("admin:read"));
        assert_eq!(decision.source.as_deref(), Some("group:ops"));
        assert_eq!(
            serde_json::to_value(&grants).ok(),
            Some(serde_json::json!(["admin:*", "admin:read"]))
        );
    }
}
