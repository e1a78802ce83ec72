package dev.eventbus.runtime;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
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
    void repeatedClosesWhileAnEarlierEventRunsWaitForOneEpochAndOpenNone() {
        JoinTracker tracker = new JoinTracker();
        JoinTracker.Epoch running = tracker.enter();
        long first = tracker.close();
        assertFalse(tracker.isDone(first));
        for (int i = 0; i < 1_000; i++) {
            assertEquals(first, tracker.close(), "close " + i + " waits for another epoch");
            assertFalse(tracker.isIdle());
        }
        assertEquals(1, tracker.pendingEpochs());
        tracker.exit(running);
        assertTrue(tracker.isDone(first));
        assertTrue(tracker.isIdle());
        assertTrue(tracker.isDone(tracker.close()));
        assertEquals(0, tracker.pendingEpochs());
    }

    /**
     * Joins made while one event hangs and others come and go each close an epoch of their own. Those drain behind the
     * hung one: they must not be kept, one per join, until it ends (polling {@code join(timeout)} while a long event
     * ran grew the heap by a chained future per call). And each join is done as soon as its own events and the hung
     * one are, not later.
     */
    @Test
    void epochsDrainedBehindAHungOneAreNotKeptAndCompleteWithIt() {
        JoinTracker tracker = new JoinTracker();
        JoinTracker.Epoch hung = tracker.enter();
        long hungJoin = tracker.close();
        long lastJoin = hungJoin;
        for (int i = 0; i < 10_000; i++) {
            JoinTracker.Epoch quick = tracker.enter();
            lastJoin = tracker.close();
            assertTrue(lastJoin > hungJoin, "close " + i + " waits for its own event");
            assertEquals(2, tracker.pendingEpochs(), "the hung epoch and this join's");
            tracker.exit(quick);
            assertFalse(tracker.isDone(lastJoin), "done before the hung event");
            assertEquals(1, tracker.pendingEpochs(), "a drained epoch was kept behind the hung one");
        }
        JoinTracker.Epoch stillRunning = tracker.enter();
        long runningJoin = tracker.close();
        tracker.exit(hung);
        assertTrue(tracker.isDone(hungJoin));
        assertTrue(tracker.isDone(lastJoin), "every join whose events have all exited is done");
        assertFalse(tracker.isDone(runningJoin), "a join with an event still running is not");
        tracker.exit(stillRunning);
        assertTrue(tracker.isDone(runningJoin));
        assertEquals(0, tracker.pendingEpochs());
    }

    /** A later epoch that drains first waits for the earlier one; when that drains, both are done. */
    @Test
    void aDrainedEpochIsDoneOnlyWithEveryEarlierOne() throws InterruptedException {
        JoinTracker tracker = new JoinTracker();
        JoinTracker.Epoch first = tracker.enter();
        long firstJoin = tracker.close();
        JoinTracker.Epoch second = tracker.enter();
        long secondJoin = tracker.close();
        JoinTracker.Epoch third = tracker.enter();
        long thirdJoin = tracker.close();
        tracker.exit(second);
        assertFalse(tracker.isDone(secondJoin));
        assertFalse(tracker.await(secondJoin, TimeUnit.MILLISECONDS.toNanos(1)), "a timed wait runs out");
        tracker.exit(first);
        assertTrue(tracker.isDone(firstJoin));
        assertTrue(tracker.isDone(secondJoin));
        assertFalse(tracker.isDone(thirdJoin));
        tracker.exit(third);
        assertTrue(tracker.await(thirdJoin, 0));
    }

    /** A waiter blocked on an epoch wakes when another thread's exit drains it. */
    @Test
    void aWaiterWakesWhenTheLastEventExits() throws Exception {
        JoinTracker tracker = new JoinTracker();
        JoinTracker.Epoch running = tracker.enter();
        long join = tracker.close();
        CompletableFuture<Boolean> waited = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                waited.complete(tracker.await(join, TimeUnit.SECONDS.toNanos(30)));
            } catch (Throwable t) {
                waited.completeExceptionally(t);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the waiter is parked in the wait, so that the exit must wake it
        }
        assertEquals(Thread.State.TIMED_WAITING, waiter.getState());
        assertFalse(waited.isDone());
        tracker.exit(running);
        assertTrue(waited.get(10, TimeUnit.SECONDS));
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
            workers.add(startEventLoop(tracker, start, running, entered, exiting));
        }
        await(start);
        int closes = 0;
        try {
            for (; closes < 2_000; closes++) {
                long before = entered.get();
                long done = tracker.close();
                assertTrue(tracker.await(done, TimeUnit.SECONDS.toNanos(10)), "close " + closes + " never completed");
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
        assertTrue(tracker.isDone(tracker.close()), "every event exited: an idle tracker's close is done at once");
        assertEquals(entered.get(), exiting.get());
    }

    /**
     * Joins from several threads at once (one's fast path may find the open epoch empty while another is closing the
     * one before): each must still wait for every event entered before it began, and each must return. Every joiner
     * checks its own history: the entries counted before its close against the exits begun when its wait ends.
     */
    @RepeatedTest(3)
    void concurrentJoinsEachWaitForEveryEventEnteredBeforeThem() throws Exception {
        JoinTracker tracker = new JoinTracker();
        int workers = 2;
        int joiners = 2;
        int joins = 1_000;
        AtomicLong entered = new AtomicLong(); // bumped after enter() returns
        AtomicLong exiting = new AtomicLong(); // bumped just before exit()
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicLong joined = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(workers + joiners);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < workers; t++) {
            threads.add(startEventLoop(tracker, start, running, entered, exiting));
        }
        List<Thread> joining = new ArrayList<>();
        for (int j = 0; j < joiners; j++) {
            int joiner = j;
            joining.add(Thread.ofPlatform().start(() -> {
                await(start);
                try {
                    for (int i = 0; i < joins; i++) {
                        long before = entered.get();
                        long done = tracker.close();
                        if (!tracker.await(done, TimeUnit.SECONDS.toNanos(10))) {
                            failures.add("joiner " + joiner + ", join " + i + ": never completed");
                            return;
                        }
                        long exited = exiting.get();
                        if (exited < before) {
                            failures.add("joiner " + joiner + ", join " + i + ": completed with " + exited
                                    + " exits begun, but " + before + " events had entered before it");
                            return; // the first failure says it all
                        }
                        joined.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    failures.add("joiner " + joiner + " interrupted");
                }
            }));
        }
        try {
            for (Thread thread : joining) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        } finally {
            running.set(false);
            threads.addAll(joining);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        assertEquals(List.of(), failures);
        assertEquals((long) joiners * joins, joined.get());
        assertTrue(tracker.isDone(tracker.close()), "every event exited: an idle tracker's close is done at once");
        assertEquals(0, tracker.pendingEpochs(), "no closed epoch is left waiting");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts a thread that, once past the barrier and while {@code running}, enters an event, counts it in
     * {@code entered}, works a random short while, counts it in {@code exiting} and exits it.
     */
    private static Thread startEventLoop(JoinTracker tracker, CyclicBarrier start, AtomicBoolean running,
            AtomicLong entered, AtomicLong exiting) {
        return Thread.ofPlatform().start(() -> {
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
        });
    }
}
