// The JNI hot paths: `Verifier.verify`, `Verifier.verifyRequest` and `Invoice.observeTransfer`
// reach Rust through plain JNI `byte[]`s instead of JNA `Structure`s (BENCHMARKS.md
// "Kotlin/JVM: JNI hot paths"). ffi/kotlin-jni.py points those generated methods here;
// the Rust side is ffi/src/jvm.rs (paystate-ffi feature `jni`). Conversion only: arguments
// are written and results read with the generated UniFFI converters, so values and errors
// are exactly those of the JNA path.
package paystate

import com.sun.jna.Native
import com.sun.jna.NativeLibrary
import java.io.File
import java.io.IOException
import java.nio.ByteBuffer
import java.nio.CharBuffer
import java.nio.charset.CharsetEncoder
import java.nio.charset.CodingErrorAction

/**
 * The one native library file both JNA (the generated `findLibraryName`, rewritten by
 * ffi/kotlin-jni.py) and the JVM's JNI linker (`System.load`) use, so the process holds one
 * copy of `libpaystate_ffi` and a UniFFI object handle means the same object to both.
 *
 * Found, in order: the system property `uniffi.component.paystate_ffi.libraryOverride` (a
 * path, or a name JNA resolves to a file), a file in `jna.library.path`, the library packed in
 * the jar under JNA's resource path (JNA's own extractor; an extracted copy is deleted when the
 * JVM exits), and last the system's library path by name (`System.loadLibrary`, e.g. an
 * Android app's native library directory), where JNA then opens the same name.
 *
 * @suppress
 */
internal object PaystateNativeLibrary {
    private const val NAME = "paystate_ffi"

    /** What JNA opens: the absolute path of the file loaded for JNI, or the bare name. */
    val path: String by lazy {
        val file = locate()
        if (file != null) {
            System.load(file.absolutePath)
            file.absolutePath
        } else {
            System.loadLibrary(NAME)
            NAME
        }
    }

    private fun locate(): File? {
        System.getProperty("uniffi.component.$NAME.libraryOverride")?.let { override ->
            return File(override).takeIf { it.isFile }
                ?: NativeLibrary.getInstance(override).file?.takeIf { it.isFile }
                ?: throw UnsatisfiedLinkError("paystate: uniffi.component.$NAME.libraryOverride=$override names no library file")
        }
        val mapped = System.mapLibraryName(NAME)
        System.getProperty("jna.library.path")?.split(File.pathSeparator)?.forEach { dir ->
            val candidate = File(dir, mapped)
            if (dir.isNotEmpty() && candidate.isFile) return candidate
        }
        return try {
            Native.extractFromResourcePath(NAME, PaystateNativeLibrary::class.java.classLoader).also {
                if (it.name != mapped) it.deleteOnExit()
            }
        } catch (e: IOException) {
            null // not packed with these classes: the system's library path
        }
    }
}

/**
 * The JNI entry points (ffi/src/jvm.rs) and the conversions around them.
 *
 * @suppress
 */
internal object PaystateJni {
    private const val CALL_SUCCESS: Byte = 0
    private const val CALL_ERROR: Byte = 1

    // The slots of verifierVerifyGiven's `out` (ffi/src/jvm.rs `OUT_*`).
    private const val OUT_STATUS = 0
    private const val OUT_SCHEME = 1
    private const val OUT_KEY_INDEX = 2
    private const val OUT_FLAGS = 3
    private const val OUT_TIMESTAMP = 4
    private const val OUT_KEEP_UNTIL = 5
    private const val OUT_LEN = 6

    init {
        PaystateNativeLibrary.path
        try {
            abiVersion()
        } catch (e: UnsatisfiedLinkError) {
            throw UnsatisfiedLinkError(
                "paystate: ${PaystateNativeLibrary.path} has no JNI entry points; build paystate-ffi " +
                    "with the cargo feature `jni` (ffi/generate.sh does): ${e.message}",
            )
        }
    }

    @JvmStatic private external fun abiVersion(): Int

    @JvmStatic private external fun verifierVerify(handle: Long, headers: ByteArray, headersLen: Int, body: ByteArray, now: Long): ByteArray

    @JvmStatic private external fun verifierVerifyGiven(handle: Long, values: ByteArray, body: ByteArray, now: Long, out: LongArray): ByteArray?

    @JvmStatic private external fun invoiceObserveTransfer(handle: Long, transfer: ByteArray, transferLen: Int, now: Long): ByteArray

