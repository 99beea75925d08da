package paystate

import java.math.BigDecimal
import java.time.Instant
import kotlin.random.Random
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The JNI hot paths (`Verifier.verify`, `Verifier.verifyRequest`, `Invoice.observeTransfer`,
 * ffi/kotlin-jni.py and ffi/src/jvm.rs) against the UniFFI/JNA path they replace, kept by the
 * rewrite as `uniffiJna…`: the same inputs, good and bad, give the same value, or the same
 * exception (class, code, field, detail, message), and leave the invoice in the same state.
 */
class JniPathTest {
    private val t0: Instant = Instant.parse("2026-01-01T00:00:00Z")

    /** An exception, as far as a caller can tell two apart. */
    private data class Failure(val type: Class<*>, val code: String?, val field: String?, val detail: String?, val message: String?)

    /** What a call ended with (its value or its exception), comparable across the two paths. */
    private fun outcome(block: () -> Any?): Any? =
        try {
            block()
        } catch (e: PaystateException) {
            Failure(e.javaClass, e.code, e.field, e.detail, e.message)
        } catch (e: Exception) {
            Failure(e.javaClass, null, null, null, e.message)
        }

    private fun errorCode(outcome: Any?): String = (outcome as? Failure)?.code ?: "other"

    @Test
    fun verifyGivesTheSameValuesAndErrorsAsTheJnaPath() {
        val rnd = Random(20261206)
        val codes = mutableMapOf<String, Int>()
        var ok = 0
        for (scheme in Scheme.entries) {
            val secret = if (scheme == Scheme.STANDARD_WEBHOOKS) "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" else "k3y-${scheme.asStr()}"
            val other = if (scheme == Scheme.STANDARD_WEBHOOKS) "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" else "other"
            val signer = Signer(scheme, listOf(secret))
            val verifiers = listOf(
                Verifier(scheme, listOf(secret)),
                Verifier.withOptions(scheme, listOf(other, secret), VerifierOptions(TimeCheck.WithinSeconds(0uL), 1uL)),
            )
            repeat(60) { i ->
                val ts = t0.plusSeconds(rnd.nextLong(-1_000, 1_000))
                val body = """{"id":"evt_$i","amount":"${rnd.nextInt(1, 1000)}.5","status":"paid"}""".toByteArray()
                val signed = signer.sign(body, SignInput(id = "msg_$i", nonce = "n$i", timestamp = ts))
                val sent = signed.body() ?: body
                val headers = signed.headers().associate { it.name to it.value }
                val (h, b, now) = when (rnd.nextInt(8)) {
                    0 -> Triple(headers, sent, ts) // as sent
                    1 -> Triple(headers.mapValues { (_, v) -> v.dropLast(1) + "0" }, sent, ts) // signature altered
                    2 -> Triple(emptyMap(), sent, ts) // nothing signed
                    3 -> Triple(headers, sent + ' '.code.toByte(), ts) // body altered
                    4 -> Triple(headers, sent, ts.plusSeconds(rnd.nextLong(-100_000, 100_000))) // clock skew
                    5 -> Triple(headers, byteArrayOf(0x7b, 0xff.toByte(), 0x22), ts) // not UTF-8, not JSON
                    6 -> Triple(headers.mapValues { (_, v) -> v.take(rnd.nextInt(v.length + 1)) }, sent, ts) // truncated
                    else -> Triple(headers, sent, listOf(Instant.MIN, Instant.MAX, Instant.EPOCH.minusMillis(1))[rnd.nextInt(3)])
                }
                val verifier = verifiers[rnd.nextInt(verifiers.size)]
                val jni = outcome { verifier.verify(h, b, now) }
                val jna = outcome { verifier.uniffiJnaVerify(h, b, now) }
                assertEquals(jna, jni, "verify[${scheme.asStr()}] $h at $now")
                val request = WebhookRequest(h, b)
                assertEquals(outcome { verifier.uniffiJnaVerifyRequest(request, now) }, outcome { verifier.verifyRequest(request, now) })
                assertEquals(jna, outcome { verifier.verifyRequest(request, now) }, "verifyRequest is verify")
                if (jni is Verified) ok++ else codes.merge(errorCode(jni), 1, Int::plus)
            }
        }
        // The inputs reach the successes and the typed errors both paths must agree on.
        assertTrue(ok > 50, "only $ok verified")
        for (code in listOf("signature_missing", "signature_mismatch", "signature_malformed", "timestamp_out_of_tolerance", "malformed_json", "invalid_field")) {
            assertTrue((codes[code] ?: 0) > 0, "no $code among $codes")
        }
    }

