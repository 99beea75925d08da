//! Payment request URIs: the link or QR code a checkout page shows so a wallet opens with
//! the token, the receiving address and the exact amount filled in (`docs/spec.md` §11).
//!
//! * `USDT_ERC20`, `USDT_BSC`, `USDT_POLYGON`: EIP-681, a call of the token contract's
//!   `transfer(address, uint256)`:
//!   `ethereum:<USDT contract>@<chain id>/transfer?address=<to>&uint256=<base units>`.
//!   The amount is in the token's base units as a plain integer (EIP-681 also allows
//!   `2.014e18`; wallets differ in how well they read it, an integer is unambiguous).
//! * `USDT_TRC20`: TRON has no URI standard and TronLink documents none for payees (its deep
//!   link is a JSON request from a whitelisted DApp with a callback); Trust Wallet documents
//!   a send link taking the asset as a Universal Asset ID, the recipient and the amount in
//!   token units — that is the form produced.
//! * `USDT_BYBIT` moves inside Bybit: no on-chain address, no URI (`invalid_field`).
//!
//! Contract addresses are the public deployments of Tether USD, as listed (EIP-55 spelling)
//! by Trust Wallet's token registry, github.com/trustwallet/assets,
//! `blockchains/{ethereum,smartchain,polygon,tron}/assets/<contract>/info.json`, each
//! pointing at the chain explorer's token page (etherscan.io, bscscan.com, polygonscan.com,
//! tronscan.org); Trust Wallet's "Universal Asset ID" page
//! (developer.trustwallet.com/developer/new-asset/universal_asset_id) gives
//! `c195_tTR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t` as its example for USDT on TRON. Decimals
//! are the assets' scales in `money` (`docs/spec.md` §2).

use crate::address::Address;
use crate::error::{Error, Result};
use crate::money::{Amount, Asset};

/// USDT on Ethereum mainnet (chain id 1), 6 decimals.
pub const USDT_ERC20_CONTRACT: &str = "0xdAC17F958D2ee523a2206206994597C13D831ec7";
/// USDT (Binance-Peg BSC-USD) on BNB Smart Chain (chain id 56), 18 decimals.
pub const USDT_BSC_CONTRACT: &str = "0x55d398326f99059fF775485246999027B3197955";
/// USDT on Polygon PoS (chain id 137), 6 decimals.
pub const USDT_POLYGON_CONTRACT: &str = "0xc2132D05D31c914a87C6611C10748AEb04B58e8F";
/// USDT on TRON (TRC-20), 6 decimals.
pub const USDT_TRC20_CONTRACT: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

/// Trust Wallet's send deep link (developer.trustwallet.com, "Deep Linking" → "Send
/// Payment": `https://link.trustwallet.com/send?asset=<UAI>&address=<to>&amount=<amount>`).
const TRUST_WALLET_SEND: &str = "https://link.trustwallet.com/send";
/// Trust Wallet's Universal Asset ID of USDT on TRON: `c<SLIP-44 coin 195>_t<contract>`
/// (developer.trustwallet.com, "Universal Asset ID", which lists this very example).
const TRON_USDT_UAI: &str = "c195_tTR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";

/// The USDT token contract of an on-chain asset (`None` for `USDT_BYBIT`).
pub fn usdt_contract(asset: Asset) -> Option<&'static str> {
    match asset {
        Asset::UsdtTrc20 => Some(USDT_TRC20_CONTRACT),
        Asset::UsdtErc20 => Some(USDT_ERC20_CONTRACT),
        Asset::UsdtBsc => Some(USDT_BSC_CONTRACT),
        Asset::UsdtPolygon => Some(USDT_POLYGON_CONTRACT),
        Asset::UsdtBybit => None,
    }
}

/// The EIP-155 chain id of an EVM asset (1, 56, 137), `None` for the others.
pub fn chain_id(asset: Asset) -> Option<u64> {
    match asset {
        Asset::UsdtErc20 => Some(1),
        Asset::UsdtBsc => Some(56),
        Asset::UsdtPolygon => Some(137),
        Asset::UsdtTrc20 | Asset::UsdtBybit => None,
    }
}

/// `amount` in the asset's base units (amount × 10^scale) as a plain decimal integer,
/// computed exactly (`12.5` USDT on BSC is `12500000000000000000`). `too_many_decimals`
/// (field `amount`) when the amount has more decimals than the asset's scale.
pub fn base_units(asset: Asset, amount: Amount) -> Result<String> {
    let scale = asset.scale();
    amount.check_scale(scale, "amount")?;
    let d = amount.as_decimal().normalize();
    let mantissa = d.mantissa().unsigned_abs();
    if mantissa == 0 {
        return Ok("0".to_owned());
    }
    // Digits of the mantissa followed by (scale − its decimals) zeros: no big integer, and
    // nothing can overflow (28 significant digits + at most 18 zeros).
    let zeros = usize::try_from(scale.saturating_sub(d.scale())).unwrap_or(0);
    Ok(format!("{mantissa}{}", "0".repeat(zeros)))
}

/// The payment request URI for paying `amount` of `asset` to `address`.
///
/// Errors: `invalid_field` (field `address`, see [`Address::check`]; field `asset` for
/// `USDT_BYBIT`), `invalid_amount` for a zero amount, `too_many_decimals` for an amount
/// finer than the asset's scale (BSC's 18 decimals, 6 elsewhere).
pub fn payment_uri(asset: Asset, address: &str, amount: Amount) -> Result<String> {
    let to = Address::parse(asset, address, "address")?;
    if amount.is_zero() {
        return Err(Error::InvalidAmount {
            field: "amount".into(),
            value: amount.to_string(),
            reason: "must be greater than zero",
        });
    }
    let units = base_units(asset, amount)?;
    match (usdt_contract(asset), chain_id(asset)) {
        (Some(token), Some(chain)) => Ok(eip681_transfer(token, Some(chain), to.as_str(), &units)),
        // TRON: amount in token units, exact and in its shortest form (never an exponent).
        (Some(_), None) => Ok(format!(
            "{TRUST_WALLET_SEND}?asset={TRON_USDT_UAI}&address={to}&amount={amount}"
        )),
        // Unreachable: `Address::parse` refused the asset without a contract.
        (None, _) => Err(Error::invalid_field(
            "asset",
            format!("no_onchain_address: {asset} has no on-chain address"),
        )),
    }
}

/// EIP-681 `transfer` request, formatted from already-validated parts.
fn eip681_transfer(token: &str, chain: Option<u64>, to: &str, units: &str) -> String {
    let chain = chain.map(|c| format!("@{c}")).unwrap_or_default();
    format!("ethereum:{token}{chain}/transfer?address={to}&uint256={units}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EIP-681's own ERC-20 example ("requesting a Unicorn"), reproduced character for
    /// character by the formatter (the example has no chain id and lowercase addresses).
    #[test]
    fn eip681_erc20_example_verbatim() {
        assert_eq!(
            eip681_transfer(
                "0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7",
                None,
                "0x8e23ee67d1332ad560396262c48ffbb01f93d052",
                "1"
            ),
            "ethereum:0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7/transfer?address=0x8e23ee67d1332ad560396262c48ffbb01f93d052&uint256=1"
        );
    }

    #[test]
    fn contracts_are_valid_checksummed_addresses_of_their_chain() {
        for asset in Asset::ALL {
            let Some(contract) = usdt_contract(asset) else {
                assert_eq!(asset, Asset::UsdtBybit);
                continue;
            };
            let parsed = Address::check(asset, contract).unwrap();
            assert_eq!(parsed.as_str(), contract, "{asset}");
        }
    }
}
