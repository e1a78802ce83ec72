package dev.eventbus.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Knows when every event accepted before a {@code join} has finished, even while other threads keep publishing.
 *
 * <p>Accepted events are counted in the current <em>epoch</em>; epochs are numbered 1, 2, 3... A join closes the
 * current epoch, opens the next one for later events, and waits until the closed epoch and all earlier ones have
 * drained: until {@link #isDone(long) done through} the closed epoch's number. A join that finds the open epoch
 * empty closes nothing and waits for the earlier epochs only.
 *
 * <p>Memory is bounded by the events in flight, not by the joins: the closed epochs not yet drained are kept in order,
 * and each holds at least one event that has not exited. One that drains behind an earlier one leaves the list at once
 * and hands its number to its predecessor ({@code through}), whose draining then covers both. (Chaining one future
 * per closed epoch, as this class once did, kept one link per join made while an earlier event hung, for as long as it
 * hung.) Waiters wait on one condition, and a timed-out wait leaves nothing behind.
 *
 * <p>An epoch counts entries and exits in separate counters on separate cache lines: publishers write the first,
 * workers the others, so a publish and a completion never contend for one line. Entries are striped by publishing
 * thread ({@link StripedCounter}): threads publishing SYNC events into one bus at once each count one, and a shared
 * counter made each take more than twice as long as one thread alone. While the epoch is open, exits are
 * striped ({@link LongAdder}): every worker finishes events, and one shared counter had their cores trade its line on
 * each completion. Once it is closed, every exit must check whether it was the last, and summing the stripes on each
 * exit made each worker read the stripes the others kept writing; so exits that find the epoch closed count in one
 * counter of their own ({@code exitedAfterClose}) and leave the stripes still, cheap to sum. Every exit follows its
 * entry, so exits {@code <=} entries always; reading the exit counts first and {@code entered} second, equality proves
 * that the epoch was empty when the exits were read. (A striped sum is not a snapshot, but each stripe only grows:
 * the sum is at most the count when the sum ends, so equality still proves the epoch empty then.)
 *
 * <p>The acceptance gate: {@link #enter()} counts the entry and only then checks that the epoch is still open (else it
 * counts an exit, backing out, and retries on the new one). A closer sets {@code closed} before reading the counts,
 * so an event either lands in the epoch the closer waits for, or in the next one. The bus uses the same gate against
 * shutdown: it enters first, then checks its state, so graceful shutdown never misses an accepted event.
 */
final class JoinTracker {

    static final class Epoch {
        private static final VarHandle DRAINED =
                VarHandles.field(MethodHandles.lookup(), Epoch.class, "drained", boolean.class);

        final long number;
        final StripedCounter entered = new StripedCounter();
        final LongAdder exited = new LongAdder();
        final PaddedCounter exitedAfterClose = new PaddedCounter();
        volatile boolean closed;
        /** Set by the one exit (or closer) that finds the closed epoch empty. */
        @SuppressWarnings("unused") // through DRAINED
        private volatile boolean drained;
        // Guarded by the tracker's lock, while the epoch is closed and not drained:
        /** The highest epoch number known drained once this one is: its own, or a drained successor's. */
        private long through;
        private Epoch previous;
        private Epoch next;

        Epoch(long number) {
            this.number = number;
        }

        boolean empty() {
            long out = exited.sum() + exitedAfterClose.get(); // exits first: see the class comment
            return out == entered.sum();
        }

        /** Whether the epoch is closed and empty, for the first time: true for one caller only. */
        boolean drainsNow() {
            return empty() && !drained && DRAINED.compareAndSet(this, false, true);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private volatile Epoch current = new Epoch(1);
    /** Every epoch numbered up to this one has drained. */
    private volatile long doneThrough;
    // Closed epochs not drained yet, oldest first; guarded by lock.
    private Epoch oldest;
    private Epoch newest;

    /** Counts an event in the open epoch and returns it, to pass to {@link #exit} when the event finishes. */
    Epoch enter() {
        while (true) {
            Epoch epoch = current;
            epoch.entered.increment();
            if (!epoch.closed) {
                return epoch;
            }
            exit(epoch);
        }
    }

    void exit(Epoch epoch) {
        if (epoch.closed) { // see the class comment: the stripes stay still once the epoch is closed
            epoch.exitedAfterClose.increment();
            if (epoch.drainsNow()) {
                drained(epoch);
            }
            return;
        }
        epoch.exited.increment();
        // A LongAdder counts with a release CAS, not a volatile write: without a full fence the Java memory model lets
        // the read of closed below come first, and then this exit and a closer that set closed in between could each
        // miss the other, leaving the epoch undrained and its join waiting for ever. (x86 and AArch64 keep that order
        // anyway, so no test shows it; the fence makes it a guarantee of the language, not of the processor.)
        VarHandle.fullFence();
        if (epoch.closed && epoch.drainsNow()) {
            drained(epoch);
        }
    }

    /**
     * Closes the open epoch, unless it is empty; returns the number to wait for with {@link #await}: done through it
     * means every event entered before this call is done.
     */
    long close() {
        Epoch open = current;
        if (open.empty()) {
            // Every event of the open epoch has exited (those entering now are concurrent with this call): wait only
            // for the earlier epochs, and open no new one. Keeps a join per read cheap.
            return open.number - 1;
        }
        lock.lock();
        try {
            Epoch epoch = current;
            current = new Epoch(epoch.number + 1);
            epoch.through = epoch.number;
            epoch.previous = newest;
            if (newest == null) {
                oldest = epoch;
            } else {
                newest.next = epoch;
            }
            newest = epoch;
            epoch.closed = true; // after the epoch is listed: an exit that sees it closed finds it there
            if (epoch.drainsNow()) {
                drained(epoch);
            }
            return epoch.number;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a drained epoch off the list: the oldest advances {@code doneThrough}, any other hands it on. */
    private void drained(Epoch epoch) {
        lock.lock();
        try {
            Epoch previous = epoch.previous;
            Epoch next = epoch.next;
            if (next == null) {
                newest = previous;
            } else {
                next.previous = previous;
            }
            if (previous != null) {
                previous.next = next;
                previous.through = epoch.through;
            } else {
                oldest = next;
                doneThrough = epoch.through;
                advanced.signalAll();
            }
            epoch.previous = null;
            epoch.next = null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether every epoch up to {@code number} has drained. */
    boolean isDone(long number) {
        return doneThrough >= number;
    }

    /**
     * Waits until every epoch up to {@code number} has drained, or the time is up.
     *
     * @return whether it has drained
     */
    boolean await(long number, long nanos) throws InterruptedException {
        if (isDone(number)) {
            return true;
        }
        lock.lockInterruptibly();
        try {
            while (!isDone(number)) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = advanced.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every epoch up to {@code number} has drained; an interrupt is kept for the caller, not obeyed. */
    void awaitUninterruptibly(long number) {
        if (isDone(number)) {
            return;
        }
        lock.lock();
        try {
            while (!isDone(number)) {
                advanced.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether every event entered before this call has exited; closes nothing. */
    boolean isIdle() {
        Epoch open = current;
        return isDone(open.number - 1) && open.empty();
    }

    /** Closed epochs still waiting for an event: at most one per event in flight. */
    int pendingEpochs() {
        lock.lock();
        try {
            int count = 0;
            for (Epoch e = oldest; e != null; e = e.next) {
                count++;
            }
            return count;
        } finally {
            lock.unlock();
        }
    }
}
