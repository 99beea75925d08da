//! Sending one webhook attempt: sign, POST, measure. What the attempt means is the core
//! delivery plan's decision (`docs/spec.md §7`); this module only does the HTTP.

use std::time::Instant;

use axum::http::{header, Method, Request, Uri};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use paystate::delivery::Outcome;
use paystate::signature::{SignInput, Signer};

/// The HTTP client deliveries use (plain HTTP/1.1; no TLS in this build).
pub type Client = HyperClient<HttpConnector, Full<Bytes>>;

/// A client for deliveries.
pub fn client() -> Client {
    HyperClient::builder(TokioExecutor::new()).build_http()
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
    if uri.scheme_str() != Some("http") {
        return failed("only http:// URLs are sent by this sandbox build".into());
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
        Ok(Err(e)) => failed(format!("transport: {}", transport_kind(&e))),
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

fn transport_kind(e: &hyper_util::client::legacy::Error) -> &'static str {
    if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}
