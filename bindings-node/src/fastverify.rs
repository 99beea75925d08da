//! `Verifier.verify`'s hot path as one raw N-API callback (issue 14).
//!
//! A napi-rs export pays, per call, its borrow scope (an `Arc<Mutex<…>>` and a thread-local
//! push/pop), a type probe per argument and a heap `String` per header value (V8 measures,
//! then encodes). This callback reads its arguments with one `napi_get_cb_info`, the body
//! in place, each header value into a stack buffer with one call, and answers with one
//! Latin-1 string: the same answer as `verifier_verify1/3/6`.
//!
//! It handles only the common case and answers `undefined` for anything else (a body that is
//! neither a `Uint8Array` nor a string, a time that is not a number, a value that is neither a string nor
//! `undefined`, a long header value, and every verification error); `index.js` then calls
//! the napi-rs export with the same arguments, which gives the same results, `TypeError`s
//! and errors (with `.code` and `.field`) as before, verifying again on that slow path.
//! Nothing here throws or panics.
// The only `unsafe` of this crate: the N-API calls below and the callback's signature.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::ptr;

use napi::bindgen_prelude::{External, Function};
use napi::{sys, Env};
use napi_derive::napi;
use paystate::Timestamp;

use paystate::signature::HeaderValues;

use crate::signature::{write_answer, VerifierHandle, MAX_NAMES};

/// The header values of one call are read, one after the other, into a stack buffer this
/// long (signatures, ids and timestamps are far shorter); values that do not fit take the
/// slow path.
const VALUES_CAP: usize = 1024;

/// The answer is written into a stack buffer this long; a longer one (a long replay key)
/// takes the slow path.
const ANSWER_CAP: usize = 256;

/// A fixed-capacity text buffer: writing past its end fails.
struct StackText {
    buf: [u8; ANSWER_CAP],
    len: usize,
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(std::fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The handle, the body, `now`, then up to [`MAX_NAMES`] header values.
const MAX_ARGS: usize = 3 + MAX_NAMES;

/// The raw `verifierVerifyFast(handle, body, now, h0, …)` function, made once by `index.js`.
#[napi(
    ts_return_type = "(handle: ExternalObject<'Verifier'>, body: Body, now: TimeInput, ...headers: (string | undefined)[]) => string | undefined"
)]
pub fn verifier_verify_fast(env: &Env) -> napi::Result<Function<'_, (), ()>> {
    env.create_function("verifierVerifyFast", verify_fast)
}

/// Reads one header value into the front of `buf`: `Some(None)` for `undefined`, `None` for
/// anything to leave to the slow path. Returns the value and the rest of `buf`.
fn header_value(
    env: sys::napi_env,
    value: sys::napi_value,
    buf: &mut [u8],
) -> Option<(Option<&str>, &mut [u8])> {
    let mut len = 0usize;
    // SAFETY: `env` and `value` come from this callback's `napi_get_cb_info`; V8 writes at
    // most `buf.len() - 1` bytes plus a NUL into `buf`, and the length written into `len`.
    // On a non-string it fails without throwing.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, buf.as_mut_ptr().cast(), buf.len(), &mut len)
    };
    if status != sys::Status::napi_ok {
        let mut t = 0;
        // SAFETY: as above; `napi_typeof` only writes the type into `t`.
        let status = unsafe { sys::napi_typeof(env, value, &mut t) };
        return (status == sys::Status::napi_ok && t == sys::ValueType::napi_undefined)
            .then_some((None, buf));
    }
    // V8 stops before a character that does not fit whole, so a value within four bytes of
    // the room may have been cut: leave it to the slow path.
    if len.checked_add(5)? >= buf.len() {
        return None;
    }
    let (text, rest) = buf.split_at_mut(len);
    Some((Some(std::str::from_utf8(text).ok()?), rest))
}

/// `now` as unix milliseconds, as `conv::time` reads a number; `None` otherwise.
fn now_of(env: sys::napi_env, value: sys::napi_value) -> Option<Timestamp> {
    let mut ms = 0f64;
    // SAFETY: `env` and `value` come from `napi_get_cb_info`; a non-number fails without
    // throwing, and only `ms` is written.
    let status = unsafe { sys::napi_get_value_double(env, value, &mut ms) };
    if status != sys::Status::napi_ok || !ms.is_finite() {
        return None;
    }
    let floored = ms.floor();
    if !(-9.0e15..=9.0e15).contains(&floored) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let whole = floored as i64;
    Timestamp::from_millis(whole, "now".to_owned()).ok()
}

/// A string body as UTF-8, read as napi-rs reads a `String` (length first, then the
/// text); `None` for a non-string.
fn text_body(env: sys::napi_env, value: sys::napi_value) -> Option<Vec<u8>> {
    let mut len = 0usize;
    // SAFETY: `env` and `value` come from `napi_get_cb_info`; with a null buffer N-API only
    // writes the UTF-8 length into `len`; a non-string fails without throwing.
    let status =
        unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
    if status != sys::Status::napi_ok {
        return None;
    }
    let mut text = vec![0u8; len.checked_add(1)?];
    let mut written = 0usize;
    // SAFETY: as above; V8 writes at most `len` bytes plus a NUL into `text`, which is
    // `len + 1` bytes long, and the count into `written`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            text.as_mut_ptr().cast(),
            text.len(),
            &mut written,
        )
    };
    if status != sys::Status::napi_ok {
        return None;
    }
    text.truncate(written);
    Some(text)
}

