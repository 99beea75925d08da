//! Sending one webhook attempt: sign, POST, measure. What the attempt means is the core
//! delivery plan's decision (`docs/spec.md §7`); this module only does the HTTP.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use axum::http::{header, Method, Request, Uri};
use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use paystate::delivery::Outcome;
use paystate::signature::{SignInput, Signer};

/// The HTTP client deliveries use: HTTP/1.1 over plain TCP for `http://` URLs and over
/// rustls for `https://` ones.
pub type Client = HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// A client for deliveries. `https://` receivers are trusted when their certificate
/// chains to one of Mozilla's roots (compiled in, so the result does not depend on the
/// machine) or to a certificate in `ca_file` (PEM; `--ca-file`), for a shop testing
/// against a local endpoint with its own CA.
pub fn client(ca_file: Option<&Path>) -> Result<Client, String> {
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls_config(ca_file)?)
        .https_or_http()
        .enable_http1()
        .build();
    Ok(HyperClient::builder(TokioExecutor::new()).build(connector))
}

/// The rustls settings of [`client`]: ring as the crypto provider, rustls' safe protocol
/// versions (TLS 1.2 and 1.3), no client certificate.
pub fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        use rustls::pki_types::pem::PemObject as _;
        use rustls::pki_types::CertificateDer;
        let shown = path.display();
        let mut added = 0usize;
        for cert in CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("--ca-file {shown}: {}", pem_error(&e)))?
        {
            let cert = cert.map_err(|e| format!("--ca-file {shown}: {}", pem_error(&e)))?;
            roots
                .add(cert)
                .map_err(|e| format!("--ca-file {shown}: {e}"))?;
            added = added.saturating_add(1);
        }
        if added == 0 {
            return Err(format!(
                "--ca-file {shown}: no PEM CERTIFICATE block in the file"
            ));
        }
    }
    // rustls 0.23.48 deprecates the ring provider for lacking post-quantum key exchange;
    // ring is kept on purpose (pure Rust + asm, no cmake/C toolchain as aws-lc-rs needs),
    // as a sandbox's webhooks to a shop's test endpoint need no post-quantum secrecy.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("tls: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A PEM failure without the file's content (someone may point `--ca-file` at a key).
fn pem_error(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::Io(io) => io.to_string(),
        Error::MissingSectionEnd { .. } => "a PEM section has no END line".into(),
        Error::IllegalSectionStart { .. } => "a PEM BEGIN line is malformed".into(),
        Error::Base64Decode(_) => "a PEM section is not valid base64".into(),
        _ => "not a PEM file of certificates".into(),
    }
}

/// What one attempt got, for the plan and the attempt log.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The outcome the plan is told.
    pub outcome: Outcome,
    /// Wall-clock time until the answer (or the failure).
    pub latency: std::time::Duration,
    /// A transport error, described without the body or any secret.
    pub error: Option<String>,
}

/// The webhook to send.
#[derive(Debug, Clone, Copy)]
pub struct Webhook<'a> {
    /// Destination.
    pub url: &'a str,
    /// `X-Webhook-Id`: the event id, stable across retries.
    pub id: &'a str,
    /// `X-Invoice-Reference`.
    pub reference: Option<&'a str>,
    /// The exact bytes (for schemes that sign inside the body, the bytes before signing).
    pub body: &'a [u8],
    /// Seed 001's own headers (`X-Webhook-Id`, `X-Invoice-Reference`) are sent; the other
    /// seeds send only their scheme's headers.
    pub seed001: bool,
    /// The nonce and timestamp a timestamped scheme signs (GatePay).
    pub input: SignInput<'a>,
}

/// Signs and POSTs `hook` within `limit` (seed 001: "Return HTTP 200 within 30 seconds").
pub async fn send(
    client: &Client,
    signer: &Signer,
    hook: Webhook<'_>,
    limit: std::time::Duration,
) -> Sent {
    let start = Instant::now();
    let failed = |what: String| Sent {
        outcome: Outcome::Error,
        latency: start.elapsed(),
        error: Some(what),
    };
    let uri: Uri = match hook.url.parse() {
        Ok(u) => u,
        Err(_) => return failed("the URL does not parse".into()),
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return failed("only http:// and https:// URLs are sent".into());
    }
    let signed = match signer.sign(hook.body, &hook.input) {
        Ok(s) => s,
        Err(e) => return failed(format!("signing: {}", e.code())),
    };
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "paystate-sandbox");
    if hook.seed001 {
        req = req.header("X-Webhook-Id", hook.id);
        if let Some(r) = hook.reference {
            req = req.header("X-Invoice-Reference", r);
        }
    }
    for (name, value) in &signed.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    // Monetix and seed 004 sign inside the body: the signed body is what goes out (the
    // same bytes on every attempt, as signing them is deterministic).
    let body = signed.body.as_deref().unwrap_or(hook.body);
    let req = match req.body(Full::new(Bytes::copy_from_slice(body))) {
        Ok(r) => r,
        Err(_) => return failed("the request could not be built".into()),
    };
    match tokio::time::timeout(limit, client.request(req)).await {
        Err(_) => Sent {
            outcome: Outcome::Timeout,
            latency: start.elapsed(),
            error: Some("no answer within the time limit".into()),
        },
        Ok(Err(e)) => failed(format!("transport: {}", transport_error(&e))),
        Ok(Ok(resp)) => {
            let status = resp.status().as_u16();
            let latency = start.elapsed();
            // The answer's body is not needed; dropping it closes or reuses the connection.
            drop(resp);
            match Outcome::http(status) {
                Ok(outcome) => Sent {
                    outcome,
                    latency,
                    error: None,
                },
                Err(_) => failed(format!("status {status} is not an HTTP status")),
            }
        }
    }
}

/// What went wrong, for the attempt log: a TLS failure by its rustls reason (`tls:
/// invalid peer certificate: UnknownIssuer`), anything else by kind only.
fn transport_error(e: &hyper_util::client::legacy::Error) -> String {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    // A bounded walk: error chains are short, and a cyclic one must not hang an attempt.
    for _ in 0..16 {
        let Some(err) = cur else { break };
        if let Some(tls) = as_tls(err) {
            return format!("tls: {tls}");
        }
        cur = err.source();
    }
    if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}

/// The rustls error inside `err`, if it is one or is an `io::Error` carrying one, however
/// deeply (tokio-rustls reports a failed handshake as an `io::Error` carrying it, and
/// hyper-rustls wraps that in another; `io::Error::source` skips the carried error).
fn as_tls<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur = err;
    for _ in 0..8 {
        if let Some(tls) = cur.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = cur.downcast_ref::<std::io::Error>()?.get_ref()?;
        cur = inner;
    }
    None
}
