package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ModeExecutor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An {@link Attempt} for unit-testing a {@link ModeExecutor} without a bus, stopped the way the runtime stops one:
 * interrupt the thread that runs the attempt, then run the stop actions. A test either stops it itself
 * ({@link #runIn(Thread)} then {@link #stop()}, or {@link #stop(Thread)}), or lets {@link #run(ModeExecutor, Event)}
 * drive it with a runtime-like watchdog that stops it at the deadline, counting from the last {@link #restartClock()}.
 * Shared by the executor tests of the CMD and CORELET modules through the runtime's test-jar.
 */
public final class TestAttempt implements Attempt {

    /** The timeout of an attempt made with {@link #TestAttempt()}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final int number;
    private final Duration timeout;
    private final EventContext context;
    private final List<Runnable> actions = new ArrayList<>();
    private volatile long clockStart = System.nanoTime();
    private volatile long clockRestarts;
    private volatile Thread runner;
    private boolean stopped;

    /** The first attempt, with the {@link #DEFAULT_TIMEOUT}. */
    public TestAttempt() {
        this(1, DEFAULT_TIMEOUT);
    }

    /**
     * An attempt whose context carries the calling thread's id.
     *
     * @param number  what {@link #number()} returns
     * @param timeout what {@link #timeout()} returns
     */
    public TestAttempt(int number, Duration timeout) {
        this.number = number;
        this.timeout = timeout;
        Map<String, Object> local = new HashMap<>();
        Instant now = Instant.now();
        long threadId = Thread.currentThread().threadId();
        this.context = new EventContext() {
            @Override
            public Map<String, Object> threadLocalData() {
                return local;
            }

            @Override
            public long threadId() {
                return threadId;
            }

            @Override
            public long processId() {
                return ProcessHandle.current().pid();
            }

            @Override
            public Instant timestamp() {
                return now;
            }
        };
    }

    /**
     * Records the thread that runs the attempt, which {@link #stop()} interrupts.
     *
     * @param thread the thread that runs (or will run) the attempt
     * @return this attempt
     */
    public TestAttempt runIn(Thread thread) {
        this.runner = thread;
        return this;
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public EventContext context() {
        return context;
    }

    @Override
    public void restartClock() {
        clockStart = System.nanoTime();
        clockRestarts++;
    }

    /** How often {@link #restartClock()} was called. */
    public long clockRestarts() {
        return clockRestarts;
    }

    @Override
    public void onStop(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = stopped;
            if (!runNow) {
                actions.add(action);
            }
        }
        if (runNow) {
            action.run();
        }
    }

    /** How many stop actions are registered and wait for {@link #stop()}. */
    public synchronized int stopActions() {
        return actions.size();
    }

    @Override
    public synchronized boolean isStopped() {
        return stopped;
    }

    /**
     * Stops the attempt like the bus's watchdog: interrupts the thread given to {@link #runIn(Thread)}, if any, then
     * runs the stop actions; only the first stop does anything.
     */
    public void stop() {
        stopInterrupting(runner);
    }

    /**
     * Stops the attempt like the bus's watchdog: interrupts the runner, then runs the stop actions; only the first
     * stop does anything.
     *
     * @param runner the thread that runs the attempt
     */
    public void stop(Thread runner) {
        stopInterrupting(runner);
    }

    private void stopInterrupting(Thread runner) {
        List<Runnable> toRun;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            toRun = List.copyOf(actions);
        }
        if (runner != null) {
            runner.interrupt();
        }
        toRun.forEach(Runnable::run);
    }

    /**
     * What one attempt came to.
     *
     * @param result          what {@code execute} returned, or null if it threw
     * @param thrown          what {@code execute} threw, or null if it returned
     * @param stopped         whether the watchdog stopped the attempt
     * @param sinceClockStart the time from the last clock (re)start to the end of the attempt
     * @param clockRestarts   how often the executor restarted the clock
     */
    public record Outcome(EventResult result, Throwable thrown, boolean stopped, Duration sinceClockStart,
            long clockRestarts) {
    }

    /**
     * Runs one attempt (number 1) in a fresh thread with a runtime-like watchdog.
     *
     * @param executor the executor under test
     * @param event    the event, whose timeout the watchdog enforces
     * @return what the attempt came to
     */
    public static Outcome run(ModeExecutor executor, Event event) {
        return run(executor, event, 1);
    }

    /**
     * Runs one attempt in a fresh thread with a runtime-like watchdog: at the event's timeout, counted from the last
     * {@link #restartClock()}, it stops the attempt.
     *
     * @param executor the executor under test
     * @param event    the event, whose timeout the watchdog enforces
     * @param number   the attempt's number
     * @return what the attempt came to
     */
    public static Outcome run(ModeExecutor executor, Event event, int number) {
        TestAttempt attempt = new TestAttempt(number, event.timeout());
        CompletableFuture<EventResult> future = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().name("test-attempt").start(() -> {
            try {
                future.complete(executor.execute(event, attempt));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        while (!future.isDone()) {
            long remaining = attempt.clockStart + event.timeout().toNanos() - System.nanoTime();
            if (remaining <= 0) {
                attempt.stop(runner);
                break;
            }
            try {
                future.get(remaining, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // loop: the clock may have been restarted, or the future is done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        EventResult result = null;
        Throwable thrown = null;
        try {
            result = future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thrown = e.getCause();
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError("execute did not come back within 30 s after its attempt ended", e);
        }
        return new Outcome(result, thrown, attempt.isStopped(),
                Duration.ofNanos(System.nanoTime() - attempt.clockStart), attempt.clockRestarts());
    }

    /**
     * Runs one attempt and returns its result, failing the test if it threw or was stopped.
     *
     * @param executor the executor under test
     * @param event    the event
     * @return what {@code execute} returned
     */
    public static EventResult result(ModeExecutor executor, Event event) {
        Outcome outcome = run(executor, event);
        if (outcome.thrown() != null) {
            throw new AssertionError("attempt threw", outcome.thrown());
        }
        assertTrue(!outcome.stopped(), "attempt was stopped");
        return outcome.result();
    }

    /**
     * A bus configuration for an executor under test (2 retries, 2000 ms retry delay, the default output cap).
     *
     * @param factory     the event factory
     * @param poolSize    the worker pool size
     * @param idleTimeout how long an idle worker lives
     * @param jvmOptions  the worker JVMs' options
     * @param allowed     the allowed list
     * @return the configuration
     */
    public static EventBusConfig config(EventFactory factory, int poolSize, Duration idleTimeout,
            List<String> jvmOptions, List<String> allowed) {
        return new EventBusConfig(2, 2000, factory, poolSize, idleTimeout, jvmOptions, allowed,
                EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
    }

    /**
     * A bus configuration for an executor under test: one worker, idle for 10 minutes, no options, nothing allowed.
     *
     * @param factory the event factory
     * @return the configuration
     */
    public static EventBusConfig config(EventFactory factory) {
        return config(factory, 1, Duration.ofMinutes(10), List.of(), List.of());
    }

    /**
     * Waits, polling, until the condition holds; fails the test at the deadline.
     *
     * @param within    how long to wait at the most
     * @param condition what to wait for
     * @param what      the condition, for the failure message
     */
    public static void awaitTrue(Duration within, BooleanSupplier condition, String what) {
        awaitTrue(within, condition, () -> what);
    }

    /**
     * Waits, polling, until the condition holds; fails the test at the deadline.
     *
     * @param within    how long to wait at the most
     * @param condition what to wait for
     * @param what      the condition, for the failure message, computed only on failure
     */
    public static void awaitTrue(Duration within, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Asserts that a process ends within the given time.
     *
     * @param pid    the process
     * @param within how long to wait at the most
     */
    public static void assertEnds(long pid, Duration within) {
        awaitTrue(within, () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
                "process " + pid + " ended");
    }

    /** Asserts that this JVM has no child process left (worker JVMs and nice wrappers included). */
    public static void assertNoChildProcessLeft() {
        awaitTrue(Duration.ofSeconds(15), () -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive),
                () -> "no child process left, but found " + ProcessHandle.current().descendants()
                        .filter(ProcessHandle::isAlive).map(h -> h.pid() + " " + h.info().commandLine().orElse(""))
                        .toList());
    }
}
