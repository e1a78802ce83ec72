package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attempts that wait for a worker of a full pool are served by priority, then in arrival order; one stopped as it is
 * served gives the worker back; a worker start that waits for the AOT cache holds up no other attempt.
 */
@Timeout(120)
class CoreletWaitingLineTest {

    @Test
    void aFreedWorkerGoesToTheHighestPriorityThenToTheEarliestWaiter(@TempDir Path dir) throws Exception {
        EventFactory factory = new EventFactory();
        factory.registerEventType("gate", TestHandlers.Gate.class);
        factory.registerEventType("turn", TestHandlers.Turn.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory)); // a pool of one worker
        try {
            Path fifo = dir.resolve("gate");
            assertNull(WorkerProcess.mkfifo(List.of("mkfifo", "-m", "600", fifo.toString())));
            CompletableFuture<EventResult> gated = runAsync(executor, event("gate", fifo.toString(), 5));
            Map<String, CompletableFuture<EventResult>> line = new LinkedHashMap<>();
            try (OutputStream gate = openWhenTheGateRuns(fifo, gated)) {
                String[] names = {"low, first", "high", "low, second", "top"};
                int[] priorities = {2, 8, 2, 10};
                for (int i = 0; i < names.length; i++) { // in line in this order of arrival
                    line.put(names[i], runAsync(executor, event("turn", null, priorities[i])));
                    int inLine = i + 1;
                    TestAttempt.awaitTrue(Duration.ofSeconds(30), () -> executor.waiting() == inLine,
                            () -> "waiters in line: " + executor.waiting() + ", expected " + inLine);
                }
                gate.write("open".getBytes(StandardCharsets.UTF_8));
            } // closed: the gate's handler returns and frees the worker

            assertEquals("open", gated.get(60, TimeUnit.SECONDS).data());

            Map<String, Object> served = new LinkedHashMap<>();
            for (var waiter : line.entrySet()) {
                EventResult result = waiter.getValue().get(60, TimeUnit.SECONDS);
                assertTrue(result.success(), result::toString);
                served.put(waiter.getKey(), result.data());
            }
            assertEquals(Map.of("top", 0, "high", 1, "low, first", 2, "low, second", 3), served);
            assertEquals(0, executor.waiting());
        } finally {
            executor.close();
            TestAttempt.assertNoChildProcessLeft();
        }
    }

    /**
     * An attempt stopped (timed out, or cancelled by an immediate shutdown) after the line handed it a freed worker, but
     * before it sent its request, killed that worker, although the worker never saw the event: the next event paid for
     * a cold JVM start. The worker now goes back to the pool, and the next event runs in the same JVM.
     */
    @Test
    void anAttemptStoppedBeforeItSendsItsRequestLeavesTheWorkerInThePool(@TempDir Path dir) throws Exception {
        EventFactory factory = new EventFactory();
        factory.registerEventType("gate", TestHandlers.Gate.class);
        factory.registerEventType("where", TestHandlers.WhereAmI.class);
        CoreletExecutor executor = new CoreletExecutor(TestAttempt.config(factory)); // a pool of one worker
        try {
            long pid = workerPid(TestAttempt.result(executor, event("where", null, 5)));
            Path fifo = dir.resolve("gate");
            assertNull(WorkerProcess.mkfifo(List.of("mkfifo", "-m", "600", fifo.toString())));
            CompletableFuture<EventResult> gated = runAsync(executor, event("gate", fifo.toString(), 5));
            StoppedWhenServed attempt = new StoppedWhenServed(executor);
            CompletableFuture<Throwable> stopped = new CompletableFuture<>();
            try (OutputStream gate = openWhenTheGateRuns(fifo, gated)) {
                Event waiting = event("where", null, 5);
                executor.validate(waiting);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        stopped.completeExceptionally(new AssertionError("the stopped attempt returned "
                                + executor.execute(waiting, attempt)));
                    } catch (Throwable t) {
                        stopped.complete(t);
                    }
                });
                TestAttempt.awaitTrue(Duration.ofSeconds(30), () -> executor.waiting() == 1,
                        () -> "waiters in line: " + executor.waiting() + ", expected 1");
                gate.write("open".getBytes(StandardCharsets.UTF_8));
            } // closed: the gate's handler returns and frees the worker for the attempt in line

            assertEquals("open", gated.get(60, TimeUnit.SECONDS).data());
            Throwable thrown = stopped.get(60, TimeUnit.SECONDS);
            assertInstanceOf(InterruptedException.class, thrown);
            assertEquals("attempt stopped before it reached a CORELET worker", thrown.getMessage());
            attempt.stopActionsDone.get(30, TimeUnit.SECONDS); // a stop action that kills would have done so now
            assertEquals(Set.of(pid), executor.workerPids(), "the worker of the stopped attempt lives on");
            assertEquals(1, executor.idleWorkers(), "and waits in the pool");
            assertEquals(pid, workerPid(TestAttempt.result(executor, event("where", null, 5))),
                    "the next event runs in the worker the stopped attempt was given");
        } finally {
            executor.close();
            TestAttempt.assertNoChildProcessLeft();
        }
    }

    /**
     * A worker start asked the AOT cache for the worker's JVM options with the pool's lock held, and the cache's monitor
     * can be held a while (by the start of the cache's assembly process, by file operations beside the cache): all
     * that time no attempt could take an idle worker and none could give its worker back. The test holds the monitor.
     */
    @Test
    void aWorkerStartWaitingForTheAotCacheHoldsUpNoOtherAttempt(@TempDir Path dir) throws Exception {
        EventFactory factory = new EventFactory();
        factory.registerEventType("gate", TestHandlers.Gate.class);
        factory.registerEventType("where", TestHandlers.WhereAmI.class);
        CoreletExecutor executor = new CoreletExecutor(new EventBusConfig(2, 2000, factory, 2, Duration.ofMinutes(10),
                List.of(), List.of(), EventBusConfig.DEFAULT_CMD_OUTPUT_CAP, dir.resolve("workers.aot")));
        try {
            long first = workerPid(TestAttempt.result(executor, event("where", null, 5)));
            Path fifo = dir.resolve("gate");
            assertNull(WorkerProcess.mkfifo(List.of("mkfifo", "-m", "600", fifo.toString())));
            CompletableFuture<EventResult> gated = runAsync(executor, event("gate", fifo.toString(), 5));
            CompletableFuture<EventResult> second;
            OutputStream gate = openWhenTheGateRuns(fifo, gated); // the gate holds the first worker
            try {
                synchronized (executor.aotCache()) {
                    second = runAsync(executor, event("where", null, 5)); // starts the second worker
                    TestAttempt.awaitTrue(Duration.ofSeconds(30), CoreletWaitingLineTest::aWorkerStartWaitsForTheAotCache,
                            "a worker start waits for the AOT cache's monitor");
                    gate.write("open".getBytes(StandardCharsets.UTF_8));
                    gate.close(); // the gate's handler returns, and its attempt gives the first worker back
                    try {
                        assertEquals("open", gated.get(20, TimeUnit.SECONDS).data());
                    } catch (TimeoutException e) {
                        throw new AssertionError("the gate's attempt could not give its worker back while a worker"
                                + " start waited for the AOT cache", e);
                    }
                    assertEquals(first, workerPid(TestAttempt.result(executor, event("where", null, 5))),
                            "an idle worker serves meanwhile");
                    assertTrue(aWorkerStartWaitsForTheAotCache(), "the second worker's start still waits");
                }
            } finally {
                gate.close();
            }
            long secondPid = workerPid(second.get(60, TimeUnit.SECONDS));
            assertNotEquals(first, secondPid, "the waiting start made a second worker");
            assertEquals(Set.of(first, secondPid), executor.workerPids());
        } finally {
            executor.close();
            TestAttempt.assertNoChildProcessLeft();
        }
    }

    private static boolean aWorkerStartWaitsForTheAotCache() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(thread -> thread.getKey().getState()
                == Thread.State.BLOCKED && thread.getValue().length > 0
                && thread.getValue()[0].getClassName().equals(AotCache.class.getName())
                && thread.getValue()[0].getMethodName().equals("launch"));
    }

    private static long workerPid(EventResult where) {
        assertTrue(where.success(), where::toString);
        return (Long) ((List<?>) where.data()).get(1);
    }

    /**
     * An attempt that is stopped the way the bus stops one (its thread interrupted, then its stop actions run on
     * another thread) when the line serves it: at the clock restart after its wait that finds a worker idle, which the
     * pool then hands it. The bus's watchdog can stop an attempt there; a test cannot time that, this attempt can.
     */
    private static final class StoppedWhenServed implements Attempt {
        private final CoreletExecutor executor;
        private final EventContext context = new TestAttempt().context();
        private final List<Runnable> actions = new ArrayList<>();
        private boolean stopped; // guarded by this
        final CompletableFuture<Void> stopActionsDone = new CompletableFuture<>();

        StoppedWhenServed(CoreletExecutor executor) {
            this.executor = executor;
        }

        @Override
        public int number() {
            return 1;
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(60);
        }

        @Override
        public EventContext context() {
            return context;
        }

        @Override
        public void restartClock() {
            // called in line with the pool's lock held: an idle worker now is the one this attempt takes next
            if (!isStopped() && executor.idleWorkers() > 0) {
                List<Runnable> toRun;
                synchronized (this) {
                    stopped = true;
                    toRun = List.copyOf(actions);
                }
                Thread.currentThread().interrupt();
                Thread.ofVirtual().start(() -> {
                    try {
                        toRun.forEach(Runnable::run);
                    } finally {
                        stopActionsDone.complete(null);
                    }
                });
            }
        }

        @Override
        public void onStop(Runnable action) {
            synchronized (this) {
                if (!stopped) {
                    actions.add(action);
                    return;
                }
            }
            action.run();
        }

        @Override
        public synchronized boolean isStopped() {
            return stopped;
        }
    }

    /**
     * Opens the FIFO for writing, which blocks until the gate's handler has opened it for reading: the gate holds the
     * one worker then. The open cannot be interrupted, so it runs in a thread of its own; if the gate never opens the
     * FIFO, the test opens it for reading itself, to let that thread go, and fails.
     */
    private static OutputStream openWhenTheGateRuns(Path fifo, CompletableFuture<EventResult> gated)
            throws Exception {
        CompletableFuture<OutputStream> opened = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                opened.complete(Files.newOutputStream(fifo));
            } catch (Throwable t) {
                opened.completeExceptionally(t);
            }
        });
        try {
            return opened.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            InputStream unblock = Files.newInputStream(fifo); // a writer waits, so this open returns at once
            opened.get(10, TimeUnit.SECONDS).close();
            unblock.close();
            throw new AssertionError("the gate's handler never opened its FIFO; the gate event: " + gated, e);
        }
    }

    private static Event event(String type, Object data, int priority) {
        return Event.builder(type).mode(ExecutionMode.CORELET).data(data).priority(priority)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static CompletableFuture<EventResult> runAsync(CoreletExecutor executor, Event event) {
        executor.validate(event);
        CompletableFuture<EventResult> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                result.complete(TestAttempt.result(executor, event));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
