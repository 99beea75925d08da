//! Conversions between JavaScript values and core types. No payment rule lives here: every
//! value is handed to the core's own parsers (`Amount::parse`, `Timestamp::from_millis`,
//! `InvoiceSpec::from_json`, ...), which decide what is valid.
//!
//! Arguments that come from the outside arrive as `Unknown` and are type-checked here, so a
//! wrong JavaScript type is a `TypeError` with a message naming the parameter, never a
//! napi-internal error.

use napi::bindgen_prelude::{
    Array, FromNapiValue, Null, Object, ToNapiValue, Uint8ArraySlice, Unknown,
};
use napi::{Env, JsDate, JsString, JsValue, ValueType};
use paystate::{Amount, Timestamp};
use serde_json::{Map, Number, Value};

use crate::err::{invalid_field, raise, type_error, OrThrow};

/// Deepest nesting accepted when reading a JavaScript object as JSON (the core's own cap).
const MAX_DEPTH: usize = paystate::json::MAX_JSON_DEPTH;
/// Most values read from one JavaScript object graph.
const MAX_NODES: usize = 100_000;

/// A short name of a value's JavaScript type, for messages.
pub(crate) fn kind(v: &Unknown<'_>) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::Object) => "an object",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::External) => "an external",
        Ok(ValueType::BigInt) => "a bigint",
        _ => "an unknown value",
    }
}

fn is_nullish(v: &Unknown<'_>) -> napi::Result<bool> {
    Ok(matches!(
        v.get_type()?,
        ValueType::Undefined | ValueType::Null
    ))
}

