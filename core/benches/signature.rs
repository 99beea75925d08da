//! Verification cost of a 1 KB body per scheme, next to its floor: the bare pre-keyed
//! HMAC (SHA-256 / SHA-512) of the same bytes. Run: `cargo bench -p paystate --bench signature`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, Mac};
use paystate::signature::{Scheme, SignInput, Signer, Verifier};
use paystate::Timestamp;
use sha2::{Digest, Sha256, Sha512};

/// A 1024-byte JSON object shaped like a payment webhook.
fn body() -> Vec<u8> {
    let mut s = String::from(
        r#"{"id":"evt_1NpX2bL","type":"invoice.paid","created":1700000000,"data":{"invoice_reference":"ORDER-12345","status":"confirmed","asset_code":"USDT_TRC20","amount_usdt_exact":"150.0000","payout_address":"TXyz123abc456","tx_hash":"abc123def789","metadata":{"orderId":"12345","customerId":"user-001"},"note":""#,
    );
    while s.len() < 1024 - 4 {
        s.push('x');
    }
    s.push_str(r#""}}"#);
    while s.len() < 1024 {
        s.insert(s.len() - 3, 'y');
    }
    s.into_bytes()
}

fn bench(c: &mut Criterion) {
    let body = body();
    assert_eq!(body.len(), 1024);
    let now = Timestamp::from_millis(1_700_000_000_000, "now").unwrap();
    let input = SignInput {
        id: Some("msg_2Kq1bA9xYtV3"),
        nonce: Some("abc123xyz"),
        timestamp: Some(now),
    };
    let mut g = c.benchmark_group("verify_1kb");
    g.throughput(Throughput::Bytes(body.len() as u64));

    let k256 = Hmac::<Sha256>::new_from_slice(b"example_secret").unwrap();
    let tag256 = k256.clone().chain_update(&body).finalize().into_bytes();
    g.bench_function("floor_hmac_sha256_prekeyed", |b| {
        b.iter(|| {
            let mut m = k256.clone();
            m.update(black_box(&body));
            m.verify_slice(black_box(&tag256)).unwrap();
        })
    });
    let k512 = Hmac::<Sha512>::new_from_slice(b"example_secret").unwrap();
    let tag512 = k512.clone().chain_update(&body).finalize().into_bytes();
    g.bench_function("floor_hmac_sha512_prekeyed", |b| {
        b.iter(|| {
            let mut m = k512.clone();
            m.update(black_box(&body));
            m.verify_slice(black_box(&tag512)).unwrap();
        })
    });

    // Stripe's floor: its HMAC over `t.body` plus the SHA-256 of the body that its replay
    // key needs (docs/spec.md §6): two passes over the body whatever the implementation.
    let t = b"1700000000";
    let stripe_tag = k256
        .clone()
        .chain_update(t)
        .chain_update(b".")
        .chain_update(&body)
        .finalize()
        .into_bytes();
    g.bench_function("floor_stripe_hmac_and_sha256", |b| {
        b.iter(|| {
            let mut m = k256.clone();
            m.update(black_box(t));
            m.update(b".");
            m.update(black_box(&body));
            m.verify_slice(black_box(&stripe_tag)).unwrap();
            black_box(Sha256::digest(black_box(&body)));
        })
    });

    let cases: [(Scheme, &str, &str); 5] = [
        (Scheme::UsdtGateway, "usdt_gateway", "example_secret"),
        (
            Scheme::StandardWebhooks,
            "standard_webhooks",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ),
        (Scheme::Stripe, "stripe", "whsec_example_secret"),
        (Scheme::Gatepay, "gatepay", "example_secret"),
        (Scheme::Monetix, "monetix", "example_secret"),
    ];
    for (scheme, name, secret) in cases {
        let signed = Signer::new(scheme, &[secret])
            .unwrap()
            .sign(&body, &input)
            .unwrap();
        let sent = signed.body.clone().unwrap_or_else(|| body.clone());
        let headers: Vec<(&str, &str)> = signed
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let verifier = Verifier::new(scheme, &[secret]).unwrap();
        verifier.verify(headers.as_slice(), &sent, now).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                verifier
                    .verify(black_box(headers.as_slice()), black_box(&sent), now)
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
