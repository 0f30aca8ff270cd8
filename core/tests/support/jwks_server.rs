//! A real HTTP/1.1 identity-provider stand-in for tests: serves a mutable JWKS at `/jwks` and an
//! OIDC discovery document at `/.well-known/openid-configuration` on 127.0.0.1 (ephemeral port),
//! counts requests per path, and can be switched at runtime into fault modes (error status, slow
//! answer, garbage body, huge body with or without `Content-Length`, redirect).
//!
//! Every connection gets exactly one response and is then closed (`Connection: close`), so each
//! fetch the library makes is one counted request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Path of the key set.
pub const JWKS_PATH: &str = "/jwks";
/// Path of the discovery document (relative to the issuer, which is the base URL).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// Size of the body served in the `Huge*` modes.
pub const HUGE_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Largest request head accepted before answering 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a client may take to send its request head.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Write size for streamed bodies.
const CHUNK_BYTES: usize = 64 * 1024;

/// How the server answers a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The document, status 200.
    Normal,
    /// This status with a short text body.
    Status(u16),
    /// Waits this long, then answers normally (use a delay beyond the client's timeout).
    Slow(Duration),
    /// Status 200 with the document, headers at once but the body one byte per interval.
    Trickle(Duration),
    /// Status 200, `Content-Type: application/json`, a body that is not JSON.
    Garbage,
    /// Status 200 with a [`HUGE_BODY_BYTES`] body and `Content-Length` announcing it.
    Huge,
    /// Status 200 with a [`HUGE_BODY_BYTES`] body streamed chunked, without `Content-Length`.
    HugeChunked,
    /// `302 Found` to this URL (which a verifier must not follow).
    Redirect(String),
}

struct State {
    base_url: String,
    jwks: Mutex<String>,
    jwks_fault: Mutex<Fault>,
    discovery_fault: Mutex<Fault>,
    discovery_issuer: Mutex<Option<String>>,
    jwks_hits: AtomicU64,
    discovery_hits: AtomicU64,
    other_hits: AtomicU64,
    jwks_times: Mutex<Vec<Instant>>,
}

/// The running server; stops accepting when dropped.
pub struct JwksServer {
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl JwksServer {
    /// Binds 127.0.0.1 on an ephemeral port and starts serving `jwks` on the current runtime.
    pub async fn start(jwks: &Value) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(State {
            base_url: format!("http://127.0.0.1:{port}"),
            jwks: Mutex::new(jwks.to_string()),
            jwks_fault: Mutex::new(Fault::Normal),
            discovery_fault: Mutex::new(Fault::Normal),
            discovery_issuer: Mutex::new(None),
            jwks_hits: AtomicU64::new(0),
            discovery_hits: AtomicU64::new(0),
            other_hits: AtomicU64::new(0),
            jwks_times: Mutex::new(Vec::new()),
        });
        let accept_state = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = accept_state.clone();
                tokio::spawn(async move {
                    // A client that hangs up early (timeouts, body caps) is expected: ignore it.
                    let _ = serve_connection(stream, &state).await;
                });
            }
        });
        JwksServer { state, accept }
    }

    /// `http://127.0.0.1:<port>`, also the issuer named by the discovery document.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `<base>/jwks`.
    pub fn jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.state.base_url)
    }

    /// Replaces the served key set.
    pub fn set_jwks(&self, jwks: &Value) {
        *self.state.jwks.lock().unwrap() = jwks.to_string();
    }

    /// Replaces the served key set with raw text (for documents that are not JSON values).
    pub fn set_jwks_raw(&self, body: &str) {
        *self.state.jwks.lock().unwrap() = body.to_owned();
    }

    /// How `/jwks` is answered from now on.
    pub fn set_fault(&self, fault: Fault) {
        *self.state.jwks_fault.lock().unwrap() = fault;
    }

    /// How the discovery document is answered from now on.
    pub fn set_discovery_fault(&self, fault: Fault) {
        *self.state.discovery_fault.lock().unwrap() = fault;
    }

    /// Makes the discovery document name another issuer (`None`: the base URL).
    pub fn set_discovery_issuer(&self, issuer: Option<String>) {
        *self.state.discovery_issuer.lock().unwrap() = issuer;
    }

    /// Requests received for `/jwks` (whatever the answer).
    pub fn jwks_hits(&self) -> u64 {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    /// Requests received for the discovery document.
    pub fn discovery_hits(&self) -> u64 {
        self.state.discovery_hits.load(Ordering::SeqCst)
    }

    /// Requests received for any other path (or that were malformed).
    pub fn other_hits(&self) -> u64 {
        self.state.other_hits.load(Ordering::SeqCst)
    }

    /// When each `/jwks` request arrived, in order.
    pub fn jwks_request_times(&self) -> Vec<Instant> {
        self.state.jwks_times.lock().unwrap().clone()
    }
}

/// A response to write.
struct Response {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    Bytes(Vec<u8>),
    /// `len` bytes of filler, announced with `Content-Length`.
    Sized(usize),
    /// `len` bytes of filler, `Transfer-Encoding: chunked`.
    Chunked(usize),
    /// These bytes, announced with `Content-Length`, written one at a time with a pause before each.
    Trickled(Vec<u8>, Duration),
}

