package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventBusShutdownException;
import dev.eventbus.EventCancelledException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ProgressTracker;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The EventBus implementation: the acceptance gate, the THREAD worker pool, the retry loop shared by every mode,
 * results, progress, join and shutdown.
 *
 * <p>Lifecycle: RUNNING → SHUTDOWN (graceful: refuses events, drains) or STOPPING (immediate: cancels) →
 * TERMINATED, in one volatile field that only moves forward.
 */
final class RuntimeEventBus implements EventBus {

    static final System.Logger LOG = System.getLogger("dev.eventbus.runtime");
    /**
     * How deep SYNC events may nest in one thread (a SYNC handler publishing SYNC events): deeper, publish refuses,
     * with a clear error where an endless recursion would otherwise overflow the stack at some random place.
     */
    static final int MAX_SYNC_NESTING = 128;

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOPPING = 2;
    private static final int TERMINATED = 3;
    private static final AtomicInteger BUS_IDS = new AtomicInteger();
    /** How long an immediate shutdown waits for interrupted attempts before it stops waiting. */
    private static final Duration IMMEDIATE_WAIT = Duration.ofSeconds(2);

    private final EventBusConfig config;
    private final ModeRegistry modes;
    final TaskQueue queue = new TaskQueue();
    private final ResultCache cache;
    private final JoinTracker joins = new JoinTracker();
    private final Consumer<Thread> threadStarter;
    private final Watchdog watchdog;
    private final String name;
    private final Set<Worker> workers = ConcurrentHashMap.newKeySet();
    /** Threads of abandoned workers whose handler has not returned yet: still handler threads, for join's check. */
    private final Set<Thread> abandonedThreads = ConcurrentHashMap.newKeySet();
    /** Orders a worker's abandonment and its exit, so that an exited worker's thread is never left as abandoned. */
    private final Object workerExits = new Object();
    private final AtomicInteger workerNumbers = new AtomicInteger();
    /**
     * Each publishing thread's state, held weakly here: the watchdog's slots hold it while the bus lives. Held
     * strongly, it kept a shut-down bus reachable from every thread that had published to it, through the handler
     * instances it keeps (a handler that publishes follow-up events refers to the bus).
     */
    private final ThreadLocal<WeakReference<ThreadState>> callerStates = new ThreadLocal<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicInteger shutdownStarted = new AtomicInteger();
    private volatile int state = RUNNING;

    RuntimeEventBus(EventBusConfig config, List<ExecutionModeProvider> providers) {
        this(config, providers, Thread::start);
    }

    /**
     * @param threadStarter starts the bus's threads (its watchdog, workers and stop actions): {@code Thread::start}, or
     *                      in tests one that fails as the JVM does when the system allows no more threads
     */
    RuntimeEventBus(EventBusConfig config, List<ExecutionModeProvider> providers, Consumer<Thread> threadStarter) {
        this.config = Objects.requireNonNull(config, "config");
        this.threadStarter = threadStarter;
        this.modes = new ModeRegistry(providers, config);
        this.cache = new ResultCache(config.resultCacheSize());
        this.name = "eventbus-" + BUS_IDS.incrementAndGet();
        this.watchdog = new Watchdog(this, name + "-watchdog");
        try {
            threadStarter.accept(watchdog.thread());
            for (int i = 0; i < config.threads(); i++) {
                startWorker(null);
            }
        } catch (Throwable t) {
            // No bus to shut down for the caller: stop the threads started so far, or they would wait for ever.
            queue.close();
            watchdog.stop();
            modes.closeAll(true);
            throw t;
        }
        LiveBuses.register(this);
    }

    // ------------------------------------------------------------------ publishing

    @Override
    public String publish(Event event) {
        ThreadState publisher = callerState();
        dispatch(accept(event, null, publisher), publisher);
        return event.id();
    }

    @Override
    public CompletableFuture<EventResult> submit(Event event) {
        CompletableFuture<EventResult> future = new CompletableFuture<>();
        ThreadState publisher = callerState();
        dispatch(accept(event, future, publisher), publisher);
        return future;
    }

