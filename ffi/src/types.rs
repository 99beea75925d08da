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

/// Every error of paystate: one variant per stable core error code (see `code` in the
/// Kotlin/Swift extension, or [`error_codes`]). The message is the core's message, which
/// names the field and the problem and never contains a secret.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum PaystateError {
    /// `invalid_amount`: not `[0-9]+(\.[0-9]+)?` with at most 28 significant digits, or zero
    /// where an amount must be positive.
    #[error("{0}")]
    InvalidAmount(String),
    /// `amount_below_minimum`.
    #[error("{0}")]
    AmountBelowMinimum(String),
    /// `amount_above_maximum`.
    #[error("{0}")]
    AmountAboveMaximum(String),
    /// `too_many_decimals`: more decimal places than the asset or currency allows.
    #[error("{0}")]
    TooManyDecimals(String),
    /// `invalid_asset`: an unknown asset code.
    #[error("{0}")]
    InvalidAsset(String),
    /// `asset_mismatch`: a transfer in another asset than the invoice.
    #[error("{0}")]
    AssetMismatch(String),
    /// `invalid_field`: out of range, wrong type, or an unknown or reused id.
    #[error("{0}")]
    InvalidField(String),
    /// `missing_field`: a required field is absent.
    #[error("{0}")]
    MissingField(String),
    /// `invalid_transition`: the command is not allowed in the current status.
    #[error("{0}")]
    InvalidTransition(String),
    /// `unknown_transfer`: no transfer with this id on the invoice.
    #[error("{0}")]
    UnknownTransfer(String),
    /// `unknown_refund`: no refund in flight with this id.
    #[error("{0}")]
    UnknownRefund(String),
    /// `refund_exceeds_available`: more than may still be refunded.
    #[error("{0}")]
    RefundExceedsAvailable(String),
    /// `session_expired`: the checkout session reached its deadline.
    #[error("{0}")]
    SessionExpired(String),
    /// `session_used`: the checkout session was already used.
    #[error("{0}")]
    SessionUsed(String),
    /// `signature_missing`: a required signature header (or body member) is absent.
    #[error("{0}")]
    SignatureMissing(String),
    /// `signature_malformed`: the signature header does not parse.
    #[error("{0}")]
    SignatureMalformed(String),
    /// `signature_mismatch`: no signature matched any secret.
    #[error("{0}")]
    SignatureMismatch(String),
    /// `timestamp_out_of_tolerance`: the signed timestamp is outside the window.
    #[error("{0}")]
    TimestampOutOfTolerance(String),
    /// `replayed`: the replay guard has seen this message before.
    #[error("{0}")]
    Replayed(String),
    /// `malformed_json`: the body is not the JSON required.
    #[error("{0}")]
    MalformedJson(String),
    /// `integrity_conflict`: data disagrees with what the core already knows.
    #[error("{0}")]
    IntegrityConflict(String),
    /// A code newer than this binding (never produced by the core it was built with); the
    /// message starts with the code.
    #[error("{0}")]
    Other(String),
}

impl From<paystate::Error> for PaystateError {
    fn from(e: paystate::Error) -> Self {
        PaystateError::from_code(e.code(), e.to_string())
    }
}

impl PaystateError {
    /// The variant for a core code, carrying the core's message.
    fn from_code(code: &str, m: String) -> Self {
        match code {
            "invalid_amount" => PaystateError::InvalidAmount(m),
            "amount_below_minimum" => PaystateError::AmountBelowMinimum(m),
            "amount_above_maximum" => PaystateError::AmountAboveMaximum(m),
            "too_many_decimals" => PaystateError::TooManyDecimals(m),
            "invalid_asset" => PaystateError::InvalidAsset(m),
            "asset_mismatch" => PaystateError::AssetMismatch(m),
            "invalid_field" => PaystateError::InvalidField(m),
            "missing_field" => PaystateError::MissingField(m),
            "invalid_transition" => PaystateError::InvalidTransition(m),
            "unknown_transfer" => PaystateError::UnknownTransfer(m),
            "unknown_refund" => PaystateError::UnknownRefund(m),
            "refund_exceeds_available" => PaystateError::RefundExceedsAvailable(m),
            "session_expired" => PaystateError::SessionExpired(m),
            "session_used" => PaystateError::SessionUsed(m),
            "signature_missing" => PaystateError::SignatureMissing(m),
            "signature_malformed" => PaystateError::SignatureMalformed(m),
            "signature_mismatch" => PaystateError::SignatureMismatch(m),
            "timestamp_out_of_tolerance" => PaystateError::TimestampOutOfTolerance(m),
            "replayed" => PaystateError::Replayed(m),
            "malformed_json" => PaystateError::MalformedJson(m),
            "integrity_conflict" => PaystateError::IntegrityConflict(m),
            other => PaystateError::Other(format!("{other}: {m}")),
        }
    }

