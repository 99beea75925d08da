//! Custom types (amounts, timestamps), the error type, and the shared enums and records.

use std::sync::{Mutex, MutexGuard};

/// An exact decimal amount. Kotlin sees `java.math.BigDecimal`, Swift `Foundation.Decimal`;
/// it crosses the FFI as its plain decimal text (`"10.5"`), never as a float.
///
/// Values coming back from the core are always in their shortest exact form. Values going
/// in are checked by the core where they are used, so the error names the field
/// (`transfer.amount: invalid amount "-1": ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount(pub String);

uniffi::custom_type!(Amount, String, {
    lower: |a| a.0,
    try_lift: |s| Ok(Amount(s)),
});

/// An instant, in unix milliseconds on the wire. Kotlin sees `java.time.Instant`, Swift
/// `Date`. The core accepts 1970-01-01 to 9999-12-31; anything else is `invalid_field`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp(pub i64);

uniffi::custom_type!(Timestamp, i64, {
    lower: |t| t.0,
    try_lift: |ms| Ok(Timestamp(ms)),
});

/// Declares [`PaystateError`] with one variant per core code, and both directions of the
/// code mapping, from the table in `error_codes.rs`, which `scripts/gen-vocabulary.py`
/// writes from `paystate contract` (drift-checked by `gen-vocabulary.py --check`; the unit
/// test below also fails until every code of `paystate::Error::CODES` has its variant).
macro_rules! paystate_error {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)*) => {
        /// Every error of paystate: one variant per stable core error code (docs/spec.md §9).
        /// Each carries `field`, the input the error is about where there is one
        /// (`transfer.amount`, `tx_id`, ...), and `detail`, the core's message, which names
        /// the field and the problem and never contains a secret. `error_code()` gives the
        /// stable snake_case code (Kotlin and Swift wrap it as `code`).
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum PaystateError {
            $(
                $(#[doc = $doc])*
                #[error("{detail}")]
                $variant {
                    /// The field the error is about, where there is one.
                    field: Option<String>,
                    /// The core's message.
                    detail: String,
                },
            )*
            /// A code newer than this binding (never produced by the core it was built with).
            #[error("{detail}")]
            Other {
                /// The core's code.
                code: String,
                /// The field the error is about, where there is one.
                field: Option<String>,
                /// The core's message.
                detail: String,
            },
        }

        impl PaystateError {
            /// The variant for a core code.
            fn from_code(code: &str, field: Option<String>, detail: String) -> Self {
                match code {
                    $($code => PaystateError::$variant { field, detail },)*
                    other => PaystateError::Other { code: other.to_owned(), field, detail },
                }
            }

            /// The stable snake_case code (the same as the core's `Error::code`).
            pub fn code(&self) -> &str {
                match self {
                    $(PaystateError::$variant { .. } => $code,)*
                    PaystateError::Other { code, .. } => code,
                }
            }

            /// The field the error is about, where there is one.
            pub fn field(&self) -> Option<&str> {
                match self {
                    $(PaystateError::$variant { field, .. })|* | PaystateError::Other { field, .. } => {
                        field.as_deref()
                    }
                }
            }
        }
    };
}

// The variant list, generated from the core's contract (one variant per code).
include!("error_codes.rs");

impl From<paystate::Error> for PaystateError {
    fn from(e: paystate::Error) -> Self {
        PaystateError::from_code(e.code(), e.field().map(str::to_owned), e.to_string())
    }
}

// Kotlin's `PaystateException.message` is UniFFI's field dump (`field=…, detail=…`): the
// hand-written `code`/`field` extensions and Swift's `message` read these instead.
#[uniffi::export]
impl PaystateError {
    /// The stable snake_case code (`invalid_amount`), as the core spells it.
    pub fn error_code(&self) -> String {
        self.code().to_owned()
    }

    /// The field the error is about, where there is one (`transfer.amount`).
    pub fn error_field(&self) -> Option<String> {
        self.field().map(str::to_owned)
    }

