"""String enums with the contract's exact values.

Each member is also a ``str`` equal to its value (``Status.PAID == "paid"``), so members
and plain strings are accepted alike wherever the API takes one of these.
"""

from __future__ import annotations

import enum

__all__ = [
    "Asset",
    "DeliveryPolicy",
    "EventType",
    "InvoiceException",
    "RefundOutcome",
    "Scheme",
    "Status",
]


class _StrEnum(str, enum.Enum):
    """A ``str`` enum whose ``str()`` is its value (like Python 3.11's ``StrEnum``)."""

    def __str__(self) -> str:
        """The contract value."""
        return str(self.value)


class Status(_StrEnum):
    """Where an invoice stands."""

    PENDING = "pending"
    PROCESSING = "processing"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    INVALID = "invalid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class InvoiceException(_StrEnum):
    """A condition reported beside the status (not a Python exception)."""

    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    PAID_LATE = "paid_late"
    MARKED = "marked"
    TXID_CLAIMED = "txid_claimed"


class EventType(_StrEnum):
    """The type of an invoice event."""

    CREATED = "invoice.created"
    PAYMENT_RECEIVED = "invoice.payment_received"
    PAID_LATE = "invoice.paid_late"
    PROCESSING = "invoice.processing"
    PAID = "invoice.paid"
    PAYMENT_DROPPED = "invoice.payment_dropped"
    EXPIRED = "invoice.expired"
    INVALID = "invoice.invalid"
    CANCELLED = "invoice.cancelled"
    REFUND_REQUESTED = "invoice.refund_requested"
    REFUNDED = "invoice.refunded"
    REFUND_FAILED = "invoice.refund_failed"
    TXID_CLAIMED = "invoice.txid_claimed"


class Asset(_StrEnum):
    """A stablecoin on a network (``USDT_MATIC`` is accepted as an alias of Polygon)."""

    USDT_TRC20 = "USDT_TRC20"
    USDT_ERC20 = "USDT_ERC20"
    USDT_BSC = "USDT_BSC"
    USDT_POLYGON = "USDT_POLYGON"
    USDT_BYBIT = "USDT_BYBIT"


class Scheme(_StrEnum):
    """A webhook signature format, named after the provider whose format it implements."""

    USDT_GATEWAY = "usdt_gateway"
    GATEPAY = "gatepay"
    MONETIX = "monetix"
    GATENOC = "gatenoc"
    KEYPAIR_INVOICE = "keypair_invoice"
    STANDARD_WEBHOOKS = "standard_webhooks"
    STRIPE = "stripe"
    GITHUB = "github"
    COINBASE_COMMERCE = "coinbase_commerce"
    SHOPIFY = "shopify"
    NOWPAYMENTS = "nowpayments"


class DeliveryPolicy(_StrEnum):
    """How webhook deliveries are judged and retried."""

    USDT_GATEWAY = "usdt_gateway"
    KEYPAIR_INVOICE = "keypair_invoice"
    STANDARD_WEBHOOKS = "standard_webhooks"


class RefundOutcome(_StrEnum):
    """How a refund ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
