package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.RemoteHandlerException;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CORELET through a real bus: the runtime finds the mode with ServiceLoader, retries, shuts down. */
@Timeout(120)
class CoreletBusTest {

    private final EventFactory factory = new EventFactory();

    @TempDir
    Path dir;

    @BeforeEach
    void register() {
        factory.registerEventType("primes", TestHandlers.CountPrimes.class);
        factory.registerEventType("crash-once", TestHandlers.CrashOnce.class);
        factory.registerEventType("where", TestHandlers.WhereAmI.class);
        factory.registerEventType("lambda", () -> (event, context) -> EventResult.businessResult(event.id(), true,
                null));
    }

    @AfterAll
    static void noWorkerLeft() {
        TestAttempt.assertNoChildProcessLeft();
    }

    private static Set<Long> children() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle.current().children().forEach(h -> pids.add(h.pid()));
        return pids;
    }

    private static Event.Builder corelet(String type) {
        return Event.builder(type).mode(ExecutionMode.CORELET);
    }

    @Test
    @Timeout(120)
    void aReturnedExceptionResultKeepsItsDataInEveryMode() throws Exception {
        // DESIGN.md: one model of results across modes. SYNC and THREAD kept the data of a returned result that also
        // carried an exception; CORELET's reply carried only the exception, and data() arrived null.
        factory.registerEventType("partial", TestHandlers.ReturnsExceptionWithData.class);
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET)) {
                EventResult result = bus.submit(Event.builder("partial").mode(mode).data(42).maxRetries(0).build())
                        .get(60, TimeUnit.SECONDS);
                assertEquals(List.of("partial", 42), result.data(), mode + ": " + result);
                assertEquals(false, result.success(), mode + ": " + result);
                String message = mode == ExecutionMode.CORELET
                        ? assertInstanceOf(RemoteHandlerException.class, result.exception(), result::toString)
                                .remoteMessage()
                        : assertInstanceOf(IllegalStateException.class, result.exception(), result::toString)
                                .getMessage();
                assertEquals("returned 42", message, mode.toString());
            }
        }
    }

    @Test
    @Timeout(120)
    void aReturnedExceptionResultWithUnserializableDataFailsAsUnserializableSuccessDataDoes() throws Exception {
        factory.registerEventType("partial", TestHandlers.ReturnsExceptionWithData.class);
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult result = bus.submit(corelet("partial").data("unserializable").maxRetries(0).build())
                    .get(60, TimeUnit.SECONDS);
            RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, result.exception(),
                    result::toString);
            assertEquals(IllegalStateException.class.getName(), e.remoteClassName());
            assertTrue(e.remoteMessage().contains("returned data that cannot be serialized (java.lang.Object)"),
                    e.remoteMessage());
            assertTrue(e.remoteMessage().contains("returned unserializable"), "names the handler's exception: "
                    + e.remoteMessage());
            assertEquals(null, result.data());
            // the worker is as good as after any returned result: it serves the next event
            EventResult next = bus.submit(corelet("partial").data(7).maxRetries(0).build()).get(60, TimeUnit.SECONDS);
            assertEquals(List.of("partial", 7), next.data(), next::toString);
        }
    }

    @Test
    void publishRejectsASupplierRegistrationBeforeAnythingIsQueued() {
        Set<Long> before = children();
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> bus.publish(corelet("lambda").build()));
            assertTrue(e.getMessage().contains("registered as a Supplier"), e.getMessage());
            assertTrue(bus.getResults().isEmpty());
            Set<Long> after = children();
            after.removeAll(before);
            assertEquals(Set.of(), after, "no worker started");
        }
    }

    @Test
    void dataCrossesToTheWorkerAndBackUnchangedWhateverItsEncoding() {
        factory.registerEventType("echo", TestHandlers.Echo.class);
        String unpaired = "a\uD800b";
        List<Object> values = List.of("", "plain", "ünïcödé ✓ 𝄞", unpaired, Integer.MIN_VALUE, Long.MAX_VALUE,
                -0.0d, Double.NaN, true, false, new byte[] {0, -1, 127}, new byte[0], List.of(1, "two"),
                Map.of("k", 3L));
        try (EventBus bus = EventBus.builder().factory(factory).threads(2).build()) {
            for (Object value : values) {
                EventResult result = bus.submit(Event.builder("echo").mode(ExecutionMode.CORELET).data(value).build())
                        .join();
                assertTrue(result.success(), value + ": " + result);
                Object[] reply = (Object[]) result.data();
                String shown = value instanceof byte[] bytes ? java.util.Arrays.toString(bytes) : value.toString();
                assertEquals(value.getClass().getName() + ":" + shown, reply[1], "what the worker saw");
                if (value instanceof byte[] bytes) {
                    assertArrayEquals(bytes, (byte[]) reply[0]);
                } else {
                    assertEquals(value, reply[0], "what came back");
                }
            }
        }
    }

    @Test
    void publishRejectsUnserializableDataBeforeAnythingIsQueued() {
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            Object data = List.of(new Object());
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> bus.publish(corelet("where").data(data).build()));
            assertTrue(e.getMessage().contains("class java.lang.Object is not java.io.Serializable"), e.getMessage());
            assertTrue(bus.getResults().isEmpty());
        }
    }

    @Test
    void handlerContextInTheBusNamesTheWorkersPid() throws Exception {
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult result = bus.submit(corelet("where").build()).get(60, TimeUnit.SECONDS);
            long pid = (Long) ((List<?>) result.data()).get(0);
            assertNotEquals(ProcessHandle.current().pid(), pid);
            assertEquals(ProcessHandle.current().pid(), ProcessHandle.of(pid).orElseThrow().parent().orElseThrow()
                    .pid(), "the worker is our child");
        }
    }

    @Test
    void workerCrashIsRetriedOnAFreshWorkerAndTheEventSucceeds() throws Exception {
        Path marker = dir.resolve("crashed");
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult result = bus.submit(corelet("crash-once").data(marker.toString()).maxRetries(1).build())
                    .get(60, TimeUnit.SECONDS);
            assertTrue(result.success(), result::toString);
            long crashed = Long.parseLong(Files.readString(marker));
            assertNotEquals(crashed, result.data(), "the retry ran on a fresh worker");
        }
    }

    @Test
    void handlerConstructionFailureIsRetriedWithANewConstruction() throws Exception {
        factory.registerEventType("fails-to-construct", TestHandlers.FailsToConstruct.class);
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult result = bus.submit(corelet("fails-to-construct").maxRetries(2).build())
                    .get(60, TimeUnit.SECONDS);
            RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, result.exception(),
                    result::toString);
            assertTrue(e.remoteMessage().contains("construction 3"), e.remoteMessage());
        }
    }

    @Test
    void handlerClassWhoseStaticInitializerFailsIsRetriedAsInThreadMode() throws Exception {
        // DESIGN.md: handler construction failure is an exception, retried. A failing static initializer fails the
        // first construction (ExceptionInInitializerError) and every later one (NoClassDefFoundError).
        factory.registerEventType("bad-init", TestHandlers.FailsInStaticInit.class);
        factory.registerEventType("bad-init-local", TestHandlers.FailsInStaticInitToo.class);
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult local = bus.submit(Event.builder("bad-init-local").mode(ExecutionMode.THREAD).maxRetries(1)
                    .build()).get(60, TimeUnit.SECONDS);
            assertInstanceOf(NoClassDefFoundError.class, local.exception(), "THREAD: the retry's error, "
                    + local);
            EventResult remote = bus.submit(corelet("bad-init").maxRetries(1).build()).get(60, TimeUnit.SECONDS);
            RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, remote.exception(),
                    remote::toString);
            assertEquals(NoClassDefFoundError.class.getName(), e.remoteClassName(), "CORELET: the retry's error, "
                    + e.remoteMessage());
        }
    }

    @Test
    void crashWithoutRetriesLeftIsTheFinalResult() throws Exception {
        Path marker = dir.resolve("crashed");
        try (EventBus bus = EventBus.builder().factory(factory).threads(1).build()) {
            EventResult result = bus.submit(corelet("crash-once").data(marker.toString()).maxRetries(0).build())
                    .get(60, TimeUnit.SECONDS);
            CoreletCrashedException e = assertInstanceOf(CoreletCrashedException.class, result.exception());
            assertEquals(9, e.exitCode().orElseThrow());
        }
    }

    @Test
    void cpuBoundJobsSpreadOverTheWorkersAndShutdownStopsThem() {
        int threads = 2;
        EventBus bus = EventBus.builder().factory(factory).threads(threads).build();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(bus.publish(corelet("primes").data(200_000).build()));
        }
        Map<String, EventResult> results = bus.getResults(ids);
        bus.shutdown();
        Set<Object> workers = new HashSet<>();
        for (EventResult result : results.values()) {
            List<?> data = (List<?>) result.data();
            assertEquals(17984, data.get(0), "primes below 200000");
            workers.add(data.get(1));
        }
        assertEquals(8, results.size());
        assertTrue(workers.size() <= threads, "at most one worker per thread: " + workers);
        TestAttempt.awaitTrue(Duration.ofSeconds(10), () -> workers.stream()
                .allMatch(pid -> ProcessHandle.of((Long) pid).map(h -> !h.isAlive()).orElse(true)),
                "shutdown stopped the workers " + workers);
    }

    /**
     * A cold worker's path to its first reply: in a fresh JVM the first lambda costs about 11 ms (linking the
     * metafactory), the first {@code ProcessHandle} about 17 ms and the regex engine a few more, together about a
     * fifth of a worker's cold start. The worker's class-loading log shows that it used none of them.
     */
    @Test
    @EnabledOnOs(OS.LINUX) // elsewhere the worker asks ProcessHandle for its pid: there is no /proc to read
    void aWorkerSpinsNoLambdaAndNeedsNoProcessHandleOrRegexToReply() throws Exception {
        factory.registerEventType("square", TestHandlers.Square.class);
        Path log = dir.resolve("worker-classes.log");
        try (EventBus bus = EventBus.builder().factory(factory).threads(1)
                .coreletJvmOptions(List.of("-Xlog:class+load:file=" + log)).build()) {
            EventResult result = bus.submit(corelet("square").data(7).build()).get(60, TimeUnit.SECONDS);
            assertEquals(49, result.data(), result::toString);
        } // closing the bus ends the worker, which closes its log
        List<String> loaded = Files.readAllLines(log);
        assertTrue(loaded.stream().anyMatch(line -> line.contains(" " + CoreletWorkerMain.class.getName() + " ")),
                "the log is the worker's: " + log);
        List<String> unwanted = loaded.stream()
                .filter(line -> line.contains("$$Lambda") && !line.contains("shared objects file")
                        || line.contains(" java.lang.ProcessHandleImpl ") || line.contains(" java.util.regex.Pattern "))
                .toList();
        assertEquals(List.of(), unwanted);
    }

    @Test
    void jvmOptionsReachTheWorkers() throws Exception {
        try (EventBus bus = EventBus.builder().factory(factory).threads(1)
                .coreletJvmOptions(List.of("-Xmx48m", "-Deventbus.test.flag=on")).build()) {
            EventResult result = bus.submit(corelet("where").build()).get(60, TimeUnit.SECONDS);
            long pid = (Long) ((List<?>) result.data()).get(0);
            List<String> args = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
            assertTrue(args.contains("-Xmx48m") && args.contains("-Deventbus.test.flag=on"), args.toString());
        }
    }
}
