//! `paystate demo`: a narrated walk through the product on built-in data.
//!
//! Everything here goes through the same public core API a host uses; the demo only
//! chooses the inputs and prints what the core decided.

use std::fmt::Write as _;

use paystate::delivery::{DeliveryPlan, Next, Outcome, Policy};
use paystate::dialect::{gatenoc, gatepay, keypair_invoice, monetix, usdt_gateway};
use paystate::invoice::{Expiry, Pricing, TransferInput};
use paystate::signature::{Scheme, SignInput, Signer, Verifier};
use paystate::{
    Amount, Asset, Command, Currency, Duration, Event, Invoice, InvoiceSpec, LatePayment, Matcher,
    RefundOutcome, Session, Timestamp, Tolerance,
};

/// A tiny narrator that never fails: demo inputs are fixed, and any error is printed as
/// what the core answered rather than aborting.
struct Narrator {
    out: String,
}

impl Narrator {
    fn section(&mut self, title: &str) {
        let _ = writeln!(self.out, "\n== {title} ==");
    }

    fn say(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.out, "  {}", line.as_ref());
    }

    fn events(&mut self, events: &[Event]) {
        for e in events {
            let _ = writeln!(
                self.out,
                "    event {:<28} id={} status={} paid={} pending={} held={}",
                e.event_type.as_str(),
                e.id,
                e.invoice.status,
                e.invoice.amount_paid,
                e.invoice.amount_pending,
                e.invoice.amount_held
            );
        }
    }

    fn state(&mut self, inv: &Invoice) {
        let s = inv.snapshot();
        let exceptions: Vec<&str> = s.exceptions.iter().map(|e| e.as_str()).collect();
        let _ = writeln!(
            self.out,
            "    -> {} [{}] due={} threshold={} paid={} pending={} held={} surplus={} refundable={}",
            s.status,
            exceptions.join(","),
            inv.due(),
            inv.threshold(),
            s.amount_paid,
            s.amount_pending,
            s.amount_held,
            s.surplus,
            s.refundable
        );
    }

    fn apply(&mut self, inv: &mut Invoice, what: &str, command: Command, at: Timestamp) {
        self.say(format!("{at}  {what}"));
        match inv.apply(&command, at) {
            Ok(events) => self.events(&events),
            Err(e) => self.say(format!("    refused: {} ({e})", e.code())),
        }
        self.state(inv);
    }
}

fn t(text: &str) -> Timestamp {
    Timestamp::parse(text, "demo").unwrap_or_default()
}

fn amt(text: &str) -> Amount {
    Amount::parse(text, "demo").unwrap_or_default()
}

fn transfer(
    tx: &str,
    amount: &str,
    asset: Asset,
    confirmed: bool,
    at: Option<Timestamp>,
) -> Command {
    Command::ObserveTransfer(TransferInput {
        tx_id: tx.into(),
        amount: amt(amount),
        asset,
        confirmed,
        at,
    })
}

/// Runs the demo and returns its narration.
pub fn run() -> String {
    let mut n = Narrator {
        out: String::from(
            "paystate demo: every decision below is made by the core from the inputs shown.\n",
        ),
    };
    underpaid_within_tolerance(&mut n);
    expired_with_late_money(&mut n);
    refund(&mut n);
    session_and_matching(&mut n);
    gateway_dialects(&mut n);
    gatepay_flow(&mut n);
    monetix_flow(&mut n);
    keypair_flow(&mut n);
    n.out.push_str("\nDone.\n");
    n.out
}

