"""Receiving addresses and payment URIs (docs/spec.md §11): the known answers of
core/tests/payment_uri.rs, through the Python binding."""

from __future__ import annotations

from decimal import Decimal

import paystate
import pytest
from paystate import Asset, ValidationError

EIP55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TRON_USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
BSC_USDT = "0x55d398326f99059fF775485246999027B3197955"


def flip_first_letter(text: str) -> str:
    i = next(i for i, c in enumerate(text) if i >= 2 and c.isalpha())
    return text[:i] + text[i].swapcase() + text[i + 1 :]


@pytest.mark.parametrize("asset", [Asset.USDT_ERC20, Asset.USDT_BSC, "USDT_POLYGON"])
def test_eip55_vector_is_its_own_normal_form_and_lowercase_normalises_to_it(
    asset: Asset | str,
) -> None:
    assert paystate.normalize_address(asset, EIP55) == EIP55
    assert paystate.normalize_address(asset, "0x" + EIP55[2:].lower()) == EIP55
    assert paystate.normalize_address(asset, "0x" + EIP55[2:].upper()) == EIP55


def test_one_case_flipped_letter_is_a_checksum_mismatch() -> None:
    typo = flip_first_letter(EIP55)
    assert typo != EIP55
    with pytest.raises(ValidationError) as e:
        paystate.normalize_address(Asset.USDT_ERC20, typo)
    assert (e.value.code, e.value.field) == ("invalid_field", "address")
    assert "checksum_mismatch" in str(e.value)


def test_tron_contract_is_valid_on_trc20_and_wrong_network_on_erc20() -> None:
    assert paystate.normalize_address(Asset.USDT_TRC20, TRON_USDT) == TRON_USDT
    with pytest.raises(ValidationError) as e:
        paystate.normalize_address("USDT_ERC20", TRON_USDT)
    assert (e.value.code, e.value.field) == ("invalid_field", "address")
    assert "wrong_network" in str(e.value)


def test_bybit_has_no_onchain_address() -> None:
    with pytest.raises(ValidationError) as e:
        paystate.normalize_address(Asset.USDT_BYBIT, EIP55)
    assert (e.value.code, e.value.field) == ("invalid_field", "asset")
    assert "no_onchain_address" in str(e.value)


def test_bsc_payment_uri_is_eip681_in_base_units() -> None:
    expected = f"ethereum:{BSC_USDT}@56/transfer?address={EIP55}&uint256=10500000000000000000"
    assert paystate.payment_uri(Asset.USDT_BSC, EIP55, "10.50") == expected
    assert paystate.payment_uri("USDT_BSC", EIP55.lower(), Decimal("10.5")) == expected
    assert paystate.base_units(Asset.USDT_BSC, "10.50") == "10500000000000000000"
    assert paystate.base_units(Asset.USDT_TRC20, "10.50") == "10500000"


def test_too_many_decimals_and_zero_are_refused_on_amount() -> None:
    with pytest.raises(ValidationError) as e:
        paystate.payment_uri(Asset.USDT_TRC20, TRON_USDT, "1.0000001")
    assert (e.value.code, e.value.field) == ("too_many_decimals", "amount")
    with pytest.raises(ValidationError) as e:
        paystate.base_units(Asset.USDT_ERC20, "0.0000001")
    assert (e.value.code, e.value.field) == ("too_many_decimals", "amount")
    with pytest.raises(ValidationError) as e:
        paystate.payment_uri(Asset.USDT_ERC20, EIP55, "0")
    assert (e.value.code, e.value.field) == ("invalid_amount", "amount")


def test_floats_and_unknown_assets_are_refused() -> None:
    with pytest.raises(TypeError):
        paystate.base_units(Asset.USDT_BSC, 10.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as e:
        paystate.base_units("USDT_SOLANA", "1")
    assert e.value.field == "asset"
