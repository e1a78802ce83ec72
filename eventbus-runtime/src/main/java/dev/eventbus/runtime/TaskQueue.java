package dev.eventbus.runtime;

import dev.eventbus.Event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * The THREAD-mode queue: one intrusive lock-free FIFO per priority level (11 levels), polled highest first, with
 * idle workers parked on a stack and woken one per offer.
 *
 * <p>With only eleven priorities, per-level FIFOs beat a heap: offer and poll are O(1) and never contend on one
 * lock, and FIFO order within a priority holds across publishing threads (each level is linearizable).
 *
 * <p>Wake-up protocol: a worker pushes itself on the idle stack <em>before</em> polling once more and parking; a
 * publisher offers <em>before</em> popping an idle worker. So either the worker's second poll sees the task or the
 * publisher sees the worker: no lost wake-up. Each stay on the stack is a {@link Waiter} of its own, so a wake-up
 * that lands late (its publisher preempted between popping a worker and waking it) ends a stay that is over, never the
 * worker's next one.
 */
final class TaskQueue {

    private static final int SPINS = 100;
    /**
     * The spinner's shortest window: none, beyond the first few dozen polls. A 10 µs minimum (about what a park and a
     * wake-up cost) made sparse events slower to start, not faster: p50 17 µs against 12 µs at 1,000 events/s.
     */
    private static final int MIN_SPIN_NANOS = 0;
    /** The spinner's longest window: waits longer than this park at once. */
    private static final int MAX_SPIN_NANOS = 150_000;
    private static final VarHandle SPINNING =
            VarHandles.field(MethodHandles.lookup(), TaskQueue.class, "spinning", boolean.class);

    private final Level[] levels;
    private final ConcurrentLinkedDeque<Waiter> idle;
    private volatile boolean closed;
    /** True while an idle worker polls without parking; offers wake nobody while it keeps up (see {@link #offer}). */
    private volatile boolean spinning;
    /** How long the spinner polls before parking; a hint, read and written racily (see {@link #adaptSpinWindow}). */
    private int spinWindowNanos = MIN_SPIN_NANOS;

    TaskQueue() {
        this(new ConcurrentLinkedDeque<>());
    }

