//! `paystate address ASSET ADDRESS` and `paystate uri ASSET ADDRESS AMOUNT`: the core's
//! receiving-address check and payment request URI (`docs/spec.md` §11) on the command line.

use paystate::address::Address;
use paystate::{Amount, Asset};
use serde_json::json;

/// Clap value parser for ASSET: a usage error (exit 2) names the known codes.
pub fn parse_asset(code: &str) -> Result<Asset, String> {
    Asset::parse(code, "asset").map_err(|_| {
        let known: Vec<_> = Asset::ALL.iter().map(Asset::code).collect();
        format!("unknown asset {code:?}; one of {}", known.join(", "))
    })
}

/// Checks `text` as a receiving address of `asset`. Returns the text to print and whether
/// the address is valid. Plain: the normalised address, or `not valid: <error> (<code>)`.
/// JSON: `{"valid", "normalized", "asset", "error", "reason", "detail"}` where `error` is the
/// core's error code and `reason` the stable problem code (`malformed`, `checksum_mismatch`,
/// `wrong_network`, `no_onchain_address`).
pub fn check(asset: Asset, text: &str, as_json: bool) -> (String, bool) {
    let outcome = Address::check(asset, text);
    let valid = outcome.is_ok();
    let out = match (outcome, as_json) {
        (Ok(a), false) => a.as_str().to_owned(),
        (Ok(a), true) => json!({
            "valid": true,
            "normalized": a.as_str(),
            "asset": asset.code(),
            "error": null,
            "reason": null,
            "detail": null,
        })
        .to_string(),
        (Err(e), false) => {
            let err = e.into_error("address");
            format!("not valid: {err} ({})", err.code())
        }
        (Err(e), true) => {
            let (reason, detail) = (e.problem.code(), e.detail.clone());
            let err = e.into_error("address");
            json!({
                "valid": false,
                "normalized": null,
                "asset": asset.code(),
                "error": err.code(),
                "reason": reason,
                "detail": detail,
            })
            .to_string()
        }
    };
    (out, valid)
}

/// The payment request URI for `amount` (a strict amount string) of `asset` to `address`.
pub fn uri(asset: Asset, address: &str, amount: &str) -> paystate::Result<String> {
    let amount = Amount::parse(amount, "amount")?;
    paystate::payment_uri::payment_uri(asset, address, amount)
}
