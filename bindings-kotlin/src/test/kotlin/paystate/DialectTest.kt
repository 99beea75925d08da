package paystate

import java.io.File
import java.math.BigDecimal
import java.time.Instant
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The five seed dialects through the UniFFI binding, mirroring tests/test_dialect.py. */
class DialectTest {
    private val t: Instant = Instant.parse("2026-01-01T00:00:00Z")
    private val root = File(System.getProperty("paystate.repo.root") ?: "..").canonicalFile
    private val goldenDir = File(root, "core/tests/dialect_golden")

    private fun golden(name: String): ByteArray = File(goldenDir, name).readBytes()
    private fun goldenText(name: String): String = File(goldenDir, name).readText()
    private fun b(s: String): ByteArray = s.toByteArray(Charsets.UTF_8)

    @Suppress("UNCHECKED_CAST")
    private fun obj(json: String): Map<String, Any> = Json.parse(json) as Map<String, Any>

    private fun rejected(block: () -> Unit): DialectException.Rejected {
        val e = assertThrows<DialectException> { block() }
        assertTrue(e is DialectException.Rejected, e.toString())
        return e as DialectException.Rejected
    }

    private fun created(req: DialectRequest, at: Instant = t): Invoice = createInvoice(req.spec(), at).invoice

    // ---- seed 000: gatenoc ----

    @Test
    fun gatenocAcceptsAndRenders() {
        val req = gatenocParseCheckoutSession(b("""{"amount": 10.50, "note": "order_123"}"""), "inv_g", t, null)
        assertEquals("gatenoc", req.dialect())
        assertEquals(0, BigDecimal("10.5").compareTo(req.due()))
        assertEquals(t.plusSeconds(1800), req.deadline())
        assertEquals(t, req.createdAt())
        assertEquals("order_123", obj(req.extraJson())["note"])
        assertEquals("order_123", req.spec().reference)
        val out = obj(gatenocRenderCheckoutSession(req, "https://gatenoc.com", 7uL, "tok"))
        assertEquals("https://gatenoc.com/checkout/7?cs=tok", out["checkout_url"])
        assertEquals(JNum("10.5"), out["amount"])
        val short = gatenocParseCheckoutSession(b("""{"amount": 5}"""), "inv_h", t, 300uL)
        assertEquals(t.plusSeconds(300), short.deadline())
    }

    @Test
    fun gatenocRejectsBelowMinimum() {
        val e = rejected { gatenocParseCheckoutSession(b("""{"amount": 0.5}"""), "inv_g", t, null) }
        assertEquals("amount_below_minimum", e.code)
        assertEquals("amount", e.field)
        assertEquals(422.toUShort(), e.httpStatus)
        assertEquals("""{"error":"Amount below minimum","min_amount":1}""", e.bodyJson)
    }

    @Test
    fun gatenocCallbackAppliedAndConflict() {
        val req = gatenocParseCheckoutSession(b("""{"amount": 10.50, "note": "order_123"}"""), "inv_g", t, null)
        val inv = created(req)
        val body = gatenocRenderPaymentCompleted(inv, "SBX-TX-1", "rec_1")
        val cb = gatenocParsePaymentCompleted(b(body), inv)
        assertEquals("payment.completed", cb.providerStatus)
        val cmd = cb.command
        assertNotNull(cmd)
        assertTrue(cmd is Command.ObserveTransfer)
        inv.applyCommand(cmd!!, t.plusSeconds(60))
        assertEquals(Status.PAID, inv.status())

        val wrong = body.replace("\"amount\":10.5", "\"amount\":10")
        val e = assertThrows<PaystateException> { gatenocParsePaymentCompleted(b(wrong), inv) }
        assertTrue(e is PaystateException.IntegrityConflict, e.toString())
        assertEquals("integrity_conflict", e.code)
    }

