//! JNI entry points for the Kotlin binding's hot paths (cargo feature `jni`, which
//! `ffi/generate.sh` enables for every build it makes; the Swift/XCFramework build does not).
//!
//! Why: UniFFI 0.32's Kotlin goes through JNA, which builds a JNA `Structure` (reflection and
//! a Cleaner-tracked `Memory`) for every buffer argument and result; that, not the work, made
//! `Verifier.verify` ~30x slower than the JDK's own HMAC (BENCHMARKS.md "Kotlin/JVM binding").
//! These functions take and return plain `byte[]`s instead, and `ffi/kotlin-jni.py` points
//! the generated `Verifier.verify`, `Verifier.verifyRequest` and `Invoice.observeTransfer` at
//! them, so the Kotlin API is unchanged.
//!
//! Thin on purpose: each function reads its arguments with UniFFI's own converters (the
//! Kotlin side writes them with the generated converters), calls the very UniFFI method the
//! JNA path calls, on the same Rust object, and writes the result or the `PaystateError`
//! with UniFFI's own converters; the generated Kotlin reads them back. So values and errors
//! are byte for byte those of the UniFFI path. `Verifier.verify`/`verifyRequest` go one step
//! further ([`Java_paystate_PaystateJni_verifierVerifyGiven`]): only the values of the
//! scheme's header names cross, the core's `Verifier::verify` runs on the UniFFI object's
//! core verifier with the UniFFI method's own checks around it, and a success crosses as
//! numbers (errors still through UniFFI's converter); `Verifier.verify` taking a map remains
//! for the maps Kotlin cannot read alike (BENCHMARKS.md "Kotlin/JVM: JNI verify, second pass").
//!
//! The returned `byte[]` is a one-byte status followed by the payload, the same three
//! outcomes as UniFFI's call status: `0` and the lowered value, `1` and the lowered
//! `PaystateError`, `2` and a UTF-8 message (a panic or an argument that does not lift;
//! Kotlin throws `InternalException`, as the JNA path does).

use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::objects::{JByteArray, JClass, JLongArray, JObject};
use jni::sys::{jbyteArray, jint, jlong};
use jni::JNIEnv;
use paystate::signature::HeaderValues;
use uniffi::{Handle, Lift, Lower};

use crate::types::ts_in;
use crate::{Invoice, PaystateError, Scheme, Timestamp, Verified, Verifier};

/// The UniFFI tag the scaffolding's converters are implemented for.
type Tag = crate::UniFfiTag;

const CALL_SUCCESS: u8 = 0;
const CALL_ERROR: u8 = 1;
const CALL_UNEXPECTED_ERROR: u8 = 2;

/// What a call sends back before it becomes a `byte[]`.
type Outcome = Vec<u8>;

fn unexpected(message: &str) -> Outcome {
    let mut out = Vec::with_capacity(1 + message.len());
    out.push(CALL_UNEXPECTED_ERROR);
    out.extend_from_slice(message.as_bytes());
    out
}

/// A method's result, lowered as UniFFI lowers it for the JNA path.
fn lowered<T: Lower<Tag>>(result: Result<T, PaystateError>) -> Outcome {
    let mut out = Vec::with_capacity(256);
    match result {
        Ok(value) => {
            out.push(CALL_SUCCESS);
            T::write(value, &mut out);
        }
        Err(error) => {
            out.push(CALL_ERROR);
            <PaystateError as Lower<Tag>>::write(error, &mut out);
        }
    }
    out
}

/// An argument lifted as UniFFI lifts it from its buffer (the whole buffer must be read);
/// a failure is what UniFFI reports for an argument that does not lift.
fn lifted<T: Lift<Tag>>(bytes: &[u8], arg_name: &str) -> Result<T, Outcome> {
    let mut buf = bytes;
    let value = T::try_read(&mut buf).and_then(|v| {
        if buf.is_empty() {
            Ok(v)
        } else {
            Err(uniffi::deps::anyhow::anyhow!(
                "junk data left in buffer after lifting (count: {})",
                buf.len()
            ))
        }
    });
    value.map_err(|error| unexpected(&format!("Failed to convert arg '{arg_name}':\n{error:?}")))
}

