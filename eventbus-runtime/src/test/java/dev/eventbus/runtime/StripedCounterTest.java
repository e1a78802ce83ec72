package dev.eventbus.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StripedCounterTest {

    @Test
    void aNewCounterIsZero() {
        assertEquals(0, new StripedCounter().sum());
    }

    @Test
    void oneThreadsIncrementsAreAllCounted() {
        StripedCounter counter = new StripedCounter();
        for (int i = 0; i < 1_000; i++) {
            counter.increment();
        }
        assertEquals(1_000, counter.sum());
    }

    /** More threads than cells (ids sharing a cell) counting at once: once they are done, not one count is lost. */
    @Test
    void incrementsFromManyThreadsAtOnceAreAllCounted() throws Exception {
        StripedCounter counter = new StripedCounter();
        int threads = 2 * 32 + 3; // more than the most cells any machine gets
        int each = 20_000;
        Together.run(threads, id -> {
            for (int i = 0; i < each; i++) {
                counter.increment();
            }
        });
        assertEquals((long) threads * each, counter.sum());
    }
}