    /// The stable snake_case code (the same as the core's `Error::code`).
    pub fn code(&self) -> &'static str {
        match self {
            PaystateError::InvalidAmount(_) => "invalid_amount",
            PaystateError::AmountBelowMinimum(_) => "amount_below_minimum",
            PaystateError::AmountAboveMaximum(_) => "amount_above_maximum",
            PaystateError::TooManyDecimals(_) => "too_many_decimals",
            PaystateError::InvalidAsset(_) => "invalid_asset",
            PaystateError::AssetMismatch(_) => "asset_mismatch",
            PaystateError::InvalidField(_) => "invalid_field",
            PaystateError::MissingField(_) => "missing_field",
            PaystateError::InvalidTransition(_) => "invalid_transition",
            PaystateError::UnknownTransfer(_) => "unknown_transfer",
            PaystateError::UnknownRefund(_) => "unknown_refund",
            PaystateError::RefundExceedsAvailable(_) => "refund_exceeds_available",
            PaystateError::SessionExpired(_) => "session_expired",
            PaystateError::SessionUsed(_) => "session_used",
            PaystateError::SignatureMissing(_) => "signature_missing",
            PaystateError::SignatureMalformed(_) => "signature_malformed",
            PaystateError::SignatureMismatch(_) => "signature_mismatch",
            PaystateError::TimestampOutOfTolerance(_) => "timestamp_out_of_tolerance",
            PaystateError::Replayed(_) => "replayed",
            PaystateError::MalformedJson(_) => "malformed_json",
            PaystateError::IntegrityConflict(_) => "integrity_conflict",
            PaystateError::Other(_) => "other",
        }
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

/// Where an invoice stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<paystate::Status> for Status {
    fn from(s: paystate::Status) -> Self {
        match s {
            paystate::Status::Pending => Status::Pending,
            paystate::Status::Processing => Status::Processing,
            paystate::Status::Paid => Status::Paid,
            paystate::Status::Expired => Status::Expired,
            paystate::Status::Cancelled => Status::Cancelled,
            paystate::Status::Invalid => Status::Invalid,
            paystate::Status::PartiallyRefunded => Status::PartiallyRefunded,
            paystate::Status::Refunded => Status::Refunded,
        }
    }
}

impl From<Status> for paystate::Status {
    fn from(s: Status) -> Self {
        match s {
            Status::Pending => paystate::Status::Pending,
            Status::Processing => paystate::Status::Processing,
            Status::Paid => paystate::Status::Paid,
            Status::Expired => paystate::Status::Expired,
            Status::Cancelled => paystate::Status::Cancelled,
            Status::Invalid => paystate::Status::Invalid,
            Status::PartiallyRefunded => paystate::Status::PartiallyRefunded,
            Status::Refunded => paystate::Status::Refunded,
        }
    }
}

#[uniffi::export]
impl Status {
    /// The contract's name (`partially_refunded`).
    pub fn as_str(&self) -> String {
        paystate::Status::from(*self).as_str().to_owned()
    }
}

/// Reads a status by its contract name (`paid`); anything else is `invalid_field`.
#[uniffi::export]
pub fn parse_status(name: String) -> Result<Status> {
    Ok(paystate::Status::parse(&name, "status")?.into())
}

/// A condition reported beside the status (the contract calls these "exceptions"; the
/// name avoids clashing with Kotlin's `Exception`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ExceptionFlag {
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

impl From<paystate::Exception> for ExceptionFlag {
    fn from(e: paystate::Exception) -> Self {
        match e {
            paystate::Exception::Underpaid => ExceptionFlag::Underpaid,
            paystate::Exception::Overpaid => ExceptionFlag::Overpaid,
            paystate::Exception::PaidLate => ExceptionFlag::PaidLate,
            paystate::Exception::Marked => ExceptionFlag::Marked,
            paystate::Exception::TxidClaimed => ExceptionFlag::TxidClaimed,
        }
    }
}

impl From<ExceptionFlag> for paystate::Exception {
    fn from(e: ExceptionFlag) -> Self {
        match e {
            ExceptionFlag::Underpaid => paystate::Exception::Underpaid,
            ExceptionFlag::Overpaid => paystate::Exception::Overpaid,
            ExceptionFlag::PaidLate => paystate::Exception::PaidLate,
            ExceptionFlag::Marked => paystate::Exception::Marked,
            ExceptionFlag::TxidClaimed => paystate::Exception::TxidClaimed,
        }
    }
}

#[uniffi::export]
impl ExceptionFlag {
    /// The contract's name (`paid_late`).
    pub fn as_str(&self) -> String {
        paystate::Exception::from(*self).as_str().to_owned()
    }
}

