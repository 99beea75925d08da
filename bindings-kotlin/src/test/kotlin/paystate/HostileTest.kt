package paystate

import java.io.File
import java.math.BigDecimal
import java.math.BigInteger
import java.nio.charset.CharacterCodingException
import java.time.Instant
import java.util.Base64
import kotlin.random.Random
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Seeded storms of random and adversarial host values into every public entry point that
 * takes host data: huge strings, exponent and NaN-like amounts, non-UTF-8 bytes, JSON nested
 * 10 000 deep, wrong JSON types, negative and far-future times, BigDecimals of huge scale.
 *
 * The rule: every call returns normally or throws the binding's typed error, a
 * [PaystateException] (or, for the dialect create parsers and key checks, a
 * [DialectException]) whose code is one of [errorCodes]. Anything else (an InternalException
 * from a Rust panic, a JVM exception out of the generated lowering) fails the test with the
 * entry point, the call number and the input; a process abort fails the Maven run. Outcomes
 * are counted per entry point and each must have seen the outcomes it can have, so the test
 * cannot pass vacuously. After each storm an invoice created before it still works.
 *
 * Deterministic: `kotlin.random.Random` with a fixed seed (explore others with
 * `-Dpaystate.hostile.seed=N`). Mirrored by bindings-swift/Tests/PaystateTests/HostileTests.swift.
 */
class HostileTest {
    private val t0: Instant = Instant.parse("2026-01-01T00:00:00Z")
    private val root = File(System.getProperty("paystate.repo.root") ?: "..").canonicalFile
    private val goldenDir = File(root, "core/tests/dialect_golden")

    private fun golden(name: String): ByteArray = File(goldenDir, name).readBytes()
    private fun b(s: String): ByteArray = s.toByteArray(Charsets.UTF_8)

    private fun spec(id: String, due: String): InvoiceSpec =
        newInvoiceSpec(id, Pricing.Due(BigDecimal(due)), Asset.USDT_TRC20, Expiry.InSeconds(1800uL))

    /** An invoice created before a storm; [assertStillWorks] checks it after. */
    private fun keeper(): Invoice = createInvoice(spec("keeper", "5"), t0).invoice

    private fun assertStillWorks(keeper: Invoice, before: String) {
        assertEquals(before, keeper.toJson(), "the storm changed an invoice it only read")
        assertEquals(Status.PENDING, keeper.status())
        val paid = keeper.observeTransfer(TransferInput("after-storm", BigDecimal("5"), Asset.USDT_TRC20, true), t0.plusSeconds(60))
        assertEquals(listOf(EventType.PAYMENT_RECEIVED, EventType.PAID), paid.map { it.eventType })
        assertTrue(Invoice.fromJson(keeper.toJson()).sameState(keeper))
    }

    // ---- webhook signatures: Verifier.verify for every scheme, Signer, ReplayGuard ----

    @Test
    fun webhookSignaturesGiveOnlyTypedErrors() {
        val s = Storm("signatures", 1)
        val keeper = keeper()
        val kept = keeper.toJson()
        val verified = mutableListOf<Verified>()

        for (scheme in Scheme.entries) {
            val name = scheme.asStr()
            val secret = if (scheme == Scheme.STANDARD_WEBHOOKS) WHSEC else "k3y-$name"
            val other = if (scheme == Scheme.STANDARD_WEBHOOKS) WHSEC_OTHER else "other-$name"
            val signer = Signer(scheme, listOf(secret))
            val verifiers = listOfNotNull(
                s.call("Verifier(scheme, secrets)", scheme) { Verifier(scheme, listOf(other, secret)) },
                s.call("Verifier.withOptions", scheme, "skip") {
                    Verifier.withOptions(scheme, listOf(secret), VerifierOptions(TimeCheck.Skip, 1uL))
                },
                s.call("Verifier.withOptions", scheme, "max") {
                    Verifier.withOptions(scheme, listOf(secret), VerifierOptions(TimeCheck.WithinSeconds(ULong.MAX_VALUE), ULong.MAX_VALUE))
                },
                s.call("Verifier.withOptions", scheme, "zero") {
                    Verifier.withOptions(scheme, listOf(other, secret), VerifierOptions(TimeCheck.WithinSeconds(0uL), 1uL))
                },
            )
            repeat(VERIFY_ROUNDS) { i ->
                // A genuine delivery (whole seconds, 1976..2076), then a hostile variant of it.
                val ts = Instant.ofEpochSecond(t0.epochSecond + s.rnd.nextLong(-FIFTY_YEARS, FIFTY_YEARS))
                val body = Json.write(linkedMapOf("id" to "evt_$i", "amount" to JNum(s.validAmount()), "note" to s.text())).toByteArray()
                val input = SignInput(id = "msg_$i", nonce = "n0nce$i", timestamp = ts)
                val signed = s.call("Signer.sign", scheme, body, input) { signer.sign(body, input) } ?: return@repeat
                val sent = signed.body() ?: body
                val headers = signed.headers().associate { it.name to it.value }
                val now = ts.plusSeconds(s.rnd.nextLong(0, 60))
                val seeds = listOf(sent)
                val (h, bytes, at) = when (s.rnd.nextInt(10)) {
                    0, 1 -> Triple(headers, sent, now) // as sent
                    2 -> Triple(headers.mapKeys { s.randomCase(it.key) }, sent, now) // names in any case
                    3 -> Triple(s.mutateHeaders(headers), sent, now)
                    4 -> Triple(headers, s.bytes(seeds), now)
                    5 -> Triple(s.randomHeaders(), s.bytes(seeds), now)
                    6 -> Triple(headers, sent, s.instant())
                    7 -> Triple(headers + s.randomHeaders(), sent, now)
                    8 -> Triple(s.mutateHeaders(headers), s.bytes(seeds), s.instant())
                    else -> Triple(s.randomHeaders(), s.pick(DEEP_BYTES), now)
                }
                val verifier = s.pick(verifiers)
                s.call("Verifier.verify[$name]", h, bytes, at) { verifier.verify(h, bytes, at) }
                    ?.let { if (s.chance(0.3)) verified += it }
            }
        }

        // Random schemes, secrets, options, sign inputs; verify random deliveries with them.
        repeat(CTOR_ROUNDS) {
            val scheme = s.pick(Scheme.entries)
            val secrets = List(s.rnd.nextInt(0, 3)) { s.secret() }
            val signer = s.call("Signer(scheme, secrets)", scheme, secrets) { Signer(scheme, secrets) }
            val body = s.bytes(SIGN_SEEDS)
            val input = SignInput(s.maybe { s.text() }, s.maybe { s.text() }, s.maybe { s.instant() })
            if (signer != null) s.call("Signer.sign", scheme, body, input) { signer.sign(body, input) }
            val plain = s.call("Verifier(scheme, secrets)", scheme, secrets) { Verifier(scheme, secrets) }
            val check = s.pick(TimeCheck.SchemeDefault, TimeCheck.Skip, TimeCheck.WithinSeconds(s.ulong()))
            val options = VerifierOptions(check, s.ulong())
            val tuned = s.call("Verifier.withOptions", scheme, secrets, options) { Verifier.withOptions(scheme, secrets, options) }
            val h = s.randomHeaders()
            val bytes = s.bytes(SIGN_SEEDS)
            val at = s.instant()
            (tuned ?: plain)?.let { v -> s.call("Verifier.verify[random secrets]", scheme, h, bytes, at) { v.verify(h, bytes, at) } }
        }

        // The replay guard: genuine verifications (a second record is `replayed`), random
        // records, keys and times.
        val guard = ReplayGuard(1000uL)
        repeat(GUARD_ROUNDS) {
            val now = s.nowish()
            when (s.rnd.nextInt(7)) {
                0 -> {
                    val c = s.maybe { s.pick(0uL, 1uL, s.ulong()) }
                    s.call("ReplayGuard(capacity)", c) { ReplayGuard(c) }
                }
                1, 2 -> if (verified.isNotEmpty()) {
                    val v = s.pick(verified)
                    val at = if (s.chance(0.8)) v.timestamp ?: v.replay?.keepUntil?.minusSeconds(60) ?: t0 else s.instant()
                    s.call("ReplayGuard.record", v, at) { guard.record(v, at) }
                    if (s.chance(0.5)) s.call("ReplayGuard.record", v, at) { guard.record(v, at) }
                }
                3 -> {
                    val v = s.verified()
                    s.call("ReplayGuard.record", v, now) { guard.record(v, now) }
                }
                4 -> {
                    val key = s.text()
                    val until = if (s.chance(0.7)) now.plusSeconds(s.rnd.nextLong(0, 3600)) else s.instant()
                    s.call("ReplayGuard.checkAndRecord", key, until, now) { guard.checkAndRecord(key, until, now) }
                    if (s.chance(0.5)) s.call("ReplayGuard.checkAndRecord", key, until, now) { guard.checkAndRecord(key, until, now) }
                }
                5 -> {
                    val key = s.text()
                    s.call("ReplayGuard.contains", key, now) { guard.contains(key, now) }
                }
                else -> s.hostileTime().let { at -> s.call("ReplayGuard.tick", at) { guard.tick(at) } }
            }
        }
        s.call("ReplayGuard: read", guard) { guard.len(); guard.nextDeadline(); guard.capacity(); guard.toJson() }

        assertStillWorks(keeper, kept)
        s.finish(
            mapOf(
                "Verifier.verify[random secrets]" to Expect.TYPED,
                "ReplayGuard.contains" to Expect.OK,
                "ReplayGuard: read" to Expect.OK,
            ),
        )
    }

    // ---- text parsers: amounts, timestamps, names, codes, session tokens ----

