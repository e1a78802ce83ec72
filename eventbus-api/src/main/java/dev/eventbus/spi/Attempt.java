package dev.eventbus.spi;

import dev.eventbus.EventContext;

import java.time.Duration;

/**
 * One attempt of an event, as a {@link ModeExecutor} sees it. Made by the bus for each attempt.
 *
 * <p>Thread-safe: {@link #onStop(Runnable)} actions are run by another thread than the one running the attempt.
 */
public interface Attempt {

    /**
     * Returns the attempt's number.
     *
     * @return 1 for the first attempt, 2 for the first retry, and so on
     */
    int number();

    /**
     * Returns the time this attempt may take.
     *
     * @return the event's per-attempt timeout
     */
    Duration timeout();

    /**
     * Returns the context of the thread running the attempt: its thread-local data, thread id and process id.
     *
     * @return the context
     */
    EventContext context();

    /**
     * Restarts the timeout clock now: for an executor that first had to wait for a resource that the attempt should
     * not be charged for (a worker process starting up). The bus's watchdog notices the restart on its next scan
     * (within about 20 ms), so the attempt gets at least its full timeout from this call. Any thread may call it.
     */
    void restartClock();

    /**
     * Registers an action to run once if this attempt is stopped (timed out, or cancelled by an immediate shutdown),
     * after the running thread has been interrupted. If the attempt is already stopped, the action runs at once in
     * the calling thread. Actions must not block for long. Registered actions run in registration order.
     *
     * @param action what to do, such as calling the handler's {@code terminate} or killing a process
     */
    void onStop(Runnable action);

    /**
     * Returns whether this attempt has been stopped.
     *
     * @return true once the bus stopped the attempt
     */
    boolean isStopped();
}