/// Lifts a call's buffer argument and its `now` as UniFFI does (the argument first), then
/// runs `f` with them; an argument that does not lift is UniFFI's answer for it.
fn with_args<A: Lift<Tag>>(
    bytes: &[u8],
    arg_name: &str,
    now: jlong,
    f: impl FnOnce(A, Timestamp) -> Outcome,
) -> Outcome {
    match lifted::<A>(bytes, arg_name).and_then(|a| Ok((a, timestamp(now, "now")?))) {
        Ok((a, now)) => f(a, now),
        Err(out) => out,
    }
}

fn timestamp(ms: jlong, arg_name: &str) -> Result<Timestamp, Outcome> {
    <Timestamp as Lift<Tag>>::try_lift(ms)
        .map_err(|error| unexpected(&format!("Failed to convert arg '{arg_name}':\n{error:?}")))
}

/// The first `len` bytes of a Java `byte[]` (the Kotlin side sizes its buffers by UniFFI's
/// upper bound and passes how much it wrote).
fn bytes(env: &JNIEnv<'_>, array: &JByteArray<'_>, len: jint) -> jni::errors::Result<Vec<u8>> {
    let len = usize::try_from(len).unwrap_or(0);
    let mut region = vec![0i8; len];
    env.get_byte_array_region(array, 0, &mut region)?;
    Ok(region.into_iter().map(|b| b as u8).collect())
}

/// A panic's message as UniFFI renders it.
fn panic_message(cause: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = cause.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = cause.downcast_ref::<String>() {
        s.clone()
    } else {
        "Unknown panic!".to_owned()
    }
}

/// Runs one call: a panic becomes `CALL_UNEXPECTED_ERROR` with its message (UniFFI's
/// rendering), and the outcome becomes a new `byte[]`. On a JNI failure the Java exception
/// it raised (out of memory, ...) is left pending and null is returned, so Kotlin throws it.
fn call(
    env: &mut JNIEnv<'_>,
    body: impl FnOnce(&mut JNIEnv<'_>) -> jni::errors::Result<Outcome>,
) -> jbyteArray {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(env)))
        .unwrap_or_else(|cause| Ok(unexpected(&panic_message(cause.as_ref()))));
    let array = outcome.and_then(|out| env.byte_array_from_slice(&out));
    match array {
        Ok(array) => array.into_raw(),
        Err(jni::errors::Error::JavaException) => std::ptr::null_mut(),
        Err(other) => {
            // No Java exception is pending for this kind of failure: raise one.
            let _ = env.throw_new("java/lang/IllegalStateException", other.to_string());
            std::ptr::null_mut()
        }
    }
}

/// The object behind a UniFFI object handle, borrowed for the duration of one call.
///
/// # Safety
///
/// `handle` must be a handle UniFFI made for an `Arc<T>` of this very `T` (`Handle::from_arc`:
/// the `Arc`'s pointer), and the Kotlin side must keep that `Arc` alive until the call
/// returns. The Kotlin side passes the handle of a live `Verifier`/`Invoice` inside the
/// generated call counter (`uniffiCallWithBorrowedHandle`, written by ffi/kotlin-jni.py),
/// which defers the object's release past the call, exactly as UniFFI's own `callWithHandle`
/// does for its cloned handle.
#[allow(unsafe_code)]
unsafe fn borrowed<'a, T>(handle: jlong) -> &'a T {
    let pointer =
        Handle::from_raw_unchecked(u64::from_ne_bytes(handle.to_ne_bytes())).as_pointer::<T>();
    // SAFETY: by this function's contract the pointer is an `Arc<T>`'s, alive for the call.
    unsafe { &*pointer }
}

/// A marker Kotlin calls once at load time: a library built without this feature has no
/// such symbol, and the Kotlin side then says so instead of failing at the first verify.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "system" fn Java_paystate_PaystateJni_abiVersion(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
) -> jint {
    1
}

