//! The one error type of the core.
//!
//! Every variant has a stable snake_case [`Error::code`] that bindings, dialects and the
//! conformance suite rely on, and a message that names the field and the problem.
//! Messages never contain a secret: signature errors describe headers and formats, not keys
//! or expected tags.

use std::borrow::Cow;

/// Field names are mostly static, but dialects and JSON readers build dotted paths.
pub type FieldName = Cow<'static, str>;

/// Everything that can go wrong in the core. A failed command leaves state untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not an amount (`[0-9]+(\.[0-9]+)?`, at most 28 significant digits),
    /// or it is zero where an amount must be positive.
    #[error("{field}: invalid amount {value:?}: {reason}")]
    InvalidAmount {
        field: FieldName,
        value: String,
        reason: &'static str,
    },
    /// The amount is below what the API accepts.
    #[error("{field}: amount {value} is below the minimum {minimum}")]
    AmountBelowMinimum {
        field: FieldName,
        value: String,
        minimum: String,
    },
    /// The amount is above what the API accepts.
    #[error("{field}: amount {value} is above the maximum {maximum}")]
    AmountAboveMaximum {
        field: FieldName,
        value: String,
        maximum: String,
    },
    /// The amount has more decimal places than the asset or currency allows.
    #[error("{field}: amount {value} has more than {scale} decimal places")]
    TooManyDecimals {
        field: FieldName,
        value: String,
        scale: u32,
    },
    /// The asset code is not one the core knows.
    #[error("{field}: unknown asset {value:?}")]
    InvalidAsset { field: FieldName, value: String },
    /// A transfer is in another asset than the invoice.
    #[error("{field}: asset {got} does not match the invoice asset {expected}")]
    AssetMismatch {
        field: FieldName,
        expected: String,
        got: String,
    },
    /// A field has a value out of range, of the wrong type, or refers to an unknown id.
    #[error("{field}: {reason}")]
    InvalidField { field: FieldName, reason: String },
    /// A required field is absent.
    #[error("{field}: required field is missing")]
    MissingField { field: FieldName },
    /// The command is not allowed in the current status.
    #[error("{command} is not allowed while the {subject} is {state}")]
    InvalidTransition {
        command: &'static str,
        subject: &'static str,
        state: String,
    },
    /// No transfer with this id was observed on the invoice.
    #[error("tx_id: no transfer {tx_id:?} on this invoice")]
    UnknownTransfer { tx_id: String },
    /// No refund in flight with this id.
    #[error("refund_id: no refund {refund_id:?} awaiting settlement")]
    UnknownRefund { refund_id: String },
    /// The refund asks for more than may still be refunded.
    #[error("amount: refund of {requested} exceeds the refundable {available}")]
    RefundExceedsAvailable {
        requested: String,
        available: String,
    },
    /// The checkout session has reached its deadline.
    #[error("session {session_id:?} expired at {expires_at}")]
    SessionExpired {
        session_id: String,
        expires_at: String,
    },
    /// The checkout session was already used.
    #[error("session {session_id:?} was already used")]
    SessionUsed { session_id: String },
    /// A header (or body member) the scheme requires is absent.
    #[error("signature missing: {what}")]
    SignatureMissing { what: String },
    /// A signature header is present but does not parse.
    #[error("signature malformed: {what}")]
    SignatureMalformed { what: String },
    /// No signature matched any secret.
    #[error("signature mismatch: no signature matched any of the {keys} key(s)")]
    SignatureMismatch { keys: usize },
    /// The signed timestamp is outside the allowed window.
    #[error("timestamp {timestamp} is {skew_seconds} s away from now, outside the {tolerance_seconds} s tolerance")]
    TimestampOutOfTolerance {
        timestamp: String,
        skew_seconds: i64,
        tolerance_seconds: u64,
    },
    /// The replay guard has seen this message before.
    #[error("replayed: message {key:?} was already accepted")]
    Replayed { key: String },
    /// The body is not the JSON the scheme or dialect requires.
    #[error("malformed JSON: {reason}")]
    MalformedJson { reason: String },
    /// Data disagrees with what the core already knows (a provider callback, a re-sent transfer).
    #[error("{field}: integrity conflict: {reason}")]
    IntegrityConflict { field: FieldName, reason: String },
    /// A documented capacity is full (a replay guard, transfers per invoice): the host may
    /// grow it or keep the data elsewhere; nothing was changed.
    #[error("{field}: limit of {limit} reached: {reason}")]
    LimitExceeded {
        field: FieldName,
        limit: u64,
        reason: String,
    },
    /// A stored document breaks an invariant the core keeps, so the core cannot have
    /// written it (edited by hand, truncated, or from a hostile source).
    #[error("invalid state: {reason}")]
    InvalidState { reason: String },
}

