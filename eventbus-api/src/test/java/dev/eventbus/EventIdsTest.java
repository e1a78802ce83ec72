package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EventIdsTest {

    private static final long LOW_62 = (1L << 62) - 1;
    private static final int RANGE = 1 << 20;

    @Test
    void scrambleHasNoCollisionsOverAMillionConsecutiveCountersFromZero() {
        assertNoCollisions(0);
    }

    @Test
    void scrambleHasNoCollisionsOverAMillionConsecutiveCountersAcrossTheWrapAround() {
        // The counter starts at a random value and is masked to 62 bits: the range around 2^62 must stay collision-free.
        assertNoCollisions((1L << 62) - RANGE / 2);
    }

    @Test
    void scrambleHasNoCollisionsOverAMillionConsecutiveCountersInTheMiddle() {
        assertNoCollisions(0x1234_5678_9ABC_DEFL & LOW_62);
    }

    @Test
    void scrambleStaysWithinSixtyTwoBitsSoTheVariantBitsAreFree() {
        long[] samples = {0, 1, 2, LOW_62, LOW_62 - 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x5555_5555_5555_5555L};
        for (long counter : samples) {
            long scrambled = EventIds.scramble(counter);

            assertEquals(0, scrambled & ~LOW_62, () -> "scramble(" + counter + ") = " + Long.toHexString(scrambled));
        }
    }

    @Test
    void scrambleDependsOnlyOnTheLowSixtyTwoBitsOfTheCounter() {
        assertEquals(EventIds.scramble(7), EventIds.scramble(7 | (1L << 62)));
        assertEquals(EventIds.scramble(7), EventIds.scramble(7 | Long.MIN_VALUE));
    }

    @Test
    void scrambleSpreadsNeighbouringCounters() {
        // Consecutive counters must not give consecutive ids: about half the bits differ between neighbours.
        int totalDifferentBits = 0;
        for (long counter = 1000; counter < 2000; counter++) {
            totalDifferentBits += Long.bitCount(EventIds.scramble(counter) ^ EventIds.scramble(counter + 1));
        }
        double average = totalDifferentBits / 1000.0;
        assertTrue(average > 20 && average < 42, "average differing bits between neighbours: " + average);
    }

    @Test
    void nextIdsAreDistinctVersionFourUuidsSharingTheJvmHalf() {
        UUID first = UUID.fromString(EventIds.next());
        UUID second = UUID.fromString(EventIds.next());

        assertEquals(4, first.version());
        assertEquals(2, first.variant());
        assertEquals(4, second.version());
        assertEquals(2, second.variant());
        assertEquals(first.getMostSignificantBits(), second.getMostSignificantBits());
        assertNotEquals(first.getLeastSignificantBits(), second.getLeastSignificantBits());
        assertTrue(EventTest.UUID_V4.matcher(first.toString()).matches(), first.toString());
    }

    /**
     * Threads take counter values in blocks: ids made in parallel, across many blocks per thread (and in new threads
     * whose first block starts mid-way), must all differ and all be version 4 UUIDs.
     */
    @Test
    void idsMadeInParallelAcrossManyBlocksAreAllDistinct() throws Exception {
        int threads = 4;
        int perThread = 20_000; // about twenty blocks each
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<List<String>>> made = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                made.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        ids.add(EventIds.next());
                    }
                    return ids;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<List<String>> ids : made) {
                all.addAll(ids.get(20, TimeUnit.SECONDS));
            }
            assertEquals(threads * perThread, all.size(), "every id made in parallel is unique");
            for (String id : all) {
                UUID uuid = UUID.fromString(id);
                if (uuid.version() != 4 || uuid.variant() != 2) {
                    fail("not an RFC 4122 version 4 UUID: " + id);
                }
            }
        }
    }

    private static void assertNoCollisions(long start) {
        long[] values = new long[RANGE];
        for (int i = 0; i < RANGE; i++) {
            values[i] = EventIds.scramble(start + i);
        }
        Arrays.sort(values);
        for (int i = 1; i < RANGE; i++) {
            if (values[i] == values[i - 1]) {
                fail("scramble collides on " + Long.toHexString(values[i]) + " for counters from "
                        + Long.toHexString(start));
            }
        }
    }
}
