//! Seed 003 callbacks: parsing sale, refund and payout callbacks into what they mean for
//! the core, and rendering them for a gateway that sends them.

use serde_json::{json, Map, Value};

use super::{check_payment_id, invoice_price, Money, PayoutRequest};
use crate::dialect::common;
use crate::dialect::CallbackResult;
use crate::error::{Error, Result};
use crate::invoice::{Command, Invoice, RefundOutcome, RefundState, Status, TransferInput};
use crate::json::{parse_object, Obj};
use crate::money::Currency;
use crate::time::Timestamp;

/// `operation.type` of a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationType {
    /// A purchase.
    Sale,
    /// A refund of a purchase.
    Refund,
    /// A payout.
    Payout,
}

impl OperationType {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            OperationType::Sale => "sale",
            OperationType::Refund => "refund",
            OperationType::Payout => "payout",
        }
    }

    fn parse(text: &str) -> Result<OperationType> {
        match text {
            "sale" => Ok(OperationType::Sale),
            "refund" => Ok(OperationType::Refund),
            "payout" => Ok(OperationType::Payout),
            other => Err(Error::invalid_field(
                "operation.type",
                format!("unknown operation type {:?}", common::short(other)),
            )),
        }
    }
}

/// `operation.status` of a callback: the seed's `success` and `decline`, and the
/// platform's intermediate statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    /// Completed.
    Success,
    /// Declined (e.g. the QR code expired unpaid).
    Decline,
    /// Failed with an error.
    Error,
    /// Being processed.
    Processing,
    /// Waiting for a 3-D Secure result.
    Awaiting3dsResult,
    /// Waiting for the customer to return from a redirect.
    AwaitingRedirectResult,
    /// Waiting for clarification.
    AwaitingClarification,
    /// Waiting for the customer.
    AwaitingCustomerAction,
    /// Waiting for the merchant's authorisation.
    AwaitingMerchantAuth,
}

impl OperationStatus {
    /// Parses a status; anything else is `invalid_field` (never pending).
    pub fn parse(text: &str) -> Result<OperationStatus> {
        Ok(match text {
            "success" => OperationStatus::Success,
            "decline" => OperationStatus::Decline,
            "error" => OperationStatus::Error,
            "processing" => OperationStatus::Processing,
            "awaiting 3ds result" => OperationStatus::Awaiting3dsResult,
            "awaiting redirect result" => OperationStatus::AwaitingRedirectResult,
            "awaiting clarification" => OperationStatus::AwaitingClarification,
            "awaiting customer action" => OperationStatus::AwaitingCustomerAction,
            "awaiting merchant auth" => OperationStatus::AwaitingMerchantAuth,
            other => {
                return Err(Error::invalid_field(
                    "operation.status",
                    format!("unknown operation status {:?}", common::short(other)),
                ))
            }
        })
    }

    /// How the operation stands: finished well, finished badly, or still going.
    pub fn outcome(&self) -> Outcome {
        match self {
            OperationStatus::Success => Outcome::Succeeded,
            OperationStatus::Decline | OperationStatus::Error => Outcome::Failed,
            OperationStatus::Processing
            | OperationStatus::Awaiting3dsResult
            | OperationStatus::AwaitingRedirectResult
            | OperationStatus::AwaitingClarification
            | OperationStatus::AwaitingCustomerAction
            | OperationStatus::AwaitingMerchantAuth => Outcome::InProgress,
        }
    }
}

/// Where an operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded.
    Succeeded,
    /// It was declined or failed.
    Failed,
    /// Not final yet.
    InProgress,
}

impl Outcome {
    /// The spelling bindings show: `succeeded`, `failed` or `in_progress`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::InProgress => "in_progress",
        }
    }
}

