//! `health`: ready with nothing remote to wait for, unready (exit 1) when the OIDC key set
//! cannot be fetched, ready again with a key set served by a real HTTP server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Output;
use support::{bin, json_of};

const ADMIN: &str = "break-glass-token-0123456789abcdef";

fn health(vars: &[(&str, &str)]) -> Output {
    let mut command = bin();
    command.env_clear();
    for (name, value) in vars {
        command.env(name, value);
    }
    command.arg("health").output().unwrap()
}

fn oidc(jwks_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ADMIN_AUTH_MODE", "both".to_owned()),
        ("ADMIN_TOKEN", ADMIN.to_owned()),
        ("OIDC_ENABLED", "1".to_owned()),
        ("OIDC_ISSUER", "https://idp.example.test".to_owned()),
        ("OIDC_AUDIENCE", "incidentfox-api".to_owned()),
        ("OIDC_JWKS_URL", jwks_url.to_owned()),
        ("OIDC_JWKS_TIMEOUT_SECONDS", "2".to_owned()),
    ]
}

fn borrowed<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

#[test]
fn with_only_an_admin_token_it_is_ready() {
    let out = health(&[("ADMIN_TOKEN", ADMIN)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let body = json_of(&out);
    assert_eq!(body["ready"], true);
    assert!(body["jwks"].is_null());
    assert!(body["openmetrics"].as_str().unwrap().ends_with("# EOF\n"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(ADMIN));
}

#[test]
fn an_unreachable_key_set_is_unready_with_its_code() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let vars = oidc(&format!("http://127.0.0.1:{port}/jwks"));
    let out = health(&borrowed(&vars));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let body = json_of(&out);
    assert_eq!(body["ready"], false);
    assert_eq!(body["jwks"]["usable"], false);
    assert_eq!(body["jwks"]["last_fetch_ok"], false);
    assert_eq!(body["jwks"]["last_fetch_code"], "jwks_unavailable");
    let metrics = body["openmetrics"].as_str().unwrap();
    assert!(metrics.contains("incidentfox_auth_jwks_fetches_total{result=\"failed\"} 1\n"));
}

#[test]
fn a_served_key_set_is_ready() {
    let key = incidentfox_auth::SigningKey::generate(incidentfox_auth::Algorithm::ES256)
        .unwrap()
        .with_kid("k");
    let jwks = serde_json::json!({ "keys": [key.public_jwk().unwrap()] }).to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head).unwrap();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{jwks}",
            jwks.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
    });
    let vars = oidc(&format!("http://127.0.0.1:{port}/jwks"));
    let out = health(&borrowed(&vars));
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let body = json_of(&out);
    assert_eq!(body["ready"], true);
    assert_eq!(body["jwks"]["usable"], true);
    assert_eq!(body["jwks"]["stale"], false);
    let metrics = body["openmetrics"].as_str().unwrap();
    assert!(metrics.contains("incidentfox_auth_jwks_keys 1\n"));
}
