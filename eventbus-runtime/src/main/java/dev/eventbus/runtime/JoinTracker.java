package dev.eventbus.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Knows when every event accepted before a {@code join} has finished, even while other threads keep publishing.
 *
 * <p>Accepted events are counted in the current <em>epoch</em>. A join closes the current epoch, opens a new one for
 * later events, and waits until the closed epoch and all earlier ones have drained. An epoch's {@code done} future
 * completes when its own count reached zero after it was closed and its predecessor is done.
 *
 * <p>The acceptance gate: {@link #enter()} increments the epoch and only then checks that it is still open (else it
 * backs out and retries on the new one). A closer sets {@code closed} before reading the count, so an event either
 * lands in the epoch the closer waits for, or in the next one. The bus uses the same gate against shutdown: it
 * enters first, then checks its state, so graceful shutdown never misses an accepted event.
 */
final class JoinTracker {

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    static final class Epoch {
        final AtomicLong count = new AtomicLong();
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final CompletableFuture<Void> previousDone;
        final CompletableFuture<Void> done;
        volatile boolean closed;

        Epoch(CompletableFuture<Void> previousDone) {
            this.previousDone = previousDone;
            done = previousDone.thenCombine(drained, (a, b) -> null);
        }
    }

    private volatile Epoch current = new Epoch(DONE);

    /** Counts an event in the open epoch and returns it, to pass to {@link #exit} when the event finishes. */
    Epoch enter() {
        while (true) {
            Epoch epoch = current;
            epoch.count.incrementAndGet();
            if (!epoch.closed) {
                return epoch;
            }
            exit(epoch);
        }
    }

    void exit(Epoch epoch) {
        if (epoch.count.decrementAndGet() == 0 && epoch.closed) {
            epoch.drained.complete(null);
        }
    }

    /** Closes the open epoch; the returned future completes when every event entered before this call is done. */
    CompletableFuture<Void> close() {
        Epoch open = current;
        if (open.count.get() == 0 && open.previousDone.isDone()) {
            // Idle: every event entered before this call has exited (those entering now are concurrent with it),
            // so there is nothing to wait for and no need for a new epoch. Keeps a join per read cheap.
            return DONE;
        }
        return rotate();
    }

    private synchronized CompletableFuture<Void> rotate() {
        Epoch epoch = current;
        current = new Epoch(epoch.done);
        epoch.closed = true;
        if (epoch.count.get() == 0) {
            epoch.drained.complete(null);
        }
        return epoch.done;
    }
}