    /// The core's message: names the field and the problem, never contains a secret.
    pub fn error_message(&self) -> String {
        self.to_string()
    }
}

/// Result of every fallible export.
pub type Result<T, E = PaystateError> = std::result::Result<T, E>;

/// Every error code the core can return, in the contract's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    paystate::Error::CODES
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

// ---- conversion helpers (no rules: the core validates) ----

pub(crate) fn amount_in(a: &Amount, field: &'static str) -> Result<paystate::Amount> {
    Ok(paystate::Amount::parse(&a.0, field)?)
}

pub(crate) fn opt_amount_in(
    a: &Option<Amount>,
    field: &'static str,
) -> Result<Option<paystate::Amount>> {
    a.as_ref().map(|a| amount_in(a, field)).transpose()
}

pub(crate) fn amount_out(a: paystate::Amount) -> Amount {
    Amount(a.to_string())
}

pub(crate) fn ts_in(t: Timestamp, field: &'static str) -> Result<paystate::Timestamp> {
    Ok(paystate::Timestamp::from_millis(t.0, field)?)
}

pub(crate) fn ts_out(t: paystate::Timestamp) -> Timestamp {
    Timestamp(t.as_millis())
}

pub(crate) fn secs_in(s: u64, field: &'static str) -> Result<paystate::Duration> {
    Ok(paystate::Duration::from_seconds(s, field)?)
}

/// Locks a handle's state. The core never panics, so a poisoned lock still holds a
/// consistent state (a failed command leaves it untouched): recover it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads JSON with the core's size and depth caps, then deserialises it.
pub(crate) fn from_stored_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    Ok(paystate::json::from_stored(text)?)
}

pub(crate) fn to_stored_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

// ---- money and time helpers ----

/// Parses an amount strictly (`[0-9]+(\.[0-9]+)?`, at most 28 significant digits) and
/// returns it in its shortest exact form; anything else is `invalid_amount` on `amount`.
#[uniffi::export]
pub fn parse_amount(text: String) -> Result<Amount> {
    Ok(amount_out(paystate::Amount::parse(&text, "amount")?))
}

/// Parses an RFC 3339 timestamp (`2026-03-24T12:00:00Z`) the way the core does; anything
/// else is `invalid_field` on `at`.
#[uniffi::export]
pub fn parse_timestamp(text: String) -> Result<Timestamp> {
    Ok(ts_out(paystate::Timestamp::parse(&text, "at")?))
}

/// Formats an instant as the core writes it (RFC 3339, UTC, milliseconds when not zero).
#[uniffi::export]
pub fn format_timestamp(at: Timestamp) -> Result<String> {
    Ok(ts_in(at, "at")?.to_string())
}

// ---- enums ----
//
// The closed sets are the core's own enums, exported with `#[uniffi::remote(Enum)]`: the
// definitions below only restate the variants for UniFFI's metadata (a variant added in
// core fails to compile here until it is listed), and no conversion code exists. Rust does
// not allow methods on a remote type, so their spellings are free functions
// (`status_as_str`, ...) that the hand-written Kotlin/Swift extensions wrap as `asStr()`.
// `Exception` is renamed `ExceptionFlag` in both languages (uniffi.toml), so it does not
// clash with Kotlin's `Exception`.

pub use paystate::{Asset, EventType, Exception, RefundOutcome, Status};

/// `Exception` under the name both languages see.
pub type ExceptionFlag = Exception;

/// Where an invoice stands.
#[uniffi::remote(Enum)]
pub enum Status {
    /// Awaiting payment; may already hold some payment below the threshold.
    Pending,
    /// Enough has been seen to pay it, but not all of it is confirmed.
    Processing,
    /// Confirmed payment reaches the threshold.
    Paid,
    /// The deadline was reached without enough payment.
    Expired,
    /// Cancelled by the merchant while pending with nothing received.
    Cancelled,
    /// Marked invalid, or payment never confirmed within the confirmation window.
    Invalid,
    /// A paid invoice after refunds beyond its surplus.
    PartiallyRefunded,
    /// A paid invoice whose confirmed money was refunded in full.
    Refunded,
}

