package dev.eventbus.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free log-linear histogram of non-negative nanosecond values: exact below 64 ns, then 32 sub-buckets per
 * power of two, so a percentile is reported with at most about 3% relative error. Written here to avoid a dependency for one
 * small job.
 *
 * <p>Thread-safe: {@link #record(long)} may be called from many threads at once; {@link #percentile(double)}
 * reads a consistent enough snapshot once recording has stopped.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB / 2 + SUB / 2;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /**
     * Records one value; negative values count as 0.
     *
     * @param nanos the value
     */
    public void record(long nanos) {
        counts.incrementAndGet(index(Math.max(0, nanos)));
    }

    /**
     * Returns how many values were recorded.
     *
     * @return the count
     */
    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /**
     * Returns the value at or below which the given share of the recorded values lie.
     *
     * @param percent 0 to 100, such as 99.9
     * @return the upper bound of the bucket holding that percentile, or {@code NaN} if nothing was recorded
     */
    public double percentile(double percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be within 0..100: " + percent);
        }
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(total * percent / 100.0));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return upperBound(i);
            }
        }
        return upperBound(BUCKETS - 1);
    }

    /** Forgets every recorded value. */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
    }

    static int index(long value) {
        if (value < SUB) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value) - SUB_BITS + 1; // >= 1
        int sub = (int) (value >>> exponent) - SUB / 2; // the top SUB_BITS bits, minus the implied leading one
        return exponent * SUB / 2 + SUB / 2 + sub;
    }

    static double upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exponent = (index - SUB / 2) / (SUB / 2);
        long sub = (index - SUB / 2) % (SUB / 2) + SUB / 2;
        return (double) (((sub + 1) << exponent) - 1);
    }
}