    @Test
    fun gatenocMerchantKey() {
        assertEquals(1u, gatenocCheckMerchantKey("k2", listOf("k1", "k2")))
        val missing = rejected { gatenocCheckMerchantKey(null, listOf("k1")) }
        assertEquals("signature_missing", missing.code)
        assertEquals(401.toUShort(), missing.httpStatus)
        assertEquals("signature_mismatch", rejected { gatenocCheckMerchantKey("k1 ", listOf("k1")) }.code)
    }

    // ---- seed 001: usdt_gateway ----

    private val seed001 = """{"amountUsdt": 150.0000, "assetCode": "USDT_TRC20", "reference": "ORDER-12345"}"""

    @Test
    fun usdtGatewayAcceptsRendersAndWebhook() {
        val req = usdtGatewayParseInvoice(b(seed001), "inv_u", t, null)
        assertEquals(0, BigDecimal("150").compareTo(req.due()))
        assertEquals(Asset.USDT_TRC20, req.spec().asset)
        val out = obj(usdtGatewayRenderInvoice(req, "TXyz", "https://pay.example.com/ORDER-12345", true))
        assertEquals("150.0000", out["amountUsdtExact"])
        assertEquals(true, out["isTest"])

        val inv = created(req)
        val hook = usdtGatewayRenderWebhook(inv, "m1", "TXyz", "abc123", t.plusSeconds(120))
        val cb = usdtGatewayParseWebhook(b(hook), inv)
        assertEquals("confirmed", cb.providerStatus)
        assertEquals(t.plusSeconds(120), cb.at)
        inv.applyCommand(cb.command!!, t.plusSeconds(180))
        assertEquals(Status.PAID, inv.status())
    }

    @Test
    fun usdtGatewayRejects() {
        val e = rejected { usdtGatewayParseInvoice(b("""{"amountUsdt": 1.00001, "assetCode": "USDT_TRC20"}"""), "inv_u", t, null) }
        assertEquals("amountUsdt", e.field)
        assertEquals(400.toUShort(), e.httpStatus)
        assertEquals(JNum("400"), obj(e.bodyJson!!)["statusCode"])
        assertEquals("assetCode", rejected { usdtGatewayParseInvoice(b("""{"amountUsdt": 1}"""), "inv_u", t, null) }.field)
    }

    @Test
    fun usdtGatewayWebhookIntegrityConflict() {
        val inv = created(usdtGatewayParseInvoice(b(seed001), "inv_u", t, null))
        val hook = goldenText("usdt_gateway_webhook.json").replace("\"150.0000\"", "\"149.0000\"")
        val e = assertThrows<PaystateException> { usdtGatewayParseWebhook(b(hook), inv) }
        assertEquals("integrity_conflict", e.code)
        assertEquals(Status.PENDING, inv.status())
    }

    @Test
    fun usdtGatewayKeyMode() {
        assertEquals("test", usdtGatewayKeyMode("Bearer test_abc"))
        assertEquals("live", usdtGatewayKeyMode("Bearer live_abc"))
        val e = rejected { usdtGatewayKeyMode(null) }
        assertEquals("signature_missing", e.code)
        assertEquals(401.toUShort(), e.httpStatus)
    }

    // ---- seed 002: gatepay ----

    private val gpOrder = """{"merchantTradeNo": "ORDER1234", "env": {"terminalType": "APP"}, "merchantUserId": 123,
        "goods": {"goodsType": "02", "goodsName": "charge", "goodsDetail": "d"}, "chain": "MATIC",
        "fullCurrType": "USDT_MATIC", "currency": "USDT", "orderAmount": "5", "surchargeAmount": "0.5"}"""

