import Foundation
import XCTest

/// Runs the Swift conformance runner over `tests/scenarios`, `../shared/conformance/examples`
/// and the colon-separated directories in `PAYSTATE_SCENARIOS`; prints one line per failing
/// scenario and the closing `N passed, N failed` line.
final class ConformanceTests: XCTestCase {
    private func repoRoot() -> String {
        if let root = ProcessInfo.processInfo.environment["PAYSTATE_REPO_ROOT"] { return root }
        // Tests/PaystateTests/ConformanceTests.swift -> bindings-swift -> repository root
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    func testScenarios() {
        let root = repoRoot()
        var dirs = [(root as NSString).appendingPathComponent("tests/scenarios")]
        let shared = (root as NSString).appendingPathComponent("../shared/conformance/examples")
        if FileManager.default.fileExists(atPath: shared) {
            dirs.append(shared)
        } else {
            print("conformance: \(shared) not found, not run")
        }
        if let extra = ProcessInfo.processInfo.environment["PAYSTATE_SCENARIOS"] {
            dirs += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        let report = ConformanceRunner.runPaths(dirs)
        for (file, failure) in report.failed { print("FAIL \(file): \(failure)") }
        print(report.summary)
        XCTAssertGreaterThan(report.passed, 0, "no scenario ran")
        XCTAssertEqual(report.failed.count, 0, "conformance: \(report.summary)")
    }
}
