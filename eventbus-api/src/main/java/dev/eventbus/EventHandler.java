package dev.eventbus;

/**
 * Handles the events of one type. Register it with {@link EventFactory#registerEventType(String, Class)} (or a
 * supplier), or from a plugin through {@link dev.eventbus.spi.EventHandlerProvider}.
 *
 * <p><b>Threading.</b> The bus creates one instance per thread that runs the type (per worker process in CORELET
 * mode) and reuses it for later events; an instance's {@code handle} is never called by two threads at once, so a
 * handler may keep unsynchronized state. {@link #terminate(EventContext)} is the exception: it is called from
 * another thread while {@code handle} may still be running.
 *
 * <p><b>Results.</b> Return {@link EventResult#businessResult(String, boolean, Object)} for an outcome, success or
 * failure; neither is retried. Throw to report an error: the attempt is retried while the event's
 * {@link Event#maxRetries()} allow. Returning {@code null} counts as a thrown {@link IllegalStateException}.
 *
 * {@snippet :
 * public final class ResizeHandler implements EventHandler {
 *     @Override
 *     public EventResult handle(Event event, EventContext context) {
 *         Path image = event.data(Path.class);
 *         return EventResult.businessResult(event.id(), true, resize(image));
 *     }
 * }
 * }
 */
@FunctionalInterface
public interface EventHandler {

    /**
     * Handles one attempt of an event.
     *
     * @param event the event
     * @param context the running thread's context: thread-local data kept across events, thread and process ids
     * @return the result; not null
     * @throws Exception to fail the attempt; it is retried while retries remain
     */
    EventResult handle(Event event, EventContext context) throws Exception;

    /**
     * Asks a running attempt to stop: called once when the attempt times out (or the bus is shut down immediately),
     * after the running thread was interrupted, from a thread other than the one running {@link #handle}. It gets
     * the same context as the attempt. A handler that does not respond to interruption should stop here (close a
     * socket, set a flag it polls). The default does nothing.
     *
     * <p>It runs while {@code handle} may still run, so what the two share must be safe to use from two threads:
     * hand it over in a {@code volatile} field or an {@code AtomicReference} of the handler (the socket to close, say),
     * not through {@link EventContext#threadLocalData()}, a plain map of the running thread. In SYNC and THREAD modes
     * the bus waits about a second for {@code terminate} to return; after that, the thread's next event of this type
     * gets a new handler instance, so that {@code terminate} and that event never share one.
     *
     * @param context the context of the attempt being stopped
     */
    default void terminate(EventContext context) {
    }
}
