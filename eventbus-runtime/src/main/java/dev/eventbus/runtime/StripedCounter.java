package dev.eventbus.runtime;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A counter split into cells on cache lines of their own, one picked per thread by its id, so that threads counting
 * at once rarely write the same line; the count is the sum of the cells.
 *
 * <p>Unlike {@link java.util.concurrent.atomic.LongAdder}, which starts with one unpadded {@code base} and only
 * spreads out after a failed update, every cell here is padded from the start: a lone writer (one publishing thread)
 * never shares its line with the fields beside the counter, which every worker reads. Two threads whose ids fall on
 * the same cell share it, which costs speed, never correctness.
 */
final class StripedCounter {

    /** Longs between two cells: 128 bytes, as adjacent-line prefetch fetches lines in pairs. */
    private static final int STRIDE = 16;
    /** A power of two, at least twice the processors (so that threads running at once seldom share one), at most 32. */
    private static final int CELLS =
            Math.min(32, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1) << 1);

    // Cell i at (i + 1) * STRIDE: one stride of padding before the first cell and after the last.
    private final AtomicLongArray cells = new AtomicLongArray((CELLS + 2) * STRIDE);

    void increment() {
        cells.getAndIncrement(((int) Thread.currentThread().threadId() & (CELLS - 1)) * STRIDE + STRIDE);
    }

    /** The count: exact when no increment runs concurrently, else at most the count when the sum ends. */
    long sum() {
        long sum = 0;
        for (int i = 1; i <= CELLS; i++) {
            sum += cells.get(i * STRIDE);
        }
        return sum;
    }
}
