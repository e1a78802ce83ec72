package dev.eventbus.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;

/**
 * The task of the {@code ThreadPoolExecutor} baselines: a {@link FutureTask} (so its result can be read, like an
 * eventbus result) ordered by (priority descending, sequence ascending), the order eventbus's THREAD mode keeps.
 * Submit it with {@code execute}, never {@code submit}, which would wrap it in a task that is not comparable.
 *
 * <p>Thread-safe as {@link FutureTask} is.
 *
 * @param <V> the result type
 */
public final class PriorityTask<V> extends FutureTask<V> implements Comparable<PriorityTask<?>> {

    private final int priority;
    private final long sequence;

    /**
     * Creates a task.
     *
     * @param priority higher runs first
     * @param sequence FIFO order among equal priorities
     * @param work what to run
     */
    public PriorityTask(int priority, long sequence, Callable<V> work) {
        super(work);
        this.priority = priority;
        this.sequence = sequence;
    }

    @Override
    public int compareTo(PriorityTask<?> other) {
        int byPriority = Integer.compare(other.priority, priority);
        return byPriority != 0 ? byPriority : Long.compare(sequence, other.sequence);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence);
    }
}
