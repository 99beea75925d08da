//! Names of the contract, as data: statuses, exceptions, event types, schemes, codes,
//! assets, and the invoice transition table.

use napi::bindgen_prelude::{FromNapiValue, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use paystate::delivery::Policy;
use paystate::invoice::table;
use paystate::signature::Scheme;
use paystate::{Amount, Asset, EventType, Exception, Status};

use crate::conv;
use crate::err::OrThrow;

/// Every invoice status.
#[napi(ts_return_type = "InvoiceStatus[]")]
pub fn statuses() -> Vec<&'static str> {
    Status::ALL.iter().map(Status::as_str).collect()
}

/// Every invoice exception.
#[napi(ts_return_type = "InvoiceException[]")]
pub fn exceptions() -> Vec<&'static str> {
    Exception::ALL.iter().map(Exception::as_str).collect()
}

/// Every event type (`invoice.created`, ...).
#[napi(ts_return_type = "EventType[]")]
pub fn event_types() -> Vec<&'static str> {
    EventType::ALL.iter().map(EventType::as_str).collect()
}

/// Every signature scheme.
#[napi(ts_return_type = "Scheme[]")]
pub fn schemes() -> Vec<&'static str> {
    Scheme::ALL.iter().map(|s| s.name()).collect()
}

/// Every delivery policy.
#[napi(ts_return_type = "DeliveryPolicy[]")]
pub fn delivery_policies() -> Vec<&'static str> {
    Policy::ALL.iter().map(|p| p.name()).collect()
}

/// Every error code the core can throw (`err.code`).
#[napi(ts_return_type = "PaystateErrorCode[]")]
pub fn error_codes() -> Vec<&'static str> {
    paystate::Error::CODES.to_vec()
}

/// Every asset code.
#[napi(ts_return_type = "Asset[]")]
pub fn assets() -> Vec<&'static str> {
    Asset::ALL.iter().map(|a| a.code()).collect()
}

/// The number of decimal places an asset allows (`USDT_TRC20` 6, `USDT_BSC` 18, ...);
/// unknown assets are `invalid_asset`.
#[napi(ts_args_type = "asset: string")]
pub fn asset_scale(env: &Env, asset: Unknown<'_>) -> napi::Result<u32> {
    let code = conv::string(env, asset, "asset")?;
    Ok(Asset::parse(&code, "asset").or_throw(env)?.scale())
}

/// Parses an amount with the contract's grammar (`[0-9]+(\.[0-9]+)?`, at most 28
/// significant digits) and prints it in its shortest exact form (`"10.50"` → `"10.5"`).
/// Anything else is `invalid_amount`.
#[napi(ts_args_type = "amount: string")]
pub fn normalize_amount(env: &Env, amount: Unknown<'_>) -> napi::Result<String> {
    Ok(conv::amount(env, amount, "amount")?.to_string())
}

/// Compares two amounts as decimals: -1, 0 or 1 (`"4"` equals `"4.000000"`).
#[napi(ts_args_type = "a: string, b: string")]
pub fn compare_amounts(env: &Env, a: Unknown<'_>, b: Unknown<'_>) -> napi::Result<i32> {
    let a: Amount = conv::amount(env, a, "a")?;
    let b: Amount = conv::amount(env, b, "b")?;
    Ok(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

/// The invoice transition table as data: every (status, command) → statuses rule, as the
/// core applies it (`from` is `null` for creation).
#[napi(ts_return_type = "TransitionRule[]")]
pub fn transition_table(env: &Env) -> napi::Result<Vec<Object<'_>>> {
    table::RULES
        .iter()
        .map(|r| {
            let mut o = Object::new(env)?;
            o.set("from", r.from.map(|s| s.as_str()))?;
            o.set("command", r.command.as_str())?;
            o.set("to", r.to.iter().map(Status::as_str).collect::<Vec<_>>())?;
            o.set("note", r.note)?;
            Ok(o)
        })
        .collect()
}

/// The transition table as a Mermaid state diagram.
#[napi]
pub fn transition_mermaid() -> String {
    table::mermaid()
}

/// Whether `value` is an error thrown by this package for a core rule (it then has a
/// `code` from `errorCodes()` and, where one applies, a `field`).
#[napi(
    ts_args_type = "value: unknown",
    ts_return_type = "value is PaystateError"
)]
pub fn is_paystate_error(value: Unknown<'_>) -> napi::Result<bool> {
    if value.get_type()? != ValueType::Object || !value.is_error()? {
        return Ok(false);
    }
    let obj = Object::from_unknown(value)?;
    let code: Option<Unknown<'_>> = obj.get("code")?;
    match code {
        Some(c) if c.get_type()? == ValueType::String => {
            let c = String::from_unknown(c)?;
            Ok(paystate::Error::CODES.contains(&c.as_str()))
        }
        _ => Ok(false),
    }
}

/// Parses an RFC 3339 time (`2026-03-24T12:00:00Z`, offsets allowed, sub-millisecond digits
/// dropped toward the past) exactly as the core reads it; anything else is `invalid_field`.
#[napi(ts_args_type = "text: string", ts_return_type = "Date")]
pub fn parse_timestamp<'e>(env: &'e Env, text: Unknown<'_>) -> napi::Result<Unknown<'e>> {
    let text = conv::string(env, text, "at")?;
    let t = paystate::Timestamp::parse(&text, "at").or_throw(env)?;
    conv::opt_date(env, Some(t))
}

/// How the loaded binary was compiled: `'release'` (what the published platform package
/// holds) or `'debug'` (a development build). Packaging and its tests check it.
#[napi(ts_return_type = "'release' | 'debug'")]
pub fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
