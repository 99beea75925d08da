//! Every seed's payer link, followed over HTTP the way a browser does (no API key), lands
//! on the hosted checkout page with that invoice's amount, asset, network and address (a
//! Bybit UID and reference for the `USDT_BYBIT` seeds 000 and 003); used and expired
//! single-use links (seed 000's checkout link, seed 003's one-hour QR code) answer a
//! message page in the checkout page's style; a `HEAD` does not use a link up; and seed
//! 001's own API shows only seed-001 invoices.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::{HeaderMap, Method};
use paystate::Amount;
use serde_json::{json, Value};

use common::{Api, KEY, SECRET};

/// The sandbox's Polygon address: the EIP-55 spelling of the ASCII text
/// `paystate sandbox pol`, written out here independently of the sandbox's constant.
const POLYGON: &str = "0x70617973746174652073616E64626f7820706f6c";
const ERC20: &str = "0x70617973746174652073616E64626f7820657263";
const TRC20: &str = "TLDRTBhbUmgyTMFSp4JK7hizhPjsE75Drx";

/// One request as a browser sends it: no API key, no redirect followed.
async fn fetch(base: &str, method: Method, path: &str) -> (u16, HeaderMap, String) {
    common::fetch(base, method, path, &[]).await
}

/// The path of an absolute link on this sandbox.
fn path_of<'a>(url: &'a str, base: &str) -> &'a str {
    url.strip_prefix(base)
        .unwrap_or_else(|| panic!("{url} is not on {base}"))
}

/// A page reached through a link, after at most one 303 (seed 000's checkout link).
struct Landed {
    path: String,
    html: String,
    redirected: bool,
}

async fn follow(base: &str, url: &str) -> Landed {
    let first = path_of(url, base).to_owned();
    let (s, h, html) = fetch(base, Method::GET, &first).await;
    if s == 303 {
        let location = h["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/pay/"), "{location}");
        let (s, _, html) = fetch(base, Method::GET, &location).await;
        assert_eq!(s, 200, "{html}");
        return Landed {
            path: location,
            html,
            redirected: true,
        };
    }
    assert_eq!(s, 200, "{html}");
    Landed {
        path: first,
        html,
        redirected: false,
    }
}

/// The text inside the element with this id (no nested markup in the ones read here).
fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("id=\"{id}\""))?;
    let open = at + html[at..].find('>')? + 1;
    let close = open + html[open..].find('<')?;
    Some(html[open..close].to_owned())
}

/// What a page for an on-chain invoice must show, checked in the HTML and the status JSON.
async fn assert_chain_page(
    base: &str,
    landed: &Landed,
    amount: &str,
    asset: &str,
    network: &str,
    address: &str,
    uri_parts: &[&str],
) {
    let html = &landed.html;
    assert_eq!(text_of(html, "amount").as_deref(), Some(amount), "{html}");
    assert_eq!(text_of(html, "asset").as_deref(), Some(asset));
    assert_eq!(text_of(html, "network").as_deref(), Some(network));
    assert_eq!(text_of(html, "address").as_deref(), Some(address));
    assert!(!html.contains("id=\"bybit-uid\""), "{html}");
    let s = common::page_status(base, &landed.path).await;
    assert_eq!(s["amountDue"], amount);
    assert_eq!(s["assetCode"], asset);
    assert_eq!(s["networkLabel"], network);
    assert_eq!(s["address"], address);
    assert_eq!(s["state"], "pending");
    assert_eq!(s["bybitUid"], Value::Null);
    let uri = s["paymentUri"].as_str().unwrap();
    for part in uri_parts {
        assert!(uri.contains(part), "{uri} lacks {part}");
    }
    // The wallet link on the page is that URI (HTML-escaped), and its QR code is drawn.
    assert!(
        html.contains(&uri.replace('&', "&amp;")),
        "the page links {uri}"
    );
    let (q, h, svg) = fetch(base, Method::GET, &format!("{}/qr.svg", landed.path)).await;
    assert_eq!(q, 200, "{svg}");
    assert_eq!(h["content-type"], "image/svg+xml");
    assert!(svg.contains("<svg"), "{svg}");
}

