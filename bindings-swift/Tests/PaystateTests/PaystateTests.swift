import Foundation
import Paystate
import XCTest

/// Unit tests of the Swift surface: errors, Decimal, Date, storage, hostile inputs.
final class PaystateTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z

    func spec(_ id: String = "inv_1", due: String = "5", asset: Asset = .usdtTrc20) -> InvoiceSpec {
        newInvoiceSpec(id: id, pricing: .due(amount: Decimal(string: due)!), asset: asset, expiry: .inSeconds(seconds: 1800))
    }

    func transfer(_ tx: String, _ amount: String, confirmed: Bool = true) -> TransferInput {
        TransferInput(txId: tx, amount: Decimal(string: amount)!, asset: .usdtTrc20, confirmed: confirmed)
    }

    /// `block` must throw a PaystateError (never crash, never another error type).
    func typed(_ block: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> PaystateError? {
        do {
            try block()
            XCTFail("expected a PaystateError", file: file, line: line)
        } catch let e as PaystateError {
            return e
        } catch {
            XCTFail("expected a PaystateError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testErrorCodeAndLocalizedDescriptionAreTheCoreMessage() throws {
        let invoice = try createInvoice(spec: spec(), now: t0).invoice
        let e = typed { _ = try invoice.observeTransfer(transfer: self.transfer("t1", "-1"), now: self.t0) }
        XCTAssertEqual(e?.code, "invalid_amount")
        XCTAssertTrue(e?.message.hasPrefix("transfer.amount: invalid amount \"-1\"") ?? false, e?.message ?? "")
        // localizedDescription is the core's message, not UniFFI's `String(reflecting:)` dump.
        XCTAssertEqual((e as Error?)?.localizedDescription, e?.message)
        // The field is carried as data, not only inside the message.
        XCTAssertEqual(e?.field, "transfer.amount")
        XCTAssertTrue(Set(errorCodes()).isSuperset(of: ["limit_exceeded", "invalid_state"]))
    }

    func testDecimalsAreExact() throws {
        let invoice = try createInvoice(spec: spec(due: "0.3"), now: t0).invoice
        _ = try invoice.observeTransfer(transfer: transfer("a", "0.1"), now: t0)
        let events = try invoice.observeTransfer(transfer: transfer("b", "0.2"), now: t0)
        XCTAssertEqual(events.map { $0.eventType }, [.paymentReceived, .paid])
        XCTAssertEqual(invoice.snapshot().amountPaid, Decimal(string: "0.3"))
        let bsc = try createInvoice(spec: spec("bsc", due: "0.000000000000000001", asset: .usdtBsc), now: t0).invoice
        XCTAssertEqual(bsc.due(), Decimal(string: "0.000000000000000001"))
        XCTAssertEqual(try parseAmount(text: "10.50"), Decimal(string: "10.5"))
    }

    func testDatesRoundTripAtMillisecondPrecision() throws {
        let at = Date(timeIntervalSince1970: 1_774_353_600.250) // 2026-03-24T12:00:00.250Z
        let invoice = try createInvoice(spec: spec(), now: at).invoice
        XCTAssertEqual(try formatTimestamp(at: invoice.createdAt()), "2026-03-24T12:00:00.250Z")
        XCTAssertEqual(try formatTimestamp(at: invoice.deadline()), "2026-03-24T12:30:00.250Z")
        XCTAssertEqual(typed { _ = try createInvoice(spec: self.spec(), now: Date.distantPast) }?.code, "invalid_field")
        XCTAssertEqual(typed { _ = try createInvoice(spec: self.spec(), now: Date(timeIntervalSince1970: .nan)) }?.code, "invalid_field")
    }

    func testStoreAndReplay() throws {
        let created = try createInvoice(spec: spec(), now: t0)
        let invoice = created.invoice
        var journal = [JournalEntry(at: t0, command: .create(spec: invoice.spec()))]
        let cmd = Command.observeTransfer(transfer: transfer("t1", "5"))
        _ = try invoice.applyCommand(command: cmd, now: t0.addingTimeInterval(60))
        journal.append(JournalEntry(at: t0.addingTimeInterval(60), command: cmd))
        XCTAssertEqual(invoice.status(), .paid)
        XCTAssertTrue(try Invoice.fromJson(json: invoice.toJson()).sameState(other: invoice))
        XCTAssertTrue(try Invoice.replay(journal: journalFromJson(json: journalToJson(entries: journal))).sameState(other: invoice))
    }

    func testHostileInputsGiveTypedErrors() throws {
        let invoice = try createInvoice(spec: spec(), now: t0).invoice
        let cases: [(String, () throws -> Void)] = [
            ("invalid_amount", { _ = try invoice.observeTransfer(transfer: self.transfer("t", "0"), now: self.t0) }),
            ("invalid_amount", { _ = try invoice.observeTransfer(transfer: TransferInput(txId: "t", amount: Decimal.nan, asset: .usdtTrc20, confirmed: true), now: self.t0) }),
            ("too_many_decimals", { _ = try invoice.observeTransfer(transfer: self.transfer("t", "1.0000001"), now: self.t0) }),
            ("invalid_field", { _ = try invoice.observeTransfer(transfer: self.transfer(String(repeating: "x", count: 100_000), "1"), now: self.t0) }),
            ("malformed_json", { _ = try Invoice.fromJson(json: "{") }),
            ("invalid_field", { _ = try Verifier(scheme: .standardWebhooks, secrets: []) }),
            ("signature_missing", { _ = try Verifier(scheme: .stripe, secrets: ["k"]).verify(headers: [:], body: Data(), now: self.t0) }),
            ("invalid_field", { _ = try ReplayGuard(capacity: 0) }),
        ]
        for (code, block) in cases {
            XCTAssertEqual(typed(block)?.code, code)
        }
        XCTAssertEqual(invoice.status(), .pending)
    }
}