    /** A seam for tests: a deque that pauses a thread inside a push or a pop makes a protocol race reproducible. */
    TaskQueue(ConcurrentLinkedDeque<Waiter> idle) {
        this.idle = idle;
        levels = new Level[Event.MAX_PRIORITY + 1];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = new Level();
        }
    }

    /**
     * One priority level: a Michael-Scott lock-free FIFO whose nodes are the tasks themselves ({@link Task#next}),
     * which saves a node object per queued event. The head is a dummy: the last task taken, until the next take.
     * A task is queued once only (retries run in the worker that took it), so nodes are never reused.
     *
     * <p>The head (written by workers) and the tail (written by publishers) sit on cache lines of their own, apart
     * from each other and from the other levels' (see {@link LevelFields}): unpadded, the eleven levels' fields
     * shared a few lines, and every offer's tail update evicted the line a spinning worker was reading heads from.
     */
    static final class Level extends LevelFields {
        private static final VarHandle HEAD =
                VarHandles.field(MethodHandles.lookup(), LevelHead.class, "head", Task.class);
        private static final VarHandle TAIL =
                VarHandles.field(MethodHandles.lookup(), LevelFields.class, "tail", Task.class);
        private static final VarHandle NEXT =
                VarHandles.field(MethodHandles.lookup(), Task.class, "next", Task.class);

        @SuppressWarnings("unused") // padding after the tail
        private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf;

        Level() {
            Task dummy = Task.sentinel();
            head = dummy;
            tail = dummy;
        }

        void offer(Task task) {
            while (true) {
                Task last = tail;
                Task next = last.next;
                if (next == null) {
                    if (NEXT.compareAndSet(last, (Task) null, task)) {
                        TAIL.compareAndSet(this, last, task); // if this fails, another thread has advanced it
                        return;
                    }
                } else if (next == last) {
                    // The tail lagged behind a take that has unlinked it (see poll): the head is further along.
                    TAIL.compareAndSet(this, last, head);
                } else {
                    TAIL.compareAndSet(this, last, next); // help a lagging tail along
                }
            }
        }

        /**
         * Takes the first task, or returns null if there is none. Unlike the textbook queue, a take never reads the
         * tail (so it never moves the tail's line away from the publisher, which writes it next): the head may pass a
         * lagging tail, and an offer that finds its tail unlinked starts again from the head, as in
         * {@code ConcurrentLinkedQueue}.
         */
        Task poll() {
            while (true) {
                Task first = head;
                Task next = first.next;
                if (next == null) {
                    return null;
                }
                if (next == first) {
                    continue; // taken and unlinked since the head was read
                }
                if (HEAD.compareAndSet(this, first, next)) {
                    // Unlink the old dummy from the chain (a self-link, as ConcurrentLinkedQueue does): a task kept
                    // alive elsewhere, say by an abandoned thread, must not keep every later task reachable.
                    NEXT.setRelease(first, first);
                    return next; // now the dummy head; its fields stay intact for the taker
                }
            }
        }

        /** True if a task is waiting (a snapshot). */
        boolean peek() {
            return head.next != null;
        }

        int size() {
            int size = 0;
            for (Task t = head.next; t != null && t.next != t; t = t.next) { // a self-link: taken meanwhile
                size++;
            }
            return size;
        }
    }

    /** 128 bytes (two cache lines, as adjacent-line prefetch pairs them) before a level's head. */
    @SuppressWarnings("unused")
    abstract static class LevelHeadPadding {
        private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf;
    }

    /** A level's head; superclass fields come first in HotSpot's layout, so each class adds one padded block. */
    abstract static class LevelHead extends LevelHeadPadding {
        volatile Task head;
    }

    /** 128 bytes between a level's head and its tail. */
    @SuppressWarnings("unused")
    abstract static class LevelTailPadding extends LevelHead {
        private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, pa, pb, pc, pd, pe, pf;
    }

    /** A level's tail. */
    abstract static class LevelFields extends LevelTailPadding {
        volatile Task tail;
    }

    /**
     * One stay of a worker on the idle stack; {@code waiting} is cleared by whoever pops it to wake the worker. Never
     * reused: whoever pops it may clear the flag any time later (preempted in between), when the worker has long found
     * a task by itself. On a reused waiter that late write would end the worker's next stay without unlinking it: the
     * worker, not parked, would push itself again and sit on the stack twice, and a later offer's wake-up would go to
     * the stale entry while the worker runs a task, leaving a parked worker asleep and the task waiting.
     */
    static final class Waiter {
        final Thread thread;
        volatile boolean waiting;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    /**
     * Queues a task and wakes a parked worker for it, unless the spinner will take it: one is polling and has taken
     * everything offered before. A task still waiting means the spinner is not polling right now (the scheduler took
     * its core away, for a whole time slice of milliseconds perhaps), so the offer wakes a worker after all.
     *
     * <p>Only the read of {@code spinning} <em>after</em> queueing may skip the wake-up (a spinner that stops
     * polling clears the flag before it polls a last time, so it sees this task); the backlog read before is a hint
     * that can only add wake-ups.
     */
    void offer(Task task) {
        boolean backlog = spinning && hasTask();
        levels[task.priority()].offer(task);
        if (spinning && !backlog) {
            return; // the spinner takes it (and passes a wake-up on if more is waiting)
        }
        Waiter waiter = idle.pollFirst();
        if (waiter != null) {
            waiter.waiting = false;
            LockSupport.unpark(waiter.thread);
        }
    }

    /**
     * Takes the first task of the highest non-empty level, or returns null if every level is empty.
     *
     * <p>One pass from the top is not enough: a scan can pass level 10 while it is empty, and reach level 1 after a
     * publisher offered a 10 and then a 1; it would take the 1 while the 10 waits. So the levels above the one found
     * are looked at once more before taking from it: a task there means one arrived during the scan, and the scan
     * starts again. A single worker thus runs tasks strictly by priority, then in publish order. With several, a
     * narrow race remains (another worker empties the level found between the second look and the take, so the
     * take gets a task offered after a higher one): the higher one then goes to the next free worker, and tasks on
     * parallel workers have no order to keep.
     */
    Task poll() {
        scan:
        while (true) {
            for (int i = levels.length - 1; i >= 0; i--) {
                if (!levels[i].peek()) {
                    continue;
                }
                if (hasTaskAbove(i)) {
                    continue scan; // offered while this scan went down
                }
                Task task = levels[i].poll();
                if (task != null) {
                    return task;
                }
                continue scan; // another worker took it
            }
            return null;
        }
    }

    /**
     * Returns the next task, waiting for one; null once the queue is closed and empty.
     */
    Task take() {
        boolean woken = false;
        while (true) {
            Task task = poll();
            if (task != null) {
                if (woken) {
                    wakeIfMoreWaiting(); // the wake-up may stand for several offers made while a spinner polled
                }
                return task;
            }
            if (closed) {
                return null;
            }
            boolean spinner = claimSpinner();
            task = spinner ? spinAsSpinner() : spinBriefly();
            if (task != null) {
                return task;
            }
            Waiter self = new Waiter(Thread.currentThread()); // a new one per stay: see Waiter
            self.waiting = true;
            idle.addFirst(self); // LIFO: the most recently active worker, with warm caches, is woken first
            task = poll();
            if (task != null || closed) {
                if (idle.remove(self)) {
                    self.waiting = false;
                }
                if (task != null) {
                    wakeIfMoreWaiting();
                    return task;
                }
                continue;
            }
            long parked = spinner ? System.nanoTime() : 0;
            while (self.waiting && !closed) {
                LockSupport.park(this);
                // An interrupt of an idle worker stops nothing (the bus interrupts attempts, never a waiting worker):
                // kept, it made every park return at once, and the worker spun on a core until the next task.
                Thread.interrupted();
            }
            if (self.waiting && idle.remove(self)) { // woken by close(), not by an offer
                self.waiting = false;
            }
            if (spinner) {
                adaptSpinWindow(System.nanoTime() - parked);
            }
            woken = true;
        }
    }

    /**
     * Polls for up to the spin window, without parking, as the one spinner. While it polls and keeps up, {@link #offer}
     * wakes nobody: events that arrive within the window reach a worker with no system call on either side and no wait
     * for the scheduler, which on a busy or virtual machine costs far more than a trivial event. The window adapts,
     * as HotSpot's adaptive spinning does: a spinner that timed out and then parked for less than
     * {@link #MAX_SPIN_NANOS} would have been better off spinning that long, so the window grows to it; one that
     * parked longer shrinks it back to {@link #MIN_SPIN_NANOS}. So only a steady stream of events (gaps below
     * {@code MAX_SPIN_NANOS}, about 7,000 events a second and more) keeps one idle worker polling; sparse events
     * cost a few dozen polls each; an idle bus parks every worker.
     */
    private Task spinAsSpinner() {
        Task task = null;
        long window = spinWindowNanos;
        long start = System.nanoTime();
        try {
            for (int spin = 1; !closed; spin++) {
                Thread.onSpinWait();
                task = poll();
                if (task != null) {
                    return task;
                }
                if ((spin & 63) == 0 && System.nanoTime() - start > window) {
                    return null;
                }
            }
            return null;
        } finally {
            releaseSpinner(); // before looking for more: an offer from now on wakes a parked worker itself
            if (task != null) {
                wakeIfMoreWaiting();
            }
        }
    }

    /** Makes the caller the one spinner, if there is none. Package-private for tests. */
    boolean claimSpinner() {
        return !spinning && SPINNING.compareAndSet(this, false, true);
    }

    void releaseSpinner() {
        spinning = false;
    }

    /** A worker that is not the spinner polls a few times (a burst is often still arriving), then parks. */
    private Task spinBriefly() {
        for (int spin = 0; spin < SPINS; spin++) {
            Thread.onSpinWait();
            Task task = poll();
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    private void adaptSpinWindow(long parkedNanos) {
        // Racy by design: a hint that one spinner at a time writes, with no invariant to protect.
        spinWindowNanos = parkedNanos < MAX_SPIN_NANOS
                ? (int) Math.min(MAX_SPIN_NANOS, Math.max(MIN_SPIN_NANOS, parkedNanos + parkedNanos / 4))
                : MIN_SPIN_NANOS;
    }

    /** Offers skipped their wake-up while a spinner polled: if work is left over, pass the wake-up on. */
    private void wakeIfMoreWaiting() {
        if (hasTask()) {
            Waiter waiter = idle.pollFirst();
            if (waiter != null) {
                waiter.waiting = false;
                LockSupport.unpark(waiter.thread);
            }
        }
    }

    private boolean hasTask() {
        return hasTaskAbove(-1);
    }

    /** True if a level above {@code priority} holds a task (a snapshot, highest level first). */
    private boolean hasTaskAbove(int priority) {
        for (int i = levels.length - 1; i > priority; i--) {
            if (levels[i].peek()) {
                return true;
            }
        }
        return false;
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
