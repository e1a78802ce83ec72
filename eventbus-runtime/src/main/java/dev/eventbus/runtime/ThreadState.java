package dev.eventbus.runtime;

import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.HandlerMeta;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one bus keeps per thread that runs handlers (a worker, or a publisher running SYNC events): the handler
 * instances it created, its thread-local data, and its watchdog slot. Only its own thread touches the handlers and
 * data; {@link #current} is read by the watchdog.
 */
final class ThreadState extends ThreadStateLayout.AfterHotFields {

    final Thread thread;
    /** True for a bus worker (which can be abandoned and replaced), false for a publishing thread. */
    final boolean pooled;
    /**
     * The state whose attempt this thread was running when it began this state's (a SYNC event published from a
     * handler), or null. Each level has a watchdog slot of its own, so a nested SYNC event neither hides nor restarts
     * the clock of the attempt around it.
     */
    final ThreadState enclosing;
    /** The state for SYNC events published from a handler running in this one; created on first use. */
    ThreadState nested;
    final Map<String, Object> data;
    // The watchdog's own notes on this thread, touched by its thread only: the attempt it last saw running here,
    // with that attempt's clock count, the deadline it set for it, and the attempt count of its last scan.
    AttemptRun seen;
    int seenClockStarts;
    long seenDeadline;
    long scannedAttempts;
    /** SYNC handlers running in this thread for this bus; a join from inside one could never return. */
    int syncDepth;
    /** The tracker for events this thread publishes ({@code EventBus.setProgressTracker}), or null. */
    dev.eventbus.ProgressTracker tracker;
    int trackerSteps;
    private final Map<String, HandlerInstance> handlers;
    /** This thread's block of result-cache store numbers. */
    final ResultCache.Numbers storeNumbers;

    private static final VarHandle ATTEMPTS_STARTED =
            VarHandles.field(MethodHandles.lookup(), ThreadStateLayout.HotFields.class, "attemptsStarted", long.class);
    private static final VarHandle CURRENT =
            VarHandles.field(MethodHandles.lookup(), ThreadStateLayout.HotFields.class, "current", AttemptRun.class);

    ThreadState(Thread thread, boolean pooled) {
        this(thread, pooled, null);
    }

    /** A state of its own for {@code thread}, enclosed by {@code enclosing} (a worker's state) if not null. */
    ThreadState(Thread thread, boolean pooled, ThreadState enclosing) {
        this.thread = thread;
        this.pooled = pooled;
        this.enclosing = enclosing;
        this.data = new HashMap<>();
        this.handlers = new HashMap<>();
        this.storeNumbers = new ResultCache.Numbers();
    }

    /** The state of a SYNC level nested in {@code enclosing}: the same thread, handlers and data, its own slot. */
    private ThreadState(ThreadState enclosing) {
        this.thread = enclosing.thread;
        this.pooled = false;
        this.enclosing = enclosing;
        this.data = enclosing.data;
        this.handlers = enclosing.handlers;
        this.storeNumbers = enclosing.storeNumbers;
    }

    /** The nested state below this one, created (and handed to {@code watch}) on first use. Called by this thread. */
    ThreadState nested(Consumer<ThreadState> watch) {
        ThreadState n = nested;
        if (n == null) {
            n = new ThreadState(this);
            watch.accept(n);
            nested = n;
        }
        return n;
    }

    /**
     * Whether an attempt enclosing this state's (in this thread) was stopped, timed out or cancelled: its work, the
     * SYNC events it published included, is to end, so they retry no more. False for an outermost state.
     */
    boolean enclosingStopped() {
        for (ThreadState s = enclosing; s != null; s = s.enclosing) {
            AttemptRun attempt = s.current;
            if (attempt != null && attempt.isStopped()) {
                return true;
            }
        }
        return false;
    }

    /** Called by this thread as it starts an attempt. */
    void countAttempt() {
        ATTEMPTS_STARTED.setOpaque(this, attemptsStarted + 1);
    }

    /**
     * Called by this thread when its attempt returned, before {@link AttemptRun#finish()}. A release store, not a
     * volatile one (which costs a full fence on every attempt): a reader that still sees the finished attempt can
     * only try to stop it, and that fails once the attempt is done; the fence of {@code finish()}'s compare-and-set
     * publishes the store soon after anyway. Setting {@code current} must stay volatile: see {@link Watchdog}.
     */
    void endAttempt() {
        CURRENT.setRelease(this, (AttemptRun) null);
    }

    /** Called by the watchdog. */
    long attemptsStarted() {
        return (long) ATTEMPTS_STARTED.getOpaque(this);
    }

    /**
     * Returns this thread's handler for a type, creating it on first use. Each registration has its own meta
     * instance, so a type registered again gets a new handler here too.
     */
    EventHandler handler(String type, EventFactory factory) {
        HandlerMeta meta = factory.getHandlerMeta(type);
        HandlerInstance instance = handlers.get(type);
        if (instance == null || instance.meta != meta) {
            EventHandler created = factory.createHandler(type);
            if (created == null) {
                // A subclass's createHandler may return null: kept, it failed every later event of the type in this
                // thread with a bare NullPointerException, and was never constructed again.
                throw new IllegalStateException("EventFactory " + factory + " created no handler (null) for event"
                        + " type '" + type + "'");
            }
            instance = new HandlerInstance(meta, created);
            handlers.put(type, instance);
        }
        return instance.handler;
    }

    /**
     * Drops a handler instance, so that this thread creates a new one for its type on next use: one whose
     * {@code terminate()} outlived the wait for it, and must not overlap the next attempt's {@code handle()}.
     */
    void forgetHandler(EventHandler handler) {
        handlers.values().removeIf(instance -> instance.handler == handler);
    }

    private record HandlerInstance(HandlerMeta meta, EventHandler handler) {
    }
}