/// A required string.
pub(crate) fn string(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<String> {
    if v.get_type()? == ValueType::String {
        String::from_unknown(v)
    } else {
        Err(type_error(
            env,
            &format!("{field}: expected a string, got {}", kind(&v)),
        ))
    }
}

/// An optional string (`undefined` or `null` is absent).
pub(crate) fn opt_string(
    env: &Env,
    v: Option<Unknown<'_>>,
    field: &str,
) -> napi::Result<Option<String>> {
    match v {
        Some(v) if !is_nullish(&v)? => string(env, v, field).map(Some),
        _ => Ok(None),
    }
}

/// A required boolean.
pub(crate) fn boolean(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<bool> {
    if v.get_type()? == ValueType::Boolean {
        bool::from_unknown(v)
    } else {
        Err(type_error(
            env,
            &format!("{field}: expected a boolean, got {}", kind(&v)),
        ))
    }
}

/// A decimal-string amount. JS numbers and bigints are `invalid_amount` (money is never a
/// binary float); other types are a `TypeError`.
pub(crate) fn amount(env: &Env, v: Unknown<'_>, field: &'static str) -> napi::Result<Amount> {
    match v.get_type()? {
        ValueType::String => Amount::parse(&String::from_unknown(v)?, field).or_throw(env),
        ValueType::Number | ValueType::BigInt => {
            let shown = v
                .coerce_to_string()
                .and_then(|s| s.into_utf8())
                .map(|s| s.as_str().map(|s| s.chars().take(40).collect::<String>()));
            let value = match shown {
                Ok(Ok(s)) => s,
                _ => String::new(),
            };
            Err(raise(
                env,
                &paystate::Error::InvalidAmount {
                    field: field.into(),
                    value,
                    reason: "amounts are decimal strings such as \"10.50\", never JS numbers or bigints (binary floating point cannot hold money exactly)",
                },
            ))
        }
        _ => Err(type_error(
            env,
            &format!(
                "{field}: expected a decimal string such as \"10.50\", got {}",
                kind(&v)
            ),
        )),
    }
}

/// An optional amount (`undefined` or `null` is absent).
pub(crate) fn opt_amount(
    env: &Env,
    v: Option<Unknown<'_>>,
    field: &'static str,
) -> napi::Result<Option<Amount>> {
    match v {
        Some(v) if !is_nullish(&v)? => amount(env, v, field).map(Some),
        _ => Ok(None),
    }
}

pub(crate) fn millis(env: &Env, ms: f64, field: &str) -> napi::Result<Timestamp> {
    if !ms.is_finite() {
        return Err(raise(
            env,
            &invalid_field(field, format!("{ms} is not a time")),
        ));
    }
    // Sub-millisecond parts are dropped toward the past, as the core does for RFC 3339.
    let floored = ms.floor();
    if !(-9.0e15..=9.0e15).contains(&floored) {
        return Err(raise(
            env,
            &invalid_field(field, "timestamp is outside 1970-01-01..9999-12-31"),
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = floored as i64;
    Timestamp::from_millis(whole, field.to_owned()).or_throw(env)
}

/// A time: a `Date`, unix milliseconds (a number), or an RFC 3339 string.
pub(crate) fn time(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<Timestamp> {
    // Fast path (the common case, milliseconds): one napi call, no type query first.
    // `napi_get_value_double` on a non-number fails without throwing.
    if let Ok(ms) = f64::from_unknown(v) {
        return millis(env, ms, field);
    }
    match v.get_type()? {
        ValueType::Number => millis(env, f64::from_unknown(v)?, field),
        ValueType::String => {
            Timestamp::parse(&String::from_unknown(v)?, field.to_owned()).or_throw(env)
        }
        ValueType::Object if v.is_date()? => {
            millis(env, JsDate::from_unknown(v)?.value_of()?, field)
        }
        _ => Err(type_error(
            env,
            &format!(
                "{field}: expected a Date or unix milliseconds, got {}",
                kind(&v)
            ),
        )),
    }
}

/// An optional time (`undefined` or `null` is absent).
pub(crate) fn opt_time(
    env: &Env,
    v: Option<Unknown<'_>>,
    field: &str,
) -> napi::Result<Option<Timestamp>> {
    match v {
        Some(v) if !is_nullish(&v)? => time(env, v, field).map(Some),
        _ => Ok(None),
    }
}

/// A whole, non-negative number (seconds, a capacity, an HTTP status).
pub(crate) fn whole(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<u64> {
    if v.get_type()? != ValueType::Number {
        return Err(type_error(
            env,
            &format!("{field}: expected a whole number, got {}", kind(&v)),
        ));
    }
    let f = f64::from_unknown(v)?;
    if !f.is_finite() || f < 0.0 || f.fract() != 0.0 || f > 9.0e15 {
        return Err(raise(
            env,
            &invalid_field(
                field,
                format!("expected a non-negative whole number, found {f}"),
            ),
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(f as u64)
}

/// An optional whole number (`undefined` or `null` is absent).
pub(crate) fn opt_whole(
    env: &Env,
    v: Option<Unknown<'_>>,
    field: &str,
) -> napi::Result<Option<u64>> {
    match v {
        Some(v) if !is_nullish(&v)? => whole(env, v, field).map(Some),
        _ => Ok(None),
    }
}

/// Raw bytes: a `Buffer`, a `Uint8Array`, or a string (taken as UTF-8).
pub(crate) enum Bytes<'a> {
    /// Borrowed from a `Buffer` or `Uint8Array`, without a copy.
    View(Uint8ArraySlice<'a>),
    /// A string's UTF-8 bytes.
    Text(String),
}

impl Bytes<'_> {
    /// The bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::View(v) => v,
            Bytes::Text(s) => s.as_bytes(),
        }
    }
}

/// Reads a body or a secret.
pub(crate) fn bytes<'a>(env: &Env, v: Unknown<'a>, field: &str) -> napi::Result<Bytes<'a>> {
    // Fast path for `Buffer`/`Uint8Array`: `napi_get_typedarray_info` fails without
    // throwing on anything else, and rejects typed arrays of other element types.
    if let Ok(view) = Uint8ArraySlice::from_unknown(v) {
        return Ok(Bytes::View(view));
    }
    match v.get_type()? {
        ValueType::String => Ok(Bytes::Text(String::from_unknown(v)?)),
        ValueType::Object if v.is_typedarray()? => match Uint8ArraySlice::from_unknown(v) {
            Ok(s) => Ok(Bytes::View(s)),
            Err(_) => Err(type_error(
                env,
                &format!("{field}: expected a Buffer or Uint8Array, got another typed array"),
            )),
        },
        _ => Err(type_error(
            env,
            &format!(
                "{field}: expected a Buffer, Uint8Array or string, got {}",
                kind(&v)
            ),
        )),
    }
}

/// A JavaScript string made from Rust text: copied as Latin-1 when it is ASCII (V8 then
/// skips UTF-8 decoding; vocabulary words, amounts and numbers are ASCII, ids nearly
/// always), else as UTF-8. For the hot paths' answers (events text, verify results).
pub(crate) fn js_text<'e>(env: &'e Env, text: &str) -> napi::Result<JsString<'e>> {
    if text.is_ascii() {
        env.create_string_latin1(text.as_bytes())
    } else {
        env.create_string(text)
    }
}

/// A JavaScript `Date` for an instant.
pub(crate) fn date(env: &Env, t: Timestamp) -> napi::Result<JsDate<'_>> {
    #[allow(clippy::cast_precision_loss)]
    env.create_date(t.as_millis() as f64)
}

/// A `Date`, or `null` for none.
pub(crate) fn opt_date(env: &Env, t: Option<Timestamp>) -> napi::Result<Unknown<'_>> {
    match t {
        Some(t) => Ok(date(env, t)?.to_unknown()),
        None => Null.into_unknown(env),
    }
}

/// Reads a JavaScript value as JSON data, the way `JSON.stringify` would see it
/// (`undefined` members skipped, `NaN` and infinities as `null`), except that `Date`s
/// become RFC 3339 strings, depth and size are capped (`malformed_json`), and bigints,
/// symbols and functions are a `TypeError`.
pub(crate) fn json_of(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<Value> {
    let mut budget = MAX_NODES;
    walk(env, v, field, 1, &mut budget)
}

fn walk(
    env: &Env,
    v: Unknown<'_>,
    path: &str,
    depth: usize,
    budget: &mut usize,
) -> napi::Result<Value> {
    if depth > MAX_DEPTH || *budget == 0 {
        return Err(raise(
            env,
            &paystate::Error::malformed_json(format!(
                "{path}: nesting deeper than {MAX_DEPTH} or more than {MAX_NODES} values"
            )),
        ));
    }
    *budget = budget.saturating_sub(1);
    Ok(match v.get_type()? {
        ValueType::Undefined | ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(bool::from_unknown(v)?),
        ValueType::String => Value::String(String::from_unknown(v)?),
        ValueType::Number => number(f64::from_unknown(v)?),
        ValueType::Object if v.is_date()? => {
            let t = millis(env, JsDate::from_unknown(v)?.value_of()?, path)?;
            Value::String(t.to_rfc3339())
        }
        ValueType::Object if v.is_array()? => {
            let arr = Array::from_unknown(v)?;
            let mut out = Vec::with_capacity(arr.len().min(1024) as usize);
            for i in 0..arr.len() {
                let item: Option<Unknown<'_>> = arr.get(i)?;
                match item {
                    Some(item) => out.push(walk(env, item, path, depth + 1, budget)?),
                    None => out.push(Value::Null),
                }
            }
            Value::Array(out)
        }
        ValueType::Object if v.is_typedarray()? || v.is_buffer()? => {
            return Err(type_error(env, &format!("{path}: binary data is not JSON")))
        }
        ValueType::Object => {
            let obj = Object::from_unknown(v)?;
            let mut map = Map::new();
            for key in Object::keys(&obj)? {
                let item: Option<Unknown<'_>> = obj.get(&key)?;
                if let Some(item) = item {
                    if matches!(item.get_type()?, ValueType::Function | ValueType::Symbol) {
                        continue;
                    }
                    let value = walk(env, item, path, depth + 1, budget)?;
                    map.insert(key, value);
                }
            }
            Value::Object(map)
        }
        ValueType::BigInt => {
            return Err(type_error(
                env,
                &format!(
                "{path}: bigints are not accepted (amounts are decimal strings such as \"10.50\")"
            ),
            ))
        }
        _ => {
            return Err(type_error(
                env,
                &format!("{path}: {} is not JSON data", kind(&v)),
            ))
        }
    })
}

fn number(f: f64) -> Value {
    if !f.is_finite() {
        return Value::Null;
    }
    if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_991.0 {
        #[allow(clippy::cast_possible_truncation)]
        return Value::Number(Number::from(f as i64));
    }
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// Builds the JavaScript value of JSON data (numbers as JS numbers).
pub(crate) fn js_of<'e>(env: &'e Env, v: &Value) -> napi::Result<Unknown<'e>> {
    match v {
        Value::Null => Null.into_unknown(env),
        Value::Bool(b) => b.into_unknown(env),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN).into_unknown(env),
        Value::String(s) => s.as_str().into_unknown(env),
        Value::Array(items) => {
            let mut arr = env.create_array(u32::try_from(items.len()).unwrap_or(u32::MAX))?;
            for (i, item) in items.iter().enumerate() {
                arr.set(u32::try_from(i).unwrap_or(u32::MAX), js_of(env, item)?)?;
            }
            arr.into_unknown(env)
        }
        Value::Object(map) => {
            let mut obj = Object::new(env)?;
            for (k, item) in map {
                obj.set(k, js_of(env, item)?)?;
            }
            obj.into_unknown(env)
        }
    }
}

