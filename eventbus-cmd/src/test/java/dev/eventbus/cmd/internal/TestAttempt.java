package dev.eventbus.cmd.internal;

import dev.eventbus.EventContext;
import dev.eventbus.spi.Attempt;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@link Attempt} driven by a test: {@link #stop()} does what the bus does at a timeout, interrupting the thread
 * that runs the attempt and then running the stop actions.
 */
final class TestAttempt implements Attempt {

    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Thread runner;

    /** Records the calling thread as the one running the attempt. */
    TestAttempt runIn(Thread thread) {
        this.runner = thread;
        return this;
    }

    /** Stops the attempt like the bus's watchdog: interrupt, then the stop actions. */
    void stop() {
        if (stopped.compareAndSet(false, true)) {
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
            actions.forEach(Runnable::run);
        }
    }

    int stopActions() {
        return actions.size();
    }

    @Override
    public int number() {
        return 1;
    }

    @Override
    public Duration timeout() {
        return Duration.ofSeconds(30);
    }

    @Override
    public EventContext context() {
        Map<String, Object> data = new HashMap<>();
        Instant now = Instant.now();
        return new EventContext() {
            @Override
            public Map<String, Object> threadLocalData() {
                return data;
            }

            @Override
            public long threadId() {
                return Thread.currentThread().threadId();
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
    public void restartClock() {
    }

    @Override
    public void onStop(Runnable action) {
        if (stopped.get()) {
            action.run();
        } else {
            actions.add(action);
        }
    }

    @Override
    public boolean isStopped() {
        return stopped.get();
    }
}
