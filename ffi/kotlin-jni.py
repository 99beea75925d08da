#!/usr/bin/env python3
"""Points three methods of the UniFFI-generated Kotlin at the JNI hot paths, and makes JNA and
JNI load one and the same library file (ffi/generate.sh runs this on every generation).

Why: UniFFI 0.32's Kotlin goes through JNA, which builds a JNA `Structure` for every buffer
argument and result (reflection and a Cleaner-tracked `Memory` each); that made
`Verifier.verify` about 30x slower than the JDK's own HMAC and `Invoice.observeTransfer`
about 20 us (BENCHMARKS.md "Kotlin/JVM binding"). The rewritten methods keep their
signatures and exceptions; their bodies call `PaystateJni` (bindings-kotlin, hand-written),
which writes the arguments with the generated converters into a plain `byte[]`, calls
ffi/src/jvm.rs through JNI, and reads the result or the `PaystateException` back with the
generated converters. Everything else stays UniFFI/JNA.

What is rewritten:
* `findLibraryName` returns the file `PaystateNativeLibrary` chose and already `System.load`ed
  (JNA then opens that same file), so the process holds one copy of the library and a UniFFI
  object handle means the same Rust object on both paths.
* `Verifier.verify`, `Verifier.verifyRequest`, `Invoice.observeTransfer`: the JNI call, under
  `uniffiCallWithBorrowedHandle`, a copy of the generated `callWithHandle` that passes the
  object's own handle instead of a clone: its call counter keeps the Rust object alive until
  the call returns (as for `callWithHandle`), so the clone (one more native call through JNA)
  is not needed; the Rust side borrows the object and never frees it. `verify` and
  `verifyRequest` also keep the verifier's `headerNames()` (asked once, through JNA), so
  `PaystateJni.verify` passes only those headers' values (BENCHMARKS.md "Kotlin/JVM: JNI
  verify, second pass").

The rewrite is exact: if the generated text differs from what this script knows (another
UniFFI version, a changed signature), it fails rather than guess.
"""

import sys
from pathlib import Path

FIND_LIBRARY = (
    """private fun findLibraryName(componentName: String): String {
    val libOverride = System.getProperty("uniffi.component.$componentName.libraryOverride")
    if (libOverride != null) {
        return libOverride
    }
    return "paystate_ffi"
}
""",
    """private fun findLibraryName(componentName: String): String {
    // paystate: the file the JNI hot paths loaded too (ffi/kotlin-jni.py says why); it
    // honours uniffi.component.paystate_ffi.libraryOverride.
    return PaystateNativeLibrary.path
}
""",
)

# A copy of the generated `callWithHandle` (same counter, same messages) passing `handle`
# itself instead of `uniffiCloneHandle()`; inserted once into each rewritten class.
BORROWED_HANDLE = """    /**
     * @suppress
     *
     * paystate: `callWithHandle` without the handle clone, for the JNI hot paths
     * (ffi/kotlin-jni.py says why).
     */
    internal inline fun <R> uniffiCallWithBorrowedHandle(block: (handle: Long) -> R): R {
        if (handle == 0.toLong()) {
            throw InternalException("uniffiCloneHandle() called on NoHandle object");
        }
        do {
            val c = this.callCounter.get()
            if (c == 0L) {
                throw IllegalStateException("${this.javaClass.simpleName} object has already been destroyed")
            }
            if (c == Long.MAX_VALUE) {
                throw IllegalStateException("${this.javaClass.simpleName} call counter would overflow")
            }
        } while (! this.callCounter.compareAndSet(c, c + 1L))
        try {
            return block(this.handle)
        } finally {
            if (this.callCounter.decrementAndGet() == 0L) {
                cleanable?.clean()
            }
        }
    }

"""

VERIFY = (
    """    @Throws(PaystateException::class)override fun `verify`(`headers`: Map<kotlin.String, kotlin.String>, `body`: kotlin.ByteArray, `now`: Timestamp): Verified {
            return FfiConverterTypeVerified.lift(
    callWithHandle {
    uniffiRustCallWithError(PaystateException) { _status ->
    UniffiLib.uniffi_paystate_ffi_fn_method_verifier_verify(
        it,
        
        FfiConverterMapStringString.lower(`headers`),
        FfiConverterByteArray.lower(`body`),
        FfiConverterTypeTimestamp.lower(`now`),_status)
}
    }
    )
    }
""",
    BORROWED_HANDLE
    + """    /** @suppress paystate: [headerNames], asked once (ffi/kotlin-jni.py). */
    @Volatile private var uniffiJniNames: Array<String>? = null

    /** @suppress paystate: the header names the JNI verify looks up (ffi/kotlin-jni.py). */
    internal fun uniffiJniHeaderNames(): Array<String> =
        uniffiJniNames ?: `headerNames`().toTypedArray().also { uniffiJniNames = it }

    @Throws(PaystateException::class)override fun `verify`(`headers`: Map<kotlin.String, kotlin.String>, `body`: kotlin.ByteArray, `now`: Timestamp): Verified {
            // paystate: the JNI hot path (ffi/kotlin-jni.py).
            return uniffiCallWithBorrowedHandle { PaystateJni.verify(it, uniffiJniHeaderNames(), `headers`, `body`, `now`) }
    }
""",
)

