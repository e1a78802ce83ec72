package dev.eventbus.runtime;

/**
 * The memory layout of {@link ThreadState}: the two fields its thread writes on every attempt sit between 128-byte
 * paddings, on cache lines of their own (HotSpot lays a superclass's fields out before a subclass's, so each class of
 * the chain adds one block). Unpadded, they shared a line with data other threads only read, say the handler
 * registry's entries: every attempt in one worker then made the other worker's next registry lookup miss in cache,
 * 6% of a worker's time in the THREAD throughput benchmark.
 */
final class ThreadStateLayout {

    private ThreadStateLayout() {
    }

    /** 128 bytes (two cache lines, as adjacent-line prefetch pairs them) before the hot fields. */
    @SuppressWarnings("unused")
    abstract static class BeforeHotFields {
        private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf;
    }

    /** The fields written on every attempt. */
    abstract static class HotFields extends BeforeHotFields {
        /** The attempt this thread is running, watched for its deadline; null between attempts. */
        volatile AttemptRun current;
        /** Attempts this thread started: written by it, read by the watchdog (opaque) to tell a busy thread. */
        long attemptsStarted;
    }

    /** 128 bytes after them. */
    @SuppressWarnings("unused")
    abstract static class AfterHotFields extends HotFields {
        private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf;
    }
}
