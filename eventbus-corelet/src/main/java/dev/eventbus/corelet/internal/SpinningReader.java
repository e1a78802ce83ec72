package dev.eventbus.corelet.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Polls a worker's reply channel for a short adaptive window before a blocking read, so that a reply that arrives
 * soon is read without the waiting thread being put to sleep and woken again.
 *
 * <p>Why: on a virtual machine, waking a thread that sleeps in {@code read(2)} on an idle (halted) virtual CPU costs
 * about 25 µs, measured on both sides of a CORELET round trip; a reader that is still polling sees the data within
 * a microsecond. The window adapts as {@code TaskQueue}'s spinner does: a wait that outlasted the window but ended
 * within {@link #MAX_SPIN_NANOS} grows the window to it, a longer one shrinks it back to {@link #MIN_SPIN_NANOS}. So
 * only a steady stream of quick events keeps a reader polling, and a slow handler costs its parent at most the
 * minimum window of CPU per event. Nothing polls while no attempt waits for a reply.
 *
 * <p>Not thread-safe: one reader at a time (the pool hands a worker to one attempt at a time).
 */
final class SpinningReader {

    /** About what one sleep and wake-up costs: shorter spins could not pay for themselves. */
    static final long MIN_SPIN_NANOS = 10_000;
    /** Waits longer than this sleep at once. */
    static final long MAX_SPIN_NANOS = 150_000;

    private long windowNanos = MIN_SPIN_NANOS;
    /** When the current wait outlasted the window: the start of that wait, else -1. */
    private long slowWaitStart = -1;

    /**
     * Polls {@code in} until it has data or the window has passed; the caller then reads (blocking) and calls
     * {@link #afterRead()}. Returns early on interrupt, and on an I/O error, which the read then reports.
     *
     * @param in a stream whose {@code available()} asks the channel: a java.io {@code FileInputStream} on a FIFO,
     *     or {@code Channels.newInputStream} on a socket, both ask the kernel ({@code FIONREAD})
     */
    void beforeRead(InputStream in) {
        slowWaitStart = -1;
        try {
            if (in.available() > 0) {
                return;
            }
            long start = System.nanoTime();
            long window = windowNanos;
            while (System.nanoTime() - start < window) {
                Thread.onSpinWait();
                if (in.available() > 0 || Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            slowWaitStart = start;
        } catch (IOException e) {
            // a closed or broken channel: the read that follows reports it
        }
    }

    /** The current window, for tests. */
    long windowNanos() {
        return windowNanos;
    }

    /** Adapts the window to how long the read after a fruitless spin waited. */
    void afterRead() {
        if (slowWaitStart < 0) {
            return;
        }
        long waited = System.nanoTime() - slowWaitStart;
        slowWaitStart = -1;
        windowNanos = waited < MAX_SPIN_NANOS ? Math.min(MAX_SPIN_NANOS, Math.max(MIN_SPIN_NANOS, waited + waited / 4))
                : MIN_SPIN_NANOS;
    }
}
