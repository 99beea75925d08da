package paystate

import java.io.File
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Assertions.assertEquals
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
}
