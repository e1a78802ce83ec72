package dev.eventbus.runtime;

/**
 * A THREAD-mode worker: takes tasks from the queue, highest priority first, until the bus stops. A worker whose
 * attempt was abandoned (it ignored a stop) exits as soon as its handler returns; a replacement has taken its place.
 */
final class Worker implements Runnable {

    private final RuntimeEventBus bus;
    final Thread thread;
    final ThreadState state;
    /** An abandoned attempt this worker replaces the owner of, or null. */
    private final AttemptRun takeOver;

    Worker(RuntimeEventBus bus, String name, AttemptRun takeOver) {
        this.bus = bus;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
        this.state = new ThreadState(thread, true);
        this.takeOver = takeOver;
    }

    @Override
    public void run() {
        try {
            if (takeOver != null && !continueAbandoned()) {
                return;
            }
            for (Task task = bus.queue.take(); task != null; task = bus.queue.take()) {
                // A stray interrupt (user code that kept this thread) must not greet the task's handler: the bus's own
                // stops target an attempt, published only once the task runs.
                Thread.interrupted();
                if (!runQueued(task)) {
                    return; // abandoned: a replacement worker has this task and this place now
                }
            }
        } finally {
            bus.workerExited(this);
        }
    }

    /**
     * Runs a task; an error the bus's own code threw around its handler (out of memory, say) has already become the
     * task's result, and is logged here: this worker serves on, so the pool never shrinks.
     */
    private boolean runQueued(Task task) {
        try {
            return bus.runQueued(task, state);
        } catch (Throwable t) {
            return serveOn(task, t);
        }
    }

    /** Finishes or retries the task taken over; an error around its handler is contained as {@link #runQueued}'s. */
    private boolean continueAbandoned() {
        try {
            return bus.continueAbandoned(takeOver, state);
        } catch (Throwable t) {
            return serveOn(takeOver.task, t);
        }
    }

    /** Logs an error thrown around a task's handler (already the task's result); the worker serves on: true. */
    private boolean serveOn(Task task, Throwable t) {
        // Guarded: logging it may fail too (the error's toString() throws an Error); the worker serves on regardless.
        QuietLog.log(System.Logger.Level.ERROR, () -> "Worker " + thread.getName() + " failed around " + task.event
                + ", which got the error as its result; the worker serves on", t);
        Thread.interrupted(); // a stop meant for the failed attempt
        return true;
    }
}
