//! Commands: everything that can happen to an invoice, as plain data.
//!
//! Commands are what the host journals. Replaying the journal from creation rebuilds the
//! invoice bit for bit, so commands carry every input (ids, amounts, the transfer's own
//! time) and nothing is looked up elsewhere.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::spec::InvoiceSpec;
use super::status::Status;
use crate::error::{Error, FieldName, Result};
use crate::json::Obj;
use crate::money::{Amount, Asset};
use crate::time::Timestamp;

/// An incoming transfer as the host's chain or exchange watcher saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferInput {
    /// The transaction id (hash, exchange record id): unique per invoice.
    pub tx_id: String,
    /// The amount, in the asset.
    pub amount: Amount,
    /// The asset it was sent in.
    pub asset: Asset,
    /// Whether it is final on its network.
    pub confirmed: bool,
    /// When the transfer was made; lateness is judged by this (default: the command's time).
    pub at: Option<Timestamp>,
}

/// How a refund the host sent ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundOutcome {
    /// The money left.
    Succeeded,
    /// It did not; the amount is refundable again.
    Failed,
}

impl RefundOutcome {
    /// Both outcomes, in a stable order.
    pub const ALL: [RefundOutcome; 2] = [RefundOutcome::Succeeded, RefundOutcome::Failed];

    /// The contract's spelling: `succeeded` or `failed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundOutcome::Succeeded => "succeeded",
            RefundOutcome::Failed => "failed",
        }
    }

    /// Parses the contract's spelling; anything else is `invalid_field` on `field`.
    pub fn parse(text: &str, field: impl Into<FieldName>) -> Result<RefundOutcome> {
        RefundOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == text)
            .ok_or_else(|| {
                Error::invalid_field(
                    field,
                    format!(
                        "expected succeeded or failed, found {:?}",
                        super::status::short(text)
                    ),
                )
            })
    }
}

impl std::fmt::Display for RefundOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A command to an invoice. See docs/spec.md §3 for the rule of each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Creates the invoice (first entry of every journal).
    Create(Box<InvoiceSpec>),
    /// A transfer was seen (or seen again, or seen confirmed).
    ObserveTransfer(TransferInput),
    /// A transfer seen unconfirmed is now final.
    ConfirmTransfer {
        /// The transfer.
        tx_id: String,
    },
    /// An unconfirmed transfer was reorged out or failed.
    DropTransfer {
        /// The transfer.
        tx_id: String,
    },
    /// Applies the deadlines that have passed.
    Tick,
    /// The merchant cancels a pending invoice with nothing received.
    Cancel,
    /// Starts a refund of `amount` (all that is refundable when omitted).
    RequestRefund {
        /// The host's id for the refund.
        refund_id: String,
        /// How much; all that is refundable when `None`.
        amount: Option<Amount>,
    },
    /// Records how a refund ended.
    SettleRefund {
        /// The refund.
        refund_id: String,
        /// Succeeded or failed.
        outcome: RefundOutcome,
    },
    /// An operator forces the status to `paid` or `invalid`.
    Mark {
        /// `Paid` or `Invalid`.
        status: Status,
    },
    /// The payer claims to have sent this transaction.
    ClaimTxid {
        /// The claimed transaction id.
        tx_id: String,
    },
}

/// The kind of a command, without its data: the columns of the transition table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// [`Command::Create`].
    Create,
    /// [`Command::ObserveTransfer`].
    ObserveTransfer,
    /// [`Command::ConfirmTransfer`].
    ConfirmTransfer,
    /// [`Command::DropTransfer`].
    DropTransfer,
    /// [`Command::Tick`].
    Tick,
    /// [`Command::Cancel`].
    Cancel,
    /// [`Command::RequestRefund`].
    RequestRefund,
    /// [`Command::SettleRefund`].
    SettleRefund,
    /// [`Command::Mark`] with `paid`.
    MarkPaid,
    /// [`Command::Mark`] with `invalid`.
    MarkInvalid,
    /// [`Command::ClaimTxid`].
    ClaimTxid,
}

impl CommandKind {
    /// Every kind, in table order.
    pub const ALL: [CommandKind; 11] = [
        CommandKind::Create,
        CommandKind::ObserveTransfer,
        CommandKind::ConfirmTransfer,
        CommandKind::DropTransfer,
        CommandKind::Tick,
        CommandKind::Cancel,
        CommandKind::RequestRefund,
        CommandKind::SettleRefund,
        CommandKind::MarkPaid,
        CommandKind::MarkInvalid,
        CommandKind::ClaimTxid,
    ];

    /// The snake_case name (`observe_transfer`, `mark_paid`).
    pub fn as_str(&self) -> &'static str {
        match self {
            CommandKind::Create => "create",
            CommandKind::ObserveTransfer => "observe_transfer",
            CommandKind::ConfirmTransfer => "confirm_transfer",
            CommandKind::DropTransfer => "drop_transfer",
            CommandKind::Tick => "tick",
            CommandKind::Cancel => "cancel",
            CommandKind::RequestRefund => "request_refund",
            CommandKind::SettleRefund => "settle_refund",
            CommandKind::MarkPaid => "mark_paid",
            CommandKind::MarkInvalid => "mark_invalid",
            CommandKind::ClaimTxid => "claim_txid",
        }
    }
}

