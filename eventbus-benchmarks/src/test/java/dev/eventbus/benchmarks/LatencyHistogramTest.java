package dev.eventbus.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LatencyHistogramTest {

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 50; v++) {
            h.record(v);
        }
        assertEquals(50, h.count());
        assertEquals(25.0, h.percentile(50));
        assertEquals(50.0, h.percentile(100));
        assertEquals(1.0, h.percentile(0));
    }

    @Test
    void largeValuesAreWithinThreePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1000);
        }
        double[][] expected = {{50, 50_000_000}, {99, 99_000_000}, {99.9, 99_900_000}};
        for (double[] e : expected) {
            double p = h.percentile(e[0]);
            assertTrue(p >= e[1] && p <= e[1] * 1.03, "p" + e[0] + " = " + p + ", expected about " + e[1]);
        }
    }

    @Test
    void everyIndexBoundsItsValue() {
        for (long v : new long[] {0, 63, 64, 65, 127, 128, 1_000, 123_456_789, Long.MAX_VALUE / 2}) {
            int i = LatencyHistogram.index(v);
            assertTrue(LatencyHistogram.upperBound(i) >= v, "upper bound of " + v);
            assertTrue(i == 0 || LatencyHistogram.upperBound(i - 1) < v, "bucket below " + v);
        }
    }

    @Test
    void negativeValuesCountAsZeroAndResetForgets() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        assertEquals(0.0, h.percentile(99));
        h.reset();
        assertEquals(0, h.count());
        assertTrue(Double.isNaN(h.percentile(50)));
    }

    @Test
    void percentileOutsideZeroToHundredIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram().percentile(100.5));
        assertTrue(e.getMessage().contains("100.5"), e.getMessage());
    }
}
