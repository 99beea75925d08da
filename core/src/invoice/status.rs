//! Invoice statuses and exceptions: the public vocabulary of the state machine.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Where an invoice stands. Spelled exactly as the product contract names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Awaiting payment; may already hold some payment below the threshold.
    Pending,
    /// Enough has been seen to pay it, but not all of it is confirmed.
    Processing,
    /// Confirmed payment reaches the threshold.
    Paid,
    /// The deadline was reached without enough payment (it may hold some).
    Expired,
    /// Cancelled by the merchant while pending with nothing received.
    Cancelled,
    /// Marked invalid by an operator, or payment never confirmed within the window.
    Invalid,
    /// A paid invoice after refunds beyond its surplus.
    PartiallyRefunded,
    /// A paid invoice whose confirmed money was refunded in full.
    Refunded,
}

impl Status {
    /// Every status, in a stable order.
    pub const ALL: [Status; 8] = [
        Status::Pending,
        Status::Processing,
        Status::Paid,
        Status::Expired,
        Status::Cancelled,
        Status::Invalid,
        Status::PartiallyRefunded,
        Status::Refunded,
    ];

    /// The contract's name (`partially_refunded`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Processing => "processing",
            Status::Paid => "paid",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
            Status::Invalid => "invalid",
            Status::PartiallyRefunded => "partially_refunded",
            Status::Refunded => "refunded",
        }
    }

    /// Parses a contract name.
    pub fn parse(text: &str, field: &'static str) -> Result<Status> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| Error::invalid_field(field, format!("unknown status {:?}", short(text))))
    }

    /// Paid, or paid and then (partly) refunded: confirmed money reached the threshold.
    pub fn is_paid_family(&self) -> bool {
        matches!(
            self,
            Status::Paid | Status::PartiallyRefunded | Status::Refunded
        )
    }

    /// Still collecting money toward the invoice.
    pub fn is_open(&self) -> bool {
        matches!(self, Status::Pending | Status::Processing)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition reported beside the status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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

impl Exception {
    /// Every exception, in a stable order.
    pub const ALL: [Exception; 5] = [
        Exception::Underpaid,
        Exception::Overpaid,
        Exception::PaidLate,
        Exception::Marked,
        Exception::TxidClaimed,
    ];

    /// The contract's name (`paid_late`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Exception::Underpaid => "underpaid",
            Exception::Overpaid => "overpaid",
            Exception::PaidLate => "paid_late",
            Exception::Marked => "marked",
            Exception::TxidClaimed => "txid_claimed",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Exception::Underpaid => 1,
            Exception::Overpaid => 2,
            Exception::PaidLate => 4,
            Exception::Marked => 8,
            Exception::TxidClaimed => 16,
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of exceptions. Serialised as a list in the stable order of [`Exception::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Exceptions(u8);

impl Exceptions {
    /// Whether `e` is in the set.
    pub fn contains(&self, e: Exception) -> bool {
        self.0 & e.bit() != 0
    }

    /// Adds or removes `e`.
    pub fn set(&mut self, e: Exception, on: bool) {
        if on {
            self.0 |= e.bit();
        } else {
            self.0 &= !e.bit();
        }
    }

    /// The members, in the stable order.
    pub fn iter(&self) -> impl Iterator<Item = Exception> + '_ {
        Exception::ALL.into_iter().filter(|e| self.contains(*e))
    }

    /// The members as a vector.
    pub fn to_vec(&self) -> Vec<Exception> {
        self.iter().collect()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

impl Serialize for Exceptions {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Exceptions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let list = Vec::<Exception>::deserialize(d)?;
        let mut set = Exceptions::default();
        for e in list {
            set.set(e, true);
        }
        Ok(set)
    }
}

pub(crate) use crate::error::short;
