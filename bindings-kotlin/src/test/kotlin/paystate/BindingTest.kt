package paystate

import java.io.File
import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Unit tests of the Kotlin surface: errors, BigDecimal, Instant, storage, hostile inputs. */
class BindingTest {
    private val t0: Instant = Instant.parse("2026-01-01T00:00:00Z")

    private fun spec(id: String = "inv_1", due: String = "5", asset: Asset = Asset.USDT_TRC20): InvoiceSpec =
        newInvoiceSpec(id, Pricing.Due(BigDecimal(due)), asset, Expiry.InSeconds(1800uL))

    private fun transfer(tx: String, amount: String, confirmed: Boolean = true, asset: Asset = Asset.USDT_TRC20) =
        TransferInput(tx, BigDecimal(amount), asset, confirmed)

    /** Runs `block`, which must throw exactly a PaystateException (never anything else). */
    private fun typed(block: () -> Unit): PaystateException = assertThrows<PaystateException> { block() }

    // ---- errors ----

    @Test
    fun errorCarriesCodeAndTheCoreMessage() {
        val invoice = createInvoice(spec(), t0).invoice
        val e = typed { invoice.observeTransfer(transfer("t1", "-1"), t0) }
        assertTrue(e is PaystateException.InvalidAmount)
        assertEquals("invalid_amount", e.code)
        // The field the core names, carried as data (not only inside the message):
        assertEquals("transfer.amount", e.field)
        assertEquals("transfer.amount", (e as PaystateException.InvalidAmount).field)
        // `detail` is the core's message, not UniFFI's field dump; `message` is that dump
        // and still contains both.
        assertTrue(e.detail.startsWith("transfer.amount: invalid amount \"-1\""), e.detail)
        assertFalse(e.detail.contains("detail="), e.detail)
        assertTrue(e.message!!.contains(e.detail), e.message)
        // An error about no particular field has none.
        assertEquals(null, typed { Verifier(Scheme.STRIPE, listOf("k")).verify(emptyMap(), ByteArray(0), t0) }.field)
    }

    @Test
    fun everyCoreCodeIsKnown() {
        val seen = listOf(
            typed { parseAmount("1e3") },
            typed { parseAsset("USDT") },
            typed { parseStatus("done") },
            typed { createInvoice(spec(due = "1.0000001"), t0) },
            typed { Invoice.fromJson("{") },
            typed { command_missing_field() },
        ).map { it.code }
        assertEquals(listOf("invalid_amount", "invalid_asset", "invalid_field", "too_many_decimals", "malformed_json", "missing_field"), seen)
        val codes = errorCodes()
        assertEquals(codes.toSet().size, codes.size)
        assertTrue(codes.containsAll(seen + listOf("limit_exceeded", "invalid_state")), codes.toString())
    }

    private fun command_missing_field() {
        commandFromJson("""{"op":"confirm_transfer"}""")
    }

    @Test
    fun stateIsUntouchedAfterAnError() {
        val invoice = createInvoice(spec(), t0).invoice
        invoice.observeTransfer(transfer("t1", "2"), t0.plusSeconds(10))
        val before = invoice.toJson()
        val e = typed { invoice.observeTransfer(transfer("t1", "3"), t0.plusSeconds(20)) }
        assertEquals("integrity_conflict", e.code)
        assertEquals(before, invoice.toJson())
        assertEquals("invalid_transition", typed { invoice.cancel(t0.plusSeconds(30)) }.code)
        assertEquals(before, invoice.toJson())
    }

    // ---- money: BigDecimal, never a double ----

    @Test
    fun amountsAreExactBigDecimals() {
        val invoice = createInvoice(spec(due = "0.3"), t0).invoice
        invoice.observeTransfer(transfer("a", "0.1"), t0.plusSeconds(1))
        val events = invoice.observeTransfer(transfer("b", "0.2"), t0.plusSeconds(2))
        assertEquals(Status.PAID, invoice.status())
        assertEquals(listOf(EventType.PAYMENT_RECEIVED, EventType.PAID), events.map { it.eventType })
        assertEquals(0, BigDecimal("0.3").compareTo(invoice.snapshot().amountPaid))
        assertEquals("0.3", invoice.snapshot().amountPaid.toPlainString())

        // 18 decimals on BSC and 28 significant digits survive the round trip exactly.
        val bsc = createInvoice(spec(id = "bsc", due = "0.000000000000000001", asset = Asset.USDT_BSC), t0).invoice
        assertEquals(BigDecimal("0.000000000000000001"), bsc.due())
        assertEquals("1234567890123456789012345678", parseAmount("1234567890123456789012345678").toPlainString())
        // Shortest exact form comes back; trailing zeros are free on the way in.
        assertEquals("10.5", parseAmount("10.50").toPlainString())
        assertEquals("5", createInvoice(spec(id = "z", due = "5.000000000"), t0).invoice.due().toPlainString())
        // A BigDecimal in scientific notation is lowered with toPlainString, not "1E+3".
        assertEquals("1000", createInvoice(spec(id = "sci", due = "1E+3"), t0).invoice.due().toPlainString())
    }