/// The bytes of a `Uint8Array` (a `Buffer`), in place; `None` for anything else.
fn body_of<'a>(env: sys::napi_env, value: sys::napi_value) -> Option<&'a [u8]> {
    let mut kind = 0;
    let mut len = 0usize;
    let mut data: *mut c_void = ptr::null_mut();
    let mut offset = 0usize;
    // SAFETY: `env` and `value` come from `napi_get_cb_info`; a non-typed-array fails
    // without throwing. The array buffer is not asked for (a null out-pointer is allowed).
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut len,
            &mut data,
            ptr::null_mut(),
            &mut offset,
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint8_array {
        return None;
    }
    if len == 0 {
        return Some(&[]);
    }
    if data.is_null() {
        return None;
    }
    // SAFETY: Node reports `data` already moved by the view's byte offset and `len`
    // elements of one byte each, within the live array buffer. The array is an argument of
    // this call, so V8 keeps it (and its backing store) alive until the callback returns,
    // and nothing runs JavaScript meanwhile, so it is neither detached nor written.
    Some(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) })
}

fn verify_inner(env: sys::napi_env, info: sys::napi_callback_info) -> Option<sys::napi_value> {
    let mut argc = MAX_ARGS;
    let mut argv: [sys::napi_value; MAX_ARGS] = [ptr::null_mut(); MAX_ARGS];
    // SAFETY: `argv` holds `argc` slots; Node writes at most that many values (padding with
    // `undefined`) and the real count into `argc`.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status != sys::Status::napi_ok || !(3..=MAX_ARGS).contains(&argc) {
        return None;
    }
    let [h, body, now, values @ ..] = argv;
    let mut raw: *mut c_void = ptr::null_mut();
    // SAFETY: `h` comes from `napi_get_cb_info`; a non-external fails without throwing.
    if unsafe { sys::napi_get_value_external(env, h, &mut raw) } != sys::Status::napi_ok {
        return None;
    }
    // SAFETY: napi-rs looks `raw` up among the `External<VerifierHandle>`s it made and
    // answers `None` for any other pointer. The external is this call's argument, so it is
    // not finalized before the callback returns; the reference does not outlive it.
    let handle: &VerifierHandle = unsafe { External::<VerifierHandle>::inner_from_raw(raw) }?;
    let text;
    let body = match body_of(env, body) {
        Some(view) => view,
        None => {
            text = text_body(env, body)?;
            text.as_slice()
        }
    };
    let now = now_of(env, now)?;

    let given = argc - 3;
    let mut buf = [0u8; VALUES_CAP];
    let mut room: &mut [u8] = &mut buf;
    let mut read: [Option<&str>; MAX_NAMES] = [None; MAX_NAMES];
    for (slot, value) in read.iter_mut().zip(values).take(given) {
        let (text, rest) = header_value(env, value, room)?;
        *slot = text;
        room = rest;
    }
    let headers = HeaderValues {
        names: handle.names,
        values: &read,
    };
    let verified = handle.inner.verify(&headers, body, now).ok()?;
    let mut out = StackText {
        buf: [0; ANSWER_CAP],
        len: 0,
    };
    write_answer(&mut out, &verified).ok()?;
    let out = out.buf.get(..out.len)?;
    if !out.is_ascii() {
        return None;
    }
    let len = isize::try_from(out.len()).ok()?;
    let mut result = ptr::null_mut();
    // SAFETY: `out` is `len` bytes of ASCII (so Latin-1), copied by V8 before this returns.
    let status =
        unsafe { sys::napi_create_string_latin1(env, out.as_ptr().cast(), len, &mut result) };
    (status == sys::Status::napi_ok).then_some(result)
}

/// The raw callback: the answer, or `undefined` (a null `napi_value`) for the slow path.
///
/// # Safety
/// Called by Node only, with the environment and callback info of a call to the function
/// made by [`verifier_verify_fast`].
unsafe extern "C" fn verify_fast(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    verify_inner(env, info).unwrap_or(ptr::null_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    #[test]
    fn stack_text_refuses_to_write_past_its_end() {
        let mut out = StackText {
            buf: [0; ANSWER_CAP],
            len: 0,
        };
        assert!(out.write_str(&"k".repeat(ANSWER_CAP - 1)).is_ok());
        assert!(out.write_str("ab").is_err());
        assert!(out.write_str("c").is_ok());
        assert_eq!(out.len, ANSWER_CAP);
        assert!(out.write_str("d").is_err());
        assert_eq!(out.buf.last(), Some(&b'c'));
    }
}
