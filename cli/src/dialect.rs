//! `paystate dialect NAME KIND [--at T] < request.json`: parse a create request in one of
//! the five seed APIs' shapes and print what the core makes of it.
//!
//! Output (exit 0 either way):
//! * `{"accepted": {"invoice": {...}, "due": "10.5", "extra": {...}}}` — `invoice` is the
//!   conformance `create_invoice` object (docs/spec.md §8, conformance/FORMAT.md), `due` the amount due in
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

use paystate::dialect::{Request, RequestContext, RequestKind};
use paystate::json::parse_object;
use paystate::Timestamp;
use serde_json::{json, Value};

/// The KIND spelling on the command line: the core's operation with `-` for `_`
/// (`checkout-session`).
fn cli_kind(kind: RequestKind) -> String {
    kind.operation().replace('_', "-")
}

/// The NAME/KIND pairs `run` accepts, as typed on the command line.
pub fn kinds() -> Vec<(&'static str, String)> {
    RequestKind::ALL
        .into_iter()
        .map(|k| (k.dialect(), cli_kind(k)))
        .collect()
}

/// Parses `input` as a NAME/KIND create request at `at` (RFC 3339). `Err` is a usage error
/// (unknown NAME or KIND, a bad `--at`, or `--at` missing where the answer depends on
/// time); `Ok` is the JSON to print, accepted or rejected.
pub fn run(name: &str, kind: &str, at: Option<&str>, input: &[u8]) -> Result<Value, String> {
    let Some(request_kind) = RequestKind::ALL
        .into_iter()
        .find(|k| k.dialect() == name && cli_kind(*k) == kind)
    else {
        let known: Vec<String> = kinds().iter().map(|(n, k)| format!("{n} {k}")).collect();
        return Err(format!(
            "unknown dialect {name:?} {kind:?}; expected one of: {}",
            known.join(", ")
        ));
    };
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
    if request_kind == RequestKind::GatepayOrder
        && request_time.is_none()
        && member(&["orderExpireTime"]).is_some()
    {
        return Err(
            "--at is required: a gatepay order with orderExpireTime is checked against \
                    the request time"
                .into(),
        );
    }
    let key = match request_kind.dialect() {
        "gatenoc" => member(&["note"]).or_else(|| member(&["username"])),
        "usdt_gateway" => member(&["reference"]),
        "gatepay" => member(&["merchantTradeNo"]),
        "monetix" => member(&["general", "payment_id"]).or_else(|| member(&["payment_id"])),
        _ => member(&["order_id"]),
    };
    let id = key.unwrap_or_else(|| format!("{name}-{:016x}", fnv1a64(input)));
    // Every other host input takes its documented default (rate 1, no fee, ...).
    let ctx = RequestContext::new(id, request_time.unwrap_or_default());
    let out = match Request::parse(request_kind, input, &ctx) {
        Ok(request) => match request.invoice() {
            Some(invoice) => {
                let mut a = serde_json::Map::new();
                a.insert("invoice".into(), invoice.spec.to_json());
                a.insert("due".into(), json!(invoice.due.to_string()));
                if request_time.is_some() {
                    a.insert("deadline".into(), json!(invoice.deadline.to_string()));
                }
                a.insert("extra".into(), request.extra());
                json!({ "accepted": a })
            }
            // A refund or payout creates no invoice: the request itself is printed.
            None => json!({"accepted": {request_kind.operation(): request.extra()}}),
        },
        Err(e) => json!({"rejected": e.to_json()}),
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
