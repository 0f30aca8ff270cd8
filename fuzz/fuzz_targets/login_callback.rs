//! The login callback's inputs: the cookie header and `return_to` never panic, and a sanitised
//! `return_to` is always a same-origin path.
#![no_main]

use incidentfox_auth::cookie::parse_cookie_header;
use incidentfox_auth::login::sanitize_return_to;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cookies = parse_cookie_header(&text);
    for value in cookies.values().map(String::as_str).chain([text.as_ref()]) {
        let safe = sanitize_return_to(Some(value));
        assert!(safe == "/" || safe == value, "{safe:?} from {value:?}");
        assert!(safe.starts_with('/'), "{safe:?}");
        assert!(!safe.contains("//") && !safe.contains('\\'), "{safe:?}");
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
    }
});