    private Task accept(Event event, CompletableFuture<EventResult> future, ThreadState publisher) {
        Objects.requireNonNull(event, "event");
        if (state != RUNNING) {
            throw shutDown();
        }
        ModeExecutor executor = modes.executor(event.mode());
        if (publisher.syncDepth >= MAX_SYNC_NESTING && executor.runsInPublishingThread()) {
            throw new IllegalStateException("SYNC events nested " + MAX_SYNC_NESTING + " deep in thread "
                    + Thread.currentThread().getName() + ": a SYNC handler publishes SYNC events without end? " + event
                    + " refused; publish it in THREAD mode, or end the recursion");
        }
        executor.validate(event);
        ProgressTracker tracker = event.progressTracker().orElse(null);
        int steps = event.progressSteps();
        if (tracker == null) {
            tracker = publisher.tracker;
            steps = publisher.trackerSteps;
        }
        // The gate: count the event first, then check the state, so a concurrent shutdown either sees it or
        // refuses it (see JoinTracker).
        JoinTracker.Epoch epoch = joins.enter();
        if (state != RUNNING) {
            joins.exit(epoch);
            throw shutDown();
        }
        return new Task(event, executor, future, tracker, steps, epoch);
    }

    private void dispatch(Task task, ThreadState publisher) {
        if (task.executor.runsInPublishingThread()) {
            ThreadState level = syncLevel(publisher);
            publisher.syncDepth++;
            try {
                runAttempts(task, level);
            } finally {
                publisher.syncDepth--;
            }
            if (level.enclosingStopped()) {
                // The stop's interrupt may have been taken by the nested handler, or cleared with a nested attempt's
                // own stop: raise it again for the enclosing handler, once the nested event is done (not before each
                // of its attempts, which start with the flag as their predecessor left it, as any attempt does).
                Thread.currentThread().interrupt();
            }
        } else {
            queue.offer(task);
            if (queue.isClosed()) {
                // An immediate shutdown gave up waiting for this event (accepted, then delayed on its way here) and
                // closed the queue: no worker may be left to take it, so cancel it as the shutdown cancelled the rest.
                cancelQueued();
            }
        }
    }

    private static EventBusShutdownException shutDown() {
        return new EventBusShutdownException("The EventBus is shut down: it accepts no more events");
    }

    private ThreadState callerState() {
        WeakReference<ThreadState> ref = callerStates.get();
        ThreadState state = ref == null ? null : ref.get();
        if (state == null) {
            Thread current = Thread.currentThread();
            Worker worker = workerOf(current);
            state = new ThreadState(current, false, worker == null ? null : worker.state);
            watchdog.watch(state);
            callerStates.set(new WeakReference<>(state));
        }
        return state;
    }

    /** The state to run a SYNC event in: the publisher's own, or a nested level's if a SYNC handler publishes it. */
    private ThreadState syncLevel(ThreadState publisher) {
        ThreadState level = publisher;
        for (int i = 0; i < publisher.syncDepth; i++) {
            level = level.nested(watchdog::watch);
        }
        return level;
    }

    // ------------------------------------------------------------------ running

    /** Runs a task taken from the queue; false if this worker was abandoned and must exit. */
    boolean runQueued(Task task, ThreadState worker) {
        if (state >= STOPPING) {
            complete(task, cancelled(task), worker);
            return true;
        }
        return runAttempts(task, worker);
    }

    /**
     * The retry loop shared by every mode: attempts until a result is returned, the retries are used up, or the
     * bus cancels. Returns false if the calling worker was abandoned (its task belongs to a replacement now).
     */
    private boolean runAttempts(Task task, ThreadState thread) {
        try {
            return retryLoop(task, thread);
        } catch (Throwable t) {
            if (failedOutsideHandler(task, thread, t)) {
                throw t; // an Error or a RuntimeException: the loop throws nothing checked
            }
            return false;
        }
    }

    /**
     * When the bus's own code around a handler throws (a handler's throwables are its attempt's failure): a
     * {@code StackOverflowError} in a deep call chain, an {@code OutOfMemoryError}, a log call that fails. The event
     * still gets its one result and counts out, or a join would wait for ever; the attempt is ended, so that no stop
     * reaches the thread later. Returns true for the caller to rethrow, false if the attempt was abandoned (a
     * replacement worker owns the task).
     */
    private boolean failedOutsideHandler(Task task, ThreadState thread, Throwable t) {
        AttemptRun attempt = thread.current;
        int end = AttemptRun.DONE;
        if (attempt != null && attempt.task == task) {
            thread.endAttempt();
            end = attempt.finish();
            if (end == AttemptRun.ABANDONED) {
                return false;
            }
        }
        try {
            if (!task.isCompleted()) {
                complete(task, EventResult.exceptionResult(task.event.id(), t), thread);
            }
        } finally {
            if (end == AttemptRun.ACKED) {
                attempt.settleStop();
            }
        }
        return true;
    }

