"""The Python names agree with the core's vocabulary (``paystate._vocabulary``).

``_vocabulary.py`` is generated from the core's contract (scripts/gen-vocabulary.py); the
error classes and the string enums are written by hand, so these tests hold them to it.
"""

from __future__ import annotations

import enum
import typing

import paystate
import pytest
from paystate import _vocabulary
from paystate._errors import (
    _CLASS_BY_CATEGORY,
    _CLASS_BY_CODE,
    _LOADING_CLASS_BY_CODE,
    _from_core,
)


def test_native_error_codes_are_the_vocabulary() -> None:
    # The compiled core and the generated file name the same codes in the same order.
    assert list(paystate.ERROR_CODES) == list(_vocabulary.ERROR_CODES)
    assert typing.get_args(_vocabulary.ErrorCode) == _vocabulary.ERROR_CODES


@pytest.mark.parametrize(
    "table", [_CLASS_BY_CODE, _LOADING_CLASS_BY_CODE], ids=["commands", "loading"]
)
def test_every_code_has_a_class_and_no_class_has_another_code(table: dict) -> None:
    missing = set(_vocabulary.ERROR_CODES) - set(table)
    unknown = set(table) - set(_vocabulary.ERROR_CODES)
    assert not missing, f"codes without an exception class: {sorted(missing)}"
    assert not unknown, f"classes mapped from codes the core does not have: {sorted(unknown)}"
    assert all(issubclass(cls, paystate.PaystateError) for cls in table.values())


def test_every_category_has_a_class() -> None:
    # The core gives each code a category; the binding maps categories, never codes.
    assert list(_vocabulary.ERROR_CATEGORIES) == list(_vocabulary.ERROR_CODES)
    categories = set(typing.get_args(_vocabulary.ErrorCategory))
    assert set(_vocabulary.ERROR_CATEGORIES.values()) == categories
    assert set(_CLASS_BY_CATEGORY) == categories
    assert _CLASS_BY_CODE["invalid_state"] is paystate.StateError
    assert _CLASS_BY_CODE["malformed_json"] is paystate.SignatureError
    assert _LOADING_CLASS_BY_CODE["malformed_json"] is paystate.StateError


@pytest.mark.parametrize("code", _vocabulary.ERROR_CODES)
def test_the_factory_builds_each_code_as_its_class(code: str) -> None:
    err = _from_core(code, None, "m")  # type: ignore[arg-type]
    assert type(err) is _CLASS_BY_CODE[code]  # type: ignore[index]
    assert err.code == code


ENUMS: list[tuple[type[enum.Enum], tuple[str, ...]]] = [
    (paystate.Status, _vocabulary.STATUSES),
    (paystate.InvoiceException, _vocabulary.EXCEPTIONS),
    (paystate.EventType, _vocabulary.EVENT_TYPES),
    (paystate.Scheme, _vocabulary.SCHEMES),
    (paystate.Asset, _vocabulary.ASSETS),
    (paystate.DeliveryPolicy, _vocabulary.DELIVERY_POLICIES),
    (paystate.RefundOutcome, _vocabulary.REFUND_OUTCOMES),
]


@pytest.mark.parametrize(("enum_type", "names"), ENUMS, ids=lambda x: getattr(x, "__name__", ""))
def test_enum_members_are_the_vocabulary(
    enum_type: type[enum.Enum], names: tuple[str, ...]
) -> None:
    # Same values, in the core's order, so that a value added in core fails here until the
    # enum gains its member.
    assert [m.value for m in enum_type] == list(names)


def test_enum_names_are_the_values_in_upper_case() -> None:
    # EventType drops the common "invoice." prefix; every other member is its value.
    for enum_type, _ in ENUMS:
        for m in enum_type:
            value = m.value.removeprefix("invoice.") if enum_type is paystate.EventType else m.value
            assert m.name == value.upper(), (enum_type.__name__, m.name)
