import java.math.BigDecimal
import java.time.Instant
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import paystate.Asset
import paystate.Expiry
import paystate.PaystateException
import paystate.Pricing
import paystate.Scheme
import paystate.Status
import paystate.TransferInput
import paystate.Verifier
import paystate.code
import paystate.createInvoice
import paystate.newInvoiceSpec

/** What a shop does first with the installed jar: no Rust, no jna.library.path. */
class SmokeTest {
    private val now = Instant.parse("2026-03-24T12:00:00Z")

    @Test
    fun theLibraryComesFromTheJar() {
        assertNull(System.getProperty("jna.library.path"))
        val resource = Verifier::class.java.classLoader.getResource("linux-x86-64/libpaystate_ffi.so")
        assertNotNull(resource, "linux-x86-64/libpaystate_ffi.so is not on the classpath")
        assertTrue(resource.toString().startsWith("jar:"), "not loaded from a jar: $resource")
    }

    @Test
    fun verifiesASignedWebhook() {
        // usdt_gateway (seed 001): X-Webhook-Signature = hex HMAC-SHA256 of the raw body,
        // computed here with the JDK so the check is independent of paystate.
        val secret = "whsec_smoke_test_secret"
        val body = """{"invoiceId":"inv_1","status":"paid","amountUsdt":"5"}""".toByteArray()
        val mac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(secret.toByteArray(), "HmacSHA256")) }
        val tag = mac.doFinal(body).joinToString("") { "%02x".format(it) }
        val verifier = Verifier(Scheme.USDT_GATEWAY, listOf(secret))
        val verified = verifier.verify(mapOf("X-Webhook-Signature" to tag), body, now)
        assertEquals(Scheme.USDT_GATEWAY, verified.scheme)
        val tampered = body.copyOf().also { it[it.size - 2] = '6'.code.toByte() }
        val e = assertThrows<PaystateException> { verifier.verify(mapOf("X-Webhook-Signature" to tag), tampered, now) }
        assertEquals("signature_mismatch", e.code)
    }

    @Test
    fun paysAnInvoice() {
        val spec = newInvoiceSpec("inv_1", Pricing.Due(BigDecimal("5")), Asset.USDT_TRC20, Expiry.InSeconds(1800uL))
        val invoice = createInvoice(spec, now).invoice
        assertEquals(Status.PENDING, invoice.snapshot().status)
        val events = invoice.observeTransfer(TransferInput("tx_1", BigDecimal("5"), Asset.USDT_TRC20, true), now.plusSeconds(60))
        assertEquals(Status.PAID, invoice.snapshot().status)
        assertEquals(0, BigDecimal("5").compareTo(invoice.snapshot().amountPaid))
        assertTrue(events.any { it.json.contains("\"invoice.paid\"") }, events.toString())
    }
}
