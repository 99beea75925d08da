//! Receiving addresses and payment URIs (`docs/spec.md` §11): known answers from the
//! published documents, then properties of the encodings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use paystate::address::{normalize_address, Address, AddressProblem, Network};
use paystate::payment_uri::{base_units, chain_id, payment_uri, usdt_contract};
use paystate::{Amount, Asset};
use proptest::prelude::*;

const EVM: [Asset; 3] = [Asset::UsdtErc20, Asset::UsdtBsc, Asset::UsdtPolygon];

/// EIP-55's own test vectors (eips.ethereum.org/EIPS/eip-55, "Test Cases").
const EIP55_VECTORS: [&str; 4] = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
];

fn problem(asset: Asset, text: &str) -> AddressProblem {
    Address::check(asset, text)
        .expect_err(&format!("{text} must be refused for {asset}"))
        .problem
}

fn amount(text: &str) -> Amount {
    Amount::parse(text, "amount").unwrap()
}

/// Flips the case of the `n`-th hex letter of an EVM address.
fn flip_letter(text: &str, n: usize) -> Option<String> {
    let pos = text
        .char_indices()
        .skip(2)
        .filter(|(_, c)| c.is_ascii_alphabetic())
        .nth(n)?
        .0;
    let mut out = text.to_owned();
    let c = text[pos..].chars().next()?;
    let flipped = if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c.to_ascii_uppercase()
    };
    out.replace_range(pos..pos + 1, &flipped.to_string());
    Some(out)
}

#[test]
fn eip55_vectors_validate_and_are_their_own_normal_form() {
    for asset in EVM {
        for v in EIP55_VECTORS {
            assert_eq!(normalize_address(asset, v).unwrap(), v, "{asset} {v}");
            // Unchecksummed spellings (all lower, all upper) are accepted and normalise to it.
            let lower = format!("0x{}", v[2..].to_ascii_lowercase());
            let upper = format!("0x{}", v[2..].to_ascii_uppercase());
            assert_eq!(normalize_address(asset, &lower).unwrap(), v);
            assert_eq!(normalize_address(asset, &upper).unwrap(), v);
        }
    }
}

#[test]
fn eip55_vector_with_one_case_flipped_is_a_checksum_mismatch() {
    for v in EIP55_VECTORS {
        for n in 0..3 {
            let typo = flip_letter(v, n).unwrap();
            assert_eq!(
                problem(Asset::UsdtErc20, &typo),
                AddressProblem::ChecksumMismatch,
                "{typo}"
            );
        }
    }
}

/// EIP-681's ether example spells its recipient `0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359`:
/// mixed case that is not the EIP-55 checksum (the EIP-55 spelling of the same account is
/// the second EIP-55 vector), so a strict validator refuses it, and its lowercase form
/// normalises to the EIP-55 vector.
#[test]
fn eip681_ether_example_recipient_is_not_eip55() {
    let from_681 = "0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359";
    assert_eq!(
        problem(Asset::UsdtErc20, from_681),
        AddressProblem::ChecksumMismatch
    );
    assert_eq!(
        normalize_address(Asset::UsdtErc20, &from_681.to_ascii_lowercase()).unwrap(),
        EIP55_VECTORS[1]
    );
}

/// EIP-681's ERC-20 example: token `0x89205a3a…` and recipient `0x8e23ee67…`, both lowercase
/// (unchecksummed, so accepted).
#[test]
fn eip681_erc20_example_addresses_are_valid_unchecksummed() {
    for text in [
        "0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7",
        "0x8e23ee67d1332ad560396262c48ffbb01f93d052",
    ] {
        let a = Address::check(Asset::UsdtErc20, text).unwrap();
        assert_eq!(a.as_str().to_ascii_lowercase(), text);
    }
}

/// TRON addresses from public documentation: the USDT contract (Tronscan, Trust Wallet's
/// UAI example), TronLink's deep-link docs example account, and the pair base58 / hex given
/// by the CryptoTron::AddrTools documentation (metacpan.org/pod/CryptoTron::AddrTools).
#[test]
fn documented_tron_addresses() {
    for text in [
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig",
        "TQHgMpVzWkhSsRB4BzZgmV8uW4cFL8eaBr",
    ] {
        assert_eq!(normalize_address(Asset::UsdtTrc20, text).unwrap(), text);
    }
    let a = Address::check(Asset::UsdtTrc20, "TQHgMpVzWkhSsRB4BzZgmV8uW4cFL8eaBr").unwrap();
    assert_eq!(
        hex::encode_upper(a.account()),
        "9D1015E669C2DF831003C5C54CEB48DA613D9979" // "419D10…" without the 0x41 byte
    );
    let mut account = [0u8; 20];
    hex::decode_to_slice("9D1015E669C2DF831003C5C54CEB48DA613D9979", &mut account).unwrap();
    assert_eq!(
        Address::from_bytes(Asset::UsdtTrc20, account)
            .unwrap()
            .as_str(),
        "TQHgMpVzWkhSsRB4BzZgmV8uW4cFL8eaBr"
    );
    // The all-zero account is TRON's well-known `T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb`.
    assert_eq!(
        Address::from_bytes(Asset::UsdtTrc20, [0; 20])
            .unwrap()
            .as_str(),
        "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"
    );
}