/// Reads a stored state: a JSON string, or the object `toJSON()` returned.
pub(crate) fn state_text(env: &Env, v: Unknown<'_>, field: &str) -> napi::Result<String> {
    match v.get_type()? {
        ValueType::String => String::from_unknown(v),
        ValueType::Object => {
            let value = json_of(env, v, field)?;
            serde_json::to_string(&value)
                .map_err(|e| raise(env, &paystate::Error::malformed_json(e)))
        }
        _ => Err(type_error(
            env,
            &format!(
                "{field}: expected a JSON string or object, got {}",
                kind(&v)
            ),
        )),
    }
}

/// Core state as a plain JavaScript object (what `toJSON()` returns).
pub(crate) fn state_to_js<'e, T: serde::Serialize>(
    env: &'e Env,
    state: &T,
) -> napi::Result<Unknown<'e>> {
    let value =
        serde_json::to_value(state).map_err(|e| raise(env, &paystate::Error::malformed_json(e)))?;
    js_of(env, &value)
}

/// Core state from `toJSON()` output (the object or its JSON text), read by the core with
/// its size and depth caps.
pub(crate) fn state_from_js<T: serde::de::DeserializeOwned>(
    env: &Env,
    state: Unknown<'_>,
) -> napi::Result<T> {
    let text = state_text(env, state, "state")?;
    paystate::json::from_stored(&text).or_throw(env)
}