    /**
     * `Verifier.verify` and `Verifier.verifyRequest` (whose record's members cross the same way):
     * only the values of the scheme's header [names] cross (found by [headerValues]), and a
     * success comes back as numbers and the replay key, made into the generated `Verified` here
     * (BENCHMARKS.md "Kotlin/JVM: JNI verify, second pass"). What [headerValues] cannot decide
     * alike takes the map path ([verifyAsMap]).
     */
    fun verify(handle: Long, names: Array<String>, headers: Map<String, String>, body: ByteArray, now: Timestamp): Verified {
        val values = headerValues(names, headers) ?: return verifyAsMap(handle, headers, body, now)
        val out = LongArray(OUT_LEN)
        val returned = verifierVerifyGiven(handle, writtenValues(values), body, FfiConverterTypeTimestamp.lower(now), out)
        return when (out[OUT_STATUS].toByte()) {
            CALL_SUCCESS -> {
                val flags = out[OUT_FLAGS].toInt()
                Verified(
                    Scheme.entries[out[OUT_SCHEME].toInt() - 1], // as FfiConverterTypeScheme.read numbers them
                    out[OUT_KEY_INDEX].toUInt(),
                    if (flags and 1 != 0) FfiConverterTypeTimestamp.lift(out[OUT_TIMESTAMP]) else null,
                    if (flags and 2 != 0) ReplayKey(String(returned!!, Charsets.UTF_8), FfiConverterTypeTimestamp.lift(out[OUT_KEEP_UNTIL])) else null,
                )
            }
            CALL_ERROR -> throw whole(ByteBuffer.wrap(returned!!), FfiConverterTypePaystateError)
            else -> throw InternalException(if (returned!!.isNotEmpty()) String(returned, Charsets.UTF_8) else "Rust panic")
        }
    }

    /** The map path: the headers written as UniFFI writes a map, lifted in Rust into the UniFFI method's `HashMap`. */
    fun verifyAsMap(handle: Long, headers: Map<String, String>, body: ByteArray, now: Timestamp): Verified {
        val h = writtenHeaders(headers)
        return read(verifierVerify(handle, h.array(), h.position(), body, FfiConverterTypeTimestamp.lower(now)), FfiConverterTypeVerified)
    }

    /**
     * The value of each of [names] (ASCII) in [headers], found as the UniFFI path's Rust
     * `HashMap` finds it (`paystate::signature::Headers`): the key equal to the name in ASCII
     * case (`eq_ignore_ascii_case`; not `equals(ignoreCase)`, which also folds non-ASCII
     * letters such as U+017F into `s`). Null, sending the call down the map path, when any key
     * or value holds a surrogate (there a pair is encoded and an unpaired one fails as the
     * generated converter does), or when two keys match one name: which of them the map path
     * reads depends on the core's own spelling and the `HashMap`'s order, which only that path
     * can reproduce.
     */
    fun headerValues(names: Array<String>, headers: Map<String, String>): Array<String?>? {
        val values = arrayOfNulls<String>(names.size)
        var found = 0
        for ((key, value) in headers) {
            if (hasSurrogate(key) || hasSurrogate(value)) return null
            for (i in names.indices) {
                val name = names[i]
                if (key.length != name.length || !asciiEqualIgnoringCase(key, name)) continue
                if (found and (1 shl i) != 0) return null
                found = found or (1 shl i)
                values[i] = value
            }
        }
        return values
    }

    /**
     * [values] as ffi/src/jvm.rs `given_values` reads them: for each, a big-endian `Int` UTF-8
     * length (`-1`: absent) and the bytes. One `byte[]` because JNI `String`s cost more
     * (BENCHMARKS.md "Kotlin/JVM: JNI verify, second pass"); [headerValues] let no surrogate
     * through, so each has exactly one UTF-8 form.
     */
    private fun writtenValues(values: Array<String?>): ByteArray {
        val encoded = arrayOfNulls<ByteArray>(values.size)
        var size = 4 * values.size
        for (i in values.indices) {
            val bytes = values[i]?.toByteArray(Charsets.UTF_8) ?: continue
            encoded[i] = bytes
            size += bytes.size
        }
        val out = ByteBuffer.allocate(size)
        for (bytes in encoded) {
            if (bytes == null) {
                out.putInt(-1)
            } else {
                out.putInt(bytes.size)
                out.put(bytes)
            }
        }
        return out.array()
    }

    private fun hasSurrogate(text: String): Boolean {
        for (i in 0 until text.length) if (text[i].isSurrogate()) return true
        return false
    }

    /** Rust's `str::eq_ignore_ascii_case` for strings of one length: only `A-Z` fold. */
    private fun asciiEqualIgnoringCase(a: String, b: String): Boolean {
        for (i in 0 until a.length) {
            var x = a[i]
            var y = b[i]
            if (x in 'A'..'Z') x += 32
            if (y in 'A'..'Z') y += 32
            if (x != y) return false
        }
        return true
    }

