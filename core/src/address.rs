//! Receiving addresses: is this text an address the invoice's asset can be paid to, and
//! what is its one normalised spelling (`docs/spec.md` §11).
//!
//! * TRON (`USDT_TRC20`): base58check of 25 bytes — version byte `0x41`, the 20-byte
//!   account id, and the first 4 bytes of SHA-256(SHA-256(version ‖ id)). Always spelled
//!   `T…` (34 characters); the base58 text is canonical, so the normalised form is the input.
//! * EVM (`USDT_ERC20`, `USDT_BSC`, `USDT_POLYGON`): `0x` and 40 hex digits. All-lowercase
//!   or all-uppercase letters carry no checksum and are accepted; mixed case is an EIP-55
//!   checksum and must match it. The normalised form is the EIP-55 spelling.
//! * `USDT_BYBIT` moves inside Bybit between accounts: it has no on-chain address.
//!
//! A refusal says which of four things went wrong ([`AddressProblem`]): the text is not an
//! address at all, its checksum is wrong (a typo), it is an address of another network (a
//! TRON address on an ERC-20 invoice), or the asset has no address. Pure functions: no I/O,
//! no panics.

use std::fmt;

use sha3::{Digest, Keccak256};

use crate::error::{Error, FieldName};
use crate::money::Asset;

/// TRON's base58check version byte (mainnet): every TRON address starts with `T`.
pub const TRON_VERSION_BYTE: u8 = 0x41;
/// Longest text looked at: base58 decoding is quadratic, and no address is near this long.
const MAX_ADDRESS_TEXT: usize = 64;
/// Length of a TRON address in base58 (25 bytes with a leading `0x41`).
const TRON_TEXT_LEN: usize = 34;

/// The address family of an on-chain asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Network {
    /// TRON: base58check `T…`.
    Tron,
    /// An EVM chain (Ethereum, BNB Smart Chain, Polygon): `0x` + 40 hex digits, EIP-55.
    Evm,
}

impl Network {
    /// The family of `asset`'s addresses, or `None` when it has no on-chain address
    /// (`USDT_BYBIT`).
    pub fn of(asset: Asset) -> Option<Network> {
        match asset {
            Asset::UsdtTrc20 => Some(Network::Tron),
            Asset::UsdtErc20 | Asset::UsdtBsc | Asset::UsdtPolygon => Some(Network::Evm),
            Asset::UsdtBybit => None,
        }
    }
}

/// Why a text is not an address of the asset. [`AddressProblem::code`] is stable: it starts
/// the `reason` of the `invalid_field` error, and the CLI prints it as `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressProblem {
    /// Not an address of any supported network (length, characters, prefix, whitespace).
    Malformed,
    /// Shaped like an address of the right network, but its checksum does not match (a
    /// typo, or an EIP-55 spelling changed by hand).
    ChecksumMismatch,
    /// A valid address of another network (a TRON address on an ERC-20 invoice, an EVM
    /// address on a TRC-20 invoice, a base58check address with another version byte).
    WrongNetwork,
    /// The asset is not paid to an on-chain address (`USDT_BYBIT`).
    NoOnchainAddress,
}

impl AddressProblem {
    /// Every problem, in a stable order.
    pub const ALL: [AddressProblem; 4] = [
        AddressProblem::Malformed,
        AddressProblem::ChecksumMismatch,
        AddressProblem::WrongNetwork,
        AddressProblem::NoOnchainAddress,
    ];

    /// The stable snake_case code: `malformed`, `checksum_mismatch`, `wrong_network`,
    /// `no_onchain_address`.
    pub fn code(&self) -> &'static str {
        match self {
            AddressProblem::Malformed => "malformed",
            AddressProblem::ChecksumMismatch => "checksum_mismatch",
            AddressProblem::WrongNetwork => "wrong_network",
            AddressProblem::NoOnchainAddress => "no_onchain_address",
        }
    }
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A refused address: what is wrong and a sentence for people. Becomes the core's
/// `invalid_field` error with [`AddressError::into_error`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressError {
    /// What is wrong.
    pub problem: AddressProblem,
    /// Why, in words; never more than a short excerpt of the input.
    pub detail: String,
}

impl AddressError {
    fn new(problem: AddressProblem, detail: impl Into<String>) -> AddressError {
        AddressError {
            problem,
            detail: detail.into(),
        }
    }

    /// The core error: `invalid_field` naming `field` (the asset, `asset`, when the asset
    /// has no on-chain address), with the reason `"<problem code>: <detail>"`.
    pub fn into_error(self, field: impl Into<FieldName>) -> Error {
        let field = match self.problem {
            AddressProblem::NoOnchainAddress => FieldName::Borrowed("asset"),
            _ => field.into(),
        };
        Error::InvalidField {
            field,
            reason: format!("{}: {}", self.problem.code(), self.detail),
        }
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.problem.code(), self.detail)
    }
}