    @Test
    fun noDoubleInTheGeneratedAmountPath() {
        val root = File(System.getProperty("paystate.repo.root") ?: "..")
        val kt = File(root, "bindings-kotlin/target/generated-sources/uniffi/paystate/paystate_ffi.kt").readText()
        assertTrue(kt.contains("public typealias Amount = BigDecimal"))
        // UniFFI emits a converter per type the interface uses; none is a float or double.
        assertFalse(Regex("FfiConverter(Double|Float)\\b").containsMatchIn(kt), "the generated API uses a floating type")
    }

    @Test
    fun tolerancePercentAndPriceAreDecimals() {
        val s = spec(due = "100").copy(tolerance = Tolerance.Percent(BigDecimal("0.5")))
        val invoice = createInvoice(s, t0).invoice
        assertEquals(BigDecimal("99.5").compareTo(invoice.threshold()), 0)
        val priced = newInvoiceSpec(
            "p", Pricing.Price(BigDecimal("123.45"), "EUR", BigDecimal("1.0812345"), BigDecimal("0.5")),
            Asset.USDT_TRC20, Expiry.InSeconds(60uL),
        )
        // 123.45 × 1.0812345 + 0.5 = 133.978399025, rounded up to 6 decimals.
        assertEquals("133.9784", createInvoice(priced, t0).invoice.due().toPlainString())
    }

    // ---- time: Instant ----

    @Test
    fun instantsRoundTripAtMillisecondPrecision() {
        val at = Instant.parse("2026-03-24T12:00:00.250Z")
        val invoice = createInvoice(spec(), at).invoice
        assertEquals(at, invoice.createdAt())
        assertEquals(Instant.parse("2026-03-24T12:30:00.250Z"), invoice.deadline())
        assertEquals(invoice.deadline(), invoice.nextDeadline())
        assertEquals("2026-03-24T12:00:00.250Z", formatTimestamp(at))
        assertEquals(at, parseTimestamp("2026-03-24T14:00:00.250+02:00"))
        // Sub-millisecond parts are dropped (the core works in milliseconds).
        assertEquals(at, createInvoice(spec(id = "n"), at.plusNanos(999_999)).invoice.createdAt())
        assertEquals(Status.EXPIRED, invoice.statusAt(invoice.deadline()))
        assertEquals(listOf(EventType.EXPIRED), invoice.tick(invoice.deadline()).map { it.eventType })
    }

    @Test
    fun instantsOutsideTheCoreRangeAreTypedErrors() {
        for (bad in listOf(Instant.MAX, Instant.MIN, Instant.EPOCH.minusMillis(1), Instant.parse("+10000-01-01T00:00:00Z"))) {
            assertEquals("invalid_field", typed { createInvoice(spec(), bad) }.code, bad.toString())
        }
        val e = typed { createInvoice(spec().copy(expiry = Expiry.At(Instant.MAX)), t0) }
        assertEquals("invalid_field", e.code)
        assertTrue(e.detail.startsWith("invoice.expires_at"), e.detail)
        assertEquals("invoice.expires_at", e.field)
    }

    // ---- storage, journal, replay ----

