"""The hosted checkout page of `paystate sandbox`, in a real headless Chromium.

Starts the built sandbox binary on a free loopback port with an in-memory database and
its webhooks forwarded to a small shop server in this process, creates invoices through
the seed-001 API (and one seed-000 checkout session) and drives the page with Selenium
(Debian's chromium and chromedriver; nothing is downloaded). Every wait is bounded; the
sandbox, chromedriver and every browser process are ended by pid. Screenshots of each
state go to ``--shots`` (default ``target/browser-tests``).

    python test_checkout.py --bin target/debug/paystate-sandbox
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

KEY = "test_browser_checkout"
SECRET = "whsec_browser_checkout"  # noqa: S105 (a throw-away test secret)
WAIT_SECONDS = 15
START_SECONDS = 30
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
PHONE_WIDTH = 390
PHONE_HEIGHT = 844


def log(msg: str) -> None:
    """Print a progress line at once (the CI log shows where a failure happened)."""
    print(f"[browser-test] {msg}", flush=True)


def check(cond: bool, what: str) -> None:
    """Fail the test with ``what`` unless ``cond`` (an assert that survives ``-O``)."""
    if not cond:
        raise AssertionError(what)


# ---- the shop: receives the sandbox's webhooks ----------------------------------------


class Shop:
    """The shop's webhook endpoint: answers 200 to every POST and keeps what it got.

    An HTTP server on a free 127.0.0.1 port, served by a thread of this process.
    """

    def __init__(self) -> None:
        """Start serving."""
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        shop = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size)
                with shop.lock:
                    # Header names as lowercase keys (HTTP names are case-insensitive).
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    shop.got.append((self.path, headers, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        log(f"shop at {self.url}")

    def received(self) -> list[tuple[str, dict[str, str], bytes]]:
        """Every webhook received so far."""
        with self.lock:
            return list(self.got)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


# ---- the sandbox process ----------------------------------------------------------------


class Sandbox:
    """The built sandbox binary on a free 127.0.0.1 port, in-memory database, test clock."""

    def __init__(self, binary: Path, forward_to: str) -> None:
        """Start it and read its base URL from the first line it prints."""
        self.proc = subprocess.Popen(  # noqa: S603 (a path we were given, no shell)
            [
                str(binary),
                "--port",
                "0",
                "--database",
                ":memory:",
                "--api-key",
                KEY,
                "--webhook-secret",
                SECRET,
                # Every webhook to the shop (seed 000's notify_url must be HTTPS).
                "--forward-to",
                forward_to,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()

        def drain() -> None:
            # Keeps reading so the child never blocks on a full pipe.
            for line in self.proc.stdout or ():
                lines.put(line)

        threading.Thread(target=drain, daemon=True).start()
        try:
            first = lines.get(timeout=START_SECONDS)
        except queue.Empty:
            self.stop()
            raise AssertionError("the sandbox printed nothing within 30 s") from None
        self.base = first.strip().rsplit(" ", 1)[-1]
        check(self.base.startswith("http://127.0.0.1:"), f"unexpected first line {first!r}")
        log(f"sandbox pid {self.proc.pid} at {self.base}")

    def stop(self) -> None:
        """End the sandbox by its pid (SIGTERM, then SIGKILL after 5 s)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        log(f"sandbox pid {self.proc.pid} ended ({self.proc.returncode})")

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One API request with the key (or ``headers``); JSON numbers read as decimals."""
        req = urllib.request.Request(  # noqa: S310 (loopback http only)
            self.base + path,
            data=body,
            method=method,
            headers=headers
            or {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=WAIT_SECONDS) as resp:  # noqa: S310
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        return status, json.loads(raw, parse_float=Decimal) if raw else None

    def create_invoice(self, reference: str, amount: str, asset: str, **extra: Any) -> Any:
        """``POST /api/v1/invoices``; ``amount`` is written into the JSON as a number literal."""
        Decimal(amount)  # a well-formed decimal, never a float
        fields = {"assetCode": asset, "reference": reference, **extra}
        body = json.dumps(fields)[:-1] + f', "amountUsdt": {amount}}}'
        status, invoice = self.call("POST", "/api/v1/invoices", body.encode())
        check(status == 201, f"create {reference}: {status} {invoice}")
        return invoice

    def invoice(self, invoice_id: str) -> Any:
        """``GET /api/v1/invoices/{id}``."""
        status, invoice = self.call("GET", f"/api/v1/invoices/{invoice_id}")
        check(status == 200, f"get {invoice_id}: {status} {invoice}")
        return invoice


# ---- the browser ------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc), so each browser process is ended by pid."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the ppid follows the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


class Browser:
    """Headless Chromium under chromedriver, both Debian's."""

    def __init__(self) -> None:
        """Start chromedriver and a desktop-sized headless Chromium."""
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--window-size=900,1300",
            "--lang=en-US",
        ):
            opts.add_argument(arg)
        self.service = Service(executable_path=CHROMEDRIVER)
        self.driver: WebDriver = webdriver.Chrome(service=self.service, options=opts)
        self.driver.set_page_load_timeout(WAIT_SECONDS)
        self.driver.set_script_timeout(WAIT_SECONDS)
        check(self.service.process is not None, "chromedriver started")
        self.driver_pid: int = self.service.process.pid  # type: ignore[union-attr]
        log(f"chromedriver pid {self.driver_pid}, browser pids {descendants(self.driver_pid)}")

    def stop(self) -> None:
        """Quit, then end by pid whatever of chromedriver and the browser is still alive."""
        pids = descendants(self.driver_pid)
        try:
            self.driver.quit()
        except Exception as e:  # noqa: BLE001 (the pids below are ended regardless)
            log(f"quit failed: {e}")
        deadline = time.monotonic() + 5
        alive = [p for p in [*pids, self.driver_pid] if Path(f"/proc/{p}").exists()]
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [p for p in alive if Path(f"/proc/{p}").exists() and not zombie(p)]
        for p in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        log(f"chromedriver and {len(pids)} browser processes ended ({len(alive)} by SIGKILL)")