    private boolean retryLoop(Task task, ThreadState thread) {
        Event event = task.event;
        while (true) {
            AttemptRun attempt = new AttemptRun(task, ++task.attempts, thread);
            thread.current = attempt;
            thread.countAttempt();
            watchdog.attemptStarted();
            if (state >= STOPPING) {
                attempt.stop(AttemptRun.CANCEL, threadStarter); // closes the race with an immediate shutdown's sweep
            }
            EventResult result = null;
            Throwable failure = null;
            if (!attempt.isStopped()) {
                try {
                    result = task.executor.execute(event, attempt);
                    if (result == null && !attempt.isStopped()) {
                        failure = new IllegalStateException("handler returned null for event " + event.id()
                                + " (" + event.type() + "): return an EventResult");
                    }
                } catch (Throwable t) {
                    failure = t;
                    if (t instanceof VirtualMachineError) {
                        LOG.log(System.Logger.Level.ERROR, () -> "Handler for " + event + " failed with " + t, t);
                    }
                }
            }
            thread.endAttempt();
            int end = attempt.finish();
            if (end == AttemptRun.ABANDONED) {
                return false;
            }
            if (end == AttemptRun.ACKED) {
                boolean finished;
                try {
                    finished = finishStopped(task, attempt, thread);
                } finally {
                    // After the result, if the task ends here: a slow terminate() delays only what runs next.
                    attempt.settleStop();
                }
                if (finished) {
                    return true;
                }
                continue;
            }
            if (result != null) {
                complete(task, result.eventId().equals(event.id()) ? result
                        : new EventResult(event.id(), result.success(), result.data(), result.exception()), thread);
                return true;
            }
            if (task.attempts > event.maxRetries() || thread.enclosingStopped()) {
                complete(task, EventResult.exceptionResult(event.id(), failure), thread);
                return true;
            }
            if (thread.pooled) {
                // An interrupt the failed attempt's handler left set (as code does that restores one it caught, then
                // throws) is that attempt's, not the retry's: the bus's own stops target an attempt, and this one
                // was not stopped. Cleared as a worker clears it between tasks, and as a CORELET worker clears it
                // after each event: a retry that began interrupted failed at its first blocking call, in THREAD mode
                // only. Not in a publishing thread (SYNC, or nested in a handler): its flag is its caller's.
                Thread.interrupted();
            }
        }
    }

    /**
     * After a stopped attempt: completes the task (cancelled, or out of retries) and returns true, or false to retry.
     * {@code thread} is the calling thread's state.
     */
    private boolean finishStopped(Task task, AttemptRun attempt, ThreadState thread) {
        if (attempt.reason() == AttemptRun.CANCEL || state >= STOPPING) {
            complete(task, cancelled(task), thread);
            return true;
        }
        if (task.attempts > task.event.maxRetries() || thread.enclosingStopped()) {
            Event event = task.event;
            // The attempts allowed in long: maxRetries(Integer.MAX_VALUE) is valid, and its + 1 overflowed an int.
            complete(task, EventResult.exceptionResult(event.id(), new EventTimeoutException("Event " + event.id()
                    + " (" + event.type() + ") timed out after " + event.timeout().toMillis() + " ms in attempt "
                    + task.attempts + " of " + (event.maxRetries() + 1L))), thread);
            return true;
        }
        return false;
    }


    /** Runs in a replacement worker: finishes or retries the task whose thread was abandoned. */
    boolean continueAbandoned(AttemptRun attempt, ThreadState replacement) {
        try {
            if (finishStopped(attempt.task, attempt, replacement)) {
                return true;
            }
        } catch (Throwable t) {
            if (failedOutsideHandler(attempt.task, replacement, t)) {
                throw t;
            }
            return false;
        }
        return runAttempts(attempt.task, replacement);
    }