    @Test
    fun storeReloadAndReplay() {
        val created = createInvoice(spec().copy(reference = "ORDER-1", metadataJson = """{"cart":[1,2.50]}"""), t0)
        assertEquals(listOf("inv_1:1"), created.events.map { it.id })
        assertTrue(created.events[0].json.contains("\"type\":\"invoice.created\""))
        val invoice = created.invoice
        val journal = mutableListOf(JournalEntry(t0, Command.Create(invoice.spec())))
        val cmds = listOf(
            Command.ObserveTransfer(transfer("t1", "3", confirmed = false)),
            Command.ConfirmTransfer("t1"),
            Command.ObserveTransfer(transfer("t2", "2.5")),
            Command.RequestRefund("r1", BigDecimal("1")),
            Command.SettleRefund("r1", RefundOutcome.SUCCEEDED),
        )
        cmds.forEachIndexed { i, c ->
            val at = t0.plusSeconds(60L * (i + 1))
            invoice.applyCommand(c, at)
            journal.add(JournalEntry(at, c))
        }
        assertEquals(Status.PARTIALLY_REFUNDED, invoice.status())
        assertEquals("""{"cart":[1,2.50]}""", invoice.spec().metadataJson)

        val reloaded = Invoice.fromJson(invoice.toJson())
        assertTrue(reloaded.sameState(invoice))
        val replayed = Invoice.replay(journalFromJson(journalToJson(journal)))
        assertTrue(replayed.sameState(invoice))
        assertEquals(invoice.toJson(), replayed.toJson())

        val copy = invoice.copy()
        copy.requestRefund("r2", null, t0.plusSeconds(1000))
        assertFalse(copy.sameState(invoice))
        assertEquals(2, invoice.transfers().size)
        assertEquals(RefundState.SUCCEEDED, invoice.refunds().single().state)
    }

    @Test
    fun commandsReadFromJsonLikeTheScenarios() {
        val c = commandFromJson("""{"op":"observe_transfer","transfer":{"tx_id":"t","amount":"1.5","asset":"USDT_TRC20","confirmed":true}}""")
        assertEquals(Command.ObserveTransfer(TransferInput("t", BigDecimal("1.5"), Asset.USDT_TRC20, true, null)), c)
        assertEquals(Command.MarkPaid, commandFromJson("""{"op":"mark","status":"paid"}"""))
        // Amounts as JSON numbers are refused, never read through a double.
        assertEquals("invalid_amount", typed {
            commandFromJson("""{"op":"observe_transfer","transfer":{"tx_id":"t","amount":1.5,"asset":"USDT_TRC20","confirmed":true}}""")
        }.code)
        assertEquals("invalid_field", typed { commandFromJson("""{"op":"mark","status":"pending"}""") }.code)
        val spec = invoiceSpecFromJson("""{"id":"i","due":"5","asset":"USDT_TRC20","expires_in":1800,"tolerance":{"absolute":"1"}}""")
        assertEquals(Tolerance.Absolute(BigDecimal("1")), spec.tolerance)
        assertEquals(spec, invoiceSpecFromJson(invoiceSpecToJson(spec)))
    }

    // ---- matching, sessions, signatures, delivery ----

    @Test
    fun matcherAllocatesUniqueAmounts() {
        val m = Matcher()
        val a = m.allocate("acct", "i1", BigDecimal("10"), BigDecimal("0.01"), null)
        val b = m.allocate("acct", "i2", BigDecimal("10"), BigDecimal("0.01"), null)
        assertEquals("10", a.toPlainString())
        assertEquals("10.01", b.toPlainString())
        assertEquals(TransferMatch.Matched("i2"), m.matchAmount("acct", BigDecimal("10.010")))
        assertEquals(TransferMatch.Unmatched, m.matchAmount("acct", BigDecimal("10.005")))
        assertEquals("invalid_field", typed { m.allocate("acct", "i1", BigDecimal("10"), BigDecimal("1"), null) }.code)
        val restored = Matcher.fromJson(m.toJson())
        assertEquals(TransferMatch.Matched("i1"), restored.matchAmount("acct", BigDecimal("10")))
    }

    @Test
    fun sessionsAreSingleUse() {
        val invoice = createInvoice(spec(), t0).invoice
        val s = Session.open("s1", invoice, 600uL, t0)
        assertEquals(t0.plusSeconds(600), s.expiresAt())
        s.useAt(invoice, t0.plusSeconds(1))
        assertEquals("session_used", typed { s.useAt(invoice, t0.plusSeconds(2)) }.code)
        val token = sessionToken("server-secret".toByteArray(), "s1")
        assertTrue(verifySessionToken("server-secret".toByteArray(), "s1", token))
        assertFalse(verifySessionToken("server-secret".toByteArray(), "s2", token))
    }