/// What a page for a Bybit internal transfer must show: the amount, the UID and the
/// reference, and no chain address, no payment URI and no QR code.
async fn assert_bybit_page(base: &str, landed: &Landed, amount: &str, reference: &str) {
    let html = &landed.html;
    assert_eq!(text_of(html, "amount").as_deref(), Some(amount), "{html}");
    assert_eq!(text_of(html, "asset").as_deref(), Some("USDT_BYBIT"));
    assert_eq!(text_of(html, "network").as_deref(), Some("Bybit"));
    assert_eq!(text_of(html, "bybit-uid").as_deref(), Some("0"));
    assert_eq!(text_of(html, "pay-reference").as_deref(), Some(reference));
    for absent in [
        "id=\"address\"",
        "id=\"qr\"",
        "id=\"wallet-link\"",
        "ethereum:",
    ] {
        assert!(!html.contains(absent), "{absent} in {html}");
    }
    let s = common::page_status(base, &landed.path).await;
    assert_eq!(s["amountDue"], amount);
    assert_eq!(s["assetCode"], "USDT_BYBIT");
    assert_eq!(s["address"], Value::Null);
    assert_eq!(s["paymentUri"], Value::Null);
    assert_eq!(s["bybitUid"], "0");
    assert_eq!(s["payReference"], reference);
    let (q, _, body) = fetch(base, Method::GET, &format!("{}/qr.svg", landed.path)).await;
    assert_eq!(q, 404, "no QR code of a chain URI: {body}");
}

/// A message page in the checkout page's style: its stylesheet, its badge, the title, and
/// no trace of an error.
fn assert_message_page(html: &str, title: &str) {
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(
        html.contains("<link rel=\"stylesheet\" href=\"/checkout/checkout.css\">"),
        "{html}"
    );
    assert!(html.contains("class=\"checkout message\""), "{html}");
    assert_eq!(text_of(html, "title").as_deref(), Some(title), "{html}");
    for trace in ["panicked", "Error", "error", "RUST_BACKTRACE", "internal"] {
        assert!(!html.contains(trace), "{trace} in {html}");
    }
}

async fn gatenoc_session(api: &Api, body: &str) -> Value {
    let (s, v) = common::gatenoc_session(api, Some(KEY), body).await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn gatepay_order(api: &Api, trade_no: &str) -> Value {
    let body = json!({
        "merchantTradeNo": trade_no,
        "env": {"terminalType": "APP"},
        "merchantUserId": 123,
        "goods": {"goodsType": "02", "goodsName": "Order 177", "goodsDetail": "Order No : 160"},
        "chain": "MATIC",
        "fullCurrType": "USDT_MATIC",
        "currency": "USDT",
        "orderAmount": "1"
    });
    let (s, v) = common::gatepay_order(api, &body, trade_no).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "SUCCESS", "{v}");
    v
}

/// A seed-004 invoice from a form; returns its URL (the answer's `message`).
async fn keypair_invoice_url(api: &Api, form: &str) -> String {
    let (s, v) = common::keypair_form(api, form).await;
    assert_eq!(s, 200, "{v}");
    v["message"].as_str().unwrap().to_owned()
}

/// A Monetix sale of 123.00 RUB; returns the invoice id.
async fn monetix_sale(api: &Api, payment_id: &str) -> String {
    let body = json!({
        "general": {"project_id": 1001, "payment_id": payment_id, "signature": ""},
        "customer": {"id": "customer_123", "ip_address": "198.51.100.47",
                     "first_name": "John", "last_name": "Doe", "email": "johndoe@example.com"},
        "payment": {"amount": 12300, "currency": "RUB"}
    });
    let (s, v) = common::monetix_post(api, "sale", common::monetix_signed(&body)).await;
    assert_eq!(s, 200, "{v}");
    v["sandbox_invoice_id"].as_str().unwrap().to_owned()
}