    /** Called by the watchdog when a worker ignored a stop for the whole grace: replace it, hand over its task. */
    void takeOver(AttemptRun attempt) {
        Worker abandoned = workerOf(attempt.owner.thread);
        watchdog.unwatch(attempt.owner);
        if (abandoned != null) {
            synchronized (workerExits) {
                if (workers.remove(abandoned)) { // else it has exited already: nothing to remember
                    abandonedThreads.add(abandoned.thread);
                }
            }
        }
        // Guarded: the task has no owner until the replacement starts, and a failing log call left it without one.
        QuietLog.log(System.Logger.Level.WARNING, () -> "Thread " + attempt.owner.thread.getName() + " ignored the"
                + " interrupt of " + attempt.task.event + "; it is abandoned and replaced", null);
        try {
            startWorker(attempt);
        } catch (Throwable t) {
            // No replacement (the system allows no more threads): the pool is one worker short, and the task,
            // which nobody owns now, ends with the error rather than never.
            if (!attempt.task.isCompleted()) {
                complete(attempt.task, EventResult.exceptionResult(attempt.task.event.id(), t), null);
            }
            LOG.log(System.Logger.Level.ERROR, () -> "No worker could replace " + attempt.owner.thread.getName()
                    + "; the pool is one worker short", t);
        }
    }

    private Worker workerOf(Thread thread) {
        for (Worker worker : workers) {
            if (worker.thread == thread) {
                return worker;
            }
        }
        return null;
    }


    private void startWorker(AttemptRun takeOver) {
        Worker worker = new Worker(this, name + "-worker-" + workerNumbers.incrementAndGet(), takeOver);
        workers.add(worker);
        watchdog.watch(worker.state);
        try {
            threadStarter.accept(worker.thread);
        } catch (Throwable t) { // "unable to create native thread": the system allows no more
            workers.remove(worker);
            watchdog.unwatch(worker.state);
            throw t;
        }
    }

    /** Starts a thread of the bus's (a stop's actions run in one), as its workers are started. */
    void startThread(Thread thread) {
        threadStarter.accept(thread);
    }

    void workerExited(Worker worker) {
        synchronized (workerExits) {
            workers.remove(worker);
            abandonedThreads.remove(worker.thread);
        }
        watchdog.unwatch(worker.state);
    }

    /** Delivers a task's one result; {@code thread} is the calling thread's state, null outside the bus's threads. */
    private void complete(Task task, EventResult result, ThreadState thread) {
        if (!task.markCompleted()) {
            LOG.log(System.Logger.Level.ERROR, () -> "A second result for " + task.event + " was dropped: " + result);
            return;
        }
        try {
            if (task.tracker != null) {
                try {
                    task.tracker.progress(task.progressSteps);
                } catch (Throwable t) {
                    // Never rethrown, not even a VirtualMachineError (as a handler's is not): the result must still
                    // be delivered and the event counted out, or a join waits for ever and the worker dies with it.
                    logTrackerFailure(task, t);
                }
            }
            if (task.future != null) {
                task.future.complete(result);
            } else {
                cache.put(result, thread == null ? null : thread.storeNumbers);
            }
        } finally {
            joins.exit(task.epoch); // even if the cache could not take the result (out of memory): never a hung join
        }
    }

    /** Logs a tracker's failure; never throws, though the tracker's or its throwable's toString() may. */
    private static void logTrackerFailure(Task task, Throwable t) {
        QuietLog.log(QuietLog.levelOf(t), () -> "Progress tracker " + task.tracker + " failed for " + task.event
                + "; the event's result is unchanged", t);
    }

    private static EventResult cancelled(Task task) {
        return EventResult.exceptionResult(task.event.id(), new EventCancelledException("Event " + task.event.id()
                + " (" + task.event.type() + ") was cancelled: the EventBus was shut down immediately"));
    }

    // ------------------------------------------------------------------ join and results

    @Override
    public void join() {
        requireNotInHandler("join()");
        joins.awaitUninterruptibly(joins.close());
    }

