//! The one place where `paystate::Error` becomes a JavaScript `Error`.
//!
//! Every core error is thrown as a plain `Error` whose `name` is `"PaystateError"`, with the
//! stable snake_case `code` of the contract and, where the core names one, the `field`.
//! Wrong JavaScript types (an object where a string is expected, a symbol, a function) are
//! thrown as `TypeError`s. Each throw happens here and hands napi a `PendingException`
//! marker, so napi does not throw a second error on top.

use napi::bindgen_prelude::Object;
use napi::{Env, Error as NapiError, Status};

/// The binding's result type: `Err` means a JavaScript exception is pending (or napi failed).
pub(crate) type R<T> = napi::Result<T>;

fn pending() -> NapiError {
    NapiError::from_status(Status::PendingException)
}

/// Throws `e` as a `PaystateError` and returns the marker to propagate with `?`.
pub(crate) fn raise(env: &Env, e: &paystate::Error) -> NapiError {
    let thrown = (|| -> napi::Result<()> {
        let mut obj: Object<'_> =
            env.create_error(NapiError::new(Status::GenericFailure, e.to_string()))?;
        obj.set("code", e.code())?;
        if let Some(field) = e.field() {
            obj.set("field", field)?;
        }
        obj.set("name", "PaystateError")?;
        env.throw(obj)
    })();
    match thrown {
        Ok(()) => pending(),
        Err(x) => x,
    }
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

/// An `invalid_field` error on `field`.
pub(crate) fn invalid_field(field: impl Into<String>, reason: impl Into<String>) -> paystate::Error {
    paystate::Error::InvalidField {
        field: field.into().into(),
        reason: reason.into(),
    }
}
