//! Permission parsing: never panics; what parses round-trips and grants itself.
#![no_main]

use incidentfox_auth::Permission;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = Permission::parse(&text) {
        assert_eq!(p.as_str(), text);
        assert!(p.as_str().len() <= 256);
        if !p.as_str().contains('*') {
            assert!(p.grants(&p));
        }
    }
});
