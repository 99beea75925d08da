//! Receiving addresses and payment URIs (`docs/spec.md` §11): `normalize_address`,
//! `payment_uri` and `base_units`, each a conversion around the core function of the
//! same name. Every rule (checksums, networks, scales) is the core's.

use paystate::Asset;
use pyo3::prelude::*;

use crate::convert::{self, text};
use crate::errors::Core;

/// An `asset` argument: an `Asset` member or its code (`"USDT_BSC"`).
fn asset_of(obj: &Bound<'_, PyAny>) -> PyResult<Asset> {
    Asset::parse(&text(obj, "asset")?, "asset").core()
}

/// The one normalised spelling of `address` for `asset` (EIP-55 on EVM chains, the
/// base58check text on TRON). A text that is not an address of the asset raises
/// `ValidationError` (`invalid_field`, field `address`; field `asset` for `USDT_BYBIT`)
/// whose message starts with `malformed`, `checksum_mismatch`, `wrong_network` or
/// `no_onchain_address`.
#[pyfunction]
fn normalize_address(asset: &Bound<'_, PyAny>, address: &Bound<'_, PyAny>) -> PyResult<String> {
    let a = asset_of(asset)?;
    let text = text(address, "address")?;
    paystate::address::normalize_address(a, &text).core()
}

/// The payment request URI for paying `amount` of `asset` to `address` (EIP-681 on EVM
/// chains, a Trust Wallet link on TRON).
#[pyfunction]
fn payment_uri(
    asset: &Bound<'_, PyAny>,
    address: &Bound<'_, PyAny>,
    amount: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let a = asset_of(asset)?;
    let to = text(address, "address")?;
    let amount = convert::amount(amount, "amount")?;
    paystate::payment_uri::payment_uri(a, &to, amount).core()
}

/// `amount` in `asset`'s base units (amount × 10^scale) as a decimal integer string.
#[pyfunction]
fn base_units(asset: &Bound<'_, PyAny>, amount: &Bound<'_, PyAny>) -> PyResult<String> {
    let a = asset_of(asset)?;
    let amount = convert::amount(amount, "amount")?;
    paystate::payment_uri::base_units(a, amount).core()
}

/// Adds the address functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize_address, m)?)?;
    m.add_function(wrap_pyfunction!(payment_uri, m)?)?;
    m.add_function(wrap_pyfunction!(base_units, m)?)?;
    Ok(())
}
