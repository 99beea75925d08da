//! Receiving addresses and payment URIs (`docs/spec.md` §11): `normalize_address`,
//! `payment_uri` and `base_units`, each a conversion around the core function of the same
//! name. Every rule (checksums, networks, scales) is the core's.

use crate::types::{amount_in, Amount, Asset, Result};

/// The one normalised spelling of `address` for `asset` (EIP-55 on EVM chains, the
/// base58check text on TRON). Anything else is `invalid_field` on `address` (on `asset` for
/// `USDT_BYBIT`), its detail starting with `malformed`, `checksum_mismatch`,
/// `wrong_network` or `no_onchain_address`.
#[uniffi::export]
pub fn normalize_address(asset: Asset, address: String) -> Result<String> {
    Ok(paystate::address::normalize_address(asset, &address)?)
}

/// The payment request URI for paying `amount` of `asset` to `address`: EIP-681 on EVM
/// chains, a Trust Wallet link on TRON. `too_many_decimals` / `invalid_amount` on `amount`.
#[uniffi::export]
pub fn payment_uri(asset: Asset, address: String, amount: Amount) -> Result<String> {
    let amount = amount_in(&amount, "amount")?;
    Ok(paystate::payment_uri::payment_uri(asset, &address, amount)?)
}

/// `amount` in `asset`'s base units (amount × 10^scale) as a decimal integer string.
#[uniffi::export]
pub fn base_units(asset: Asset, amount: Amount) -> Result<String> {
    let amount = amount_in(&amount, "amount")?;
    Ok(paystate::payment_uri::base_units(asset, amount)?)
}