fn underpaid_within_tolerance(n: &mut Narrator) {
    n.section("1. A 5 USDT invoice with a 1 USDT margin (seed 004 margin_ratio)");
    let mut spec = InvoiceSpec::new(
        "shop-1001",
        Pricing::Due(amt("5")),
        Asset::UsdtTrc20,
        Expiry::In(Duration::seconds(1800)),
    );
    spec.tolerance = Tolerance::Absolute(amt("1"));
    let now = t("2026-03-24T12:00:00Z");
    match Invoice::create(spec, now) {
        Ok((mut inv, events)) => {
            n.say(format!(
                "{now}  create: due 5 USDT_TRC20, deadline {}",
                inv.deadline()
            ));
            n.events(&events);
            n.apply(
                &mut inv,
                "observe 3.9 USDT, unconfirmed",
                transfer("tx-a", "3.9", Asset::UsdtTrc20, false, None),
                t("2026-03-24T12:03:00Z"),
            );
            n.apply(
                &mut inv,
                "observe 0.2 USDT, unconfirmed (4.1 received: above the 4 threshold)",
                transfer("tx-b", "0.2", Asset::UsdtTrc20, false, None),
                t("2026-03-24T12:04:00Z"),
            );
            n.apply(
                &mut inv,
                "confirm tx-a",
                Command::ConfirmTransfer {
                    tx_id: "tx-a".into(),
                },
                t("2026-03-24T12:05:00Z"),
            );
            n.apply(
                &mut inv,
                "confirm tx-b: confirmed money reaches the threshold",
                Command::ConfirmTransfer {
                    tx_id: "tx-b".into(),
                },
                t("2026-03-24T12:06:00Z"),
            );
        }
        Err(e) => n.say(format!("create refused: {e}")),
    }
}

fn expired_with_late_money(n: &mut Narrator) {
    n.section("2. An invoice priced in EUR expires; money arrives late");
    let mut spec = InvoiceSpec::new(
        "shop-1002",
        Pricing::Price {
            amount: amt("19.99"),
            currency: Currency::parse("EUR", "demo").unwrap_or(Currency::USD),
            rate: amt("1.0832"),
            surcharge: amt("0.5"),
        },
        Asset::UsdtPolygon,
        Expiry::In(Duration::seconds(900)),
    );
    spec.late_payment = LatePayment::Reject;
    let now = t("2026-03-24T12:00:00Z");
    match Invoice::create(spec, now) {
        Ok((mut inv, events)) => {
            n.say(format!("{now}  create: 19.99 EUR at 1.0832 + 0.5 surcharge = {} USDT (rounded up to 6 decimals)", inv.due()));
            n.events(&events);
            if let Some(deadline) = inv.next_deadline() {
                n.say(format!("host asks next_deadline(): {deadline}"));
                n.say(format!("{deadline}  tick"));
                let events = inv.tick(deadline);
                n.events(&events);
                n.state(&inv);
            }
            n.apply(
                &mut inv,
                "observe 22.153304 made after the deadline (policy: reject -> held)",
                transfer(
                    "tx-late",
                    "22.153304",
                    Asset::UsdtPolygon,
                    true,
                    Some(t("2026-03-24T12:20:00Z")),
                ),
                t("2026-03-24T12:21:00Z"),
            );
            n.apply(
                &mut inv,
                "a slow watcher reports a transfer made before the deadline: it counts",
                transfer(
                    "tx-early",
                    "1",
                    Asset::UsdtPolygon,
                    true,
                    Some(t("2026-03-24T12:10:00Z")),
                ),
                t("2026-03-24T12:30:00Z"),
            );
            n.apply(
                &mut inv,
                "refund everything refundable (held late money + confirmed partial)",
                Command::RequestRefund {
                    refund_id: "rf-1".into(),
                    amount: None,
                },
                t("2026-03-24T12:31:00Z"),
            );
        }
        Err(e) => n.say(format!("create refused: {e}")),
    }
}