    @Test
    fun gatepayAcceptsRendersAndNotification() {
        val req = gatepayParseOrder(b(gpOrder), "inv_gp", t, null)
        assertEquals(0, BigDecimal("5.5").compareTo(req.due()))
        assertEquals(JNum("123"), obj(req.extraJson())["merchantUserId"])
        val out = obj(gatepayRenderOrder(req, "p1", "qr", "https://gate/c", "0xabc"))
        assertEquals("SUCCESS", out["status"])
        @Suppress("UNCHECKED_CAST")
        assertEquals("5.5", (out["data"] as Map<String, Any>)["payAmount"])

        val inv = created(req)
        val note = gatepayRenderNotification(inv, "PAY_SUCCESS", "p1", "c1", "tx-1", t)
        val cb = gatepayParseNotification(b(note), inv)
        assertEquals("PAY_SUCCESS", cb.providerStatus)
        inv.applyCommand(cb.command!!, t.plusSeconds(60))
        assertEquals(Status.PAID, inv.status())
        assertThrows<PaystateException> { gatepayRenderNotification(inv, "PAY_MAYBE", "p", "c", "t", t) }
    }

    @Test
    fun gatepayRejectsSeedExample() {
        val e = rejected { gatepayParseOrder(golden("gatepay_order_request.json"), "inv_gp", t, null) }
        assertEquals("invalid_field", e.code)
        assertEquals("merchantTradeNo", e.field)
        assertEquals("ERROR", obj(e.bodyJson!!)["status"])
    }

    @Test
    fun gatepayCloseMapsToNoCommand() {
        val inv = created(gatepayParseOrder(b(gpOrder), "inv_gp", t, null))
        val data = """{\"merchantTradeNo\":\"ORDER1234\",\"currency\":\"USDT\",\"orderAmount\":\"5.5\"}"""
        val body = """{"bizType":"PAY","bizId":"1","bizStatus":"PAY_CLOSE","data":"$data"}"""
        val cb = gatepayParseNotification(b(body), inv)
        assertNull(cb.command)
        assertEquals("PAY_CLOSE", cb.providerStatus)
    }

    // ---- seed 003: monetix ----

    private val mxT: Instant = Instant.parse("2022-03-25T11:08:05Z")

    private fun mxRequest(): DialectRequest =
        monetixParsePurchase(golden("monetix_purchase_request.json"), "inv_mx", mxT, BigDecimal("0.01"))

    @Test
    fun monetixPurchaseSaleRefund() {
        val req = mxRequest()
        assertEquals("monetix", req.dialect())
        assertEquals(0, BigDecimal("1.23").compareTo(req.due()))
        val display = Json.parse(monetixRenderDisplayData(req, "bybit://pay", mxT.plusSeconds(3600), "https://qr")) as List<*>
        assertEquals("12300", (display[3] as Map<*, *>)["data"])

        val inv = created(req, mxT)
        val sale = monetixParseSaleCallback(golden("monetix_sale_success_callback.json"), inv)
        assertEquals("success", sale.providerStatus)
        inv.applyCommand(sale.command!!, mxT.plusSeconds(60))
        assertEquals(Status.PAID, inv.status())

        val refund = monetixParseRefund(golden("monetix_refund_request.json"))
        assertEquals("payment_47", refund.paymentId())
        assertEquals(JNum("12300"), obj(refund.toJson())["amount"])
        val cmd = refund.command(inv, "rf_1")
        assertEquals("""{"op":"request_refund","refund_id":"rf_1","amount":"1.23"}""", commandToJson(cmd))
        inv.applyCommand(cmd, mxT.plusSeconds(120))
        val settled = monetixParseRefundCallback(golden("monetix_refund_success_callback.json"), inv, null)
        assertTrue(settled.command is Command.SettleRefund)
        inv.applyCommand(settled.command!!, mxT.plusSeconds(180))
    }

    @Test
    fun monetixRejectsAndPayout() {
        val body = goldenText("monetix_purchase_request.json").replace("\"currency\": \"RUB\"", "\"currency\": \"XXX\"")
        val e = rejected { monetixParsePurchase(b(body), "inv_mx", mxT, null) }
        assertEquals("payment.currency", e.field)

        val payout = monetixParsePayout(b(goldenText("monetix_payout_request.json").replace("payment_47", "payment_48")))
        assertEquals(payout.paymentId(), obj(payout.toJson())["payment_id"])
        assertEquals("succeeded", monetixParsePayoutCallback(golden("monetix_payout_success_callback.json"), payout).outcome)
        assertEquals("failed", monetixParsePayoutCallback(golden("monetix_payout_decline_callback.json"), payout).outcome)
    }