/// `Verifier.verify(headers, body, now)`: `headers` is the map as UniFFI's Kotlin writes
/// it (its first `headers_len` bytes), `body` the raw body, `now` the lowered timestamp.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "system" fn Java_paystate_PaystateJni_verifierVerify<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    headers: JByteArray<'local>,
    headers_len: jint,
    body: JByteArray<'local>,
    now: jlong,
) -> jbyteArray {
    call(&mut env, |env| {
        let headers = bytes(env, &headers, headers_len)?;
        let body = env.convert_byte_array(&body)?;
        Ok(with_args(&headers, "headers", now, |headers, now| {
            // SAFETY: Kotlin passes a live Verifier's handle (see `borrowed`).
            let verifier = unsafe { borrowed::<Verifier>(handle) };
            lowered(verifier.verify(headers, body, now))
        }))
    })
}

/// `Invoice.observeTransfer(transfer, now)`: `transfer` is the record as UniFFI's Kotlin
/// writes it (its first `transfer_len` bytes); the result is the events, lowered.
#[allow(unsafe_code)]
#[no_mangle]
pub extern "system" fn Java_paystate_PaystateJni_invoiceObserveTransfer<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    transfer: JByteArray<'local>,
    transfer_len: jint,
    now: jlong,
) -> jbyteArray {
    call(&mut env, |env| {
        let transfer = bytes(env, &transfer, transfer_len)?;
        Ok(with_args(&transfer, "transfer", now, |transfer, now| {
            // SAFETY: Kotlin passes a live Invoice's handle (see `borrowed`).
            let invoice = unsafe { borrowed::<Invoice>(handle) };
            lowered(invoice.observe_transfer(transfer, now))
        }))
    })
}

/// The values as Kotlin writes them (`PaystateJni.writtenValues`): for each name a big-endian
/// `i32` UTF-8 length (`-1`: absent) and the bytes. `None` if they are not exactly that.
fn given_values(mut bytes: &[u8], count: usize) -> Option<Vec<Option<&str>>> {
    let mut values = Vec::with_capacity(count);
    for _ in 0..count {
        let (len, rest) = bytes.split_first_chunk::<4>()?;
        let len = i32::from_be_bytes(*len);
        bytes = rest;
        if len < 0 {
            values.push(None);
        } else {
            let (value, rest) = bytes.split_at_checked(usize::try_from(len).ok()?)?;
            values.push(Some(std::str::from_utf8(value).ok()?));
            bytes = rest;
        }
    }
    bytes.is_empty().then_some(values)
}

/// `out[0]` of [`Java_paystate_PaystateJni_verifierVerifyGiven`]; the other slots are
/// meaningful on success only.
const OUT_STATUS: usize = 0;
/// The scheme as UniFFI writes an enum (its 1-based variant index).
const OUT_SCHEME: usize = 1;
const OUT_KEY_INDEX: usize = 2;
/// Bit 0: a timestamp; bit 1: a replay key (the returned bytes).
const OUT_FLAGS: usize = 3;
const OUT_TIMESTAMP: usize = 4;
const OUT_KEEP_UNTIL: usize = 5;
const OUT_LEN: usize = 6;

/// The scheme's number as UniFFI's Kotlin reads it (`FfiConverterTypeScheme`).
fn scheme_index(scheme: Scheme) -> jlong {
    let mut buf = Vec::with_capacity(4);
    <Scheme as Lower<Tag>>::write(scheme, &mut buf);
    let bytes: [u8; 4] = buf.as_slice().try_into().unwrap_or([0; 4]);
    jlong::from(i32::from_be_bytes(bytes))
}

