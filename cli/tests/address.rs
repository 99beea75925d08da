//! `paystate address` and `paystate uri` on the built binary, as a user runs them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::{Command, Output};

fn paystate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paystate"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("stdout is JSON")
}

#[test]
fn a_valid_address_prints_its_normalised_form() {
    // EIP-55 test vector, given unchecksummed.
    let o = paystate(&[
        "address",
        "USDT_ERC20",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n");

    let o = paystate(&[
        "address",
        "USDT_TRC20",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        json(&o),
        serde_json::json!({
            "valid": true,
            "normalized": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
            "asset": "USDT_TRC20",
            "error": null,
            "reason": null,
            "detail": null,
        })
    );
}

#[test]
fn an_invalid_address_exits_1_with_the_reason() {
    let o = paystate(&[
        "address",
        "USDT_ERC20",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("not valid: address: wrong_network: "),
        "{out}"
    );
    assert!(out.trim_end().ends_with("(invalid_field)"), "{out}");

    // One letter of an EIP-55 vector flipped to lowercase.
    let o = paystate(&[
        "address",
        "USDT_BSC",
        "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["valid"], false);
    assert_eq!(v["normalized"], serde_json::Value::Null);
    assert_eq!(v["asset"], "USDT_BSC");
    assert_eq!(v["error"], "invalid_field");
    assert_eq!(v["reason"], "checksum_mismatch");

    for (asset, address, reason) in [
        (
            "USDT_TRC20",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "wrong_network",
        ),
        (
            "USDT_TRC20",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
            "checksum_mismatch",
        ),
        ("USDT_POLYGON", "0x1234", "malformed"),
        (
            "USDT_BYBIT",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "no_onchain_address",
        ),
    ] {
        let o = paystate(&["address", asset, address, "--json"]);
        assert_eq!(o.status.code(), Some(1), "{asset} {address}");
        assert_eq!(json(&o)["reason"], reason, "{asset} {address}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = paystate(&["address", "USDT_DOGE", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("USDT_TRC20"), "{}", stderr(&o));
    assert_eq!(paystate(&["address", "USDT_TRC20"]).status.code(), Some(2));
    assert_eq!(paystate(&["uri", "USDT_TRC20", "T"]).status.code(), Some(2));
}

#[test]
fn uri_prints_the_payment_request() {
    let o = paystate(&[
        "uri",
        "USDT_BSC",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "10.50",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "ethereum:0x55d398326f99059fF775485246999027B3197955@56/transfer\
         ?address=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed&uint256=10500000000000000000\n"
    );

    let o = paystate(&[
        "uri",
        "USDT_TRC20",
        "TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "https://link.trustwallet.com/send?asset=c195_tTR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\
         &address=TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig&amount=3\n"
    );
}

#[test]
fn uri_with_invalid_input_exits_1_with_the_typed_error() {
    for (args, code) in [
        (
            [
                "uri",
                "USDT_ERC20",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "1.0000001",
            ],
            "(too_many_decimals)",
        ),
        (
            [
                "uri",
                "USDT_ERC20",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                "1e3",
            ],
            "(invalid_amount)",
        ),
        (
            [
                "uri",
                "USDT_ERC20",
                "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
                "1",
            ],
            "(invalid_field)",
        ),
    ] {
        let o = paystate(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stdout(&o).is_empty());
        let err = stderr(&o);
        assert!(err.starts_with("paystate uri: "), "{err}");
        assert!(err.trim_end().ends_with(code), "{err}");
    }
}
