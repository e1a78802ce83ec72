package dev.eventbus.spi;

import dev.eventbus.Event;
import dev.eventbus.EventResult;

/**
 * Runs the attempts of one execution mode for one bus. The bus owns everything around an attempt: the queue,
 * priorities, retries, the per-attempt timeout clock, results and progress. An executor only runs one attempt at a
 * time per calling thread and stops it when asked.
 *
 * <p><b>Contract.</b> {@link #execute(Event, Attempt)} runs in the thread the bus chose (the publisher's for a mode
 * that {@link #runsInPublishingThread() runs there}, else a bus worker thread). When the attempt times out or the
 * bus is shut down immediately, the bus interrupts that thread and runs the {@link Attempt#onStop(Runnable) stop
 * actions}; the executor must then end what it started (kill a process, abort a wait) and return promptly. What it
 * returns or throws after that is ignored: the bus reports the timeout or cancellation.
 *
 * <p>A returned result is final; a thrown exception is retried while the event's retries allow.
 *
 * <p>Implementations must be thread-safe: {@code execute} is called by several threads at once.
 */
public interface ModeExecutor extends AutoCloseable {

    /**
     * Returns whether attempts run in the publishing thread (like SYNC) instead of on the bus's worker threads.
     *
     * @return false by default
     */
    default boolean runsInPublishingThread() {
        return false;
    }

    /**
     * Checks, at publish time, that the event can run in this mode. Called before anything is queued.
     *
     * @param event the event
     * @throws dev.eventbus.InvalidEventException if the event cannot run in this mode
     * @throws dev.eventbus.NoHandlerAvailableException if the mode needs a handler and none is registered
     */
    void validate(Event event);

    /**
     * Runs one attempt of an event in the calling thread.
     *
     * @param event the event
     * @param attempt this attempt: its number, timeout, context and stop hook
     * @return the result; final, not retried
     * @throws Exception to fail the attempt; retried while retries remain
     */
    EventResult execute(Event event, Attempt attempt) throws Exception;

    /**
     * Releases everything the executor owns (threads, processes), at once. Must not block for long.
     */
    @Override
    void close();

    /**
     * Called once by the bus when it shuts down, after the attempts ended or were abandoned, instead of
     * {@link #close()}: releases everything the executor owns, at once. With {@code immediately}, the bus is being
     * shut down by {@code shutdown(true)}, and nothing optional may be waited for (a CORELET AOT cache being made,
     * for example); without, the executor may finish such work first, for a bounded time it documents.
     *
     * @param immediately whether the bus is shutting down immediately
     */
    default void close(boolean immediately) {
        close();
    }
}
