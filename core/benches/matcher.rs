//! Matcher speed (docs/spec.md §4): `match` and `allocate` with 1k, 100k and 1M open
//! invoices on one account, ≤ 2 µs each and the 1M figure at most 3× the 1k figure. The
//! memory of the same fill is measured by `examples/matcher_memory.rs` (one size per
//! process), not here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, Criterion};
use paystate::{Amount, Matcher};
use std::hint::black_box;

fn matcher(c: &mut Criterion) {
    let due = Amount::parse("25", "due").unwrap();
    let step = Amount::parse("0.000001", "step").unwrap();
    let mut group = c.benchmark_group("matcher");
    group.sample_size(20);
    for n in [1_000usize, 100_000, 1_000_000] {
        let mut m = Matcher::new();
        // Realistic spread: 50 000 prices, each allocated n / 50 000 times.
        for i in 0..n {
            let price = Amount::from_minor_units(1_000 + (i as u64 % 50_000), 2).unwrap();
            m.allocate("acct", &format!("inv{i}"), price, step, Amount::ZERO)
                .unwrap();
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
        group.bench_function(format!("allocate_release/{n}"), |b| {
            b.iter(|| {
                let p = m
                    .allocate("acct", "bench-new", due, step, Amount::ZERO)
                    .unwrap();
                m.release("bench-new");
                black_box(p)
            })
        });
        // A fresh id each time: the id index sees inserts and removals of distinct keys.
        let mut k = 0u64;
        group.bench_function(format!("allocate_release_fresh_ids/{n}"), |b| {
            b.iter(|| {
                k += 1;
                let id = format!("new{k}");
                let p = m.allocate("acct", &id, due, step, Amount::ZERO).unwrap();
                m.release(&id);
                black_box(p)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, matcher);
criterion_main!(benches);