/// A callback's parsed fields, shared by sale, refund and payout callbacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    /// `payment.id`.
    pub payment_id: String,
    /// `payment.type` (`purchase`, `payout`).
    pub payment_type: String,
    /// `payment.status` as sent (`success`, `decline`, `refunded`, ...).
    pub payment_status: String,
    /// `payment.sum`: what remains of the payment (0 after a full refund).
    pub payment_sum: Money,
    /// `operation.id`.
    pub operation_id: String,
    /// `operation.type`.
    pub operation_type: OperationType,
    /// `operation.status` as sent.
    pub operation_status_raw: String,
    /// `operation.status` parsed.
    pub operation_status: OperationStatus,
    /// `operation.date`.
    pub operation_date: Option<Timestamp>,
    /// `operation.sum_initial`: the operation's amount in the request currency.
    pub sum_initial: Money,
    /// `operation.code` (`"0"` on success).
    pub code: Option<String>,
    /// `operation.message`.
    pub message: Option<String>,
}

fn money(o: &Obj<'_>, name: &str) -> Result<Money> {
    let path = o.path(name).into_owned();
    let s = Obj::new(o.obj(name)?, &path);
    let currency = Currency::parse(s.str("currency")?, s.path("currency"))?;
    let minor = s.u64("amount")?;
    Ok(Money { minor, currency })
}

/// Parses any Monetix callback body (`payment`, `operation`, `customer`?, `signature`).
/// Unknown `operation.type` or `operation.status` is `invalid_field`. `payment.date` is
/// kept as text only (the seed's own refund example has a five-digit year there).
pub fn parse_callback(body: &[u8]) -> Result<Callback> {
    let map = parse_object(body)?;
    let o = Obj::new(&map, "");
    let p = Obj::new(o.obj("payment")?, "payment");
    let op = Obj::new(o.obj("operation")?, "operation");
    let operation_type = OperationType::parse(op.str("type")?)?;
    let raw = op.str("status")?;
    let operation_status = OperationStatus::parse(raw)?;
    let operation_date = op
        .opt_str("date")?
        .map(|d| common::parse_time_lenient_offset(d, "operation.date"))
        .transpose()?;
    let operation_id = common::opt_id_text(&op, "id")?.ok_or_else(|| Error::MissingField {
        field: "operation.id".into(),
    })?;
    Ok(Callback {
        payment_id: p.str("id")?.to_owned(),
        payment_type: p.str("type")?.to_owned(),
        payment_status: p.str("status")?.to_owned(),
        payment_sum: money(&p, "sum")?,
        operation_id,
        operation_type,
        operation_status_raw: raw.to_owned(),
        operation_status,
        operation_date,
        sum_initial: money(&op, "sum_initial")?,
        code: common::opt_id_text(&op, "code")?,
        message: op.opt_str("message")?.map(str::to_owned),
    })
}

fn expect_type(cb: &Callback, t: OperationType) -> Result<()> {
    if cb.operation_type != t {
        return Err(Error::invalid_field(
            "operation.type",
            format!(
                "expected a {} callback, got {}",
                t.as_str(),
                cb.operation_type.as_str()
            ),
        ));
    }
    Ok(())
}

/// Parses a purchase (`sale`) callback into the command it means for the invoice:
/// `success` observes a confirmed transfer of the invoice's due amount (Monetix reports
/// the purchase paid in full; the transaction id is `operation.id`, its time
/// `operation.date`); `decline` and `error` mark the invoice `invalid` (the single-use QR
/// code can no longer be paid); intermediate statuses map to no command. `payment.id`
/// must be the invoice's reference and `sum_initial` its price, else `integrity_conflict`.
pub fn parse_sale_callback(body: &[u8], invoice: &Invoice) -> Result<CallbackResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Sale)?;
    check_payment_id(&cb.payment_id, invoice, "payment.id")?;
    let (price, cur) = invoice_price(invoice)?;
    if cb.sum_initial.currency != cur {
        return Err(common::conflict(
            "operation.sum_initial.currency",
            format!(
                "callback currency {} differs from the invoice currency {cur}",
                cb.sum_initial.currency
            ),
        ));
    }
    if cb.sum_initial.amount() != price {
        return Err(common::conflict(
            "operation.sum_initial.amount",
            format!(
                "callback amount {} differs from the invoice price {price}",
                cb.sum_initial.amount()
            ),
        ));
    }
    let command = match cb.operation_status.outcome() {
        Outcome::Succeeded => {
            common::check_id(&cb.operation_id, "operation.id")?;
            Some(Command::ObserveTransfer(TransferInput {
                tx_id: cb.operation_id.clone(),
                amount: invoice.due(),
                asset: invoice.asset(),
                confirmed: true,
                at: cb.operation_date,
            }))
        }
        Outcome::Failed => Some(Command::Mark {
            status: Status::Invalid,
        }),
        Outcome::InProgress => None,
    };
    Ok(CallbackResult {
        provider_status: cb.operation_status_raw,
        command,
        at: cb.operation_date,
    })
}

