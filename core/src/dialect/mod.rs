//! The five seed payment APIs (docs/spec.md §8), spoken both ways.
//!
//! Each module speaks one provider's exact wire shapes so that a gateway builder can serve
//! that API on top of the core, and a shop can consume that provider with the core's rules:
//!
//! * [`gatenoc`] — seed 000, `POST /api/v1/merchant/checkout-session`;
//! * [`usdt_gateway`] — seed 001, `POST /api/v1/invoices`;
//! * [`gatepay`] — seed 002, `POST /v1/pay/checkout/order`;
//! * [`monetix`] — seed 003, Bybit Pay purchase, refund and payout;
//! * [`keypair_invoice`] — seed 004, the invoice form API.
//!
//! Every module offers the same three things:
//!
//! 1. **parse a create request** in the seed's exact shape, validated with that document's
//!    rules, into a [`ParsedInvoice`] (the core's [`InvoiceSpec`], already resolved into its
//!    due amount and deadline) plus the provider's extra fields — or a [`Rejection`] that
//!    carries the core error code, the provider's field name and, where the seed documents
//!    them, the HTTP status and the provider-shaped error body;
//! 2. **render** the create response and the webhook/callback bodies exactly as the seed
//!    shows them. The core draws no randomness and reads no clock, so ids, URLs, addresses
//!    and times come in through small `*Render` structs;
//! 3. **parse the provider's callbacks** into core [`Command`]s ([`CallbackResult`]) with an
//!    exhaustive status mapping (an unknown status is an error, never "pending"), the raw
//!    provider status kept, and `integrity_conflict` when the callback's amount, asset or
//!    currency disagrees with the [`Invoice`](crate::invoice::Invoice) it is applied to.
//!
//! [`Request`] holds a parsed create request of any kind and [`Request::parse`] dispatches
//! on a [`RequestKind`], so hosts need no enum of their own.
//!
//! Signatures of callbacks are checked by [`crate::signature`] before these parsers run.

// A rejection is the cold path and a flat, inspectable struct is the friendlier API for
// hosts and bindings; boxing it to shrink `Result` would buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod common;
pub mod gatenoc;
pub mod gatepay;
pub mod keypair_invoice;
pub mod monetix;
mod request;
pub mod usdt_gateway;

pub use request::{Request, RequestContext, RequestKind};

use serde_json::{json, Map, Value};

use crate::error::Error;
use crate::invoice::{Command, InvoiceSpec};
use crate::money::Amount;
use crate::time::Timestamp;

/// A create request the provider's rules reject: what to log and what to answer.
///
/// `error` is the core error (its [`Error::code`] is the stable code); `field` is the
/// provider's own field name (`amountUsdt`, `merchantTradeNo`, `payment.amount`), so the
/// merchant sees the name they sent; `http_status` and `body` are the provider's answer
/// where its document defines one (`None` where it does not).
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// The core error, naming the provider's field.
    pub error: Error,
    /// The provider's field name the rejection is about (empty when none applies).
    pub field: String,
    /// The HTTP status the provider answers with, where its document says.
    pub http_status: Option<u16>,
    /// The provider-shaped error body, where its document shows one.
    pub body: Option<Value>,
}

impl Rejection {
    /// A rejection without a provider answer (for APIs whose document shows none).
    pub fn bare(error: Error) -> Rejection {
        let field = error.field().unwrap_or_default().to_owned();
        Rejection {
            error,
            field,
            http_status: None,
            body: None,
        }
    }

    /// The rejection of a create parser: `provider` shapes the provider's answer, except
    /// for a mistake in the host's own context (`context.<member>`), which is the host's
    /// bug and never becomes an answer to the payer ([`Rejection::bare`]).
    pub(crate) fn of_request(error: Error, provider: impl FnOnce(Error) -> Rejection) -> Rejection {
        if common::is_host_error(&error) {
            Rejection::bare(error)
        } else {
            provider(error)
        }
    }

    /// The stable core error code (`too_many_decimals`, `missing_field`, ...).
    pub fn code(&self) -> &'static str {
        self.error.code()
    }

    /// The JSON shape the CLI prints under `rejected`: `code`, `field`, `message`, and
    /// `http_status` and `body` when the provider documents them.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), json!(self.code()));
        m.insert("field".into(), json!(self.field));
        m.insert("message".into(), json!(self.error.to_string()));
        if let Some(status) = self.http_status {
            m.insert("http_status".into(), json!(status));
        }
        if let Some(body) = &self.body {
            m.insert("body".into(), body.clone());
        }
        Value::Object(m)
    }
}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Error {
        r.error
    }
}

/// A validated create request as the core sees it: the spec to pass to
/// [`Invoice::create`](crate::invoice::Invoice::create) with the same `now`, and what the
/// core computed from it (so responses can show the due amount and the deadline).
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedInvoice {
    /// The core create spec; its JSON is the conformance `create_invoice` invoice object.
    pub spec: InvoiceSpec,
    /// The amount due in the asset (price × rate + surcharge, rounded up).
    pub due: Amount,
    /// The request time the spec was resolved at (the invoice's creation time).
    pub created_at: Timestamp,
    /// The payment deadline for the request time the request was parsed at.
    pub deadline: Timestamp,
}

impl ParsedInvoice {
    /// Resolves `spec` at `now`, renaming the core's field names in errors to the
    /// provider's (`renames` maps e.g. `invoice.due` to `amountUsdt`).
    pub(crate) fn resolve(
        spec: InvoiceSpec,
        now: Timestamp,
        renames: &[(&str, &str)],
    ) -> Result<ParsedInvoice, Error> {
        match spec.resolve(now) {
            Ok((due, deadline)) => Ok(ParsedInvoice {
                spec,
                due,
                created_at: now,
                deadline,
            }),
            Err(e) => Err(common::rename_field(e, renames)),
        }
    }
}

/// A provider callback translated for the core.
#[derive(Clone, Debug, PartialEq)]
pub struct CallbackResult {
    /// The provider's status exactly as sent (`confirmed`, `PAY_SUCCESS`, `sale/decline`),
    /// kept so nothing the provider said is lost in the mapping.
    pub provider_status: String,
    /// The command to apply to the invoice, or `None` when the status changes nothing the
    /// core tracks (in progress, or a state the core derives itself, such as expiry).
    pub command: Option<Command>,
    /// When the provider says the event happened, if it says.
    pub at: Option<Timestamp>,
}
