// Hand-written companion to the generated Paystate.swift.
import Foundation

extension PaystateError {
    /// The stable snake_case error code (`invalid_amount`, `signature_mismatch`, ...),
    /// exactly as the core, the conformance suite and every other binding spell it.
    public var code: String {
        switch self {
        case .InvalidAmount: return "invalid_amount"
        case .AmountBelowMinimum: return "amount_below_minimum"
        case .AmountAboveMaximum: return "amount_above_maximum"
        case .TooManyDecimals: return "too_many_decimals"
        case .InvalidAsset: return "invalid_asset"
        case .AssetMismatch: return "asset_mismatch"
        case .InvalidField: return "invalid_field"
        case .MissingField: return "missing_field"
        case .InvalidTransition: return "invalid_transition"
        case .UnknownTransfer: return "unknown_transfer"
        case .UnknownRefund: return "unknown_refund"
        case .RefundExceedsAvailable: return "refund_exceeds_available"
        case .SessionExpired: return "session_expired"
        case .SessionUsed: return "session_used"
        case .SignatureMissing: return "signature_missing"
        case .SignatureMalformed: return "signature_malformed"
        case .SignatureMismatch: return "signature_mismatch"
        case .TimestampOutOfTolerance: return "timestamp_out_of_tolerance"
        case .Replayed: return "replayed"
        case .MalformedJson: return "malformed_json"
        case .IntegrityConflict: return "integrity_conflict"
        // A code newer than this binding: the message starts with "<code>: ".
        case .Other(let message):
            return message.components(separatedBy: ": ").first ?? "other"
        }
    }

    /// The core's message: names the field and the problem, never contains a secret.
    public var message: String {
        switch self {
        case .InvalidAmount(let m), .AmountBelowMinimum(let m), .AmountAboveMaximum(let m),
             .TooManyDecimals(let m), .InvalidAsset(let m), .AssetMismatch(let m),
             .InvalidField(let m), .MissingField(let m), .InvalidTransition(let m),
             .UnknownTransfer(let m), .UnknownRefund(let m), .RefundExceedsAvailable(let m),
             .SessionExpired(let m), .SessionUsed(let m), .SignatureMissing(let m),
             .SignatureMalformed(let m), .SignatureMismatch(let m),
             .TimestampOutOfTolerance(let m), .Replayed(let m), .MalformedJson(let m),
             .IntegrityConflict(let m), .Other(let m):
            return m
        }
    }
}

/// `localizedDescription` is the core's message (uniffi.toml sets
/// `omit_localized_error_conformance`, so UniFFI's default field dump is not used).
extension PaystateError: LocalizedError {
    public var errorDescription: String? { message }
}

extension PaystateError: CustomStringConvertible {
    /// `"<code>: <message>"`.
    public var description: String { "\(code): \(message)" }
}
