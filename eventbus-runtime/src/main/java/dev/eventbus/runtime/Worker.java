package dev.eventbus.runtime;

/**
 * A THREAD-mode worker: takes tasks from the queue, highest priority first, until the bus stops. A worker whose
 * attempt was abandoned (it ignored a stop) exits as soon as its handler returns; a replacement has taken its place.
 */
final class Worker implements Runnable {

    private final RuntimeEventBus bus;
    final Thread thread;
    final ThreadState state;
    private final TaskQueue.Waiter waiter;
    /** An abandoned attempt this worker replaces the owner of, or null. */
    private final AttemptRun takeOver;

    Worker(RuntimeEventBus bus, String name, AttemptRun takeOver) {
        this.bus = bus;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
        this.state = new ThreadState(thread, true);
        this.waiter = new TaskQueue.Waiter(thread);
        this.takeOver = takeOver;
    }

    @Override
    public void run() {
        try {
            if (takeOver != null && !bus.continueAbandoned(takeOver, state)) {
                return;
            }
            for (Task task = bus.queue.take(waiter); task != null; task = bus.queue.take(waiter)) {
                if (!bus.runQueued(task, state)) {
                    return; // abandoned: a replacement worker has this task and this place now
                }
            }
        } finally {
            bus.workerExited(this);
        }
    }
}
