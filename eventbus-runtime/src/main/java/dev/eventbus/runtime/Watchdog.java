package dev.eventbus.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces per-attempt timeouts for one bus: a single thread that sleeps until the earliest deadline of the
 * running attempts, stops those that ran out of time, and abandons threads that ignore the stop.
 *
 * <p>Arming an attempt costs the running thread a volatile write and, only when its deadline is earlier than the
 * watchdog's next wake-up, an unpark. When idle the watchdog still wakes every {@link #IDLE_HORIZON_NANOS}, so
 * attempts with the default 30 s timeout never need to wake it.
 */
final class Watchdog implements Runnable {

    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_HORIZON_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SCANNING = Long.MIN_VALUE;

    private final RuntimeEventBus bus;
    private final Set<ThreadState> slots = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<AttemptRun> stopped = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile long wakeAt = SCANNING;
    private volatile boolean running = true;

    Watchdog(RuntimeEventBus bus, String name) {
        this.bus = bus;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
    }

    void start() {
        thread.start();
    }

    void watch(ThreadState slot) {
        slots.add(slot);
    }

    void unwatch(ThreadState slot) {
        slots.remove(slot);
    }

    Set<ThreadState> slots() {
        return slots;
    }

    /** Called by a thread that just started an attempt with this deadline. */
    void armed(long deadline) {
        long w = wakeAt;
        if (w == SCANNING || deadline - w < 0) {
            LockSupport.unpark(thread);
        }
    }

    /** Called after a pool worker's attempt was stopped: abandon its thread if it is not back after the grace. */
    void checkAfterGrace(AttemptRun attempt) {
        attempt.graceDeadline = System.nanoTime() + GRACE_NANOS;
        stopped.add(attempt);
        armed(attempt.graceDeadline);
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        while (running) {
            wakeAt = SCANNING;
            long now = System.nanoTime();
            long next = now + IDLE_HORIZON_NANOS;
            for (ThreadState slot : slots) {
                AttemptRun attempt = slot.current;
                if (attempt == null) {
                    if (!slot.pooled && !slot.thread.isAlive()) {
                        slots.remove(slot); // a publishing thread that ran SYNC events has ended (workers unwatch
                                            // themselves; one may not have started yet)
                    }
                    continue;
                }
                if (attempt.isStopped()) {
                    continue;
                }
                long deadline = attempt.deadline;
                if (deadline - now <= 0) {
                    if (attempt.stop(AttemptRun.TIMEOUT) && slot.pooled) {
                        checkAfterGrace(attempt);
                    }
                } else if (deadline - next < 0) {
                    next = deadline;
                }
            }
            for (var it = stopped.iterator(); it.hasNext(); ) {
                AttemptRun attempt = it.next();
                if (attempt.graceDeadline - now <= 0) {
                    it.remove();
                    if (attempt.abandon()) {
                        bus.takeOver(attempt);
                    }
                } else if (attempt.graceDeadline - next < 0) {
                    next = attempt.graceDeadline;
                }
            }
            wakeAt = next;
            long wait = next - System.nanoTime();
            if (wait > 0 && running) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }
}