fn refund(n: &mut Narrator) {
    n.section("3. Paid, overpaid, then refunded in two steps");
    let mut spec = InvoiceSpec::new(
        "shop-1003",
        Pricing::Due(amt("40")),
        Asset::UsdtBsc,
        Expiry::In(Duration::seconds(1800)),
    );
    spec.overpay_dust = amt("0.01");
    let now = t("2026-03-24T12:00:00Z");
    if let Ok((mut inv, events)) = Invoice::create(spec, now) {
        n.say(format!("{now}  create: due 40 USDT_BSC, overpay dust 0.01"));
        n.events(&events);
        n.apply(
            &mut inv,
            "observe 45 USDT confirmed",
            transfer("0xabc", "45", Asset::UsdtBsc, true, None),
            t("2026-03-24T12:01:00Z"),
        );
        n.apply(
            &mut inv,
            "observe the same tx with another amount: never trusted",
            transfer("0xabc", "50", Asset::UsdtBsc, true, None),
            t("2026-03-24T12:01:30Z"),
        );
        n.apply(
            &mut inv,
            "refund the 5 USDT surplus",
            Command::RequestRefund {
                refund_id: "r1".into(),
                amount: Some(amt("5")),
            },
            t("2026-03-24T12:02:00Z"),
        );
        n.apply(
            &mut inv,
            "refund r1 succeeded: still paid",
            Command::SettleRefund {
                refund_id: "r1".into(),
                outcome: RefundOutcome::Succeeded,
            },
            t("2026-03-24T12:03:00Z"),
        );
        n.apply(
            &mut inv,
            "ask for 41 more: more than refundable",
            Command::RequestRefund {
                refund_id: "r2".into(),
                amount: Some(amt("41")),
            },
            t("2026-03-24T12:04:00Z"),
        );
        n.apply(
            &mut inv,
            "refund 15",
            Command::RequestRefund {
                refund_id: "r2".into(),
                amount: Some(amt("15")),
            },
            t("2026-03-24T12:05:00Z"),
        );
        n.apply(
            &mut inv,
            "refund r2 succeeded",
            Command::SettleRefund {
                refund_id: "r2".into(),
                outcome: RefundOutcome::Succeeded,
            },
            t("2026-03-24T12:06:00Z"),
        );
    }
}

fn session_and_matching(n: &mut Narrator) {
    n.section("4. One shared Bybit account: unique amounts, a checkout session");
    let now = t("2026-03-24T12:00:00Z");
    let mut matcher = Matcher::new();
    let mut invoices = Vec::new();
    for id in ["bybit-1", "bybit-2", "bybit-3"] {
        let spec = InvoiceSpec::new(
            id,
            Pricing::Due(amt("10.5")),
            Asset::UsdtBybit,
            Expiry::In(Duration::seconds(900)),
        );
        if let Ok((inv, _)) = Invoice::create(spec, now) {
            match matcher.allocate("bybit-main", id, inv.due(), amt("0.01"), Amount::ZERO) {
                Ok(p) => n.say(format!("{id}: due {} -> pay exactly {p}", inv.due())),
                Err(e) => n.say(format!("{id}: {e}")),
            }
            invoices.push(inv);
        }
    }
    for amount in ["10.51", "10.5", "10.53"] {
        n.say(format!(
            "incoming {amount}: {:?}",
            matcher.match_amount("bybit-main", amt(amount))
        ));
    }
    if let Some(inv) = invoices.first() {
        match Session::open("cs_1", inv, Duration::seconds(600), now) {
            Ok(mut s) => {
                n.say(format!("session cs_1 opened, expires {}", s.expires_at()));
                let token = paystate::session::session_token(b"demo-server-secret", s.id())
                    .unwrap_or_default();
                n.say(format!("link token (HMAC of the session id): {token}"));
                let first = s.use_at(inv, t("2026-03-24T12:01:00Z"));
                n.say(format!(
                    "use at 12:01: {}",
                    first.map_or_else(|e| e.code().to_owned(), |_| "ok".into())
                ));
                let second = s.use_at(inv, t("2026-03-24T12:02:00Z"));
                n.say(format!(
                    "use again: {}",
                    second.map_or_else(|e| e.code().to_owned(), |_| "ok".into())
                ));
            }
            Err(e) => n.say(format!("session refused: {e}")),
        }
    }
}