/// Parses a refund callback into the command that settles the refund: `success` ->
/// succeeded, `decline`/`error` -> failed, intermediate -> no command. `refund_id` is the
/// host's id for the refund; when `None`, the invoice's single refund in flight is meant
/// (none or several is `invalid_field`). `payment.id` must be the invoice's reference,
/// the currency its price currency, and the amount at most its price, else
/// `integrity_conflict`.
pub fn parse_refund_callback(
    body: &[u8],
    invoice: &Invoice,
    refund_id: Option<&str>,
) -> Result<CallbackResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Refund)?;
    check_payment_id(&cb.payment_id, invoice, "payment.id")?;
    let (price, cur) = invoice_price(invoice)?;
    if cb.sum_initial.currency != cur {
        return Err(common::conflict(
            "operation.sum_initial.currency",
            format!(
                "refund currency {} differs from the invoice currency {cur}",
                cb.sum_initial.currency
            ),
        ));
    }
    if cb.sum_initial.amount() > price {
        return Err(common::conflict(
            "operation.sum_initial.amount",
            format!(
                "refund of {} exceeds the invoice price {price}",
                cb.sum_initial.amount()
            ),
        ));
    }
    let refund_id = match refund_id {
        Some(id) => id.to_owned(),
        None => {
            let mut in_flight = invoice
                .refunds()
                .iter()
                .filter(|r| r.state == RefundState::InFlight);
            match (in_flight.next(), in_flight.next()) {
                (Some(r), None) => r.refund_id.clone(),
                (None, _) => {
                    return Err(Error::invalid_field("refund_id", "no refund is in flight"))
                }
                (Some(_), Some(_)) => {
                    return Err(Error::invalid_field(
                        "refund_id",
                        "several refunds are in flight: name the one this callback settles",
                    ))
                }
            }
        }
    };
    let command = match cb.operation_status.outcome() {
        Outcome::Succeeded => Some(Command::SettleRefund {
            refund_id,
            outcome: RefundOutcome::Succeeded,
        }),
        Outcome::Failed => Some(Command::SettleRefund {
            refund_id,
            outcome: RefundOutcome::Failed,
        }),
        Outcome::InProgress => None,
    };
    Ok(CallbackResult {
        provider_status: cb.operation_status_raw,
        command,
        at: cb.operation_date,
    })
}

/// A payout callback, normalised (payouts belong to no invoice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutResult {
    /// `operation.status` as sent.
    pub provider_status: String,
    /// Succeeded, failed or in progress.
    pub outcome: Outcome,
    /// `operation.id`.
    pub operation_id: String,
    /// `operation.date`.
    pub at: Option<Timestamp>,
}

/// Parses a payout callback for `payout`: `payment.id`, currency and amount must match the
/// request, else `integrity_conflict`.
pub fn parse_payout_callback(body: &[u8], payout: &PayoutRequest) -> Result<PayoutResult> {
    let cb = parse_callback(body)?;
    expect_type(&cb, OperationType::Payout)?;
    if cb.payment_id != payout.payment_id {
        return Err(common::conflict(
            "payment.id",
            format!(
                "payout {:?} is not this payout",
                common::short(&cb.payment_id)
            ),
        ));
    }
    if cb.sum_initial != payout.money {
        return Err(common::conflict(
            "operation.sum_initial",
            format!(
                "callback sum {} {} differs from the payout {} {}",
                cb.sum_initial.minor,
                cb.sum_initial.currency,
                payout.money.minor,
                payout.money.currency
            ),
        ));
    }
    Ok(PayoutResult {
        provider_status: cb.operation_status_raw,
        outcome: cb.operation_status.outcome(),
        operation_id: cb.operation_id,
        at: cb.operation_date,
    })
}

