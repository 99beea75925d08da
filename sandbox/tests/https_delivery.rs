//! Webhooks over HTTPS: a CA and a server certificate made at test time (rcgen), a local
//! HTTPS receiver on 127.0.0.1 (tokio-rustls + hyper), a seed-001 invoice whose
//! `callbackUrl` is `https://127.0.0.1:PORT/...`. Without `--ca-file` every attempt fails
//! on the certificate, is recorded as a TLS transport error and retried on the seed's
//! schedule; with it the webhook arrives and verifies with the core's verifier.
//!
//! Also `--config`: a per-seed webhook secret, flags over the file, an unknown key.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use common::{header, ts, verify, verify_with, Api, Received, Receiver, KEY, SECRET};
use http_body_util::{BodyExt, Full};
use paystate::signature::Scheme;
use paystate::Timestamp;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use serde_json::{json, Value};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA, and a server certificate it issued for `localhost` and `127.0.0.1` (IP SAN).
struct Pki {
    ca_pem: String,
    server_cert: CertificateDer<'static>,
    server_key: PrivateKeyDer<'static>,
}

fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "paystate sandbox test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    // rcgen reads "127.0.0.1" as an IP-address SAN.
    let mut leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "paystate sandbox test receiver");
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_cert: leaf_cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    }
}

/// A file under the temp folder, unique to this process and `name`, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, content: &str) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("paystate-https-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An HTTPS webhook receiver on 127.0.0.1 answering 200, counting failed handshakes.
struct TlsReceiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    handshake_failures: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsReceiver {
    async fn start(pki: &Pki) -> TlsReceiver {
        #[allow(deprecated)] // the same ring provider as the sandbox (see src/delivery.rs)
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![pki.server_cert.clone()], pki.server_key.clone_key())
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(AtomicUsize::new(0));
        let (g, f) = (Arc::clone(&got), Arc::clone(&failures));
        let task = tokio::spawn(async move {
            // Ends when the test aborts the task; each connection is its own task.
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, got, failures) = (acceptor.clone(), Arc::clone(&g), Arc::clone(&f));
                tokio::spawn(async move {
                    let tls =
                        match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp))
                            .await
                        {
                            Ok(Ok(tls)) => tls,
                            _ => {
                                failures.fetch_add(1, Ordering::SeqCst);
                                return;
                            }
                        };
                    let svc = hyper::service::service_fn(
                        move |req: hyper::Request<hyper::body::Incoming>| {
                            let got = Arc::clone(&got);
                            async move {
                                let headers = req.headers().clone();
                                let body = req.into_body().collect().await?.to_bytes();
                                got.lock().unwrap().push(Received { headers, body });
                                Ok::<_, hyper::Error>(hyper::Response::new(Full::new(Bytes::new())))
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                        .await;
                });
            }
        });
        TlsReceiver {
            url: format!("https://{addr}/webhooks/paid"),
            got,
            handshake_failures: failures,
            task,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

async fn sandbox_with(mut args: paystate_sandbox::Args) -> paystate_sandbox::Running {
    // In memory, or a fresh PostgreSQL database when the suites run on PostgreSQL.
    if args.database.as_os_str() == ":memory:" {
        args.database = common::fresh_database().await;
    }
    let config = paystate_sandbox::Config::from_args(args).unwrap();
    paystate_sandbox::start(config).await.unwrap()
}

fn args(ca_file: Option<PathBuf>) -> paystate_sandbox::Args {
    paystate_sandbox::Args {
        port: 0,
        database: ":memory:".into(),
        api_key: Some(KEY.into()),
        webhook_secret: Some(SECRET.into()),
        ca_file,
        ..Default::default()
    }
}

/// Creates a seed-001 invoice sending to `callback` and pays it exactly: its
/// `invoice.paid` webhook is due at once.
async fn paid_invoice(api: &Api, callback: &str) -> String {
    let (s, v) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": "25.5", "assetCode": "USDT_TRC20", "expirySeconds": 1800,
                   "callbackUrl": callback}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let (s, v) = api
        .post("/api/v1/sandbox/simulate-payment", json!({"invoiceId": id}))
        .await;
    assert_eq!(s, 200, "{v}");
    id
}

