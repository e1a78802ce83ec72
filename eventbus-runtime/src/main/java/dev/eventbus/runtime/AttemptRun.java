package dev.eventbus.runtime;

import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.spi.Attempt;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One attempt of a task, and the state machine that decides who finishes it when it is stopped.
 *
 * <pre>
 * RUNNING --finish()--> DONE                         the attempt ended on its own
 * RUNNING --stop()----> STOPPING --> STOPPED         a timeout or an immediate shutdown: interrupt, then stop actions
 * STOPPED --finish()--> ACKED                        the thread came back: it clears its interrupt and goes on
 * STOPPED --abandon()-> ABANDONED                    it did not come back within the grace: a new worker takes over
 * </pre>
 *
 * <p>The owner can only clear its interrupt after the stopper delivered it (STOPPING means "being delivered"), so an
 * interrupt never leaks into the next attempt. Whoever wins the STOPPED transition owns the task.
 *
 * <p>Also the {@link EventContext} of local handlers, to save an allocation per attempt.
 */
final class AttemptRun implements Attempt, EventContext {

    static final int RUNNING = 0;
    static final int DONE = 1;
    static final int STOPPING = 2;
    static final int STOPPED = 3;
    static final int ACKED = 4;
    static final int ABANDONED = 5;

    static final int TIMEOUT = 1;
    static final int CANCEL = 2;

    private static final VarHandle STATE =
            VarHandles.field(MethodHandles.lookup(), AttemptRun.class, "state", int.class);
    private static final VarHandle CLOCK_STARTS =
            VarHandles.field(MethodHandles.lookup(), AttemptRun.class, "clockStarts", int.class);
    private static final long PID = ProcessHandle.current().pid();
    private static final long STOP_ACTIONS_WAIT_MILLIS = 1000;
    private static final long MAX_TIMEOUT_SECONDS = Long.MAX_VALUE / 4 / 1_000_000_000L;

    final Task task;
    final ThreadState owner;
    private final int number;
    /** Bumped by {@link #restartClock()}; the watchdog restarts its count of this attempt's time when it changes. */
    private volatile int clockStarts;
    /** When {@link #timestamp()} was first asked for; racy but benign (an Instant is immutable). */
    private Instant timestamp;
    private volatile int state;
    /** TIMEOUT or CANCEL; written before STOPPED, read after it. */
    private int reason;
    /** The local handler to terminate if stopped; written by the owner before it calls the handler. */
    private volatile EventHandler handlerToTerminate;
    private List<Runnable> stopActions; // guarded by this
    private boolean stopActionsStarted; // guarded by this
    private CountDownLatch stopActionsDone;
    long graceDeadline;

    AttemptRun(Task task, int number, ThreadState owner) {
        this.task = task;
        this.number = number;
        this.owner = owner;
    }

    /** The timeout in nanoseconds, capped so that deadline arithmetic cannot overflow (a cap of centuries). */
    long timeoutNanos() {
        Duration timeout = task.event.timeout();
        return timeout.getSeconds() >= MAX_TIMEOUT_SECONDS ? MAX_TIMEOUT_SECONDS * 1_000_000_000L : timeout.toNanos();
    }

    // ---- Attempt (what a mode sees)

    @Override
    public int number() {
        return number;
    }

    @Override
    public Duration timeout() {
        return task.event.timeout();
    }

    @Override
    public EventContext context() {
        return this;
    }

    @Override
    public void restartClock() {
        CLOCK_STARTS.getAndAdd(this, 1);
    }

    /** How many times the clock was restarted; the watchdog times the attempt from when it saw the last change. */
    int clockStarts() {
        return clockStarts;
    }

    @Override
    public void onStop(Runnable action) {
        java.util.Objects.requireNonNull(action, "action");
        synchronized (this) {
            if (!stopActionsStarted) {
                if (stopActions == null) {
                    stopActions = new ArrayList<>(2);
                }
                stopActions.add(action);
                return;
            }
        }
        runQuietly(action);
    }

    @Override
    public boolean isStopped() {
        int s = state;
        return s != RUNNING && s != DONE;
    }

    // ---- EventContext (what a local handler sees)

    @Override
    public Map<String, Object> threadLocalData() {
        return owner.data;
    }

    @Override
    public long threadId() {
        return owner.thread.threadId();
    }

    @Override
    public long processId() {
        return PID;
    }

    @Override
    public Instant timestamp() {
        // Read on first use: a clock read costs as much as a whole SYNC dispatch on some virtual machines, and
        // most handlers never ask. The value lies within the attempt, at or after its start.
        Instant t = timestamp;
        if (t == null) {
            t = Instant.now();
            timestamp = t;
        }
        return t;
    }

    // ---- the state machine

    /** Runs a local handler, making it the one {@link EventHandler#terminate} is called on if this stops. */
    dev.eventbus.EventResult runHandler(EventHandler handler) throws Exception {
        handlerToTerminate = handler;
        if (isStopped()) { // stopped before it began: do not start work nobody will wait for
            return null;
        }
        return handler.handle(task.event, this);
    }

