package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User code that a stop runs (the close of the channel the stopped thread is blocked in) never holds the watchdog. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WatchdogUserCodeTest {

    /** A channel whose close blocks until {@code release} opens: a socket whose close hangs, say. */
    static final class ChannelWhoseCloseBlocks extends AbstractInterruptibleChannel {
        private final CountDownLatch closeEntered;
        private final CountDownLatch release;

        ChannelWhoseCloseBlocks(CountDownLatch closeEntered, CountDownLatch release) {
            this.closeEntered = closeEntered;
            this.release = release;
        }

        @Override
        protected void implCloseChannel() {
            closeEntered.countDown();
            TestBuses.awaitIgnoringInterrupts(release);
        }

        /** Blocks "in an I/O operation" of this channel until the thread is interrupted. */
        void read() throws IOException, InterruptedException {
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
     * Thread.interrupt() runs the close of the interruptible channel its target is blocked in, in the interrupting
     * thread. The watchdog interrupted a timed-out attempt itself, so a close that blocked held the watchdog: no other
     * attempt of the bus timed out, and no thread that ignored its interrupt was abandoned. Both events here must
     * still time out, and their ignoring threads be replaced, while the close is still blocked.
     */
    @Test
    void aCloseThatBlocksInTheInterruptDoesNotStallOtherTimeouts() throws Exception {
        CountDownLatch closeEntered = new CountDownLatch(1);
        CountDownLatch releaseClose = new CountDownLatch(1);
        CountDownLatch releaseIgnorer = new CountDownLatch(1);
        CountDownLatch ignorerStarted = new CountDownLatch(1);
        EventFactory factory = new EventFactory();
        factory.registerEventType("blocked-in-channel", () -> (event, context) -> {
            new ChannelWhoseCloseBlocks(closeEntered, releaseClose).read();
            return EventResult.businessResult(event.id(), true, "never");
        });
        factory.registerEventType("ignores-interrupts", () -> (event, context) -> {
            ignorerStarted.countDown();
            TestBuses.awaitIgnoringInterrupts(releaseIgnorer);
            return EventResult.businessResult(event.id(), true, "too late");
        });
        RuntimeEventBus bus = TestBuses.bus(2, factory);
        try {
            // Retries: an attempt stopped before its handler began (a slow first creation of the handler) retries.
            CompletableFuture<EventResult> blocked = bus.submit(Event.builder("blocked-in-channel")
                    .mode(new ExecutionMode("thread")).timeout(Duration.ofMillis(100)).maxRetries(3).build());
            assertTrue(closeEntered.await(30, TimeUnit.SECONDS), () -> "the timed-out attempt was never interrupted: " + blocked.getNow(null));

            // The close is blocked now, in whatever thread interrupted. Another worker's event must still time out.
            CompletableFuture<EventResult> ignoring = bus.submit(Event.builder("ignores-interrupts")
                    .mode(new ExecutionMode("thread")).timeout(Duration.ofMillis(100)).maxRetries(0).build());
            assertTrue(ignorerStarted.await(30, TimeUnit.SECONDS), "the second event never ran");
            EventResult ignored = ignoring.get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, ignored.exception(), ignored::toString);
            assertEquals(1, releaseIgnorer.getCount(), "reported by a replacement, its own thread still held");

            // The blocked thread, stuck in its channel until the close returns, is abandoned after the grace too.
            EventResult timedOut = blocked.get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), timedOut::toString);
            assertEquals(1, releaseClose.getCount(), "reported while the close was still blocked");
            assertEquals(2, bus.liveWorkers(), "both held workers were replaced");
        } finally {
            releaseClose.countDown();
            releaseIgnorer.countDown();
            bus.shutdown(true);
        }
        assertTrue(bus.join(Duration.ofSeconds(30)), "an event never counted out");
    }

    /**
     * When no worker could replace an abandoned one, the watchdog completed the abandoned event itself, running the
     * future's dependent callbacks (user code) on its thread: one that blocked stalled every later timeout.
     */
    @Test
    void aBlockingCallbackOfAnEventNobodyCouldTakeOverDoesNotStallOtherTimeouts() throws Exception {
        CountDownLatch releaseStubborn = new CountDownLatch(1);
        CountDownLatch releaseCallback = new CountDownLatch(1);
        CountDownLatch callbackEntered = new CountDownLatch(1);
        CountDownLatch stubbornStarted = new CountDownLatch(1);
        EventFactory factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            stubbornStarted.countDown();
            TestBuses.awaitIgnoringInterrupts(releaseStubborn);
            return EventResult.businessResult(event.id(), true, "too late");
        });
        factory.registerEventType("waits", () -> (event, context) -> {
            new CountDownLatch(1).await(); // interruptible: ends at its timeout's interrupt
            return EventResult.businessResult(event.id(), true, "never");
        });
        EventBusConfig config = new EventBusConfig(2, 1000, factory, 1, EventBusConfig.DEFAULT_CORELET_IDLE_TIMEOUT,
                List.of(), List.of(), EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
        AtomicInteger platformStarts = new AtomicInteger();
        Consumer<Thread> noReplacements = thread -> {
            // The watchdog and the two workers start; no platform thread after them (a replacement worker, or a
            // stop's thread, whose interrupt then runs in the caller, as it did before).
            if (!thread.isVirtual() && platformStarts.incrementAndGet() > 3) {
                throw new OutOfMemoryError("unable to create native thread (simulated)");
            }
            thread.start();
        };
        RuntimeEventBus bus = new RuntimeEventBus(config, ModeRegistry.discovered(), noReplacements);
        try {
            // Retries: an attempt stopped before its handler began (a slow first creation of the handler) retries.
            CompletableFuture<EventResult> stubborn = bus.submit(Event.builder("stubborn")
                    .timeout(Duration.ofMillis(100)).maxRetries(3).build());
            CompletableFuture<EventResult> seenByCallback = new CompletableFuture<>();
            stubborn.thenAccept(result -> {
                seenByCallback.complete(result);
                callbackEntered.countDown();
                TestBuses.awaitIgnoringInterrupts(releaseCallback); // a callback that blocks
            });
            assertTrue(stubbornStarted.await(30, TimeUnit.SECONDS), "the stubborn event never ran");
            assertTrue(callbackEntered.await(30, TimeUnit.SECONDS), "the abandoned event never got its result");
            EventResult abandoned = seenByCallback.get(30, TimeUnit.SECONDS);
            assertInstanceOf(OutOfMemoryError.class, abandoned.exception(), abandoned::toString);

            // The callback is blocked now, in whatever thread completed the event. Another event must still time out.
            EventResult timedOut = bus.submit(Event.builder("waits").timeout(Duration.ofMillis(100)).maxRetries(0)
                    .build()).get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), timedOut::toString);
            assertEquals(1, releaseCallback.getCount(), "reported while the callback was still blocked");
        } finally {
            releaseCallback.countDown();
            releaseStubborn.countDown();
            bus.shutdown(true);
        }
    }
}