/// The `qr_url` of the QR-code callback Monetix sends after a sale (as recorded in the
/// sandbox's deliveries: the exact body sent).
async fn monetix_qr_url(api: &Api, invoice_id: &str) -> String {
    api.advance(0).await;
    let deliveries = api.deliveries(invoice_id).await;
    let qr = deliveries
        .iter()
        .find(|d| d["eventType"] == "display_data")
        .unwrap_or_else(|| panic!("no QR-code callback in {deliveries:?}"));
    let body: Value = match &qr["body"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    let items = body["display_data"].as_array().unwrap();
    let url = items.iter().find(|i| i["type"] == "qr_url").unwrap();
    url["data"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_seeds_link_lands_on_a_page_with_its_amount_asset_and_address() {
    let (_rx, _sb, base, api) = common::forwarding(200).await;

    // Seed 001: paymentUrl, on Ethereum.
    let (s, v) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": 150, "assetCode": "USDT_ERC20", "reference": "ORDER-1"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let landed = follow(&base, v["paymentUrl"].as_str().unwrap()).await;
    assert!(!landed.redirected);
    assert_eq!(landed.path, "/pay/ORDER-1");
    assert_chain_page(
        &base,
        &landed,
        "150.0000",
        "USDT_ERC20",
        "Ethereum (ERC20)",
        ERC20,
        &["@1/transfer?", "uint256=150000000", ERC20],
    )
    .await;

    // Seed 000: the single-use checkout link, 303 to the page; a Bybit internal transfer.
    let v = gatenoc_session(&api, r#"{"amount":10.50,"note":"order_123"}"#).await;
    let landed = follow(&base, v["checkout_url"].as_str().unwrap()).await;
    assert!(landed.redirected);
    assert_bybit_page(&base, &landed, "10.5000", "order_123").await;
    assert_eq!(
        text_of(&landed.html, "title").as_deref(),
        Some("Payment order_123")
    );

    // Seed 002: GatePay's location and qrContent, on Polygon, to the sandbox's Polygon
    // address, which the order answer names too.
    let v = gatepay_order(&api, "163000").await;
    let data = &v["data"];
    assert_eq!(data["qrContent"], data["location"]);
    assert_eq!(data["chain"]["address"], POLYGON, "{v}");
    let landed = follow(&base, data["location"].as_str().unwrap()).await;
    assert_chain_page(
        &base,
        &landed,
        "1.0000",
        "USDT_POLYGON",
        "Polygon",
        POLYGON,
        &["@137/transfer?", "uint256=1000000", POLYGON],
    )
    .await;

    // Seed 003: the qr_url of Monetix's QR-code callback; 123.00 RUB at 0.011 USDT is
    // 1.353 USDT, paid inside Bybit with the payment_id as reference.
    let id = monetix_sale(&api, "payment_47").await;
    let qr_url = monetix_qr_url(&api, &id).await;
    assert_eq!(qr_url, format!("{base}/pay/{id}"));
    let landed = follow(&base, &qr_url).await;
    assert_bybit_page(&base, &landed, "1.3530", "payment_47").await;

    // Seed 004: the invoice URL in `message`, on Tron; 725 USD plus the 0.50 fee.
    let form = format!(
        "public_key={KEY}&private_key={SECRET}&email=buyer%40example.com&price_amount=725\
         &price_currency=USD&order_id=11&add_fee_to_price=1\
         &callback_url=http%3A%2F%2Fshop.example.com%2Fcallback"
    );
    let landed = follow(&base, &keypair_invoice_url(&api, &form).await).await;
    assert_chain_page(
        &base,
        &landed,
        "725.5000",
        "USDT_TRC20",
        "Tron (TRC20)",
        TRC20,
        &[TRC20, "amount=725.5"],
    )
    .await;

    // Seed 004 with every other network banned: due on Polygon, at the Polygon address.
    let form = format!(
        "public_key={KEY}&private_key={SECRET}&email=buyer%40example.com&price_amount=20\
         &price_currency=USD&order_id=12\
         &banned_coins=%5B%22USDT-TRC20%22%2C%22USDT-ERC20%22%2C%22USDT-BEP20%22%5D\
         &callback_url=http%3A%2F%2Fshop.example.com%2Fcallback"
    );
    let landed = follow(&base, &keypair_invoice_url(&api, &form).await).await;
    assert_chain_page(
        &base,
        &landed,
        "20.0000",
        "USDT_POLYGON",
        "Polygon",
        POLYGON,
        &["@137/transfer?", "uint256=20000000", POLYGON],
    )
    .await;
}

#[tokio::test]
async fn a_seed_000_link_opens_once_head_does_not_use_it_and_expired_links_say_so() {
    let sb = common::sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let v = gatenoc_session(&api, r#"{"amount":25,"note":"order_head"}"#).await;
    let link = path_of(v["checkout_url"].as_str().unwrap(), &base).to_owned();

    // HEAD (a link preview, a mail scanner) answers what GET would, without using it.
    for _ in 0..2 {
        let (s, h, body) = fetch(&base, Method::HEAD, &link).await;
        assert_eq!(s, 303);
        assert!(body.is_empty());
        assert!(h["location"].to_str().unwrap().starts_with("/pay/"));
    }
    let landed = follow(&base, &format!("{base}{link}")).await;
    assert!(landed.redirected, "the link still opened after two HEADs");
    assert_bybit_page(&base, &landed, "25.0000", "order_head").await;

    // Used: GET and HEAD both answer 410 with the message page.
    let (s, h, html) = fetch(&base, Method::GET, &link).await;
    assert_eq!(s, 410);
    assert!(h.get("location").is_none());
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(h.contains_key("content-security-policy"));
    assert_message_page(&html, "This checkout link was already used");
    let (s, _, _) = fetch(&base, Method::HEAD, &link).await;
    assert_eq!(s, 410);
    // The page itself stays reachable for the payer who opened the link.
    let (s, _, _) = fetch(&base, Method::GET, &landed.path).await;
    assert_eq!(s, 200);

    // Expired: a link nobody opened within its 30 minutes. HEAD says so too.
    let v = gatenoc_session(&api, r#"{"amount":5,"note":"order_late"}"#).await;
    let late = path_of(v["checkout_url"].as_str().unwrap(), &base).to_owned();
    api.advance(1_801).await;
    let (s, _, _) = fetch(&base, Method::HEAD, &late).await;
    assert_eq!(s, 410);
    let (s, _, html) = fetch(&base, Method::GET, &late).await;
    assert_eq!(s, 410);
    assert_message_page(&html, "This checkout link has expired");

    // An unknown link: 404 in the same style.
    let (s, _, html) = fetch(
        &base,
        Method::GET,
        &format!("/checkout/1?cs={}", "a".repeat(64)),
    )
    .await;
    assert_eq!(s, 404);
    assert_message_page(&html, "Checkout link not found");
}

#[tokio::test]
async fn a_monetix_qr_page_is_used_once_and_expires_after_its_hour() {
    let (_rx, _sb, base, api) = common::forwarding(200).await;

    // Paid through the page's own button: the open page turns paid (status JSON), and the
    // QR link opened again is used up.
    let id = monetix_sale(&api, "payment_used").await;
    let url = monetix_qr_url(&api, &id).await;
    let landed = follow(&base, &url).await;
    let (s, _, body) = common::fetch(
        &base,
        Method::POST,
        &format!("{}/simulate/exact", landed.path),
        &[("x-paystate-checkout", "simulate")],
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let paid = common::page_status(&base, &landed.path).await;
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["amountPaid"], "1.3530");
    let (s, h, html) = fetch(&base, Method::GET, path_of(&url, &base)).await;
    assert_eq!(s, 410);
    assert!(h.contains_key("content-security-policy"));
    assert_message_page(&html, "This payment QR code was already used");

    // Not paid within the hour: the link says it expired (and Monetix's decline went out).
    let id = monetix_sale(&api, "payment_late").await;
    let url = monetix_qr_url(&api, &id).await;
    let (s, _, _) = fetch(&base, Method::GET, path_of(&url, &base)).await;
    assert_eq!(s, 200, "open within the hour");
    api.advance(3_600).await;
    let (s, _, html) = fetch(&base, Method::GET, path_of(&url, &base)).await;
    assert_eq!(s, 410);
    assert_message_page(&html, "This payment QR code has expired");
    let expired = common::page_status(&base, path_of(&url, &base)).await;
    assert_eq!(expired["state"], "expired");
    assert!(api
        .deliveries(&id)
        .await
        .iter()
        .any(|d| d["eventType"] == "invoice.expired"));
}

#[tokio::test]
async fn seed_001_api_shows_only_seed_001_invoices() {
    let sb = common::sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let (s, own) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": "12.5", "assetCode": "USDT_TRC20", "reference": "OWN-1"}),
        )
        .await;
    assert_eq!(s, 201, "{own}");
    let v = gatenoc_session(&api, r#"{"amount":10,"note":"other_seed"}"#).await;
    let other = follow(&base, v["checkout_url"].as_str().unwrap()).await;
    let other_id = other.path.strip_prefix("/pay/").unwrap().to_owned();
    let v = gatepay_order(&api, "1630001").await;
    assert_eq!(v["status"], "SUCCESS");

    // The list and the account's stats: the one seed-001 invoice.
    let (s, list) = api.get("/api/v1/invoices?limit=100").await;
    assert_eq!(s, 200, "{list}");
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(data[0]["id"], own["id"]);
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["meta"]["totalPages"], 1);
    let (s, account) = api.get("/api/v1/account").await;
    assert_eq!(s, 200, "{account}");
    assert_eq!(account["stats"]["totalInvoices"], 1, "{account}");
    assert_eq!(account["stats"]["byStatus"], json!({"pending": 1}));

    // Another seed's invoice is not found on seed 001's paths, in the seed's error shape,
    // and is left as it was.
    let before = api.invoice(&other_id).await;
    for path in [
        format!("/api/v1/invoices/{other_id}"),
        format!("/api/v1/invoices/reference/{other_id}"),
    ] {
        let (s, e) = api.get(&path).await;
        assert_eq!(s, 404, "{path}: {e}");
        assert_eq!(e["statusCode"], 404);
        assert_eq!(e["message"], "Invoice not found");
    }
    let (s, e) = api
        .post(&format!("/api/v1/invoices/{other_id}/cancel"), json!({}))
        .await;
    assert_eq!(s, 404, "{e}");
    for (path, body) in [
        (
            "/api/v1/sandbox/simulate-payment",
            json!({"invoiceId": other_id}),
        ),
        (
            "/api/v1/sandbox/trigger-expiry",
            json!({"invoiceId": other_id}),
        ),
        (
            "/api/v1/sandbox/test-webhook",
            json!({"invoiceId": other_id, "url": "http://127.0.0.1:9/webhook"}),
        ),
    ] {
        let (s, e) = api.post(path, body).await;
        assert_eq!(s, 404, "{path}: {e}");
        assert_eq!(e["statusCode"], 404);
    }
    let after = api.invoice(&other_id).await;
    assert_eq!(after.to_json(), before.to_json());
    assert_eq!(after.amount_paid(), Amount::ZERO);

    // Seed 001's own invoice still answers there; every seed's is counted by the sandbox.
    let (s, got) = api.get("/api/v1/invoices/reference/OWN-1").await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["id"], own["id"]);
    let (s, counts) = api.get("/sandbox/invoices").await;
    assert_eq!(s, 200, "{counts}");
    assert_eq!(
        counts,
        json!({"total": 3, "bySeed": {"000": 1, "001": 1, "002": 1}})
    );
}

#[tokio::test]
async fn a_seed_000_page_takes_the_payers_txid_and_the_payment_carries_it() {
    let (rx, _sb, base, api) = common::forwarding(200).await;
    let v = gatenoc_session(&api, r#"{"amount":7,"note":"order_txid"}"#).await;
    let landed = follow(&base, v["checkout_url"].as_str().unwrap()).await;
    assert!(landed.html.contains("id=\"txid-form\""), "{}", landed.html);
    let url = format!("{}/txid", landed.path);
    let page = [("x-paystate-checkout", "simulate")];
    let json_page = [
        ("x-paystate-checkout", "simulate"),
        ("content-type", "application/json"),
    ];
    let txid = "SBX-TX-20261206-0001";
    let body = |id: &str| json!({ "txId": id }).to_string().into_bytes();

    // Only the page's script (which adds the header) submits; a bad TXID is refused with
    // the core's message, and nothing is claimed.
    let (s, _, _) = api.send(Method::POST, &url, &[], body(txid)).await;
    assert_eq!(s, 403);
    for bad in ["", "line\nbreak"] {
        let (s, v) = api
            .send_json(Method::POST, &url, &json_page, body(bad))
            .await;
        assert_eq!(s, 400, "{bad:?} -> {v}");
        assert!(v["message"].as_str().unwrap().contains("txId"), "{v}");
    }
    assert_eq!(
        common::page_status(&base, &landed.path).await["txidsClaimed"],
        json!([])
    );

    let (s, status) = api
        .send_json(Method::POST, &url, &json_page, body(txid))
        .await;
    assert_eq!(s, 200, "{status}");
    assert_eq!(status["txidsClaimed"], json!([txid]));
    assert_eq!(status["state"], "pending");
    let note = format!("TXID {txid} submitted: waiting for that transfer.");
    assert_eq!(status["txidNote"], note.as_str());
    let (_, _, html) = fetch(&base, Method::GET, &landed.path).await;
    assert_eq!(text_of(&html, "txid-note").as_deref(), Some(note.as_str()));

    // The sandbox's "pay exact" sends that transfer: the shop's payment.completed names it.
    let (s, _, _) = api
        .send(
            Method::POST,
            &format!("{}/simulate/exact", landed.path),
            &page,
            Vec::new(),
        )
        .await;
    assert_eq!(s, 200);
    let status = common::page_status(&base, &landed.path).await;
    assert_eq!(status["state"], "paid");
    assert_eq!(status["txidsClaimed"], json!([]));
    assert_eq!(status["txidNote"], "");
    api.advance(0).await;
    let completed: Vec<Value> = rx
        .received()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["event"] == "payment.completed")
        .collect();
    assert_eq!(completed.len(), 1, "{completed:?}");
    assert_eq!(completed[0]["bybit_pay_id"], txid);

    // A paid invoice takes no more claims; another seed's page has no TXID form.
    let (s, _) = api
        .send_json(Method::POST, &url, &json_page, body("SBX-TX-20261206-0002"))
        .await;
    assert!((400..500).contains(&s), "{s}");
    let (s, v) = api
        .post(
            "/api/v1/invoices",
            json!({"amountUsdt": 3, "assetCode": "USDT_TRC20", "reference": "NO-TXID"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let (_, _, html) = fetch(&base, Method::GET, "/pay/NO-TXID").await;
    assert!(!html.contains("txid-form"));
    let (s, _) = api
        .send_json(Method::POST, "/pay/NO-TXID/txid", &json_page, body(txid))
        .await;
    assert_eq!(s, 404);
}
