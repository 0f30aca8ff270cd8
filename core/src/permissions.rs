//! Permissions: parsing, the matching rules, and a compiled set that answers without scanning.
//!
//! A permission is segments joined by `:`; a segment is `[A-Za-z0-9_.-]+` or `*`. A grant matches
//! a required permission segment by segment, case-sensitively: a `*` segment matches exactly one
//! segment, except as the last segment, where it matches one or more; `*` alone matches
//! everything. There is no implied trailing wildcard (`admin:provision` does not grant
//! `admin:provision:read`), and a `*` inside a required permission is literal.

use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::fmt;

/// Longest permission accepted, in bytes.
pub const MAX_PERMISSION_BYTES: usize = 256;

/// A permission string that passed the grammar.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission(String);

impl Permission {
    /// Parses `value`; `invalid_permission` names the value and what is wrong with it.
    pub fn parse(value: &str) -> Result<Permission> {
        let bad = |why: &str| {
            err(
                ErrorCode::InvalidPermission,
                format!("permission `{}` {why}", clip(value)),
            )
        };
        if value.len() > MAX_PERMISSION_BYTES {
            return Err(bad(&format!("is longer than {MAX_PERMISSION_BYTES} bytes")));
        }
        if value.is_empty() {
            return Err(bad("is empty"));
        }
        for segment in value.split(':') {
            if segment.is_empty() {
                return Err(bad("has an empty segment"));
            }
            let valid = segment == "*"
                || segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !valid {
                return Err(bad(
                    "has a segment that is neither `*` nor made of letters, digits, `_`, `.`, `-`",
                ));
            }
        }
        Ok(Permission(value.to_owned()))
    }

    /// A permission written in this crate's source (a default or a fixed grant); the tests check
    /// that every such literal passes [`Permission::parse`].
    pub(crate) fn known(value: &'static str) -> Permission {
        debug_assert!(Permission::parse(value).is_ok(), "{value}");
        Permission(value.to_owned())
    }