/// The contract's name of a status (`partially_refunded`).
#[uniffi::export]
pub fn status_as_str(status: Status) -> String {
    status.as_str().to_owned()
}

/// Reads a status by its contract name (`paid`); anything else is `invalid_field`.
#[uniffi::export]
pub fn parse_status(name: String) -> Result<Status> {
    Ok(paystate::Status::parse(&name, "status")?)
}

/// A condition reported beside the status (the contract calls these "exceptions"; the
/// languages call the type `ExceptionFlag`).
#[uniffi::remote(Enum)]
pub enum Exception {
    /// Something was received, but less than the threshold.
    Underpaid,
    /// The surplus is above the overpay dust.
    Overpaid,
    /// A transfer arrived at or after the deadline.
    PaidLate,
    /// An operator forced the status.
    Marked,
    /// The payer claimed a transaction id that has not been observed yet.
    TxidClaimed,
}

/// The contract's name of an exception flag (`paid_late`).
#[uniffi::export]
pub fn exception_flag_as_str(flag: ExceptionFlag) -> String {
    flag.as_str().to_owned()
}

/// The type of an event (`invoice.paid`, ...).
#[uniffi::remote(Enum)]
pub enum EventType {
    /// `invoice.created`
    Created,
    /// `invoice.payment_received`
    PaymentReceived,
    /// `invoice.paid_late`
    PaidLate,
    /// `invoice.processing`
    Processing,
    /// `invoice.paid`
    Paid,
    /// `invoice.payment_dropped`
    PaymentDropped,
    /// `invoice.expired`
    Expired,
    /// `invoice.invalid`
    Invalid,
    /// `invoice.cancelled`
    Cancelled,
    /// `invoice.refund_requested`
    RefundRequested,
    /// `invoice.refunded`
    Refunded,
    /// `invoice.refund_failed`
    RefundFailed,
    /// `invoice.txid_claimed`
    TxidClaimed,
}

/// The contract's name of an event type (`invoice.payment_received`).
#[uniffi::export]
pub fn event_type_as_str(event_type: EventType) -> String {
    event_type.as_str().to_owned()
}

/// A stablecoin on a network; the scale is the token's on-chain decimals.
#[uniffi::remote(Enum)]
pub enum Asset {
    /// `USDT_TRC20`, 6 decimals.
    UsdtTrc20,
    /// `USDT_ERC20`, 6 decimals.
    UsdtErc20,
    /// `USDT_BSC`, 18 decimals.
    UsdtBsc,
    /// `USDT_POLYGON` (alias `USDT_MATIC`), 6 decimals.
    UsdtPolygon,
    /// `USDT_BYBIT` (exchange-internal transfers), 8 decimals.
    UsdtBybit,
}

/// The canonical code of an asset (`USDT_TRC20`).
#[uniffi::export]
pub fn asset_code(asset: Asset) -> String {
    asset.code().to_owned()
}

/// Decimal places a transfer of this asset can carry.
#[uniffi::export]
pub fn asset_scale(asset: Asset) -> u32 {
    asset.scale()
}

/// Reads an asset code (`USDT_TRC20`, alias `USDT_MATIC`); anything else is `invalid_asset`.
#[uniffi::export]
pub fn parse_asset(code: String) -> Result<Asset> {
    Ok(paystate::Asset::parse(&code, "asset")?)
}

/// How a refund the host sent ended.
#[uniffi::remote(Enum)]
pub enum RefundOutcome {
    /// The money left.
    Succeeded,
    /// It did not; the amount is refundable again.
    Failed,
}

// ---- records ----

