package dev.eventbus.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/** Runs the same work in several platform threads released together by a barrier, for concurrency tests. */
final class Together {

    private Together() {
    }

    /**
     * Runs {@code body.accept(i)} for i = 0 .. threads - 1, each in a thread of its own, all started at once, and
     * waits (at most 20 s each) for them to end.
     */
    static void run(int threads, IntConsumer body) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            running.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("the threads did not start together", e);
                }
                body.accept(id);
            }));
        }
        for (Thread thread : running) {
            thread.join(TimeUnit.SECONDS.toMillis(20));
        }
    }
}
