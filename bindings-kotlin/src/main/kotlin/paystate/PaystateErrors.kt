// Hand-written companions to the UniFFI-generated Kotlin (target/generated-sources/uniffi).
package paystate

/**
 * The stable snake_case error code of this error (`invalid_amount`, `signature_mismatch`,
 * ...), exactly as the core, the conformance suite and every other binding spell it.
 *
 * `message` is the core's own message (it names the field and the problem, and never
 * contains a secret), e.g. `transfer.amount: invalid amount "-1": expected only ASCII digits...`.
 *
 * ```kotlin
 * try { invoice.observeTransfer(transfer, Instant.now()) }
 * catch (e: PaystateException) { log.warn("${e.code}: ${e.message}") }
 * ```
 */
val PaystateException.code: String
    get() = when (this) {
        is PaystateException.InvalidAmount -> "invalid_amount"
        is PaystateException.AmountBelowMinimum -> "amount_below_minimum"
        is PaystateException.AmountAboveMaximum -> "amount_above_maximum"
        is PaystateException.TooManyDecimals -> "too_many_decimals"
        is PaystateException.InvalidAsset -> "invalid_asset"
        is PaystateException.AssetMismatch -> "asset_mismatch"
        is PaystateException.InvalidField -> "invalid_field"
        is PaystateException.MissingField -> "missing_field"
        is PaystateException.InvalidTransition -> "invalid_transition"
        is PaystateException.UnknownTransfer -> "unknown_transfer"
        is PaystateException.UnknownRefund -> "unknown_refund"
        is PaystateException.RefundExceedsAvailable -> "refund_exceeds_available"
        is PaystateException.SessionExpired -> "session_expired"
        is PaystateException.SessionUsed -> "session_used"
        is PaystateException.SignatureMissing -> "signature_missing"
        is PaystateException.SignatureMalformed -> "signature_malformed"
        is PaystateException.SignatureMismatch -> "signature_mismatch"
        is PaystateException.TimestampOutOfTolerance -> "timestamp_out_of_tolerance"
        is PaystateException.Replayed -> "replayed"
        is PaystateException.MalformedJson -> "malformed_json"
        is PaystateException.IntegrityConflict -> "integrity_conflict"
        // A code newer than this binding: the message starts with "<code>: ".
        is PaystateException.Other -> message?.substringBefore(": ") ?: "other"
    }

