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

/// How bindings group the codes into exception classes (docs/spec.md §9): every code
/// belongs to exactly one category, written once in the `codes!` table below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// An input value is invalid: an amount, asset, id, field, or a range rule.
    Validation,
    /// The command is not allowed in the current state of the invoice or session.
    Transition,
    /// A webhook failed verification (or its body is not the JSON its scheme reads).
    Signature,
    /// A stored state document breaks an invariant the core keeps.
    State,
    /// A documented capacity is full.
    Limit,
    /// Data disagrees with what the core already knows.
    Integrity,
}

impl Category {
    /// Every category, in a stable order.
    pub const ALL: [Category; 6] = [
        Category::Validation,
        Category::Transition,
        Category::Signature,
        Category::State,
        Category::Limit,
        Category::Integrity,
    ];

    /// The snake_case name, as in the contract's `error_categories`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::Validation => "validation",
            Category::Transition => "transition",
            Category::Signature => "signature",
            Category::State => "state",
            Category::Limit => "limit",
            Category::Integrity => "integrity",
        }
    }
}

/// The one table of codes: `Variant => "code", Category`. It produces [`Error::code`],
/// [`Error::category`], [`Error::CODES`] and [`Error::CATEGORIES`], so a new error is its
/// variant above plus one line here (the `match` fails to compile without the line).
macro_rules! codes {
    ($($variant:ident => $code:literal, $category:ident;)*) => {
        impl Error {
            /// The stable, snake_case code of this error: part of the public contract.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Error::$variant { .. } => $code,)*
                }
            }

            /// The category of this error's code.
            pub fn category(&self) -> Category {
                match self {
                    $(Error::$variant { .. } => Category::$category,)*
                }
            }

            /// Every code the core can return, for bindings that export them as constants.
            pub const CODES: &'static [&'static str] = &[$($code),*];

            /// Every code with its category, in the order of [`Error::CODES`].
            pub const CATEGORIES: &'static [(&'static str, Category)] =
                &[$(($code, Category::$category)),*];
        }
    };
}

codes! {
    InvalidAmount => "invalid_amount", Validation;
    AmountBelowMinimum => "amount_below_minimum", Validation;
    AmountAboveMaximum => "amount_above_maximum", Validation;
    TooManyDecimals => "too_many_decimals", Validation;
    InvalidAsset => "invalid_asset", Validation;
    AssetMismatch => "asset_mismatch", Validation;
    InvalidField => "invalid_field", Validation;
    MissingField => "missing_field", Validation;
    InvalidTransition => "invalid_transition", Transition;
    UnknownTransfer => "unknown_transfer", Transition;
    UnknownRefund => "unknown_refund", Transition;
    RefundExceedsAvailable => "refund_exceeds_available", Transition;
    SessionExpired => "session_expired", Transition;
    SessionUsed => "session_used", Transition;
    SignatureMissing => "signature_missing", Signature;
    SignatureMalformed => "signature_malformed", Signature;
    SignatureMismatch => "signature_mismatch", Signature;
    TimestampOutOfTolerance => "timestamp_out_of_tolerance", Signature;
    Replayed => "replayed", Signature;
    MalformedJson => "malformed_json", Signature;
    IntegrityConflict => "integrity_conflict", Integrity;
    LimitExceeded => "limit_exceeded", Limit;
    InvalidState => "invalid_state", State;
}

impl Error {
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

    /// Whether this is one of the signature-verification failures.
    pub fn is_signature_error(&self) -> bool {
        self.category() == Category::Signature
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gives_each_code_one_category() {
        assert_eq!(Error::CODES.len(), Error::CATEGORIES.len());
        for ((code, category), listed) in Error::CATEGORIES.iter().zip(Error::CODES) {
            assert_eq!(code, listed);
            assert!(Category::ALL.contains(category));
        }
        let e = Error::malformed_json("x");
        assert_eq!(
            (e.code(), e.category()),
            ("malformed_json", Category::Signature)
        );
        assert!(e.is_signature_error());
        let e = Error::missing("id");
        assert_eq!(
            (e.code(), e.category()),
            ("missing_field", Category::Validation)
        );
        assert!(!e.is_signature_error());
        let e = Error::InvalidState { reason: "x".into() };
        assert_eq!(e.category().as_str(), "state");
    }
}
