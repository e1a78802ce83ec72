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

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
}
