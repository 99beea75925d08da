//! One create request of any dialect (docs/spec.md §8): the enum and the dispatch every
//! host shares, so a binding or the CLI holds a parsed request without an enum of its own.
//!
//! [`Request::parse`] takes a [`RequestKind`] (which API and which operation), the raw body
//! and the host's [`RequestContext`], and runs that module's parser. The result answers the
//! questions every host asks of any request: its [`kind`](Request::kind), the
//! [`invoice`](Request::invoice) to create (none for a Monetix refund or payout), and the
//! provider's [`extra`](Request::extra) fields. Renderers and callback parsers stay in
//! their modules and take the variant's own struct (match on the enum to reach it).

use std::fmt;

use serde_json::Value;

use super::{gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, ParsedInvoice, Rejection};
use crate::error::{Error, FieldName, Result};
use crate::money::{Amount, Asset};
use crate::time::{Duration, Timestamp};

/// Which API and which of its operations a create request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestKind {
    /// Seed 000, `POST /api/v1/merchant/checkout-session`.
    GatenocCheckoutSession,
    /// Seed 001, `POST /api/v1/invoices`.
    UsdtGatewayInvoice,
    /// Seed 002, `POST /v1/pay/checkout/order`.
    GatepayOrder,
    /// Seed 003, a purchase (Gate or Payment Page).
    MonetixPurchase,
    /// Seed 003, a refund of a purchase.
    MonetixRefund,
    /// Seed 003, a payout.
    MonetixPayout,
    /// Seed 004, the invoice form.
    KeypairInvoice,
}

impl RequestKind {
    /// Every kind, in a stable order.
    pub const ALL: [RequestKind; 7] = [
        RequestKind::GatenocCheckoutSession,
        RequestKind::UsdtGatewayInvoice,
        RequestKind::GatepayOrder,
        RequestKind::MonetixPurchase,
        RequestKind::MonetixRefund,
        RequestKind::MonetixPayout,
        RequestKind::KeypairInvoice,
    ];

    /// The dialect's name: `gatenoc`, `usdt_gateway`, `gatepay`, `monetix` or
    /// `keypair_invoice`.
    pub fn dialect(&self) -> &'static str {
        match self {
            RequestKind::GatenocCheckoutSession => "gatenoc",
            RequestKind::UsdtGatewayInvoice => "usdt_gateway",
            RequestKind::GatepayOrder => "gatepay",
            RequestKind::MonetixPurchase
            | RequestKind::MonetixRefund
            | RequestKind::MonetixPayout => "monetix",
            RequestKind::KeypairInvoice => "keypair_invoice",
        }
    }

    /// The operation within the dialect: `checkout_session`, `invoice`, `order`,
    /// `purchase`, `refund` or `payout`.
    pub fn operation(&self) -> &'static str {
        match self {
            RequestKind::GatenocCheckoutSession => "checkout_session",
            RequestKind::UsdtGatewayInvoice | RequestKind::KeypairInvoice => "invoice",
            RequestKind::GatepayOrder => "order",
            RequestKind::MonetixPurchase => "purchase",
            RequestKind::MonetixRefund => "refund",
            RequestKind::MonetixPayout => "payout",
        }
    }

    /// `dialect.operation`: `gatenoc.checkout_session`, `monetix.refund`, ...
    pub fn as_str(&self) -> &'static str {
        match self {
            RequestKind::GatenocCheckoutSession => "gatenoc.checkout_session",
            RequestKind::UsdtGatewayInvoice => "usdt_gateway.invoice",
            RequestKind::GatepayOrder => "gatepay.order",
            RequestKind::MonetixPurchase => "monetix.purchase",
            RequestKind::MonetixRefund => "monetix.refund",
            RequestKind::MonetixPayout => "monetix.payout",
            RequestKind::KeypairInvoice => "keypair_invoice.invoice",
        }
    }

    /// The kind of a dialect name and operation (`"monetix"`, `"refund"`); an unknown
    /// pair is `invalid_field` on `field`.
    pub fn of(dialect: &str, operation: &str, field: impl Into<FieldName>) -> Result<RequestKind> {
        RequestKind::ALL
            .into_iter()
            .find(|k| k.dialect() == dialect && k.operation() == operation)
            .ok_or_else(|| Error::invalid_field(field, Self::unknown(dialect, operation)))
    }

    /// Parses [`RequestKind::as_str`]'s spelling; anything else is `invalid_field`.
    pub fn parse(text: &str, field: impl Into<FieldName>) -> Result<RequestKind> {
        let (dialect, operation) = text.split_once('.').unwrap_or((text, ""));
        RequestKind::of(dialect, operation, field)
    }

    /// Whether the request creates an invoice (all but a Monetix refund or payout).
    pub fn creates_invoice(&self) -> bool {
        !matches!(
            self,
            RequestKind::MonetixRefund | RequestKind::MonetixPayout
        )
    }

    fn unknown(dialect: &str, operation: &str) -> String {
        let known: Vec<&str> = RequestKind::ALL.iter().map(RequestKind::as_str).collect();
        format!(
            "unknown request {:?}.{:?}; expected one of {}",
            super::common::short(dialect),
            super::common::short(operation),
            known.join(", ")
        )
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the host supplies besides the body: the union of every module's context, with
/// the documented defaults. Members a kind does not use are ignored by it.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestContext {
    /// The invoice id the host chose.
    pub id: String,
    /// The request time (the invoice's creation time).
    pub now: Timestamp,
    /// Asset units per unit of the pricing currency (gatepay fiat orders, monetix,
    /// keypair_invoice). Default 1.
    pub rate: Amount,
    /// How long a gatenoc checkout session lives. Default
    /// [`gatenoc::DEFAULT_SESSION_TTL`].
    pub session_ttl: Duration,
    /// The reference usdt_gateway generates when the request has none.
    pub generated_reference: Option<String>,
    /// The keypair_invoice fee, in asset units. Default 0.
    pub fee: Amount,
    /// The keypair_invoice network; `None`: the first one not banned.
    pub asset: Option<Asset>,
}