    /**
     * Stops a running attempt: interrupts its thread, then runs the stop actions in a thread of their own, started by
     * {@code starter} (the bus's). False if it had ended.
     *
     * <p>Nothing between the move to STOPPING and the one to STOPPED may throw: the owner, back from the attempt,
     * waits in {@link #finish()} for STOPPED, and would spin there for ever. So the latch is made before, and the
     * interrupt, which runs user code (the close of an interruptible channel the thread is blocked in), is contained.
     */
    boolean stop(int why, Consumer<Thread> starter) {
        if (state != RUNNING) {
            return false;
        }
        CountDownLatch done = new CountDownLatch(1);
        if (!STATE.compareAndSet(this, RUNNING, STOPPING)) {
            return false;
        }
        reason = why;
        try {
            owner.thread.interrupt();
        } catch (Throwable t) {
            // Thread.interrupt() closes the InterruptibleChannel the thread is blocked in, and what the channel's
            // close throws comes out here. The interrupt flag is set before that close: the stop goes on.
            QuietLog.log(System.Logger.Level.WARNING, () -> "Interrupting the thread of event " + task.event.id()
                    + " failed in the close of the channel it was blocked in; the attempt is stopped all the same", t);
        }
        List<Runnable> actions;
        synchronized (this) {
            stopActionsStarted = true;
            actions = stopActions;
            stopActionsDone = done;
        }
        state = STOPPED;
        EventHandler handler = handlerToTerminate;
        if (handler != null || actions != null) {
            try {
                // Stop actions are user code (terminate) or process kills: never on the watchdog's thread.
                starter.accept(Thread.ofVirtual().name("eventbus-stop-" + task.event.id()).unstarted(() -> {
                    try {
                        if (handler != null) {
                            runQuietly(() -> handler.terminate(this));
                        }
                        if (actions != null) {
                            actions.forEach(this::runQuietly);
                        }
                    } finally {
                        done.countDown();
                    }
                }));
            } catch (Throwable t) {
                // No thread for them (the system allows no more, or no memory to make one): the attempt is stopped all
                // the same, interrupted and, if it ignores that, abandoned after the grace, which the caller arranges
                // only if this returns true; and its owner must not wait for actions that will never run. Not run
                // here: the caller may be the watchdog, which user code must never hold.
                done.countDown();
                QuietLog.log(System.Logger.Level.ERROR, () -> "No thread could run the stop actions (terminate) of"
                        + " event " + task.event.id() + "; the attempt is stopped without them", t);
            }
        } else {
            done.countDown();
        }
        return true;
    }

    /**
     * Called by the owner when the attempt returned. Returns DONE, ACKED (it was stopped; the bus's interrupt is now
     * cleared, and the owner must call {@link #settleStop()} before this thread runs anything else of the bus's) or
     * ABANDONED (another thread owns the task now).
     */
    int finish() {
        if (STATE.compareAndSet(this, RUNNING, DONE)) {
            return DONE;
        }
        int s;
        while ((s = state) == STOPPING) {
            Thread.onSpinWait();
        }
        if (s == STOPPED && STATE.compareAndSet(this, STOPPED, ACKED)) {
            Thread.interrupted();
            return ACKED;
        }
        return ABANDONED;
    }

    /**
     * Called by the owner after {@link #finish()} returned ACKED, once it has delivered the task's result if the task
     * ends here (so that a slow {@code terminate()} never delays the report of a timeout: the wait took up to a
     * second before it), and before it retries or runs anything else: waits a while for the stop actions, and if they
     * still run, drops the handler instance that {@code terminate()} still runs on.
     */
    void settleStop() {
        if (!awaitStopActions() && handlerToTerminate != null) {
            // terminate() still runs on that instance: the next attempt must not run on it at the same time.
            owner.forgetHandler(handlerToTerminate);
        }
    }

    /** Called by the watchdog after the grace: true if the owner had not come back and this thread now owns it. */
    boolean abandon() {
        return STATE.compareAndSet(this, STOPPED, ABANDONED);
    }

    int reason() {
        return reason;
    }

    /**
     * Waits a while for the stop actions; false if they still run. An interrupt during the wait belongs to this stopped
     * attempt (a {@code terminate()} may interrupt the thread it stops): it is absorbed, so that it cannot reach what
     * this thread runs next (the next task, or a SYNC caller's code after {@code publish}); once the actions are done,
     * all of theirs have arrived. An enclosing attempt's stop loses nothing by it: the nested event retries no more,
     * and {@code dispatch} raises that interrupt again.
     */
    private boolean awaitStopActions() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_ACTIONS_WAIT_MILLIS);
        boolean done;
        while (true) {
            try {
                done = stopActionsDone.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                // absorbed, and the wait goes on
            }
        }
        // The await checks the flag before the count: an interrupt raised just before the count went down is here.
        Thread.interrupted();
        if (!done) {
            // Guarded: a failing log call here cost the event its retry (its exception became the result, or came out
            // of a SYNC publish), and the handler instance still being terminated was kept for the next event.
            QuietLog.log(System.Logger.Level.WARNING, () -> "terminate() of event " + task.event.id()
                    + " is still running after " + STOP_ACTIONS_WAIT_MILLIS + " ms; the event goes on, and this"
                    + " thread's next " + task.event.type() + " event gets a new handler instance", null);
        }
        return done;
    }

    /**
     * Runs one stop action and contains whatever it throws, so that the actions after it run: one of them may be the
     * kill of a CORELET or CMD process, and a timeout that skips it no longer stops the work. A
     * {@code VirtualMachineError} is logged at ERROR and not rethrown, as a handler's is not: the stop thread has
     * nobody to rethrow it to but the default uncaught-exception handler, and an action that {@link #onStop} runs at
     * once would hand it to the {@code execute} of an attempt whose outcome is ignored anyway. The log call is guarded
     * too: the logging backend, or the throwable's {@code toString()}, may throw in turn.
     */
    private void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            QuietLog.log(QuietLog.levelOf(t), () -> "A stop action (terminate) of event " + task.event.id()
                    + " failed; the other stop actions run all the same", t);
        }
    }
}