/// `Verifier.verify` / `Verifier.verifyRequest` without the header map crossing: `values`
/// holds the value of each of the scheme's header names (Kotlin found and wrote them, see
/// [`given_values`]), `body` the raw body, `now` the lowered timestamp. The same checks as the
/// UniFFI method (`now` first, then the core's `Verifier::verify` on the same core verifier),
/// but a success crosses as numbers in `out` (the `OUT_*` slots) and the replay key's UTF-8
/// as the returned `byte[]` (null: none), which Kotlin makes into the generated `Verified`.
/// An error sets `out[0]` to 1 and returns the `PaystateError` lowered by UniFFI's converter;
/// an unexpected failure sets 2 and returns its UTF-8 message. On a JNI failure the Java
/// exception is left pending and null returned. (JNI `String`s both ways cost ~0.25 µs more
/// than these byte arrays: BENCHMARKS.md "Kotlin/JVM: JNI verify, second pass".)
#[allow(unsafe_code)]
#[no_mangle]
pub extern "system" fn Java_paystate_PaystateJni_verifierVerifyGiven<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    values: JByteArray<'local>,
    body: JByteArray<'local>,
    now: jlong,
    out: JLongArray<'local>,
) -> jbyteArray {
    let run = |env: &mut JNIEnv<'local>| -> jni::errors::Result<JObject<'local>> {
        // SAFETY: Kotlin passes a live Verifier's handle (see `borrowed`).
        let verifier = unsafe { borrowed::<Verifier>(handle) };
        let names = verifier.inner.scheme().header_names();
        let written = env.convert_byte_array(&values)?;
        let Some(values) = given_values(&written, names.len()) else {
            let message = format!(
                "paystate: the header values are not {} length-prefixed UTF-8 strings",
                names.len()
            );
            env.set_long_array_region(&out, 0, &[jlong::from(CALL_UNEXPECTED_ERROR)])?;
            return Ok(env.byte_array_from_slice(message.as_bytes())?.into());
        };
        // Kotlin takes this path only when each name matches at most one key in ASCII case
        // (else the map path), so the core reads the same values as from the `HashMap`.
        let headers = HeaderValues {
            names,
            values: &values,
        };
        let body = env.convert_byte_array(&body)?;
        let result = timestamp(now, "now").map(|now| {
            ts_in(now, "now")
                .and_then(|now| Ok(Verified::from(verifier.inner.verify(&headers, &body, now)?)))
        });
        let mut slots = [0; OUT_LEN];
        let returned: JObject<'local> = match result {
            Ok(Ok(verified)) => {
                slots[OUT_STATUS] = jlong::from(CALL_SUCCESS);
                slots[OUT_SCHEME] = scheme_index(verified.scheme);
                slots[OUT_KEY_INDEX] = jlong::from(verified.key_index);
                if let Some(t) = verified.timestamp {
                    slots[OUT_FLAGS] |= 1;
                    slots[OUT_TIMESTAMP] = t.0;
                }
                match verified.replay {
                    Some(replay) => {
                        slots[OUT_FLAGS] |= 2;
                        slots[OUT_KEEP_UNTIL] = replay.keep_until.0;
                        env.byte_array_from_slice(replay.key.as_bytes())?.into()
                    }
                    None => JObject::null(),
                }
            }
            Ok(Err(error)) => {
                slots[OUT_STATUS] = jlong::from(CALL_ERROR);
                let mut buf = Vec::with_capacity(128);
                <PaystateError as Lower<Tag>>::write(error, &mut buf);
                env.byte_array_from_slice(&buf)?.into()
            }
            Err(unexpected) => {
                slots[OUT_STATUS] = jlong::from(CALL_UNEXPECTED_ERROR);
                env.byte_array_from_slice(unexpected.get(1..).unwrap_or_default())?
                    .into()
            }
        };
        env.set_long_array_region(&out, 0, &slots)?;
        Ok(returned)
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| run(&mut env))).unwrap_or_else(|cause| {
        let message = panic_message(cause.as_ref());
        env.set_long_array_region(&out, 0, &[jlong::from(CALL_UNEXPECTED_ERROR)])?;
        Ok(env.byte_array_from_slice(message.as_bytes())?.into())
    });
    match outcome {
        Ok(object) => object.into_raw(),
        Err(jni::errors::Error::JavaException) => std::ptr::null_mut(),
        Err(other) => {
            // No Java exception is pending for this kind of failure: raise one.
            let _ = env.throw_new("java/lang/IllegalStateException", other.to_string());
            std::ptr::null_mut()
        }
    }
}