impl Command {
    /// The command's kind.
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Create(_) => CommandKind::Create,
            Command::ObserveTransfer(_) => CommandKind::ObserveTransfer,
            Command::ConfirmTransfer { .. } => CommandKind::ConfirmTransfer,
            Command::DropTransfer { .. } => CommandKind::DropTransfer,
            Command::Tick => CommandKind::Tick,
            Command::Cancel => CommandKind::Cancel,
            Command::RequestRefund { .. } => CommandKind::RequestRefund,
            Command::SettleRefund { .. } => CommandKind::SettleRefund,
            Command::Mark {
                status: Status::Paid,
            } => CommandKind::MarkPaid,
            Command::Mark { .. } => CommandKind::MarkInvalid,
            Command::ClaimTxid { .. } => CommandKind::ClaimTxid,
        }
    }

    /// Reads a command in the journal shape: `{"op": "...", ...}` with the fields of the
    /// conformance step of the same op (`create_invoice` takes `invoice`).
    pub fn from_json(map: &Map<String, Value>) -> Result<Command> {
        let o = Obj::new(map, "");
        let op = o.str("op")?;
        let only = |fields: &[&str]| -> Result<()> {
            let mut allowed = vec!["op"];
            allowed.extend_from_slice(fields);
            o.deny_unknown(&allowed)
        };
        let id = |name: &str| -> Result<String> {
            let v = o.str(name)?;
            super::spec::check_id(v, static_name(name))?;
            Ok(v.to_owned())
        };
        Ok(match op {
            "create_invoice" => {
                only(&["invoice"])?;
                Command::Create(Box::new(InvoiceSpec::from_json(o.obj("invoice")?)?))
            }
            "observe_transfer" => {
                only(&["transfer"])?;
                Command::ObserveTransfer(transfer_from_json(o.obj("transfer")?)?)
            }
            "confirm_transfer" => {
                only(&["tx_id"])?;
                Command::ConfirmTransfer {
                    tx_id: id("tx_id")?,
                }
            }
            "drop_transfer" => {
                only(&["tx_id"])?;
                Command::DropTransfer {
                    tx_id: id("tx_id")?,
                }
            }
            "tick" => {
                only(&[])?;
                Command::Tick
            }
            "cancel" => {
                only(&[])?;
                Command::Cancel
            }
            "request_refund" => {
                only(&["refund_id", "amount"])?;
                Command::RequestRefund {
                    refund_id: id("refund_id")?,
                    amount: o.opt_amount("amount")?,
                }
            }
            "settle_refund" => {
                only(&["refund_id", "outcome"])?;
                let outcome = RefundOutcome::parse(o.str("outcome")?, "outcome")?;
                Command::SettleRefund {
                    refund_id: id("refund_id")?,
                    outcome,
                }
            }
            "mark" => {
                only(&["status"])?;
                let status = Status::parse(o.str("status")?, "status")?;
                check_mark(status)?;
                Command::Mark { status }
            }
            "claim_txid" => {
                only(&["tx_id"])?;
                Command::ClaimTxid {
                    tx_id: id("tx_id")?,
                }
            }
            other => {
                return Err(Error::invalid_field(
                    "op",
                    format!("unknown command {:?}", super::status::short(other)),
                ))
            }
        })
    }

    /// Checks the command's own fields as [`Command::from_json`] does when it reads them:
    /// ids (`tx_id`, `transfer.tx_id`, `refund_id`: 1 to 128 bytes, no control
    /// characters) and the status of `mark` (`paid` or `invalid`). Typed constructors call
    /// it so a bad command is refused when it is built, as a JSON one is; `apply` checks
    /// again, and a creation's spec is checked by `Invoice::create`.
    pub fn check(&self) -> Result<()> {
        use super::spec::check_id;
        match self {
            Command::Create(_) | Command::Tick | Command::Cancel => Ok(()),
            Command::ObserveTransfer(t) => check_id(&t.tx_id, "transfer.tx_id"),
            Command::ConfirmTransfer { tx_id }
            | Command::DropTransfer { tx_id }
            | Command::ClaimTxid { tx_id } => check_id(tx_id, "tx_id"),
            Command::RequestRefund { refund_id, .. } | Command::SettleRefund { refund_id, .. } => {
                check_id(refund_id, "refund_id")
            }
            Command::Mark { status } => check_mark(*status),
        }
    }

    /// The journal shape, the inverse of [`Command::from_json`].
    pub fn to_json(&self) -> Value {
        match self {
            Command::Create(spec) => json!({"op": "create_invoice", "invoice": spec.to_json()}),
            Command::ObserveTransfer(t) => {
                let mut tr = json!({
                    "tx_id": t.tx_id,
                    "amount": t.amount.to_string(),
                    "asset": t.asset.code(),
                    "confirmed": t.confirmed,
                });
                if let (Some(at), Some(obj)) = (t.at, tr.as_object_mut()) {
                    obj.insert("at".into(), json!(at.to_string()));
                }
                json!({"op": "observe_transfer", "transfer": tr})
            }
            Command::ConfirmTransfer { tx_id } => json!({"op": "confirm_transfer", "tx_id": tx_id}),
            Command::DropTransfer { tx_id } => json!({"op": "drop_transfer", "tx_id": tx_id}),
            Command::Tick => json!({"op": "tick"}),
            Command::Cancel => json!({"op": "cancel"}),
            Command::RequestRefund { refund_id, amount } => match amount {
                Some(a) => {
                    json!({"op": "request_refund", "refund_id": refund_id, "amount": a.to_string()})
                }
                None => json!({"op": "request_refund", "refund_id": refund_id}),
            },
            Command::SettleRefund { refund_id, outcome } => {
                json!({"op": "settle_refund", "refund_id": refund_id, "outcome": outcome})
            }
            Command::Mark { status } => json!({"op": "mark", "status": status.as_str()}),
            Command::ClaimTxid { tx_id } => json!({"op": "claim_txid", "tx_id": tx_id}),
        }
    }
}

