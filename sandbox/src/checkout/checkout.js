// The checkout page's live part: polls the status endpoint, redraws the status and the
// countdown, copies, and (sandbox) presses the simulate buttons. No build step, no
// dependencies. The countdown comes from the server's clock (the sandbox's test clock):
// between polls it only moves on its own when the server says the clock is real time.
(function () {
  "use strict";

  var root = document.getElementById("checkout");
  if (!root) {
    return;
  }
  var statusUrl = root.getAttribute("data-status-url");
  var simulateUrl = root.getAttribute("data-simulate-url");
  var qrBase = root.getAttribute("data-qr-url");
  var POLL_OPEN_MS = 1000;
  var POLL_CLOSED_MS = 5000;

  var last = null;
  // A refusal of the TXID form, shown until the next submission or a TXID the server holds.
  var txidError = "";
  var fetchedAt = 0;
  var timer = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    var el = byId(id);
    if (el && el.textContent !== text) {
      el.textContent = text;
    }
  }

  function isZero(amount) {
    return /^0(\.0*)?$/.test(amount);
  }

  function countdownText(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var r = s % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (r < 10 ? "0" : "") + r;
    return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function secondsLeft() {
    if (!last) {
      return 0;
    }
    var left = last.secondsLeft;
    if (last.realtime && last.open) {
      left -= Math.floor((Date.now() - fetchedAt) / 1000);
    }
    return Math.max(0, left);
  }

  function drawCountdown() {
    setText("countdown", countdownText(secondsLeft()));
  }

  function render(s) {
    last = s;
    fetchedAt = Date.now();
    root.setAttribute("data-state", s.state);
    var text = byId("status-text");
    if (text) {
      text.setAttribute("data-state", s.state);
    }
    setText("status-text", s.label);
    setText("status-hint", s.hint);
    var showMissing = !isZero(s.amountReceived) && !isZero(s.amountMissing) &&
      (s.state === "underpaid" || s.state === "expired" || s.state === "pending");
    var line = byId("missing-line");
    if (line) {
      line.hidden = !showMissing;
    }
    setText("missing", s.amountMissing);
    setText("to-send", s.amountToSend);
    var link = byId("wallet-link");
    if (link && link.getAttribute("href") !== s.paymentUri) {
      link.setAttribute("href", s.paymentUri);
      var qr = byId("qr");
      if (qr) {
        // A new URL per amount: the image is fetched again, never taken from a cache.
        qr.src = qrBase + "?v=" + encodeURIComponent(s.amountToSend);
        qr.alt = "QR code of the payment link for " + s.amountToSend + " USDT to the address above";
      }
    }
    setText("received", s.amountReceived);
    var txidForm = byId("txid-form");
    if (txidForm) {
      txidForm.hidden = !s.open;
      setText("txid-note", s.txidNote || txidError);
    }
    drawCountdown();
    var buttons = root.querySelectorAll("button[data-action]");
    for (var i = 0; i < buttons.length; i++) {
      var b = buttons[i];
      var action = b.getAttribute("data-action");
      if (action === "advance" || action === "expire") {
        b.hidden = s.realtime;
      }
      if (action === "rest") {
        b.disabled = isZero(s.amountMissing);
        b.textContent = isZero(s.amountMissing) ? "Pay the rest" : "Pay the rest (" + s.amountMissing + ")";
      }
      if (action === "expire") {
        b.disabled = !s.open;
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(poll, last && !last.open ? POLL_CLOSED_MS : POLL_OPEN_MS);
  }

  function poll() {
    fetch(statusUrl, { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (s) {
        if (s) {
          render(s);
        }
      })
      .catch(function () {
        // Offline for a moment: the next poll tries again.
      })
      .then(schedule);
  }

  function copy(button) {
    var el = byId(button.getAttribute("data-copy"));
    var note = byId("copy-note");
    if (!el) {
      return;
    }
    var value = el.textContent.trim();
    var done = function () {
      if (note) {
        note.textContent = "Copied " + button.getAttribute("aria-label").replace("Copy ", "") + ".";
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value).then(done, function () {
        if (note) {
          note.textContent = "Copy failed: select the text and copy it by hand.";
        }
      });
    } else {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    }
  }

  // A request of the page's own (the header proves it, see checkout.rs), with a JSON body
  // or none; resolves to { ok, body } with the parsed answer.
  function post(url, json) {
    var headers = { "X-Paystate-Checkout": "simulate", Accept: "application/json" };
    if (json !== null) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, {
      method: "POST",
      headers: headers,
      body: json === null ? undefined : JSON.stringify(json)
    }).then(function (r) {
      return r.json().then(function (body) {
        return { ok: r.ok, body: body };
      });
    });
  }

  function refused(body) {
    return "Refused: " + (body && body.message ? body.message : "error");
  }

  function simulate(button) {
    var note = byId("sandbox-note");
    var action = button.getAttribute("data-action");
    button.disabled = true;
    if (note) {
      note.textContent = "Working…";
    }
    post(simulateUrl + action, null)
      .then(function (res) {
        if (res.ok) {
          render(res.body);
          if (note) {
            note.textContent = "Done: " + button.textContent.trim() + ".";
          }
        } else if (note) {
          note.textContent = refused(res.body);
        }
      })
      .catch(function () {
        if (note) {
          note.textContent = "The sandbox did not answer.";
        }
      })
      .then(function () {
        button.disabled = false;
        if (last) {
          render(last);
        }
      });
  }

  // Seed 000's TXID form: the payer's transaction id, claimed on the invoice.
  function submitTxid(form) {
    var input = byId("txid");
    var button = byId("txid-submit");
    button.disabled = true;
    txidError = "";
    setText("txid-note", "Working…");
    post(form.getAttribute("data-txid-url"), { txId: input.value.trim() })
      .then(function (res) {
        if (res.ok) {
          render(res.body);
        } else {
          txidError = refused(res.body);
        }
      })
      .catch(function () {
        txidError = "The sandbox did not answer.";
      })
      .then(function () {
        button.disabled = false;
        if (last) {
          render(last);
        }
      });
  }

  root.addEventListener("submit", function (e) {
    if (e.target.id === "txid-form") {
      e.preventDefault();
      submitTxid(e.target);
    }
  });

  root.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof HTMLButtonElement)) {
      return;
    }
    if (t.hasAttribute("data-copy")) {
      copy(t);
    } else if (t.hasAttribute("data-action")) {
      simulate(t);
    }
  });

  setInterval(drawCountdown, 1000);
  poll();
})();