impl Error {
    /// The stable, snake_case code of this error: part of the public contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidAmount { .. } => "invalid_amount",
            Error::AmountBelowMinimum { .. } => "amount_below_minimum",
            Error::AmountAboveMaximum { .. } => "amount_above_maximum",
            Error::TooManyDecimals { .. } => "too_many_decimals",
            Error::InvalidAsset { .. } => "invalid_asset",
            Error::AssetMismatch { .. } => "asset_mismatch",
            Error::InvalidField { .. } => "invalid_field",
            Error::MissingField { .. } => "missing_field",
            Error::InvalidTransition { .. } => "invalid_transition",
            Error::UnknownTransfer { .. } => "unknown_transfer",
            Error::UnknownRefund { .. } => "unknown_refund",
            Error::RefundExceedsAvailable { .. } => "refund_exceeds_available",
            Error::SessionExpired { .. } => "session_expired",
            Error::SessionUsed { .. } => "session_used",
            Error::SignatureMissing { .. } => "signature_missing",
            Error::SignatureMalformed { .. } => "signature_malformed",
            Error::SignatureMismatch { .. } => "signature_mismatch",
            Error::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Error::Replayed { .. } => "replayed",
            Error::MalformedJson { .. } => "malformed_json",
            Error::IntegrityConflict { .. } => "integrity_conflict",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::InvalidState { .. } => "invalid_state",
        }
    }

    /// The field the error is about, where there is one (`amount`, `transfer.asset`, ...).
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidAmount { field, .. }
            | Error::AmountBelowMinimum { field, .. }
            | Error::AmountAboveMaximum { field, .. }
            | Error::TooManyDecimals { field, .. }
            | Error::InvalidAsset { field, .. }
            | Error::AssetMismatch { field, .. }
            | Error::InvalidField { field, .. }
            | Error::MissingField { field }
            | Error::IntegrityConflict { field, .. }
            | Error::LimitExceeded { field, .. } => Some(field),
            Error::UnknownTransfer { .. } => Some("tx_id"),
            Error::UnknownRefund { .. } => Some("refund_id"),
            Error::RefundExceedsAvailable { .. } => Some("amount"),
            Error::SessionExpired { .. } | Error::SessionUsed { .. } => Some("session"),
            _ => None,
        }
    }

    /// Every code the core can return, for bindings that export them as constants.
    pub const CODES: &'static [&'static str] = &[
        "invalid_amount",
        "amount_below_minimum",
        "amount_above_maximum",
        "too_many_decimals",
        "invalid_asset",
        "asset_mismatch",
        "invalid_field",
        "missing_field",
        "invalid_transition",
        "unknown_transfer",
        "unknown_refund",
        "refund_exceeds_available",
        "session_expired",
        "session_used",
        "signature_missing",
        "signature_malformed",
        "signature_mismatch",
        "timestamp_out_of_tolerance",
        "replayed",
        "malformed_json",
        "integrity_conflict",
        "limit_exceeded",
        "invalid_state",
    ];

    /// Whether this is one of the signature-verification failures.
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            Error::SignatureMissing { .. }
                | Error::SignatureMalformed { .. }
                | Error::SignatureMismatch { .. }
                | Error::TimestampOutOfTolerance { .. }
                | Error::Replayed { .. }
                | Error::MalformedJson { .. }
        )
    }

    pub(crate) fn invalid_field(field: impl Into<FieldName>, reason: impl Into<String>) -> Self {
        Error::InvalidField {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn missing(field: impl Into<FieldName>) -> Self {
        Error::MissingField {
            field: field.into(),
        }
    }

    /// `malformed_json` with the parser's reason, cut to a readable length: serde quotes the
    /// offending value, and a megabyte of host data must not become a megabyte of message.
    pub fn malformed_json(reason: impl std::fmt::Display) -> Self {
        const MAX_REASON: usize = 200;
        let mut reason = reason.to_string();
        if reason.len() > MAX_REASON {
            let mut cut = MAX_REASON;
            while !reason.is_char_boundary(cut) {
                cut -= 1;
            }
            reason.truncate(cut);
            reason.push('…');
        }
        Error::MalformedJson { reason }
    }
}

/// At most 40 characters of untrusted text, for messages.
pub(crate) fn short(text: &str) -> String {
    text.chars().take(40).collect()
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