/// `mark` forces `paid` or `invalid` only (docs/spec.md §3 "Commands and events");
/// another status is `invalid_field` on `status`.
pub(crate) fn check_mark(to: Status) -> Result<()> {
    if matches!(to, Status::Paid | Status::Invalid) {
        Ok(())
    } else {
        Err(Error::invalid_field(
            "status",
            format!("an invoice can be marked paid or invalid, not {to}"),
        ))
    }
}

/// Reads a `transfer` object: `tx_id`, `amount`, `asset`, `confirmed`, `at`?.
pub fn transfer_from_json(map: &Map<String, Value>) -> Result<TransferInput> {
    let t = Obj::new(map, "transfer");
    t.deny_unknown(&["tx_id", "amount", "asset", "confirmed", "at"])?;
    let tx_id = t.str("tx_id")?;
    super::spec::check_id(tx_id, "transfer.tx_id")?;
    Ok(TransferInput {
        tx_id: tx_id.to_owned(),
        amount: t.amount("amount")?,
        asset: Asset::parse(t.str("asset")?, "transfer.asset")?,
        confirmed: t.bool("confirmed")?,
        at: t
            .opt_str("at")?
            .map(|s| Timestamp::parse(s, "transfer.at"))
            .transpose()?,
    })
}

fn static_name(name: &str) -> &'static str {
    match name {
        "tx_id" => "tx_id",
        "refund_id" => "refund_id",
        _ => "id",
    }
}

impl Serialize for Command {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(d)?;
        Command::from_json(&map).map_err(serde::de::Error::custom)
    }
}

/// One accepted command and the time it was applied at: a line of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// When the host applied it.
    pub at: Timestamp,
    /// What was applied.
    pub command: Command,
}

impl JournalEntry {
    /// Reads `{"at": RFC 3339, "command": {...}}`, naming fields `journal.at` and
    /// `journal.command` (docs/spec.md §2, "State documents"). Other members are ignored.
    pub fn from_json(map: &Map<String, Value>) -> Result<JournalEntry> {
        let o = Obj::new(map, "journal");
        let at = Timestamp::parse(o.str("at")?, "journal.at")?;
        let command = Command::from_json(o.obj("command")?)?;
        Ok(JournalEntry { at, command })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `check` refuses what `from_json` refuses, with the same code and field.
    #[test]
    fn check_agrees_with_the_json_reader() {
        let long = "x".repeat(129);
        let cases = [
            Command::ConfirmTransfer { tx_id: "".into() },
            Command::DropTransfer {
                tx_id: long.clone(),
            },
            Command::ClaimTxid {
                tx_id: "a\u{7}".into(),
            },
            Command::RequestRefund {
                refund_id: "".into(),
                amount: None,
            },
            Command::SettleRefund {
                refund_id: long,
                outcome: RefundOutcome::Failed,
            },
            Command::Mark {
                status: Status::Pending,
            },
            Command::ObserveTransfer(TransferInput {
                tx_id: "".into(),
                amount: Amount::from_units(1),
                asset: Asset::UsdtTrc20,
                confirmed: true,
                at: None,
            }),
        ];
        for cmd in cases {
            let typed = cmd.check().unwrap_err();
            let json = Command::from_json(cmd.to_json().as_object().unwrap()).unwrap_err();
            assert_eq!(
                (typed.code(), typed.field()),
                (json.code(), json.field()),
                "{cmd:?}"
            );
        }
        assert_eq!(Command::Tick.check(), Ok(()));
        assert_eq!(
            Command::Mark {
                status: Status::Paid
            }
            .check(),
            Ok(())
        );
    }
}