    @Test
    fun signAndVerifyStandardWebhooksWithoutLeakingTheSecret() {
        val secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        val body = """{"test": 2432232314}""".toByteArray()
        val ts = Instant.ofEpochSecond(1614265330)
        val signed = Signer(Scheme.STANDARD_WEBHOOKS, listOf(secret))
            .sign(body, SignInput(id = "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp = ts))
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signed.header("webhook-signature"))
        val verifier = Verifier(Scheme.STANDARD_WEBHOOKS, listOf("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", secret))
        val headers = signed.headers().associate { it.name to it.value }
        val ok = verifier.verify(headers, body, ts.plusSeconds(10))
        assertEquals(1u, ok.keyIndex)
        assertNotNull(ok.replay)
        val guard = ReplayGuard()
        guard.record(ok, ts)
        assertEquals("replayed", typed { guard.record(ok, ts.plusSeconds(1)) }.code)

        val tampered = typed { verifier.verify(headers, body + ' '.code.toByte(), ts) }
        assertEquals("signature_mismatch", tampered.code)
        assertEquals("timestamp_out_of_tolerance", typed { verifier.verify(headers, body, ts.plusSeconds(301)) }.code)
        for (text in listOf(tampered.message!!, tampered.detail, verifier.toString(), signed.toString())) {
            assertFalse(text.contains("MfKQ9r8GKYqr"), text)
        }
    }

    @Test
    fun verifyRequestIsVerifyInOneValue() {
        val secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        val body = """{"test": 2432232314}""".toByteArray()
        val ts = Instant.ofEpochSecond(1614265330)
        val signed = Signer(Scheme.STANDARD_WEBHOOKS, listOf(secret))
            .sign(body, SignInput(id = "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp = ts))
        val verifier = Verifier(Scheme.STANDARD_WEBHOOKS, listOf(secret))
        // Only the headers the scheme reads, as the core names them.
        val names = verifier.headerNames()
        assertTrue(names.containsAll(listOf("webhook-id", "webhook-timestamp", "webhook-signature")), names.toString())
        assertTrue(Verifier(Scheme.MONETIX, listOf("k")).headerNames().isEmpty())
        val headers = signed.headers().associate { it.name to it.value }.filterKeys { it.lowercase() in names }
        val request = WebhookRequest(headers, body)
        assertEquals(verifier.verify(headers, body, ts), verifier.verifyRequest(request, ts))
        val tampered = typed { verifier.verifyRequest(request.copy(body = body + ' '.code.toByte()), ts) }
        assertEquals("signature_mismatch", tampered.code)
        assertEquals("signature_missing", typed { verifier.verifyRequest(WebhookRequest(emptyMap(), body), ts) }.code)
    }

    @Test
    fun journalEntryFromJsonIsTheCoreReader() {
        val entry = journalEntryFromJson("""{"at": "2026-01-01T00:00:00Z", "command": {"op": "tick"}}""")
        assertEquals(JournalEntry(t0, Command.Tick), entry)
        val badAt = typed { journalEntryFromJson("""{"at": "yesterday", "command": {"op": "tick"}}""") }
        assertEquals("invalid_field", badAt.code)
        assertEquals("journal.at", badAt.field)
        assertEquals("missing_field", typed { journalEntryFromJson("""{"at": "2026-01-01T00:00:00Z"}""") }.code)
    }

    @Test
    fun deliveryPlanRetries() {
        val plan = DeliveryPlan("d1", DeliveryPolicy.KEYPAIR_INVOICE, t0)
        assertEquals(NextAttempt.RetryAt(t0), plan.next())
        assertEquals(NextAttempt.RetryAt(t0.plusSeconds(305)), plan.report(AttemptOutcome.Http(404u), t0.plusSeconds(5), null))
        assertEquals(NextAttempt.Delivered, plan.report(AttemptOutcome.Http(200u), t0.plusSeconds(305), 120uL))
        assertEquals("invalid_transition", typed { plan.report(AttemptOutcome.Timeout, t0.plusSeconds(400), null) }.code)
        assertTrue(DeliveryPlan.fromJson(plan.toJson()).isFinished())
        assertEquals("invalid_field", typed { httpOutcome(0u) }.code)
    }

    // ---- hostile inputs: only the typed error, never a crash ----

    @Test
    fun hostileInputsGiveTypedErrors() {
        val invoice = createInvoice(spec(), t0).invoice
        val longId = "x".repeat(100_000)
        val cases: List<Pair<String, () -> Unit>> = listOf(
            "invalid_amount" to { invoice.observeTransfer(transfer("t", "-0.5"), t0) },
            "invalid_amount" to { invoice.observeTransfer(transfer("t", "0"), t0) },
            "invalid_amount" to { invoice.observeTransfer(TransferInput("t", BigDecimal("1E+400"), Asset.USDT_TRC20, true), t0) },
            "invalid_amount" to { invoice.observeTransfer(TransferInput("t", BigDecimal("1E-400"), Asset.USDT_TRC20, true), t0) },
            "too_many_decimals" to { invoice.observeTransfer(transfer("t", "1.0000001"), t0) },
            "asset_mismatch" to { invoice.observeTransfer(transfer("t", "1", asset = Asset.USDT_BSC), t0) },
            "invalid_field" to { invoice.observeTransfer(transfer(longId, "1"), t0) },
            "invalid_field" to { invoice.observeTransfer(transfer("nul\u0000", "1"), t0) },
            "invalid_field" to { invoice.observeTransfer(transfer("", "1"), t0) },
            "invalid_field" to { createInvoice(spec(id = longId), t0) },
            "invalid_field" to { createInvoice(spec().copy(expiry = Expiry.InSeconds(ULong.MAX_VALUE)), t0) },
            "invalid_field" to { createInvoice(spec().copy(tolerance = Tolerance.Percent(BigDecimal("100"))), t0) },
            "invalid_field" to { createInvoice(newInvoiceSpec("c", Pricing.Price(BigDecimal("1"), "usd", BigDecimal.ONE, BigDecimal.ZERO), Asset.USDT_TRC20, Expiry.InSeconds(60uL)), t0) },
            "malformed_json" to { createInvoice(spec().copy(metadataJson = "[1,2]"), t0) },
            "malformed_json" to { createInvoice(spec().copy(metadataJson = "[".repeat(10_000)), t0) },
            "malformed_json" to { Invoice.fromJson("{\"schema_version\":1}") },
            "invalid_field" to { Invoice.fromJson("{\"schema_version\":99}") },
            "malformed_json" to { Matcher.fromJson("null") },
            "invalid_field" to { Session.open("s", invoice, 0uL, t0) },
            "invalid_field" to { Verifier(Scheme.STANDARD_WEBHOOKS, emptyList()) },
            "invalid_field" to { Verifier(Scheme.STANDARD_WEBHOOKS, listOf("whsec_!!!")) },
            "signature_missing" to { Verifier(Scheme.STRIPE, listOf("k")).verify(emptyMap(), ByteArray(0), t0) },
            "signature_malformed" to { Verifier(Scheme.STRIPE, listOf("k")).verify(mapOf("Stripe-Signature" to "t=x,v1=zz"), ByteArray(0), t0) },
            "malformed_json" to { Verifier(Scheme.MONETIX, listOf("k")).verify(emptyMap(), byteArrayOf(0xff.toByte(), 0x00), t0) },
            "invalid_field" to { ReplayGuard(0uL) },
            "invalid_field" to { parseTimestamp("2026-13-01T00:00:00Z") },
            "invalid_amount" to { parseAmount("１") },
        )
        for ((code, block) in cases) {
            val e = typed(block)
            assertEquals(code, e.code, e.message)
            assertTrue(e.detail.length < 400, "message too long: ${e.detail.length}")
        }
        // A Kotlin string with an unpaired surrogate cannot be encoded as UTF-8: UniFFI's
        // generated lowering refuses it before the call (a CharacterCodingException, not a
        // PaystateException), and nothing reaches the core.
        assertThrows<java.nio.charset.CharacterCodingException> { invoice.confirmTransfer("\uD800 lone", t0) }
        // After all that the invoice is intact and usable.
        assertEquals(Status.PENDING, invoice.status())
        assertEquals(listOf(EventType.PAYMENT_RECEIVED, EventType.PAID), invoice.observeTransfer(transfer("ok", "5"), t0).map { it.eventType })
    }

    @Test
    fun transitionTableIsExported() {
        val rules = transitionRules()
        assertTrue(rules.any { it.from == null && it.command == "create" && it.to == listOf(Status.PENDING) })
        assertTrue(transitionTableMermaid().contains("stateDiagram"))
        assertNull(rules.firstOrNull { it.command == "mark" })
    }
}