fn gateway_dialects(n: &mut Narrator) {
    n.section("5. A gateway speaking seed 001 (usdt_gateway); a shop verifying its webhook");
    let now = t("2024-01-15T14:30:00Z");
    let request = br#"{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345", "expirySeconds": 1800, "metadata": {"orderId": "12345"}}"#;
    n.say(format!(
        "POST /api/v1/invoices {}",
        String::from_utf8_lossy(request)
    ));
    let ctx = usdt_gateway::InvoiceContext {
        id: "550e8400-e29b-41d4-a716-446655440000".into(),
        now,
        generated_reference: None,
    };
    let parsed = match usdt_gateway::parse_invoice(request, &ctx) {
        Ok(p) => p,
        Err(r) => {
            n.say(format!("rejected: {} {}", r.code(), r.field));
            return;
        }
    };
    let response = usdt_gateway::render_invoice(
        &parsed,
        &usdt_gateway::InvoiceRender {
            payout_address: "TXyz123...abc456".into(),
            payment_url: "https://pay.example.com/ORDER-12345".into(),
            is_test: true,
        },
    );
    n.say(format!("201 {response}"));
    let too_precise = br#"{"amountUsdt": 1.00001, "assetCode": "USDT_TRC20"}"#;
    if let Err(r) = usdt_gateway::parse_invoice(too_precise, &ctx) {
        n.say(format!(
            "amountUsdt 1.00001 -> {} {} {}",
            r.http_status.unwrap_or_default(),
            r.code(),
            r.body.map(|b| b.to_string()).unwrap_or_default()
        ));
    }
    let Ok((mut gateway_side, _)) = Invoice::create(parsed.invoice.spec.clone(), now) else {
        return;
    };
    n.apply(
        &mut gateway_side,
        "chain watcher: 150 USDT confirmed",
        transfer("abc123def789", "150", Asset::UsdtTrc20, true, None),
        t("2024-01-15T14:32:00Z"),
    );

    let body = usdt_gateway::render_webhook(
        &gateway_side,
        &usdt_gateway::WebhookRender {
            merchant_id: "550e8400-e29b-41d4-a716".into(),
            payout_address: "TXyz123...abc456".into(),
            tx_hash: "abc123def789".into(),
            paid_at: t("2024-01-15T14:32:00Z"),
        },
    )
    .to_string();
    let secret = "whsec_demo_only_not_a_real_secret";
    let Ok(signed) = Signer::new(Scheme::UsdtGateway, &[secret])
        .and_then(|s| s.sign(body.as_bytes(), &SignInput::default()))
    else {
        return;
    };
    n.say(format!("webhook body {body}"));
    for (k, v) in &signed.headers {
        n.say(format!("header {k}: {v}"));
    }
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let verifier = Verifier::new(Scheme::UsdtGateway, &["an-old-rotated-secret", secret]);
    let verdict = verifier
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|v| v.verify(&headers, body.as_bytes(), t("2024-01-15T14:32:01Z")));
    match verdict {
        Ok(v) => n.say(format!(
            "shop: signature valid with key #{} (rotation: the old key is #0)",
            v.key_index
        )),
        Err(e) => n.say(format!("shop: {}", e.code())),
    }
    let tampered = body.replace("150.0000", "1500.0000");
    if let Ok(v) = &verifier {
        let verdict = v.verify(&headers, tampered.as_bytes(), t("2024-01-15T14:32:01Z"));
        n.say(format!(
            "shop: a tampered copy -> {}",
            verdict.map_or_else(|e| e.code().to_owned(), |_| "valid?!".into())
        ));
    }
    // The shop keeps its own copy of the invoice and applies what the webhook means.
    let Ok((mut shop_side, _)) = Invoice::create(parsed.invoice.spec.clone(), now) else {
        return;
    };
    match usdt_gateway::parse_webhook(body.as_bytes(), &shop_side) {
        Ok(cb) => {
            n.say(format!(
                "shop: provider status {:?} -> core command",
                cb.provider_status
            ));
            if let Some(command) = cb.command {
                n.apply(
                    &mut shop_side,
                    "shop applies it",
                    command,
                    t("2024-01-15T14:32:01Z"),
                );
            }
        }
        Err(e) => n.say(format!("shop: {}", e.code())),
    }

    n.section("6. The gateway delivers that webhook: seed 001 retry schedule");
    let mut plan = DeliveryPlan::new(
        "550e8400:webhook:1",
        Policy::UsdtGateway,
        t("2024-01-15T14:32:00Z"),
    );
    if let Next::RetryAt(first) = plan.next() {
        n.say(format!("plan made: first attempt due {first}"));
    }
    let reports = [
        (Outcome::Http(500), "2024-01-15T14:32:00Z", 120u64),
        (Outcome::Timeout, "2024-01-15T14:33:00Z", 30_000),
        (Outcome::Http(200), "2024-01-15T14:35:00Z", 31_000),
        (Outcome::Http(200), "2024-01-15T14:39:00Z", 250),
    ];
    for (outcome, at, ms) in reports {
        let duration = Duration::from_millis(ms, "duration").ok();
        match plan.report(outcome, t(at), duration) {
            Ok(Next::RetryAt(next)) => {
                n.say(format!("{at} {outcome:?} in {ms} ms -> retry at {next}"))
            }
            Ok(next) => n.say(format!("{at} {outcome:?} in {ms} ms -> {next:?}")),
            Err(e) => n.say(format!("{at}: {}", e.code())),
        }
    }

    n.section("7. Seed 000 (gatenoc): a checkout session below the minimum, then a good one");
    let ctx = gatenoc::CheckoutContext {
        id: "order_123".into(),
        now: t("2026-03-24T11:30:00Z"),
        ttl: Duration::seconds(1800),
    };
    for body in [
        &br#"{"amount": 0.99}"#[..],
        &br#"{"amount": 10.50, "username": "order_123"}"#[..],
    ] {
        match gatenoc::parse_checkout_session(body, &ctx) {
            Ok(req) => {
                let token = paystate::session::session_token(b"demo-server-secret", "order_123")
                    .unwrap_or_default();
                let rendered = gatenoc::render_checkout_session(
                    &req,
                    &gatenoc::CheckoutRender {
                        base_url: "https://gatenoc.com".into(),
                        merchant_id: 0,
                        session_token: token,
                    },
                );
                n.say(format!(
                    "{} -> 200 {rendered}",
                    String::from_utf8_lossy(body)
                ));
            }
            Err(r) => n.say(format!(
                "{} -> {} {}",
                String::from_utf8_lossy(body),
                r.http_status.unwrap_or_default(),
                r.body.map(|b| b.to_string()).unwrap_or_default()
            )),
        }
    }
}