def zombie(pid: int) -> bool:
    """Whether ``pid`` has exited and waits to be reaped (it counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def wait_for(driver: WebDriver, what: str, cond: Callable[[WebDriver], Any]) -> Any:
    """Wait at most WAIT_SECONDS for ``cond`` to hold."""
    try:
        return WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.1).until(cond)
    except Exception as e:
        raise AssertionError(f"timed out after {WAIT_SECONDS} s waiting for {what}") from e


def text(driver: WebDriver, element_id: str) -> str:
    """The visible text of an element."""
    return driver.find_element(By.ID, element_id).text.strip()


def qr_loaded(driver: WebDriver) -> bool:
    """Whether the QR code image has loaded and has a size."""
    return bool(
        driver.execute_script(
            "const q = document.getElementById('qr');"
            "return q.complete && q.naturalWidth >= 200 && q.naturalHeight >= 200;"
        )
    )


def state(driver: WebDriver) -> str:
    """The page's state (``data-state`` of the checkout)."""
    return driver.find_element(By.ID, "checkout").get_attribute("data-state") or ""


def wait_state(driver: WebDriver, want: str, label: str) -> None:
    """Wait until the page shows state ``want`` with the words ``label``."""
    wait_for(
        driver,
        f"state {want!r} / {label!r}",
        lambda d: state(d) == want and text(d, "status-text") == label,
    )


def open_pending(driver: WebDriver, url: str) -> None:
    """Opens a payment page (or a link that lands on one) and waits for its pending state."""
    driver.get(url)
    wait_state(driver, "pending", "Waiting for payment")


def click(driver: WebDriver, action: str) -> None:
    """Press a sandbox button."""
    driver.find_element(By.CSS_SELECTOR, f'button[data-action="{action}"]').click()


# ---- the scenarios ----------------------------------------------------------------------


