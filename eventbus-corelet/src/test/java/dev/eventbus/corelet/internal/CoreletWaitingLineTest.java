package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attempts that wait for a worker of a full pool are served by priority, then in arrival order. */
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
