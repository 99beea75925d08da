package paystate.bench;

import java.lang.reflect.Field;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Counts the JNA {@code Memory} blocks the generated Kotlin allocates per call, from JNA's own
 * registry of live blocks, then shows how far JNA's Cleaner thread falls behind and that the
 * blocks are released once it catches up (BENCHMARKS.md "Kotlin/JVM binding"). Run with a
 * young generation large enough that no GC (hence no release) happens while counting:
 * {@code java -Xmn2g -cp <bench class path> paystate.bench.MemoryCount}.
 */
public final class MemoryCount {
    public static void main(String[] args) throws Exception {
        Field f = com.sun.jna.Memory.class.getDeclaredField("allocatedMemory");
        f.setAccessible(true);
        Map<?, ?> live = (Map<?, ?>) f.get(null);
        BindingBench b = new BindingBench();
        b.setUp();
        int n = 1000;
        int s0 = live.size();
        for (int i = 0; i < n; i++) b.jnaFloor();
        int s1 = live.size();
        for (int i = 0; i < n; i++) b.verifyPaystate();
        int s2 = live.size();
        for (int i = 0; i < n; i++) b.verifyPaystateRequest();
        int s3 = live.size();
        for (int i = 0; i < n; i++) b.observeTransfer(fresh(b));
        int s4 = live.size();
        System.out.printf("JNA Memory blocks per call: isEmpty %.1f, verify %.1f, verifyRequest %.1f, copy+observeTransfer %.1f%n",
                (s1 - s0) / (double) n, (s2 - s1) / (double) n, (s3 - s2) / (double) n, (s4 - s3) / (double) n);
        for (int i = 0; i < 100_000; i++) b.jnaFloor();
        System.out.println("live blocks after 100 000 more isEmpty(): " + live.size());
        for (int k = 0; k < 3; k++) {
            System.gc();
            Thread.sleep(1000);
            System.out.println("after System.gc() + 1 s: " + live.size());
        }
    }

    static BindingBench.Fresh fresh(BindingBench b) {
        BindingBench.Fresh fr = new BindingBench.Fresh();
        fr.copy(b);
        return fr;
    }

    private MemoryCount() {}
}