async fn serve_connection(mut stream: TcpStream, state: &State) -> std::io::Result<()> {
    let head = match tokio::time::timeout(HEAD_DEADLINE, read_head(&mut stream)).await {
        Ok(Ok(Some(head))) => head,
        Ok(Ok(None)) => {
            state.other_hits.fetch_add(1, Ordering::SeqCst);
            return write_response(&mut stream, text(431, "request head too large")).await;
        }
        Ok(Err(e)) => return Err(e),
        Err(_) => return Ok(()),
    };
    let response = match parse_request_line(&head) {
        Some((method, path)) if method == "GET" => route(state, &path),
        Some(_) => {
            state.other_hits.fetch_add(1, Ordering::SeqCst);
            Routed::Now(text(405, "method not allowed"))
        }
        None => {
            state.other_hits.fetch_add(1, Ordering::SeqCst);
            Routed::Now(text(400, "bad request"))
        }
    };
    let response = match response {
        Routed::Now(r) => r,
        Routed::After(delay, r) => {
            tokio::time::sleep(delay).await;
            r
        }
    };
    write_response(&mut stream, response).await
}

enum Routed {
    Now(Response),
    After(Duration, Response),
}

fn route(state: &State, path: &str) -> Routed {
    let (fault, document) = match path {
        JWKS_PATH => {
            state.jwks_hits.fetch_add(1, Ordering::SeqCst);
            state.jwks_times.lock().unwrap().push(Instant::now());
            let fault = state.jwks_fault.lock().unwrap().clone();
            (fault, state.jwks.lock().unwrap().clone())
        }
        DISCOVERY_PATH => {
            state.discovery_hits.fetch_add(1, Ordering::SeqCst);
            let fault = state.discovery_fault.lock().unwrap().clone();
            let issuer = state
                .discovery_issuer
                .lock()
                .unwrap()
                .clone()
                .unwrap_or_else(|| state.base_url.clone());
            let document = json!({
                "issuer": issuer,
                "jwks_uri": format!("{}{JWKS_PATH}", state.base_url),
                "id_token_signing_alg_values_supported": ["ES256"],
            });
            (fault, document.to_string())
        }
        _ => {
            state.other_hits.fetch_add(1, Ordering::SeqCst);
            return Routed::Now(text(404, "not found"));
        }
    };
    let json_ok = |body: String| Response {
        status: 200,
        content_type: "application/json",
        headers: Vec::new(),
        body: Body::Bytes(body.into_bytes()),
    };
    Routed::Now(match fault {
        Fault::Normal => json_ok(document),
        Fault::Slow(delay) => return Routed::After(delay, json_ok(document)),
        Fault::Trickle(interval) => Response {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: Body::Trickled(document.into_bytes(), interval),
        },
        Fault::Status(status) => text(status, "the identity provider is unwell"),
        Fault::Garbage => Response {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: Body::Bytes(b"<html><body>502 bad gateway, not json</body></html>".to_vec()),
        },
        Fault::Huge => Response {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: Body::Sized(HUGE_BODY_BYTES),
        },
        Fault::HugeChunked => Response {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: Body::Chunked(HUGE_BODY_BYTES),
        },
        Fault::Redirect(location) => Response {
            status: 302,
            content_type: "text/plain",
            headers: vec![("Location", location)],
            body: Body::Bytes(Vec::new()),
        },
    })
}

fn text(status: u16, body: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        headers: Vec::new(),
        body: Body::Bytes(body.as_bytes().to_vec()),
    }
}

/// Reads up to and including the blank line ending the request head. `None`: head too large.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = find(&head, b"\r\n\r\n") {
            head.truncate(end + 4);
            return Ok(Some(head));
        }
        if head.len() > MAX_HEAD_BYTES {
            return Ok(None);
        }
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed before the request head ended",
            ));
        }
        head.extend_from_slice(&buf[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `GET /path?query HTTP/1.1` → (`GET`, `/path`).
fn parse_request_line(head: &[u8]) -> Option<(String, String)> {
    let line_end = find(head, b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if parts.next().is_some() || !version.starts_with("HTTP/1.") {
        return None;
    }
    let path = target.split('?').next().unwrap_or(target);
    Some((method.to_owned(), path.to_owned()))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

async fn write_response(stream: &mut TcpStream, response: Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nConnection: close\r\nCache-Control: no-store\r\n",
        response.status,
        reason(response.status),
        response.content_type
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match &response.body {
        Body::Bytes(bytes) => head.push_str(&format!("Content-Length: {}\r\n", bytes.len())),
        Body::Sized(len) => head.push_str(&format!("Content-Length: {len}\r\n")),
        Body::Chunked(_) => head.push_str("Transfer-Encoding: chunked\r\n"),
        Body::Trickled(bytes, _) => {
            head.push_str(&format!("Content-Length: {}\r\n", bytes.len()));
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    match response.body {
        Body::Bytes(bytes) => stream.write_all(&bytes).await?,
        Body::Sized(len) => {
            let filler = vec![b' '; CHUNK_BYTES];
            let mut left = len;
            while left > 0 {
                let n = left.min(CHUNK_BYTES);
                stream.write_all(&filler[..n]).await?;
                left -= n;
            }
        }
        Body::Chunked(len) => {
            let filler = vec![b' '; CHUNK_BYTES];
            let mut left = len;
            while left > 0 {
                let n = left.min(CHUNK_BYTES);
                stream.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                stream.write_all(&filler[..n]).await?;
                stream.write_all(b"\r\n").await?;
                left -= n;
            }
            stream.write_all(b"0\r\n\r\n").await?;
        }
        Body::Trickled(bytes, interval) => {
            stream.flush().await?;
            for byte in bytes {
                tokio::time::sleep(interval).await;
                stream.write_all(&[byte]).await?;
                stream.flush().await?;
            }
        }
    }
    stream.flush().await?;
    stream.shutdown().await
}
