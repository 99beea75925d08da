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
* every error is a :class:`PaystateError` with ``.code`` and ``.field``.

State objects (:class:`Invoice`, :class:`Matcher`, :class:`Session`,
:class:`ReplayGuard`, :class:`DeliveryPlan`) serialise with ``to_json()`` and come back
with ``from_json()``, for the host's database.
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
    IntegrityError,
    PaystateError,
    SignatureError,
    TransitionError,
    ValidationError,
)
from paystate._paystate import (
    ERROR_CODES,
    Command,
    DeliveryPlan,
    Event,
    Invoice,
    InvoiceSpec,
    JournalEntry,
    LatePayment,
    Match,
    Matcher,
    NextAttempt,
    Refund,
    ReplayGuard,
    Session,
    Signed,
    Signer,
    Snapshot,
    Tolerance,
    Transfer,
    Verified,
    Verifier,
    __version__,
    format_time,
    monetix_signing_string,
    parse_amount,
    parse_scheme_timestamp,
    parse_time,
    session_token,
    sign,
    verify,
    verify_session_token,
)

__all__ = [
    "ERROR_CODES",
    "Asset",
    "Command",
    "DeliveryPlan",
    "DeliveryPolicy",
    "Event",
    "EventType",
    "IntegrityError",
    "Invoice",
    "InvoiceException",
    "InvoiceSpec",
    "JournalEntry",
    "LatePayment",
    "Match",
    "Matcher",
    "NextAttempt",
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
    "Status",
    "Tolerance",
    "Transfer",
    "TransitionError",
    "ValidationError",
    "Verified",
    "Verifier",
    "__version__",
    "format_time",
    "monetix_signing_string",
    "parse_amount",
    "parse_scheme_timestamp",
    "parse_time",
    "session_token",
    "sign",
    "verify",
    "verify_session_token",
]
