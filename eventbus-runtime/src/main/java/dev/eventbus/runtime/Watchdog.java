package dev.eventbus.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces per-attempt timeouts for one bus: a single thread that times the running attempts, stops those that ran
 * out of time, and abandons threads that ignore the stop.
 *
 * <p>Attempts carry no clock of their own: a clock read costs as much as a whole SYNC dispatch on some virtual
 * machines (about 27 ns with kvm-clock), so the watchdog times each attempt from the scan that first sees it
 * running. While any attempt runs, or ran since the last scan, the watchdog scans at least every {@link #TICK_NANOS},
 * so an attempt is seen at most one tick after it starts: a timeout is never reported early and at most a tick late.
 * Once a whole tick passes with nothing started, the watchdog goes idle; the next attempt to start wakes it (a
 * volatile write and read against the watchdog's, so one of the two always sees the other). Starting an attempt
 * thus costs the running thread a volatile write and read, and an unpark only after a quiet spell.
 */
final class Watchdog implements Runnable {

    static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The longest an attempt can run unseen, so the most a timeout is reported late. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long IDLE_HORIZON_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final VarHandle IDLE =
            VarHandles.field(MethodHandles.lookup(), Watchdog.class, "idle", boolean.class);

    private final RuntimeEventBus bus;
    private final Set<ThreadState> slots = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<AttemptRun> stopped = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    /** True while parked with nothing to watch: the next attempt to start must wake the watchdog. */
    private volatile boolean idle;
    private volatile boolean running = true;

    Watchdog(RuntimeEventBus bus, String name) {
        this.bus = bus;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
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

    /** Called by a thread right after it published its new attempt in its slot's {@code current}. */
    void attemptStarted() {
        if (idle && IDLE.compareAndSet(this, true, false)) {
            LockSupport.unpark(thread);
        }
    }

    /** Called after a pool worker's attempt was stopped: abandon its thread if it is not back after the grace. */
    void checkAfterGrace(AttemptRun attempt) {
        attempt.graceDeadline = System.nanoTime() + GRACE_NANOS;
        stopped.add(attempt);
        if (Thread.currentThread() != thread) {
            LockSupport.unpark(thread);
        }
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Whether the watchdog is parked with nothing to watch, waiting for an attempt to wake it. */
    boolean isIdle() {
        return idle;
    }

    Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        while (running) {
            try {
                scan();
            } catch (Throwable t) {
                // An error in a scan (no thread left for a stop action or a replacement worker, say) must not end
                // the watchdog: every later timeout would go unenforced. Scan again a tick later.
                idle = false;
                try {
                    RuntimeEventBus.LOG.log(System.Logger.Level.ERROR, "The watchdog's scan failed; it goes on", t);
                } catch (Throwable ignored) {
                    // logging failed too: go on all the same
                }
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }
    }

    /** One scan: times the running attempts, stops the late ones, abandons the stubborn ones; then parks. */
    private void scan() {
        long now = System.nanoTime();
        long next = now + IDLE_HORIZON_NANOS;
        boolean busy = false;
        for (ThreadState slot : slots) {
            long started = slot.attemptsStarted();
            if (started != slot.scannedAttempts) {
                slot.scannedAttempts = started;
                busy = true;
            }
            AttemptRun attempt = slot.current;
            if (attempt == null) {
                slot.seen = null; // keeps no finished attempt (and its event) reachable
                if (!slot.pooled && !slot.thread.isAlive()) {
                    slots.remove(slot); // a publishing thread that ran SYNC events has ended (workers unwatch
                                        // themselves; one may not have started yet)
                }
                continue;
            }
            busy = true;
            if (attempt.isStopped()) {
                continue;
            }
            int clockStarts = attempt.clockStarts();
            if (attempt != slot.seen || clockStarts != slot.seenClockStarts) {
                slot.seen = attempt;
                slot.seenClockStarts = clockStarts;
                // A fresh clock read, after the read of current: the scan's own start may predate the attempt.
                slot.seenDeadline = System.nanoTime() + attempt.timeoutNanos();
            }
            long deadline = slot.seenDeadline;
            if (deadline - now <= 0) {
                if (attempt.stop(AttemptRun.TIMEOUT, bus::startThread) && slot.pooled) {
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
        if (busy || !goIdle()) {
            next = Math.min(next, now + TICK_NANOS);
        }
        long wait = next - System.nanoTime();
        if (wait > 0 && running) {
            LockSupport.parkNanos(this, wait);
        }
        idle = false;
    }

    /**
     * Marks the watchdog idle, then looks once more for a running attempt: an attempt published before the mark is
     * seen here, one published after it sees the mark and wakes the watchdog. False if one was found.
     */
    private boolean goIdle() {
        idle = true;
        for (ThreadState slot : slots) {
            if (slot.current != null) {
                idle = false;
                return false;
            }
        }
        return true;
    }
}
