package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stop actions of a stopped attempt all run, whatever an earlier one throws. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StopActionsTest {

    /** An error whose toString() throws an Error: the logging backend, printing it, throws in turn. */
    static final class UnprintableLinkageError extends LinkageError {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new LinkageError("toString() fails");
        }
    }

    /**
     * A stop action that threw a VirtualMachineError (a terminate() that recursed too deep), or one whose failure could
     * not even be logged, ended the stop sequence: the actions registered after it (a CORELET or CMD mode's process
     * kill) never ran, and the timeout no longer stopped the work.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stack overflow", "unloggable error"})
    void everyStopActionRunsEvenWhenAnEarlierOneThrows(String failure) throws Exception {
        Runnable failing = switch (failure) {
            case "stack overflow" -> () -> {
                throw new StackOverflowError("terminate() recursed too deep");
            };
            default -> () -> {
                throw new UnprintableLinkageError();
            };
        };
        CountDownLatch killed = new CountDownLatch(1);
        ExecutionMode mode = new ExecutionMode("two-stop-actions");
        ExecutionModeProvider provider = TestBuses.mode(mode, (event, attempt) -> {
            attempt.onStop(failing);
            attempt.onStop(killed::countDown); // stands for the kill of the process that does the work
            new CountDownLatch(1).await(); // the work, until the timeout's interrupt
            return EventResult.businessResult(event.id(), true, "never");
        }, () -> { });
        RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new EventFactory()),
                List.of(new SyncModeProvider(), new ThreadModeProvider(), provider));
        try {
            EventResult result = bus.submit(Event.builder("work").mode(mode).timeout(Duration.ofMillis(100))
                    .maxRetries(0).build()).get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            assertTrue(killed.await(10, TimeUnit.SECONDS), "the second stop action never ran after the first threw "
                    + failure);
        } finally {
            bus.shutdown(true);
        }
    }

    /**
     * A channel whose close fails with an unchecked exception. {@code Thread.interrupt()} closes the interruptible
     * channel its target is blocked in, and what that close throws comes out of {@code interrupt()}, in the thread
     * that interrupts: here, the bus's watchdog stopping the attempt.
     */
    static final class ChannelWhoseCloseThrows extends AbstractInterruptibleChannel {
        @Override
        protected void implCloseChannel() {
            throw new IllegalStateException("the channel's close fails (simulated)");
        }

        /** Blocks "in an I/O operation" of this channel until the thread is interrupted. */
        void blockUntilInterrupted() throws IOException, InterruptedException {
            boolean completed = false;
            begin();
            try {
                new CountDownLatch(1).await();
                completed = true;
            } finally {
                end(completed);
            }
        }
    }

    /**
     * A stop interrupts the attempt's thread between two steps of its state machine (STOPPING, then STOPPED): when the
     * interrupt threw (it runs the close of the interruptible channel the handler is blocked in), the attempt stayed
     * STOPPING for ever. Its thread, back from the handler, spun in finish() for ever at full speed; the event never
     * got a result, join() hung, and a THREAD worker was lost. The stop now goes on past a failing interrupt.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void aStopWhoseInterruptThrowsStillEndsTheAttempt(String mode) throws Exception {
        EventFactory factory = TestBuses.factory("blocked-in-channel", () -> (event, context) -> {
            if ("probe".equals(event.data())) {
                return EventResult.businessResult(event.id(), true, "served");
            }
            new ChannelWhoseCloseThrows().blockUntilInterrupted();
            return EventResult.businessResult(event.id(), true, "never");
        });
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        try {
            Event event = Event.builder("blocked-in-channel").mode(new ExecutionMode(mode))
                    .timeout(Duration.ofMillis(300)).maxRetries(1).build();
            CompletableFuture<EventResult> result = new CompletableFuture<>();
            // A thread of its own: before the fix, a SYNC publisher spun for ever, deaf to the test's timeout.
            Thread.ofPlatform().daemon().start(() -> result.complete(bus.submit(event).join()));
            EventResult timedOut = result.get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), timedOut::toString);
            assertTrue(bus.join(Duration.ofSeconds(30)), "the event never counted out");
            assertEquals("served", bus.submit(Event.builder("blocked-in-channel").mode(new ExecutionMode(mode))
                    .data("probe").build()).get(30, TimeUnit.SECONDS).data());
            assertEquals(1, bus.liveWorkers());
        } finally {
            bus.shutdown(true);
        }
    }
}
