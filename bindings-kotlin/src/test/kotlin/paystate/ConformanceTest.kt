package paystate

import java.io.File
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue

/**
 * Runs the Kotlin conformance runner over `tests/scenarios`, `../shared/conformance/examples`
 * and the colon-separated directories in `PAYSTATE_SCENARIOS`. Prints one line per failing
 * scenario and the closing `N passed, N failed` line; the build fails if any scenario fails.
 */
class ConformanceTest {
    private fun scenarioDirs(): List<File> {
        val root = File(System.getProperty("paystate.repo.root") ?: "..").canonicalFile
        val dirs = mutableListOf(File(root, "tests/scenarios"))
        val shared = File(root, "../shared/conformance/examples").canonicalFile
        if (shared.isDirectory) dirs.add(shared) else println("conformance: $shared not found, not run")
        System.getenv("PAYSTATE_SCENARIOS")?.split(':')?.filter { it.isNotBlank() }?.forEach { dirs.add(File(it)) }
        return dirs
    }

    @Test
    fun scenarios() {
        val dirs = scenarioDirs()
        for (d in dirs) assertTrue(d.exists()) { "scenario path $d does not exist" }
        val report = ConformanceRunner.runPaths(dirs)
        for ((file, failure) in report.failed) println("FAIL $file: $failure")
        println(report.summary())
        assertTrue(report.passed > 0) { "no scenario ran" }
        assertEquals(0, report.failed.size) { "conformance: ${report.summary()}" }
    }

    /** The op and expect tables come from conformance/grammar.json: what it does not list fails. */
    @Test
    fun refusesWhatTheGrammarDoesNotList() {
        val create = """{"op": "create_invoice", "at": "2026-01-01T00:00:00Z",
            "invoice": {"id": "inv_1", "due": "5", "asset": "USDT_TRC20", "expires_in": 1800}}"""
        fun run(step: String): String = assertThrows(ConformanceRunner.Failure::class.java) {
            ConformanceRunner.runScenario(Json.parse("""{"name": "x", "steps": [$create, $step]}"""))
        }.toString()
        assertTrue(run("""{"op": "teleport", "at": "2026-01-01T00:00:00Z"}""").contains("unknown op \"teleport\""))
        assertTrue(
            run("""{"op": "cancel", "at": "2026-01-01T00:00:00Z", "invoice": "inv_1", "tx": "t"}""")
                .contains("\"tx\""),
        )
        assertTrue(
            run("""{"op": "cancel", "at": "2026-01-01T00:00:00Z", "invoice": "inv_1", "expect": {"statsu": "cancelled"}}""")
                .contains("unknown expect key \"statsu\""),
        )
        // And what it lists runs.
        ConformanceRunner.runScenario(
            Json.parse("""{"name": "x", "steps": [$create,
                {"op": "cancel", "at": "2026-01-01T00:00:00Z", "invoice": "inv_1", "expect": {"status": "cancelled", "version": 2}}]}"""),
        )
    }

    /**
     * A field the Kotlin API cannot take fails the scenario rather than getting a code made up
     * here; the one code the runner raises itself is the grammar's world error, and a report's
     * status or failure text is judged by the core.
     */
    @Test
    fun malformedFieldsFailTheScenarioAndCodesComeFromCoreOrGrammar() {
        val create = """{"op": "create_invoice", "at": "2026-01-01T00:00:00Z",
            "invoice": {"id": "inv_1", "due": "5", "asset": "USDT_TRC20", "expires_in": 1800}}"""
        val plan = """{"op": "plan_delivery", "at": "2026-01-01T00:00:00Z", "delivery": "d", "policy": "usdt_gateway"}"""
        fun scenario(vararg steps: String) = Json.parse("""{"name": "x", "steps": [${steps.joinToString(",")}]}""")
        fun fails(vararg steps: String): String = assertThrows(ConformanceRunner.Failure::class.java) {
            ConformanceRunner.runScenario(scenario(*steps))
        }.toString()
        val ttlText = fails(
            create,
            """{"op": "open_session", "at": "2026-01-01T00:00:00Z", "session": "s", "invoice": "inv_1", "ttl": "600", "expect": {"error": "invalid_field"}}""",
        )
        assertTrue(ttlText.contains("field \"ttl\" must be a whole number")) { ttlText }
        val noSecrets = fails(
            """{"op": "verify_signature", "at": "2026-01-01T00:00:00Z", "scheme": "standard_webhooks", "body": "{}", "expect": {"error": "missing_field"}}""",
        )
        assertTrue(noSecrets.contains("field \"secrets\" is missing")) { noSecrets }
        // The world error's code is the grammar's; the report's codes are the core's.
        ConformanceRunner.runScenario(
            scenario(
                plan,
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "nope", "error": "dns", "expect": {"error": "invalid_field"}}""",
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "d", "expect": {"error": "missing_field"}}""",
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "d", "http_status": 200, "error": "dns", "expect": {"error": "invalid_field"}}""",
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "d", "http_status": -1, "expect": {"error": "invalid_field"}}""",
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "d", "error": "", "expect": {"error": "invalid_field"}}""",
                """{"op": "report_attempt", "at": "2026-01-01T00:00:00Z", "delivery": "d", "error": "connection_refused", "expect": {"next": {"retry_at": "2026-01-01T00:01:00Z"}}}""",
            ),
        )
    }
}
