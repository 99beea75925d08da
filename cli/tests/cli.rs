//! Runs the built `paystate` binary on real files, as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn paystate(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paystate"))
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
    let dir = std::env::temp_dir().join(format!("paystate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
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
}
