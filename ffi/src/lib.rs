//! UniFFI bindings (Swift and Kotlin) for the paystate core.
//!
//! This crate is thin on purpose: it converts types and maps errors, and every rule lives in
//! the `paystate` crate. It is built as a `cdylib` that the generated Kotlin (through JNA)
//! and Swift (through a C module) load; `uniffi-bindgen generate` reads the interface from
//! the library's metadata (proc-macros, no UDL).
//!
//! Conventions, identical in both languages:
//!
//! * **Amounts** cross as exact decimal text and surface as `java.math.BigDecimal` in
//!   Kotlin and `Foundation.Decimal` in Swift (see `uniffi.toml`); never as a float. The
//!   core parses them strictly, so a negative, NaN or over-precise value is the typed error
//!   `invalid_amount` / `too_many_decimals`, never a crash.
//! * **Timestamps** cross as unix milliseconds and surface as `java.time.Instant` / `Date`.
//! * **Durations** are whole seconds (`*_seconds`, unsigned), as in the scenario format.
//! * **Bodies** are bytes (`ByteArray` / `Data`): signatures are computed over the raw bytes.
//! * **Stateful things are objects** (`Invoice`, `Matcher`, `Session`, `ReplayGuard`,
//!   `DeliveryPlan`, `Verifier`, `Signer`): mutable handles whose methods apply one command
//!   atomically under a lock. A method that fails leaves the object untouched (the core's
//!   guarantee), so callers can retry or report without rolling anything back. Each has
//!   `to_json()` / `from_json()` for storage and `copy()` where a snapshot is useful.
//! * **Plain data are records** (`Snapshot`, `Event`, `TransferInput`, `InvoiceSpec`, ...).
//! * **Closed sets are the core's enums** (`Status`, `Exception` → `ExceptionFlag`,
//!   `EventType`, `Asset`, `RefundOutcome`, `Scheme`, `Policy` → `DeliveryPolicy`), exported
//!   with `#[uniffi::remote(Enum)]`: no copy and no conversion code.
//! * **One error type**, `PaystateError` (Kotlin `PaystateException`), one variant per
//!   core error code, each carrying `field` (where there is one) and `detail`, the core's
//!   message.

uniffi::setup_scaffolding!();

mod address;
mod delivery;
mod dialect;
mod invoice;
// The Kotlin binding's JNI hot paths (see jvm.rs); off for the Swift build.
#[cfg(feature = "jni")]
mod jvm;
mod matching;
mod session;
mod signature;
mod types;

pub use address::*;
pub use delivery::*;
pub use dialect::*;
pub use invoice::*;
pub use matching::*;
pub use session::*;
pub use signature::*;
pub use types::*;
