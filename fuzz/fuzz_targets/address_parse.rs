//! Receiving addresses and payment URIs (`docs/spec.md` §11): `Address::check` on any text
//! for any asset, `Address::from_bytes` on any account, `payment_uri` on any amount text.
//!
//! Input: byte 0 picks the asset, byte 1 where the text splits into address | amount, the
//! rest is the text. Checks: nothing panics; a valid address's normalised form validates
//! to itself (same account, same text) and is valid on every chain of the same family and
//! on no chain of the other; every error is `invalid_field` naming `address` (or `asset`
//! for `USDT_BYBIT`); a URI contains the normalised address; every code is in `Error::CODES`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paystate::address::{normalize_address, Address, AddressProblem, Network};
use paystate::payment_uri::payment_uri;
use paystate::{Amount, Asset, Error};

fn same_family(a: Asset, b: Asset) -> bool {
    Network::of(a).is_some() && Network::of(a) == Network::of(b)
}

fn check_error(e: &Error, asset: Asset) {
    assert!(Error::CODES.contains(&e.code()), "unknown code {}", e.code());
    assert_eq!(e.code(), "invalid_field", "{e}");
    let field = if asset == Asset::UsdtBybit { "asset" } else { "address" };
    assert_eq!(e.field(), Some(field), "{e}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let asset = Asset::ALL[usize::from(pick) % Asset::ALL.len()];

    // Any 20-byte account encodes to a text that validates back to it.
    if let Some(bytes) = rest.get(..20) {
        let mut account = [0u8; 20];
        account.copy_from_slice(bytes);
        match Address::from_bytes(asset, account) {
            Ok(a) => {
                let back = Address::check(asset, a.as_str()).expect("encoded address re-validates");
                assert_eq!(back.account(), account);
                assert_eq!(back.as_str(), a.as_str());
            }
            Err(e) => check_error(&e, asset),
        }
    }

    let Some((&split, text)) = rest.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let cut = usize::from(split).min(text.len());
    let (address, amount) = match (text.get(..cut), text.get(cut..)) {
        (Some(a), Some(m)) => (a, m),
        _ => (text, ""),
    };

    for whole in [text, address] {
        match Address::check(asset, whole) {
            Ok(a) => {
                assert_eq!(a.asset(), asset);
                let again = Address::check(asset, a.as_str()).expect("normal form re-validates");
                assert_eq!(again, a, "{whole:?}");
                assert_eq!(normalize_address(asset, whole).as_deref(), Ok(a.as_str()));
                for other in Asset::ALL {
                    let there = Address::check(other, whole);
                    if same_family(asset, other) {
                        assert_eq!(there.map(|b| b.account()), Ok(a.account()), "{other}");
                    } else {
                        assert!(there.is_err(), "{whole:?} valid on {asset} and {other}");
                    }
                }
            }
            Err(e) => {
                assert_eq!(
                    e.problem == AddressProblem::NoOnchainAddress,
                    asset == Asset::UsdtBybit
                );
                check_error(&e.into_error("address"), asset);
            }
        }
    }

    if let Ok(amount) = Amount::parse(amount, "amount") {
        match payment_uri(asset, address, amount) {
            Ok(uri) => {
                let to = Address::check(asset, address).expect("a URI only for a valid address");
                assert!(uri.contains(&format!("address={}&", to.as_str())), "{uri}");
                assert!(!amount.is_zero());
            }
            Err(e) => assert!(Error::CODES.contains(&e.code()), "unknown code {}", e.code()),
        }
    }
});
