package paystate

import java.io.File
import java.math.BigDecimal
import java.time.Instant
import java.util.TreeMap

/**
 * The Kotlin conformance runner: drives the generated Kotlin API through the scenario files
 * of `conformance/FORMAT.md` (docs/spec.md §10), with the step semantics of the reference runner
 * (`cli/src/conformance/mod.rs`): same op fields, same expect keys, same error-leaves-state
 * check, same order of argument checks. Everything a step does goes through the public
 * Kotlin API (no call into a Rust runner).
 */
object ConformanceRunner {
    /** Why a scenario failed. */
    class Failure(message: String) : Exception(message) {
        var step: Int? = null
        var op: String? = null
        override fun toString(): String = when {
            step != null && op != null -> "step $step ($op): $message"
            step != null -> "step $step: $message"
            else -> message ?: ""
        }
    }

    /** The result of a run. */
    class Report(val passed: Int, val failed: List<Pair<File, Failure>>) {
        /** The closing line: `N passed, N failed`. */
        fun summary(): String = "$passed passed, ${failed.size} failed"
    }

    /** Every `*.json` file below each path (a file is taken as is), sorted by path. */
    fun collect(paths: List<File>): List<File> {
        val out = sortedSetOf<String>()
        for (p in paths) {
            if (p.isDirectory) {
                p.walkTopDown().filter { it.isFile && it.name.endsWith(".json") }.forEach { out.add(it.path) }
            } else {
                out.add(p.path)
            }
        }
        return out.map(::File)
    }

    /** Runs every scenario file below `paths`. */
    fun runPaths(paths: List<File>): Report {
        var passed = 0
        val failed = mutableListOf<Pair<File, Failure>>()
        for (file in collect(paths)) {
            try {
                val doc = try {
                    Json.parse(file.readText(Charsets.UTF_8))
                } catch (e: Json.ParseError) {
                    throw Failure("not JSON: ${e.message}")
                } catch (e: java.io.IOException) {
                    throw Failure("cannot read: ${e.message}")
                }
                runScenario(doc)
                passed++
            } catch (f: Failure) {
                failed.add(file to f)
            }
        }
        return Report(passed, failed)
    }

    /** Runs one scenario document against a fresh world. */
    fun runScenario(doc: Any) {
        val steps = ((doc as? Map<*, *>)?.get("steps") as? List<*>) ?: throw Failure("scenario has no steps array")
        if ((doc as Map<*, *>)["name"] !is String) throw Failure("scenario has no name")
        val world = World()
        steps.forEachIndexed { i, step ->
            try {
                world.runStep(step)
            } catch (f: Failure) {
                f.step = i
                f.op = (step as? Map<*, *>)?.get("op") as? String
                throw f
            } catch (e: PaystateException) {
                throw Failure("unexpected error ${e.code}: ${e.message}").also { it.step = i }
            }
        }
    }
}

/**
 * The one error the runner raises itself: the world's (an unknown or reused invoice, session
 * or delivery id), with the code the grammar names for it (`world_error` in grammar.json).
 */
class StepError(val code: String, message: String) : Exception(message)

private fun codeOf(e: Exception): String? = when (e) {
    is PaystateException -> e.code
    is StepError -> e.code
    else -> null
}

/**
 * A step's JSON object (null is absent), read as the grammar types its fields. Every error
 * code a step meets comes from the core: invoice commands reach it through `commandFromJson`,
 * the other ops hand the step's values to the API as they are. A value the Kotlin API cannot
 * take at all (a missing field, a number where it takes text, a negative count where it takes
 * an unsigned one) fails the scenario instead of being given a code here, as in the Node and
 * Python runners.
 */
private class Obj(val map: Map<String, Any>, val prefix: String) {
    fun path(name: String) = if (prefix.isEmpty()) name else "$prefix.$name"
    fun get(name: String): Any? = map[name]?.takeIf { it !== JNull }

    fun optStr(name: String): String? = when (val v = get(name)) {
        null -> null
        is String -> v
        else -> throw shape(name, "a string", v)
    }

    fun str(name: String): String = optStr(name) ?: missing(name)

