package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.ProgressTracker;
import dev.eventbus.spi.ModeExecutor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * An accepted event and what the bus needs to finish it: its executor, where its result goes, its progress
 * tracker and its place in the join bookkeeping. Owned by one thread at a time (the queue, then a worker), except
 * for {@link #markCompleted()}, which makes "exactly one result per event" checkable.
 */
final class Task {

    private static final VarHandle COMPLETED =
            VarHandles.field(MethodHandles.lookup(), Task.class, "completed", int.class);

    final Event event;
    final ModeExecutor executor;
    /** Null for {@code publish}: the result goes to the cache. */
    final CompletableFuture<dev.eventbus.EventResult> future;
    final ProgressTracker tracker;
    final int progressSteps;
    final JoinTracker.Epoch epoch;
    /** Attempts started so far; written only by the thread that owns the task. */
    int attempts;
    @SuppressWarnings("unused") // accessed through COMPLETED
    private volatile int completed;
    /** The next task in its priority level's queue: a task is its own queue node (see {@link TaskQueue}). */
    volatile Task next;

    Task(Event event, ModeExecutor executor, CompletableFuture<dev.eventbus.EventResult> future,
            ProgressTracker tracker, int progressSteps, JoinTracker.Epoch epoch) {
        this.event = event;
        this.executor = executor;
        this.future = future;
        this.tracker = tracker;
        this.progressSteps = progressSteps;
        this.epoch = epoch;
    }

    /** The dummy node a priority level's queue starts with. */
    static Task sentinel() {
        return new Task(null, null, null, null, 0, null);
    }

    /** Returns true the first time only: the caller delivers the result. */
    boolean markCompleted() {
        return COMPLETED.compareAndSet(this, 0, 1);
    }

    boolean isCompleted() {
        return completed != 0;
    }

    int priority() {
        return event.priority();
    }

    @Override
    public String toString() {
        return event == null ? "Task[sentinel]" : "Task[" + event + ", attempts=" + attempts + "]";
    }

}