    @Test
    fun monetixSaleIntegrityConflict() {
        val inv = created(mxRequest(), mxT)
        val cb = goldenText("monetix_sale_success_callback.json").replace("12300", "12299")
        assertTrue(cb.contains("12299"))
        val e = assertThrows<PaystateException> { monetixParseSaleCallback(b(cb), inv) }
        assertEquals("integrity_conflict", e.code)
    }

    // ---- seed 004: keypair_invoice ----

    private val kpSeed = """{"public_key": "yourpublickey", "private_key": "yourprivatekey", "email": "buyer@example.com",
        "price_amount": 725, "price_currency": "USD", "merchant_id": 5, "order_id": 11, "customer_id": 12, "test": 1,
        "title": "title", "description": "description", "add_fee_to_price": 1, "cancel_url": "https://yourcancelurl",
        "success_url": "https://yoursuccessurl", "callback_url": "https://yourcallbackurl", "expiration_date": 12,
        "margin_ratio": 1.5}"""

    @Test
    fun keypairAcceptsRendersAndCallback() {
        val req = keypairInvoiceParseInvoice(b(kpSeed), "inv_kp", t, null, BigDecimal("1.5"), null)
        assertEquals(0, BigDecimal("726.5").compareTo(req.due()))
        assertEquals("11", req.spec().reference)
        assertTrue(!req.extraJson().contains("yourprivatekey"))
        assertEquals(
            mapOf("status" to "success", "message" to "https://pay.example/i/1"),
            obj(keypairInvoiceRenderInvoice("https://pay.example/i/1")),
        )
        val inv = created(req)
        val body = keypairInvoiceRenderCallback(
            req, "yourprivatekey", "kp_991", BigDecimal("726.5"), "USDT-TRC20", "https://shop.example/cart", "203.0.113.7", t,
        )
        assertEquals(listOf("private_key", "id", "email"), obj(body).keys.take(3))
        val cb = keypairInvoiceParseCallback(b(body), inv)
        inv.applyCommand(cb.command!!, t.plusSeconds(60))
        assertEquals(Status.PAID, inv.status())
    }

    @Test
    fun keypairRejects() {
        val e = rejected {
            keypairInvoiceParseInvoice(
                b("""{"public_key": "pk", "private_key": "sk", "price_amount": 5, "expiration_date": 13}"""),
                "inv_kp", t, null, null, null,
            )
        }
        assertEquals(422.toUShort(), e.httpStatus)
        assertEquals("expiration_date", e.field)
        assertEquals("error", obj(e.bodyJson!!)["status"])
    }

    // ---- binding behaviour ----

    @Test
    fun renderNeedsTheMatchingDialect() {
        val req = gatenocParseCheckoutSession(b("""{"amount": 5}"""), "inv_g", t, null)
        val e = assertThrows<PaystateException> { usdtGatewayRenderInvoice(req, "a", "https://x", false) }
        assertEquals("invalid_field", e.code)
        assertTrue(e.detail.contains("usdt_gateway"), e.detail)
    }

    @Test
    fun hostInputErrorsAreInvalidNotRejected() {
        val e = assertThrows<DialectException> { gatepayParseOrder(b(gpOrder), "inv_gp", t, BigDecimal("-1")) }
        assertTrue(e is DialectException.Invalid, e.toString())
        assertEquals("invalid_amount", (e as DialectException.Invalid).code)
        val pending = goldenText("usdt_gateway_webhook.json").replace("\"confirmed\"", "\"pending\"")
        val inv = created(usdtGatewayParseInvoice(b(seed001), "inv_u", t, null))
        assertNull(usdtGatewayParseWebhook(b(pending), inv).command)
    }
}
