"""paystate: a deterministic, I/O-free core for stablecoin (USDT) invoice payments.

The host does every I/O (HTTP, database, chain watching, the clock); paystate decides:
is this invoice paid, late, underpaid, expired, refundable; is this webhook authentic;
which invoice does this transfer belong to; when is the next delivery attempt due.

Conventions at this boundary:

* amounts are :class:`decimal.Decimal` in and out (``str`` and ``int`` are accepted on
  input; ``float`` is refused with :class:`TypeError`);
* times are timezone-aware :class:`datetime.datetime` (naive ones are refused) or int
  unix milliseconds; times come back as UTC ``datetime``;
* durations are int seconds or :class:`datetime.timedelta`;
* bodies are ``bytes`` (``str`` is encoded as UTF-8);
* every error is a :class:`PaystateError` with ``.code`` (an :data:`ErrorCode`, one of
  :data:`ERROR_CODES`) and ``.field``.

State objects (:class:`Invoice`, :class:`Matcher`, :class:`Session`,
:class:`ReplayGuard`, :class:`DeliveryPlan`) serialise with ``to_json()`` and come back
with ``from_json()``, for the host's database; a document that cannot be loaded raises
:class:`StateError`, never :class:`SignatureError`.
"""

from __future__ import annotations

from paystate._enums import (
    Asset,
    DeliveryPolicy,
    EventType,
    InvoiceException,
    RefundOutcome,
    Scheme,
    Status,
)
from paystate._errors import (
    DialectRejection,
    IntegrityError,
    LimitError,
    PaystateError,
    SignatureError,
    StateError,
    TransitionError,
    ValidationError,
)
from paystate._paystate import (
    ERROR_CODES,
    CallbackResult,
    Command,
    DeliveryPlan,
    DialectRequest,
    Event,
    Gatenoc,
    Gatepay,
    Invoice,
    InvoiceSpec,
    JournalEntry,
    KeypairInvoice,
    LatePayment,
    Match,
    Matcher,
    Monetix,
    MonetixPayout,
    MonetixRefund,
    NextAttempt,
    PayoutResult,
    Refund,
    ReplayGuard,
    Session,
    Signed,
    Signer,
    Snapshot,
    Tolerance,
    Transfer,
    UsdtGateway,
    Verified,
    Verifier,
    __version__,
    base_units,
    format_time,
    monetix_signing_string,
    normalize_address,
    parse_amount,
    parse_scheme_timestamp,
    parse_time,
    payment_uri,
    report_outcome,
    session_token,
    sign,
    verify,
    verify_session_token,
)
from paystate._vocabulary import ErrorCode

__all__ = [
    "ERROR_CODES",
    "Asset",
    "CallbackResult",
    "Command",
    "DeliveryPlan",
    "DeliveryPolicy",
    "DialectRejection",
    "DialectRequest",
    "ErrorCode",
    "Event",
    "EventType",
    "Gatenoc",
    "Gatepay",
    "IntegrityError",
    "Invoice",
    "InvoiceException",
    "InvoiceSpec",
    "JournalEntry",
    "KeypairInvoice",
    "LatePayment",
    "LimitError",
    "Match",
    "Matcher",
    "Monetix",
    "MonetixPayout",
    "MonetixRefund",
    "NextAttempt",
    "PayoutResult",
    "PaystateError",
    "Refund",
    "RefundOutcome",
    "ReplayGuard",
    "Scheme",
    "Session",
    "SignatureError",
    "Signed",
    "Signer",
    "Snapshot",
    "StateError",
    "Status",
    "Tolerance",
    "Transfer",
    "TransitionError",
    "UsdtGateway",
    "ValidationError",
    "Verified",
    "Verifier",
    "__version__",
    "base_units",
    "format_time",
    "monetix_signing_string",
    "normalize_address",
    "parse_amount",
    "parse_scheme_timestamp",
    "parse_time",
    "payment_uri",
    "report_outcome",
    "session_token",
    "sign",
    "verify",
    "verify_session_token",
]
