package dev.eventbus.runtime;

import dev.eventbus.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The THREAD-mode queue: one lock-free FIFO per priority level (11 levels), polled highest first, with idle workers
 * parked on a stack and woken one per offer.
 *
 * <p>With only eleven priorities, per-level FIFOs beat a heap: offer and poll are O(1) and never contend on one
 * lock, and FIFO order within a priority holds across publishing threads (each level is linearizable).
 *
 * <p>Wake-up protocol: a worker pushes itself on the idle stack <em>before</em> polling once more and parking; a
 * publisher offers <em>before</em> popping an idle worker. So either the worker's second poll sees the task or the
 * publisher sees the worker: no lost wake-up.
 */
final class TaskQueue {

    private static final int SPINS = 100;

    private final ConcurrentLinkedQueue<Task>[] levels;
    private final ConcurrentLinkedDeque<Waiter> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    TaskQueue() {
        levels = (ConcurrentLinkedQueue<Task>[]) new ConcurrentLinkedQueue<?>[Event.MAX_PRIORITY + 1];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** A parked worker; {@code waiting} is cleared by whoever wakes it. */
    static final class Waiter {
        final Thread thread;
        volatile boolean waiting;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    void offer(Task task) {
        levels[task.priority()].offer(task);
        Waiter waiter = idle.pollFirst();
        if (waiter != null) {
            waiter.waiting = false;
            LockSupport.unpark(waiter.thread);
        }
    }

    Task poll() {
        for (int i = levels.length - 1; i >= 0; i--) {
            Task task = levels[i].poll();
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    /**
     * Returns the next task, waiting for one; null once the queue is closed and empty.
     *
     * @param self the calling worker's waiter
     */
    Task take(Waiter self) {
        while (true) {
            Task task = poll();
            if (task != null) {
                return task;
            }
            if (closed) {
                return null;
            }
            // A short spin before parking: under a steady stream the next task usually arrives within
            // microseconds, and a park costs the worker and the publisher a system call each.
            for (int spin = 0; spin < SPINS; spin++) {
                Thread.onSpinWait();
                task = poll();
                if (task != null) {
                    return task;
                }
            }
            self.waiting = true;
            idle.addFirst(self); // LIFO: the most recently active worker, with warm caches, is woken first
            task = poll();
            if (task != null || closed) {
                if (idle.remove(self)) {
                    self.waiting = false;
                }
                if (task != null) {
                    return task;
                }
                continue;
            }
            while (self.waiting && !closed) {
                LockSupport.park(this);
            }
            if (self.waiting && idle.remove(self)) { // woken by close(), not by an offer
                self.waiting = false;
            }
        }
    }

    /** Removes and returns every waiting task, highest priority first. */
    List<Task> drain() {
        List<Task> tasks = new ArrayList<>();
        for (Task task = poll(); task != null; task = poll()) {
            tasks.add(task);
        }
        return tasks;
    }

    /** Makes {@link #take} return null once empty, and wakes every parked worker. */
    void close() {
        closed = true;
        for (Waiter waiter = idle.pollFirst(); waiter != null; waiter = idle.pollFirst()) {
            waiter.waiting = false;
            LockSupport.unpark(waiter.thread);
        }
    }

    boolean isClosed() {
        return closed;
    }

    int size() {
        int size = 0;
        for (ConcurrentLinkedQueue<Task> level : levels) {
            size += level.size();
        }
        return size;
    }
}
