//! Receiving addresses and payment URIs (`docs/spec.md` §11): `normalizeAddress`,
//! `paymentUri` and `baseUnits`, each a conversion around the core function of the same
//! name. Every rule (checksums, networks, scales) is the core's.

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use paystate::Asset;

use crate::conv;
use crate::err::OrThrow;

fn asset_of(env: &Env, v: Unknown<'_>) -> napi::Result<Asset> {
    Asset::parse(&conv::string(env, v, "asset")?, "asset").or_throw(env)
}

/// The one normalised spelling of `address` for `asset` (EIP-55 on EVM chains, the
/// base58check text on TRON). Anything else is `invalid_field` on `address` (on `asset` for
/// `USDT_BYBIT`), its message starting with `malformed`, `checksum_mismatch`,
/// `wrong_network` or `no_onchain_address`.
#[napi(ts_args_type = "asset: Asset | string, address: string")]
pub fn normalize_address(
    env: &Env,
    asset: Unknown<'_>,
    address: Unknown<'_>,
) -> napi::Result<String> {
    let asset = asset_of(env, asset)?;
    let address = conv::string(env, address, "address")?;
    paystate::address::normalize_address(asset, &address).or_throw(env)
}

/// The payment request URI for paying `amount` (a decimal string) of `asset` to `address`:
/// EIP-681 on EVM chains, a Trust Wallet link on TRON.
#[napi(ts_args_type = "asset: Asset | string, address: string, amount: string")]
pub fn payment_uri(
    env: &Env,
    asset: Unknown<'_>,
    address: Unknown<'_>,
    amount: Unknown<'_>,
) -> napi::Result<String> {
    let asset = asset_of(env, asset)?;
    let address = conv::string(env, address, "address")?;
    let amount = conv::amount(env, amount, "amount")?;
    paystate::payment_uri::payment_uri(asset, &address, amount).or_throw(env)
}

/// `amount` in `asset`'s base units (amount × 10^scale) as a decimal integer string.
#[napi(ts_args_type = "asset: Asset | string, amount: string")]
pub fn base_units(env: &Env, asset: Unknown<'_>, amount: Unknown<'_>) -> napi::Result<String> {
    let asset = asset_of(env, asset)?;
    let amount = conv::amount(env, amount, "amount")?;
    paystate::payment_uri::base_units(asset, amount).or_throw(env)
}
