//! Runs the built `paystate` binary on real files, as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn paystate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    paystate_env(args, stdin, None)
}

/// Runs the binary with `PAYSTATE_SECRETS` set to `secrets`, or removed when `None` (so
/// the caller's environment never leaks into a test).
fn paystate_env(args: &[&str], stdin: Option<&[u8]>, secrets: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paystate"));
    match secrets {
        Some(v) => cmd.env("PAYSTATE_SECRETS", v),
        None => cmd.env_remove("PAYSTATE_SECRETS"),
    };
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn tmp(name: &str, bytes: &[u8]) -> PathBuf {
    // Tests run in parallel and some write the same file (`verify_example`): write under a
    // unique name and rename, so a reader never sees a truncated, half-written file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("paystate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = dir.join(format!(".{name}.{n}.partial"));
    std::fs::write(&partial, bytes).unwrap();
    std::fs::rename(&partial, &path).unwrap();
    path
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sign_usdt(body_file: &str) -> String {
    let out = paystate(
        &[
            "sign",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "k3y",
            "--body-file",
            body_file,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text(&out).trim().to_owned()
}

#[test]
fn verify_valid_and_invalid_with_exit_codes() {
    let body = tmp(
        "ok.json",
        br#"{"status":"confirmed","invoice_reference":"ORDER-9"}"#,
    );
    let header =
        "X-Webhook-Signature: 70d95d0c9c988a60bc7db72ab08f62891323ce2911389f1c7f5d5398ada91fd3";
    let ok = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "example_secret",
            "--header",
            header,
            "--body-file",
            body.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(ok.status.code(), Some(0));
    assert!(text(&ok).starts_with("valid"), "{}", text(&ok));

    let bad = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "other",
            "--header",
            header,
            "--body-file",
            body.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(text(&bad).trim()).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"], "signature_mismatch");
    assert!(v["key_index"].is_null());
    assert!(!text(&bad).contains("other"), "never print a secret");
}

/// `verify` against the seed 001 example with the given secret arguments.
fn verify_example(secret_args: &[&str], env: Option<&str>) -> Output {
    let body = tmp(
        "secrets.json",
        br#"{"status":"confirmed","invoice_reference":"ORDER-9"}"#,
    );
    let mut args = vec![
        "verify",
        "--scheme",
        "usdt_gateway",
        "--header",
        "X-Webhook-Signature: 70d95d0c9c988a60bc7db72ab08f62891323ce2911389f1c7f5d5398ada91fd3",
        "--body-file",
        body.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(secret_args);
    paystate_env(&args, None, env)
}

fn key_index(out: &Output) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(text(out).trim()).expect("--json output");
    v["key_index"].clone()
}

#[test]
fn secrets_from_a_file_one_per_line() {
    // Two lines = rotation, in order; the trailing newline is not part of the secret.
    let file = tmp("secrets.txt", b"old_secret\nexample_secret\n");
    let out = verify_example(&["--secret-file", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(key_index(&out), 1);
    // CRLF line ends and blank lines are not secrets either.
    let file = tmp("secrets_crlf.txt", b"\r\nexample_secret\r\n\r\n");
    let out = verify_example(&["--secret-file", file.to_str().unwrap()], None);
    assert_eq!(key_index(&out), 0);
    // Other whitespace is kept (and then diagnosed, never silently trimmed).
    let file = tmp("secrets_space.txt", b"example_secret \n");
    let out = verify_example(&["--secret-file", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("secret_whitespace"), "{}", text(&out));
    // A file and flags combine, the file first.
    let file = tmp("secrets_old.txt", b"old_secret\n");
    let out = verify_example(
        &[
            "--secret-file",
            file.to_str().unwrap(),
            "--secret",
            "example_secret",
        ],
        None,
    );
    assert_eq!(key_index(&out), 1);
    // An empty or missing file is a usage error that never prints a secret.
    let empty = tmp("secrets_empty.txt", b"\n\n");
    for path in [empty.to_str().unwrap(), "/nonexistent/secrets.txt"] {
        let out = verify_example(&["--secret-file", path], Some("example_secret"));
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--secret-file"), "{err}");
        assert!(!err.contains("example_secret"), "{err}");
    }
}

#[test]
fn secrets_from_the_environment() {
    let out = verify_example(&[], Some("old_secret,example_secret"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(key_index(&out), 1);
    // Flags win over the environment: it is read only when no flag gives a secret.
    let out = verify_example(&["--secret", "example_secret"], Some("wrong"));
    assert_eq!(key_index(&out), 0);
    let out = verify_example(&["--secret", "wrong"], Some("example_secret"));
    assert_eq!(out.status.code(), Some(1));
    // No secret anywhere: usage error naming every way to give one.
    for env in [None, Some(""), Some(",")] {
        let out = verify_example(&[], env);
        assert_eq!(out.status.code(), Some(2), "{env:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--secret-file") && err.contains("PAYSTATE_SECRETS"),
            "{err}"
        );
    }
    // `sign` reads the same sources and produces the same headers.
    let body = tmp("sign_env.json", b"{}");
    let sign = |args: &[&str], env: Option<&str>| {
        let mut all = vec![
            "sign",
            "--scheme",
            "github",
            "--body-file",
            body.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        let out = paystate_env(&all, None, env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text(&out)
    };
    let file = tmp("sign_key.txt", b"k3y\n");
    let by_flag = sign(&["--secret", "k3y"], None);
    assert_eq!(sign(&[], Some("k3y")), by_flag);
    assert_eq!(
        sign(&["--secret-file", file.to_str().unwrap()], None),
        by_flag
    );
    assert_ne!(sign(&[], Some("other")), by_flag);
}

#[test]
fn verify_reads_stdin_and_diagnoses_a_reserialized_body() {
    let header =
        "X-Webhook-Signature: 70d95d0c9c988a60bc7db72ab08f62891323ce2911389f1c7f5d5398ada91fd3";
    let pretty = b"{\n  \"status\": \"confirmed\",\n  \"invoice_reference\": \"ORDER-9\"\n}";
    let out = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "example_secret",
            "--header",
            header,
            "--json",
        ],
        Some(pretty),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(text(&out).trim()).unwrap();
    assert_eq!(v["hints"], serde_json::json!(["body_reserialized"]));
    let human = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "example_secret",
            "--header",
            header,
        ],
        Some(pretty),
    );
    assert!(text(&human).contains("re-serialising"), "{}", text(&human));
}

#[test]
fn non_utf8_and_one_megabyte_bodies() {
    let mut raw = vec![0xffu8, 0xfe, 0x00, 0x80];
    raw.extend_from_slice(b"binary");
    let file = tmp("raw.bin", &raw);
    let header = sign_usdt(file.to_str().unwrap());
    let out = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "k3y",
            "--header",
            &header,
            "--body-file",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let big = vec![b'a'; 1 << 20];
    let file = tmp("big.bin", &big);
    let header = sign_usdt(file.to_str().unwrap());
    let out = paystate(
        &[
            "verify",
            "--scheme",
            "usdt_gateway",
            "--secret",
            "k3y",
            "--header",
            &header,
            "--body-file",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_errors_exit_2() {
    let out = paystate(
        &["verify", "--scheme", "nope", "--secret", "x"],
        Some(b"{}"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scheme"));
    let out = paystate(
        &[
            "verify",
            "--scheme",
            "github",
            "--secret",
            "x",
            "--body-file",
            "/nonexistent/file",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let out = paystate(&["replay", "/nonexistent/file"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = paystate(&["states", "--format", "xml"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = paystate(&["dialect", "nope", "invoice"], Some(b"{}"));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn replay_prints_a_timeline_and_names_the_failing_line() {
    let steps = concat!(
        r#"{"op":"create_invoice","at":"2026-01-01T00:00:00Z","invoice":{"id":"i1","due":"5","asset":"USDT_TRC20","expires_in":600,"tolerance":{"absolute":"1"}}}"#,
        "\n",
        "# a comment\n",
        r#"{"op":"observe_transfer","at":"2026-01-01T00:01:00Z","invoice":"i1","transfer":{"tx_id":"t1","amount":"4","asset":"USDT_TRC20","confirmed":true}}"#,
        "\n",
    );
    let file = tmp("ok.jsonl", steps.as_bytes());
    let out = paystate(&["replay", file.to_str().unwrap()], None);
    assert!(out.status.success());
    let t = text(&out);
    assert!(t.contains("invoice.paid"), "{t}");
    assert!(t.contains("i1: paid"), "{t}");

    let bad = format!(
        "{steps}{}\n",
        r#"{"op":"cancel","at":"2026-01-01T00:02:00Z","invoice":"i1"}"#
    );
    let file = tmp("bad.jsonl", bad.as_bytes());
    let out = paystate(&["replay", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 4"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn explain_a_stored_state() {
    let spec = paystate::InvoiceSpec::from_json(
        serde_json::json!({"id": "i1", "due": "10", "asset": "USDT_TRC20", "expires_in": 600})
            .as_object()
            .unwrap(),
    )
    .unwrap();
    let t0 = paystate::Timestamp::parse("2026-01-01T00:00:00Z", "t").unwrap();
    let (inv, _) = paystate::Invoice::create(spec, t0).unwrap();
    let file = tmp("inv.json", inv.to_json().as_bytes());
    let out = paystate(&["explain", file.to_str().unwrap()], None);
    assert!(out.status.success());
    assert!(
        text(&out).contains("Invoice i1 is pending"),
        "{}",
        text(&out)
    );
    let file = tmp("junk.json", b"{\"schema_version\": 99}");
    let out = paystate(&["explain", file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn states_and_demo() {
    let out = paystate(&["states", "--format", "mermaid"], None);
    assert!(text(&out).starts_with("stateDiagram-v2"));
    let out = paystate(&["states"], None);
    let rules: serde_json::Value = serde_json::from_str(&text(&out)).unwrap();
    assert!(rules.as_array().unwrap().len() > 40);
    let out = paystate(&["demo"], None);
    assert!(out.status.success());
    assert!(text(&out).contains("signature valid with key #1"));
}

#[test]
fn help_has_examples() {
    for sub in [
        "verify",
        "sign",
        "replay",
        "explain",
        "states",
        "conformance",
        "dialect",
    ] {
        let out = paystate(&[sub, "--help"], None);
        assert!(out.status.success());
        assert!(
            text(&out).contains("Example"),
            "{sub} --help has no example"
        );
    }
    for sub in ["verify", "sign"] {
        let help = text(&paystate(&[sub, "--help"], None));
        assert!(
            help.contains("--secret-file") && help.contains("PAYSTATE_SECRETS"),
            "{sub} --help does not document the secret sources"
        );
    }
}
