//! Test helpers: an HTTP client, a webhook receiver, a sandbox started in-process.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub const KEY: &str = "test_sandbox_key";
pub const SECRET: &str = "whsec_sandbox_tests";

/// A JSON-speaking client for the sandbox.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub key: String,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            base: base.to_owned(),
            key: KEY.to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends a request; `auth: None` sends no Authorization header.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path))
            .header("content-type", "application/json");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp =
            tokio::time::timeout(std::time::Duration::from_secs(60), self.client.request(req))
                .await
                .map_err(|_| "request timed out".to_owned())?
                .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| format!("{e}: {bytes:?}"))?
        };
        Ok((status, value))
    }

    /// Sends a request with exactly these headers (no Authorization, no Content-Type
    /// unless given); returns the status, headers and raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, HeaderMap, Bytes) {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Full::new(Bytes::from(body))).unwrap();
        let resp =
            tokio::time::timeout(std::time::Duration::from_secs(60), self.client.request(req))
                .await
                .unwrap()
                .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes)
    }

    /// [`Api::send`] with the body read as JSON.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Value) {
        let (status, _, bytes) = self.send(method, path, headers, body).await;
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    }

    /// The core state of an invoice, as the core's `Invoice`.
    pub async fn invoice(&self, id: &str) -> paystate::Invoice {
        let (s, v) = self.get(&format!("/sandbox/invoices/{id}")).await;
        assert_eq!(s, 200, "{v}");
        paystate::Invoice::from_json(&v["state"].to_string()).unwrap()
    }

    /// Every delivery of an invoice with its attempts.
    pub async fn deliveries(&self, invoice_id: &str) -> Vec<Value> {
        let (s, v) = self
            .get(&format!("/sandbox/deliveries?invoiceId={invoice_id}"))
            .await;
        assert_eq!(s, 200, "{v}");
        v["data"].as_array().unwrap().clone()
    }

    /// The one delivery of an invoice, asserted to be in `state` after `attempts` attempts.
    pub async fn only_delivery(&self, invoice_id: &str, state: &str, attempts: usize) -> Value {
        let deliveries = self.deliveries(invoice_id).await;
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        let d = deliveries[0].clone();
        assert_eq!(d["state"], state, "{d}");
        assert_eq!(d["attempts"].as_array().unwrap().len(), attempts, "{d}");
        d
    }

    /// How many invoices the sandbox holds, of every seed (`GET /sandbox/invoices`; seed
    /// 001's own list counts only its invoices).
    pub async fn invoice_count(&self) -> u64 {
        let (s, v) = self.get("/sandbox/invoices").await;
        assert_eq!(s, 200, "{v}");
        v["total"].as_u64().unwrap()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let auth = format!("Bearer {}", self.key);
        self.raw(Method::GET, path, Some(&auth), Vec::new())
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let auth = format!("Bearer {}", self.key);
        self.raw(
            Method::POST,
            path,
            Some(&auth),
            serde_json::to_vec(&body).unwrap(),
        )
        .await
        .unwrap()
    }

    /// `POST /sandbox/invoices/{id}/{action}` (`pay`, `claim`, ...), asserted to answer 200.
    pub async fn control(&self, id: &str, action: &str, body: Value) -> Value {
        let (s, v) = self
            .post(&format!("/sandbox/invoices/{id}/{action}"), body)
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn advance(&self, seconds: u64) -> Value {
        let (s, v) = self
            .post(
                "/sandbox/clock/advance",
                serde_json::json!({ "seconds": seconds }),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }
}

/// One webhook as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A webhook receiver answering with a settable status.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    pub status: Arc<AtomicU16>,
    /// Milliseconds the receiver waits before answering.
    pub delay_ms: Arc<AtomicU64>,
    pub task: Arc<tokio::task::JoinHandle<()>>,
}

#[derive(Clone)]
struct Rx {
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
}

async fn receive(State(rx): State<Rx>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let delay = rx.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    rx.got.lock().unwrap().push(Received { headers, body });
    StatusCode::from_u16(rx.status.load(Ordering::SeqCst)).unwrap()
}