/// The money and status of an invoice at one instant (docs/spec.md §3 names).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Snapshot {
    /// The status.
    pub status: Status,
    /// The exceptions beside it, in a stable order.
    pub exceptions: Vec<ExceptionFlag>,
    /// Confirmed transfers that count toward the invoice.
    pub amount_paid: Amount,
    /// Unconfirmed transfers that count toward the invoice.
    pub amount_pending: Amount,
    /// Money that arrived but does not count (late, or sent to a closed invoice).
    pub amount_held: Amount,
    /// `max(0, received − due)`.
    pub surplus: Amount,
    /// Succeeded refunds.
    pub amount_refunded: Amount,
    /// Refunds requested and not yet settled.
    pub refunds_in_flight: Amount,
    /// Money that may still be refunded.
    pub refundable: Amount,
}

impl From<paystate::invoice::Snapshot> for Snapshot {
    fn from(s: paystate::invoice::Snapshot) -> Self {
        Snapshot {
            status: s.status,
            exceptions: s.exceptions.iter().collect(),
            amount_paid: amount_out(s.amount_paid),
            amount_pending: amount_out(s.amount_pending),
            amount_held: amount_out(s.amount_held),
            surplus: amount_out(s.surplus),
            amount_refunded: amount_out(s.amount_refunded),
            refunds_in_flight: amount_out(s.refunds_in_flight),
            refundable: amount_out(s.refundable),
        }
    }
}

/// Something that happened to an invoice, to publish (webhook, email, fulfilment).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Event {
    /// `"{invoice_id}:{seq}"`: stable across replays, so deliveries can be deduplicated by it.
    pub id: String,
    /// What happened.
    pub event_type: EventType,
    /// The invoice.
    pub invoice_id: String,
    /// When the command that emitted it was applied.
    pub at: Timestamp,
    /// The transfer concerned (payment_received, paid_late, payment_dropped, txid_claimed).
    pub tx_id: Option<String>,
    /// The refund concerned (refund_requested, refunded, refund_failed).
    pub refund_id: Option<String>,
    /// The amount of the transfer or refund concerned.
    pub amount: Option<Amount>,
    /// The invoice after the command.
    pub invoice: Snapshot,
    /// The event as the core serialises it (`{"id":..,"type":"invoice.paid",..}`): the
    /// payload to publish, byte for byte the same in every language.
    pub json: String,
}

impl From<paystate::Event> for Event {
    fn from(e: paystate::Event) -> Self {
        let json = to_stored_json(&e);
        Event {
            id: e.id,
            event_type: e.event_type,
            invoice_id: e.invoice_id,
            at: ts_out(e.at),
            tx_id: e.tx_id,
            refund_id: e.refund_id,
            amount: e.amount.map(amount_out),
            invoice: e.invoice.into(),
            json,
        }
    }
}

pub(crate) fn events_out(events: Vec<paystate::Event>) -> Vec<Event> {
    events.into_iter().map(Into::into).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_own_variant() {
        for code in paystate::Error::CODES {
            let e = PaystateError::from_code(code, None, String::new());
            assert!(
                !matches!(e, PaystateError::Other { .. }),
                "{code} falls to Other"
            );
            assert_eq!(e.code(), *code);
        }
    }

    #[test]
    fn field_is_carried() {
        let e = PaystateError::from(paystate::Error::LimitExceeded {
            field: "transfer.tx_id".into(),
            limit: 10_000,
            reason: "too many transfers".to_owned(),
        });
        assert_eq!(e.code(), "limit_exceeded");
        assert_eq!(e.error_field().as_deref(), Some("transfer.tx_id"));
        let state = PaystateError::from(paystate::Error::InvalidState {
            reason: "x".to_owned(),
        });
        assert_eq!(state.error_code(), "invalid_state");
        assert_eq!(state.field(), None);
    }

    #[test]
    fn message_is_the_core_message() {
        let core = paystate::Amount::parse("-1", "transfer.amount").err();
        let core_msg = core.as_ref().map(ToString::to_string);
        let ffi = core.map(PaystateError::from);
        assert_eq!(
            ffi.as_ref().map(PaystateError::code),
            Some("invalid_amount")
        );
        assert_eq!(
            ffi.as_ref().and_then(PaystateError::field),
            Some("transfer.amount")
        );
        assert_eq!(ffi.map(|e| e.to_string()), core_msg);
    }
}
