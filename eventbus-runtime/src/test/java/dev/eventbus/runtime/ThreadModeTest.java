package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadModeTest {

    @Test
    void handlerIgnoringInterruptTimesOutOnTimeAndThePoolKeepsItsSize() throws Exception {
        int threads = 3;
        CountDownLatch release = new CountDownLatch(1);
        CyclicBarrier allWorkers = new CyclicBarrier(threads);
        var factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("meet", () -> (event, context) -> {
            allWorkers.await(20, TimeUnit.SECONDS); // needs `threads` handlers running at once
            return EventResult.businessResult(event.id(), true, context.threadId());
        });
        try (RuntimeEventBus bus = TestBuses.bus(threads, factory)) {
            long start = System.nanoTime();
            EventResult timedOut = bus.submit(Event.builder("stubborn").timeout(Duration.ofMillis(200)).maxRetries(1)
                    .build()).get(30, TimeUnit.SECONDS);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(EventTimeoutException.class, timedOut.exception(), timedOut::toString);
            assertTrue(elapsedMillis < 2 * 200 + 1000, "reported after " + elapsedMillis + " ms");

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                ids.add(bus.publish(Event.builder("meet").maxRetries(0).build()));
            }
            var results = bus.getResults(ids);
            results.values().forEach(r -> assertTrue(r.success(), "not all workers were free: " + r));
            assertEquals(threads, results.values().stream().map(EventResult::data).distinct().count());
            assertEquals(threads, bus.liveWorkers());
        } finally {
            release.countDown();
        }
    }

    /**
     * The watchdog logged a worker's abandonment after it had taken the task from it and before it started the
     * replacement: when that log call threw (a logging handler that fails, or no memory for the message), nobody
     * owned the task any more, so its event never got a result, and the pool was one worker short for good.
     */
    @Test
    void anAbandonedWorkerIsReplacedEvenWhenLoggingItsAbandonmentFails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        var factory = TestBuses.factory("stubborn", () -> (event, context) -> {
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, null);
        });
        Event event = Event.builder("stubborn").timeout(Duration.ofMillis(200)).maxRetries(0).build();
        AtomicInteger thrown = new AtomicInteger();
        // The logging backend (java.util.logging, which this module does not read: reached by reflection) fails on
        // the record of this event's abandonment, as a logging filter or handler may throw.
        Class<?> loggerClass = Class.forName("java.util.logging.Logger");
        Class<?> filterClass = Class.forName("java.util.logging.Filter");
        Object logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "dev.eventbus.runtime");
        Object previousFilter = loggerClass.getMethod("getFilter").invoke(logger);
        Object failing = Proxy.newProxyInstance(filterClass.getClassLoader(), new Class<?>[] {filterClass},
                (proxy, method, args) -> {
                    if (!method.getName().equals("isLoggable")) {
                        return method.invoke(this, args); // toString, hashCode, equals: not called by the logger
                    }
                    Object message = args[0].getClass().getMethod("getMessage").invoke(args[0]);
                    if (message instanceof String text && text.contains(event.id()) && text.contains("abandoned")) {
                        thrown.incrementAndGet();
                        throw new IllegalStateException("the logging backend fails (simulated)");
                    }
                    return true;
                });
        Method setFilter = loggerClass.getMethod("setFilter", filterClass);
        setFilter.invoke(logger, failing);
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        try {
            // Bounds a liveness property (timeout 200 ms, grace 100 ms); the result must not wait for the release.
            EventResult result = bus.submit(event).get(10, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            assertEquals(1, thrown.get(), "the abandonment was logged once, and that threw");
            assertEquals(1, bus.liveWorkers(), "the abandoned worker was replaced");
        } finally {
            setFilter.invoke(logger, previousFilter);
            release.countDown();
            bus.shutdown(true); // a graceful one would wait for ever for an event that lost its owner
        }
    }

    @Test
    void eachWorkerThreadCreatesItsHandlerOnceAndReusesIt() {
        AtomicInteger created = new AtomicInteger();
        Set<Long> threadIds = ConcurrentHashMap.newKeySet();
        try (RuntimeEventBus bus = TestBuses.bus(2, TestBuses.factory("reuse", () -> {
            created.incrementAndGet();
            return (event, context) -> {
                threadIds.add(context.threadId());
                return EventResult.businessResult(event.id(), true, null);
            };
        }))) {
            for (int i = 0; i < 200; i++) {
                bus.publish(Event.of("reuse"));
            }
            bus.join();
            assertEquals(threadIds.size(), created.get(), "one instance per thread that ran the type");
            assertTrue(created.get() <= 2);
        }
    }

    /** A type registered again runs its new handler from the next event on, also in threads that ran the old one. */
    @Test
    void aTypeRegisteredAgainRunsTheNewHandlerInThreadsThatAlreadyMadeTheOldOne() {
        var factory = TestBuses.factory("versioned", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, List.of("v1", context.threadId())));
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            String first = bus.publish(Event.of("versioned"));
            List<?> before = (List<?>) bus.getResults(List.of(first)).get(first).data();
            factory.registerEventType("versioned", () -> (event, context) ->
                    EventResult.businessResult(event.id(), true, List.of("v2", context.threadId())));
            String second = bus.publish(Event.of("versioned"));
            List<?> after = (List<?>) bus.getResults(List.of(second)).get(second).data();

            assertEquals("v1", before.get(0));
            assertEquals(before.get(1), after.get(1), "the same worker thread, which had made a v1 handler");
            assertEquals("v2", after.get(0));
        }
    }

    @Test
    void aMillionUnreadResultsKeepTheCacheAtItsCapacity() {
        int capacity = 1000;
        int events = 1_000_000;
        var factory = TestBuses.factory("tiny", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, null));
        try (RuntimeEventBus bus = (RuntimeEventBus) dev.eventbus.EventBus.builder().threads(2)
                .resultCacheSize(capacity).factory(factory).build()) {
            for (int i = 0; i < events; i++) {
                bus.publish(Event.of("tiny"));
                if (i % 1_000 == 0) { // while storing, each of the 2 workers may hold one result over
                    int size = bus.cache().sizeBetweenEvictions();
                    assertTrue(size <= capacity + 2, "cache over capacity while publishing: " + size);
                }
            }
            bus.join();
            assertEquals(capacity, bus.cache().size());
            assertEquals(events - capacity, bus.cache().evictions());
            assertEquals(0, bus.queue.size());
            System.gc();
            long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(used < 256L * 1024 * 1024, "heap after a million events: " + used / 1024 / 1024 + " MiB");
        }
    }

    /**
     * A {@code terminate()} that outlives the owner's wait for it (1 s) must not overlap the retry's {@code handle()}
     * on the same handler instance, which it did: the retry gets a new instance, in both local modes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void aTerminateThatOutlivesItsWaitNeverOverlapsTheRetryOnItsInstance(String mode) throws Exception {
        CountDownLatch endTerminate = new CountDownLatch(1);
        AtomicInteger created = new AtomicInteger();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        var factory = TestBuses.factory("slow-terminate", () -> new EventHandler() {
            final int instance = created.incrementAndGet();
            volatile boolean terminating;

            @Override
            public EventResult handle(Event event, EventContext context) throws Exception {
                calls.add("handle " + instance + (terminating ? " while terminating" : ""));
                if (instance == 1) {
                    new CountDownLatch(1).await(); // until the timeout interrupts it
                }
                return EventResult.businessResult(event.id(), true, instance);
            }

            @Override
            public void terminate(EventContext context) {
                terminating = true;
                calls.add("terminate " + instance);
                try {
                    endTerminate.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    terminating = false;
                }
            }
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            EventResult result = bus.submit(Event.builder("slow-terminate").mode(new ExecutionMode(mode))
                    .timeout(Duration.ofMillis(200)).maxRetries(1).build()).get(30, TimeUnit.SECONDS);
            assertTrue(result.success(), result::toString);
            assertEquals(2, result.data(), "the retry ran on the instance still terminating");
            assertEquals(Set.of("handle 1", "terminate 1", "handle 2"), Set.copyOf(calls));
            assertEquals(3, calls.size(), calls::toString);
        } finally {
            endTerminate.countDown();
        }
    }

    /**
     * A handler that returns a result carrying another event's id (copied from elsewhere, or a constant): the result
     * belongs to the event that ran, so it is stored and delivered under that event's id, with its outcome unchanged;
     * nothing is stored under the foreign id, where it would replace or fake another event's result.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void aResultCarryingAnotherIdIsDeliveredUnderTheEventsOwnId(String mode) throws Exception {
        IllegalStateException failure = new IllegalStateException("returned, not thrown");
        var factory = TestBuses.factory("foreign-id", () -> (event, context) -> "fail".equals(event.data())
                ? EventResult.exceptionResult("someone-else", failure)
                : EventResult.businessResult("someone-else", false, "out of stock"));
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            Event business = Event.builder("foreign-id").mode(new ExecutionMode(mode)).build();
            Event failed = Event.builder("foreign-id").mode(new ExecutionMode(mode)).data("fail").maxRetries(2).build();
            String businessId = bus.publish(business);
            String failedId = bus.publish(failed);
            EventResult submitted = bus.submit(business.toBuilder().build()).get(30, TimeUnit.SECONDS);

            var results = bus.getResults(List.of(businessId, failedId, "someone-else"));
            assertEquals(Set.of(businessId, failedId), results.keySet());
            assertEquals(EventResult.businessResult(businessId, false, "out of stock"), results.get(businessId));
            assertEquals(EventResult.exceptionResult(failedId, failure), results.get(failedId),
                    "a returned exception result is final, under the event's own id");
            assertFalse(submitted.success());
            assertEquals("out of stock", submitted.data());
            assertFalse(submitted.eventId().equals("someone-else"), submitted::toString);
            assertEquals(Set.of(), bus.getResults().keySet());
        }
    }

    /**
     * EventFactory is open to subclassing; one whose {@code createHandler} returns null (a lookup that found nothing)
     * had the thread keep that null as its handler for the type: every later event of the type, in that thread, failed
     * with a bare NullPointerException, and construction was never tried again, though a construction failure is a
     * retried failure whose retry constructs anew (DESIGN.md). Now it is such a failure, naming the factory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void aFactoryThatCreatesNoHandlerFailsTheAttemptClearlyAndTheRetryConstructsAgain(String mode) throws Exception {
        AtomicInteger creations = new AtomicInteger();
        EventFactory factory = new EventFactory() {
            @Override
            public EventHandler createHandler(String eventType) {
                return creations.incrementAndGet() == 1 ? null : super.createHandler(eventType);
            }

            @Override
            public String toString() {
                return "the flaky factory";
            }
        };
        factory.registerEventType("made", () -> (event, context) -> EventResult.businessResult(event.id(), true, "ok"));
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            EventResult failed = bus.submit(Event.builder("made").mode(new ExecutionMode(mode)).maxRetries(0).build())
                    .get(30, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, failed.exception(), failed::toString);
            assertTrue(failed.exception().getMessage().contains("the flaky factory")
                    && failed.exception().getMessage().contains("'made'"), failed.exception().getMessage());
            EventResult next = bus.submit(Event.builder("made").mode(new ExecutionMode(mode)).maxRetries(0).build())
                    .get(30, TimeUnit.SECONDS);
            assertEquals(EventResult.businessResult(next.eventId(), true, "ok"), next);
            assertEquals(2, creations.get());
        }
    }

    /**
     * A timeout is reported within the timeout and a short grace, whatever {@code terminate()} does: the owner of a
     * stopped attempt waited up to 1 s for a slow {@code terminate()} before it delivered even the final timeout, so
     * the report came after timeout + 1 s. Now the final result goes out first, and the wait (which keeps a late
     * interrupt from {@code terminate()} away from the thread's next task) comes after it. The progress tracker runs
     * as the result is delivered, in the worker: it sees whether the owner gave up waiting before that.
     */
    @Test
    void aSlowTerminateDoesNotDelayTheReportOfTheFinalTimeout() throws Exception {
        CountDownLatch endTerminate = new CountDownLatch(1);
        var factory = TestBuses.factory("slow-terminate", slowTerminate(endTerminate));
        try (LogCapture log = new LogCapture("dev.eventbus.runtime");
             RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            CompletableFuture<List<String>> loggedAtReport = new CompletableFuture<>();
            Event event = Event.builder("slow-terminate").timeout(Duration.ofMillis(100)).maxRetries(0)
                    .progressTracker(steps -> {
                        loggedAtReport.complete(log.records()); // in the worker, as the result is delivered
                        endTerminate.countDown();
                    }).progressSteps(1).build();
            EventResult result = bus.submit(event).get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            List<String> logged = loggedAtReport.get(30, TimeUnit.SECONDS);
            assertFalse(logged.stream().anyMatch(r -> r.contains(event.id())),
                    () -> "the timeout was reported only after the owner had waited for terminate() in vain: " + logged);
        } finally {
            endTerminate.countDown();
        }
    }

    /**
     * Handlers whose {@code terminate()} waits for {@code endTerminate} (up to 60 s), outliving the owner's wait for
     * it. The first instance blocks until its timeout interrupts it; later ones (a retry's, as the first is still being
     * terminated) return their instance number at once.
     */
    private static Supplier<EventHandler> slowTerminate(CountDownLatch endTerminate) {
        AtomicInteger created = new AtomicInteger();
        return () -> new EventHandler() {
            final int instance = created.incrementAndGet();

            @Override
            public EventResult handle(Event event, EventContext context) throws Exception {
                if (instance == 1) {
                    new CountDownLatch(1).await(); // until the timeout interrupts it
                }
                return EventResult.businessResult(event.id(), true, instance);
            }

            @Override
            public void terminate(EventContext context) {
                TestBuses.awaitIgnoringInterrupts(endTerminate);
            }
        };
    }

    /**
     * The owner logs a {@code terminate()} that outlives its wait; when that log call threw (a logging filter or
     * handler that fails), the retry never ran: the event ended with the logging backend's exception as its result.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void aFailingLogOfASlowTerminateDoesNotCostTheRetry(String mode) throws Exception {
        CountDownLatch endTerminate = new CountDownLatch(1);
        var factory = TestBuses.factory("slow-terminate", slowTerminate(endTerminate));
        try (LogCapture log = new LogCapture("dev.eventbus.runtime", record -> record.contains("still running"));
             RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            EventResult result = bus.submit(Event.builder("slow-terminate").mode(new ExecutionMode(mode))
                    .timeout(Duration.ofMillis(100)).maxRetries(1).build()).get(30, TimeUnit.SECONDS);
            assertEquals(EventResult.businessResult(result.eventId(), true, 2), result,
                    "the retry ran on a new instance and succeeded");
            assertEquals(1, log.records().stream().filter(r -> r.contains("still running")).count(),
                    log.records()::toString);
        } finally {
            endTerminate.countDown();
        }
    }

    /**
     * A {@code terminate()} may interrupt the thread it stops, as a handler that knows its thread would. The owner
     * clears the bus's own interrupt and then waits for {@code terminate()}; an interrupt that arrived during that wait
     * was kept: it reached the next task of the worker (and, idle, made the worker's wait for a task spin), or stayed
     * set in a SYNC caller when {@code publish} returned. The wait now absorbs it, as it belongs to the stopped attempt.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sync", "thread"})
    void anInterruptFromTerminateNeverReachesWhatTheThreadRunsNext(String mode) throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        var factory = TestBuses.factory("interrupting-terminate", () -> new EventHandler() {
            volatile Thread runner;

            @Override
            public EventResult handle(Event event, EventContext context) throws Exception {
                if ("probe".equals(event.data())) { // what the thread's next event finds
                    return EventResult.businessResult(event.id(), true, Thread.currentThread().isInterrupted());
                }
                runner = Thread.currentThread();
                handling.countDown();
                new CountDownLatch(1).await(); // until the timeout interrupts it
                return EventResult.businessResult(event.id(), true, "never");
            }

            @Override
            public void terminate(EventContext context) {
                try {
                    handling.await();
                    Thread stopped = runner;
                    // Once the owner is back and waits for this terminate() (the only timed wait on its way), the
                    // bus's own interrupt is cleared: interrupt it now.
                    assertTrue(Await.until(Duration.ofSeconds(20),
                            () -> stopped.getState() == Thread.State.TIMED_WAITING));
                    stopped.interrupt();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            Event timingOut = Event.builder("interrupting-terminate").mode(new ExecutionMode(mode))
                    .timeout(Duration.ofMillis(100)).maxRetries(0).build();
            Event probe = Event.builder("interrupting-terminate").mode(new ExecutionMode(mode)).data("probe").build();
            if (mode.equals("sync")) {
                var flags = new java.util.concurrent.CompletableFuture<List<Object>>();
                Thread.ofPlatform().start(() -> {
                    String id = bus.publish(timingOut);
                    boolean flagAfterPublish = Thread.currentThread().isInterrupted();
                    flags.complete(List.of(bus.getResults(List.of(id), false).get(id), flagAfterPublish));
                });
                List<Object> outcome = flags.get(30, TimeUnit.SECONDS);
                EventResult result = (EventResult) outcome.get(0);
                assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
                assertEquals(false, outcome.get(1), "the caller's interrupt flag is set after publish returned");
            } else {
                EventResult result = bus.submit(timingOut).get(30, TimeUnit.SECONDS);
                assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
                assertEquals(false, bus.submit(probe).get(30, TimeUnit.SECONDS).data(),
                        "the worker's next event started with the stopped attempt's interrupt");
            }
        }
    }

    /**
     * An interrupt that reaches an idle worker (user code kept a handler's thread and interrupts it later; a
     * {@code terminate()} that interrupts after the bus stopped waiting for it) stops nothing: no attempt runs. Kept,
     * it made the worker's park return at once, so the idle worker spun on a core until the next event, and that event's
     * handler started interrupted. The worker now clears it.
     */
    @Test
    void aStrayInterruptOfAnIdleWorkerIsClearedNotSpunOnNorPassedToTheNextEvent() throws Exception {
        var factory = TestBuses.factory("whoami", () -> (event, context) -> EventResult.businessResult(event.id(), true,
                "probe".equals(event.data()) ? Thread.currentThread().isInterrupted() : Thread.currentThread()));
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            Thread worker = (Thread) bus.submit(Event.of("whoami")).get(30, TimeUnit.SECONDS).data();
            worker.interrupt();

            assertTrue(Await.until(Duration.ofSeconds(20), () -> !worker.isInterrupted()),
                    "the idle worker kept the stray interrupt (and its park returned at once, for ever)");
            assertEquals(false, bus.submit(Event.of("whoami", "probe")).get(30, TimeUnit.SECONDS).data(),
                    "the next event's handler started interrupted");
        }
    }

    /** A VirtualMachineError whose toString() fails: logging it fails in the bus's own code, around the handler. */
    static final class UnprintableError extends InternalError {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new IllegalStateException("toString() fails");
        }
    }

    /** A VirtualMachineError whose toString() throws another one of its kind: every attempt to log it fails. */
    static final class RecursivelyUnprintableError extends InternalError {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new RecursivelyUnprintableError();
        }
    }

    /**
     * An error thrown by the bus's own code around a handler (here: logging the handler's VirtualMachineError fails)
     * used to escape the worker: the event got no result, join() hung for ever, and the pool lost a worker. The event
     * now gets the error as its result, and the worker serves on.
     */
    @Test
    void anErrorAroundTheHandlerBecomesTheResultAndTheWorkerServesOn() throws Exception {
        EventResult failed = failAroundTheHandlerAndServeOn(UnprintableError::new);
        assertInstanceOf(IllegalStateException.class, failed.exception(), failed::toString);
    }

    /**
     * The worker logs an error around a handler and serves on; but when logging that error failed with an Error
     * too (the logging backend prints it, and its toString() throws an Error), the log call escaped the worker
     * loop and the worker died: the pool shrank for good.
     */
    @Test
    void aWorkerServesOnEvenWhenLoggingTheErrorAroundTheHandlerFails() throws Exception {
        failAroundTheHandlerAndServeOn(RecursivelyUnprintableError::new);
    }

    /**
     * A replacement worker runs the retry of the event it took over outside the loop that contains an error around a
     * handler: such an error (here: logging the handler's VirtualMachineError fails) escaped the replacement, which
     * died, and the pool shrank for good although the event got its result. Now the replacement serves on.
     */
    @Test
    void aReplacementWorkerServesOnAfterAnErrorAroundTheRetryItTookOver() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        var factory = TestBuses.factory("stubborn-then-unprintable", () -> (event, context) -> {
            if (calls.incrementAndGet() > 1) {
                throw new UnprintableError(); // the retry, in the replacement worker
            }
            TestBuses.awaitIgnoringInterrupts(release); // the bus must abandon (and replace) this worker
            return EventResult.businessResult(event.id(), true, null);
        });
        factory.registerEventType("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, context.threadId()));
        RuntimeEventBus bus = TestBuses.bus(1, factory);
        try {
            EventResult failed = bus.submit(Event.builder("stubborn-then-unprintable").timeout(Duration.ofMillis(200))
                    .maxRetries(1).build()).get(10, TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, failed.exception(), failed::toString);
            assertEquals(2, calls.get());
            assertTrue(bus.submit(Event.of("ok")).get(10, TimeUnit.SECONDS).success(), "the pool lost its worker");
            assertEquals(1, bus.liveWorkers());
        } finally {
            release.countDown();
            bus.shutdown(true);
        }
    }

    /**
     * Runs one event whose handler throws the given error on a one-worker bus, checks that the event failed and
     * counted out and that the same worker serves the next event; returns the failed event's result.
     */
    private static EventResult failAroundTheHandlerAndServeOn(Supplier<Error> error) throws Exception {
        var factory = TestBuses.factory("unprintable", () -> (event, context) -> {
            throw error.get();
        });
        factory.registerEventType("ok", () -> (event, context) ->
                EventResult.businessResult(event.id(), true, context.threadId()));
        try (RuntimeEventBus bus = TestBuses.bus(1, factory)) {
            Object worker = bus.submit(Event.of("ok")).get(10, TimeUnit.SECONDS).data();
            EventResult failed = bus.submit(Event.builder("unprintable").maxRetries(0).build())
                    .get(10, TimeUnit.SECONDS);
            assertFalse(failed.success());
            assertTrue(bus.join(Duration.ofSeconds(10)), "the failed event never counted out");
            assertEquals(worker, bus.submit(Event.of("ok")).get(10, TimeUnit.SECONDS).data(),
                    "the same worker serves on");
            assertEquals(1, bus.liveWorkers());
            return failed;
        }
    }
}
