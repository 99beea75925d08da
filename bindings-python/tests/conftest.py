from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import paystate
import pytest

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def t0() -> datetime:
    return T0


def make_invoice(
    invoice_id: str = "inv_1", due: str = "10", **kw: object
) -> tuple[paystate.Invoice, list[paystate.Event]]:
    kw.setdefault("expires_in", 1800)
    spec = paystate.InvoiceSpec(invoice_id, asset="USDT_TRC20", due=due, **kw)  # type: ignore[arg-type]
    return paystate.Invoice.create(spec, T0)
