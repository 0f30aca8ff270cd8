//! `sanitize_return_to` on generated input: whatever it returns is a safe same-origin path, in
//! every form a decoder along the way could turn it into.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use incidentfox_auth::login::sanitize_return_to;
use proptest::prelude::*;
use url::Url;

/// The app's origin for these checks; any origin would do.
const APP: &str = "https://app.example.test/some/page?x=1";

/// Pieces redirect tricks are made of, encoded and not, joined in any order.
const PIECES: &[&str] = &[
    "/",
    "//",
    "\\",
    "%2F",
    "%2f",
    "%5C",
    "%5c",
    "%25",
    "%252F",
    "%255C",
    "%2",
    "%",
    "2F",
    "5C",
    ":",
    "https:",
    "javascript:",
    "evil.example",
    "@",
    "?",
    "#",
    "&",
    "=",
    "+",
    ".",
    "..",
    " ",
    "\t",
    "\r",
    "\n",
    "\u{0}",
    "%0d",
    "%0a",
    "%0D%0A",
    "%00",
    "%09",
    "%7F",
    "%C2%85",
    "%E2%80%AE",
    "%FF",
    "%C3",
    "\u{85}",
    "\u{2028}",
    "\u{ff0f}",
    "a",
    "teams",
    "42",
    "Set-Cookie:",
    "%3A",
    "%3a",
    "%40",
    "%3F",
    "%23",
    "%26",
    "%3D",
];

fn tricky() -> impl Strategy<Value = String> {
    let pieces = || proptest::collection::vec(proptest::sample::select(PIECES), 0..12);
    // Half of them start as a path does, which is where the checks have work to do.
    prop_oneof![
        pieces().prop_map(|p| p.concat()),
        (pieces(), pieces()).prop_map(|(a, b)| format!("/{}&{}", a.concat(), b.concat())),
    ]
}

/// Every form of `value` a decoder could produce: the value, then each percent-decoding of the
/// previous form (bytes that are not UTF-8 replaced), until nothing changes.
fn decodings(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_owned()];
    loop {
        let last = forms.last().unwrap();
        let next = percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned();
        if &next == last || forms.len() > 16 {
            return forms;
        }
        forms.push(next);
    }
}

/// What a browser does with a redirect to `path` from the app's page.
fn resolved(path: &str) -> Url {
    Url::parse(APP).unwrap().join(path).unwrap()
}

fn assert_safe(returned: &str, input: &str) {
    assert!(
        returned == "/" || returned == input,
        "{returned:?} is neither `/` nor the input {input:?}"
    );
    for form in decodings(returned) {
        assert!(form.starts_with('/'), "{form:?} (from {input:?})");
        assert!(!form.starts_with("//"), "{form:?} (from {input:?})");
        assert!(!form.contains('\\'), "{form:?} (from {input:?})");
        assert!(
            !form.chars().any(|c| c.is_control()),
            "{form:?} (from {input:?})"
        );
        assert!(!form.contains("://"), "{form:?} (from {input:?})");
        let url = resolved(&form);
        let app = Url::parse(APP).unwrap();
        assert_eq!(url.origin(), app.origin(), "{form:?} (from {input:?})");
        assert_eq!(url.username(), "", "{form:?} (from {input:?})");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Whatever goes in, what comes out is `/` or the input, and every decoding of it is a
    /// same-origin absolute path.
    #[test]
    fn the_result_is_always_a_safe_same_origin_path(input in tricky()) {
        let returned = sanitize_return_to(Some(&input));
        assert_safe(&returned, &input);
        // And sanitising is settled: the result passes through unchanged.
        prop_assert_eq!(sanitize_return_to(Some(&returned)), returned);
    }

    /// The same for any text at all, and for paths with anything after them.
    #[test]
    fn any_text_gives_a_safe_result(input in "\\PC*|/\\PC*|/[a-z]{1,8}[?&#]\\PC*") {
        let returned = sanitize_return_to(Some(&input));
        assert_safe(&returned, &input);
    }

    /// An ordinary path is kept as it is: the sanitiser is not `/` for everything.
    #[test]
    fn ordinary_paths_are_kept(
        segments in proptest::collection::vec("[a-zA-Z0-9_.~-]{1,12}", 0..6),
        query in proptest::option::of("[a-z]{1,8}=[a-zA-Z0-9_.-]{0,12}(&[a-z]{1,8}=[a-z0-9]{0,8}){0,3}"),
        fragment in proptest::option::of("[a-z0-9-]{0,12}"),
    ) {
        let mut path = format!("/{}", segments.join("/"));
        if let Some(query) = query {
            path.push('?');
            path.push_str(&query);
        }
        if let Some(fragment) = fragment {
            path.push('#');
            path.push_str(&fragment);
        }
        prop_assert_eq!(sanitize_return_to(Some(&path)), path);
    }
}
