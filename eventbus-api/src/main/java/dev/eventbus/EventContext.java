package dev.eventbus;

import java.time.Instant;
import java.util.Map;

/**
 * What a handler knows about where it runs. One context is made per attempt; its
 * {@link #threadLocalData()} map belongs to the running thread and is kept across that thread's events.
 *
 * <p>Only the thread running the handler (and {@link EventHandler#terminate(EventContext)}) should use a context;
 * the thread-local map is not synchronized.
 */
public interface EventContext {

    /**
     * Returns a mutable map private to the thread running the handler and kept across its events: a place for
     * per-thread resources such as a connection or a buffer. In CORELET mode it belongs to the worker process.
     *
     * @return the thread's map, never null
     */
    Map<String, Object> threadLocalData();

    /**
     * Returns {@link Thread#threadId()} of the thread running the handler.
     *
     * @return the thread id
     */
    long threadId();

    /**
     * Returns the process id of the process running the handler: the worker JVM's in CORELET mode.
     *
     * @return the pid
     */
    long processId();

    /**
     * Returns a time within this attempt: read from the clock when first asked, then the same for the rest of the
     * attempt. So it is never before the attempt started, and attempts that do not ask pay no clock read (in a
     * CORELET worker it is read when the attempt starts there).
     *
     * @return the attempt's timestamp
     */
    Instant timestamp();
}
