"""Webhook verification speed: paystate against what Python shops use today.

Verifies the same 1 KB webhook body in one process with:

* a hand-written stdlib verify (``hmac`` + ``compare_digest``), for the hex HMAC-SHA256
  scheme (paystate's ``usdt_gateway``) and for Standard Webhooks;
* ``standardwebhooks`` 1.1.0 ``Webhook.verify`` (paystate's ``standard_webhooks``);
* ``stripe`` ``WebhookSignature.verify_header`` (paystate's ``stripe``);

and reports the per-call cost of a trivial binding call and of ``observe_transfer``.
Every case is checked to accept the message before it is timed. Cases run round-robin,
several repetitions each; the table shows the median.

Run (release build):

    python3 -m venv .venv-py-bench && . .venv-py-bench/bin/activate
    pip install 'maturin>=1.9,<2' standardwebhooks==1.1.0 stripe==16.1.0
    (cd bindings-python && maturin develop --release)
    python bindings-python/bench/bench_verify.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import statistics
import sys
import time
from decimal import Decimal
from typing import Callable

import paystate

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
SAMPLE_S = 0.2


def body_1k() -> bytes:
    event = {
        "id": "evt_1Nq2B0LkdIwHu7ixJ0Vq2B0L",
        "object": "event",
        "type": "invoice.paid",
        "created": 1700000000,
        "data": {"object": {"id": "in_1", "amount_paid": "25.50", "currency": "usdt"}},
    }
    text = json.dumps(event, separators=(",", ":"))
    pad = 1024 - len(text) - len(',"pad":""')
    event["pad"] = "x" * pad
    out = json.dumps(event, separators=(",", ":")).encode()
    assert len(out) == 1024, len(out)
    return out


BODY = body_1k()
HEX_SECRET = b"k3y-for-hex-hmac"
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STRIPE_SECRET = "whsec_test_secret"


def cases() -> dict[str, Callable[[], object]]:
    now = int(time.time())
    # --- hex HMAC-SHA256 of the body (seed 001 usdt_gateway, Coinbase, GitHub-like) ---
    hex_tag = hmac.new(HEX_SECRET, BODY, hashlib.sha256).hexdigest()
    hex_headers = {"X-Webhook-Signature": hex_tag}

    def stdlib_hex() -> bool:
        expected = hmac.new(HEX_SECRET, BODY, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, hex_headers["X-Webhook-Signature"])

    ps_hex = paystate.Verifier("usdt_gateway", HEX_SECRET)

    # --- Standard Webhooks ---
    signed = paystate.sign("standard_webhooks", SW_SECRET, BODY, id="msg_1", timestamp=now * 1000)
    sw_headers = dict(signed.headers)
    sw_key = base64.b64decode(SW_SECRET[len("whsec_") :])

    def stdlib_sw() -> bool:
        msg_id = sw_headers["webhook-id"]
        ts = sw_headers["webhook-timestamp"]
        if abs(time.time() - int(ts)) > 300:
            return False
        signed_content = f"{msg_id}.{ts}.".encode() + BODY
        expected = base64.b64encode(hmac.new(sw_key, signed_content, hashlib.sha256).digest())
        for sig in sw_headers["webhook-signature"].split(" "):
            version, _, value = sig.partition(",")
            if version == "v1" and hmac.compare_digest(value.encode(), expected):
                return True
        return False

    import standardwebhooks

    sw_lib = standardwebhooks.Webhook(SW_SECRET)
    ps_sw = paystate.Verifier("standard_webhooks", SW_SECRET)

    # --- Stripe ---
    import stripe

    stripe_signed = paystate.sign("stripe", STRIPE_SECRET, BODY, timestamp=now * 1000)
    stripe_header = stripe_signed.headers["Stripe-Signature"]
    stripe_headers = {"Stripe-Signature": stripe_header}
    body_str = BODY.decode()
    ps_stripe = paystate.Verifier("stripe", STRIPE_SECRET)

    # --- trivial calls and observe_transfer ---
    matcher = paystate.Matcher()
    spec = paystate.InvoiceSpec("inv_1", asset="USDT_TRC20", due="10", expires_in=3600)
    t0 = now * 1000
    base, _ = paystate.Invoice.create(spec, t0)
    amount = Decimal("4")

    out: dict[str, Callable[[], object]] = {
        "stdlib hex hmac-sha256 + compare_digest": stdlib_hex,
        "paystate usdt_gateway (hex hmac-sha256)": lambda: ps_hex.verify(hex_headers, BODY, t0),
        "stdlib Standard Webhooks (hand-written)": stdlib_sw,
        "standardwebhooks 1.1.0 Webhook.verify": lambda: sw_lib.verify(BODY, sw_headers),
        "paystate standard_webhooks": lambda: ps_sw.verify(sw_headers, BODY, t0),
        "stripe WebhookSignature.verify_header": lambda: stripe.WebhookSignature.verify_header(
            body_str, stripe_header, STRIPE_SECRET, 300
        ),
        "paystate stripe": lambda: ps_stripe.verify(stripe_headers, BODY, t0),
        "paystate usdt_gateway, host clock (time.time_ns)": lambda: ps_hex.verify(
            hex_headers, BODY, time.time_ns() // 1_000_000
        ),
        "trivial binding call: len(Matcher())": lambda: len(matcher),
        "trivial binding call: Verifier.key_count": lambda: ps_hex.key_count,
    }
    for name, fn in out.items():
        assert fn() not in (False, None) or name.startswith("trivial"), name
    invs = {"pool": [base.copy() for _ in range(1)]}

    def observe() -> object:
        pool = invs["pool"]
        if not pool:
            pool.extend(base.copy() for _ in range(2000))
        inv = pool.pop()
        return inv.observe_transfer("t1", amount, "USDT_TRC20", confirmed=True, now=t0)

    def copy_only() -> object:
        pool = invs["pool"]
        if not pool:
            pool.extend(base.copy() for _ in range(2000))
        return pool.pop()

    out["Invoice.observe_transfer (incl. pool pop)"] = observe
    out["  pool pop alone (subtract)"] = copy_only
    return out


def sample(fn: Callable[[], object]) -> float:
    n = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= SAMPLE_S * 1e9:
            return elapsed / n / 1000.0
        n *= 2 if elapsed < SAMPLE_S * 1e8 else 1
        n = max(n, int(n * SAMPLE_S * 1e9 / max(elapsed, 1)))


def main() -> None:
    all_cases = cases()
    times: dict[str, list[float]] = {k: [] for k in all_cases}
    for _ in range(REPS):
        for name, fn in all_cases.items():
            times[name].append(sample(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"python {sys.version.split()[0]}, paystate {paystate.__version__}, body {len(BODY)} B, "
        f"{REPS} repetitions x ~{SAMPLE_S}s, median"
    )
    print(f"{'case':<46} {'us/op':>8} {'ops/s':>11}")
    for k, v in med.items():
        print(f"{k:<46} {v:8.3f} {1e6 / v:11,.0f}")
    obs = med["Invoice.observe_transfer (incl. pool pop)"] - med["  pool pop alone (subtract)"]
    print(f"{'=> observe_transfer alone':<46} {obs:8.3f}")
    print()
    ratios = [
        ("stdlib hex hmac-sha256 + compare_digest", "paystate usdt_gateway (hex hmac-sha256)", 3),
        ("stdlib Standard Webhooks (hand-written)", "paystate standard_webhooks", None),
        ("standardwebhooks 1.1.0 Webhook.verify", "paystate standard_webhooks", 10),
        ("stripe WebhookSignature.verify_header", "paystate stripe", 6),
    ]
    print(f"{'speed-up':<82} {'x':>6}  goal")
    for slow, fast, goal in ratios:
        r = med[slow] / med[fast]
        verdict = "" if goal is None else (f">= {goal}x " + ("met" if r >= goal else "NOT met"))
        print(f"{fast + ' vs ' + slow:<82} {r:6.2f}  {verdict}")


if __name__ == "__main__":
    main()