    @Override
    public boolean join(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        requireNotInHandler("join(Duration)");
        if (timeout.isNegative() || timeout.isZero()) {
            return joins.isIdle(); // a check, not a wait: no epoch to close
        }
        long done = joins.close();
        try {
            return joins.await(done, saturatedNanos(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return joins.isDone(done);
        }
    }

    private void requireNotInHandler(String call) {
        if (isHandlerThread()) {
            throw new IllegalStateException(call + " cannot be called from an event handler running on this bus:"
                    + " it would wait for its own event. Use submit() futures or getResults(ids, false) instead");
        }
    }

    @Override
    public Map<String, EventResult> getResults() {
        join();
        return cache.snapshot();
    }

    @Override
    public Map<String, EventResult> getResults(Collection<String> eventIds, boolean joinBefore) {
        Objects.requireNonNull(eventIds, "eventIds");
        if (joinBefore) {
            join();
        }
        return cache.remove(eventIds);
    }

    ResultCache cache() {
        return cache;
    }

    // ------------------------------------------------------------------ progress

    @Override
    public void setProgressTracker(ProgressTracker tracker, int steps) {
        Objects.requireNonNull(tracker, "tracker");
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0: " + steps);
        }
        ThreadState publisher = callerState();
        publisher.tracker = tracker;
        publisher.trackerSteps = steps;
    }

    @Override
    public void clearProgressTracker() {
        callerState().tracker = null;
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void shutdown() {
        shutdown(false);
    }

    @Override
    public void close() {
        shutdown(false);
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public void shutdown(boolean immediately) {
        advanceState(immediately ? STOPPING : SHUTDOWN);
        if (immediately) {
            cancelQueuedAndRunning();
        }
        boolean owner = shutdownStarted.compareAndSet(0, 1);
        if (isHandlerThread()) {
            // A handler cannot wait for the drain that waits for it: finish the shutdown in the background.
            if (owner) {
                Thread.ofPlatform().name(name + "-shutdown").daemon().start(this::terminate);
            }
            return;
        }
        if (owner) {
            terminate();
        } else {
            awaitTermination();
        }
    }

    private boolean isHandlerThread() {
        Thread current = Thread.currentThread();
        return workerOf(current) != null || abandonedThreads.contains(current) || callerState().syncDepth > 0;
    }

    private synchronized void advanceState(int target) {
        if (state < target && state != TERMINATED) {
            state = target;
        }
    }

    private void cancelQueued() {
        for (Task task : queue.drain()) {
            complete(task, cancelled(task), null);
        }
    }

    private void cancelQueuedAndRunning() {
        cancelQueued();
        for (ThreadState slot : watchdog.slots()) {
            AttemptRun attempt = slot.current;
            if (attempt != null && attempt.stop(AttemptRun.CANCEL, threadStarter) && slot.pooled) {
                watchdog.checkAfterGrace(attempt);
            }
        }
    }

    /** The owner's part of a shutdown: drain, stop workers, close modes, stop the watchdog. */
    private void terminate() {
        try {
            long accepted = joins.close();
            boolean done = false;
            while (!done) {
                try {
                    // Once stopping, events accepted just before the state changed may still arrive: the loop cancels
                    // them too. Until then, a short wait notices an immediate shutdown soon.
                    Duration wait = state >= STOPPING ? IMMEDIATE_WAIT : Duration.ofMillis(100);
                    done = joins.await(accepted, wait.toNanos());
                    if (!done && state >= STOPPING) {
                        cancelQueuedAndRunning();
                        done = joins.isDone(accepted) || !anyWorkerBusy();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    advanceState(STOPPING);
                    cancelQueuedAndRunning();
                    done = true;
                }
            }
            queue.close();
            // An event offered before the close but after the last sweep, while every worker was on its way out
            // (it had polled an empty queue and then saw the close): the publisher checked for the close too early.
            // Offering then checking, and closing then draining, each side catches what the other missed.
            cancelQueued();
            // Bounded, but not cut short by an interrupt (the one kept from the drain above would end it at once): the
            // watchdog is stopped next, and a worker whose handler ignores its stop must be abandoned before that,
            // under its eye, after the grace; else its event never gets a result.
            boolean interrupted = Thread.interrupted();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (Worker worker : List.copyOf(workers)) {
                for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                    try {
                        worker.thread.join(Duration.ofNanos(left));
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            modes.closeAll(state >= STOPPING);
            watchdog.stop();
            try {
                watchdog.thread().join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            advanceState(TERMINATED);
            LiveBuses.unregister(this);
            terminated.complete(null);
        }
    }

    private boolean anyWorkerBusy() {
        for (Worker worker : workers) {
            if (worker.state.current != null) {
                return true;
            }
        }
        return false;
    }

    private void awaitTermination() {
        try {
            terminated.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Closed join epochs still waiting for an event: for tests. */
    int pendingJoinEpochs() {
        return joins.pendingEpochs();
    }

    boolean isTerminated() {
        return terminated.isDone();
    }

    // ------------------------------------------------------------------ accessors

    @Override
    public int threads() {
        return config.threads();
    }

    @Override
    public EventFactory factory() {
        return config.factory();
    }

    EventBusConfig config() {
        return config;
    }

    String name() {
        return name;
    }

    Watchdog watchdog() {
        return watchdog;
    }

    int liveWorkers() {
        return workers.size();
    }

    @Override
    public String toString() {
        return "EventBus[" + name + ", threads=" + config.threads() + ", state="
                + List.of("running", "shutdown", "stopping", "terminated").get(state) + "]";
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