#[tokio::test]
async fn unknown_issuer_is_a_recorded_tls_error_retried_on_schedule() {
    let pki = pki();
    let rx = TlsReceiver::start(&pki).await;
    let sb = sandbox_with(args(None)).await;
    let api = Api::new(&sb.base_url());
    let id = paid_invoice(&api, &rx.url).await;

    // The first attempt is due now; the advance returns after it was made. Then seed
    // 001's first two retries, 1 and 2 minutes apart.
    api.advance(0).await;
    api.advance(60).await;
    api.advance(120).await;

    let d = &api.only_delivery(&id, "pending", 3).await;
    let attempts = d["attempts"].as_array().unwrap();
    for a in attempts {
        assert_eq!(a["outcome"], "error", "{a}");
        assert!(a["statusCode"].is_null(), "{a}");
        assert_eq!(
            a["error"], "transport: tls: invalid peer certificate: UnknownIssuer",
            "{a}"
        );
    }
    let times: Vec<Timestamp> = attempts.iter().map(|a| ts(&a["at"])).collect();
    assert_eq!(times[1].millis_since(times[0]), 60_000);
    assert_eq!(times[2].millis_since(times[1]), 120_000);
    // The next retry is 4 minutes after the third attempt.
    assert_eq!(ts(&d["nextAttemptAt"]).millis_since(times[2]), 240_000);

    // Nothing got through; the receiver saw the handshakes fail.
    assert!(rx.received().is_empty());
    assert!(rx.handshake_failures.load(Ordering::SeqCst) >= 3);
    rx.task.abort();
    sb.stop();
}

#[tokio::test]
async fn with_ca_file_the_webhook_arrives_signed() {
    let pki = pki();
    let ca = TempFile::new("ca.pem", &pki.ca_pem);
    let rx = TlsReceiver::start(&pki).await;
    let sb = sandbox_with(args(Some(ca.0.clone()))).await;
    let api = Api::new(&sb.base_url());
    let id = paid_invoice(&api, &rx.url).await;
    api.advance(0).await;

    let d = &api.only_delivery(&id, "delivered", 1).await;
    let attempts = d["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["statusCode"], 200, "{d}");
    assert!(attempts[0]["error"].is_null(), "{d}");

    let got = rx.received();
    assert_eq!(got.len(), 1);
    verify(&got[0]).unwrap();
    assert_eq!(header(&got[0], "x-webhook-id"), d["id"].as_str());
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["status"], "confirmed", "{body}");
    assert!(header(&got[0], "x-webhook-id").unwrap().starts_with(&id));
    assert_eq!(rx.handshake_failures.load(Ordering::SeqCst), 0);
    rx.task.abort();
    sb.stop();
}

/// `mkcert`-less setups: the receiver's own self-signed certificate given as `--ca-file`.
#[tokio::test]
async fn a_self_signed_certificate_as_ca_file() {
    let own = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let pki = Pki {
        ca_pem: own.cert.pem(),
        server_cert: own.cert.der().clone(),
        server_key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(own.signing_key.serialize_der())),
    };
    let ca = TempFile::new("self-signed.pem", &pki.ca_pem);
    let rx = TlsReceiver::start(&pki).await;
    let sb = sandbox_with(args(Some(ca.0.clone()))).await;
    let api = Api::new(&sb.base_url());
    let id = paid_invoice(&api, &rx.url).await;
    api.advance(0).await;
    let d = &api.deliveries(&id).await[0];
    assert_eq!(d["state"], "delivered", "{d}");
    assert_eq!(d["attempts"][0]["statusCode"], 200, "{d}");
    let got = rx.received();
    assert_eq!(got.len(), 1, "{d}");
    verify(&got[0]).unwrap();
    rx.task.abort();
    sb.stop();
}

#[tokio::test]
async fn a_ca_file_that_is_not_pem_fails_start_up() {
    let bad = TempFile::new("not-a-ca.pem", "hello\n");
    let config = paystate_sandbox::Config::from_args(args(Some(bad.0.clone()))).unwrap();
    let err = paystate_sandbox::start(config).await.err().unwrap();
    assert!(
        matches!(err, paystate_sandbox::StartError::Usage(_)),
        "{err}"
    );
    assert!(err.to_string().contains("--ca-file"), "{err}");
    assert!(err.to_string().contains("no PEM CERTIFICATE"), "{err}");
}

const OWN_SECRET: &str = "whsec_seed001_from_the_file";