    fun optBool(name: String): Boolean? = when (val v = get(name)) {
        null -> null
        is Boolean -> v
        else -> throw shape(name, "true or false", v)
    }

    /** A whole number the API takes as a `ULong` (counts: seconds, milliseconds). */
    fun optU64(name: String): ULong? = when (val v = get(name)) {
        null -> null
        is JNum -> v.text.toULongOrNull() ?: throw fail("field ${Json.write(path(name))}: the Kotlin API takes a whole number in 0..2^64-1, found ${v.text}")
        else -> throw shape(name, "a whole number", v)
    }

    /** A whole number the API takes as a `Long` (an HTTP status: its range is the core's). */
    fun optI64(name: String): Long? = when (val v = get(name)) {
        null -> null
        is JNum -> v.text.toLongOrNull() ?: throw fail("field ${Json.write(path(name))}: the Kotlin API takes a whole number in -2^63..2^63-1, found ${v.text}")
        else -> throw shape(name, "a whole number", v)
    }

    fun u64(name: String): ULong = optU64(name) ?: missing(name)

    /** Amounts are strings, parsed by the core (`parseAmount`); never a double. */
    fun optAmount(name: String): BigDecimal? = when (val v = get(name)) {
        null -> null
        is String -> parseAmount(v)
        else -> throw shape(name, "a decimal string such as \"10.50\"", v)
    }

    fun amount(name: String): BigDecimal = optAmount(name) ?: missing(name)

    @Suppress("UNCHECKED_CAST")
    fun optObj(name: String): Map<String, Any>? = when (val v = get(name)) {
        null -> null
        is Map<*, *> -> v as Map<String, Any>
        else -> throw shape(name, "an object", v)
    }

    fun obj(name: String): Map<String, Any> = optObj(name) ?: missing(name)

    private fun shape(name: String, what: String, v: Any): ConformanceRunner.Failure =
        fail("field ${Json.write(path(name))} must be $what, found ${jsonKind(v)}")

    private fun missing(name: String): Nothing =
        throw fail("field ${Json.write(path(name))} is missing, and the step needs it")
}

/** What one step produced, for its `expect` checks. */
private class Output(
    val invoice: String? = null,
    val events: List<String> = emptyList(),
    val payable: BigDecimal? = null,
    val matched: TransferMatch? = null,
    val expiresAt: Instant? = null,
    val valid: Boolean? = null,
    val headers: List<HttpHeader>? = null,
    val signature: String? = null,
    val next: NextAttempt? = null,
)

/** An invoice with the journal the host would keep. */
private class Tracked(var invoice: Invoice, val journal: MutableList<JournalEntry>)

/**
 * The scenario grammar (conformance/grammar.json at the repository root, or the file named by
 * the `paystate.grammar` system property): which fields each op takes and which expect keys
 * each op family checks, written once for every language's runner.
 */
private object Grammar {
    @Suppress("UNCHECKED_CAST")
    private val doc: Map<String, Any> by lazy {
        val root = File(System.getProperty("paystate.repo.root") ?: "..").canonicalFile
        val file = System.getProperty("paystate.grammar")?.let(::File) ?: File(root, "conformance/grammar.json")
        Json.parse(file.readText()) as Map<String, Any>
    }

    @Suppress("UNCHECKED_CAST")
    private fun op(name: String): Map<String, Any>? = (doc["ops"] as Map<String, Any>)[name] as Map<String, Any>?

    /** The fields `op` takes, or null for an op the grammar does not know. */
    @Suppress("UNCHECKED_CAST")
    fun fieldsOf(name: String): List<String>? = op(name)?.let { d ->
        (d["required"] as Map<String, Any>).keys + ((d["optional"] as Map<String, Any>?)?.keys ?: emptySet())
    }?.toList()

    /** The code of the world error (an unknown or reused id): `world_error.code`. */
    @Suppress("UNCHECKED_CAST")
    val worldErrorCode: String by lazy {
        (doc["world_error"] as Map<String, Any>?)?.get("code") as String?
            ?: throw fail("the scenario grammar has no world_error code")
    }