    @Test
    fun textParsersGiveOnlyTypedErrors() {
        val s = Storm("parsers", 2)
        val keeper = keeper()
        val kept = keeper.toJson()

        repeat(AMOUNT_ROUNDS) {
            val text = s.amountText()
            s.call("parseAmount", text) { parseAmount(text) }?.let { a ->
                val again = a.toPlainString()
                s.call("parseAmount(its own output)", again) { parseAmount(again) }
                    ?.let { if (it.compareTo(a) != 0) s.wrong("parseAmount(its own output)", "$a came back as $it", arrayOf(text)) }
            }
        }
        repeat(TIMESTAMP_ROUNDS) {
            val text = s.timestampText()
            s.call("parseTimestamp", text) { parseTimestamp(text) }?.let { at ->
                val again = s.call("formatTimestamp(parsed)", at) { formatTimestamp(at) }
                if (again != null) {
                    s.call("parseTimestamp(its own output)", again) { parseTimestamp(again) }
                        ?.let { if (it != at) s.wrong("parseTimestamp(its own output)", "$at came back as $it", arrayOf(text)) }
                }
            }
        }
        repeat(NAME_ROUNDS) {
            val at = s.instant()
            s.call("formatTimestamp", at) { formatTimestamp(at) }
            val scheme = s.pick(Scheme.entries)
            val text = s.pick<() -> String>({ s.timestampText() }, { s.numberText() }, { s.pick(EPOCH_TEXTS) }, { s.text() })()
            s.call("parseSchemeTimestamp", scheme, text) { parseSchemeTimestamp(scheme, text) }
            val asset = s.nameText(Asset.entries.map { it.code() })
            s.call("parseAsset", asset) { parseAsset(asset) }
            val status = s.nameText(Status.entries.map { it.asStr() })
            s.call("parseStatus", status) { parseStatus(status) }
            val schemeName = s.nameText(Scheme.entries.map { it.asStr() })
            s.call("parseScheme", schemeName) { parseScheme(schemeName) }
            val policy = s.nameText(DeliveryPolicy.entries.map { it.asStr() })
            s.call("parseDeliveryPolicy", policy) { parseDeliveryPolicy(policy) }
            val code = s.pick(100, 200, 404, 599, 0, 99, 600, 65535, s.rnd.nextInt(0, 65536)).toUShort()
            s.call("httpOutcome", code) { httpOutcome(code) }
        }
        repeat(TOKEN_ROUNDS) {
            val secret = s.pick<() -> ByteArray>({ b("server-secret") }, { ByteArray(0) }, { s.rnd.nextBytes(s.rnd.nextInt(0, 80)) }, { s.bytes(SIGN_SEEDS) })()
            val id = s.idText("s1")
            val token = s.call("sessionToken", secret, id) { sessionToken(secret, id) }
            val offered = s.pick<() -> String>({ token ?: s.text() }, { s.mutate(token ?: "") }, { s.text() }, { s.pick(HUGE) })()
            val other = if (s.chance(0.7)) id else s.idText("s2")
            s.call("verifySessionToken", secret, other, offered) { verifySessionToken(secret, other, offered) }
        }

        assertStillWorks(keeper, kept)
        s.finish(
            mapOf(
                "parseAmount(its own output)" to Expect.OK,
                "formatTimestamp(parsed)" to Expect.OK,
                "parseTimestamp(its own output)" to Expect.OK,
            ),
        )
    }

    // ---- stored state and JSON readers: fromJson of every object, commands, specs, journals ----

