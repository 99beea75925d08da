package paystate.bench;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import paystate.Asset;
import paystate.Event;
import paystate.Invoice;
import paystate.Matcher;
import paystate.Paystate_ffiKt;
import paystate.Scheme;
import paystate.TransferInput;
import paystate.Verified;
import paystate.Verifier;
import paystate.WebhookRequest;

/**
 * The Kotlin/JVM binding against the JDK doing the same job, in one JMH run (see
 * BENCHMARKS.md "Kotlin/JVM binding"). Not part of `mvn verify`: `bindings-kotlin/bench.sh`.
 *
 * <ul>
 *   <li>{@code verifyPaystate}: usdt_gateway verify of a 1 KB JSON body through the public
 *       {@code Verifier.verify}, which goes through JNI since ffi/kotlin-jni.py (UniFFI/JNA
 *       before; BENCHMARKS.md "Kotlin/JVM: JNI hot paths").
 *   <li>{@code verifyPaystateRequest}: the same through {@code Verifier.verifyRequest}, which
 *       takes headers and body as one record (also JNI).
 *   <li>{@code verifyJdk}: what a shop writes by hand: {@code Mac.getInstance("HmacSHA256")},
 *       init, doFinal, hex-decode the header, {@code MessageDigest.isEqual}.
 *   <li>{@code verifyJdkCachedMac}: the same with the Mac built once (the fastest hand-written
 *       form; a real server needs one per thread).
 *   <li>{@code observeTransfer}: pays a fresh invoice (a copy of a pending one, made in the
 *       per-invocation setup, so the copy is not timed); JNI, like verify.
 *   <li>{@code jnaFloor}: {@code Matcher.isEmpty()}, the cheapest call there is: what any
 *       call through the generated Kotlin costs before it does anything.
 *   <li>{@code jnaStatusOnly}: only what the generated Kotlin allocates before each native
 *       call, its {@code UniffiRustCallStatus} (a JNA {@code Structure} holding a nested
 *       {@code RustBuffer.ByValue}); no native call. {@code jnaFloor} makes two calls (the
 *       handle clone, then the method), so two of these.
 *   <li>{@code jnaMemoryOnly}: one {@code com.sun.jna.Memory} of 32 bytes, what backs each
 *       {@code Structure}: malloc, an entry in JNA's global registry and a Cleaner reference.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 9, time = 1)
@Fork(1)
public class BindingBench {
    static final String SECRET = "whsec_bench_0123456789abcdef";
    static final Instant NOW = Instant.parse("2026-03-24T12:00:00Z");

    byte[] body;
    Map<String, String> headers;
    Verifier verifier;
    Mac cachedMac;
    Invoice pending;
    TransferInput transfer;
    Matcher matcher;

    /** A realistic JSON webhook of exactly 1024 bytes. */
    static byte[] body1k() {
        StringBuilder b = new StringBuilder("{\"invoiceId\":\"inv_0001\",\"status\":\"paid\",\"amountUsdt\":\"150.0000\","
                + "\"assetCode\":\"USDT_TRC20\",\"txHash\":\"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\","
                + "\"note\":\"");
        while (b.length() < 1024 - 2) b.append('x');
        b.append("\"}");
        byte[] out = b.toString().getBytes(StandardCharsets.UTF_8);
        if (out.length != 1024) throw new IllegalStateException("body is " + out.length + " bytes");
        return out;
    }

    static Mac mac() throws NoSuchAlgorithmException, InvalidKeyException {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return m;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        body = body1k();
        headers = new HashMap<>();
        headers.put("X-Webhook-Signature", HexFormat.of().formatHex(mac().doFinal(body)));
        verifier = new Verifier(Scheme.USDT_GATEWAY, List.of(SECRET));
        cachedMac = mac();
        // The spec crosses as JSON here only because Java cannot call Kotlin functions that
        // take unsigned types; the timed call is the typed observeTransfer.
        pending = Paystate_ffiKt.createInvoice(Paystate_ffiKt.invoiceSpecFromJson(
                "{\"id\":\"inv_1\",\"asset\":\"USDT_TRC20\",\"due\":\"5\",\"expires_in\":1800}"), NOW).getInvoice();
        transfer = new TransferInput("tx_1", new BigDecimal("5"), Asset.USDT_TRC20, true, null);
        matcher = new Matcher();
        // Fail the run, not the figures, if a path does not do what it claims.
        if (!verifyPaystate().getScheme().equals(Scheme.USDT_GATEWAY)
                || !verifyPaystateRequest().getScheme().equals(Scheme.USDT_GATEWAY) || !verifyJdk() || !verifyJdkCachedMac()) {
            throw new IllegalStateException("a verify path refused the valid delivery");
        }
    }

    /**
     * A fresh copy of the pending invoice for each observeTransfer call, in its own state so
     * that the per-invocation setup (and the copies' cleanup) touches no other benchmark.
     */
    @State(Scope.Thread)
    public static class Fresh {
        Invoice invoice;

        @Setup(Level.Invocation)
        public void copy(BindingBench b) {
            invoice = b.pending.copy();
        }

        /** Frees the copy now (untimed), so copies do not pile up waiting for a GC. */
        @TearDown(Level.Invocation)
        public void free() {
            invoice.close();
        }
    }

    @Benchmark
    public Verified verifyPaystate() throws Exception {
        return verifier.verify(headers, body, NOW);
    }

    @Benchmark
    public Verified verifyPaystateRequest() throws Exception {
        // Built per call, as a server builds it per request.
        return verifier.verifyRequest(new WebhookRequest(headers, body), NOW);
    }

    @Benchmark
    public boolean verifyJdk() throws Exception {
        Mac m = mac();
        byte[] expected = m.doFinal(body);
        byte[] got = HexFormat.of().parseHex(headers.get("X-Webhook-Signature"));
        return MessageDigest.isEqual(expected, got);
    }

    @Benchmark
    public boolean verifyJdkCachedMac() {
        byte[] expected = cachedMac.doFinal(body);
        byte[] got = HexFormat.of().parseHex(headers.get("X-Webhook-Signature"));
        return MessageDigest.isEqual(expected, got);
    }

    @Benchmark
    public List<Event> observeTransfer(Fresh fresh) throws Exception {
        return fresh.invoice.observeTransfer(transfer, NOW);
    }

    /**
     * No native call: only the headers written as the JNI path writes them (UniFFI's wire
     * format, one UTF-8 encoder per thread): the first Kotlin step of {@code verifyPaystate}.
     */
    @Benchmark
    public java.nio.ByteBuffer jniLowerHeadersOnly() {
        return paystate.PaystateJni.INSTANCE.writtenHeaders(headers);
    }

    /** The same bytes through the generated converter (a new UTF-8 encoder per string). */
    @Benchmark
    public java.nio.ByteBuffer uniffiLowerHeadersOnly() {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(512);
        paystate.FfiConverterMapStringString.INSTANCE.write(headers, buf);
        return buf;
    }

    @Benchmark
    public boolean jnaFloor() {
        return matcher.isEmpty();
    }

    @Benchmark
    public Object jnaStatusOnly() {
        // Kotlin `internal` is public in the bytecode: the same class the generated calls use.
        return new paystate.UniffiRustCallStatus();
    }

    @Benchmark
    public Object jnaMemoryOnly() {
        return new com.sun.jna.Memory(32);
    }
}
