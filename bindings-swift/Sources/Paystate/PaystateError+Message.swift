// Hand-written companion to the generated Paystate.swift. The code list lives once, in
// ffi/src/types.rs: nothing here names a code.
import Foundation

extension PaystateError {
    /// The stable snake_case error code (`invalid_amount`, `signature_mismatch`,
    /// `limit_exceeded`, ...), exactly as the core, the conformance suite and every other
    /// binding spell it.
    public var code: String { errorCode() }

    /// The field the error is about (`transfer.amount`, `tx_id`), or nil where there is none.
    public var field: String? { errorField() }

    /// The core's message: names the field and the problem, never contains a secret.
    public var message: String { errorMessage() }
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