    /** The state keys `expect` may check after `op` (`error` is allowed for every op). */
    @Suppress("UNCHECKED_CAST")
    fun expectKeysOf(name: String): List<String> {
        val family = op(name)?.get("expect") as String? ?: return emptyList()
        val families = (doc["expect"] as Map<String, Any>)["families"] as Map<String, Any>
        return families[family] as List<String>
    }
}

private fun fail(message: String) = ConformanceRunner.Failure(message)

private fun reused(field: String, what: String, id: String) =
    StepError(Grammar.worldErrorCode, "$field: ${Json.write(id)} $what")

/** Everything a scenario can touch, starting empty. */
private class World {
    val invoices = TreeMap<String, Tracked>()
    val matcher = Matcher()
    val sessions = TreeMap<String, Session>()
    val replayGuard = ReplayGuard()
    val deliveries = TreeMap<String, DeliveryPlan>()

    /** The whole state as text, to check that a failed step changed nothing. */
    fun fingerprint(): String = buildString {
        for ((id, t) in invoices) append("I ").append(id).append(' ').append(t.invoice.toJson()).append(' ').append(t.journal.size).append('\n')
        append("M ").append(matcher.toJson()).append('\n')
        for ((id, s) in sessions) append("S ").append(id).append(' ').append(s.toJson()).append('\n')
        append("G ").append(replayGuard.toJson()).append('\n')
        for ((id, d) in deliveries) append("D ").append(id).append(' ').append(d.toJson()).append('\n')
    }

    fun runStep(stepValue: Any?) {
        @Suppress("UNCHECKED_CAST")
        val map = stepValue as? Map<String, Any> ?: throw fail("a step must be a JSON object")
        val s = Obj(map, "")
        val op = (s.get("op") as? String) ?: throw fail("step has no op")
        val fields = Grammar.fieldsOf(op) ?: throw fail("unknown op ${Json.write(op)}")
        map.keys.firstOrNull { it !in listOf("op", "at", "expect") && it !in fields }?.let {
            throw fail("field ${Json.write(it)} is not a field of $op")
        }
        val atText = (s.get("at") as? String) ?: throw fail("step has no \"at\" time")
        val at = try {
            parseTimestamp(atText)
        } catch (e: PaystateException) {
            throw fail(e.message ?: e.code)
        }
        @Suppress("UNCHECKED_CAST")
        val expect: Map<String, Any>? = when (val e = map["expect"]) {
            null -> null
            is Map<*, *> -> e as Map<String, Any>
            else -> throw fail("expect must be an object")
        }
        if (expect != null) {
            val allowed = Grammar.expectKeysOf(op)
            expect.keys.firstOrNull { it != "error" && it !in allowed }?.let {
                throw fail("unknown expect key ${Json.write(it)} for $op")
            }
            if (expect.containsKey("error") && expect.size > 1) throw fail("expect has error and state keys at once")
        }
        val before = fingerprint()
        val result: Result<Output> = try {
            Result.success(execute(op, at, s))
        } catch (e: PaystateException) {
            Result.failure(e)
        } catch (e: StepError) {
            Result.failure(e)
        }
        val wantError = expect?.get("error")
        result.fold(
            onSuccess = { out ->
                if (wantError != null) throw fail("expected error ${Json.write(wantError)}, but the step succeeded")
                if (expect != null) check(expect, out)
            },
            onFailure = { err ->
                val code = codeOf(err as Exception)
                if (wantError == null) throw fail("unexpected error $code: ${err.message}")
                if (wantError != code) throw fail("expected error ${Json.write(wantError)}, got $code (${err.message})")
                if (fingerprint() != before) throw fail("error $code changed the state")
            },
        )
    }

    fun tracked(id: String): Tracked = invoices[id] ?: throw reused("invoice", "is unknown", id)