#[test]
fn wrong_network_is_named() {
    for asset in EVM {
        assert_eq!(
            problem(asset, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            AddressProblem::WrongNetwork
        );
    }
    assert_eq!(
        problem(Asset::UsdtTrc20, EIP55_VECTORS[0]),
        AddressProblem::WrongNetwork
    );
    // A Bitcoin address (base58check, version 0x00: the genesis block's).
    assert_eq!(
        problem(Asset::UsdtTrc20, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        AddressProblem::WrongNetwork
    );
}

#[test]
fn a_mistyped_tron_address_is_a_checksum_mismatch() {
    // Last character changed: still base58, still 25 bytes, checksum broken.
    assert_eq!(
        problem(Asset::UsdtTrc20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"),
        AddressProblem::ChecksumMismatch
    );
    // On an EVM invoice a broken TRON address is not an address at all.
    assert_eq!(
        problem(Asset::UsdtErc20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"),
        AddressProblem::Malformed
    );
}

#[test]
fn malformed_strings() {
    let cases = [
        (Asset::UsdtTrc20, ""),
        (Asset::UsdtTrc20, " TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        (Asset::UsdtTrc20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n"),
        (Asset::UsdtTrc20, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6O"),
        (
            Asset::UsdtTrc20,
            "41a614f803b6fd780986a42c78ec9c7f77e6ded13c",
        ),
        (Asset::UsdtTrc20, "T"),
        (Asset::UsdtTrc20, "Tрон"),
        (
            Asset::UsdtErc20,
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        ),
        (Asset::UsdtErc20, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        (
            Asset::UsdtErc20,
            "0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        ),
        (
            Asset::UsdtErc20,
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        ),
        (Asset::UsdtBsc, "vitalik.eth"),
        (Asset::UsdtPolygon, &"0".repeat(10_000)),
    ];
    for (asset, text) in cases {
        assert_eq!(problem(asset, text), AddressProblem::Malformed, "{text:?}");
    }
}

#[test]
fn errors_are_invalid_field_naming_the_address() {
    let e = Address::parse(
        Asset::UsdtErc20,
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        "address",
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_field");
    assert_eq!(e.field(), Some("address"));
    assert!(e.to_string().starts_with("address: wrong_network: "), "{e}");
    let e = Address::parse(Asset::UsdtTrc20, "x", "refund.address").unwrap_err();
    assert_eq!(e.field(), Some("refund.address"));
    assert!(e.to_string().contains("malformed: "), "{e}");
}

#[test]
fn bybit_has_no_onchain_address() {
    assert_eq!(Network::of(Asset::UsdtBybit), None);
    let err = Address::check(Asset::UsdtBybit, EIP55_VECTORS[0]).unwrap_err();
    assert_eq!(err.problem, AddressProblem::NoOnchainAddress);
    let e = normalize_address(Asset::UsdtBybit, "anything").unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_field", Some("asset")));
    assert!(Address::from_bytes(Asset::UsdtBybit, [1; 20]).is_err());
    let e = payment_uri(Asset::UsdtBybit, "anything", amount("1")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_field", Some("asset")));
}

#[test]
fn problem_codes_are_distinct_and_stable() {
    let codes: Vec<_> = AddressProblem::ALL.iter().map(|p| p.code()).collect();
    assert_eq!(
        codes,
        [
            "malformed",
            "checksum_mismatch",
            "wrong_network",
            "no_onchain_address"
        ]
    );
}

#[test]
fn eip681_uris_for_each_evm_chain() {
    let to = EIP55_VECTORS[0].to_ascii_lowercase();
    let cases = [
        (
            Asset::UsdtErc20,
            "0xdAC17F958D2ee523a2206206994597C13D831ec7@1",
            "10500000",
        ),
        (
            Asset::UsdtBsc,
            "0x55d398326f99059fF775485246999027B3197955@56",
            "10500000000000000000",
        ),
        (
            Asset::UsdtPolygon,
            "0xc2132D05D31c914a87C6611C10748AEb04B58e8F@137",
            "10500000",
        ),
    ];
    for (asset, target, units) in cases {
        assert_eq!(
            payment_uri(asset, &to, amount("10.50")).unwrap(),
            format!(
                "ethereum:{target}/transfer?address={}&uint256={units}",
                EIP55_VECTORS[0]
            )
        );
    }
    assert_eq!(chain_id(Asset::UsdtTrc20), None);
    assert_eq!(usdt_contract(Asset::UsdtBybit), None);
}

#[test]
fn tron_uri_is_trust_wallets_send_link() {
    assert_eq!(
        payment_uri(
            Asset::UsdtTrc20,
            "TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig",
            amount("12.500000")
        )
        .unwrap(),
        "https://link.trustwallet.com/send?asset=c195_tTR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\
         &address=TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig&amount=12.5"
    );
}

#[test]
fn amounts_are_exact_base_units_within_the_scale() {
    // BSC's 18 decimals: the smallest unit and the largest amount core holds.
    assert_eq!(
        base_units(Asset::UsdtBsc, amount("0.000000000000000001")).unwrap(),
        "1"
    );
    assert_eq!(
        base_units(Asset::UsdtBsc, amount("9999999999999999999999999999")).unwrap(),
        format!("9999999999999999999999999999{}", "0".repeat(18))
    );
    assert_eq!(
        base_units(Asset::UsdtErc20, amount("0.000001")).unwrap(),
        "1"
    );
    assert_eq!(
        base_units(Asset::UsdtErc20, amount("100")).unwrap(),
        "100000000"
    );
    let e = base_units(Asset::UsdtErc20, amount("0.0000001")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("too_many_decimals", Some("amount")));
    let e = payment_uri(Asset::UsdtPolygon, EIP55_VECTORS[0], amount("1.1234567")).unwrap_err();
    assert_eq!(e.code(), "too_many_decimals");
    let e = payment_uri(
        Asset::UsdtTrc20,
        "TSPrmJetAMo6S6RxMd4tswzeRCFVegBNig",
        amount("0.0000001"),
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_many_decimals");
    let e = payment_uri(Asset::UsdtErc20, EIP55_VECTORS[0], amount("0.00")).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_amount", Some("amount")));
    // An invalid address is reported before the amount is looked at.
    let e = payment_uri(Asset::UsdtErc20, "nope", amount("0.0000001")).unwrap_err();
    assert_eq!(e.field(), Some("address"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Encoding any account and validating the text gives back the account and the same text.
    #[test]
    fn addresses_round_trip(account in any::<[u8; 20]>()) {
        for asset in [Asset::UsdtTrc20, Asset::UsdtErc20, Asset::UsdtBsc, Asset::UsdtPolygon] {
            let a = Address::from_bytes(asset, account).unwrap();
            let back = Address::check(asset, a.as_str()).unwrap();
            prop_assert_eq!(back.account(), account);
            prop_assert_eq!(back.as_str(), a.as_str());
        }
    }

    /// Flipping the case of one letter of an EIP-55 address is refused as a checksum
    /// mismatch, unless the result has no mixed case left (then it carries no checksum).
    #[test]
    fn eip55_case_flip_is_refused(account in any::<[u8; 20]>(), n in 0usize..40) {
        let text = Address::from_bytes(Asset::UsdtErc20, account).unwrap().as_str().to_owned();
        let letters = text[2..].chars().filter(|c| c.is_ascii_alphabetic()).count();
        prop_assume!(letters > 0);
        let typo = flip_letter(&text, n % letters).unwrap();
        let digits = &typo[2..];
        let mixed = digits.chars().any(|c| c.is_ascii_lowercase())
            && digits.chars().any(|c| c.is_ascii_uppercase());
        match Address::check(Asset::UsdtErc20, &typo) {
            Ok(a) => {
                prop_assert!(!mixed, "{typo} accepted");
                prop_assert_eq!(a.as_str(), text.as_str());
            }
            Err(e) => {
                prop_assert!(mixed);
                prop_assert_eq!(e.problem, AddressProblem::ChecksumMismatch);
            }
        }
    }

    /// Changing one character of a TRON address is never accepted as the same account.
    #[test]
    fn base58check_typo_is_refused(account in any::<[u8; 20]>(), pos in 1usize..34, pick in 0usize..58) {
        const ALPHABET: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        let text = Address::from_bytes(Asset::UsdtTrc20, account).unwrap().as_str().to_owned();
        let replacement = ALPHABET.chars().nth(pick).unwrap();
        prop_assume!(!text[pos..].starts_with(replacement));
        let mut typo = text.clone();
        typo.replace_range(pos..pos + 1, &replacement.to_string());
        match Address::check(Asset::UsdtTrc20, &typo) {
            Ok(a) => prop_assert!(a.account() != account, "{typo} read as the same account"),
            Err(e) => prop_assert_ne!(e.problem, AddressProblem::NoOnchainAddress),
        }
    }

    /// Base units are amount × 10^scale, checked against integer arithmetic.
    #[test]
    fn base_units_are_exact(units in 1u64..u64::MAX, decimals in 0u32..=6) {
        let a = Amount::from_minor_units(units, decimals).unwrap();
        for asset in [Asset::UsdtErc20, Asset::UsdtBsc] {
            let expected = u128::from(units) * 10u128.pow(asset.scale() - decimals);
            prop_assert_eq!(base_units(asset, a).unwrap(), expected.to_string());
        }
    }
}
