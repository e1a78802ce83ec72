package dev.eventbus.corelet.internal;

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
 * An {@link Attempt} driven like the runtime drives one: a watchdog stops it at the deadline (interrupt, then the
 * stop actions), counting from the last {@link #restartClock()}.
 */
final class TestAttempt implements Attempt {

    private final int number;
    private final Duration timeout;
    private final EventContext context;
    private final List<Runnable> actions = new ArrayList<>();
    private volatile long clockStart = System.nanoTime();
    private volatile long clockRestarts;
    private boolean stopped;

    TestAttempt(int number, Duration timeout) {
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

    long clockRestarts() {
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

    @Override
    public synchronized boolean isStopped() {
        return stopped;
    }

    void stop(Thread runner) {
        List<Runnable> toRun;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            toRun = List.copyOf(actions);
        }
        runner.interrupt();
        toRun.forEach(Runnable::run);
    }

    /** What one attempt came to. */
    record Outcome(EventResult result, Throwable thrown, boolean stopped, Duration sinceClockStart,
            long clockRestarts) {
    }

    /** Runs one attempt in a fresh thread with a runtime-like watchdog. */
    static Outcome run(ModeExecutor executor, Event event) {
        return run(executor, event, 1);
    }

    static Outcome run(ModeExecutor executor, Event event, int number) {
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

    /** Runs one attempt and returns its result, failing the test if it threw or was stopped. */
    static EventResult result(ModeExecutor executor, Event event) {
        Outcome outcome = run(executor, event);
        if (outcome.thrown() != null) {
            throw new AssertionError("attempt threw", outcome.thrown());
        }
        assertTrue(!outcome.stopped(), "attempt was stopped");
        return outcome.result();
    }

    static EventBusConfig config(EventFactory factory, int poolSize, Duration idleTimeout, List<String> jvmOptions,
            List<String> allowed) {
        return new EventBusConfig(2, 2000, factory, poolSize, idleTimeout, jvmOptions, allowed,
                EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
    }

    static EventBusConfig config(EventFactory factory) {
        return config(factory, 1, Duration.ofMinutes(10), List.of(), List.of());
    }

    /** Waits, polling, until the condition holds; fails the test at the deadline. */
    static void awaitTrue(Duration within, BooleanSupplier condition, String what) {
        awaitTrue(within, condition, () -> what);
    }

    static void awaitTrue(Duration within, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + within + ": " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Asserts that a process ends within the given time. */
    static void assertEnds(long pid, Duration within) {
        awaitTrue(within, () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true),
                "process " + pid + " ended");
    }

    /** Asserts that this JVM has no child process left (worker JVMs and nice wrappers included). */
    static void assertNoChildProcessLeft() {
        awaitTrue(Duration.ofSeconds(15), () -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive),
                () -> "no child process left, but found " + ProcessHandle.current().descendants()
                        .filter(ProcessHandle::isAlive).map(h -> h.pid() + " " + h.info().commandLine().orElse(""))
                        .toList());
    }
}
