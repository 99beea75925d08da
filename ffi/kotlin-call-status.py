#!/usr/bin/env python3
"""Rewrites one helper of the UniFFI-generated Kotlin so that a native call reuses its call
status instead of allocating one (ffi/generate.sh runs this on every generation).

Why: UniFFI 0.32's Kotlin starts every native call with `UniffiRustCallStatus()`, a JNA
`Structure` holding a nested `RustBuffer.ByValue`. Each one is backed by a fresh JNA
`Memory` (malloc, an entry in JNA's global registry, a phantom reference for its Cleaner):
measured at ~11 us per status on the shared 2-core machine, most of a call's cost
(BENCHMARKS.md "Kotlin/JVM binding"). Here each thread keeps a small stack of statuses;
a call takes one, and gives it back when the call (and the lifting of its error) is over.
Nested calls (an error lifted with a further call, a callback calling back into Rust) take
the next one, so a status is never shared by two calls in flight.

A status is handed out only in its initial state: code 0 and an empty `error_buf`, which is
what UniFFI's Rust side expects (it never frees what it is given, and reports a panic whose
message could not be built by leaving `error_buf` empty). After a failed call, whose
`error_buf` the error lifting has taken and freed, the status gets a fresh empty buffer.

The rewrite is exact: if the generated text differs from what this script knows (another
UniFFI version), it fails rather than guess.
"""

import sys
from pathlib import Path

ORIGINAL = """private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}
"""

REWRITTEN = """private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    // paystate: a reused call status (ffi/kotlin-call-status.py says why).
    val status = UniffiCallStatusPool.acquire()
    try {
        val return_value = callback(status)
        uniffiCheckCallStatus(errorHandler, status)
        return return_value
    } finally {
        UniffiCallStatusPool.release(status)
    }
}

/**
 * Call statuses reused per thread, in their initial state (code 0, empty `error_buf`);
 * written by ffi/kotlin-call-status.py, which says why.
 *
 * @suppress
 */
internal object UniffiCallStatusPool {
    private val free = ThreadLocal.withInitial { ArrayList<UniffiRustCallStatus>(4) }

    fun acquire(): UniffiRustCallStatus {
        val stack = free.get()
        return if (stack.isEmpty()) UniffiRustCallStatus() else stack.removeAt(stack.size - 1)
    }

    fun release(status: UniffiRustCallStatus) {
        if (status.code != UNIFFI_CALL_SUCCESS || status.error_buf.len != 0L || status.error_buf.data != null) {
            // The failed call's error_buf was taken (and freed) by the error lifting.
            status.code = UNIFFI_CALL_SUCCESS
            status.error_buf = RustBuffer.ByValue()
        }
        free.get().add(status)
    }
}
"""


def main() -> int:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    if text.count(ORIGINAL) != 1:
        print(
            f"kotlin-call-status.py: {path} does not contain UniFFI 0.32's "
            "uniffiRustCallWithError exactly once; update the script for this UniFFI version",
            file=sys.stderr,
        )
        return 1
    # The helper's own allocation and `class ByValue: UniffiRustCallStatus()`.
    if text.count("UniffiRustCallStatus()") != 2:
        print(
            f"kotlin-call-status.py: {path} allocates call statuses in places this script "
            "does not know",
            file=sys.stderr,
        )
        return 1
    path.write_text(text.replace(ORIGINAL, REWRITTEN), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