    fun execute(op: String, at: Instant, f: Obj): Output = when (op) {
        "create_invoice" -> {
            val spec = invoiceSpecFromJson(Json.write(f.obj("invoice")))
            if (invoices.containsKey(spec.id)) throw reused("invoice.id", "already exists", spec.id)
            val created = createInvoice(spec, at)
            invoices[spec.id] = Tracked(created.invoice, mutableListOf(JournalEntry(at, Command.Create(spec))))
            Output(invoice = spec.id, events = created.events.map { it.eventType.asStr() })
        }
        "observe_transfer", "confirm_transfer", "drop_transfer", "cancel",
        "request_refund", "settle_refund", "mark", "claim_txid" -> {
            val id = f.str("invoice")
            val commandJson = LinkedHashMap(f.map)
            commandJson.remove("invoice")
            commandJson.remove("at")
            commandJson.remove("expect")
            commandJson["op"] = op
            val command = commandFromJson(Json.write(commandJson))
            val t = tracked(id)
            val events = t.invoice.applyCommand(command, at)
            t.journal.add(JournalEntry(at, command))
            Output(invoice = id, events = events.map { it.eventType.asStr() })
        }
        "tick" -> {
            val named = f.optStr("invoice")
            if (named != null) tracked(named)
            var events = emptyList<String>()
            for ((id, t) in invoices) {
                val evs = t.invoice.applyCommand(Command.Tick, at)
                t.journal.add(JournalEntry(at, Command.Tick))
                if (id == named) events = evs.map { it.eventType.asStr() }
            }
            for (plan in deliveries.values) plan.tick(at)
            for (session in sessions.values) session.tick(at)
            Output(invoice = named, events = events)
        }
        "replay" -> {
            val id = f.str("invoice")
            val t = tracked(id)
            val rebuilt = Invoice.replay(t.journal)
            if (!rebuilt.sameState(t.invoice)) {
                throw fail("replaying the journal did not rebuild the identical state")
            }
            t.invoice = rebuilt
            Output(invoice = id)
        }
        "allocate_amount" -> {
            val id = f.str("invoice")
            tracked(id)
            val account = f.str("account")
            val due = f.amount("due")
            val step = f.amount("step")
            val allowance = f.optAmount("allowance") // null: the core's DEFAULT_ALLOWANCE
            Output(payable = matcher.allocate(account, id, due, step, allowance))
        }
        "register_amount" -> {
            val id = f.str("invoice")
            tracked(id)
            val account = f.str("account")
            val payable = f.amount("payable")
            val allowance = f.optAmount("allowance") // null: the core's DEFAULT_ALLOWANCE
            matcher.register(account, id, payable, allowance)
            Output()
        }
        "match_transfer" -> {
            val account = f.str("account")
            Output(matched = matcher.matchAmount(account, f.amount("amount")))
        }
        "release" -> {
            matcher.release(f.str("invoice"))
            Output()
        }
        "open_session" -> {
            val sessionId = f.str("session")
            if (sessions.containsKey(sessionId)) throw reused("session", "already exists", sessionId)
            val invoice = tracked(f.str("invoice")).invoice
            val session = Session.open(sessionId, invoice, f.u64("ttl"), at)
            sessions[sessionId] = session
            Output(expiresAt = session.expiresAt())
        }
        "use_session" -> {
            val sessionId = f.str("session")
            val session = sessions[sessionId] ?: throw reused("session", "is unknown", sessionId)
            val invoice = tracked(session.invoiceId()).invoice
            session.useAt(invoice, at)
            Output()
        }
        "verify_signature", "sign" -> signatureStep(op, at, f)
        "plan_delivery", "report_attempt" -> deliveryStep(op, at, f)
        else -> throw fail("op ${Json.write(op)} is not implemented")
    }

    private fun strings(v: Any?, field: String): List<String> {
        if (v !is List<*>) {
            throw if (v == null) fail("field ${Json.write(field)} is missing, and the step needs it")
            else fail("field ${Json.write(field)} must be an array of strings")
        }
        return v.map { it as? String ?: throw fail("field ${Json.write(field)} must be an array of strings") }
    }

    private fun stringPairs(m: Map<String, Any>?): List<Pair<String, String>> =
        m?.map { (k, v) ->
            k to (v as? String ?: throw fail("field \"headers\": header values are strings, ${Json.write(k)} is not"))
        } ?: emptyList()

    /** Standard, padded base64, as strict as the reference runner's decoder. */
    private fun decodeBase64(text: String): ByteArray? {
        if (text.length % 4 != 0) return null
        return try {
            java.util.Base64.getDecoder().decode(text)
        } catch (e: IllegalArgumentException) {
            null
        }
    }

