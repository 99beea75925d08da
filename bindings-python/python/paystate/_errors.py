"""The exception hierarchy of paystate.

Every error the library raises is a :class:`PaystateError` (or a :class:`TypeError` for
arguments of the wrong Python type). Each carries the core's stable snake_case
:attr:`~PaystateError.code`, the :attr:`~PaystateError.field` it is about (or ``None``)
and a message that never contains a secret.
"""

from __future__ import annotations

from typing import Any, Optional

from paystate._vocabulary import ERROR_CATEGORIES, ErrorCategory, ErrorCode

__all__ = [
    "DialectRejection",
    "IntegrityError",
    "LimitError",
    "PaystateError",
    "SignatureError",
    "StateError",
    "TransitionError",
    "ValidationError",
]


class PaystateError(Exception):
    """Base class of every paystate error.

    Attributes:
        code: the stable snake_case error code (``"invalid_amount"``, ...), one of
            the core's codes (``ErrorCode``, generated from the core's contract).
        field: the field the error is about (``"transfer.amount"``), or ``None``.
        message: the human-readable message (never contains a secret).

    """

    code: ErrorCode
    field: Optional[str]
    message: str

    def __init__(self, code: ErrorCode, field: Optional[str], message: str) -> None:
        """Builds an error from its code, field and message."""
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        """Shows the class, code, field and message."""
        name = type(self).__name__
        return f"{name}(code={self.code!r}, field={self.field!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[type[PaystateError], tuple[ErrorCode, Optional[str], str]]:
        """Pickles with the code, field and message."""
        return (type(self), (self.code, self.field, self.message))


class ValidationError(PaystateError, ValueError):
    """An input value is invalid: an amount, asset, id, field, or a range rule.

    Codes: ``invalid_amount``, ``too_many_decimals``, ``invalid_field``,
    ``missing_field``, ``invalid_asset``, ``asset_mismatch``,
    ``amount_below_minimum``, ``amount_above_maximum``. Also a :class:`ValueError`.
    """


class TransitionError(PaystateError):
    """The command is not allowed in the current state.

    Codes: ``invalid_transition``, ``unknown_transfer``, ``unknown_refund``,
    ``refund_exceeds_available``, ``session_expired``, ``session_used``.
    """


class SignatureError(PaystateError):
    """A webhook failed verification.

    Codes: ``signature_missing``, ``signature_malformed``, ``signature_mismatch``,
    ``timestamp_out_of_tolerance``, ``replayed``, and ``malformed_json`` for a body that
    a scheme must read as JSON.
    """


class StateError(PaystateError, ValueError):
    """A stored state document cannot be loaded (``from_json``, ``Invoice.replay``).

    Codes: ``malformed_json`` (the text is not JSON, or not the shape of that document)
    and ``invalid_state`` (it breaks an invariant the core keeps, so the core cannot have
    written it). Never a :class:`SignatureError`: whatever the core writes, it reads back
    (``docs/spec.md`` §2, "State documents"). Also a :class:`ValueError`.
    """


class LimitError(PaystateError):
    """A documented capacity is full (code ``limit_exceeded``); nothing was changed.

    :attr:`field` names what is full (``transfer.tx_id`` for the transfers of one
    invoice); the host may keep the data elsewhere.
    """


class IntegrityError(PaystateError):
    """Data disagrees with what is already known (code ``integrity_conflict``)."""


class DialectRejection(ValidationError):
    """A provider-shaped create request was rejected by that provider's rules.

    Raised by the dialect parsers (``Gatenoc.parse_checkout_session``, ...) and the
    dialect key checks. Besides :attr:`code` (any core code: usually a validation code,
    ``signature_missing``/``signature_mismatch`` for the key checks) and :attr:`field`
    (the *provider's* field name, such as ``"amountUsdt"``), it carries the provider's
    answer where its document defines one.

    Attributes:
        http_status: the HTTP status the provider answers with, or ``None``.
        body: the provider-shaped error body (JSON numbers as ``int``/``Decimal``),
            or ``None``.

    """

    http_status: Optional[int]
    body: Optional[Any]

    def __init__(
        self,
        code: ErrorCode,
        field: Optional[str],
        message: str,
        http_status: Optional[int] = None,
        body: Optional[Any] = None,
    ) -> None:
        """Builds a rejection from the core error and the provider's answer."""
        super().__init__(code, field, message)
        self.http_status = http_status
        self.body = body

    def __repr__(self) -> str:
        """Shows the class, code, field, HTTP status and message."""
        return (
            f"DialectRejection(code={self.code!r}, field={self.field!r}, "
            f"http_status={self.http_status!r}, message={self.message!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles with every attribute."""
        return (
            type(self),
            (self.code, self.field, self.message, self.http_status, self.body),
        )


# The class of each category. Each code's category is the core's (``ERROR_CATEGORIES``,
# generated into ``_vocabulary`` from `paystate contract`), so a new core code needs no
# edit here; tests/test_vocabulary.py proves that this table names every category
# (docs/spec.md §9).
_CLASS_BY_CATEGORY: dict[ErrorCategory, type[PaystateError]] = {
    "validation": ValidationError,
    "transition": TransitionError,
    "signature": SignatureError,
    "state": StateError,
    "limit": LimitError,
    "integrity": IntegrityError,
}

_CLASS_BY_CODE: dict[ErrorCode, type[PaystateError]] = {
    code: _CLASS_BY_CATEGORY[category] for code, category in ERROR_CATEGORIES.items()
}

# While loading a stored document, text that does not parse is a state error, not a
# signature one (docs/spec.md §2, "State documents").
_LOADING_CLASS_BY_CODE: dict[ErrorCode, type[PaystateError]] = {
    **_CLASS_BY_CODE,
    "malformed_json": StateError,
}


def _from_core(
    code: ErrorCode, field: Optional[str], message: str, loading: bool = False
) -> PaystateError:
    """Builds the exception for a core error (called from the native module).

    ``code`` is the core's ``Error::code()``, one of ``ERROR_CODES``; ``loading`` is true
    when the error comes from reading a stored state document.
    """
    table = _LOADING_CLASS_BY_CODE if loading else _CLASS_BY_CODE
    return table.get(code, PaystateError)(code, field, message)


def _from_rejection(
    code: ErrorCode,
    field: Optional[str],
    message: str,
    http_status: Optional[int],
    body: Optional[Any],
) -> DialectRejection:
    """Builds the exception for a dialect rejection (called from the native module)."""
    return DialectRejection(code, field, message, http_status, body)