impl std::error::Error for AddressError {}

/// A valid receiving address of an asset, in its normalised spelling.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    asset: Asset,
    account: [u8; 20],
    text: String,
}

impl Address {
    /// Validates `text` as an address `asset` can be paid to. Errors are `invalid_field`
    /// naming `field` (`address` for most callers); see [`Address::check`] for the details.
    pub fn parse(asset: Asset, text: &str, field: impl Into<FieldName>) -> crate::Result<Address> {
        Address::check(asset, text).map_err(|e| e.into_error(field))
    }

    /// Validates `text` as an address `asset` can be paid to, saying precisely what is
    /// wrong when it is not. Nothing is trimmed or guessed: the text must be the address.
    pub fn check(asset: Asset, text: &str) -> Result<Address, AddressError> {
        let network = Network::of(asset).ok_or_else(|| {
            AddressError::new(
                AddressProblem::NoOnchainAddress,
                format!("{asset} moves inside Bybit between accounts; it has no on-chain address"),
            )
        })?;
        check_shape(text)?;
        let account = match network {
            Network::Tron => check_tron(asset, text)?,
            Network::Evm => check_evm(asset, text)?,
        };
        Ok(Address::from_account(asset, network, account))
    }

    /// The address of the 20-byte account id `account` on `asset`'s network, in its
    /// normalised spelling (what wallets and explorers show). `invalid_field` (field
    /// `asset`) for an asset without on-chain addresses.
    pub fn from_bytes(asset: Asset, account: [u8; 20]) -> crate::Result<Address> {
        match Network::of(asset) {
            Some(network) => Ok(Address::from_account(asset, network, account)),
            None => Err(AddressError::new(
                AddressProblem::NoOnchainAddress,
                format!("{asset} has no on-chain address"),
            )
            .into_error("asset")),
        }
    }

    fn from_account(asset: Asset, network: Network, account: [u8; 20]) -> Address {
        let text = match network {
            Network::Tron => tron_base58(&account),
            Network::Evm => eip55(&account),
        };
        Address {
            asset,
            account,
            text,
        }
    }

    /// The normalised spelling: `T…` for TRON, the EIP-55 checksummed `0x…` for EVM chains.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The asset this address was validated for.
    pub fn asset(&self) -> Asset {
        self.asset
    }

    /// The 20-byte account id (TRON's without its `0x41` version byte).
    pub fn account(&self) -> [u8; 20] {
        self.account
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The normalised spelling of `text` as an address of `asset`, or `invalid_field` naming
/// `address`: the one-call form the bindings expose.
pub fn normalize_address(asset: Asset, text: &str) -> crate::Result<String> {
    Address::parse(asset, text, "address").map(|a| a.text)
}

/// Refusals that do not depend on the network: empty, too long, whitespace, non-ASCII.
fn check_shape(text: &str) -> Result<(), AddressError> {
    let malformed = |detail: &str| Err(AddressError::new(AddressProblem::Malformed, detail));
    if text.is_empty() {
        return malformed("empty");
    }
    if text.len() > MAX_ADDRESS_TEXT {
        return malformed("too long to be an address");
    }
    if text.chars().any(char::is_whitespace) {
        return malformed("contains whitespace (a pasted space or newline?)");
    }
    if !text.is_ascii() {
        return malformed("contains non-ASCII characters");
    }
    Ok(())
}

/// TRON: base58check, 25 bytes, version `0x41`, checksum first (a typo is far likelier
/// than an address of another base58check network).
fn check_tron(asset: Asset, text: &str) -> Result<[u8; 20], AddressError> {
    if evm_hex(text).is_some() {
        return Err(AddressError::new(
            AddressProblem::WrongNetwork,
            format!("an EVM address (0x…) cannot receive {asset}: expected a TRON address T…"),
        ));
    }
    if text.len() == 42 && text.starts_with("41") && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AddressError::new(
            AddressProblem::Malformed,
            "the hex form (41…) of a TRON address: give its base58 form T…",
        ));
    }
    let payload = decode_base58check(text)?;
    let Ok([version, account @ ..]) = <[u8; 21]>::try_from(payload.as_slice()) else {
        return Err(AddressError::new(
            AddressProblem::Malformed,
            format!(
                "base58check payload of {} bytes: a TRON address has 21 (T… and {TRON_TEXT_LEN} characters)",
                payload.len()
            ),
        ));
    };
    if version != TRON_VERSION_BYTE {
        return Err(AddressError::new(
            AddressProblem::WrongNetwork,
            format!(
                "base58check version byte 0x{version:02x} is not TRON's 0x{TRON_VERSION_BYTE:02x}: an address of another network cannot receive {asset}"
            ),
        ));
    }
    Ok(account)
}