    private fun find(pairs: List<Pair<String, String>>, names: List<String>): String? =
        names.firstNotNullOfOrNull { n -> pairs.firstOrNull { it.first.equals(n, ignoreCase = true) }?.second }

    private fun signatureStep(op: String, at: Instant, f: Obj): Output {
        val scheme = parseScheme(f.str("scheme"))
        if (op == "verify_signature") {
            val secrets = strings(f.get("secrets"), "secrets")
            val headers = stringPairs(f.optObj("headers"))
            val bodyText = f.optStr("body")
            val bodyB64 = f.optStr("body_base64")
            val body = when {
                bodyText != null && bodyB64 == null -> bodyText.toByteArray(Charsets.UTF_8)
                bodyText == null && bodyB64 != null -> decodeBase64(bodyB64)
                    ?: throw fail("body_base64 is not standard padded base64")
                else -> throw fail("give exactly one of body and body_base64")
            }
            val options = when (val s = f.optU64("tolerance_seconds")) {
                null -> defaultVerifierOptions()
                else -> defaultVerifierOptions().copy(timeCheck = TimeCheck.WithinSeconds(s))
            }
            Verifier.withOptions(scheme, secrets, options).use { verifier ->
                val verified = verifier.verify(headers.toMap(), body, at)
                if (f.optBool("replay_guard") == true) replayGuard.record(verified, at)
            }
            return Output(valid = true)
        }
        val secret = f.str("secret")
        val body = f.str("body")
        val inputs = stringPairs(f.optObj("headers"))
        val timestamp = find(inputs, listOf("webhook-timestamp", "X-GatePay-Timestamp", "timestamp", "t"))
            ?.let { parseSchemeTimestamp(scheme, it) } ?: at
        val input = SignInput(
            id = find(inputs, listOf("webhook-id", "id")),
            nonce = find(inputs, listOf("X-GatePay-Nonce", "nonce")),
            timestamp = timestamp,
        )
        Signer(scheme, listOf(secret)).use { signer ->
            signer.sign(body.toByteArray(Charsets.UTF_8), input).use { signed ->
                return Output(headers = signed.headers(), signature = signed.signature())
            }
        }
    }

    private fun deliveryStep(op: String, at: Instant, f: Obj): Output {
        val id = f.str("delivery")
        if (op == "plan_delivery") {
            if (deliveries.containsKey(id)) throw reused("delivery", "already exists", id)
            val plan = DeliveryPlan(id, parseDeliveryPolicy(f.str("policy")), at)
            deliveries[id] = plan
            return Output(next = plan.next())
        }
        // The core reads the status or the failure's text (docs/spec.md §7).
        val outcome = reportOutcome(f.optI64("http_status"), f.optStr("error"))
        val duration = f.optU64("duration_ms")
        val plan = deliveries[id] ?: throw reused("delivery", "is unknown", id)
        return Output(next = plan.report(outcome, at, duration))
    }

    // ---- expect checks ----

    private fun amountEq(want: Any?, got: BigDecimal?): Boolean {
        if (want !is String || got == null) return false
        val w = try { parseAmount(want) } catch (e: PaystateException) { return false }
        return w.compareTo(got) == 0
    }

    private fun timeEq(want: Any?, got: Instant?): Boolean {
        if (want !is String || got == null) return false
        val w = try { parseTimestamp(want) } catch (e: PaystateException) { return false }
        return w == got
    }

    private fun matchValue(m: TransferMatch): Any = when (m) {
        is TransferMatch.Matched -> linkedMapOf("matched" to m.invoiceId)
        is TransferMatch.Ambiguous -> linkedMapOf("ambiguous" to m.invoiceIds)
        TransferMatch.Unmatched -> "unmatched"
    }

    private fun nextValue(n: NextAttempt): Any = when (n) {
        is NextAttempt.RetryAt -> linkedMapOf("retry_at" to formatTimestamp(n.at))
        NextAttempt.Delivered -> "delivered"
        NextAttempt.GaveUp -> "gave_up"
    }