/// The type of an event (`invoice.paid`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<paystate::EventType> for EventType {
    fn from(e: paystate::EventType) -> Self {
        use paystate::EventType as E;
        match e {
            E::Created => EventType::Created,
            E::PaymentReceived => EventType::PaymentReceived,
            E::PaidLate => EventType::PaidLate,
            E::Processing => EventType::Processing,
            E::Paid => EventType::Paid,
            E::PaymentDropped => EventType::PaymentDropped,
            E::Expired => EventType::Expired,
            E::Invalid => EventType::Invalid,
            E::Cancelled => EventType::Cancelled,
            E::RefundRequested => EventType::RefundRequested,
            E::Refunded => EventType::Refunded,
            E::RefundFailed => EventType::RefundFailed,
            E::TxidClaimed => EventType::TxidClaimed,
        }
    }
}

impl From<EventType> for paystate::EventType {
    fn from(e: EventType) -> Self {
        use paystate::EventType as E;
        match e {
            EventType::Created => E::Created,
            EventType::PaymentReceived => E::PaymentReceived,
            EventType::PaidLate => E::PaidLate,
            EventType::Processing => E::Processing,
            EventType::Paid => E::Paid,
            EventType::PaymentDropped => E::PaymentDropped,
            EventType::Expired => E::Expired,
            EventType::Invalid => E::Invalid,
            EventType::Cancelled => E::Cancelled,
            EventType::RefundRequested => E::RefundRequested,
            EventType::Refunded => E::Refunded,
            EventType::RefundFailed => E::RefundFailed,
            EventType::TxidClaimed => E::TxidClaimed,
        }
    }
}

#[uniffi::export]
impl EventType {
    /// The contract's name (`invoice.payment_received`).
    pub fn as_str(&self) -> String {
        paystate::EventType::from(*self).as_str().to_owned()
    }
}

/// A stablecoin on a network; the scale is the token's on-chain decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
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

impl From<paystate::Asset> for Asset {
    fn from(a: paystate::Asset) -> Self {
        match a {
            paystate::Asset::UsdtTrc20 => Asset::UsdtTrc20,
            paystate::Asset::UsdtErc20 => Asset::UsdtErc20,
            paystate::Asset::UsdtBsc => Asset::UsdtBsc,
            paystate::Asset::UsdtPolygon => Asset::UsdtPolygon,
            paystate::Asset::UsdtBybit => Asset::UsdtBybit,
        }
    }
}

impl From<Asset> for paystate::Asset {
    fn from(a: Asset) -> Self {
        match a {
            Asset::UsdtTrc20 => paystate::Asset::UsdtTrc20,
            Asset::UsdtErc20 => paystate::Asset::UsdtErc20,
            Asset::UsdtBsc => paystate::Asset::UsdtBsc,
            Asset::UsdtPolygon => paystate::Asset::UsdtPolygon,
            Asset::UsdtBybit => paystate::Asset::UsdtBybit,
        }
    }
}

#[uniffi::export]
impl Asset {
    /// The canonical code (`USDT_TRC20`).
    pub fn code(&self) -> String {
        paystate::Asset::from(*self).code().to_owned()
    }

    /// Decimal places a transfer of this asset can carry.
    pub fn scale(&self) -> u32 {
        paystate::Asset::from(*self).scale()
    }
}

/// Reads an asset code (`USDT_TRC20`, alias `USDT_MATIC`); anything else is `invalid_asset`.
#[uniffi::export]
pub fn parse_asset(code: String) -> Result<Asset> {
    Ok(paystate::Asset::parse(&code, "asset")?.into())
}

/// How a refund the host sent ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum RefundOutcome {
    /// The money left.
    Succeeded,
    /// It did not; the amount is refundable again.
    Failed,
}

impl From<RefundOutcome> for paystate::RefundOutcome {
    fn from(o: RefundOutcome) -> Self {
        match o {
            RefundOutcome::Succeeded => paystate::RefundOutcome::Succeeded,
            RefundOutcome::Failed => paystate::RefundOutcome::Failed,
        }
    }
}

impl From<paystate::RefundOutcome> for RefundOutcome {
    fn from(o: paystate::RefundOutcome) -> Self {
        match o {
            paystate::RefundOutcome::Succeeded => RefundOutcome::Succeeded,
            paystate::RefundOutcome::Failed => RefundOutcome::Failed,
        }
    }
}

// ---- records ----

/// The money and status of an invoice at one instant (DESIGN §3 names).
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
            status: s.status.into(),
            exceptions: s.exceptions.iter().map(Into::into).collect(),
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
            event_type: e.event_type.into(),
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
            assert_eq!(PaystateError::from_code(code, String::new()).code(), *code);
        }
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
        assert_eq!(ffi.map(|e| e.to_string()), core_msg);
    }
}