#[tokio::test]
async fn config_file_sets_a_per_seed_secret_and_flags_win() {
    let rx = Receiver::start(200).await;
    let file = TempFile::new(
        "per-seed.toml",
        &format!(
            "# the flags' settings, and seed 001's own webhook secret\n\
             api_key = \"test_from_the_file\"\n\
             webhook_secret = \"whsec_global_from_the_file\"\n\
             forward_to = \"{}\"\n\
             \n\
             [seeds.001]\n\
             webhook_secret = \"{OWN_SECRET}\"\n\
             \n\
             [seeds.004]\n\
             api_key = \"pk_seed004_from_the_file\"\n",
            rx.url
        ),
    );
    // --api-key and --webhook-secret are given: they win over the file's.
    let sb = sandbox_with(paystate_sandbox::Args {
        config: Some(file.0.clone()),
        ..args(None)
    })
    .await;
    assert_eq!(sb.app.config.api_key, KEY);
    assert_eq!(sb.app.config.webhook_secret, SECRET);
    assert_eq!(sb.app.config.forward_to.as_deref(), Some(rx.url.as_str()));
    assert_eq!(sb.app.config.webhook_secret_for("001"), OWN_SECRET);
    assert_eq!(sb.app.config.webhook_secret_for("002"), SECRET);
    assert_eq!(sb.app.config.api_key_for("004"), "pk_seed004_from_the_file");
    assert_eq!(sb.app.config.api_key_for("001"), KEY);
    // Secrets stay out of Debug.
    let debug = format!("{:?}", sb.app.config);
    assert!(!debug.contains(OWN_SECRET) && !debug.contains(SECRET) && !debug.contains(KEY));
    assert!(!debug.contains("pk_seed004_from_the_file"), "{debug}");

    let api = Api::new(&sb.base_url());
    // The callback URL is replaced by the file's forward_to.
    let id = paid_invoice(&api, "http://127.0.0.1:9/unused").await;
    api.advance(0).await;
    let got = rx.received();
    assert_eq!(got.len(), 1, "{:?}", api.deliveries(&id).await);
    let now = Timestamp::from_seconds(1_800_000_000, "now").unwrap();
    verify_with(Scheme::UsdtGateway, OWN_SECRET, &got[0], now).unwrap();
    assert!(verify(&got[0]).is_err(), "verifies under the global secret");
    sb.stop();
}

/// `[seeds.001] api_key`: seed 001's API takes that Bearer key and no longer the global
/// one; the `/sandbox/` controls keep the global one.
#[tokio::test]
async fn config_file_gives_seed_001_its_own_bearer_key() {
    let file = TempFile::new(
        "seed001-key.toml",
        "[seeds.001]\napi_key = \"test_seed001_own\"\n",
    );
    let sb = sandbox_with(paystate_sandbox::Args {
        config: Some(file.0.clone()),
        ..args(None)
    })
    .await;
    let global = Api::new(&sb.base_url());
    let (s, v) = global.get("/api/v1/account").await;
    assert_eq!(s, 401, "{v}");
    let (s, v) = global.get("/sandbox/clock").await;
    assert_eq!(s, 200, "{v}");
    let mut own = Api::new(&sb.base_url());
    own.key = "test_seed001_own".into();
    let (s, v) = own.get("/api/v1/account").await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = own.get("/sandbox/clock").await;
    assert_eq!(s, 401, "{v}");
    sb.stop();
}

/// Why a `--config` file holding `text` is refused.
fn config_error(name: &str, text: &str) -> String {
    let file = TempFile::new(name, text);
    paystate_sandbox::Config::from_args(paystate_sandbox::Args {
        config: Some(file.0.clone()),
        ..args(None)
    })
    .err()
    .unwrap()
    .to_string()
}

#[test]
fn unknown_config_key_fails_start_up_naming_it() {
    let err = config_error(
        "unknown-key.toml",
        "port = 0\n[seeds.002]\napi_key = \"k_002\"\nwebhook_secrte = \"do-not-print-me\"\n",
    );
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("unknown field `webhook_secrte`"), "{err}");
    assert!(!err.contains("do-not-print-me"), "{err}");

    let err = config_error("unknown-seed.toml", "[seeds.005]\napi_key = \"k\"\n");
    assert!(err.contains("unknown seed `seeds.005`"), "{err}");
}