impl RequestContext {
    /// A context with every default: rate 1, the gatenoc session TTL, no generated
    /// reference, no fee, the first network not banned.
    pub fn new(id: impl Into<String>, now: Timestamp) -> RequestContext {
        RequestContext {
            id: id.into(),
            now,
            rate: Amount::from_units(1),
            session_ttl: gatenoc::DEFAULT_SESSION_TTL,
            generated_reference: None,
            fee: Amount::ZERO,
            asset: None,
        }
    }
}

/// A create request any dialect's rules accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// [`RequestKind::GatenocCheckoutSession`].
    GatenocCheckoutSession(gatenoc::CheckoutRequest),
    /// [`RequestKind::UsdtGatewayInvoice`].
    UsdtGatewayInvoice(usdt_gateway::InvoiceRequest),
    /// [`RequestKind::GatepayOrder`].
    GatepayOrder(gatepay::OrderRequest),
    /// [`RequestKind::MonetixPurchase`].
    MonetixPurchase(monetix::PurchaseRequest),
    /// [`RequestKind::MonetixRefund`].
    MonetixRefund(monetix::RefundRequest),
    /// [`RequestKind::MonetixPayout`].
    MonetixPayout(monetix::PayoutRequest),
    /// [`RequestKind::KeypairInvoice`].
    KeypairInvoice(keypair_invoice::InvoiceRequest),
}

impl Request {
    /// Parses `body` as a create request of `kind` with that API's rules, or the
    /// provider-shaped [`Rejection`].
    pub fn parse(
        kind: RequestKind,
        body: &[u8],
        ctx: &RequestContext,
    ) -> std::result::Result<Request, Rejection> {
        Ok(match kind {
            RequestKind::GatenocCheckoutSession => {
                let c = gatenoc::CheckoutContext {
                    id: ctx.id.clone(),
                    now: ctx.now,
                    ttl: ctx.session_ttl,
                };
                Request::GatenocCheckoutSession(gatenoc::parse_checkout_session(body, &c)?)
            }
            RequestKind::UsdtGatewayInvoice => {
                let c = usdt_gateway::InvoiceContext {
                    id: ctx.id.clone(),
                    now: ctx.now,
                    generated_reference: ctx.generated_reference.clone(),
                };
                Request::UsdtGatewayInvoice(usdt_gateway::parse_invoice(body, &c)?)
            }
            RequestKind::GatepayOrder => {
                let c = gatepay::OrderContext {
                    id: ctx.id.clone(),
                    now: ctx.now,
                    rate: ctx.rate,
                };
                Request::GatepayOrder(gatepay::parse_order(body, &c)?)
            }
            RequestKind::MonetixPurchase => {
                let c = monetix::PurchaseContext {
                    id: ctx.id.clone(),
                    now: ctx.now,
                    rate: ctx.rate,
                };
                Request::MonetixPurchase(monetix::parse_purchase(body, &c)?)
            }
            RequestKind::MonetixRefund => Request::MonetixRefund(monetix::parse_refund(body)?),
            RequestKind::MonetixPayout => Request::MonetixPayout(monetix::parse_payout(body)?),
            RequestKind::KeypairInvoice => {
                let c = keypair_invoice::InvoiceContext {
                    id: ctx.id.clone(),
                    now: ctx.now,
                    rate: ctx.rate,
                    fee: ctx.fee,
                    asset: ctx.asset,
                };
                Request::KeypairInvoice(keypair_invoice::parse_invoice(body, &c)?)
            }
        })
    }

