package paystate

import java.math.BigDecimal
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Receiving addresses and payment URIs (docs/spec.md §11): the known answers of
 * core/tests/payment_uri.rs, through the Kotlin binding.
 */
class AddressTest {
    private val eip55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    private val tronUsdt = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    private val bscUsdt = "0x55d398326f99059fF775485246999027B3197955"

    private fun typed(block: () -> Unit): PaystateException = assertThrows<PaystateException> { block() }

    private fun flipFirstLetter(text: String): String {
        val i = text.indices.first { it >= 2 && text[it].isLetter() }
        val c = text[i]
        val flipped = if (c.isUpperCase()) c.lowercaseChar() else c.uppercaseChar()
        return text.substring(0, i) + flipped + text.substring(i + 1)
    }

    @Test
    fun eip55VectorIsItsOwnNormalFormAndLowercaseNormalisesToIt() {
        for (asset in listOf(Asset.USDT_ERC20, Asset.USDT_BSC, Asset.USDT_POLYGON)) {
            assertEquals(eip55, normalizeAddress(asset, eip55))
            assertEquals(eip55, normalizeAddress(asset, "0x" + eip55.substring(2).lowercase()))
            assertEquals(eip55, normalizeAddress(asset, "0x" + eip55.substring(2).uppercase()))
        }
    }

    @Test
    fun oneCaseFlippedLetterIsAChecksumMismatchOnAddress() {
        val typo = flipFirstLetter(eip55)
        assertNotEquals(eip55, typo)
        val e = typed { normalizeAddress(Asset.USDT_ERC20, typo) }
        assertEquals("invalid_field", e.code)
        assertEquals("address", e.field)
        assertTrue(e.detail.contains("checksum_mismatch"), e.detail)
    }

    @Test
    fun tronContractIsValidOnTrc20AndTheWrongNetworkOnErc20() {
        assertEquals(tronUsdt, normalizeAddress(Asset.USDT_TRC20, tronUsdt))
        val e = typed { normalizeAddress(Asset.USDT_ERC20, tronUsdt) }
        assertEquals("invalid_field", e.code)
        assertEquals("address", e.field)
        assertTrue(e.detail.contains("wrong_network"), e.detail)
        val bybit = typed { normalizeAddress(Asset.USDT_BYBIT, eip55) }
        assertEquals("asset", bybit.field)
        assertTrue(bybit.detail.contains("no_onchain_address"), bybit.detail)
    }

    @Test
    fun bscPaymentUriIsEip681InBaseUnits() {
        val expected = "ethereum:$bscUsdt@56/transfer?address=$eip55&uint256=10500000000000000000"
        assertEquals(expected, paymentUri(Asset.USDT_BSC, eip55, BigDecimal("10.50")))
        assertEquals(expected, paymentUri(Asset.USDT_BSC, eip55.lowercase(), BigDecimal("10.5")))
        assertEquals("10500000000000000000", baseUnits(Asset.USDT_BSC, BigDecimal("10.50")))
        assertEquals("10500000", baseUnits(Asset.USDT_TRC20, BigDecimal("10.50")))
    }

    @Test
    fun tooManyDecimalsAndZeroAreRefusedOnAmount() {
        val e = typed { paymentUri(Asset.USDT_TRC20, tronUsdt, BigDecimal("1.0000001")) }
        assertEquals("too_many_decimals", e.code)
        assertEquals("amount", e.field)
        assertEquals("too_many_decimals", typed { baseUnits(Asset.USDT_ERC20, BigDecimal("0.0000001")) }.code)
        val zero = typed { paymentUri(Asset.USDT_ERC20, eip55, BigDecimal.ZERO) }
        assertEquals("invalid_amount", zero.code)
        assertEquals("amount", zero.field)
    }
}