    @Test
    fun storedStateAndJsonReadersGiveOnlyTypedErrors() {
        val s = Storm("stored", 3)
        val keeper = keeper()
        val kept = keeper.toJson()

        // Seeds: genuine stored state of every kind, then mutated (wrong types, huge and
        // negative numbers, deleted and duplicated members, invalid UTF-8 decoded lossily).
        val paid = createInvoice(
            spec("paid", "10").copy(reference = "ORDER-1", metadataJson = """{"cart":[1,2.50]}""", tolerance = Tolerance.Percent(BigDecimal("0.5"))),
            t0,
        ).invoice
        paid.observeTransfer(TransferInput("t1", BigDecimal("6"), Asset.USDT_TRC20, false), t0.plusSeconds(10))
        paid.confirmTransfer("t1", t0.plusSeconds(20))
        paid.observeTransfer(TransferInput("t2", BigDecimal("4.5"), Asset.USDT_TRC20, true), t0.plusSeconds(30))
        paid.requestRefund("r1", BigDecimal("0.5"), t0.plusSeconds(40))
        val priced = createInvoice(
            newInvoiceSpec("priced", Pricing.Price(BigDecimal("123.45"), "EUR", BigDecimal("1.0812345"), BigDecimal("0.5")), Asset.USDT_BSC, Expiry.At(t0.plusSeconds(3600))),
            t0,
        ).invoice
        val invoiceSeeds = listOf(keeper.toJson(), paid.toJson(), priced.toJson())
        val matcher = Matcher()
        repeat(3) { matcher.allocate("acct", "i$it", BigDecimal("10"), BigDecimal("0.01"), null) }
        matcher.register("acct2", "j", BigDecimal("7.5"), BigDecimal("0.1"))
        val open = Session.open("s1", keeper, 600uL, t0)
        val used = Session.open("s2", keeper, 600uL, t0).also { it.useAt(keeper, t0.plusSeconds(1)) }
        val plan = DeliveryPlan("d1", DeliveryPolicy.STANDARD_WEBHOOKS, t0)
        plan.report(AttemptOutcome.Http(500u), t0.plusSeconds(1), 20uL)
        val done = DeliveryPlan("d2", DeliveryPolicy.KEYPAIR_INVOICE, t0)
        done.report(AttemptOutcome.Http(200u), t0.plusSeconds(1), null)
        val guard = ReplayGuard(10uL)
        guard.checkAndRecord("k1", t0.plusSeconds(300), t0)
        guard.checkAndRecord("k2", t0.plusSeconds(600), t0)
        val commands = listOf(
            Command.Create(spec("c", "5")),
            Command.ObserveTransfer(TransferInput("t", BigDecimal("1.5"), Asset.USDT_TRC20, true, t0)),
            Command.ConfirmTransfer("t"), Command.DropTransfer("t"), Command.Tick, Command.Cancel,
            Command.RequestRefund("r", BigDecimal("1")), Command.RequestRefund("r", null),
            Command.SettleRefund("r", RefundOutcome.FAILED), Command.MarkPaid, Command.MarkInvalid, Command.ClaimTxid("t"),
        )
        val commandSeeds = commands.map { commandToJson(it) }
        val specSeeds = listOf(paid.spec(), priced.spec(), keeper.spec()).map { invoiceSpecToJson(it) }
        val journalSeeds = listOf(
            journalToJson(listOf(JournalEntry(t0, Command.Create(spec("j", "5"))), JournalEntry(t0.plusSeconds(10), commands[1]))),
            journalToJson(listOf(JournalEntry(t0, Command.Create(paid.spec())))),
        )

        repeat(STORED_ROUNDS) {
            val j = s.jsonText(invoiceSeeds)
            s.call("Invoice.fromJson", j) { Invoice.fromJson(j) }?.let { inv -> useLoadedInvoice(s, inv) }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(listOf(matcher.toJson()))
            s.call("Matcher.fromJson", j) { Matcher.fromJson(j) }?.let { m ->
                s.call("loaded Matcher: read", m) { m.len(); m.isEmpty(); m.payable("i1"); m.toJson() }
                s.call("loaded Matcher: round trip", m) { Matcher.fromJson(m.toJson()) }
                val amount = s.decimal()
                s.call("loaded Matcher: matchAmount", amount) { m.matchAmount("acct", amount) }
                s.call("loaded Matcher: allocate", amount) { m.allocate("acct", "new", amount, BigDecimal("0.01"), null) }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(listOf(open.toJson(), used.toJson()))
            s.call("Session.fromJson", j) { Session.fromJson(j) }?.let { ses ->
                s.call("loaded Session: read", ses) { ses.id(); ses.invoiceId(); ses.expiresAt(); ses.usedAt(); ses.toJson() }
                s.call("loaded Session: round trip", ses) { Session.fromJson(ses.toJson()) }
                val at = s.nowish()
                s.call("loaded Session: isClosed", at) { ses.isClosed(at) }
                s.call("loaded Session: useAt", at) { ses.useAt(keeper, at) }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(listOf(plan.toJson(), done.toJson()))
            s.call("DeliveryPlan.fromJson", j) { DeliveryPlan.fromJson(j) }?.let { p ->
                s.call("loaded DeliveryPlan: read", p) { p.next(); p.nextDeadline(); p.isFinished(); p.attempts(); p.policy(); p.toJson() }
                s.call("loaded DeliveryPlan: round trip", p) { DeliveryPlan.fromJson(p.toJson()) }
                val outcome = s.attemptOutcome()
                val at = s.nowish()
                s.call("loaded DeliveryPlan: report", outcome, at) { p.report(outcome, at, s.maybe { s.ulong() }) }
                s.call("loaded DeliveryPlan: tick", at) { p.tick(at) }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(listOf(guard.toJson()))
            s.call("ReplayGuard.fromJson", j) { ReplayGuard.fromJson(j) }?.let { g ->
                s.call("loaded ReplayGuard: read", g) { g.len(); g.capacity(); g.nextDeadline(); g.toJson() }
                s.call("loaded ReplayGuard: round trip", g) { ReplayGuard.fromJson(g.toJson()) }
                val at = s.nowish()
                s.call("loaded ReplayGuard: checkAndRecord", at) { g.checkAndRecord(s.pick("k1", "k2", "k3"), at.plusSeconds(60), at) }
                s.call("loaded ReplayGuard: tick", at) { g.tick(at) }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(commandSeeds)
            s.call("commandFromJson", j) { commandFromJson(j) }?.let { c ->
                s.call("commandToJson(read command)", c) { commandToJson(c) }?.let { again ->
                    s.call("commandFromJson(its own output)", again) { commandFromJson(again) }
                        ?.let { if (it != c) s.wrong("commandFromJson(its own output)", "$c came back as $it", arrayOf(j)) }
                }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(specSeeds)
            s.call("invoiceSpecFromJson", j) { invoiceSpecFromJson(j) }?.let { sp ->
                val at = s.nowish()
                s.call("createInvoice(read spec)", sp, at) { createInvoice(sp, at) }
            }
        }
        repeat(STORED_ROUNDS) {
            val j = s.jsonText(journalSeeds)
            s.call("journalFromJson", j) { journalFromJson(j) }?.let { entries ->
                s.call("Invoice.replay(read journal)", entries) { Invoice.replay(entries) }
            }
        }

        assertStillWorks(keeper, kept)
        s.finish(
            mapOf(
                "loaded Invoice: read" to Expect.OK, "loaded Invoice: round trip" to Expect.OK,
                "loaded Invoice: observeTransfer" to Expect.ANY,
                "loaded Matcher: read" to Expect.OK, "loaded Matcher: round trip" to Expect.OK,
                "loaded Matcher: matchAmount" to Expect.ANY, "loaded Matcher: allocate" to Expect.ANY,
                "loaded Session: read" to Expect.OK, "loaded Session: round trip" to Expect.OK,
                "loaded Session: isClosed" to Expect.ANY, "loaded Session: useAt" to Expect.ANY,
                "loaded DeliveryPlan: read" to Expect.OK, "loaded DeliveryPlan: round trip" to Expect.OK,
                "loaded DeliveryPlan: report" to Expect.ANY, "loaded DeliveryPlan: tick" to Expect.ANY,
                "loaded ReplayGuard: read" to Expect.OK, "loaded ReplayGuard: round trip" to Expect.OK,
                "loaded ReplayGuard: checkAndRecord" to Expect.ANY, "loaded ReplayGuard: tick" to Expect.ANY,
                "commandToJson(read command)" to Expect.OK, "commandFromJson(its own output)" to Expect.OK,
                "createInvoice(read spec)" to Expect.ANY, "Invoice.replay(read journal)" to Expect.ANY,
            ),
        )
    }

    /** A stored invoice the core accepted must be as usable as any other. */
    private fun useLoadedInvoice(s: Storm, inv: Invoice) {
        s.call("loaded Invoice: read", inv) {
            inv.status(); inv.snapshot(); inv.transfers(); inv.refunds(); inv.exceptions(); inv.nextDeadline()
            inv.deadline(); inv.confirmationDeadline(); inv.due(); inv.threshold(); inv.spec(); inv.version()
        }
        s.call("loaded Invoice: round trip", inv) {
            if (!Invoice.fromJson(inv.toJson()).sameState(inv)) s.wrong("loaded Invoice: round trip", "not the same state", arrayOf(inv.toJson()))
        }
        val at = s.nowish()
        val tickAt = s.hostileTime()
        s.call("loaded Invoice: tick", tickAt) { inv.tick(tickAt) }
        val transfer = s.transferInput()
        s.call("loaded Invoice: observeTransfer", transfer, at) { inv.observeTransfer(transfer, at) }
    }

    // ---- invoices, matchers, sessions, deliveries, journals built from hostile values ----

    @Test
    fun objectsBuiltFromHostileValuesGiveOnlyTypedErrors() {
        val s = Storm("objects", 4)
        val keeper = keeper()
        val kept = keeper.toJson()

        repeat(CREATE_ROUNDS) {
            val sp = s.invoiceSpec()
            val at = s.nowish()
            s.call("createInvoice", sp, at) { createInvoice(sp, at) }
            s.call("invoiceSpecToJson", sp) { invoiceSpecToJson(sp) }
            val c = s.command()
            s.call("commandToJson", c) { commandToJson(c) }
        }

        // Commands with hostile values on live invoices: a typed error leaves the state as it was.
        var victim = keeper.copy()
        repeat(VICTIM_ROUNDS) { i ->
            if (i % 60 == 0) victim = createInvoice(spec("victim$i", "100"), t0).invoice
            val v = victim
            val before = v.toJson()
            val now = if (s.chance(0.8)) t0.plusSeconds(i.toLong() % 1800) else s.instant()
            val tx = if (s.chance(0.7)) s.pick("t1", "t2", "t3") else s.text()
            val refund = if (s.chance(0.7)) s.pick("r1", "r2") else s.text()
            val outcome = when (s.rnd.nextInt(13)) {
                0, 1, 2 -> s.transferInput().let { t -> s.call("Invoice.observeTransfer", t, now) { v.observeTransfer(t, now) } }
                3 -> s.call("Invoice.confirmTransfer", tx, now) { v.confirmTransfer(tx, now) }
                4 -> s.call("Invoice.dropTransfer", tx, now) { v.dropTransfer(tx, now) }
                5 -> s.maybe { s.decimal() }.let { a -> s.call("Invoice.requestRefund", refund, a, now) { v.requestRefund(refund, a, now) } }
                6 -> s.pick(RefundOutcome.entries).let { o -> s.call("Invoice.settleRefund", refund, o, now) { v.settleRefund(refund, o, now) } }
                7 -> s.call("Invoice.claimTxid", tx, now) { v.claimTxid(tx, now) }
                8 -> s.hostileTime().let { at -> s.call("Invoice.tick", at) { v.tick(at) } }
                9 -> s.hostileTime().let { at -> s.call("Invoice.statusAt", at) { v.statusAt(at) } }
                10 -> s.command().let { c -> s.call("Invoice.applyCommand", c, now) { v.applyCommand(c, now) } }
                11 -> s.call("Invoice.markPaid|markInvalid|cancel", now) { s.pick<() -> Any>({ v.markPaid(now) }, { v.markInvalid(now) }, { v.cancel(now) })() }
                else -> s.call("Invoice.copy|sameState|toJson", v) { v.copy().sameState(v); v.toJson() }
            }
            if (outcome == null && s.lastWasTyped && v.toJson() != before) {
                s.wrong("state after a typed error", "the invoice changed", arrayOf(before, v.toJson()))
            }
        }

        // A fresh matcher now and then: a hostile allowance makes later allocations in the
        // account probe up to the core's million candidates (bounded, but slow in a debug build).
        var matcher = Matcher()
        repeat(MATCHER_ROUNDS) { i ->
            if (i % 30 == 29) matcher = Matcher()
            val account = s.idText("acct")
            val id = s.idText("inv_${s.rnd.nextInt(50)}")
            when (s.rnd.nextInt(5)) {
                0, 1 -> {
                    val due = s.decimal()
                    val step = if (s.chance(0.6)) BigDecimal("0.01") else s.decimal()
                    val allowance = s.maybe(0.85) { s.decimal() }
                    s.call("Matcher.allocate", account, id, due, step, allowance) { matcher.allocate(account, id, due, step, allowance) }
                }
                2 -> {
                    val payable = s.decimal()
                    val allowance = s.maybe(0.7) { s.decimal() }
                    s.call("Matcher.register", account, id, payable, allowance) { matcher.register(account, id, payable, allowance) }
                }
                3 -> {
                    val amount = s.decimal()
                    s.call("Matcher.matchAmount", account, amount) { matcher.matchAmount(account, amount) }
                }
                else -> s.call("Matcher.payable|release", id) { matcher.payable(id); if (s.chance(0.2)) matcher.release(id) }
            }
        }

        repeat(SESSION_ROUNDS) {
            val id = s.idText("sess")
            val ttl = if (s.chance(0.6)) 600uL else s.ulong()
            val at = s.nowish()
            val session = s.call("Session.open", id, ttl, at) { Session.open(id, keeper, ttl, at) }
            if (session != null) {
                val later = if (s.chance(0.7)) at.plusSeconds(s.rnd.nextLong(0, 1200)) else s.instant()
                val probe = s.hostileTime()
                s.call("Session.isClosed", probe) { session.isClosed(probe) }
                s.call("Session.useAt", later) { session.useAt(keeper, later) }
                if (s.chance(0.3)) s.call("Session.useAt", later) { session.useAt(keeper, later) }
            }
        }

        repeat(DELIVERY_ROUNDS) {
            val id = s.idText("d")
            val policy = s.pick(DeliveryPolicy.entries)
            val at = s.nowish()
            val plan = s.call("DeliveryPlan(id, policy, now)", id, policy, at) { DeliveryPlan(id, policy, at) } ?: return@repeat
            repeat(s.rnd.nextInt(1, 5)) { k ->
                val outcome = s.attemptOutcome()
                val when_ = if (s.chance(0.7)) at.plusSeconds(k * 400L) else s.instant()
                val duration = s.maybe { s.ulong() }
                s.call("DeliveryPlan.report", outcome, when_, duration) { plan.report(outcome, when_, duration) }
            }
            val later = s.nowish()
            s.call("DeliveryPlan.tick", later) { plan.tick(later) }
        }

        repeat(JOURNAL_ROUNDS) {
            val start = if (s.chance(0.7)) JournalEntry(t0, Command.Create(spec("jr", "10"))) else JournalEntry(s.instant(), s.command())
            val entries = listOf(start) + List(s.rnd.nextInt(0, 5)) { k -> JournalEntry(if (s.chance(0.8)) t0.plusSeconds(k * 10L) else s.instant(), s.command()) }
            s.call("Invoice.replay", entries) { Invoice.replay(entries) }
            s.call("journalToJson", entries) { journalToJson(entries) }
        }

        assertStillWorks(keeper, kept)
        s.finish(
            mapOf(
                "Invoice.copy|sameState|toJson" to Expect.OK,
                "Matcher.payable|release" to Expect.OK,
                "DeliveryPlan.tick" to Expect.ANY,
            ),
        )
    }

    // ---- the five dialects: create parsers, callback parsers, key checks, renders ----

    @Test
    fun dialectsGiveOnlyTypedErrors() {
        val s = Storm("dialects", 5)
        val keeper = keeper()
        val kept = keeper.toJson()
        val mxT = Instant.parse("2022-03-25T11:08:05Z")

        // Valid requests (DialectTest's seeds), the invoices made from them and their callbacks.
        val gatenocReq = gatenocParseCheckoutSession(b(GATENOC), "inv_g", t0, null)
        val usdtReq = usdtGatewayParseInvoice(b(USDT_GATEWAY), "inv_u", t0, null)
        val gatepayReq = gatepayParseOrder(b(GATEPAY), "inv_gp", t0, null)
        val monetixReq = monetixParsePurchase(golden("monetix_purchase_request.json"), "inv_mx", mxT, BigDecimal("0.01"))
        val keypairReq = keypairInvoiceParseInvoice(b(KEYPAIR), "inv_kp", t0, null, BigDecimal("1.5"), null)
        val requests = listOf(gatenocReq, usdtReq, gatepayReq, monetixReq, keypairReq)
        val gatenocInv = createInvoice(gatenocReq.spec(), t0).invoice
        val usdtInv = createInvoice(usdtReq.spec(), t0).invoice
        val gatepayInv = createInvoice(gatepayReq.spec(), t0).invoice
        val monetixInv = createInvoice(monetixReq.spec(), mxT).invoice
        val keypairInv = createInvoice(keypairReq.spec(), t0).invoice
        val monetixPaid = createInvoice(monetixReq.spec(), mxT).invoice.also { inv ->
            inv.applyCommand(monetixParseSaleCallback(golden("monetix_sale_success_callback.json"), inv).command!!, mxT.plusSeconds(60))
            inv.applyCommand(monetixParseRefund(golden("monetix_refund_request.json")).command(inv, "rf_1"), mxT.plusSeconds(120))
        }
        val invoices = listOf(keeper, gatenocInv, usdtInv, gatepayInv, monetixInv, keypairInv, monetixPaid)
        val before = invoices.map { it.toJson() }
        val baseRefund = monetixParseRefund(golden("monetix_refund_request.json"))
        val payout = monetixParsePayout(String(golden("monetix_payout_request.json"), Charsets.UTF_8).replace("payment_47", "payment_48").toByteArray())

        val gatenocCb = listOf(b(gatenocRenderPaymentCompleted(gatenocInv, "SBX-TX-1", "rec_1")))
        val usdtCb = listOf(b(usdtGatewayRenderWebhook(usdtInv, "m1", "TXyz", "abc123", t0.plusSeconds(120))), golden("usdt_gateway_webhook.json"))
        val gatepayCb = listOf(
            b(gatepayRenderNotification(gatepayInv, "PAY_SUCCESS", "p1", "c1", "tx-1", t0)),
            b(gatepayRenderNotification(gatepayInv, "PAY_CLOSE", "p1", "c1", "tx-1", t0)),
        )
        val saleCb = listOf(golden("monetix_sale_success_callback.json"), golden("monetix_sale_decline_callback.json"))
        val refundCb = listOf(golden("monetix_refund_success_callback.json"), golden("monetix_refund_decline_callback.json"))
        val payoutCb = listOf(golden("monetix_payout_success_callback.json"), golden("monetix_payout_decline_callback.json"))
        val keypairCb = listOf(
            b(keypairInvoiceRenderCallback(keypairReq, "yourprivatekey", "kp_991", BigDecimal("726.5"), "USDT-TRC20", "https://shop.example/cart", "203.0.113.7", t0)),
        )

        repeat(DIALECT_ROUNDS) {
            // Create parsers: hostile bodies, ids, times and host context.
            run {
                val body = s.bytes(listOf(b(GATENOC)))
                val id = s.idText("inv_g")
                val now = s.nowish()
                val ttl = s.maybe(0.7) { s.ulong() }
                s.call("gatenocParseCheckoutSession", body, id, now, ttl) { gatenocParseCheckoutSession(body, id, now, ttl) }
            }?.let { req ->
                val base = s.text(); val merchant = s.ulong(); val token = s.text()
                s.call("gatenocRenderCheckoutSession", base, merchant, token) { gatenocRenderCheckoutSession(req, base, merchant, token) }
            }
            run {
                val body = s.bytes(listOf(b(USDT_GATEWAY), golden("usdt_gateway_invoice_request.json")))
                val id = s.idText("inv_u")
                val now = s.nowish()
                val reference = s.maybe(0.6) { s.text() }
                s.call("usdtGatewayParseInvoice", body, id, now, reference) { usdtGatewayParseInvoice(body, id, now, reference) }
            }?.let { req ->
                val address = s.text(); val url = s.text()
                s.call("usdtGatewayRenderInvoice", address, url) { usdtGatewayRenderInvoice(req, address, url, s.rnd.nextBoolean()) }
            }
            run {
                val body = s.bytes(listOf(b(GATEPAY), b(GATEPAY), golden("gatepay_order_request.json")))
                val id = s.idText("inv_gp")
                val now = s.nowish()
                val rate = if (s.chance(0.7)) null else s.decimal()
                s.call("gatepayParseOrder", body, id, now, rate) { gatepayParseOrder(body, id, now, rate) }
            }?.let { req ->
                val texts = List(4) { s.text() }
                s.call("gatepayRenderOrder", texts) { gatepayRenderOrder(req, texts[0], texts[1], texts[2], texts[3]) }
            }
            run {
                val body = s.bytes(listOf(golden("monetix_purchase_request.json")))
                val id = s.idText("inv_mx")
                val now = if (s.chance(0.7)) mxT else s.instant()
                val rate = if (s.chance(0.6)) BigDecimal("0.01") else s.maybe { s.decimal() }
                s.call("monetixParsePurchase", body, id, now, rate) { monetixParsePurchase(body, id, now, rate) }
            }?.let { req ->
                val qr = s.text(); val lifetime = s.instant(); val url = s.text()
                s.call("monetixRenderDisplayData", qr, lifetime, url) { monetixRenderDisplayData(req, qr, lifetime, url) }
            }
            run {
                val body = s.bytes(listOf(b(KEYPAIR)))
                val id = s.idText("inv_kp")
                val now = s.nowish()
                val rate = if (s.chance(0.6)) BigDecimal("1.5") else s.maybe { s.decimal() }
                val fee = s.maybe(0.7) { s.decimal() }
                val asset = s.maybe(0.7) { s.pick(Asset.entries) }
                s.call("keypairInvoiceParseInvoice", body, id, now, rate, fee, asset) { keypairInvoiceParseInvoice(body, id, now, rate, fee, asset) }
            }?.let { req ->
                val texts = List(5) { s.text() }
                val amount = s.decimal()
                val at = s.instant()
                s.call("keypairInvoiceRenderCallback", texts, amount, at) {
                    keypairInvoiceRenderCallback(req, texts[0], texts[1], amount, texts[2], texts[3], texts[4], at)
                }
            }
            run {
                val body = s.bytes(listOf(golden("monetix_refund_request.json")))
                val refund = s.call("monetixParseRefund", body) { monetixParseRefund(body) } ?: baseRefund
                val id = if (s.chance(0.5)) "rf_2" else s.text()
                val target = s.pick(monetixPaid, monetixInv)
                s.call("MonetixRefund.command", id, target) { refund.command(target, id) }
            }
            run {
                val body = s.bytes(listOf(golden("monetix_payout_request.json")))
                s.call("monetixParsePayout", body) { monetixParsePayout(body) }
            }

            // Callback parsers: read the invoice, never change it.
            s.bytes(gatenocCb).let { body -> s.call("gatenocParsePaymentCompleted", body) { gatenocParsePaymentCompleted(body, gatenocInv) } }
            s.bytes(usdtCb).let { body -> s.call("usdtGatewayParseWebhook", body) { usdtGatewayParseWebhook(body, usdtInv) } }
            s.bytes(gatepayCb).let { body -> s.call("gatepayParseNotification", body) { gatepayParseNotification(body, gatepayInv) } }
            s.bytes(saleCb).let { body -> s.call("monetixParseSaleCallback", body) { monetixParseSaleCallback(body, monetixInv) } }
            s.bytes(refundCb).let { body ->
                val id = s.maybe(0.5) { s.idText("rf_1") }
                s.call("monetixParseRefundCallback", body, id) { monetixParseRefundCallback(body, monetixPaid, id) }
            }
            s.bytes(payoutCb).let { body -> s.call("monetixParsePayoutCallback", body) { monetixParsePayoutCallback(body, payout) } }
            s.bytes(keypairCb).let { body -> s.call("keypairInvoiceParseCallback", body) { keypairInvoiceParseCallback(body, keypairInv) } }

            // Key checks.
            val header = s.maybe(0.1) { s.pick<() -> String>({ "k2" }, { s.mutate("k2") }, { s.text() }, { s.randomCase("K2") })() }
            val keys = if (s.chance(0.7)) listOf("k1", "k2") else List(s.rnd.nextInt(0, 3)) { s.text() }
            s.call("gatenocCheckMerchantKey", header, keys) { gatenocCheckMerchantKey(header, keys) }
            val auth = s.maybe(0.1) {
                s.pick<() -> String>({ "Bearer test_abc" }, { "Bearer live_abc" }, { s.mutate("Bearer live_abc") }, { s.randomCase("Bearer test_x") }, { s.text() }, { "Bearer " + s.text() })()
            }
            s.call("usdtGatewayKeyMode", auth) { usdtGatewayKeyMode(auth) }

            // Renders with hostile host strings and times, and requests of another dialect.
            val req = s.pick(requests)
            val t = List(4) { s.text() }
            val at = s.instant()
            when (s.rnd.nextInt(6)) {
                0 -> s.call("gatenocRenderCheckoutSession", req, t) { gatenocRenderCheckoutSession(req, t[0], s.ulong(), t[1]) }
                1 -> s.call("usdtGatewayRenderInvoice", req, t) { usdtGatewayRenderInvoice(req, t[0], t[1], false) }
                2 -> s.call("gatepayRenderOrder", req, t) { gatepayRenderOrder(req, t[0], t[1], t[2], t[3]) }
                3 -> s.call("monetixRenderDisplayData", req, t, at) { monetixRenderDisplayData(req, t[0], at, t[1]) }
                4 -> s.call("keypairInvoiceRenderCallback", req, t, at) { keypairInvoiceRenderCallback(req, t[0], t[1], s.decimal(), t[2], t[3], "ip", at) }
                else -> s.call("keypairInvoiceRenderInvoice", t) { keypairInvoiceRenderInvoice(t[0]) }
            }
            val inv = s.pick(invoices)
            when (s.rnd.nextInt(3)) {
                0 -> s.call("gatenocRenderPaymentCompleted", inv, t) { gatenocRenderPaymentCompleted(inv, t[0], t[1]) }
                1 -> s.call("usdtGatewayRenderWebhook", inv, t, at) { usdtGatewayRenderWebhook(inv, t[0], t[1], t[2], at) }
                else -> {
                    val status = if (s.chance(0.5)) s.pick("PAY_SUCCESS", "PAY_CLOSE", "PAY_ERROR", "PAY_EXPIRED") else t[3]
                    s.call("gatepayRenderNotification", inv, status, t, at) { gatepayRenderNotification(inv, status, t[0], t[1], t[2], at) }
                }
            }
        }

        assertEquals(before, invoices.map { it.toJson() }, "a callback parser or render changed an invoice")
        // The genuine callbacks still apply after the storm.
        gatenocInv.applyCommand(gatenocParsePaymentCompleted(gatenocCb[0], gatenocInv).command!!, t0.plusSeconds(60))
        assertEquals(Status.PAID, gatenocInv.status())
        usdtInv.applyCommand(usdtGatewayParseWebhook(usdtCb[0], usdtInv).command!!, t0.plusSeconds(180))
        assertEquals(Status.PAID, usdtInv.status())
        assertStillWorks(keeper, kept)
        s.finish(
            mapOf(
                "gatenocRenderPaymentCompleted" to Expect.OK,
                "keypairInvoiceRenderInvoice" to Expect.OK,
            ),
        )
    }

    // ---- the one input the binding itself refuses: a string that is not Unicode ----

    @Test
    fun unpairedSurrogatesAreRefusedBeforeTheCall() {
        // A Kotlin string with an unpaired surrogate cannot be encoded as UTF-8: UniFFI's
        // lowering throws CharacterCodingException before the call, nothing reaches the core.
        // The storms above never generate one; this is the one explicit case.
        val keeper = keeper()
        val kept = keeper.toJson()
        assertThrows<CharacterCodingException> { parseAmount("1\uD800") }
        assertThrows<CharacterCodingException> {
            Verifier(Scheme.STRIPE, listOf("k")).verify(mapOf("Stripe-Signature" to "t=1,v1=\uDC00"), ByteArray(0), t0)
        }
        assertStillWorks(keeper, kept)
    }

    // ---- extreme scales: the lowering crosses them in exponent form, the core refuses ----

    @Test
    fun amountsOfAnyScaleGiveTypedErrors() {
        // Before the lowering was bounded (ffi/uniffi.toml), toPlainString() threw
        // NegativeArraySizeException here, or OutOfMemoryError near 1E+1000000000.
        for (text in listOf("1E+2147483647", "1E-2147483647", "-1E+2147483647", "1E+1000000000", "1E-65", "1E+65")) {
            val spec = newInvoiceSpec("x", Pricing.Due(BigDecimal(text)), Asset.USDT_TRC20, Expiry.InSeconds(60uL))
            assertEquals("invalid_amount", assertThrows<PaystateException> { createInvoice(spec, t0) }.code, text)
        }
    }

    // ---- the storm: a seeded generator of hostile values and the tally of outcomes ----

    enum class Expect { BOTH, OK, TYPED, ANY }

    class Tally {
        var inputs = 0
        var ok = 0
        var typed = 0
        var longestMessage = 0
        var nanos = 0L
        var slowest = 0L
        var slowestInput = ""
        val codes = sortedMapOf<String, Int>()
    }

    class Storm(private val name: String, salt: Long) {
        val seed: Long = BASE_SEED * 31 + salt
        val rnd = Random(seed)
        val tallies = linkedMapOf<String, Tally>()
        private val failures = mutableListOf<String>()
        private var failureCount = 0

        /** Whether the last [call] ended in a typed error. */
        var lastWasTyped = false
            private set

        /** Runs one call: a return or a typed error is counted; anything else is a failure. */
        fun <T> call(entry: String, vararg input: Any?, block: () -> T): T? {
            val t = tallies.getOrPut(entry) { Tally() }
            t.inputs++
            lastWasTyped = false
            val start = System.nanoTime()
            try {
                val r = block()
                t.ok++
                return r
            } catch (e: PaystateException) {
                typed(t, entry, e.code, e.detail, input)
            } catch (e: DialectException) {
                when (e) {
                    is DialectException.Rejected -> typed(t, entry, e.code, e.detail, input)
                    is DialectException.Invalid -> typed(t, entry, e.code, e.detail, input)
                }
            } catch (e: Throwable) {
                wrong(entry, "${e.javaClass.name}: ${e.message?.take(300)}", input)
            } finally {
                val took = System.nanoTime() - start
                t.nanos += took
                if (took > t.slowest) {
                    t.slowest = took
                    t.slowestInput = "call #${t.inputs}: " + input.joinToString(", ") { show(it) }
                }
            }
            return null
        }

        private fun typed(t: Tally, entry: String, code: String, message: String?, input: Array<out Any?>) {
            t.typed++
            lastWasTyped = true
            t.codes[code] = (t.codes[code] ?: 0) + 1
            if (code !in CODES) wrong(entry, "a typed error with a code the core does not list: $code ($message)", input)
            if (message.isNullOrBlank()) {
                wrong(entry, "a typed error $code without a message", input)
            } else {
                t.longestMessage = maxOf(t.longestMessage, message.length)
            }
        }

        fun wrong(entry: String, what: String, input: Array<out Any?>) {
            failureCount++
            if (failures.size < 40) {
                val n = tallies[entry]?.inputs ?: 0
                failures += "$entry (call #$n, seed $seed): $what\n    input: ${input.joinToString(", ") { show(it) }}"
            }
        }

        /** Prints the tally; fails on any non-typed outcome or any expected outcome that never happened. */
        fun finish(expect: Map<String, Expect>) {
            val total = tallies.values.sumOf { it.inputs }
            println("hostile[$name] seed $seed: $total inputs into ${tallies.size} entry points")
            for ((entry, t) in tallies) {
                println(String.format("  %-42s %5d inputs %5d ok %5d typed %6d ms  longest message %6d  %s", entry, t.inputs, t.ok, t.typed, t.nanos / 1_000_000, t.longestMessage, t.codes))
                if (t.slowest > 100_000_000) println("      slowest ${t.slowest / 1_000_000} ms, ${t.slowestInput.take(400)}")
            }
            assertTrue(failureCount == 0) { "$failureCount calls ended other than with a return or a typed error:\n" + failures.joinToString("\n") }
            val missing = mutableListOf<String>()
            for ((entry, t) in tallies) {
                when (expect[entry] ?: Expect.BOTH) {
                    Expect.BOTH -> if (t.ok == 0 || t.typed == 0) missing += "$entry (${t.ok} ok, ${t.typed} typed)"
                    Expect.OK -> if (t.ok == 0) missing += "$entry (no success)"
                    Expect.TYPED -> if (t.typed == 0) missing += "$entry (no typed error)"
                    Expect.ANY -> {}
                }
            }
            for (entry in expect.keys) if (entry !in tallies) missing += "$entry (never called)"
            assertTrue(missing.isEmpty(), "outcomes expected but not seen, the storm is too weak: $missing")
        }

        // -- picks --

        fun chance(p: Double): Boolean = rnd.nextDouble() < p
        fun <T> pick(xs: List<T>): T = xs[rnd.nextInt(xs.size)]
        fun <T> pick(vararg xs: T): T = xs[rnd.nextInt(xs.size)]

        /** null with probability [pNull], else [f]. */
        fun <T> maybe(pNull: Double = 0.3, f: () -> T): T? = if (chance(pNull)) null else f()

        fun ulong(): ULong = when (rnd.nextInt(6)) {
            0 -> pick(0uL, 1uL, ULong.MAX_VALUE, Long.MAX_VALUE.toULong(), Long.MAX_VALUE.toULong() + 1uL, 253_402_300_800uL, 253_402_300_800_000uL)
            1 -> rnd.nextLong().toULong()
            else -> rnd.nextLong(0, 100_000).toULong()
        }

        // -- text (never an unpaired surrogate) --

        private fun codePoint(): Int = when (rnd.nextInt(10)) {
            0, 1, 2, 3 -> rnd.nextInt(0x20, 0x7f)
            4 -> rnd.nextInt(0, 0x20)
            5 -> STRUCTURAL_CHARS[rnd.nextInt(STRUCTURAL_CHARS.length)].code
            6 -> rnd.nextInt(0x80, 0x800)
            7 -> rnd.nextInt(0x800, 0xD800)
            8 -> rnd.nextInt(0xE000, 0x10000)
            else -> rnd.nextInt(0x10000, 0x110000)
        }

        fun randomText(max: Int = 40): String =
            buildString { repeat(rnd.nextInt(max + 1)) { appendCodePoint(codePoint()) } }

        fun digits(n: Int): String = buildString { repeat(n) { append('0' + rnd.nextInt(10)) } }

        /** Inserts, deletes, replaces or duplicates code points (never splits a surrogate pair). */
        fun mutate(s: String, times: Int = 1 + rnd.nextInt(3)): String {
            val cps = s.codePoints().toArray().toMutableList()
            repeat(times) {
                when (rnd.nextInt(6)) {
                    0 -> cps.add(rnd.nextInt(cps.size + 1), codePoint())
                    1 -> if (cps.isNotEmpty()) cps.removeAt(rnd.nextInt(cps.size))
                    2 -> if (cps.isNotEmpty()) cps[rnd.nextInt(cps.size)] = codePoint()
                    3 -> cps.addAll(rnd.nextInt(cps.size + 1), pick(TOKENS).codePoints().toArray().toList())
                    4 -> if (cps.isNotEmpty()) rnd.nextInt(cps.size).let { cps.add(it, cps[it]) }
                    else -> if (cps.isNotEmpty()) cps.subList(rnd.nextInt(cps.size), cps.size).clear()
                }
            }
            return buildString { cps.forEach { appendCodePoint(it) } }
        }

        fun randomCase(s: String): String =
            s.map { if (rnd.nextBoolean()) it.uppercaseChar() else it.lowercaseChar() }.joinToString("")

        fun text(): String = when (rnd.nextInt(40)) {
            in 0..11 -> pick(TOKENS)
            in 12..21 -> randomText()
            in 22..31 -> mutate(pick(TOKENS))
            in 32..38 -> pick(TOKENS) + pick(TOKENS) + (if (chance(0.5)) pick(TOKENS) else "")
            else -> pick(HUGE)
        }

        /** A host id: mostly [valid], else hostile. */
        fun idText(valid: String): String = if (chance(0.7)) valid else text()

        fun nameText(valid: List<String>): String = when (rnd.nextInt(6)) {
            0, 1 -> pick(valid)
            2 -> randomCase(pick(valid))
            3 -> mutate(pick(valid))
            4 -> pick("", " ", "\t") + pick(valid) + pick("", " ", "\u0000", "\n")
            else -> text()
        }

        fun validAmount(): String =
            rnd.nextInt(1, 100_000).toString() + if (chance(0.5)) "." + digits(rnd.nextInt(1, 7)) else ""

        fun numberText(): String =
            pick("", "-", "+") + digits(rnd.nextInt(1, 30)) + (if (chance(0.3)) "." + digits(rnd.nextInt(0, 30)) else "") +
                (if (chance(0.2)) pick("e", "E") + pick("", "+", "-") + digits(rnd.nextInt(1, 8)) else "")

        fun amountText(): String = when (rnd.nextInt(12)) {
            0, 1 -> pick(AMOUNT_TOKENS)
            2 -> digits(rnd.nextInt(1, 40))
            3 -> digits(rnd.nextInt(1, 30)) + "." + digits(rnd.nextInt(0, 30))
            4 -> digits(rnd.nextInt(1, 4)) + pick("e", "E") + pick("", "+", "-") + digits(rnd.nextInt(1, 8))
            5 -> pick("+", "-", " ", "\t", "0", "00", "", "\u00a0") + validAmount() + pick("", " ", "\n", "_", "e0", ".", "\u0000")
            6, 7 -> validAmount()
            8 -> mutate(validAmount())
            9 -> List(rnd.nextInt(2, 5)) { digits(3) }.joinToString(pick("_", ",", " ", "'"))
            10 -> numberText()
            else -> text()
        }

        fun timestampText(): String = when (rnd.nextInt(8)) {
            0 -> pick(TIMESTAMP_TOKENS)
            1 -> mutate(pick(TIMESTAMP_TOKENS))
            2 -> text()
            else -> {
                fun two(until: Int) = rnd.nextInt(0, until).toString().padStart(2, '0')
                val year = pick("1969", "1970", "2026", "9999", "10000", "+10000", "0000", "-0001", "275760", rnd.nextInt(0, 10_000).toString().padStart(4, '0'), digits(rnd.nextInt(1, 8)))
                val date = "$year-${two(14)}-${two(33)}${pick("T", "t", " ", "_", "")}${two(26)}:${two(62)}:${two(62)}"
                val frac = if (chance(0.5)) "." + digits(rnd.nextInt(0, 13)) else ""
                date + frac + pick("Z", "Z", "z", "", "+00:00", "-00:00", "+02:00", "-23:59", "+24:00", "+0530", "+05", " UTC", "Z ", "ZZ")
            }
        }

        // -- numbers and times --

        fun decimal(): BigDecimal = when (rnd.nextInt(30)) {
            0 -> pick(EXTREME_DECIMALS)
            in 1..4 -> BigDecimal(BigInteger(digits(rnd.nextInt(1, 60))).let { if (rnd.nextBoolean()) it.negate() else it }, rnd.nextInt(-60, 60))
            5 -> BigDecimal.ZERO.setScale(rnd.nextInt(-50, 50))
            6, 7 -> BigDecimal(validAmount()).negate()
            8 -> BigDecimal(validAmount()).setScale(rnd.nextInt(10, 40))
            9, 10 -> BigDecimal(BigInteger.ONE, rnd.nextInt(-40, 40))
            else -> BigDecimal(validAmount())
        }

        fun instant(): Instant = when (rnd.nextInt(10)) {
            0, 1 -> pick(EXTREME_INSTANTS)
            2 -> Instant.ofEpochSecond(rnd.nextLong(Instant.MIN.epochSecond, Instant.MAX.epochSecond), rnd.nextLong(0, 1_000_000_000))
            3 -> Instant.ofEpochMilli(rnd.nextLong())
            4 -> Instant.ofEpochMilli(rnd.nextLong(0, 253_402_300_800_000L))
            else -> T0.plusMillis(rnd.nextLong(-86_400_000L * 400, 86_400_000L * 400))
        }

        /** Mostly a time near the tests' t0, else [instant]. */
        fun nowish(): Instant = if (chance(0.8)) T0.plusSeconds(rnd.nextLong(0, 3600)) else instant()

        /** For calls whose only host input is a time: half of them extreme. */
        fun hostileTime(): Instant = if (chance(0.5)) nowish() else pick(EXTREME_INSTANTS)

        // -- bytes and JSON --

        fun bytes(seeds: List<ByteArray>): ByteArray = when (rnd.nextInt(20)) {
            0, 1 -> rnd.nextBytes(rnd.nextInt(0, 300))
            2 -> pick(BAD_UTF8)
            3 -> pick(DEEP_BYTES)
            4 -> Json.write(jsonValue(0)).toByteArray()
            5 -> text().toByteArray()
            6, 7 -> byteMutate(pick(seeds))
            in 8..16 -> jsonMutate(pick(seeds))
            else -> pick(seeds)
        }

        /** Stored-state text: mostly a mutated seed, sometimes the seed itself, deep JSON or junk. */
        fun jsonText(seeds: List<String>): String = when (rnd.nextInt(20)) {
            0, 1 -> pick(seeds)
            in 2..12 -> String(jsonMutate(pick(seeds).toByteArray()), Charsets.UTF_8)
            13 -> String(byteMutate(pick(seeds).toByteArray()), Charsets.UTF_8)
            14 -> pick(DEEP_TEXTS)
            15 -> text()
            16 -> String(bytes(seeds.map { it.toByteArray() }), Charsets.UTF_8)
            17 -> Json.write(jsonValue(0))
            18 -> pick(seeds).let { it.substring(0, rnd.nextInt(it.length + 1)) }
            else -> "{\"schema_version\":" + pick(NUMBER_TEXTS) + "}"
        }

        fun byteMutate(seed: ByteArray): ByteArray {
            val out = seed.toMutableList()
            repeat(1 + rnd.nextInt(4)) {
                when (rnd.nextInt(6)) {
                    0 -> if (out.isNotEmpty()) out[rnd.nextInt(out.size)] = rnd.nextInt(256).toByte()
                    1 -> out.add(rnd.nextInt(out.size + 1), rnd.nextInt(0x80, 0x100).toByte())
                    2 -> if (out.isNotEmpty()) out.subList(rnd.nextInt(out.size), out.size).clear()
                    3 -> out.addAll(rnd.nextInt(out.size + 1), pick(BAD_UTF8).toList())
                    4 -> if (out.isNotEmpty()) out.removeAt(rnd.nextInt(out.size))
                    else -> out.addAll(rnd.nextInt(out.size + 1), pick(STRUCTURAL).toByteArray().toList())
                }
            }
            return out.toByteArray()
        }

        /** Parses a JSON seed and changes 1..3 values (wrong types, hostile values, deletions). */
        fun jsonMutate(seed: ByteArray): ByteArray {
            var tree: Any = try {
                Json.parse(String(seed, Charsets.UTF_8))
            } catch (e: Json.ParseError) {
                return byteMutate(seed)
            }
            repeat(1 + rnd.nextInt(3)) { tree = mutateTree(tree, 0) }
            var text = Json.write(tree)
            if (tree is Map<*, *> && (tree as Map<*, *>).isNotEmpty() && chance(0.15)) {
                // The same member twice, the second one hostile.
                val key = pick((tree as Map<*, *>).keys.toList()) as String
                text = text.dropLast(1) + "," + Json.write(key) + ":" + Json.write(jsonValue(1)) + "}"
            }
            return text.toByteArray()
        }

        @Suppress("UNCHECKED_CAST")
        private fun mutateTree(v: Any, depth: Int): Any = when {
            v is Map<*, *> && v.isNotEmpty() && depth < 6 && !chance(0.1) -> {
                val m = LinkedHashMap(v as Map<String, Any>)
                val key = pick(m.keys.toList())
                when (rnd.nextInt(8)) {
                    0 -> m.remove(key)
                    1, 2 -> m[key] = jsonValue(depth + 1)
                    3 -> m[if (chance(0.5)) randomCase(key) else text()] = jsonValue(depth + 1)
                    else -> m[key] = mutateTree(m.getValue(key), depth + 1)
                }
                m
            }
            v is List<*> && v.isNotEmpty() && depth < 6 && !chance(0.1) -> {
                val l = (v as List<Any>).toMutableList()
                val i = rnd.nextInt(l.size)
                when (rnd.nextInt(5)) {
                    0 -> l.removeAt(i)
                    1 -> l.add(i, jsonValue(depth + 1))
                    2 -> l[i] = jsonValue(depth + 1)
                    else -> l[i] = mutateTree(l[i], depth + 1)
                }
                l
            }
            v is String && chance(0.6) -> {
                // A JSON document inside a string (GatePay's `data`) is mutated as JSON.
                val inner = if (v.startsWith("{")) runCatching { Json.parse(v) }.getOrNull() else null
                if (inner != null) Json.write(mutateTree(inner, depth + 1)) else mutate(v)
            }
            v is JNum && chance(0.6) -> JNum(if (chance(0.5)) pick(NUMBER_TEXTS) else numberText())
            else -> jsonValue(depth)
        }

        /** A JSON value of any type; JNum carries raw text, so some are not valid JSON at all. */
        fun jsonValue(depth: Int): Any = when (rnd.nextInt(if (depth >= 3) 14 else 40)) {
            0, 1, 2 -> JNum(pick(NUMBER_TEXTS))
            3, 4 -> JNum(numberText())
            5, 6 -> text()
            7, 8 -> amountText()
            9 -> rnd.nextBoolean()
            10 -> JNull
            11 -> JNum(validAmount())
            12 -> LinkedHashMap<String, Any>()
            13 -> mutableListOf<Any>()
            in 14..24 -> MutableList(rnd.nextInt(1, 4)) { jsonValue(depth + 1) }
            in 25..37 -> LinkedHashMap<String, Any>().also { m -> repeat(rnd.nextInt(1, 4)) { m[text()] = jsonValue(depth + 1) } }
            else -> JNum(pick(DEEP_TEXTS))
        }

        // -- headers --

        fun hex(n: Int): String = buildString { repeat(n) { append("0123456789abcdef"[rnd.nextInt(16)]) } }
        fun base64(n: Int): String = Base64.getEncoder().encodeToString(rnd.nextBytes(n))

        fun headerValue(): String = when (rnd.nextInt(10)) {
            0, 1 -> text()
            2 -> "sha256=" + hex(rnd.nextInt(0, 80))
            3 -> "v1," + base64(rnd.nextInt(0, 48)) + if (chance(0.3)) " v1," + base64(32) else ""
            4 -> "t=" + pick(digits(rnd.nextInt(0, 25)), "1767225600", "-1", "99999999999999999999", "1e9", "") + ",v1=" + hex(rnd.nextInt(0, 80))
            5 -> pick(EPOCH_TEXTS)
            6 -> hex(pick(64, 128, 129, 0))
            7 -> base64(rnd.nextInt(0, 100))
            8 -> pick(HUGE)
            else -> mutate(pick(TOKENS))
        }

        /** 0..5 headers: real names (any case), sometimes an invented one, hostile values. */
        fun randomHeaders(): Map<String, String> = buildMap {
            repeat(rnd.nextInt(0, 6)) {
                put(if (chance(0.9)) randomCase(pick(HEADER_NAMES)) else text(), headerValue())
            }
        }

        fun mutateHeaders(h: Map<String, String>): Map<String, String> {
            val m = LinkedHashMap(h)
            repeat(1 + rnd.nextInt(2)) {
                val keys = m.keys.toList()
                val k = if (keys.isEmpty()) randomCase(pick(HEADER_NAMES)) else pick(keys)
                when (rnd.nextInt(6)) {
                    0 -> m[k] = mutate(m[k] ?: "")
                    1 -> m[k] = headerValue()
                    2 -> m.remove(k)
                    3 -> m[randomCase(k)] = headerValue() // the same header twice, in another case
                    4 -> m[randomCase(pick(HEADER_NAMES))] = headerValue()
                    else -> m[k] = (m[k] ?: "") + pick(",", " ", "\u0000", ",v1=", " v1,", "\n") + headerValue()
                }
            }
            return m
        }

        fun secret(): String = when (rnd.nextInt(7)) {
            0 -> "whsec_" + base64(rnd.nextInt(0, 64))
            1 -> "whsec_" + text()
            2 -> ""
            3 -> pick(HUGE)
            4 -> pick(WHSEC, "k3y")
            else -> text()
        }

        // -- records --

        fun verified(): Verified = Verified(
            scheme = pick(Scheme.entries),
            keyIndex = rnd.nextInt().toUInt(),
            timestamp = maybe { instant() },
            replay = maybe { ReplayKey(text(), instant()) },
        )

        fun attemptOutcome(): AttemptOutcome = when (rnd.nextInt(6)) {
            0 -> AttemptOutcome.Timeout
            1 -> AttemptOutcome.TransportError
            2 -> AttemptOutcome.Http(rnd.nextInt(0, 65536).toUShort())
            else -> AttemptOutcome.Http(pick(200, 201, 204, 301, 400, 404, 410, 429, 500, 503).toUShort())
        }

        fun transferInput(): TransferInput = TransferInput(
            txId = if (chance(0.7)) pick("t1", "t2", "t3") else text(),
            amount = decimal(),
            asset = if (chance(0.8)) Asset.USDT_TRC20 else pick(Asset.entries),
            confirmed = rnd.nextBoolean(),
            at = maybe(0.7) { instant() },
        )

        fun invoiceSpec(): InvoiceSpec {
            val h = 0.15
            val pricing = when {
                chance(h) -> Pricing.Price(decimal(), pick("EUR", "USD", "usd", text()), decimal(), decimal())
                chance(0.2) -> Pricing.Price(BigDecimal(validAmount()), "EUR", BigDecimal("1.08"), BigDecimal.ZERO)
                else -> Pricing.Due(if (chance(h)) decimal() else BigDecimal(validAmount()))
            }
            val expiry = if (chance(h)) pick(Expiry.InSeconds(ulong()), Expiry.At(instant())) else Expiry.InSeconds(1800uL)
            val base = newInvoiceSpec(if (chance(h)) text() else "inv_${rnd.nextInt(1000)}", pricing, pick(Asset.entries), expiry)
            return base.copy(
                reference = if (chance(h)) text() else base.reference,
                tolerance = if (chance(h)) pick(Tolerance.Exact, Tolerance.Absolute(decimal()), Tolerance.Percent(decimal())) else base.tolerance,
                latePayment = if (chance(h)) pick(LatePayment.Reject, LatePayment.AcceptWithin(ulong())) else base.latePayment,
                overpayDust = if (chance(h)) decimal() else base.overpayDust,
                confirmationWindowSeconds = if (chance(h)) ulong() else base.confirmationWindowSeconds,
                metadataJson = if (chance(h)) pick<() -> String>({ text() }, { Json.write(jsonValue(0)) }, { pick(DEEP_TEXTS) })() else base.metadataJson,
            )
        }

        fun command(): Command = when (rnd.nextInt(11)) {
            0 -> Command.Create(invoiceSpec())
            1, 2 -> Command.ObserveTransfer(transferInput())
            3 -> Command.ConfirmTransfer(idText("t1"))
            4 -> Command.DropTransfer(idText("t1"))
            5 -> pick(Command.Tick, Command.Cancel)
            6 -> Command.RequestRefund(idText("r1"), maybe { decimal() })
            7 -> Command.SettleRefund(idText("r1"), pick(RefundOutcome.entries))
            8 -> pick(Command.MarkPaid, Command.MarkInvalid)
            else -> Command.ClaimTxid(idText("t1"))
        }
    }

    companion object {
        private val BASE_SEED: Long = System.getProperty("paystate.hostile.seed")?.toLongOrNull() ?: 20_260_101L
        private val T0: Instant = Instant.parse("2026-01-01T00:00:00Z")
        private val CODES: Set<String> by lazy { errorCodes().toSet() }
        private const val FIFTY_YEARS = 86_400L * 365 * 50

        private const val VERIFY_ROUNDS = 100 // per scheme
        private const val CTOR_ROUNDS = 200
        private const val GUARD_ROUNDS = 300
        private const val AMOUNT_ROUNDS = 1000
        private const val TIMESTAMP_ROUNDS = 600
        private const val NAME_ROUNDS = 300
        private const val TOKEN_ROUNDS = 150
        private const val STORED_ROUNDS = 150 // per reader
        private const val CREATE_ROUNDS = 250
        private const val VICTIM_ROUNDS = 900
        private const val MATCHER_ROUNDS = 200
        private const val SESSION_ROUNDS = 150
        private const val DELIVERY_ROUNDS = 150
        private const val JOURNAL_ROUNDS = 100
        private const val DIALECT_ROUNDS = 120

        private const val WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        private const val WHSEC_OTHER = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"

        // DialectTest's valid seed bodies.
        private const val GATENOC = """{"amount": 10.50, "note": "order_123"}"""
        private const val USDT_GATEWAY = """{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345"}"""
        private const val GATEPAY = """{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123,
        "goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"}, "chain": "MATIC",
        "fullCurrType": "USDT_MATIC", "currency": "USDT", "orderAmount": "5", "surchargeAmount": "0.5"}"""
        private const val KEYPAIR = """{"public_key": "yourpublickey", "private_key": "yourprivatekey", "email": "buyer@example.com",
        "price_amount": 725, "price_currency": "USD", "merchant_id": 5, "order_id": 11, "customer_id": 12, "test": 1,
        "title": "title", "description": "description", "add_fee_to_price": 1, "cancel_url": "https://yourcancelurl",
        "success_url": "https://yoursuccessurl", "callback_url": "https://yourcallbackurl", "expiration_date": 12,
        "margin_ratio": 1.5}"""

        private val SIGN_SEEDS: List<ByteArray> = listOf(
            """{"id":"evt_1","amount":10.50,"nested":{"b":true,"a":null},"list":[1,"x"]}""".toByteArray(),
            """{"test": 2432232314}""".toByteArray(),
        )

        private val HEADER_NAMES = listOf(
            "X-Webhook-Signature", "X-GatePay-Timestamp", "X-GatePay-Nonce", "X-GatePay-Signature",
            "X-Gateway-Merchant-Key", "webhook-id", "webhook-timestamp", "webhook-signature", "Stripe-Signature",
            "X-Hub-Signature-256", "X-CC-Webhook-Signature", "X-Shopify-Hmac-Sha256", "x-nowpayments-sig",
            "Authorization", "Content-Type", "X-Merchant-Key",
        )

        private const val STRUCTURAL_CHARS = "0123456789.-+eE\"\\{}[]:,_ "
        private val STRUCTURAL = listOf("{", "}", "[", "]", ",", ":", "\"", "\\", "null", "1e999999", "-", ".", " ", "\"\":")

        private val TOKENS = listOf(
            "", " ", "  ", "\t", "\n", "\r\n", "\u0000", "\u0007", "\u007f", "\u00a0", "\u2028", "\ufeff", "\uffff", "\ufffd",
            "0", "-0", "+0", "00", "0.0", "-0.0", "1", "-1", "+1", "5", "10.50", "0.1", "0.000001", "0.0000001",
            "1e5", "1E5", "1e-5", "1E+3", "1e400", "1e-400", "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "\u221e",
            "1_000", " 1", "1 ", "1.", ".5", "1..2", "1,5", "1.5.5", "0x1F", "0b1", "1/2", "\uff11", "\u0661\u0662\u0663", "\u066b",
            "9999999999999999999999999999", "99999999999999999999999999999", "0.0000000000000000000000000001",
            "18446744073709551616", "9223372036854775807", "-9223372036854775808", "4294967296",
            "true", "false", "null", "[]", "{}", "[1]", "{\"a\":1}", "\"", "\\", "\\u0000", "'", "`", "<script>", "%s%n%x", "\${x}",
            "../../etc/passwd", "C:\\con", "e\u0301", "\ud83d\ude00", "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67", "\ud835\udfd9",
            "\u03a9", "\u00df", "\u0130", "\ufb00", "\u202e", "\u0000\u0000",
            "USDT_TRC20", "usdt_trc20", "USDT_BSC", "USDT", "EUR", "usd", "paid", "PENDING", "expired", "standard_webhooks", "STRIPE",
            "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.250+02:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
            "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
            "1767225600", "1767225600000", "inv_1", "tx_1", "order_123", "whsec_", "whsec_AAAA", "sha256=", "v1,", "t=1,v1=00",
        )

        private val AMOUNT_TOKENS = listOf(
            "0", "-0", "+0", "00", "0.0", "-0.0", "1", "-1", "+1", "1e5", "1E5", "1e-5", "1E+3", "1e400", "1e-400",
            "NaN", "nan", "-NaN", "Infinity", "-Infinity", "inf", "1_000", " 1", "1 ", "1.", ".5", "1..2", "1,5", "0x1F",
            "\uff11", "\u0661\u0662\u0663", "9999999999999999999999999999", "99999999999999999999999999999",
            "1234567890123456789012345678", "0.0000000000000000000000000001", "0.000000000000000001", "10.50", "5",
            "9".repeat(10_000), "1" + "0".repeat(10_000), "0." + "0".repeat(10_000) + "1", "1" + "0".repeat(100_000),
        )

        private val TIMESTAMP_TOKENS = listOf(
            "2026-01-01T00:00:00Z", "2026-03-24T14:00:00.250+02:00", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z", "+10000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z",
            "-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z",
            "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00.9999999999Z", "2026-01-01", "2026-01-01T00:00:00",
            "1767225600", "-1", "", "Z", "T", "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z",
        )

        private val EPOCH_TEXTS = listOf(
            "1767225600", "1767225600000", "0", "-1", "-0", "+1", "18446744073709551616", "9223372036854775807",
            "-9223372036854775808", "253402300800", "253402300799999", "1e9", "NaN", "1.5", " 1767225600", "1767225600 ", "",
        )

        private val NUMBER_TEXTS = listOf(
            "0", "-0", "0.0", "1", "-1", "1.5", "10.50", "1e5", "1E5", "1e-5", "1E+999999", "-1E-999999", "1e400",
            "123456789012345678901234567890", "0.000000000000000000000000000001", "9007199254740993", "18446744073709551616",
            "-9223372036854775809", "1" + "0".repeat(400), "NaN", "Infinity", "-Infinity", "+1", ".5", "01", "1_000", "0x10",
        )

        private val HUGE: List<String> = listOf(
            "x".repeat(100_000), "9".repeat(10_000), "\u00e9".repeat(50_000), "\ud83d\ude00".repeat(20_000),
            "[".repeat(10_000), "\u0000".repeat(10_000), "a,".repeat(30_000),
        )

        private val DEEP_TEXTS: List<String> = listOf(
            "[".repeat(10_000),
            "[".repeat(10_000) + "]".repeat(10_000),
            "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000),
            "{\"amount\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
            "[" + "{},".repeat(30_000) + "{}]",
            "{" + (0 until 10_000).joinToString(",") { "\"k$it\":$it" } + "}",
            "\"" + "\\u0000".repeat(10_000) + "\"",
            "{\"a\":1,\"a\":2}",
        )
        private val DEEP_BYTES: List<ByteArray> = DEEP_TEXTS.map { it.toByteArray() }

        private fun ub(vararg b: Int) = ByteArray(b.size) { b[it].toByte() }

        private val BAD_UTF8: List<ByteArray> = listOf(
            ub(0xff), ub(0xfe, 0xff), ub(0xc0, 0x80), ub(0xed, 0xa0, 0x80), ub(0xf4, 0x90, 0x80, 0x80), ub(0xe2, 0x82),
            "{\"amount\": \"".toByteArray() + ub(0xff) + "\"}".toByteArray(),
            ub(0xef, 0xbb, 0xbf) + "{\"amount\": 5}".toByteArray(),
            "{\"amount\": 10.50, \"note\": \"".toByteArray() + ub(0xc3, 0x28) + "\"}".toByteArray(),
            "{\"amount\":5}".toByteArray() + ub(0x00),
            ub(0xfe, 0xff, 0x00, 0x7b),
        )

        private val EXTREME_DECIMALS: List<BigDecimal> = listOf(
            BigDecimal("1E+999999"), BigDecimal("1E-999999"), BigDecimal("-1E+999999"), BigDecimal("-1E-999999"),
            BigDecimal("0E-999999"), BigDecimal("0E+999999"), BigDecimal("9".repeat(10_000)), BigDecimal("1E+400"),
            BigDecimal("1E-400"), BigDecimal("-0.0"), BigDecimal(Long.MAX_VALUE), BigDecimal("123456789012345678901234567890.123456789"),
            BigDecimal("0.0000000000000000000000000001"), BigDecimal("1E+28"), BigDecimal("1E+27"),
        )

        private val EXTREME_INSTANTS: List<Instant> = listOf(
            Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.EPOCH.minusMillis(1), Instant.EPOCH.minusNanos(1),
            Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+1000000000-01-01T00:00:00Z"),
            Instant.parse("-1000000000-01-01T00:00:00Z"), Instant.ofEpochMilli(Long.MAX_VALUE), Instant.ofEpochMilli(Long.MIN_VALUE),
            Instant.ofEpochSecond(Long.MAX_VALUE / 1000), Instant.ofEpochSecond(-1),
        )

        /** A value as a short, pasteable description (strings escaped, bytes in hex). */
        fun show(v: Any?): String = when (v) {
            null -> "null"
            is ByteArray -> "bytes[${v.size}] " + v.take(120).joinToString("") { (it.toInt() and 0xff).toString(16).padStart(2, '0') } + if (v.size > 120) "…" else ""
            is String -> "str[${v.length}] \"" + escape(v.take(200)) + if (v.length > 200) "\"…" else "\""
            is BigDecimal -> "BigDecimal(precision ${v.precision()}, scale ${v.scale()}) ${v.toString().take(60)}"
            is Map<*, *> -> v.entries.joinToString(", ", "{", "}") { show(it.key) + ": " + show(it.value) }
            is List<*> -> v.joinToString(", ", "[", "]") { show(it) }
            else -> v.toString().let { if (it.length > 300) it.take(300) + "…" else it }
        }

        private fun escape(s: String): String = buildString {
            for (c in s) {
                if (c in ' '..'~' && c != '\\' && c != '"') append(c) else append("\\u" + c.code.toString(16).padStart(4, '0'))
            }
        }
    }
}
