//! The matcher's memory per open invoice (docs/spec.md §4): fills one account with `n`
//! open invoices and prints how much the resident set grew, per invoice. Not a test and
//! not timed: run one size per process, so memory freed by an earlier size cannot be
//! reused and hide growth.
//!
//! ```sh
//! cargo run --release -p paystate --example matcher_memory -- 1000000
//! cargo run --release -p paystate --example matcher_memory -- 1000000 36   # 36-byte ids
//! ```
//!
//! The fill is the one `benches/matcher.rs` times: prices 10.00 … 509.99 (50 000 of them,
//! so each price is allocated n / 50 000 times), step 0.000001, no allowance, ids `inv0`,
//! `inv1`, … (or, with a second argument L, the same ids zero-padded to L bytes, like a
//! UUID's 36). Resident-set growth includes allocator slack and the hash tables' spare
//! capacity, so it is an upper bound of what the matcher holds. `peak` is the high-water
//! mark (it also counts a table's old and new copy while it grows).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use paystate::{Amount, Matcher};

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1_000_000, |s| {
        s.parse().expect("n: number of open invoices")
    });
    let width: usize = std::env::args()
        .nth(2)
        .map_or(0, |s| s.parse().expect("L: id length in bytes"));
    let step = Amount::parse("0.000001", "step").unwrap();
    // Everything the loop needs that is not the matcher is made before the first reading.
    let prices: Vec<Amount> = (0..50_000u64)
        .map(|i| Amount::from_minor_units(1_000 + i, 2).unwrap())
        .collect();
    let mut id = String::with_capacity(128);
    let (rss0, peak0) = memory();
    let mut m = Matcher::new();
    for i in 0..n {
        id.clear();
        use std::fmt::Write;
        write!(id, "inv{i:0>w$}", w = width.saturating_sub(3)).unwrap();
        let price = prices[i % prices.len()];
        m.allocate("acct", &id, price, step, Amount::ZERO).unwrap();
    }
    let (rss1, peak1) = memory();
    assert_eq!(m.len(), n);
    println!(
        "matcher: {n} open invoices, ids of {} bytes: RSS +{} bytes = {} B per open invoice; peak +{} bytes = {} B per open invoice",
        id.len(),
        rss1.saturating_sub(rss0),
        rss1.saturating_sub(rss0) / n as u64,
        peak1.saturating_sub(peak0),
        peak1.saturating_sub(peak0) / n as u64,
    );
    std::hint::black_box(&m);
}

/// (VmRSS, VmHWM) of this process in bytes, from /proc (Linux); zeros elsewhere.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
