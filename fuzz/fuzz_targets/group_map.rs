//! `ADMIN_GROUP_PERMISSIONS_JSON`: never panics; a map that loads resolves without panic.
#![no_main]

use incidentfox_auth::rbac::GroupMap;
use incidentfox_auth::RbacPolicy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(map) = GroupMap::parse(&text) {
        let groups: Vec<String> = map.groups().to_vec();
        let policy = RbacPolicy::new(Vec::new(), map);
        let grants = policy.resolve(&groups);
        assert!(grants.permissions().len() <= groups.len() * 256 + 1);
    }
});
