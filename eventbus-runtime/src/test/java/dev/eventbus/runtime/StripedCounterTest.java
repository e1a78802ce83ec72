package dev.eventbus.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
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
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < each; i++) {
                    counter.increment();
                }
            }));
        }
        for (Thread thread : running) {
            thread.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertEquals((long) threads * each, counter.sum());
    }
}
