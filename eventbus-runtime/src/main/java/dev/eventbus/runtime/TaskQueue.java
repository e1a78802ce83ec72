package dev.eventbus.runtime;

import dev.eventbus.Event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The THREAD-mode queue: one intrusive lock-free FIFO per priority level (11 levels), polled highest first, with idle workers
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

    private final Level[] levels;
    private final ConcurrentLinkedDeque<Waiter> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    TaskQueue() {
        levels = new Level[Event.MAX_PRIORITY + 1];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new Level();
        }
    }

    /**
     * One priority level: a Michael-Scott lock-free FIFO whose nodes are the tasks themselves ({@link Task#next}),
     * which saves a node object per queued event. The head is a dummy: the last task taken, until the next take.
     * A task is queued once only (retries run in the worker that took it), so nodes are never reused.
     */
    static final class Level {
        private static final VarHandle HEAD =
                VarHandles.field(MethodHandles.lookup(), Level.class, "head", Task.class);
        private static final VarHandle TAIL =
                VarHandles.field(MethodHandles.lookup(), Level.class, "tail", Task.class);
        private static final VarHandle NEXT =
                VarHandles.field(MethodHandles.lookup(), Task.class, "next", Task.class);

        private volatile Task head;
        private volatile Task tail;

        Level() {
            Task dummy = Task.sentinel();
            head = dummy;
            tail = dummy;
        }

        void offer(Task task) {
            while (true) {
                Task last = tail;
                Task next = last.next;
                if (last != tail) {
                    continue;
                }
                if (next == null) {
                    if (NEXT.compareAndSet(last, (Task) null, task)) {
                        TAIL.compareAndSet(this, last, task); // if this fails, another thread has advanced it
                        return;
                    }
                } else {
                    TAIL.compareAndSet(this, last, next); // help a lagging tail along
                }
            }
        }

        Task poll() {
            while (true) {
                Task first = head;
                Task last = tail;
                Task next = first.next;
                if (first != head) {
                    continue;
                }
                if (next == null) {
                    return null;
                }
                if (first == last) {
                    TAIL.compareAndSet(this, last, next); // the tail lags behind a completed offer
                } else if (HEAD.compareAndSet(this, first, next)) {
                    // Unlink the old dummy from the chain (a self-link, as ConcurrentLinkedQueue does): a task kept
                    // alive elsewhere, say by an abandoned thread, must not keep every later task reachable.
                    NEXT.setRelease(first, first);
                    return next; // now the dummy head; its fields stay intact for the taker
                }
            }
        }

        int size() {
            int size = 0;
            for (Task t = head.next; t != null && t.next != t; t = t.next) { // a self-link: taken meanwhile
                size++;
            }
            return size;
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
        for (Level level : levels) {
            size += level.size();
        }
        return size;
    }
}