VERIFY_REQUEST = (
    """    @Throws(PaystateException::class)override fun `verifyRequest`(`request`: WebhookRequest, `now`: Timestamp): Verified {
            return FfiConverterTypeVerified.lift(
    callWithHandle {
    uniffiRustCallWithError(PaystateException) { _status ->
    UniffiLib.uniffi_paystate_ffi_fn_method_verifier_verify_request(
        it,
        
        FfiConverterTypeWebhookRequest.lower(`request`),
        FfiConverterTypeTimestamp.lower(`now`),_status)
}
    }
    )
    }
""",
    """    @Throws(PaystateException::class)override fun `verifyRequest`(`request`: WebhookRequest, `now`: Timestamp): Verified {
            // paystate: the JNI hot path (ffi/kotlin-jni.py).
            return uniffiCallWithBorrowedHandle { PaystateJni.verify(it, uniffiJniHeaderNames(), `request`.`headers`, `request`.`body`, `now`) }
    }
""",
)

OBSERVE_TRANSFER = (
    """    @Throws(PaystateException::class)override fun `observeTransfer`(`transfer`: TransferInput, `now`: Timestamp): List<Event> {
            return FfiConverterSequenceTypeEvent.lift(
    callWithHandle {
    uniffiRustCallWithError(PaystateException) { _status ->
    UniffiLib.uniffi_paystate_ffi_fn_method_invoice_observe_transfer(
        it,
        
        FfiConverterTypeTransferInput.lower(`transfer`),
        FfiConverterTypeTimestamp.lower(`now`),_status)
}
    }
    )
    }
""",
    BORROWED_HANDLE
    + """    @Throws(PaystateException::class)override fun `observeTransfer`(`transfer`: TransferInput, `now`: Timestamp): List<Event> {
            // paystate: the JNI hot path (ffi/kotlin-jni.py).
            return uniffiCallWithBorrowedHandle { PaystateJni.observeTransfer(it, `transfer`, `now`) }
    }
""",
)

# The generated `callWithHandle` the borrowed variant copies: if it changes, so must the copy.
CALL_WITH_HANDLE = """    internal inline fun <R> callWithHandle(block: (handle: Long) -> R): R {
        // Check and increment the call counter, to keep the object alive.
        // This needs a compare-and-set retry loop in case of concurrent updates.
        do {
            val c = this.callCounter.get()
            if (c == 0L) {
                throw IllegalStateException("${this.javaClass.simpleName} object has already been destroyed")
            }
            if (c == Long.MAX_VALUE) {
                throw IllegalStateException("${this.javaClass.simpleName} call counter would overflow")
            }
        } while (! this.callCounter.compareAndSet(c, c + 1L))
        // Now we can safely do the method call without the handle being freed concurrently.
        try {
            return block(this.uniffiCloneHandle())
        } finally {
            // This decrement always matches the increment we performed above.
            if (this.callCounter.decrementAndGet() == 0L) {
                cleanable?.clean()
            }
        }
    }
"""


def jna_copy(original: str, name: str) -> str:
    """The generated method as it was, kept as `internal fun uniffiJna<Name>`: the reference
    the Kotlin tests hold the JNI path to (same values, same exceptions)."""
    header = f"@Throws(PaystateException::class)override fun `{name}`("
    kept = f"@Throws(PaystateException::class) internal fun `uniffiJna{name[0].upper()}{name[1:]}`("
    return (
        "    /** @suppress paystate: the JNA path of the method above, for the tests (ffi/kotlin-jni.py). */\n"
        + original.replace(header, kept, 1)
    )


def main() -> int:
    path = Path(sys.argv[1])
    text = path.read_text(encoding="utf-8")
    if CALL_WITH_HANDLE not in text:
        print(
            f"kotlin-jni.py: {path} does not contain UniFFI 0.32's callWithHandle; update "
            "the script's borrowed-handle copy for this UniFFI version",
            file=sys.stderr,
        )
        return 1
    for name, (original, rewritten) in {
        "findLibraryName": FIND_LIBRARY,
        "Verifier.verify": VERIFY,
        "Verifier.verifyRequest": VERIFY_REQUEST,
        "Invoice.observeTransfer": OBSERVE_TRANSFER,
    }.items():
        if "." in name:
            rewritten += jna_copy(original, name.split(".")[1])
        if text.count(original) != 1:
            print(
                f"kotlin-jni.py: {path} does not contain the generated {name} exactly once; "
                "update the script for this UniFFI version (or this signature)",
                file=sys.stderr,
            )
            return 1
        text = text.replace(original, rewritten)
    path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