def pay_short_then_rest(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """A fresh invoice: amount and address from the DOM, short, underpaid, the rest, paid."""
    inv = sb.create_invoice(
        "BROWSER-SHORT",
        "123.45",
        "USDT_TRC20",
        useWhiteLabel=True,
        title="Order #1042",
        description="Two notebooks and a pen",
    )
    open_pending(driver, inv["paymentUrl"])
    check(text(driver, "amount") == inv["amountUsdtExact"], "amount on the page = API amount")
    check(text(driver, "address") == inv["payoutAddress"], "address on the page = API address")
    check(text(driver, "asset") == "USDT_TRC20", "asset shown")
    check(text(driver, "network") == "Tron (TRC20)", "network shown")
    check(text(driver, "countdown") == "30:00", f"countdown {text(driver, 'countdown')}")
    wait_for(driver, "the QR code drawn", qr_loaded)
    link = driver.find_element(By.ID, "wallet-link").get_attribute("href") or ""
    check(inv["payoutAddress"] in link and link.endswith("&amount=123.45"), f"wallet link {link}")
    check(not driver.find_element(By.ID, "missing-line").is_displayed(), "nothing missing yet")
    driver.save_screenshot(str(shots / "1-pending.png"))

    # Copy button: the address lands on the clipboard.
    driver.find_element(By.CSS_SELECTOR, 'button[data-copy="address"]').click()
    wait_for(driver, "copy note", lambda d: text(d, "copy-note") == "Copied address.")
    clip = driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('!' + e));"
    )
    check(clip == inv["payoutAddress"], f"clipboard holds the address, got {clip!r}")

    click(driver, "short")
    wait_state(driver, "underpaid", "Underpaid: part of the amount arrived")
    wait_for(driver, "missing amount", lambda d: d.find_element(By.ID, "missing").is_displayed())
    due = Decimal(inv["amountUsdtExact"])
    missing = Decimal(text(driver, "missing"))
    received = Decimal(text(driver, "received"))
    check(received == due * Decimal("0.9"), f"received {received}")
    check(missing == due - received, f"missing {missing} = {due} - {received}")
    check(text(driver, "missing") == "12.3450", f"missing shown as {text(driver, 'missing')}")
    # The QR code and the wallet link now ask for what is missing.
    check(text(driver, "to-send") == "12.3450", "the QR code asks for the rest")
    link = driver.find_element(By.ID, "wallet-link").get_attribute("href") or ""
    check(link.endswith("&amount=12.345"), f"wallet link {link}")
    qr_src = driver.find_element(By.ID, "qr").get_attribute("src") or ""
    check(qr_src.endswith("/qr.svg?v=12.3450"), f"QR image {qr_src}")
    wait_for(driver, "the new QR code drawn", qr_loaded)
    check(sb.invoice(inv["id"])["status"] == "pending", "API: still pending after a short pay")
    driver.save_screenshot(str(shots / "2-underpaid.png"))

    rest = driver.find_element(By.CSS_SELECTOR, 'button[data-action="rest"]')
    check(rest.text == "Pay the rest (12.3450)", f"rest button {rest.text!r}")
    click(driver, "rest")
    wait_state(driver, "paid", "Paid")
    check(not driver.find_element(By.ID, "missing-line").is_displayed(), "nothing missing")
    check(sb.invoice(inv["id"])["status"] == "confirmed", "API: confirmed")
    driver.save_screenshot(str(shots / "3-paid.png"))
    log("pay short, underpaid, pay the rest, paid: ok")