    fun observeTransfer(handle: Long, transfer: TransferInput, now: Timestamp): List<Event> {
        val t = written(FfiConverterTypeTransferInput, transfer)
        return read(invoiceObserveTransfer(handle, t.array(), t.position(), FfiConverterTypeTimestamp.lower(now)), FfiConverterSequenceTypeEvent)
    }

    /** The value as the generated converter writes it for the JNA path (big-endian). */
    private fun <T> written(converter: FfiConverterRustBuffer<T>, value: T): ByteBuffer {
        val size = converter.allocationSize(value)
        // The JNA path's RustBuffer cannot exceed an Int either (the Rust side refuses it).
        if (size > Int.MAX_VALUE.toULong()) throw RuntimeException("paystate: argument too large ($size bytes)")
        val buffer = ByteBuffer.allocate(size.toInt())
        converter.write(value, buffer)
        return buffer
    }

    /** The generated `FfiConverterString.toUtf8`'s encoder, one per thread instead of one per string. */
    private val utf8 = ThreadLocal.withInitial { Charsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT) }

    /**
     * The headers as `FfiConverterMapStringString.write` writes them (the entry count, then each
     * key and value as its UTF-8 byte length and bytes, in the map's order), faster than the
     * generated converter, which builds a UTF-8 encoder per string and encodes char by char
     * (BENCHMARKS.md "Kotlin/JVM: JNI hot paths"). Text that cannot be UTF-8 fails with the same
     * `CharacterCodingException` (the generated code's encoder and settings); JniPathTest holds
     * both to the same bytes and errors.
     */
    fun writtenHeaders(headers: Map<String, String>): ByteBuffer {
        // The generated allocationSize's bound (4 + each string's 4 + 3 per char), without its list.
        var size = 4L
        for ((name, value) in headers) size += 8L + 3L * (name.length.toLong() + value.length.toLong())
        if (size > Int.MAX_VALUE) throw RuntimeException("paystate: argument too large ($size bytes)")
        val buffer = ByteBuffer.allocate(size.toInt())
        val encoder = utf8.get()
        buffer.putInt(headers.size)
        for ((name, value) in headers) {
            putUtf8(encoder, name, buffer)
            putUtf8(encoder, value, buffer)
        }
        return buffer
    }

    /**
     * The UTF-8 of [text] with its byte length before it, into [buffer] (sized by UniFFI's bound
     * of 3 bytes per char). Text without surrogates has exactly one UTF-8 form, which the JDK's
     * `toByteArray` writes fastest; text with any surrogate goes through the generated code's
     * encoder (`encode(CharBuffer)`), which encodes a pair and throws on a lone one.
     */
    private fun putUtf8(encoder: CharsetEncoder, text: String, buffer: ByteBuffer) {
        if (text.none { it.isSurrogate() }) {
            val bytes = text.toByteArray(Charsets.UTF_8)
            buffer.putInt(bytes.size)
            buffer.put(bytes)
            return
        }
        val at = buffer.position()
        buffer.position(at + 4)
        encoder.reset()
        var result = encoder.encode(CharBuffer.wrap(text), buffer, true)
        if (result.isUnderflow) result = encoder.flush(buffer)
        if (!result.isUnderflow) result.throwException()
        buffer.putInt(at, buffer.position() - at - 4)
    }

    /**
     * One call's outcome, as UniFFI's `uniffiCheckCallStatus` and `liftFromRustBuffer` treat
     * it: the value, the `PaystateException` (lifted by the generated converter) or an
     * `InternalException`.
     */
    private fun <T> read(outcome: ByteArray, converter: FfiConverterRustBuffer<T>): T =
        when (outcome[0]) {
            CALL_SUCCESS -> whole(outcome, converter)
            CALL_ERROR -> throw whole(outcome, FfiConverterTypePaystateError)
            else -> throw InternalException(
                if (outcome.size > 1) String(outcome, 1, outcome.size - 1, Charsets.UTF_8) else "Rust panic",
            )
        }

    private fun <T> whole(outcome: ByteArray, converter: FfiConverterRustBuffer<T>): T =
        whole(ByteBuffer.wrap(outcome, 1, outcome.size - 1), converter)

    private fun <T> whole(payload: ByteBuffer, converter: FfiConverterRustBuffer<T>): T {
        val value = converter.read(payload)
        if (payload.hasRemaining()) {
            throw RuntimeException("junk remaining in buffer after lifting, something is very wrong!!")
        }
        return value
    }
}