impl Receiver {
    pub async fn start(status: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let rx = Rx {
            got: Arc::new(Mutex::new(Vec::new())),
            status: Arc::new(AtomicU16::new(status)),
            delay_ms: Arc::new(AtomicU64::new(0)),
        };
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(rx.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{addr}/webhook"),
            got: rx.got,
            status: rx.status,
            delay_ms: rx.delay_ms,
            task: Arc::new(task),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

/// A sandbox in this process on an in-memory database (or `database`), test clock.
pub async fn sandbox(
    database: Option<std::path::PathBuf>,
    forward_to: Option<String>,
) -> paystate_sandbox::Running {
    sandbox_with(database, forward_to, false).await
}

/// [`sandbox`] forwarding every webhook (`--forward-to`) to a new [`Receiver`] that
/// answers `status`; with the sandbox's base URL and a client for it.
pub async fn forwarding(status: u16) -> (Receiver, paystate_sandbox::Running, String, Api) {
    let rx = Receiver::start(status).await;
    let sb = sandbox(None, Some(rx.url.clone())).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    (rx, sb, base, api)
}

/// [`sandbox`], with seed 001's rate limits on or off.
pub async fn sandbox_with(
    database: Option<std::path::PathBuf>,
    forward_to: Option<String>,
    rate_limit: bool,
) -> paystate_sandbox::Running {
    let database = match database {
        Some(path) => path,
        None => fresh_database().await,
    };
    let config = paystate_sandbox::Config::from_args(paystate_sandbox::Args {
        port: 0,
        database,
        api_key: Some(KEY.into()),
        webhook_secret: Some(SECRET.into()),
        forward_to,
        realtime: false,
        rate_limit,
        ..Default::default()
    })
    .unwrap();
    paystate_sandbox::start(config).await.unwrap()
}

/// A fresh empty database for one sandbox: in memory, or, when `PAYSTATE_SANDBOX_PG_URL`
/// names a PostgreSQL server (`scripts/test-all.sh sandbox` runs the in-process suites a
/// second time so), a new database created on it: the same tests on both stores.
pub async fn fresh_database() -> std::path::PathBuf {
    let Ok(url) = std::env::var("PAYSTATE_SANDBOX_PG_URL") else {
        return ":memory:".into();
    };
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        paystate_sandbox::clock::wall_millis(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let admin = url.clone();
    let create = name.clone();
    // The synchronous client runs its own runtime: off the async threads.
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE DATABASE {create}"))
            .unwrap();
        std::thread::spawn(move || drop(client)).join().unwrap();
    })
    .await
    .unwrap();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    format!("{base}/{name}").into()
}

/// Verifies a received webhook with the core's seed-001 verifier.
pub fn verify(r: &Received) -> Result<(), String> {
    let headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let v = paystate::signature::Verifier::new(paystate::signature::Scheme::UsdtGateway, &[SECRET])
        .map_err(|e| e.to_string())?;
    let now = paystate::Timestamp::from_seconds(1_800_000_000, "now").map_err(|e| e.to_string())?;
    v.verify(&headers, &r.body, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The headers of a received webhook as name/value pairs, for the core's verifiers.
pub fn header_pairs(r: &Received) -> Vec<(String, String)> {
    r.headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect()
}

/// Verifies a received webhook with the core's verifier of `scheme` under `secret`.
pub fn verify_with(
    scheme: paystate::signature::Scheme,
    secret: &str,
    r: &Received,
    now: paystate::Timestamp,
) -> Result<(), String> {
    let v = paystate::signature::Verifier::new(scheme, &[secret]).map_err(|e| e.to_string())?;
    v.verify(&header_pairs(r), &r.body, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub fn header<'a>(r: &'a Received, name: &str) -> Option<&'a str> {
    r.headers.get(name).and_then(|v| v.to_str().ok())
}

/// One request as a browser sends it (no API key, no redirect followed), with exactly
/// `headers`; the body as text.
pub async fn fetch(
    base: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, HeaderMap, String) {
    let (status, headers, body) = Api::new(base).send(method, path, headers, Vec::new()).await;
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

/// The status JSON of the hosted page at `page_path` (`/pay/{reference}`), as its script
/// polls it.
pub async fn page_status(base: &str, page_path: &str) -> Value {
    let (s, h, body) = fetch(base, Method::GET, &format!("{page_path}/status"), &[]).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(h["content-type"], "application/json");
    serde_json::from_str(&body).unwrap()
}

/// The time webhooks are verified at: a fixed instant, for the schemes whose signatures
/// carry no timestamp a receiver checks.
pub fn now() -> paystate::Timestamp {
    paystate::Timestamp::from_seconds(1_800_000_000, "now").unwrap()
}

/// A timestamp as the sandbox writes it in JSON.
pub fn ts(v: &Value) -> paystate::Timestamp {
    paystate::Timestamp::parse(v.as_str().unwrap(), "t").unwrap()
}

/// The wall clock, which the sandbox checks GatePay's signed timestamps against.
pub fn wall() -> paystate::Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    paystate::Timestamp::from_millis(i64::try_from(ms).unwrap(), "now").unwrap()
}

/// Owned header pairs as the `&str` pairs [`Api::send`] takes.
pub fn header_refs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Seed 000: `POST /api/v1/merchant/checkout-session` with `key` as `X-Merchant-Key`.
pub async fn gatenoc_session(api: &Api, key: Option<&str>, body: &str) -> (u16, Value) {
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json"),
    ];
    if let Some(k) = key {
        headers.push(("X-Merchant-Key", k));
    }
    api.send_json(
        Method::POST,
        "/api/v1/merchant/checkout-session",
        &headers,
        body.as_bytes().to_vec(),
    )
    .await
}

/// Seed 002: the headers a GatePay client sends, its client id and the `gatepay` signature
/// of the body under the merchant secret (the sandbox's api key), at `at` with `nonce`.
pub fn gatepay_headers(body: &[u8], nonce: &str, at: paystate::Timestamp) -> Vec<(String, String)> {
    use paystate::signature::{sign, Scheme, SignInput};
    let input = SignInput {
        id: None,
        nonce: Some(nonce),
        timestamp: Some(at),
    };
    let mut h = sign(Scheme::Gatepay, &[KEY], body, &input).unwrap().headers;
    h.push((
        "X-GatePay-Certificate-ClientId".into(),
        "paystate-sandbox-client".into(),
    ));
    h.push(("Content-Type".into(), "application/json".into()));
    h
}

/// Seed 002: `POST /v1/pay/checkout/order` signed now with `nonce`.
pub async fn gatepay_order(api: &Api, body: &Value, nonce: &str) -> (u16, Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let headers = gatepay_headers(&bytes, nonce, wall());
    api.send_json(
        Method::POST,
        "/v1/pay/checkout/order",
        &header_refs(&headers),
        bytes,
    )
    .await
}

/// Seed 003: a request body signed inside itself with the merchant's secret (the
/// sandbox's api key).
pub fn monetix_signed(body: &Value) -> Vec<u8> {
    use paystate::signature::{sign, Scheme, SignInput};
    let bytes = serde_json::to_vec(body).unwrap();
    sign(Scheme::Monetix, &[KEY], &bytes, &SignInput::default())
        .unwrap()
        .body
        .unwrap()
}

/// Seed 003: `POST /v2/payment/wallet/bybit/{op}` (`sale`, `refund`, `payout`).
pub async fn monetix_post(api: &Api, op: &str, body: Vec<u8>) -> (u16, Value) {
    api.send_json(
        Method::POST,
        &format!("/v2/payment/wallet/bybit/{op}"),
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// Seed 004: `POST /api/invoice/create` with a form body, as PHP's `http_build_query`
/// writes it.
pub async fn keypair_form(api: &Api, body: &str) -> (u16, Value) {
    api.send_json(
        Method::POST,
        "/api/invoice/create",
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes().to_vec(),
    )
    .await
}

/// Starts the built `paystate-sandbox` on a free 127.0.0.1 port with the test key and
/// secret plus `args`, and returns the child (the caller ends it by its pid) and its base
/// URL, read from the banner's first line within 60 s.
pub fn spawn_binary(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_paystate-sandbox"))
        .args(["--port", "0", "--api-key", KEY, "--webhook-secret", SECRET])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        // Keep draining so the child never blocks on a full pipe.
        for _ in lines {}
    });
    let first = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    let base = first.rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    (child, base)
}

/// A fresh folder under the temp folder, unique to this process, `name` and the moment,
/// for a test's SQLite file ([`TempDir::database`]); removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "paystate-sandbox-{name}-{}-{}",
            std::process::id(),
            paystate_sandbox::clock::wall_millis()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The SQLite file in it.
    pub fn database(&self) -> std::path::PathBuf {
        self.0.join("sandbox.sqlite3")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
