package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventBusShutdownException;
import dev.eventbus.EventCancelledException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ExecutionModeProvider;
import dev.eventbus.spi.ModeExecutor;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LifecycleTest {

    private static final java.util.function.Supplier<dev.eventbus.EventHandler> OK = () -> (event, context) ->
            EventResult.businessResult(event.id(), true, null);

    @Test
    void noThreadOfTheBusIsLeftAfterShutdown() {
        RuntimeEventBus bus = TestBuses.bus(4, TestBuses.factory("ok", OK));
        for (int i = 0; i < 100; i++) {
            bus.publish(Event.of("ok"));
        }
        assertFalse(TestBuses.threadsOf(bus).isEmpty());
        bus.shutdown();
        assertEquals(Set.of(), TestBuses.threadsOf(bus));
        assertTrue(bus.isTerminated());
    }

    @Test
    void noThreadIsLeftAfterAnImmediateShutdownWithWorkRunning() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        RuntimeEventBus bus = TestBuses.bus(2, TestBuses.factory("wait", () -> (event, context) -> {
            started.countDown();
            new CountDownLatch(1).await(); // interruptible, never released
            return EventResult.businessResult(event.id(), true, null);
        }));
        for (int i = 0; i < 10; i++) {
            bus.publish(Event.of("wait"));
        }
        assertTrue(started.await(10, TimeUnit.SECONDS));
        bus.shutdown(true);
        assertEquals(Set.of(), TestBuses.threadsOf(bus));
    }

    @Test
    void shutdownIsIdempotentAndCloseIsShutdown() {
        RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("ok", OK));
        bus.close();
        bus.close();
        bus.shutdown(true);
        bus.shutdown();
        assertTrue(bus.isShutdown());
        assertThrows(EventBusShutdownException.class, () -> bus.submit(Event.of("ok")));
    }

    /**
     * A graceful shutdown whose caller is interrupted while it waits for the queued events turns immediate, as
     * {@code ExecutorService.close()} does: the queued and running events are cancelled, and the flag stays set.
     */
    @Test
    void aGracefulShutdownWhoseCallerIsInterruptedCancelsWhatIsLeft() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        EventFactory factory = TestBuses.factory("ok", OK);
        factory.registerEventType("block", () -> (event, context) -> {
            started.countDown();
            never.await(); // interruptible: only a stop ends it
            return EventResult.businessResult(event.id(), true, null);
        });
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        var running = bus.submit(Event.builder("block").maxRetries(0).build());
        assertTrue(started.await(30, TimeUnit.SECONDS));
        var queued = bus.submit(Event.of("ok")); // behind it on the one worker
        assertEquals(Boolean.TRUE, shutdownFromAnInterruptedThread(bus),
                "shutdown returned, with the caller's interrupt kept");
        assertInstanceOf(EventCancelledException.class, queued.get(30, TimeUnit.SECONDS).exception());
        assertInstanceOf(EventCancelledException.class, running.get(30, TimeUnit.SECONDS).exception());
        assertTrue(bus.isTerminated());
    }

    /**
     * The interrupt that turns a graceful shutdown immediate stays set, and it used to cut the bounded wait for the
     * workers short at once: the watchdog was stopped before the grace of the stop it had just sent, so a running
     * handler that ignores its stop was never abandoned, and its event got no result until the handler chose to return
     * (a join waited as long). Now the wait for the workers ignores the interrupt (still bounded), and the event is
     * cancelled by the replacement worker.
     */
    @Test
    void anInterruptedShutdownStillAbandonsAHandlerThatIgnoresItsStop() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EventFactory factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            started.countDown();
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, "released");
        });
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        try {
            var running = bus.submit(Event.builder("stubborn").maxRetries(0).build());
            assertTrue(started.await(30, TimeUnit.SECONDS));
            assertEquals(Boolean.TRUE, shutdownFromAnInterruptedThread(bus),
                    "shutdown returned, with the caller's interrupt kept");
            // Bounds a liveness property (the grace is 100 ms); the result must not wait for the release below.
            EventResult result = running.get(10, TimeUnit.SECONDS);
            assertInstanceOf(EventCancelledException.class, result.exception(), result::toString);
            assertTrue(bus.isTerminated());
        } finally {
            release.countDown();
        }
    }

    @Test
    void defaultBusIsOneLiveInstanceAndIsRecreatedAfterShutdown() {
        EventBus first = EventBus.getDefault();
        assertSame(first, EventBus.getDefault());
        IllegalStateException installed = assertThrows(IllegalStateException.class,
                () -> EventBus.builder().threads(1).installDefault());
        assertTrue(installed.getMessage().contains("already installed"), installed.getMessage());
        first.shutdown();
        EventBus second = EventBus.getDefault();
        assertNotSame(first, second);
        assertFalse(second.isShutdown());
        second.shutdown();
        EventBus custom = EventBus.builder().threads(1).installDefault();
        try {
            assertSame(custom, EventBus.getDefault());
            assertEquals(1, custom.threads());
        } finally {
            custom.shutdown();
        }
    }

    @RepeatedTest(20)
    void shutdownRacingPublishersLosesNoAcceptedEvent() throws Exception {
        int publishers = 3;
        RuntimeEventBus bus = (RuntimeEventBus) EventBus.builder().threads(2).resultCacheSize(10_000_000)
                .factory(TestBuses.factory("ok", OK)).build();
        CyclicBarrier start = new CyclicBarrier(publishers + 1);
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<Future<List<String>>> accepted = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                final int mode = p;
                accepted.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<String> ids = new ArrayList<>();
                    while (true) {
                        Event event = Event.builder("ok")
                                .mode(mode == 0 ? ExecutionMode.SYNC : ExecutionMode.THREAD).build();
                        try {
                            ids.add(bus.publish(event));
                        } catch (EventBusShutdownException refused) {
                            return ids;
                        }
                    }
                }));
            }
            start.await(10, TimeUnit.SECONDS);
            while (bus.cache().size() < 100) {
                Thread.onSpinWait();
            }
            bus.shutdown(); // graceful: every accepted event must be run
            Set<String> ids = new HashSet<>();
            for (Future<List<String>> f : accepted) {
                ids.addAll(f.get(30, TimeUnit.SECONDS));
            }
            Map<String, EventResult> results = bus.getResults(ids, false);
            assertEquals(ids.size(), results.size(), "accepted events without a result");
            results.values().forEach(r -> assertTrue(r.success(), r::toString));
        } finally {
            pool.shutdownNow();
        }
    }

    @RepeatedTest(20)
    void immediateShutdownRacingPublishersGivesEveryAcceptedEventOneResult() throws Exception {
        RuntimeEventBus bus = (RuntimeEventBus) EventBus.builder().threads(2).resultCacheSize(10_000_000)
                .factory(TestBuses.factory("ok", OK)).build();
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<List<String>> accepted = new AtomicReference<>();
        Thread publisher = Thread.ofPlatform().start(() -> {
            List<String> ids = new ArrayList<>();
            try {
                start.await(10, TimeUnit.SECONDS);
                while (true) {
                    ids.add(bus.publish(Event.of("ok")));
                }
            } catch (EventBusShutdownException refused) {
                accepted.set(ids);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        start.await(10, TimeUnit.SECONDS);
        while (bus.cache().size() < 50) {
            Thread.onSpinWait();
        }
        bus.shutdown(true);
        publisher.join(TimeUnit.SECONDS.toMillis(30));
        List<String> ids = accepted.get();
        Map<String, EventResult> results = bus.getResults(ids, false);
        assertEquals(ids.size(), results.size(), "accepted events without a result");
        for (EventResult r : results.values()) {
            assertTrue(r.success() || r.exception() instanceof dev.eventbus.EventCancelledException, r::toString);
        }
    }

    @Test
    void handlerCanShutDownItsOwnBusWithoutHanging() throws Exception {
        AtomicReference<EventBus> self = new AtomicReference<>();
        CountDownLatch returned = new CountDownLatch(1);
        RuntimeEventBus bus = TestBuses.bus(1, TestBuses.factory("stop", () -> (event, context) -> {
            self.get().shutdown();
            returned.countDown();
            return EventResult.businessResult(event.id(), true, null);
        }));
        self.set(bus);
        String id = bus.publish(Event.of("stop"));
        assertTrue(returned.await(10, TimeUnit.SECONDS), "shutdown() from a handler must not wait for itself");
        bus.shutdown(); // from outside: waits for the background termination
        assertTrue(bus.getResults(List.of(id), false).get(id).success());
        assertInstanceOf(EventBusShutdownException.class,
                assertThrows(EventBusShutdownException.class, () -> bus.publish(Event.of("stop"))));
    }

    /**
     * A shut-down bus is garbage once its user drops it, even if a thread that published SYNC events to it lives on
     * and its handler refers to the bus (as one that publishes follow-ups does): the thread's state for the bus used to
     * hold the handler, and the handler the bus, from that thread's thread-local map.
     */
    @Test
    void aShutDownBusIsNotKeptReachableByAThreadThatPublishedToIt() {
        WeakReference<RuntimeEventBus> bus = publishSyncToABusItsHandlerRefersToAndShutItDown();
        for (int i = 0; i < 20 && bus.get() != null; i++) {
            System.gc();
        }
        assertNull(bus.get(), "the shut-down bus is still reachable");
    }

    private static WeakReference<RuntimeEventBus> publishSyncToABusItsHandlerRefersToAndShutItDown() {
        AtomicReference<EventBus> busRef = new AtomicReference<>();
        EventFactory factory = new EventFactory();
        factory.registerEventType("t", () -> {
            EventBus mine = busRef.get();
            return (event, context) -> EventResult.businessResult(event.id(), true, mine.isShutdown());
        });
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        busRef.set(bus);
        String id = bus.publish(Event.builder("t").mode(ExecutionMode.SYNC).build());
        assertEquals(false, bus.getResults(List.of(id), false).get(id).data());
        bus.shutdown();
        assertTrue(bus.isTerminated());
        busRef.set(null);
        return new WeakReference<>(bus);
    }

    /**
     * An event accepted just before an immediate shutdown, but queued only after the shutdown gave up waiting for it
     * and closed the queue, is cancelled: it used to sit in the closed queue with no worker left, its future never
     * completed. The mode's executor holds the publisher in that window.
     */
    @Test
    void anEventQueuedAfterAnImmediateShutdownClosedTheQueueIsCancelledNotStranded() throws Exception {
        CountDownLatch inWindow = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutionMode stalling = new ExecutionMode("stalling");
        ExecutionModeProvider stallingMode = new ExecutionModeProvider() {
            @Override
            public ExecutionMode mode() {
                return stalling;
            }

            @Override
            public ModeExecutor create(EventBusConfig config) {
                return new ModeExecutor() {
                    @Override
                    public boolean runsInPublishingThread() {
                        // asked after the event passed the shutdown gate, before it is queued
                        inWindow.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return false;
                    }

                    @Override
                    public void validate(Event event) {
                    }

                    @Override
                    public EventResult execute(Event event, Attempt attempt) {
                        return EventResult.businessResult(event.id(), true, "ran");
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
        RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new EventFactory()),
                List.of(new SyncModeProvider(), new ThreadModeProvider(), stallingMode));
        ExecutorService publisher = Executors.newSingleThreadExecutor();
        try {
            Future<java.util.concurrent.CompletableFuture<EventResult>> submitted =
                    publisher.submit(() -> bus.submit(Event.builder("late").mode(stalling).build()));
            assertTrue(inWindow.await(30, TimeUnit.SECONDS));
            bus.shutdown(true); // waits for the accepted event in vain, then closes the queue and stops the workers
            assertTrue(bus.isTerminated());
            release.countDown();
            EventResult result = submitted.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventCancelledException.class, result.exception(), String.valueOf(result));
        } finally {
            release.countDown();
            publisher.shutdownNow();
        }
    }

    /**
     * A mode plugin whose close() throws an Error (a class it needs is missing, say) escaped ModeRegistry.closeAll:
     * the modes after it were never closed (their threads and processes leaked) and the watchdog never stopped.
     */
    @Test
    void aPluginWhoseCloseThrowsAnErrorStillLetsShutdownCloseTheRestAndStopTheWatchdog() throws Exception {
        CountDownLatch closed = new CountDownLatch(2);
        List<ExecutionModeProvider> plugins = new ArrayList<>();
        for (String name : List.of("broken-close-a", "broken-close-b")) {
            plugins.add(TestBuses.succeedingMode(name, () -> {
                closed.countDown();
                throw new NoClassDefFoundError("close() needs a class that is missing");
            }));
        }
        List<ExecutionModeProvider> providers = new ArrayList<>(List.of(new SyncModeProvider(),
                new ThreadModeProvider()));
        providers.addAll(plugins);
        RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new EventFactory()), providers);
        for (ExecutionModeProvider plugin : plugins) {
            assertTrue(bus.submit(Event.builder("x").mode(plugin.mode()).build()).get(30, TimeUnit.SECONDS).success());
        }
        bus.shutdown(); // the plugins' errors are logged, not thrown
        assertTrue(bus.isTerminated());
        assertEquals(0, closed.getCount(), "a mode after the failing one was never closed");
        bus.watchdog().thread().join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(bus.watchdog().thread().isAlive(), "the watchdog was never stopped");
    }

    /**
     * When no thread could be started for a stop's actions, {@code stop()} threw after it had marked the attempt
     * stopped: the watchdog never checked it after the grace, so a worker whose handler ignores the interrupt was never
     * abandoned nor replaced (the pool shrank), and its event got no result. Now the stop goes on without its actions.
     */
    @Test
    void whenNoThreadCanRunAStopsActionsAStubbornWorkerIsStillAbandonedAndReplaced() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventFactory factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, null);
        });
        EventBusConfig config = new EventBusConfig(1, 1000, factory, 1, EventBusConfig.DEFAULT_CORELET_IDLE_TIMEOUT,
                List.of(), List.of(), EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
        Consumer<Thread> noVirtualThreads = thread -> {
            if (thread.isVirtual()) { // the stop actions' thread
                throw new OutOfMemoryError("unable to create native thread (simulated)");
            }
            thread.start();
        };
        RuntimeEventBus bus = new RuntimeEventBus(config, ModeRegistry.discovered(), noVirtualThreads);
        try {
            // Bounds a liveness property (timeout 200 ms, grace 100 ms); the result must not wait for the release.
            EventResult result = bus.submit(Event.builder("stubborn").timeout(Duration.ofMillis(200))
                    .maxRetries(0).build()).get(10, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            assertEquals(1, bus.liveWorkers(), "the abandoned worker was replaced");
        } finally {
            release.countDown();
            bus.shutdown();
        }
    }

    /** Starts threads as the JVM does until the system allows no more: the given start fails like it would. */
    private static Consumer<Thread> failingFrom(int failingStart, List<Thread> started) {
        AtomicInteger starts = new AtomicInteger();
        return thread -> {
            if (starts.incrementAndGet() >= failingStart) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource"
                        + " limits reached (simulated)");
            }
            thread.start();
            started.add(thread);
        };
    }

    /**
     * A bus whose construction fails because no more threads can be started stops the threads it did start: the
     * watchdog and the first worker used to wait for ever, with no bus left to shut them down.
     */
    @Test
    void aBusThatCannotStartItsThreadsStopsThoseItStarted() throws Exception {
        List<Thread> started = new CopyOnWriteArrayList<>();
        EventBusConfig config = EventBusConfig.defaults(new EventFactory()); // a watchdog and 2 workers on 2 cores
        assertThrows(OutOfMemoryError.class, () -> new RuntimeEventBus(config, ModeRegistry.discovered(),
                failingFrom(3, started)));
        assertEquals(2, started.size(), "the watchdog and one worker");
        for (Thread thread : started) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), thread.getName() + " is still running");
        }
    }

    /**
     * When no thread can replace a worker abandoned by its stubborn handler, the watchdog used to die with the error
     * (no timeout was enforced any more) and the abandoned event never got a result (join hung). Now the event gets
     * the error as its result and the watchdog goes on timing the rest.
     */
    @Test
    void whenNoThreadCanReplaceAnAbandonedWorkerItsEventGetsTheErrorAndTimeoutsStillWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventFactory factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("waits", () -> (event, context) -> {
            release.await(); // interruptible: times out normally
            return EventResult.businessResult(event.id(), true, null);
        });
        EventBusConfig config = new EventBusConfig(1, 1000, factory, 1, EventBusConfig.DEFAULT_CORELET_IDLE_TIMEOUT,
                List.of(), List.of(), EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
        List<Thread> started = new CopyOnWriteArrayList<>();
        RuntimeEventBus bus = new RuntimeEventBus(config, ModeRegistry.discovered(), failingFrom(3, started));
        try {
            EventResult abandoned = bus.submit(Event.builder("stubborn").timeout(Duration.ofMillis(200))
                    .maxRetries(0).build()).get(10, TimeUnit.SECONDS);
            assertInstanceOf(OutOfMemoryError.class, abandoned.exception(), abandoned::toString);
            assertTrue(bus.join(Duration.ofSeconds(10)));
            assertEquals(0, bus.liveWorkers(), "the pool is one worker short");

            EventResult timedOut = bus.submit(Event.builder("waits").mode(ExecutionMode.SYNC)
                    .timeout(Duration.ofMillis(100)).maxRetries(0).build()).get(10, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), "the watchdog stopped: " + timedOut);
            assertTrue(bus.watchdog().thread().isAlive());
        } finally {
            release.countDown();
            bus.shutdown();
        }
    }

    /**
     * Calls {@code shutdown()} from a thread whose interrupt is set; returns whether the flag was still set when it
     * returned, or null if it did not return within 30 s.
     */
    private static Boolean shutdownFromAnInterruptedThread(RuntimeEventBus bus) throws InterruptedException {
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            bus.shutdown();
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        caller.join(TimeUnit.SECONDS.toMillis(30));
        return flagAfter.get();
    }
}
