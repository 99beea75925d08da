//! `paystate dialect NAME KIND [--at T] < request.json`: parse a create request in one of
//! the five seed APIs' shapes and print what the core makes of it.
//!
//! Output (exit 0 either way):
//! * `{"accepted": {"invoice": {...}, "due": "10.5", "extra": {...}}}` — `invoice` is the
//!   conformance `create_invoice` object (DESIGN §8, FORMAT.md), `due` the amount due in
//!   the asset after price × rate + surcharge, `extra` the provider's fields the core spec
//!   does not hold (URLs, titles, flags, the amount as the provider prints it). With `--at`
//!   it also has `deadline`. Monetix refunds and payouts print `{"accepted": {"refund": ...}}`
//!   and `{"accepted": {"payout": ...}}`.
//! * `{"rejected": {"code", "field", "message", "http_status"?, "body"?}}` — `field` is the
//!   provider's field name; `http_status` and `body` appear where the seed documents them.
//!
//! The invoice id is derived from the request, so the same input always prints the same
//! output: the provider's own order key when it is a usable id (gatenoc `note`/`username`,
//! usdt_gateway `reference`, gatepay `merchantTradeNo`, monetix `payment_id`,
//! keypair_invoice `order_id`), else `"{NAME}-{16 hex digits}"` from the FNV-1a 64-bit hash
//! of the request bytes.
//!
//! `--at` is the request time. Without it the output must not depend on time, so the
//! request is resolved at the unix epoch and no `deadline` is printed; a gatepay order with
//! an absolute `orderExpireTime` is checked against the request time, so it requires
//! `--at`. Host inputs the request cannot carry take their documented defaults: rate 1,
//! gatenoc session TTL 1800 s, keypair_invoice fee 0 and the first USDT network not banned.

use paystate::dialect::{gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, ParsedInvoice};
use paystate::json::parse_object;
use paystate::{Amount, Timestamp};
use serde_json::{json, Value};

/// The NAME/KIND pairs `run` accepts.
pub const KINDS: [(&str, &str); 7] = [
    ("gatenoc", "checkout-session"),
    ("usdt_gateway", "invoice"),
    ("gatepay", "order"),
    ("monetix", "purchase"),
    ("monetix", "refund"),
    ("monetix", "payout"),
    ("keypair_invoice", "invoice"),
];

/// Parses `input` as a NAME/KIND create request at `at` (RFC 3339). `Err` is a usage error
/// (unknown NAME or KIND, a bad `--at`, or `--at` missing where the answer depends on
/// time); `Ok` is the JSON to print, accepted or rejected.
pub fn run(name: &str, kind: &str, at: Option<&str>, input: &[u8]) -> Result<Value, String> {
    if !KINDS.contains(&(name, kind)) {
        let known: Vec<String> = KINDS.iter().map(|(n, k)| format!("{n} {k}")).collect();
        return Err(format!(
            "unknown dialect {name:?} {kind:?}; expected one of: {}",
            known.join(", ")
        ));
    }
    let request_time = match at {
        Some(text) => Some(Timestamp::parse(text, "--at").map_err(|e| format!("--at: {e}"))?),
        None => None,
    };
    let body = parse_object(input).ok();
    let member = |path: &[&str]| -> Option<String> {
        let (last, parents) = path.split_last()?;
        let mut map = body.as_ref()?;
        for key in parents {
            map = map.get(*key)?.as_object()?;
        }
        let v = map.get(*last)?;
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let usable = !text.is_empty()
            && text.len() <= paystate::invoice::MAX_ID_LEN
            && !text.chars().any(char::is_control);
        usable.then_some(text)
    };
    if name == "gatepay" && request_time.is_none() && member(&["orderExpireTime"]).is_some() {
        return Err(
            "--at is required: a gatepay order with orderExpireTime is checked against \
                    the request time"
                .into(),
        );
    }
    let now = request_time.unwrap_or_default();
    let key = match name {
        "gatenoc" => member(&["note"]).or_else(|| member(&["username"])),
        "usdt_gateway" => member(&["reference"]),
        "gatepay" => member(&["merchantTradeNo"]),
        "monetix" => member(&["general", "payment_id"]).or_else(|| member(&["payment_id"])),
        _ => member(&["order_id"]),
    };
    let id = key.unwrap_or_else(|| format!("{name}-{:016x}", fnv1a64(input)));
    let one = Amount::from_units(1);
    let accepted = |invoice: &ParsedInvoice, extra: Value| -> Value {
        let mut a = serde_json::Map::new();
        a.insert("invoice".into(), invoice.spec.to_json());
        a.insert("due".into(), json!(invoice.due.to_string()));
        if request_time.is_some() {
            a.insert("deadline".into(), json!(invoice.deadline.to_string()));
        }
        a.insert("extra".into(), extra);
        json!({ "accepted": a })
    };
    let rejected = |r: paystate::dialect::Rejection| json!({"rejected": r.to_json()});
    let out = match (name, kind) {
        ("gatenoc", _) => {
            let ctx = gatenoc::CheckoutContext {
                id,
                now,
                ttl: gatenoc::DEFAULT_SESSION_TTL,
            };
            match gatenoc::parse_checkout_session(input, &ctx) {
                Ok(r) => accepted(&r.invoice, r.extra_json()),
                Err(e) => rejected(e),
            }
        }
        ("usdt_gateway", _) => {
            let ctx = usdt_gateway::InvoiceContext {
                id,
                now,
                generated_reference: None,
            };
            match usdt_gateway::parse_invoice(input, &ctx) {
                Ok(r) => accepted(&r.invoice, r.extra_json()),
                Err(e) => rejected(e),
            }
        }
        ("gatepay", _) => {
            let ctx = gatepay::OrderContext { id, now, rate: one };
            match gatepay::parse_order(input, &ctx) {
                Ok(r) => accepted(&r.invoice, r.extra_json()),
                Err(e) => rejected(e),
            }
        }
        ("monetix", "purchase") => {
            let ctx = monetix::PurchaseContext { id, now, rate: one };
            match monetix::parse_purchase(input, &ctx) {
                Ok(r) => accepted(&r.invoice, r.extra_json()),
                Err(e) => rejected(e),
            }
        }
        ("monetix", "refund") => match monetix::parse_refund(input) {
            Ok(r) => json!({"accepted": {"refund": r.to_json()}}),
            Err(e) => rejected(e),
        },
        ("monetix", _) => match monetix::parse_payout(input) {
            Ok(r) => json!({"accepted": {"payout": r.to_json()}}),
            Err(e) => rejected(e),
        },
        _ => {
            let ctx = keypair_invoice::InvoiceContext {
                id,
                now,
                rate: one,
                fee: Amount::ZERO,
                asset: None,
            };
            match keypair_invoice::parse_invoice(input, &ctx) {
                Ok(r) => accepted(&r.invoice, r.extra_json()),
                Err(e) => rejected(e),
            }
        }
    };
    Ok(out)
}

/// FNV-1a, 64 bits: a stable, dependency-free fingerprint of the request bytes.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
