//! The login callback's inputs: the cookie header and `return_to` never panic, and a sanitised
//! `return_to` is always a same-origin path, in ASCII, that sanitising again keeps as it is.
#![no_main]

use incidentfox_auth::cookie::parse_cookie_header;
use incidentfox_auth::login::sanitize_return_to;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cookies = parse_cookie_header(&text);
    for value in cookies.values().map(String::as_str).chain([text.as_ref()]) {
        let safe = sanitize_return_to(Some(value));
        // The result is the path as a browser would request it (dot segments resolved, non-ASCII
        // percent-encoded), so sanitising it again changes nothing.
        assert_eq!(sanitize_return_to(Some(&safe)), safe, "from {value:?}");
        assert!(safe.is_ascii(), "{safe:?} from {value:?}");
        assert!(safe.starts_with('/'), "{safe:?}");
        assert!(!safe.contains("//") && !safe.contains('\\'), "{safe:?}");
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
    }
});
