package dev.eventbus;

/**
 * Receives progress as events finish. Set one per event ({@link Event.Builder#progressTracker(ProgressTracker)}) or
 * per publishing thread ({@link EventBus#setProgressTracker(ProgressTracker, int)}).
 *
 * <p><b>Threading.</b> {@link #progress(int)} is called by whichever thread finished the event (a worker thread, or
 * the publisher in SYNC mode), possibly by several threads at once: implementations must be thread-safe. It is
 * called once per finished event, whatever the outcome, before {@link EventBus#join()} returns. An exception it
 * throws is logged and never changes the event's result. Trackers never cross into worker processes.
 */
@FunctionalInterface
public interface ProgressTracker {

    /**
     * Advances the progress.
     *
     * @param steps how many steps one finished event is worth, zero or more
     */
    void progress(int steps);

    /**
     * Creates a tracker that draws a progress bar with count, rate and ETA on standard error (one plain line per
     * update, at most a few per second, when standard error is not a terminal). Close it when the work is done, so
     * that the bar's line is ended wherever the count stopped.
     *
     * @param total the number of steps expected, zero or more
     * @param description a short label shown before the bar, one line without control characters
     * @return the tracker
     * @throws NullPointerException if {@code description} is null
     * @throws IllegalArgumentException if {@code total} is negative, or {@code description} has a control character
     *         such as a line break or an escape
     */
    static ConsoleProgressTracker console(long total, String description) {
        return new ConsoleProgressTracker(total, description);
    }
}