    @Test
    fun observeTransferGivesTheSameEventsErrorsAndStateAsTheJnaPath() {
        val rnd = Random(14)
        val codes = mutableMapOf<String, Int>()
        var events = 0
        val base = createInvoice(newInvoiceSpec("inv_jni", Pricing.Due(BigDecimal("5")), Asset.USDT_TRC20, Expiry.InSeconds(1800uL)), t0).invoice
        val amounts = listOf("5", "2.5", "0", "-1", "1.0000001", "1E+3", "1E-9", "99999999999999999999999999999", "0.000001")
        val assets = listOf(Asset.USDT_TRC20, Asset.USDT_TRC20, Asset.USDT_ERC20)
        val ids = listOf("t1", "t2", "", "x".repeat(300), "t\u0000", "tx ☃")
        repeat(300) {
            val jniInvoice = base.copy()
            val jnaInvoice = base.copy()
            repeat(1 + rnd.nextInt(4)) {
                val transfer = TransferInput(
                    ids[rnd.nextInt(ids.size)],
                    BigDecimal(amounts[rnd.nextInt(amounts.size)]),
                    assets[rnd.nextInt(assets.size)],
                    rnd.nextBoolean(),
                    if (rnd.nextInt(4) == 0) listOf(t0.minusSeconds(10), Instant.MAX, t0.plusSeconds(4000))[rnd.nextInt(3)] else null,
                )
                val now = if (rnd.nextInt(10) == 0) Instant.MIN else t0.plusSeconds(rnd.nextLong(0, 4000))
                val jni = outcome { jniInvoice.observeTransfer(transfer, now) }
                val jna = outcome { jnaInvoice.uniffiJnaObserveTransfer(transfer, now) }
                assertEquals(jna, jni, "observeTransfer $transfer at $now")
                assertTrue(jniInvoice.sameState(jnaInvoice), "the paths left different states after $transfer")
                if (jni is List<*>) events += jni.size else codes.merge(errorCode(jni), 1, Int::plus)
            }
            jniInvoice.close()
            jnaInvoice.close()
        }
        assertTrue(events > 100, "only $events events")
        for (code in listOf("invalid_amount", "too_many_decimals", "asset_mismatch", "invalid_field")) {
            assertTrue((codes[code] ?: 0) > 0, "no $code among $codes")
        }
    }

    @Test
    fun objectsWithoutARustSideFailAlikeOnBothPaths() {
        val fake = Verifier(NoHandle)
        assertEquals(outcome { fake.uniffiJnaVerify(emptyMap(), ByteArray(0), t0) }, outcome { fake.verify(emptyMap(), ByteArray(0), t0) })
        val closed = Verifier(Scheme.GITHUB, listOf("k")).also { it.close() }
        val jni = outcome { closed.verify(emptyMap(), ByteArray(0), t0) }
        assertEquals(outcome { closed.uniffiJnaVerify(emptyMap(), ByteArray(0), t0) }, jni)
        assertEquals(Failure(IllegalStateException::class.java, null, null, null, "Verifier object has already been destroyed"), jni)
        val invoice = createInvoice(newInvoiceSpec("inv_c", Pricing.Due(BigDecimal("5")), Asset.USDT_TRC20, Expiry.InSeconds(60uL)), t0).invoice
        invoice.close()
        val transfer = TransferInput("t1", BigDecimal("5"), Asset.USDT_TRC20, true)
        assertEquals(outcome { invoice.uniffiJnaObserveTransfer(transfer, t0) }, outcome { invoice.observeTransfer(transfer, t0) })
    }

    @Test
    fun headersAreWrittenAsTheGeneratedConverterWritesThem() {
        val rnd = Random(7)
        val alphabet = listOf("a", "Z", "-", "0", " ", "é", "☃", "\uD83D\uDE00", "\u0000", "ß", "\u00ff", "\u07ff", "\u0800")
        fun text() = (0 until rnd.nextInt(12)).joinToString("") { alphabet[rnd.nextInt(alphabet.size)] }
        repeat(500) {
            val headers = (0 until rnd.nextInt(5)).associate { text() to text() }
            val expected = java.nio.ByteBuffer.allocate(FfiConverterMapStringString.allocationSize(headers).toInt())
            FfiConverterMapStringString.write(headers, expected)
            val written = PaystateJni.writtenHeaders(headers)
            assertEquals(expected.position(), written.position(), headers.toString())
            assertTrue(expected.array().copyOf(expected.position()).contentEquals(written.array().copyOf(written.position())), headers.toString())
        }
    }