/// Base58check decoding with the checksum verified; returns version byte + payload.
fn decode_base58check(text: &str) -> Result<Vec<u8>, AddressError> {
    bs58::decode(text)
        .with_check(None)
        .into_vec()
        .map_err(|e| match e {
            bs58::decode::Error::InvalidChecksum { .. } => AddressError::new(
                AddressProblem::ChecksumMismatch,
                "base58check checksum does not match (a mistyped character?)",
            ),
            bs58::decode::Error::InvalidCharacter { character, index } => AddressError::new(
                AddressProblem::Malformed,
                format!(
                    "character {character:?} at position {index} is not base58 (no 0, O, I or l)"
                ),
            ),
            _ => AddressError::new(
                AddressProblem::Malformed,
                "not a base58check string (too short)",
            ),
        })
}

/// EVM: `0x` + 40 hex digits; mixed case must be the EIP-55 checksum.
fn check_evm(asset: Asset, text: &str) -> Result<[u8; 20], AddressError> {
    let Some(digits) = evm_hex(text) else {
        if looks_like_tron(text) {
            return Err(AddressError::new(
                AddressProblem::WrongNetwork,
                format!(
                    "a TRON address (T…) cannot receive {asset}: expected 0x and 40 hex digits"
                ),
            ));
        }
        return Err(AddressError::new(
            AddressProblem::Malformed,
            evm_shape_problem(text),
        ));
    };
    let mut account = [0u8; 20];
    if hex::decode_to_slice(digits, &mut account).is_err() {
        return Err(AddressError::new(
            AddressProblem::Malformed,
            "expected 40 hex digits after 0x",
        ));
    }
    let has_lower = digits.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = digits.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        let expected = eip55(&account);
        if expected.get(2..) != Some(digits) {
            return Err(AddressError::new(
                AddressProblem::ChecksumMismatch,
                "mixed-case address does not match its EIP-55 checksum (a mistyped character?)",
            ));
        }
    }
    Ok(account)
}

/// The 40 hex digits of `0x` + 40 hex digits (any case), else `None`.
fn evm_hex(text: &str) -> Option<&str> {
    let digits = text.strip_prefix("0x")?;
    (digits.len() == 40 && digits.bytes().all(|b| b.is_ascii_hexdigit())).then_some(digits)
}

/// A valid TRON address (checksum and version), for a wrong-network verdict on EVM assets.
fn looks_like_tron(text: &str) -> bool {
    text.len() == TRON_TEXT_LEN
        && text.starts_with('T')
        && decode_base58check(text)
            .is_ok_and(|p| p.len() == 21 && p.first() == Some(&TRON_VERSION_BYTE))
}

fn evm_shape_problem(text: &str) -> String {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        _ if text.starts_with("0X") => "the prefix is 0x (lowercase x)".to_owned(),
        Some(rest) if rest.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("expected 40 hex digits after 0x, found {}", rest.len())
        }
        Some(_) => "expected only hex digits (0-9, a-f, A-F) after 0x".to_owned(),
        None if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) => {
            "missing the 0x prefix".to_owned()
        }
        None => "expected 0x and 40 hex digits".to_owned(),
    }
}

/// The EIP-55 spelling of a 20-byte account: a hex letter is uppercase when the matching
/// nibble of Keccak-256(lowercase hex text) is 8 or more.
fn eip55(account: &[u8; 20]) -> String {
    let lower = hex::encode(account);
    let hash = Keccak256::digest(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let byte = hash.get(i / 2).copied().unwrap_or(0);
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        out.push(if nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

/// The TRON base58check spelling of a 20-byte account.
fn tron_base58(account: &[u8; 20]) -> String {
    let mut payload = [TRON_VERSION_BYTE; 21];
    for (dst, src) in payload.iter_mut().skip(1).zip(account) {
        *dst = *src;
    }
    bs58::encode(payload).with_check().into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tron_payload_keeps_the_version_byte() {
        // bs58's checked decode returns version + payload without the checksum: 21 bytes.
        let p = decode_base58check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t").unwrap();
        assert_eq!(p.len(), 21);
        assert_eq!(p[0], TRON_VERSION_BYTE);
    }

    #[test]
    fn evm_shape_messages() {
        assert_eq!(
            evm_shape_problem("0XdAC17F958D2ee523a2206206994597C13D831ec7"),
            "the prefix is 0x (lowercase x)"
        );
        assert_eq!(
            evm_shape_problem("dAC17F958D2ee523a2206206994597C13D831ec7"),
            "missing the 0x prefix"
        );
        assert_eq!(
            evm_shape_problem("0x1234"),
            "expected 40 hex digits after 0x, found 4"
        );
    }
}
