//! Every dialect's create-request parser (docs/spec.md §8) on arbitrary bodies.
//!
//! The first byte picks the parser (gatenoc checkout session, usdt_gateway invoice, gatepay
//! order, monetix purchase, keypair_invoice invoice, monetix refund, monetix payout; the
//! merchant-key and authorization checks read the body as header text), the rest is the
//! body. Checks: nothing panics; a rejection carries a contract error code and, when set,
//! an HTTP status in 100..=599; an accepted invoice request is consistent: its spec resolves
//! at its creation time to the reported due and deadline, creates an invoice with that due,
//! the due fits the asset's scale, the spec round-trips through its JSON shape, and the
//! created invoice's stored state loads back.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use paystate::dialect::{gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway, ParsedInvoice, Rejection};
use paystate::{Amount, Error, Invoice, InvoiceSpec, Timestamp};

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s, "t").expect("time")
}

fn rejected(r: &Rejection) {
    assert!(Error::CODES.contains(&r.code()), "unknown code {}", r.code());
    if let Some(s) = r.http_status {
        assert!((100..=599).contains(&s), "http status {s}");
    }
}

fn accepted(p: &ParsedInvoice) {
    let (due, deadline) = p.spec.resolve(p.created_at).expect("an accepted spec resolves");
    assert_eq!(due, p.due, "reported due");
    assert_eq!(deadline, p.deadline, "reported deadline");
    assert!(p.due.decimal_places() <= p.spec.asset.scale(), "due {} beyond the asset's scale", p.due);
    assert!(Amount::parse(&p.due.to_string(), "due").is_ok(), "due {} is not a valid amount", p.due);
    let (inv, _) = Invoice::create(p.spec.clone(), p.created_at).expect("an accepted spec creates");
    assert_eq!(inv.due(), p.due);
    let v = p.spec.to_json();
    let back = InvoiceSpec::from_json(v.as_object().expect("object")).expect("spec JSON reads back");
    assert_eq!(back, p.spec, "spec round trip");
    let stored = inv.to_json();
    match Invoice::from_json(&stored) {
        Ok(b) => assert!(b == inv, "stored state differs:\n{stored}"),
        Err(e) => panic!("stored state of an accepted request does not load: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    match mode % 8 {
        0 => {
            let ctx = gatenoc::CheckoutContext {
                id: "inv_1".into(),
                now: t("2026-03-24T11:30:00Z"),
                ttl: gatenoc::DEFAULT_SESSION_TTL,
            };
            match gatenoc::parse_checkout_session(body, &ctx) {
                Ok(r) => {
                    accepted(&r.invoice);
                    let _ = r.extra_json();
                }
                Err(e) => rejected(&e),
            }
        }
        1 => {
            let ctx = usdt_gateway::InvoiceContext {
                id: "550e8400-e29b-41d4-a716-446655440000".into(),
                now: t("2024-01-15T14:30:00Z"),
                generated_reference: Some("ref-generated".into()),
            };
            match usdt_gateway::parse_invoice(body, &ctx) {
                Ok(r) => {
                    accepted(&r.invoice);
                    assert!(r.invoice.due >= usdt_gateway::min_amount() || r.invoice.due > Amount::ZERO);
                    let _ = r.extra_json();
                }
                Err(e) => rejected(&e),
            }
        }
        2 => {
            let ctx = gatepay::OrderContext { id: "inv_gp".into(), now: t("2023-02-28T07:41:05Z"), rate: Amount::from_units(1) };
            match gatepay::parse_order(body, &ctx) {
                Ok(r) => {
                    accepted(&r.invoice);
                    let _ = r.extra_json();
                    let _ = r.order_amount_usdt();
                }
                Err(e) => rejected(&e),
            }
        }
        3 => {
            let ctx = monetix::PurchaseContext {
                id: "inv_mx".into(),
                now: t("2022-03-25T11:08:05Z"),
                rate: Amount::parse("0.01", "r").expect("rate"),
            };
            match monetix::parse_purchase(body, &ctx) {
                Ok(r) => {
                    accepted(&r.invoice);
                    let _ = r.extra_json();
                }
                Err(e) => rejected(&e),
            }
        }
        4 => {
            let ctx = keypair_invoice::InvoiceContext {
                id: "inv_kp".into(),
                now: t("2026-01-01T00:00:00Z"),
                rate: Amount::from_units(1),
                fee: Amount::parse("1.5", "f").expect("fee"),
                asset: None,
            };
            match keypair_invoice::parse_invoice(body, &ctx) {
                Ok(r) => {
                    accepted(&r.invoice);
                    let _ = r.extra_json();
                }
                Err(e) => rejected(&e),
            }
        }
        5 => match monetix::parse_refund(body) {
            Ok(r) => {
                let _ = r.to_json();
            }
            Err(e) => rejected(&e),
        },
        6 => match monetix::parse_payout(body) {
            Ok(r) => {
                let _ = r.to_json();
            }
            Err(e) => rejected(&e),
        },
        _ => {
            let text = std::str::from_utf8(body).ok();
            match gatenoc::check_merchant_key(text, &["pk_live_1", "pk_live_2"]) {
                Ok(i) => {
                    assert!(i < 2);
                    assert_eq!(text, Some(["pk_live_1", "pk_live_2"][i]), "merchant key accepted: {text:?}");
                }
                Err(e) => rejected(&e),
            }
            if let Err(e) = usdt_gateway::key_mode(text) {
                rejected(&e);
            }
        }
    }
});