/// The built binary refuses to start on an unknown key: exit 2, the key named on stderr.
#[test]
fn the_binary_exits_2_on_an_unknown_config_key() {
    let file = TempFile::new("binary.toml", "webhook_secret = \"s\"\nforward = \"x\"\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_paystate-sandbox"))
        .args(["--port", "0", "--database", ":memory:", "--config"])
        .arg(&file.0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: 200 polls of 50 ms; a sandbox that started anyway is killed by its pid.
    let mut status = None;
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the sandbox started despite an unknown config key");
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown field `forward`"), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// Seed 000 as a shop would run it: its own merchant key from `--config`, its HTTPS
/// `notify_url` (a local receiver trusted through `ca_file` in the same file), the
/// `payment.completed` callback arriving over TLS with that key.
#[tokio::test]
async fn seed_000_notify_url_over_https_with_its_own_key() {
    const OWN_KEY: &str = "gatenoc_key_from_the_file";
    let pki = pki();
    let ca = TempFile::new("seed000-ca.pem", &pki.ca_pem);
    let rx = TlsReceiver::start(&pki).await;
    let file = TempFile::new(
        "seed000.toml",
        &format!(
            "ca_file = {:?}\n[seeds.000]\napi_key = \"{OWN_KEY}\"\n",
            ca.0.display().to_string()
        ),
    );
    let sb = sandbox_with(paystate_sandbox::Args {
        config: Some(file.0.clone()),
        ..args(None)
    })
    .await;
    let api = Api::new(&sb.base_url());
    let session = |key: &'static str| {
        let api = api.clone();
        let body = format!(
            r#"{{"amount":10.50,"note":"order_https","notify_url":"{}"}}"#,
            rx.url
        );
        async move {
            api.send_json(
                axum::http::Method::POST,
                "/api/v1/merchant/checkout-session",
                &[
                    ("content-type", "application/json"),
                    ("X-Merchant-Key", key),
                ],
                body.into_bytes(),
            )
            .await
        }
    };
    let (s, v) = session(KEY).await;
    assert_eq!(s, 401, "the global key is not seed 000's here: {v}");
    let (s, v) = session(OWN_KEY).await;
    assert_eq!(s, 200, "{v}");
    let link = v["checkout_url"]
        .as_str()
        .unwrap()
        .strip_prefix(&sb.base_url())
        .unwrap()
        .to_owned();
    let (s, h, _) = api
        .send(axum::http::Method::GET, &link, &[], Vec::new())
        .await;
    assert_eq!(s, 303);
    let id = h["location"]
        .to_str()
        .unwrap()
        .strip_prefix("/pay/")
        .unwrap()
        .to_owned();
    api.control(&id, "pay", json!({})).await;
    api.advance(0).await;

    let got = rx.received();
    assert_eq!(got.len(), 1, "{:?}", api.deliveries(&id).await);
    assert_eq!(header(&got[0], "X-Gateway-Merchant-Key"), Some(OWN_KEY));
    let now = Timestamp::from_seconds(1_800_000_000, "now").unwrap();
    verify_with(Scheme::Gatenoc, OWN_KEY, &got[0], now).unwrap();
    assert!(verify_with(Scheme::Gatenoc, KEY, &got[0], now).is_err());
    let body: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(body["event"], "payment.completed", "{body}");
    rx.task.abort();
    sb.stop();
}

/// The example file in sandbox/README.md is a valid `--config` and means what it says.
#[test]
fn the_readme_example_config_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a ```toml block in the README")
        + 8;
    let len = readme[start..].find("```").unwrap();
    let file = TempFile::new("readme.toml", &readme[start..start + len]);
    let config = paystate_sandbox::Config::from_args(paystate_sandbox::Args {
        port: paystate_sandbox::config::DEFAULT_PORT,
        database: paystate_sandbox::config::DEFAULT_DATABASE.into(),
        config: Some(file.0.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(config.port, 8080);
    assert_eq!(config.api_key, "test_shop_key");
    assert_eq!(config.api_key_for("001"), "test_seed001_key");
    assert_eq!(config.webhook_secret_for("001"), "whsec_seed001");
    assert_eq!(config.api_key_for("000"), "gatenoc_merchant_key");
    assert_eq!(config.webhook_secret_for("000"), "whsec_shop_secret");
    assert_eq!(config.webhook_secret_for("002"), "gatepay_notify_secret");
    assert_eq!(config.api_key_for("002"), "test_shop_key");
    assert_eq!(config.api_key_for("003"), "monetix_project_secret");
    assert_eq!(config.api_key_for("004"), "pk_live_like_key");
    assert_eq!(config.webhook_secret_for("004"), "sk_live_like_key");
    // Paths are relative to the file's folder.
    let folder = file.0.parent().unwrap();
    assert_eq!(config.ca_file, Some(folder.join("local-ca.pem")));
    assert_eq!(
        config.database,
        paystate_sandbox::store::Database::Sqlite(folder.join("sandbox.sqlite3"))
    );
    assert_eq!(
        config.forward_to.as_deref(),
        Some("https://127.0.0.1:3443/webhooks")
    );
}
