//! Invoice and matcher speed (issue 2 targets):
//! - `observe_transfer` on an invoice holding up to 10 transfers: ≤ 1 µs;
//! - replaying journals: ≥ 1 million entries per second per core;
//! - matcher allocate and match with 1k, 100k and 1M open invoices on one account: ≤ 2 µs,
//!   the 1M figure at most 3× the 1k figure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use paystate::invoice::{Expiry, Pricing, TransferInput};
use paystate::{
    Amount, Asset, Command, Duration, Invoice, InvoiceSpec, JournalEntry, Matcher, Timestamp,
};
use std::hint::black_box;

const T0: i64 = 1_767_225_600_000;

fn ts(offset_s: i64) -> Timestamp {
    Timestamp::from_millis(T0 + offset_s * 1000, "t").unwrap()
}

fn spec() -> InvoiceSpec {
    InvoiceSpec::new(
        "inv_bench_000001",
        Pricing::Due(Amount::parse("1000", "due").unwrap()),
        Asset::UsdtTrc20,
        Expiry::In(Duration::seconds(3600)),
    )
}

fn transfer(i: usize) -> Command {
    Command::ObserveTransfer(TransferInput {
        tx_id: format!("0x{i:064x}"),
        amount: Amount::parse("10.123456", "a").unwrap(),
        asset: Asset::UsdtTrc20,
        confirmed: i % 2 == 0,
        at: None,
    })
}

fn observe(c: &mut Criterion) {
    let mut group = c.benchmark_group("observe_transfer");
    for existing in [0usize, 9] {
        let (mut base, _) = Invoice::create(spec(), ts(0)).unwrap();
        for i in 0..existing {
            base.apply(&transfer(i), ts(1)).unwrap();
        }
        let next = transfer(existing);
        group.bench_function(format!("with_{existing}_transfers"), |b| {
            b.iter_batched_ref(
                || base.clone(),
                |inv| black_box(inv.apply(black_box(&next), ts(2)).unwrap()),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn replay(c: &mut Criterion) {
    let mut journal = vec![JournalEntry {
        at: ts(0),
        command: Command::Create(Box::new(spec())),
    }];
    for i in 0..8 {
        journal.push(JournalEntry {
            at: ts(i + 1),
            command: transfer(i as usize),
        });
    }
    journal.push(JournalEntry {
        at: ts(20),
        command: Command::ConfirmTransfer {
            tx_id: format!("0x{:064x}", 1),
        },
    });
    journal.push(JournalEntry {
        at: ts(30),
        command: Command::Tick,
    });
    let mut group = c.benchmark_group("replay");
    group.throughput(Throughput::Elements(journal.len() as u64));
    group.bench_function("journal_of_11_entries", |b| {
        b.iter(|| black_box(Invoice::replay(black_box(&journal)).unwrap()))
    });
    group.finish();
}

fn matcher(c: &mut Criterion) {
    let due = Amount::parse("25", "due").unwrap();
    let step = Amount::parse("0.000001", "step").unwrap();
    let mut group = c.benchmark_group("matcher");
    group.sample_size(30);
    for n in [1_000usize, 100_000, 1_000_000] {
        let before = resident_bytes();
        let mut m = Matcher::new();
        // Realistic spread: many prices, each with a few invoices at the same price.
        for i in 0..n {
            let price = Amount::from_minor_units(1_000 + (i as u64 % 50_000), 2).unwrap();
            m.allocate("acct", &format!("inv{i}"), price, step, Amount::ZERO)
                .unwrap();
        }
        let after = resident_bytes();
        if n >= 100_000 {
            // Resident-set growth over the build: allocator slack included, so an upper bound.
            eprintln!(
                "matcher: {n} open invoices, ~{} bytes per open invoice (RSS growth)",
                after.saturating_sub(before) / n as u64
            );
        }
        let probe = m.payable("inv7").unwrap();
        group.bench_function(format!("match/{n}"), |b| {
            b.iter(|| black_box(m.match_amount("acct", black_box(probe))))
        });
        // Allocation alone: each timed call takes the next free amount; its release (and
        // the clock reads) happen outside the timed section.
        group.bench_function(format!("allocate/{n}"), |b| {
            b.iter_custom(|iters| {
                let mut timed = std::time::Duration::ZERO;
                for _ in 0..iters {
                    let start = std::time::Instant::now();
                    let p = m.allocate("acct", "bench-new", due, step, Amount::ZERO);
                    timed += start.elapsed();
                    black_box(p.unwrap());
                    m.release("bench-new");
                }
                timed
            })
        });
        let mut k = 0u64;
        group.bench_function(format!("allocate_release/{n}"), |b| {
            b.iter(|| {
                k += 1;
                let id = "bench-new";
                let p = m.allocate("acct", id, due, step, Amount::ZERO).unwrap();
                m.release(id);
                black_box(p)
            })
        });
        let _ = k;
    }
    group.finish();
}

/// Resident memory of this process, from /proc (Linux); 0 elsewhere.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

criterion_group!(benches, observe, replay, matcher);
criterion_main!(benches);
