package dev.eventbus.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Knows when every event accepted before a {@code join} has finished, even while other threads keep publishing.
 *
 * <p>Accepted events are counted in the current <em>epoch</em>. A join closes the current epoch, opens a new one for
 * later events, and waits until the closed epoch and all earlier ones have drained. An epoch's {@code done} future
 * completes when all its events have exited after it was closed and its predecessor is done.
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

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    static final class Epoch {
        final StripedCounter entered = new StripedCounter();
        final LongAdder exited = new LongAdder();
        final PaddedCounter exitedAfterClose = new PaddedCounter();
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final CompletableFuture<Void> previousDone;
        final CompletableFuture<Void> done;
        volatile boolean closed;

        Epoch(CompletableFuture<Void> previousDone) {
            this.previousDone = previousDone;
            done = previousDone.thenCombine(drained, (a, b) -> null);
        }

        boolean empty() {
            long out = exited.sum() + exitedAfterClose.get(); // exits first: see the class comment
            return out == entered.sum();
        }

        void completeIfDrained() {
            if (empty()) {
                drained.complete(null);
            }
        }
    }

    private volatile Epoch current = new Epoch(DONE);

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
            epoch.completeIfDrained();
            return;
        }
        epoch.exited.increment();
        if (epoch.closed) {
            epoch.completeIfDrained();
        }
    }

    /** Closes the open epoch; the returned future completes when every event entered before this call is done. */
    CompletableFuture<Void> close() {
        Epoch open = current;
        if (open.empty()) {
            // Every event of the open epoch has exited (those entering now are concurrent with this call): wait only
            // for the earlier epochs, and open no new one. Keeps a join per read cheap, and a join repeated while an
            // earlier event runs on adds nothing: a new epoch per call chained one more future to the running one.
            return open.previousDone.isDone() ? DONE : open.previousDone;
        }
        return rotate();
    }

    /** Whether every event entered before this call has exited; closes nothing. */
    boolean isIdle() {
        Epoch open = current;
        return open.previousDone.isDone() && open.empty();
    }

    private synchronized CompletableFuture<Void> rotate() {
        Epoch epoch = current;
        current = new Epoch(epoch.done);
        epoch.closed = true;
        epoch.completeIfDrained();
        return epoch.done;
    }
}
