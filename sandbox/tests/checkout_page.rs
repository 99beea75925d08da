//! The hosted checkout page over HTTP: the page, its status JSON, the sandbox's simulate
//! buttons, the plain pages for an unknown reference and a cancelled invoice, and the
//! escaping of what the merchant wrote (title, description).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::{HeaderMap, Method};
use paystate::{Amount, Asset};
use serde_json::{json, Value};

use common::{fetch, sandbox, Api};

/// The status JSON of the page of `reference`.
async fn status_json(base: &str, reference: &str) -> Value {
    common::page_status(base, &format!("/pay/{reference}")).await
}

async fn simulate(base: &str, reference: &str, action: &str) -> (u16, Value) {
    let (s, _, body) = fetch(
        base,
        Method::POST,
        &format!("/pay/{reference}/simulate/{action}"),
        &[("x-paystate-checkout", "simulate")],
    )
    .await;
    (s, serde_json::from_str(&body).unwrap())
}

async fn create(api: &Api, body: Value) -> Value {
    let (s, v) = api.post("/api/v1/invoices", body).await;
    assert_eq!(s, 201, "{v}");
    v
}

/// `/pay/{reference}/qr.svg` is an SVG QR code of exactly `uri`.
async fn assert_qr(base: &str, reference: &str, uri: &str) {
    let (s, h, svg) = fetch(base, Method::GET, &format!("/pay/{reference}/qr.svg"), &[]).await;
    assert_eq!(s, 200, "{svg}");
    assert_eq!(header(&h, "content-type"), "image/svg+xml");
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let want = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .unwrap()
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build();
    assert_eq!(svg, want, "the QR code of {uri}");
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn page_shows_what_to_pay_and_escapes_merchant_text() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let title = r#"<script>alert("title")</script>"#;
    let description = r#""><img src=x onerror=alert(1)> & 'more'"#;
    let inv = create(
        &api,
        json!({"amountUsdt": 150, "assetCode": "USDT_TRC20", "reference": "PAGE-1",
               "useWhiteLabel": true, "title": title, "description": description}),
    )
    .await;
    assert_eq!(inv["paymentUrl"], format!("{base}/pay/PAGE-1").as_str());

    let (s, h, page) = fetch(&base, Method::GET, "/pay/PAGE-1", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    let csp = header(&h, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // The merchant's text is shown, escaped, and never becomes markup.
    assert!(page.contains("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;more&#39;"));
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
    assert_eq!(page.matches("<img").count(), 1, "only the QR code");
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("{{"), "every template slot filled");

    // Amount, network, address, as the API has them.
    assert!(page.contains(
        r#"<output id="amount" class="amount" aria-labelledby="amount-label">150.0000</output>"#
    ));
    assert_eq!(inv["amountUsdtExact"], "150.0000");
    let address = inv["payoutAddress"].as_str().unwrap();
    assert!(page.contains(&format!(
        r#"<code id="address" class="address" aria-labelledby="address-label">{address}</code>"#
    )));
    assert!(page.contains("Tron (TRC20)"));
    assert!(page.contains(r#"aria-live="polite""#));

    // The wallet link is the core's payment URI; the QR code is an SVG of exactly it.
    let uri = paystate::payment_uri::payment_uri(
        Asset::UsdtTrc20,
        address,
        Amount::parse("150", "amount").unwrap(),
    )
    .unwrap();
    assert!(uri.contains(address) && uri.contains("amount=150"), "{uri}");
    assert!(page.contains(&format!(r#"href="{}""#, uri.replace('&', "&amp;"))));
    assert!(page.contains(r#"<img id="qr" class="qr" src="/pay/PAGE-1/qr.svg?v=150.0000""#));
    assert_qr(&base, "PAGE-1", &uri).await;

    // On the test clock, 30 minutes left, and buttons that move it.
    assert!(page.contains(r#">30:00</time>"#));
    assert_eq!(page.matches(r#"class="clock">"#).count(), 2);

    // Its assets.
    let (s, h, js) = fetch(&base, Method::GET, "/checkout/checkout.js", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(header(&h, "content-type"), "text/javascript; charset=utf-8");
    assert!(js.contains("X-Paystate-Checkout"));
    let (s, h, _) = fetch(&base, Method::GET, "/checkout/checkout.css", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(header(&h, "content-type"), "text/css; charset=utf-8");
    sb.stop();
}

#[tokio::test]
async fn evm_page_carries_an_eip681_uri_to_a_valid_sandbox_address() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let inv = create(
        &api,
        json!({"amountUsdt": 12.5, "assetCode": "USDT_BSC", "reference": "PAGE-BSC"}),
    )
    .await;
    let address = inv["payoutAddress"].as_str().unwrap();
    paystate::address::Address::parse(Asset::UsdtBsc, address, "address").unwrap();
    let (s, _, page) = fetch(&base, Method::GET, "/pay/PAGE-BSC", &[]).await;
    assert_eq!(s, 200);
    // 12.5 USDT on BSC (18 decimals), exactly.
    let want = format!(
        "ethereum:0x55d398326f99059fF775485246999027B3197955@56/transfer?address={address}&amp;uint256=12500000000000000000"
    );
    assert!(page.contains(&want), "{want}");
    assert!(page.contains("BNB Smart Chain (BEP20)"));
    // No title given: the reference names the page.
    assert!(page.contains(r#"<h1 id="title">Payment PAGE-BSC</h1>"#));
    sb.stop();
}

#[tokio::test]
async fn status_follows_payments_and_the_test_clock() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let inv = create(
        &api,
        json!({"amountUsdt": 150, "assetCode": "USDT_TRC20", "reference": "STATUS-1"}),
    )
    .await;
    let (_, clock) = api.get("/sandbox/clock").await;

    let s = status_json(&base, "STATUS-1").await;
    assert_eq!(s["state"], "pending");
    assert_eq!(s["status"], "pending");
    assert_eq!(s["open"], true);
    assert_eq!(s["amountDue"], "150.0000");
    assert_eq!(s["amountMissing"], "150.0000");
    assert_eq!(s["amountReceived"], "0.0000");
    assert_eq!(s["address"], inv["payoutAddress"]);
    assert_eq!(s["expiresAt"], inv["expiresAt"]);
    assert_eq!(
        s["nowMs"], clock["nowMs"],
        "the sandbox clock, not the wall clock"
    );
    assert_eq!(s["secondsLeft"], 1800);
    assert_eq!(s["realtime"], false);
    assert_eq!(
        s["deadlineMs"].as_i64().unwrap() - s["nowMs"].as_i64().unwrap(),
        1_800_000
    );

    // Short by 10 %: underpaid, 15 missing.
    let (code, s) = simulate(&base, "STATUS-1", "short").await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["state"], "underpaid");
    assert_eq!(s["label"], "Underpaid: part of the amount arrived");
    assert_eq!(s["exceptions"], json!(["underpaid"]));
    assert_eq!(s["amountPaid"], "135.0000");
    assert_eq!(s["amountMissing"], "15.0000");
    assert_eq!(status_json(&base, "STATUS-1").await, s);
    // The QR code and the wallet link now ask for what is missing.
    assert_eq!(s["amountToSend"], "15.0000");
    let uri = s["paymentUri"].as_str().unwrap();
    assert!(uri.ends_with("&amount=15"), "{uri}");
    assert_qr(&base, "STATUS-1", uri).await;
    let (_, _, page) = fetch(&base, Method::GET, "/pay/STATUS-1", &[]).await;
    assert!(page.contains(r#"src="/pay/STATUS-1/qr.svg?v=15.0000""#));

    // The test clock moves the countdown; only it does.
    api.advance(600).await;
    let s = status_json(&base, "STATUS-1").await;
    assert_eq!(s["secondsLeft"], 1200);
    let (code, s) = simulate(&base, "STATUS-1", "advance").await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["secondsLeft"], 900);

    // The rest: paid, and the API agrees.
    let (code, s) = simulate(&base, "STATUS-1", "rest").await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["state"], "paid");
    assert_eq!(s["seedStatus"], "confirmed");
    assert_eq!(s["amountMissing"], "0.0000");
    assert_eq!(s["open"], false);
    let (_, v) = api
        .get(&format!("/api/v1/invoices/{}", inv["id"].as_str().unwrap()))
        .await;
    assert_eq!(v["status"], "confirmed");

    // Nothing is left to pay.
    let (code, e) = simulate(&base, "STATUS-1", "rest").await;
    assert_eq!(code, 409, "{e}");
    assert_eq!(e["statusCode"], 409);
    sb.stop();
}

#[tokio::test]
async fn processing_until_the_test_clock_confirms() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let inv = create(
        &api,
        json!({"amountUsdt": 42.1234, "assetCode": "USDT_TRC20", "reference": "PROC-1"}),
    )
    .await;
    let id = inv["id"].as_str().unwrap();
    api.control(
        id,
        "pay",
        json!({"confirmed": false, "confirmAfterSeconds": 600}),
    )
    .await;
    let s = status_json(&base, "PROC-1").await;
    assert_eq!(s["state"], "processing");
    assert_eq!(s["amountPending"], "42.1234");
    assert_eq!(s["amountPaid"], "0.0000");
    assert_eq!(s["amountMissing"], "0.0000");
    let (_, _, page) = fetch(&base, Method::GET, "/pay/PROC-1", &[]).await;
    assert!(page.contains(r#"data-state="processing""#));
    assert!(page.contains("Payment seen, waiting for confirmation"));
    api.advance(600).await;
    let s = status_json(&base, "PROC-1").await;
    assert_eq!(s["state"], "paid");
    assert_eq!(s["amountPaid"], "42.1234");
    sb.stop();
}

#[tokio::test]
async fn expire_goes_just_past_the_deadline() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    create(
        &api,
        json!({"amountUsdt": 20, "assetCode": "USDT_ERC20", "reference": "EXP-1"}),
    )
    .await;
    let (code, s) = simulate(&base, "EXP-1", "exact").await;
    assert_eq!(code, 200);
    assert_eq!(s["state"], "paid");

    create(
        &api,
        json!({"amountUsdt": 20, "assetCode": "USDT_ERC20", "reference": "EXP-2"}),
    )
    .await;
    let (code, s) = simulate(&base, "EXP-2", "expire").await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["state"], "expired");
    assert_eq!(s["label"], "Expired");
    assert!(s["hint"]
        .as_str()
        .unwrap()
        .starts_with("Do not send anything"));
    assert_eq!(s["secondsLeft"], 0);
    assert_eq!(
        s["nowMs"].as_i64().unwrap() - s["deadlineMs"].as_i64().unwrap(),
        1000
    );
    // The page of an expired invoice is still a page, in its state.
    let (c, _, page) = fetch(&base, Method::GET, "/pay/EXP-2", &[]).await;
    assert_eq!(c, 200);
    assert!(page.contains(r#"data-state="expired""#));
    assert!(page.contains(">00:00</time>"));

    // Over: 110 %.
    create(
        &api,
        json!({"amountUsdt": 20, "assetCode": "USDT_ERC20", "reference": "OVER-1"}),
    )
    .await;
    let (code, s) = simulate(&base, "OVER-1", "over").await;
    assert_eq!(code, 200, "{s}");
    assert_eq!(s["state"], "paid");
    assert_eq!(s["amountPaid"], "22.0000");
    sb.stop();
}

#[tokio::test]
async fn simulate_needs_its_header_and_a_known_action() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    create(
        &api,
        json!({"amountUsdt": 5, "assetCode": "USDT_TRC20", "reference": "GUARD-1"}),
    )
    .await;
    let before = status_json(&base, "GUARD-1").await;
    // What a form on another site could send: no custom header.
    let (code, _, body) = fetch(
        &base,
        Method::POST,
        "/pay/GUARD-1/simulate/exact",
        &[("content-type", "application/x-www-form-urlencoded")],
    )
    .await;
    assert_eq!(code, 403, "{body}");
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["statusCode"], 403);
    let (code, _, _) = fetch(
        &base,
        Method::POST,
        "/pay/GUARD-1/simulate/exact",
        &[("x-paystate-checkout", "yes")],
    )
    .await;
    assert_eq!(code, 403);
    let (code, e) = simulate(&base, "GUARD-1", "steal").await;
    assert_eq!(code, 404, "{e}");
    let (code, _) = simulate(&base, "NO-SUCH", "exact").await;
    assert_eq!(code, 404);
    // Nothing moved.
    assert_eq!(status_json(&base, "GUARD-1").await, before);
    sb.stop();
}

#[tokio::test]
async fn unknown_and_cancelled_get_a_plain_page() {
    let sb = sandbox(None, None).await;
    let base = sb.base_url();
    let api = Api::new(&base);
    let (code, h, page) = fetch(&base, Method::GET, "/pay/NOPE", &[]).await;
    assert_eq!(code, 404);
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert!(
        page.contains(r#"<h1 id="title">Payment not found</h1>"#),
        "{page}"
    );
    assert!(!page.contains("statusCode"));

    // The reference in the URL is never echoed unescaped.
    let (code, _, page) = fetch(
        &base,
        Method::GET,
        "/pay/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        &[],
    )
    .await;
    assert_eq!(code, 404);
    assert!(!page.contains("<script>alert"));

    let (code, _, _) = fetch(&base, Method::GET, "/pay/NOPE/qr.svg", &[]).await;
    assert_eq!(code, 404);
    let (code, _, body) = fetch(&base, Method::GET, "/pay/NOPE/status", &[]).await;
    assert_eq!(code, 404);
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(e["statusCode"], 404);

    let inv = create(
        &api,
        json!({"amountUsdt": 5, "assetCode": "USDT_TRC20", "reference": "CANCEL-1"}),
    )
    .await;
    let (s, v) = api
        .post(
            &format!("/api/v1/invoices/{}/cancel", inv["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (code, h, page) = fetch(&base, Method::GET, "/pay/CANCEL-1", &[]).await;
    assert_eq!(code, 410);
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert!(page.contains("This payment was cancelled"));
    assert!(!page.contains(inv["payoutAddress"].as_str().unwrap()));
    let (code, _, _) = fetch(&base, Method::GET, "/pay/CANCEL-1/qr.svg", &[]).await;
    assert_eq!(code, 410);
    let s = status_json(&base, "CANCEL-1").await;
    assert_eq!(s["state"], "cancelled");
    sb.stop();
}

#[tokio::test]
async fn realtime_has_no_clock_buttons() {
    let config = paystate_sandbox::Config::from_args(paystate_sandbox::Args {
        port: 0,
        database: ":memory:".into(),
        api_key: Some(common::KEY.into()),
        webhook_secret: Some(common::SECRET.into()),
        realtime: true,
        ..Default::default()
    })
    .unwrap();
    let sb = paystate_sandbox::start(config).await.unwrap();
    let base = sb.base_url();
    let api = Api::new(&base);
    create(
        &api,
        json!({"amountUsdt": 3, "assetCode": "USDT_TRC20", "reference": "REAL-1"}),
    )
    .await;
    let (_, _, page) = fetch(&base, Method::GET, "/pay/REAL-1", &[]).await;
    assert_eq!(page.matches(r#"class="clock" hidden>"#).count(), 2);
    assert_eq!(status_json(&base, "REAL-1").await["realtime"], true);
    let (code, e) = simulate(&base, "REAL-1", "expire").await;
    assert_eq!(code, 400, "{e}");
    assert_eq!(status_json(&base, "REAL-1").await["state"], "pending");
    sb.stop();
}