/// The provider (Bybit) part of a callback's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderInfo {
    /// Provider id at Monetix.
    pub id: u64,
    /// The provider's payment id.
    pub payment_id: String,
    /// Authorisation code (empty for Bybit Pay).
    pub auth_code: String,
}

/// Everything a callback body carries, for a gateway that sends them. Fields follow the
/// seed's examples in order; the `signature` member is added by
/// [`crate::signature`]'s Monetix signer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackRender {
    /// `project_id`.
    pub project_id: u64,
    /// `payment.id`.
    pub payment_id: String,
    /// `payment.type`: `purchase` or `payout`.
    pub payment_type: String,
    /// `payment.status`: `success`, `decline`, `refunded`, ...
    pub payment_status: String,
    /// `payment.date`.
    pub payment_date: Timestamp,
    /// `payment.sum`.
    pub payment_sum: Money,
    /// `payment.description`.
    pub description: String,
    /// `customer.id`, when the callback names the customer.
    pub customer_id: Option<String>,
    /// `operation.id`.
    pub operation_id: u64,
    /// `operation.type`.
    pub operation_type: OperationType,
    /// `operation.status`.
    pub operation_status: OperationStatus,
    /// `operation.date`.
    pub operation_date: Timestamp,
    /// `operation.created_date`.
    pub created_date: Timestamp,
    /// `operation.request_id`.
    pub request_id: String,
    /// `operation.sum_initial`.
    pub sum_initial: Money,
    /// `operation.sum_converted` (USD).
    pub sum_converted: Money,
    /// `operation.code` and `operation.message` (`"0"`/`"Success"`,
    /// `"20000"`/`"General decline"`).
    pub code: (String, String),
    /// `operation.provider`, when known.
    pub provider: Option<ProviderInfo>,
}

fn sum_json(m: &Money) -> Value {
    json!({"amount": m.minor, "currency": m.currency.code()})
}

fn status_str(s: OperationStatus) -> &'static str {
    match s {
        OperationStatus::Success => "success",
        OperationStatus::Decline => "decline",
        OperationStatus::Error => "error",
        OperationStatus::Processing => "processing",
        OperationStatus::Awaiting3dsResult => "awaiting 3ds result",
        OperationStatus::AwaitingRedirectResult => "awaiting redirect result",
        OperationStatus::AwaitingClarification => "awaiting clarification",
        OperationStatus::AwaitingCustomerAction => "awaiting customer action",
        OperationStatus::AwaitingMerchantAuth => "awaiting merchant auth",
    }
}

/// A sale, refund or payout callback body exactly as the seed's examples lay it out
/// (without `signature`).
pub fn render_callback(r: &CallbackRender) -> Value {
    let mut m = Map::new();
    m.insert("project_id".into(), json!(r.project_id));
    m.insert(
        "payment".into(),
        json!({
            "id": r.payment_id,
            "type": r.payment_type,
            "status": r.payment_status,
            "date": common::iso8601_compact_offset(r.payment_date),
            "method": "Bybit",
            "sum": sum_json(&r.payment_sum),
            "description": r.description,
        }),
    );
    if let Some(c) = &r.customer_id {
        m.insert("customer".into(), json!({"id": c}));
    }
    let mut op = Map::new();
    op.insert("id".into(), json!(r.operation_id));
    op.insert("type".into(), json!(r.operation_type.as_str()));
    op.insert("status".into(), json!(status_str(r.operation_status)));
    op.insert(
        "date".into(),
        json!(common::iso8601_compact_offset(r.operation_date)),
    );
    op.insert(
        "created_date".into(),
        json!(common::iso8601_compact_offset(r.created_date)),
    );
    op.insert("request_id".into(), json!(r.request_id));
    op.insert("sum_initial".into(), sum_json(&r.sum_initial));
    op.insert("sum_converted".into(), sum_json(&r.sum_converted));
    op.insert("code".into(), json!(r.code.0));
    op.insert("message".into(), json!(r.code.1));
    if let Some(p) = &r.provider {
        op.insert(
            "provider".into(),
            json!({"id": p.id, "payment_id": p.payment_id, "auth_code": p.auth_code}),
        );
    }
    m.insert("operation".into(), Value::Object(op));
    Value::Object(m)
}
