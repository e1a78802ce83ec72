package dev.eventbus.runtime;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JoinTrackerTest {

    /**
     * A join repeated while an earlier event runs, with nothing published since, opens no new epoch: each one used to
     * chain one more future to the running event's epoch, so polling {@code join} grew the heap until it ended.
     */
    @Test
    void repeatedClosesWhileAnEarlierEventRunsShareOneFutureAndOpenNoEpoch() {
        JoinTracker tracker = new JoinTracker();
        JoinTracker.Epoch running = tracker.enter();
        CompletableFuture<Void> first = tracker.close();
        assertFalse(first.isDone());
        for (int i = 0; i < 1_000; i++) {
            assertSame(first, tracker.close(), "close " + i + " made a new future");
            assertFalse(tracker.isIdle());
        }
        tracker.exit(running);
        assertTrue(first.isDone());
        assertTrue(tracker.isIdle());
        assertTrue(tracker.close().isDone());
    }

    @Test
    void isIdleSeesAnOpenEventAndClosesNothing() {
        JoinTracker tracker = new JoinTracker();
        assertTrue(tracker.isIdle());
        JoinTracker.Epoch open = tracker.enter();
        assertFalse(tracker.isIdle());
        assertFalse(tracker.isIdle());
        tracker.exit(open);
        assertTrue(tracker.isIdle());
        assertSame(open, tracker.enter(), "isIdle closed the epoch");
    }

    /**
     * The join counts under load: several threads enter and exit events (exits on striped cells while the epoch is
     * open and on one counter once it is closed, entries on one counter) while another closes epochs over and over.
     * Every event whose entry returned before a close must have begun its exit by the time that close's future
     * completes, and an idle tracker's close must be done. Three threads, not more: on two cores, more made each close
     * wait out a scheduler tick for a thread preempted mid-event, and the test took seconds without finding more.
     */
    @RepeatedTest(3)
    void aClosedEpochCompletesOnlyAfterEveryEventEnteredBeforeItExited() throws Exception {
        JoinTracker tracker = new JoinTracker();
        int threads = 3;
        AtomicLong entered = new AtomicLong(); // bumped after enter() returns
        AtomicLong exiting = new AtomicLong(); // bumped just before exit()
        AtomicBoolean running = new AtomicBoolean(true);
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                await(start);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (running.get()) {
                    JoinTracker.Epoch epoch = tracker.enter();
                    entered.incrementAndGet();
                    for (int spin = random.nextInt(50); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                    exiting.incrementAndGet();
                    tracker.exit(epoch);
                }
            }));
        }
        await(start);
        int closes = 0;
        try {
            for (; closes < 2_000; closes++) {
                long before = entered.get();
                CompletableFuture<Void> done = tracker.close();
                done.get(10, TimeUnit.SECONDS);
                long exited = exiting.get();
                if (exited < before) {
                    throw new AssertionError("close " + closes + " completed with " + exited
                            + " exits begun, but " + before + " events had entered before it");
                }
            }
        } finally {
            running.set(false);
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        assertEquals(2_000, closes);
        assertTrue(tracker.close().isDone(), "every event exited: an idle tracker's close is done at once");
        assertEquals(entered.get(), exiting.get());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
