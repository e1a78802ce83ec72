package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.cmd.CmdRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever the builder accepts must run: an event with any valid priority, retries and timeout (up to the largest
 * Duration) succeeds in every mode when its handler or command succeeds, in exactly one attempt.
 */
class ValidEventProperties {

    private static EventBus bus;
    private static Path dir;

    @BeforeContainer
    static void startBus() throws IOException {
        dir = Files.createTempDirectory("eventbus-chaos-valid-");
        EventFactory factory = new EventFactory();
        factory.registerEventType(ChaosRun.TYPE, ChaosHandler.class);
        bus = EventBus.builder().threads(2).coreletPoolSize(1).factory(factory)
                .coreletJvmOptions(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")).build();
    }

    @AfterContainer
    static void stopBus() throws IOException {
        bus.shutdown();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Property(tries = 40)
    void anyValidEventWhoseHandlerSucceedsSucceedsInOneAttemptInEveryMode(@ForAll("modes") ExecutionMode mode,
            @ForAll @IntRange(min = 0, max = 10) int priority, @ForAll @IntRange(min = 0, max = 1000) int maxRetries,
            @ForAll("longTimeouts") Duration timeout) throws Exception {
        if (mode == ExecutionMode.CORELET && timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
            // DEFECT (reported): CoreletDurationRegressionTest.coreletEventWithTheLargestTimeoutRunsInsteadOfFailing...
            Statistics.label("known defects").collect("CORELET timeout above Long.MAX_VALUE ns");
            return;
        }
        Statistics.collect(mode);
        String id = java.util.UUID.randomUUID().toString();
        Object data = mode == ExecutionMode.CMD
                ? CmdRequest.builder("sh").args("-c", "echo $$ >> \"$1\"", "valid", dir.resolve(id).toString()).build()
                : new Script(Behaviour.SUCCEED, 0, dir.toString(), dir.toString(), 0);
        Event event = Event.builder(mode == ExecutionMode.CMD ? "valid-cmd" : ChaosRun.TYPE).id(id).mode(mode)
                .data(data).priority(priority).maxRetries(maxRetries).timeout(timeout).build();
        EventResult result = bus.submit(event).get(60, TimeUnit.SECONDS);
        assertNull(result.exception(), mode + " with timeout " + timeout + ": " + result);
        assertTrue(result.success(), result.toString());
        assertEquals(1, Attempts.count(dir.toString(), id), "exactly one attempt");
    }

    @Provide
    Arbitrary<ExecutionMode> modes() {
        return Arbitraries.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET, ExecutionMode.CMD);
    }

    /** Timeouts a quick handler never reaches: 30 s up to the largest Duration. */
    @Provide
    Arbitrary<Duration> longTimeouts() {
        Arbitrary<Duration> any = Combinators.combine(Arbitraries.longs().between(30, Long.MAX_VALUE),
                Arbitraries.integers().between(0, 999_999_999)).as(Duration::ofSeconds);
        Arbitrary<Duration> moderate = Arbitraries.longs().between(30, 200L * 365 * 24 * 3600).map(Duration::ofSeconds);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, moderate), net.jqwik.api.Tuple.of(1, any),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                        Duration.ofMillis(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE),
                        Duration.ofDays(365 * 100))));
    }
}
