//! A stored matcher from arbitrary bytes: loading never panics, hangs or balloons, and a
//! loaded matcher answers `match` / `allocate` / `release` without panicking and writes
//! back to JSON that loads to the same windows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paystate::{Amount, Matcher};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut m) = serde_json::from_str::<Matcher>(text) else {
        return;
    };
    let written = serde_json::to_string(&m).expect("to json");
    let back: Matcher = serde_json::from_str(&written).expect("written matcher must load");
    assert_eq!(serde_json::to_string(&back).expect("again"), written, "round trip");
    let one = Amount::from_units(1);
    let _ = m.match_amount("main", one);
    let _ = m.allocate("main", "fuzz-new", one, Amount::parse("0.01", "s").expect("amount"), Amount::ZERO);
    let _ = m.allocate("main", "fuzz-new2", one, Amount::parse("0.01", "s").expect("amount"), Amount::ZERO);
    m.release("fuzz-new");
    let _ = m.allocate("main", "fuzz-new3", one, Amount::parse("0.01", "s").expect("amount"), Amount::ZERO);
});