    /// Which API and operation this is.
    pub fn kind(&self) -> RequestKind {
        match self {
            Request::GatenocCheckoutSession(_) => RequestKind::GatenocCheckoutSession,
            Request::UsdtGatewayInvoice(_) => RequestKind::UsdtGatewayInvoice,
            Request::GatepayOrder(_) => RequestKind::GatepayOrder,
            Request::MonetixPurchase(_) => RequestKind::MonetixPurchase,
            Request::MonetixRefund(_) => RequestKind::MonetixRefund,
            Request::MonetixPayout(_) => RequestKind::MonetixPayout,
            Request::KeypairInvoice(_) => RequestKind::KeypairInvoice,
        }
    }

    /// The invoice to create (its spec, due amount and deadline); `None` for a Monetix
    /// refund or payout, which create none.
    pub fn invoice(&self) -> Option<&ParsedInvoice> {
        match self {
            Request::GatenocCheckoutSession(r) => Some(&r.invoice),
            Request::UsdtGatewayInvoice(r) => Some(&r.invoice),
            Request::GatepayOrder(r) => Some(&r.invoice),
            Request::MonetixPurchase(r) => Some(&r.invoice),
            Request::KeypairInvoice(r) => Some(&r.invoice),
            Request::MonetixRefund(_) | Request::MonetixPayout(_) => None,
        }
    }

    /// The provider's fields the core spec does not hold (URLs, titles, flags, the amount
    /// as the provider prints it), as JSON. For a Monetix refund or payout, which have no
    /// spec, the whole request.
    pub fn extra(&self) -> Value {
        match self {
            Request::GatenocCheckoutSession(r) => r.extra_json(),
            Request::UsdtGatewayInvoice(r) => r.extra_json(),
            Request::GatepayOrder(r) => r.extra_json(),
            Request::MonetixPurchase(r) => r.extra_json(),
            Request::MonetixRefund(r) => r.to_json(),
            Request::MonetixPayout(r) => r.to_json(),
            Request::KeypairInvoice(r) => r.extra_json(),
        }
    }
}

macro_rules! from_variant {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Request {
            fn from(r: $ty) -> Request {
                Request::$variant(r)
            }
        })*
    };
}

from_variant!(
    GatenocCheckoutSession(gatenoc::CheckoutRequest),
    UsdtGatewayInvoice(usdt_gateway::InvoiceRequest),
    GatepayOrder(gatepay::OrderRequest),
    MonetixPurchase(monetix::PurchaseRequest),
    MonetixRefund(monetix::RefundRequest),
    MonetixPayout(monetix::PayoutRequest),
    KeypairInvoice(keypair_invoice::InvoiceRequest),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_spell_and_parse_back() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str(), "kind").unwrap(), k);
            assert_eq!(
                RequestKind::of(k.dialect(), k.operation(), "kind").unwrap(),
                k
            );
            assert_eq!(k.as_str(), format!("{}.{}", k.dialect(), k.operation()));
        }
        for bad in ["gatenoc", "gatenoc.invoice", "monetix.order", "", "."] {
            let e = RequestKind::parse(bad, "kind").unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_field", Some("kind")),
                "{bad}"
            );
        }
    }

    #[test]
    fn dispatch_runs_the_kind_s_parser() {
        let now = Timestamp::parse("2026-03-24T11:30:00Z", "t").unwrap();
        let ctx = RequestContext::new("inv_1", now);
        let r = Request::parse(
            RequestKind::GatenocCheckoutSession,
            br#"{"amount": 10.50}"#,
            &ctx,
        )
        .unwrap();
        assert_eq!(r.kind(), RequestKind::GatenocCheckoutSession);
        let invoice = r.invoice().unwrap();
        assert_eq!(invoice.spec.id, "inv_1");
        assert_eq!(invoice.due.to_string(), "10.5");
        assert_eq!(invoice.deadline, now.plus(gatenoc::DEFAULT_SESSION_TTL));
        assert!(r.extra().is_object());
        // The same body under another API is judged by that API's rules.
        let e = Request::parse(
            RequestKind::UsdtGatewayInvoice,
            br#"{"amount": 10.50}"#,
            &ctx,
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        assert!(RequestKind::ALL
            .iter()
            .all(|k| k.creates_invoice() == !matches!(k.operation(), "refund" | "payout")));
    }
}
