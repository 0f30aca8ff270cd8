//! TLS for the PostgreSQL JTI store (rustls, through tokio-postgres-rustls).
//!
//! The rule: the store encrypts when the connection string asks for it (`sslmode=require`,
//! `verify-ca` or `verify-full`), and then always verifies the server's certificate chain and
//! name, against `sslrootcert` (in the string, or `PGSSLROOTCERT`) when given, else the
//! system's roots. That is libpq's `verify-full` for all three: libpq's `require` would accept
//! any certificate, which a man in the middle can present. `prefer` and `allow` (libpq's
//! opportunistic, unverified encryption) connect without TLS, as `disable` does; docs/configuration.md says
//! so. A failed handshake never falls back to plaintext.

use crate::error::{err, ErrorCode, Result};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// What a connection string asks for, with the parts tokio-postgres does not parse taken out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TlsRequest {
    /// The connection string tokio-postgres parses: `verify-ca` / `verify-full` read as
    /// `require`, no mode and `prefer` / `allow` as `disable`, `sslrootcert` removed.
    pub url: String,
    /// Whether the server must speak TLS (and prove its name).
    pub encrypt: bool,
    /// The trust anchors named by `sslrootcert`.
    pub root_cert: Option<PathBuf>,
}

/// Splits libpq's TLS parameters out of `url` (a `postgres://` URL or `key=value` words).
pub(crate) fn tls_request(url: &str) -> std::result::Result<TlsRequest, &'static str> {
    let mut mode = None;
    let mut root_cert = None;
    let rebuilt = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            // Decoded with the URL crate's form decoder; other pairs are kept byte for byte.
            let decoded = url::form_urlencoded::parse(pair.as_bytes()).next();
            match decoded.as_ref().map(|(k, v)| (k.as_ref(), v.as_ref())) {
                Some(("sslmode", value)) => mode = Some(value.to_owned()),
                Some(("sslrootcert", value)) => root_cert = Some(PathBuf::from(value)),
                _ => kept.push(pair),
            }
        }
        let mut rebuilt = base.to_owned();
        kept.push(mapped_mode(mode.as_deref())?);
        if !kept.is_empty() {
            rebuilt.push('?');
            rebuilt.push_str(&kept.join("&"));
        }
        rebuilt
    } else {
        let mut kept = Vec::new();
        for word in url.split_whitespace() {
            match word.split_once('=') {
                Some(("sslmode", value)) => mode = Some(value.to_owned()),
                Some(("sslrootcert", value)) => {
                    if value.starts_with('\'') {
                        return Err("quotes its sslrootcert; give a path without spaces or quotes");
                    }
                    root_cert = Some(PathBuf::from(value));
                }
                _ => kept.push(word.to_owned()),
            }
        }
        kept.push(mapped_mode(mode.as_deref())?.to_owned());
        kept.join(" ")
    };
    let encrypt = matches!(
        mode.as_deref(),
        Some("require" | "verify-ca" | "verify-full")
    );
    Ok(TlsRequest {
        url: rebuilt,
        encrypt,
        root_cert,
    })
}

/// The `sslmode` tokio-postgres is given for libpq's `mode`. Always explicit: tokio-postgres's
/// own default (`prefer`) would try TLS against any server that offers it.
fn mapped_mode(mode: Option<&str>) -> std::result::Result<&'static str, &'static str> {
    match mode {
        Some("require" | "verify-ca" | "verify-full") => Ok("sslmode=require"),
        None | Some("disable" | "allow" | "prefer") => Ok("sslmode=disable"),
        _ => Err("has an sslmode that is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    }
}

/// The connector: rustls with the aws-lc-rs provider and the trust anchors of `root_cert`, or
/// the system's. Built only when the store must encrypt; otherwise no anchors are loaded.
pub(crate) fn connector(encrypt: bool, root_cert: Option<&Path>) -> Result<MakeRustlsConnect> {
    let roots = match (encrypt, root_cert) {
        (false, _) => RootCertStore::empty(),
        (true, Some(path)) => roots_from_file(path)?,
        (true, None) => system_roots()?,
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| tls_config("the tls provider offers no protocol version"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn roots_from_file(path: &Path) -> Result<RootCertStore> {
    let shown = path.display();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|_| tls_config(format!("sslrootcert {shown} cannot be read")))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| tls_config(format!("sslrootcert {shown} is not valid pem")))?;
    let mut roots = RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(tls_config(format!(
            "sslrootcert {shown} holds no usable certificate"
        )));
    }
    Ok(roots)
}

fn system_roots() -> Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if roots.is_empty() {
        return Err(tls_config(
            "sslmode asks for tls, but the system has no root certificates; set sslrootcert or PGSSLROOTCERT",
        ));
    }
    Ok(roots)
}

fn tls_config(message: impl Into<String>) -> crate::error::Error {
    err(
        ErrorCode::InvalidConfig,
        format!("jti store tls: {}", message.into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str) -> TlsRequest {
        tls_request(url).unwrap_or_else(|e| TlsRequest {
            url: e.to_owned(),
            encrypt: false,
            root_cert: None,
        })
    }

    #[test]
    fn libpq_modes_map_to_what_tokio_postgres_parses() {
        let r = request(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x",
        );
        assert_eq!(
            r.url,
            "postgres://u@h/db?application_name=x&sslmode=require"
        );
        assert!(r.encrypt);
        assert_eq!(r.root_cert.as_deref(), Some(Path::new("/etc/ca.pem")));
        for mode in ["prefer", "allow", "disable"] {
            let r = request(&format!("postgres://u@h/db?sslmode={mode}"));
            assert_eq!(r.url, "postgres://u@h/db?sslmode=disable");
            assert!(!r.encrypt);
        }
        let r = request("postgres://u@h/db");
        assert_eq!(
            (r.url.as_str(), r.encrypt),
            ("postgres://u@h/db?sslmode=disable", false)
        );
        let r = request("host=h user=u sslmode=verify-ca sslrootcert=/ca.pem");
        assert_eq!(r.url, "host=h user=u sslmode=require");
        assert!(r.encrypt);
        assert_eq!(r.root_cert.as_deref(), Some(Path::new("/ca.pem")));
    }

    #[test]
    fn unknown_modes_and_quoted_paths_are_refused() {
        assert!(tls_request("postgres://u@h/db?sslmode=sometimes").is_err());
        assert!(tls_request("host=h sslrootcert='/a b.pem'").is_err());
    }

    #[test]
    fn a_missing_or_empty_root_file_is_invalid_config() {
        let missing = connector(true, Some(Path::new("/nonexistent/ca.pem")));
        assert_eq!(
            missing.err().map(|e| e.code()),
            Some(ErrorCode::InvalidConfig)
        );
        assert!(connector(false, None).is_ok());
    }
}
