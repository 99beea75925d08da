//! The one place where `paystate::Error` becomes a JavaScript `Error`.
//!
//! Every core error is thrown as a plain `Error` whose `name` is `"PaystateError"`, with the
//! stable snake_case `code` of the contract and, where the core names one, the `field`.
//! Wrong JavaScript types (an object where a string is expected, a symbol, a function) are
//! thrown as `TypeError`s. A dialect `Rejection` is the same `PaystateError` plus the
//! provider's answer (`httpStatus`, `body`, `bodyJson`, and `field` in the provider's
//! spelling). Each throw happens here and hands napi a `PendingException` marker, so napi
//! does not throw a second error on top.

use napi::bindgen_prelude::{Null, Object};
use napi::{Env, Error as NapiError, Status};
use paystate::dialect::Rejection;

use crate::conv;

/// The binding's result type: `Err` means a JavaScript exception is pending (or napi failed).
pub(crate) type R<T> = napi::Result<T>;

fn pending() -> NapiError {
    NapiError::from_status(Status::PendingException)
}

/// Throws `e` as a `PaystateError` and returns the marker to propagate with `?`.
pub(crate) fn raise(env: &Env, e: &paystate::Error) -> NapiError {
    throw(env, error_object(env, e, |_| Ok(())))
}

/// Throws a dialect [`Rejection`] as a `PaystateError` (the same mapping as [`raise`]) that
/// also carries the provider's answer: `field` is the provider's field name (`amountUsdt`)
/// when the rejection names one, `httpStatus` the HTTP status (or `null`), `body` the
/// provider-shaped error body as a JS object (or `null`) and `bodyJson` its exact JSON text
/// (or `null`).
pub(crate) fn raise_rejection(env: &Env, r: &Rejection) -> NapiError {
    throw(env, rejection_error(env, r))
}

/// The `PaystateError` of a dialect [`Rejection`], built but not thrown (for the rejections
/// a host answers with itself, such as a duplicate reference).
pub(crate) fn rejection_error<'e>(env: &'e Env, r: &Rejection) -> napi::Result<Object<'e>> {
    error_object(env, &r.error, |obj| {
        if !r.field.is_empty() {
            obj.set("field", r.field.as_str())?;
        }
        match r.http_status {
            Some(status) => obj.set("httpStatus", u32::from(status))?,
            None => obj.set("httpStatus", Null)?,
        }
        match &r.body {
            Some(body) => {
                obj.set("body", conv::js_of(env, body)?)?;
                obj.set("bodyJson", body.to_string())?;
            }
            None => {
                obj.set("body", Null)?;
                obj.set("bodyJson", Null)?;
            }
        }
        Ok(())
    })
}

/// Throws a built error object and returns the marker to propagate with `?`.
fn throw(env: &Env, built: napi::Result<Object<'_>>) -> NapiError {
    match built.and_then(|obj| env.throw(obj)) {
        Ok(()) => pending(),
        Err(x) => x,
    }
}

/// The one builder of a `PaystateError`: message, `code`, core `field`, `name`, then
/// whatever `extra` adds (it may overwrite `field`).
fn error_object<'e>(
    env: &'e Env,
    e: &paystate::Error,
    extra: impl FnOnce(&mut Object<'e>) -> napi::Result<()>,
) -> napi::Result<Object<'e>> {
    let mut obj: Object<'e> =
        env.create_error(NapiError::new(Status::GenericFailure, e.to_string()))?;
    obj.set("code", e.code())?;
    if let Some(field) = e.field() {
        obj.set("field", field)?;
    }
    obj.set("name", "PaystateError")?;
    extra(&mut obj)?;
    Ok(obj)
}

/// Throws a `TypeError` with this message.
pub(crate) fn type_error(env: &Env, message: &str) -> NapiError {
    match env.throw_type_error(message, None) {
        Ok(()) => pending(),
        Err(x) => x,
    }
}

/// `?`-friendly conversion of core results.
pub(crate) trait OrThrow<T> {
    /// Throws a core error as a `PaystateError`.
    fn or_throw(self, env: &Env) -> napi::Result<T>;
}

impl<T> OrThrow<T> for paystate::Result<T> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|e| raise(env, &e))
    }
}

impl<T> OrThrow<T> for Result<T, Rejection> {
    fn or_throw(self, env: &Env) -> napi::Result<T> {
        self.map_err(|r| raise_rejection(env, &r))
    }
}

/// An `invalid_field` error on `field`.
pub(crate) fn invalid_field(
    field: impl Into<String>,
    reason: impl Into<String>,
) -> paystate::Error {
    paystate::Error::InvalidField {
        field: field.into().into(),
        reason: reason.into(),
    }
}