    private fun nextEq(want: Any, got: Any): Boolean =
        if (want is Map<*, *> && got is Map<*, *>) {
            want.size == 1 && want.containsKey("retry_at") && timeEq(want["retry_at"], parseTimestamp(got["retry_at"] as String))
        } else {
            want == got
        }

    private fun describe(key: String, out: Output): String = when (key) {
        "payable" -> out.payable?.toPlainString().toString()
        "match" -> out.matched?.let { Json.write(matchValue(it)) } ?: "nothing"
        "expires_at" -> out.expiresAt.toString()
        "valid" -> out.valid.toString()
        "next" -> out.next?.let { Json.write(nextValue(it)) } ?: "nothing"
        "signature" -> out.signature.toString()
        else -> "something else"
    }

    private fun amountText(a: BigDecimal) = a.toPlainString()

    fun check(expect: Map<String, Any>, out: Output) {
        val invoice = out.invoice?.let { invoices[it]?.invoice }
        for ((key, want) in expect) {
            val ok: Boolean = when (key) {
                "events" -> {
                    val w = (want as? List<*>)?.filterIsInstance<String>() ?: emptyList()
                    if (w != out.events) throw fail("events: expected $w, got ${out.events}")
                    true
                }
                "payable" -> amountEq(want, out.payable)
                "match" -> out.matched?.let { matchValue(it) == want } ?: false
                "expires_at" -> timeEq(want, out.expiresAt)
                "valid" -> out.valid != null && want == out.valid
                "next" -> out.next?.let { nextEq(want, nextValue(it)) } ?: false
                "signature" -> out.signature != null && out.signature == want
                "headers" -> {
                    val got = out.headers ?: throw fail("this step produced no headers")
                    val w = want as? Map<*, *> ?: throw fail("expect.headers must be an object")
                    for ((name, value) in w) {
                        val found = got.firstOrNull { it.name.equals(name as String, ignoreCase = true) }?.value
                        if (found == null || found != value) {
                            throw fail("header $name: expected ${Json.write(value)}, got ${found?.let { Json.write(it) } ?: "nothing"}")
                        }
                    }
                    true
                }
                else -> {
                    val inv = invoice ?: throw fail("expect.$key needs an invoice on the step")
                    val snap = inv.snapshot()
                    when (key) {
                        "status" -> {
                            val got = snap.status.asStr()
                            if (want != got) throw fail("status: expected ${Json.write(want)}, got ${Json.write(got)}")
                        }
                        "exceptions" -> {
                            val w = ((want as? List<*>)?.filterIsInstance<String>() ?: emptyList()).sorted()
                            val g = snap.exceptions.map { it.asStr() }.sorted()
                            if (w != g) throw fail("exceptions: expected $w, got $g")
                        }
                        "deadline" -> if (!timeEq(want, inv.deadline())) {
                            throw fail("deadline: expected ${Json.write(want)}, got ${formatTimestamp(inv.deadline())}")
                        }
                        // The stored document's version (docs/spec.md §2 "State documents"):
                        // a whole JSON number, compared as an exact integer.
                        "version" -> {
                            val w = (want as? JNum)?.text?.toBigIntegerOrNull()
                                ?: throw fail("expect.version must be a whole number, got ${Json.write(want)}")
                            val got = inv.version()
                            if (w != got.toString().toBigInteger()) throw fail("version: expected $w, got $got")
                        }
                        else -> {
                            val got = when (key) {
                                "amount_paid" -> snap.amountPaid
                                "amount_pending" -> snap.amountPending
                                "amount_held" -> snap.amountHeld
                                "surplus" -> snap.surplus
                                "amount_refunded" -> snap.amountRefunded
                                "refundable" -> snap.refundable
                                else -> throw fail("unknown expect key ${Json.write(key)}")
                            }
                            if (!amountEq(want, got)) {
                                throw fail("$key: expected ${Json.write(want)}, got \"${amountText(got)}\"")
                            }
                        }
                    }
                    true
                }
            }
            if (!ok) throw fail("$key: expected ${Json.write(want)}, got ${describe(key, out)}")
        }
    }
}