    @Test
    fun headersAreFoundAsTheMapPathFindsThem() {
        // Verify looks the scheme's header names up in Kotlin (PaystateJni.headerValues) where
        // the map path hands the whole map to Rust's HashMap lookup: names in any ASCII case,
        // two spellings of one name, names that only Unicode case folding would match (U+017F,
        // U+212A: no match in Rust), unrelated headers (one with a surrogate pair, which takes
        // the map path), a TreeMap ordered case-insensitively, blank values.
        val rnd = Random(14)
        var ok = 0
        var missing = 0
        for (scheme in Scheme.entries) {
            val secret = if (scheme == Scheme.STANDARD_WEBHOOKS) "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" else "k3y"
            val verifier = Verifier.withOptions(scheme, listOf(secret), VerifierOptions(TimeCheck.Skip, 60uL))
            val body = """{"id":"evt_1","amount":"1.5","status":"paid"}""".toByteArray()
            val signed = Signer(scheme, listOf(secret)).sign(body, SignInput(id = "msg_1", nonce = "n1", timestamp = t0))
            val sent = signed.body() ?: body
            val headers = signed.headers().associate { it.name to it.value }
            fun mangled(name: String) = name.map { if (rnd.nextBoolean()) it.uppercaseChar() else it.lowercaseChar() }.joinToString("")
            val variants = mutableListOf<Map<String, String>>()
            repeat(8) { variants += headers.mapKeys { (k, _) -> mangled(k) } }
            for ((k, v) in headers) {
                val lower = k.lowercase()
                val upper = k.uppercase().let { if (it == lower) "$it-X" else it }
                // Two spellings of one name take the map path (its pick is the HashMap's, so
                // only equal values give one answer to compare).
                variants += headers - k + linkedMapOf(lower to v, upper to v)
                variants += headers - k + linkedMapOf(upper to " ", mangled(k) to " ") // blank
                variants += headers - k + mapOf(mangled(k) to " ") // blank
                variants += headers - k + mapOf(k.replace('s', '\u017F').replace('S', '\u017F') to v)
                variants += headers - k + mapOf(k.replace('k', '\u212A').replace('K', '\u212A') to v)
            }
            variants += headers + mapOf("x-emoji" to "\uD83D\uDE00", "User-Agent" to "t")
            variants += java.util.TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER).apply { putAll(headers.mapKeys { (k, _) -> k.uppercase() }) }
            for (h in variants) {
                val jna = outcome { verifier.uniffiJnaVerify(h, sent, t0) }
                assertEquals(jna, outcome { verifier.verify(h, sent, t0) }, "verify[${scheme.asStr()}] $h")
                assertEquals(jna, outcome { verifier.verifyRequest(WebhookRequest(h, sent), t0) }, "verifyRequest[${scheme.asStr()}] $h")
                if (jna is Verified) ok++ else if (errorCode(jna) == "signature_missing") missing++
            }
        }
        assertTrue(ok > 100, "only $ok verified")
        assertTrue(missing > 10, "only $missing signature_missing")
    }

    @Test
    fun textThatIsNotUnicodeFailsAlikeBeforeEitherCall() {
        // An unpaired surrogate cannot be written as UTF-8: the generated converter refuses it
        // (CharacterCodingException) on both paths, before anything reaches Rust.
        val verifier = Verifier(Scheme.STRIPE, listOf("k"))
        for (bad in listOf("t=1,v1=\uDC00", "\uD800", "a\uD800b", "\uDE00\uD83D")) {
            for (headers in listOf(mapOf("Stripe-Signature" to bad), mapOf(bad to "v"))) {
                val jni = outcome { verifier.verify(headers, ByteArray(0), t0) }
                assertEquals(java.nio.charset.CharacterCodingException::class.java, (jni as Failure).type.superclass)
                assertEquals(outcome { verifier.uniffiJnaVerify(headers, ByteArray(0), t0) }, jni)
                val request = WebhookRequest(headers, ByteArray(0))
                assertEquals(jni, outcome { verifier.verifyRequest(request, t0) })
                assertEquals(jni, outcome { verifier.uniffiJnaVerifyRequest(request, t0) })
            }
        }
        val invoice = createInvoice(newInvoiceSpec("inv_u", Pricing.Due(BigDecimal("5")), Asset.USDT_TRC20, Expiry.InSeconds(60uL)), t0).invoice
        val transfer = TransferInput("t\uD800", BigDecimal("5"), Asset.USDT_TRC20, true)
        assertEquals(outcome { invoice.uniffiJnaObserveTransfer(transfer, t0) }, outcome { invoice.observeTransfer(transfer, t0) })
        assertEquals("pending", invoice.status().asStr())
    }
}