    /// The permission as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split(':')
    }

    /// Whether this permission, held as a grant, grants `required` — the plain reading of the
    /// rules, used as the reference the compiled [`PermissionSet`] is tested against.
    pub fn grants(&self, required: &Permission) -> bool {
        let grant: Vec<&str> = self.segments().collect();
        let need: Vec<&str> = required.segments().collect();
        let Some((last, init)) = grant.split_last() else {
            return false;
        };
        if *last == "*" {
            // `init` must match the first segments one for one, and at least one more must follow.
            need.len() > init.len() && init.iter().zip(&need).all(|(g, n)| *g == "*" || g == n)
        } else {
            grant.len() == need.len() && grant.iter().zip(&need).all(|(g, n)| *g == "*" || g == n)
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Grants compiled into a trie over segments.
///
/// `grants(required)` walks the required permission once; the work depends on its length (and
/// on how many wildcard branches are live at once), not on how many grants the set holds.
#[derive(Debug, Clone, Default)]
pub struct PermissionSet {
    grants: Vec<Permission>,
    nodes: Vec<Node>,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// Literal children. foldhash (randomly seeded per process) hashes a short segment in a few
    /// nanoseconds, where SipHash or a binary search over many children costs several times that.
    literal: HashMap<Box<str>, u32, RandomState>,
    /// Child for a `*` segment that is not the last one.
    star: Option<u32>,
    /// Index of the first grant that ends exactly here.
    exact: Option<usize>,
    /// Index of the first grant that ends here with a trailing `*` (one or more segments).
    tail: Option<usize>,
}

impl PermissionSet {
    /// Compiles `grants`, keeping their order (the first matching grant is reported) and
    /// dropping duplicates. Linear in the total length of the grants.
    pub fn new(grants: impl IntoIterator<Item = Permission>) -> PermissionSet {
        let mut set = PermissionSet {
            grants: Vec::new(),
            nodes: vec![Node::default()],
        };
        for grant in grants {
            set.insert(grant);
        }
        set
    }

    /// Parses and compiles a list of strings; the first malformed one is `invalid_permission`.
    pub fn parse<S: AsRef<str>>(grants: impl IntoIterator<Item = S>) -> Result<PermissionSet> {
        let parsed = grants
            .into_iter()
            .map(|g| Permission::parse(g.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        Ok(PermissionSet::new(parsed))
    }

    /// Adds `grant` after the others unless the set holds it already; true when added.
    ///
    /// A grant's path through the trie spells it exactly (segment by segment, with a trailing `*`
    /// ending in `tail` and anything else in `exact`), so a repeat is found where its path ends:
    /// the walk that places a grant also de-duplicates it, without comparing it to the others.
    pub(crate) fn insert(&mut self, grant: Permission) -> bool {
        let index = self.grants.len();
        let mut node = 0;
        let mut trailing_star = false;
        {
            let mut segments = grant.segments().peekable();
            while let Some(segment) = segments.next() {
                if segment == "*" && segments.peek().is_none() {
                    trailing_star = true;
                    break;
                }
                node = self.child(node, segment);
            }
        }
        let Some(n) = self.nodes.get_mut(node) else {
            return false;
        };
        let slot = if trailing_star {
            &mut n.tail
        } else {
            &mut n.exact
        };
        if slot.is_some() {
            return false;
        }
        *slot = Some(index);
        self.grants.push(grant);
        true
    }

    fn child(&mut self, node: usize, segment: &str) -> usize {
        // Node indices are stored as u32 to keep the matcher's state buffer small; a trie past
        // four billion nodes cannot be built in memory anyway.
        let Ok(next) = u32::try_from(self.nodes.len()) else {
            return node;
        };
        let Some(n) = self.nodes.get_mut(node) else {
            return node;
        };
        let existing = if segment == "*" {
            *n.star.get_or_insert(next)
        } else if let Some(child) = n.literal.get(segment) {
            *child
        } else {
            n.literal.insert(segment.into(), next);
            next
        };
        if existing == next {
            self.nodes.push(Node::default());
        }
        existing as usize
    }

    /// The grants, in order, without duplicates.
    pub fn grants_list(&self) -> &[Permission] {
        &self.grants
    }

    /// Whether the set holds no grant (an empty set grants nothing).
    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// Whether any grant grants `required`.
    pub fn grants(&self, required: &Permission) -> bool {
        self.matching_grant(required).is_some()
    }

    /// The first grant (in order) that grants `required`.
    pub fn matching_grant(&self, required: &Permission) -> Option<&Permission> {
        self.matching_index(required)
            .and_then(|i| self.grants.get(i))
    }

    /// The position in [`PermissionSet::grants_list`] of the first grant that grants `required`.
    pub fn matching_index(&self, required: &Permission) -> Option<usize> {
        // Live states fit a small inline buffer for any realistic grant set; a set with many
        // overlapping wildcards falls back to the heap.
        self.walk::<Inline>(required)
            .unwrap_or_else(|| self.walk::<Vec<u32>>(required).flatten())
    }

    /// Walks the trie segment by segment. `None` when the state buffer overflowed.
    fn walk<S: States>(&self, required: &Permission) -> Option<Option<usize>> {
        let mut best: Option<usize> = None;
        let mut keep = |found: Option<usize>| {
            if let Some(f) = found {
                best = Some(best.map_or(f, |b| b.min(f)));
            }
        };
        let mut states = S::default();
        let mut next = S::default();
        states.add(0).then_some(())?;
        for segment in required.segments() {
            next.clear();
            for state in states.items() {
                let Some(node) = self.nodes.get(*state as usize) else {
                    continue;
                };
                keep(node.tail);
                if let Some(child) = node.literal.get(segment) {
                    next.add(*child).then_some(())?;
                }
                if let Some(child) = node.star {
                    next.add(child).then_some(())?;
                }
            }
            std::mem::swap(&mut states, &mut next);
            if states.items().is_empty() {
                break;
            }
        }
        // Only states that consumed every segment may end in an exact grant (after an early
        // break the list is empty).
        for state in states.items() {
            keep(self.nodes.get(*state as usize).and_then(|n| n.exact));
        }
        Some(best)
    }
}

/// A set of trie states (node indices) live after some segments.
trait States: Default {
    /// Adds `state` unless present; `false` when there is no room.
    fn add(&mut self, state: u32) -> bool;
    /// Empties the set.
    fn clear(&mut self);
    /// The states.
    fn items(&self) -> &[u32];
}

/// Up to seven states in 32 bytes on the stack: small enough that swapping two is cheap.
#[derive(Default)]
struct Inline {
    len: u32,
    items: [u32; 7],
}

impl States for Inline {
    fn add(&mut self, state: u32) -> bool {
        if self.items().contains(&state) {
            return true;
        }
        match self.items.get_mut(self.len as usize) {
            Some(slot) => {
                *slot = state;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn items(&self) -> &[u32] {
        self.items.get(..self.len as usize).unwrap_or(&[])
    }
}

impl States for Vec<u32> {
    fn add(&mut self, state: u32) -> bool {
        if !self.contains(&state) {
            self.push(state);
        }
        true
    }

    fn clear(&mut self) {
        Vec::clear(self);
    }

    fn items(&self) -> &[u32] {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Permission {
        Permission::parse(s).unwrap_or_else(|e| unreachable!("{s}: {e}"))
    }

    #[test]
    fn parsing_names_the_bad_value() {
        for bad in [
            "", "a::b", ":a", "a:", "a b", "a:b!", "ä", " a", "a*", "*b:c",
        ] {
            let e = Permission::parse(bad).err();
            assert_eq!(
                e.as_ref().map(|e| e.code()),
                Some(ErrorCode::InvalidPermission),
                "{bad}"
            );
        }
        assert!(Permission::parse(&"a".repeat(257)).is_err());
        assert!(Permission::parse(&"a".repeat(256)).is_ok());
        assert!(Permission::parse("admin:provision.read-x_y:*").is_ok());
    }

    #[test]
    fn the_documented_examples() {
        let set = PermissionSet::new([p("admin:*")]);
        assert!(set.grants(&p("admin:provision")));
        assert!(set.grants(&p("admin:provision:read")));
        assert!(!set.grants(&p("admin")));
        assert!(!set.grants(&p("administrator:read")));
        let set = PermissionSet::new([p("admin:provision")]);
        assert!(!set.grants(&p("admin:provision:read")));
        assert!(!set.grants(&p("Admin:provision")));
        let set = PermissionSet::new([p("*")]);
        assert!(set.grants(&p("anything:at:all")));
        let set = PermissionSet::new([p("team:*:read")]);
        assert!(set.grants(&p("team:a:read")));
        assert!(!set.grants(&p("team:a:b:read")));
        // A `*` in a required permission is literal.
        let set = PermissionSet::new([p("admin:provision")]);
        assert!(!set.grants(&p("admin:*")));
        assert!(PermissionSet::new([]).matching_grant(&p("a")).is_none());
    }

    #[test]
    fn many_live_wildcard_branches_fall_back_to_the_heap() {
        // Every mix of literal and `*` in four segments: sixteen live states at once.
        let mut grants = Vec::new();
        for mask in 0..16u32 {
            let segs: Vec<&str> = ["a", "b", "c", "d"]
                .iter()
                .enumerate()
                .map(|(i, s)| if mask & (1 << i) != 0 { "*" } else { *s })
                .collect();
            grants.push(p(&format!("{}:e", segs.join(":"))));
        }
        grants.reverse();
        let set = PermissionSet::new(grants.clone());
        for required in ["a:b:c:d:e", "x:b:y:d:e", "a:b:c:d:f", "a:b:c:d"] {
            let required = p(required);
            let reference = grants.iter().find(|g| g.grants(&required));
            assert_eq!(set.matching_grant(&required), reference, "{required}");
        }
    }

    #[test]
    fn reports_the_first_matching_grant() {
        let set = PermissionSet::new([p("admin:provision"), p("admin:*"), p("*")]);
        assert_eq!(
            set.matching_grant(&p("admin:provision")),
            Some(&p("admin:provision"))
        );
        assert_eq!(set.matching_grant(&p("admin:x")), Some(&p("admin:*")));
        assert_eq!(set.matching_grant(&p("team:read")), Some(&p("*")));
    }
}