fn gatepay_flow(n: &mut Narrator) {
    n.section("8. Seed 002 (gatepay): surcharge and tolerance, a signed notification, a stale one");
    let now = t("2023-02-28T07:41:05Z");
    let body = br#"{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123, "goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"}, "chain": "MATIC", "fullCurrType": "USDT_MATIC", "currency": "USDT", "orderAmount": "5", "surchargeAmount": "0.5", "toleranceAmount": "1"}"#;
    let ctx = gatepay::OrderContext {
        id: "inv_gp".into(),
        now,
        rate: Amount::from_units(1),
    };
    let req = match gatepay::parse_order(body, &ctx) {
        Ok(r) => r,
        Err(r) => {
            n.say(format!("rejected: {} {}", r.code(), r.field));
            return;
        }
    };
    n.say(format!(
        "order 5 USDT + surcharge 0.5, tolerance 1 -> due {}, threshold {}",
        req.invoice.due,
        req.invoice.spec.tolerance.threshold(req.invoice.due)
    ));
    let Ok((mut inv, _)) = Invoice::create(req.invoice.spec.clone(), now) else {
        return;
    };
    n.apply(
        &mut inv,
        "observe 4.5 USDT on Polygon",
        transfer("0xpoly", "4.5", Asset::UsdtPolygon, true, None),
        t("2023-02-28T07:45:00Z"),
    );
    let note = gatepay::render_notification(
        &inv,
        gatepay::BizStatus::PaySuccess,
        &gatepay::NotifyRender {
            prepay_id: "50620368071692288".into(),
            client_id: "mZ96D37oKPpHpyHv".into(),
            transaction_id: "0xpoly".into(),
            create_time: t("2023-02-28T07:45:01Z"),
        },
    )
    .to_string();
    let input = SignInput {
        id: None,
        nonce: Some("4f6a2b"),
        timestamp: Some(t("2023-02-28T07:45:01Z")),
    };
    let Ok(signed) = Signer::new(Scheme::Gatepay, &["gatepay-demo-key"])
        .and_then(|s| s.sign(note.as_bytes(), &input))
    else {
        return;
    };
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Ok(v) = Verifier::new(Scheme::Gatepay, &["gatepay-demo-key"]) {
        for (when, label) in [
            ("2023-02-28T07:45:02Z", "1 s later"),
            ("2023-02-28T07:50:01Z", "exactly 5 min later"),
            ("2023-02-28T07:51:02Z", "6 min later"),
        ] {
            let verdict = v.verify(&headers, note.as_bytes(), t(when));
            n.say(format!(
                "notification verified {label}: {}",
                verdict.map_or_else(|e| e.code().to_owned(), |_| "valid".into())
            ));
        }
    }
}

