//! Events: what the host publishes (webhooks, emails, fulfilment) after a command.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::status::{Exceptions, Status};
use crate::money::Amount;
use crate::time::Timestamp;

/// The type of an event, spelled as the contract names it (`invoice.paid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// The invoice was created.
    #[serde(rename = "invoice.created")]
    Created,
    /// A new transfer was observed (counted or held).
    #[serde(rename = "invoice.payment_received")]
    PaymentReceived,
    /// The transfer was made at or after the deadline.
    #[serde(rename = "invoice.paid_late")]
    PaidLate,
    /// Enough was received, awaiting confirmation.
    #[serde(rename = "invoice.processing")]
    Processing,
    /// Confirmed payment reaches the threshold (or an operator marked it paid).
    #[serde(rename = "invoice.paid")]
    Paid,
    /// An unconfirmed transfer stopped counting.
    #[serde(rename = "invoice.payment_dropped")]
    PaymentDropped,
    /// The deadline passed without enough payment.
    #[serde(rename = "invoice.expired")]
    Expired,
    /// Marked invalid, or payment never confirmed within the window.
    #[serde(rename = "invoice.invalid")]
    Invalid,
    /// The merchant cancelled it.
    #[serde(rename = "invoice.cancelled")]
    Cancelled,
    /// A refund started.
    #[serde(rename = "invoice.refund_requested")]
    RefundRequested,
    /// A refund succeeded.
    #[serde(rename = "invoice.refunded")]
    Refunded,
    /// A refund failed; its amount is refundable again.
    #[serde(rename = "invoice.refund_failed")]
    RefundFailed,
    /// The payer claimed a transaction id.
    #[serde(rename = "invoice.txid_claimed")]
    TxidClaimed,
}

impl EventType {
    /// Every event type.
    pub const ALL: [EventType; 13] = [
        EventType::Created,
        EventType::PaymentReceived,
        EventType::PaidLate,
        EventType::Processing,
        EventType::Paid,
        EventType::PaymentDropped,
        EventType::Expired,
        EventType::Invalid,
        EventType::Cancelled,
        EventType::RefundRequested,
        EventType::Refunded,
        EventType::RefundFailed,
        EventType::TxidClaimed,
    ];

    /// The contract's name (`invoice.payment_received`).
    pub fn as_str(&self) -> &'static str {
        match self {
            EventType::Created => "invoice.created",
            EventType::PaymentReceived => "invoice.payment_received",
            EventType::PaidLate => "invoice.paid_late",
            EventType::Processing => "invoice.processing",
            EventType::Paid => "invoice.paid",
            EventType::PaymentDropped => "invoice.payment_dropped",
            EventType::Expired => "invoice.expired",
            EventType::Invalid => "invoice.invalid",
            EventType::Cancelled => "invoice.cancelled",
            EventType::RefundRequested => "invoice.refund_requested",
            EventType::Refunded => "invoice.refunded",
            EventType::RefundFailed => "invoice.refund_failed",
            EventType::TxidClaimed => "invoice.txid_claimed",
        }
    }

    /// The event a change into `status` emits, when it has one.
    pub fn for_status(status: Status) -> Option<EventType> {
        match status {
            Status::Processing => Some(EventType::Processing),
            Status::Paid => Some(EventType::Paid),
            Status::Expired => Some(EventType::Expired),
            Status::Invalid => Some(EventType::Invalid),
            Status::Cancelled => Some(EventType::Cancelled),
            // Falling back to pending, and refund statuses, are reported by the event
            // that caused them (payment_dropped, refunded) with the new status inside.
            Status::Pending | Status::PartiallyRefunded | Status::Refunded => None,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The money and status of an invoice at one instant (docs/spec.md §3 names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The status.
    pub status: Status,
    /// The exceptions beside it.
    pub exceptions: Exceptions,
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

/// Something that happened to an invoice, with a deterministic id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// `"{invoice_id}:{seq}"`, seq from 1 for `invoice.created`: stable across replays, so
    /// hosts can deduplicate webhook deliveries by it.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The invoice.
    pub invoice_id: String,
    /// When the command that emitted it was applied.
    pub at: Timestamp,
    /// The transfer concerned (payment_received, paid_late, payment_dropped, txid_claimed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tx_id: Option<String>,
    /// The refund concerned (refund_requested, refunded, refund_failed).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refund_id: Option<String>,
    /// The amount of the transfer or refund concerned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub amount: Option<Amount>,
    /// The invoice after the command.
    #[serde(flatten)]
    pub invoice: Snapshot,
}
