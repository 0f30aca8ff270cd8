//! The member-list parser against the map parser: the same verdict, error and members, always.
//! Impersonation claims are checked from the list, so a difference would let the two disagree on
//! what a token says.
#![no_main]

use incidentfox_auth::jose::json::{parse_members, parse_object};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match (parse_object(data), parse_members(data)) {
        (Ok(map), Ok(members)) => {
            let from_map: Vec<_> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let listed: Vec<_> = members.iter().map(|(k, v)| (k.as_ref(), v)).collect();
            assert_eq!(from_map, listed);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("map parser {a:?}, member parser {b:?}"),
    }
});