fn monetix_flow(n: &mut Narrator) {
    n.section("9. Seed 003 (monetix): 12300 minor units of RUB, the sale callback");
    let request = include_str!("../../core/tests/dialect_golden/monetix_purchase_request.json");
    let ctx = monetix::PurchaseContext {
        id: "inv_mx".into(),
        now: t("2022-03-25T11:08:05Z"),
        rate: amt("0.01"),
    };
    let req = match monetix::parse_purchase(request.as_bytes(), &ctx) {
        Ok(r) => r,
        Err(r) => {
            n.say(format!("rejected: {} {}", r.code(), r.field));
            return;
        }
    };
    n.say(format!(
        "payment.amount 12300 RUB (minor units) at 0.01 USDT/RUB -> due {} USDT",
        req.invoice.due
    ));
    let Ok((mut inv, _)) = Invoice::create(req.invoice.spec.clone(), req.invoice.created_at) else {
        return;
    };
    let callback =
        include_str!("../../core/tests/dialect_golden/monetix_sale_success_callback.json");
    match monetix::parse_sale_callback(callback.as_bytes(), &inv) {
        Ok(cb) => {
            n.say(format!("callback status {:?}", cb.provider_status));
            if let Some(command) = cb.command {
                n.apply(&mut inv, "apply it", command, t("2022-03-25T11:08:46Z"));
            }
        }
        Err(e) => n.say(format!("callback: {}", e.code())),
    }
    let tampered = callback.replace("\"amount\": 12300", "\"amount\": 1230");
    let verdict = monetix::parse_sale_callback(tampered.as_bytes(), &inv);
    n.say(format!(
        "a callback whose amount disagrees -> {}",
        verdict.map_or_else(|e| e.code().to_owned(), |_| "accepted?!".into())
    ));
}

fn keypair_flow(n: &mut Narrator) {
    n.section("10. Seed 004 (keypair_invoice): margin_ratio 1 on 5 USDT, callback carrying the private key");
    let now = t("2026-03-24T12:00:00Z");
    let body = br#"{"public_key": "yourpublickey", "private_key": "yourprivatekey", "price_amount": 5, "price_currency": "USD", "order_id": 11, "margin_ratio": 1, "expiration_date": 1}"#;
    let ctx = keypair_invoice::InvoiceContext {
        id: "kp-11".into(),
        now,
        rate: Amount::from_units(1),
        fee: Amount::ZERO,
        asset: Some(Asset::UsdtTrc20),
    };
    let req = match keypair_invoice::parse_invoice(body, &ctx) {
        Ok(r) => r,
        Err(r) => {
            n.say(format!("rejected: {} {}", r.code(), r.field));
            return;
        }
    };
    n.say(format!(
        "invoice 5 USD, margin 1 -> due {}, deadline {}",
        req.invoice.due, req.invoice.deadline
    ));
    let Ok((mut inv, _)) = Invoice::create(req.invoice.spec.clone(), now) else {
        return;
    };
    let callback = keypair_invoice::render_callback(
        &req,
        &keypair_invoice::CallbackRender {
            private_key: "yourprivatekey".into(),
            id: "kp-tx-1".into(),
            amount: amt("4"),
            amount_currency: keypair_invoice::coin_code(Asset::UsdtTrc20).into(),
            ref_url: "https://shop.example/cart".into(),
            ip: "198.51.100.7".into(),
            created_at: now,
        },
    )
    .to_string();
    let no_headers: [(&str, &str); 0] = [];
    for key in ["yourprivatekey", "someone-elses-key"] {
        let verdict = Verifier::new(Scheme::KeypairInvoice, &[key])
            .and_then(|v| v.verify(&no_headers, callback.as_bytes(), now));
        n.say(format!(
            "callback checked against private key {}: {}",
            if key == "yourprivatekey" {
                "(ours)"
            } else {
                "(wrong)"
            },
            verdict.map_or_else(|e| e.code().to_owned(), |_| "valid".into())
        ));
    }
    match keypair_invoice::parse_callback(callback.as_bytes(), &inv) {
        Ok(cb) => {
            if let Some(command) = cb.command {
                n.apply(
                    &mut inv,
                    "4 USDT received: within the margin",
                    command,
                    t("2026-03-24T12:05:00Z"),
                );
            }
        }
        Err(e) => n.say(format!("callback: {}", e.code())),
    }
}
