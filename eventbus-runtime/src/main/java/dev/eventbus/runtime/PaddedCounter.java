package dev.eventbus.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter alone on its cache lines: 56 bytes of padding on each side, so that writes to it never evict a
 * neighbouring object's line from another core, nor the other way round.
 */
@SuppressWarnings("unused") // the padding fields exist only to keep other data off this counter's cache line
final class PaddedCounter {

    private static final VarHandle VALUE =
            VarHandles.field(MethodHandles.lookup(), PaddedCounter.class, "value", long.class);

    private long p1, p2, p3, p4, p5, p6, p7;
    private volatile long value;
    private long q1, q2, q3, q4, q5, q6, q7;

    void increment() {
        VALUE.getAndAdd(this, 1L);
    }

    long get() {
        return value;
    }
}
