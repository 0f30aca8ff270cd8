//! `sanitize_return_to` on generated input: whatever it returns is a safe same-origin path, in
//! every form a decoder along the way could turn it into, already in the form a browser (a
//! WHATWG URL parser, the `url` crate) resolves it to: no dot segments, nothing outside ASCII.
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
    "./",
    "../",
    "/.",
    "/..",
    "%2e",
    "%2E",
    "%2e%2e",
    ".%2e",
    "%252e",
    "\u{3000}",
    "\u{e9}",
    "\u{1F600}",
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

/// The path, query and fragment a browser arrives at following a link to `url`.
fn browser_form(url: &Url) -> String {
    let mut out = url.path().to_owned();
    if let Some(query) = url.query() {
        out = format!("{out}?{query}");
    }
    if let Some(fragment) = url.fragment() {
        out = format!("{out}#{fragment}");
    }
    out
}

fn assert_safe(returned: &str, input: &str) {
    // `/`, or the input as a browser would resolve it (against any origin: it is a path).
    let as_browsed = Url::parse(APP)
        .unwrap()
        .join(input)
        .ok()
        .map(|u| browser_form(&u));
    assert!(
        returned == "/" || Some(returned) == as_browsed.as_deref(),
        "{returned:?} is neither `/` nor the input {input:?} as browsed ({as_browsed:?})"
    );
    // A valid `Location` header value whatever the framework: ASCII, no control character.
    assert!(
        returned.bytes().all(|b| b.is_ascii_graphic()),
        "{returned:?} (from {input:?})"
    );
    // Already what the browser will request: resolving it changes nothing, so no dot segment
    // is left for the browser to fold into something the checks did not see.
    let browsed = resolved(returned);
    assert_eq!(browsed.origin(), Url::parse(APP).unwrap().origin());
    assert_eq!(browser_form(&browsed), returned, "(from {input:?})");
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

    /// Whatever goes in, what comes out is `/` or the input as a browser resolves it, and every
    /// decoding of it is a same-origin absolute path.
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
        prop_assert_eq!(sanitize_return_to(Some(&returned)), returned);
    }

    /// Dot segments in any place, encoded or not, never resolve to another origin or to a
    /// scheme-relative path, and non-ASCII text comes back percent-encoded.
    #[test]
    fn dot_segments_and_non_ascii_text_are_resolved(
        segments in proptest::collection::vec(
            prop_oneof![
                Just(String::new()),
                Just(".".to_owned()),
                Just("..".to_owned()),
                Just("%2e".to_owned()),
                Just("%2E%2e".to_owned()),
                "[a-z]{1,4}",
                "\\PC{1,3}",
            ],
            1..8,
        ),
        tail in "(\\?\\PC{0,6})?(#\\PC{0,6})?",
    ) {
        let input = format!("/{}{tail}", segments.join("/"));
        let returned = sanitize_return_to(Some(&input));
        assert_safe(&returned, &input);
        prop_assert_eq!(sanitize_return_to(Some(&returned)), returned);
    }

    /// An ordinary path is kept as it is: the sanitiser is not `/` for everything.
    #[test]
    fn ordinary_paths_are_kept(
        segments in proptest::collection::vec(
            "[a-zA-Z0-9_.~-]{1,12}".prop_filter("not a dot segment", |s| s != "." && s != ".."),
            0..6,
        ),
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
