//! The compiled trie against the reference matcher: the same first matching grant, always.
#![no_main]

use incidentfox_auth::{Permission, PermissionSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let Some(required) = lines.next().and_then(|l| Permission::parse(l).ok()) else {
        return;
    };
    let mut grants: Vec<Permission> = Vec::new();
    for line in lines.take(64) {
        if let Ok(p) = Permission::parse(line) {
            if !grants.contains(&p) {
                grants.push(p);
            }
        }
    }
    let set = PermissionSet::new(grants.clone());
    let reference = grants.iter().find(|g| g.grants(&required));
    assert_eq!(set.matching_grant(&required), reference, "required {required}");
});