def expire_on_the_test_clock(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """Another invoice: the countdown follows the test clock; past the deadline, expired."""
    inv = sb.create_invoice("BROWSER-EXPIRE", "49.9", "USDT_ERC20")
    open_pending(driver, inv["paymentUrl"])
    check(text(driver, "address") == inv["payoutAddress"], "ERC-20 address shown")
    check(text(driver, "countdown") == "30:00", "30 minutes to pay")
    # The test clock stands still: after two poll intervals the countdown has not moved.
    time.sleep(2.2)
    check(text(driver, "countdown") == "30:00", "countdown frozen with the test clock")
    click(driver, "advance")
    wait_for(driver, "countdown 25:00", lambda d: text(d, "countdown") == "25:00")
    # Past the deadline through the API: the page learns it by polling, without a reload.
    status, _ = sb.call("POST", "/sandbox/clock/advance", b'{"seconds": 1501}')
    check(status == 200, "advance through the API")
    wait_state(driver, "expired", "Expired")
    wait_for(driver, "countdown 00:00", lambda d: text(d, "countdown") == "00:00")
    check(sb.invoice(inv["id"])["status"] == "expired", "API: expired")
    expire = driver.find_element(By.CSS_SELECTOR, 'button[data-action="expire"]')
    check(not expire.is_enabled(), "nothing left to expire")
    driver.save_screenshot(str(shots / "4-expired.png"))
    log("advance clock, countdown, expired: ok")


def processing_then_paid(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """An unconfirmed payment shows as processing; the test clock confirms it: paid."""
    inv = sb.create_invoice("BROWSER-PROCESSING", "42.1234", "USDT_TRC20")
    open_pending(driver, inv["paymentUrl"])
    status, body = sb.call(
        "POST",
        f"/sandbox/invoices/{inv['id']}/pay",
        b'{"confirmed": false, "confirmAfterSeconds": 600}',
    )
    check(status == 200, f"unconfirmed pay through the API: {status} {body}")
    wait_state(driver, "processing", "Payment seen, waiting for confirmation")
    driver.save_screenshot(str(shots / "4a-processing.png"))
    click(driver, "advance")
    wait_for(driver, "countdown 25:00", lambda d: text(d, "countdown") == "25:00")
    check(state(driver) == "processing", "still processing after 5 of 10 minutes")
    click(driver, "advance")
    wait_state(driver, "paid", "Paid")
    check(sb.invoice(inv["id"])["status"] == "confirmed", "API: confirmed")
    log("unconfirmed payment: processing, then paid on the test clock: ok")


def keyboard_only(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """The pay buttons are reachable and usable with the keyboard alone."""
    inv = sb.create_invoice("BROWSER-KEYS", "10", "USDT_BSC")
    open_pending(driver, inv["paymentUrl"])
    body = driver.find_element(By.TAG_NAME, "body")
    body.click()
    for _ in range(40):
        active = driver.switch_to.active_element
        if active.get_attribute("data-action") == "exact":
            break
        active.send_keys(Keys.TAB)
    else:
        raise AssertionError("Tab never reached the 'pay exact' button")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_state(driver, "paid", "Paid")
    check(sb.invoice(inv["id"])["status"] == "confirmed", "API: confirmed")
    log("keyboard: tab to 'pay exact', enter, paid: ok")


def phone_width(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """At 390 px wide nothing overflows sideways (the longest address included)."""
    inv = sb.create_invoice(
        "BROWSER-PHONE-WITH-A-LONG-REFERENCE-0123456789",
        "1999.9999",
        "USDT_ERC20",
        useWhiteLabel=True,
        title="A rather long order title that has to wrap on a small phone screen",
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 2, "mobile": True},
    )
    try:
        open_pending(driver, inv["paymentUrl"])
        click(driver, "short")
        wait_state(driver, "underpaid", "Underpaid: part of the amount arrived")
        width = driver.execute_script("return window.innerWidth")
        check(width == PHONE_WIDTH, f"viewport {width} px")
        overflow = driver.execute_script(
            """
            const w = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > w + 0.5)
              .map(e => e.tagName + '#' + e.id + '.' + e.className);
            return {scroll: document.documentElement.scrollWidth, client: w, wide: wide};
            """
        )
        check(
            overflow["scroll"] <= overflow["client"] and not overflow["wide"],
            f"horizontal overflow at {PHONE_WIDTH} px: {overflow}",
        )
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(shots / "5-phone-underpaid.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    log(f"phone width {PHONE_WIDTH} px, no horizontal overflow: ok")


def clear_pages(sb: Sandbox, driver: WebDriver, shots: Path) -> None:
    """An unknown reference and a cancelled invoice get a plain page, not an error trace."""
    driver.get(sb.base + "/pay/NO-SUCH-REFERENCE")
    check(text(driver, "title") == "Payment not found", "unknown reference page")
    check("statusCode" not in driver.page_source, "no JSON error on the page")
    driver.save_screenshot(str(shots / "6-not-found.png"))
    inv = sb.create_invoice("BROWSER-CANCELLED", "5", "USDT_TRC20")
    status, _ = sb.call("POST", f"/api/v1/invoices/{inv['id']}/cancel")
    check(status == 200, "cancel through the API")
    driver.get(inv["paymentUrl"])
    check(text(driver, "title") == "This payment was cancelled", "cancelled page")
    check(inv["payoutAddress"] not in driver.page_source, "no address on a cancelled page")
    driver.save_screenshot(str(shots / "7-cancelled.png"))
    log("unknown reference and cancelled invoice pages: ok")


def seed_000_link(sb: Sandbox, driver: WebDriver, shots: Path, shop: Shop) -> None:
    """A seed-000 checkout link, paid on its page with the payer's TXID; then used up.

    The link lands on the page; the payer submits a TXID in its form; "pay exact" sends
    that transfer; the shop's ``payment.completed`` names it (``bybit_pay_id``) and is
    recorded in /sandbox/deliveries; the link opened again shows "already used".
    """
    status, session = sb.call(
        "POST",
        "/api/v1/merchant/checkout-session",
        b'{"amount":10.50,"note":"order_browser"}',
        {"X-Merchant-Key": KEY, "Content-Type": "application/json"},
    )
    check(status == 200, f"checkout session: {status} {session}")
    link = session["checkout_url"]
    open_pending(driver, link)
    path = driver.current_url.removeprefix(sb.base)
    check(path.startswith("/pay/"), f"the link lands on the page, at {driver.current_url}")
    invoice_id = path.removeprefix("/pay/")
    check(text(driver, "amount") == "10.5000", f"amount {text(driver, 'amount')}")
    check(text(driver, "asset") == "USDT_BYBIT", "a Bybit internal transfer")
    check(text(driver, "bybit-uid") == "0", "the sandbox's Bybit UID")
    check(text(driver, "pay-reference") == "order_browser", "the note as reference")
    check(not driver.find_elements(By.ID, "qr"), "no QR code of a chain URI")
    driver.save_screenshot(str(shots / "8-seed000-pending.png"))

    # The payer's TXID, typed into the page's form and submitted with Enter; an empty one
    # is refused with the core's message first.
    txid = "SBX-TX-20261206-0001"
    field = driver.find_element(By.ID, "txid")
    field.send_keys(Keys.ENTER)
    wait_for(driver, "the empty TXID refused", lambda d: "Refused:" in text(d, "txid-note"))
    check("txId" in text(driver, "txid-note"), f"names the field: {text(driver, 'txid-note')}")
    field.send_keys(txid, Keys.ENTER)
    wait_for(
        driver,
        "the TXID accepted",
        lambda d: text(d, "txid-note") == f"TXID {txid} submitted: waiting for that transfer.",
    )
    driver.save_screenshot(str(shots / "8b-seed000-txid.png"))

    click(driver, "exact")
    wait_state(driver, "paid", "Paid")
    wait_for(
        driver,
        "the TXID form hidden once paid",
        lambda d: not d.find_element(By.ID, "txid-form").is_displayed(),
    )

    def completed(_: WebDriver) -> Any:
        status, listed = sb.call("GET", f"/sandbox/deliveries?invoiceId={invoice_id}")
        check(status == 200, f"deliveries: {status}")
        for d in listed["data"]:
            body = json.loads(d["body"], parse_float=Decimal)
            if body.get("event") == "payment.completed" and any(
                a["statusCode"] == 200 for a in d["attempts"]
            ):
                return body
        return None

    body = wait_for(driver, "payment.completed delivered to the shop", completed)
    check(body["amount"] == Decimal("10.5"), f"webhook amount {body['amount']}")
    check(body["note"] == "order_browser", f"webhook note {body['note']}")
    check(body["bybit_pay_id"] == txid, f"webhook bybit_pay_id {body['bybit_pay_id']}")
    got = [
        h
        for _, h, b in shop.received()
        if json.loads(b, parse_float=Decimal).get("event") == "payment.completed"
    ]
    check(len(got) == 1, f"the shop got payment.completed once, got {len(got)}")
    check(got[0].get("x-gateway-merchant-key") == KEY, "with X-Gateway-Merchant-Key")
    driver.save_screenshot(str(shots / "9-seed000-paid.png"))

    driver.get(link)
    check(
        text(driver, "title") == "This checkout link was already used",
        f"used link page, got {text(driver, 'title')!r}",
    )
    check(driver.find_elements(By.CSS_SELECTOR, "main.checkout.message"), "page style")
    driver.save_screenshot(str(shots / "10-seed000-link-used.png"))
    log("seed-000 link: page, pay exact, paid, payment.completed delivered, link used: ok")


def main() -> int:
    """Run every scenario; exit 0 when all pass."""
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, default=root / "target/debug/paystate-sandbox")
    parser.add_argument("--shots", type=Path, default=root / "target/browser-tests")
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    shop = Shop()
    try:
        sb = Sandbox(args.bin, shop.url)
    except BaseException:
        shop.stop()
        raise
    browser: Browser | None = None
    try:
        browser = Browser()
        driver = browser.driver
        driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {
                "origin": sb.base,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        )
        for scenario in (
            pay_short_then_rest,
            expire_on_the_test_clock,
            processing_then_paid,
            keyboard_only,
            phone_width,
            clear_pages,
        ):
            scenario(sb, driver, args.shots)
        seed_000_link(sb, driver, args.shots, shop)
    finally:
        if browser is not None:
            browser.stop()
        sb.stop()
        shop.stop()
    log(f"all passed in {time.monotonic() - started:.1f} s; screenshots in {args.shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