/// Parses JSON text the core wrote (states) into a JavaScript value.
pub(crate) fn js_of_text<'e>(env: &'e Env, text: &str) -> napi::Result<Unknown<'e>> {
    let value = paystate::json::parse_value(text.as_bytes()).or_throw(env)?;
    js_of(env, &value)
}

/// A JSON object argument (a spec, a command), as a map.
pub(crate) fn json_object(
    env: &Env,
    v: Unknown<'_>,
    field: &str,
) -> napi::Result<Map<String, Value>> {
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Err(type_error(
            env,
            &format!("{field}: expected an object, got {}", kind(&v)),
        ));
    }
    match json_of(env, v, field)? {
        Value::Object(m) => Ok(m),
        _ => Err(type_error(env, &format!("{field}: expected an object"))),
    }
}

/// An array argument's items.
pub(crate) fn items<'a>(env: &Env, v: Unknown<'a>, field: &str) -> napi::Result<Vec<Unknown<'a>>> {
    if v.get_type()? != ValueType::Object || !v.is_array()? {
        return Err(type_error(
            env,
            &format!("{field}: expected an array, got {}", kind(&v)),
        ));
    }
    let arr = Array::from_unknown(v)?;
    if arr.len() > 100_000 {
        return Err(raise(env, &invalid_field(field, "more than 100000 items")));
    }
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        let item: Option<Unknown<'a>> = arr.get(i)?;
        match item {
            Some(item) => out.push(item),
            None => return Err(type_error(env, &format!("{field}[{i}]: undefined"))),
        }
    }
    Ok(out)
}

/// Whether an object argument is a plain object (not an array, Date, typed array).
pub(crate) fn as_object<'a>(env: &Env, v: Unknown<'a>, field: &str) -> napi::Result<Object<'a>> {
    if v.get_type()? != ValueType::Object || v.is_array()? || v.is_date()? || v.is_typedarray()? {
        return Err(type_error(
            env,
            &format!("{field}: expected an object, got {}", kind(&v)),
        ));
    }
    Object::from_unknown(v)
}

/// Property `name` of an object, `None` when undefined.
pub(crate) fn prop<'a>(obj: &Object<'a>, name: &str) -> napi::Result<Option<Unknown<'a>>> {
    obj.get(name)
}
