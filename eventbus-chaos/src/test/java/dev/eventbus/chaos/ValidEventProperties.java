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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever the builder accepts must run: an event with any valid priority, retries and timeout (up to the largest
 * Duration) succeeds in every mode when its handler or command succeeds, in exactly one attempt. Seeded random cases
 * ({@link RandomCases}): every mode with every edge timeout first, then the modes in turn with random values.
 */
class ValidEventProperties {

    private static EventBus bus;
    private static Path dir;

    @BeforeAll
    static void startBus() throws IOException {
        dir = Files.createTempDirectory("eventbus-chaos-valid-");
        EventFactory factory = new EventFactory();
        factory.registerEventType(ChaosRun.TYPE, ChaosHandler.class);
        bus = EventBus.builder().threads(2).coreletPoolSize(1).factory(factory)
                .coreletJvmOptions(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")).build();
    }

    @AfterAll
    static void stopBus() throws IOException {
        bus.shutdown();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private static final List<ExecutionMode> MODES = List.of(ExecutionMode.SYNC, ExecutionMode.THREAD,
            ExecutionMode.CORELET, ExecutionMode.CMD);
    private static final List<Duration> TIMEOUT_EDGES = List.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
            Duration.ofMillis(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE), Duration.ofDays(365 * 100),
            Duration.ofSeconds(30));

    record Sample(ExecutionMode mode, int priority, int maxRetries, Duration timeout) {
    }

    @Test
    void anyValidEventWhoseHandlerSucceedsSucceedsInOneAttemptInEveryMode() {
        RandomCases.forAll("valid event", 40, ValidEventProperties::sample, c -> {
            ExecutionMode mode = c.mode();
            Duration timeout = c.timeout();
            String id = java.util.UUID.randomUUID().toString();
            Object data = mode == ExecutionMode.CMD
                    ? CmdRequest.builder("sh").args("-c", "echo $$ >> \"$1\"", "valid", dir.resolve(id).toString())
                            .build()
                    : new Script(Behaviour.SUCCEED, 0, dir.toString(), dir.toString(), 0);
            Event event = Event.builder(mode == ExecutionMode.CMD ? "valid-cmd" : ChaosRun.TYPE).id(id).mode(mode)
                    .data(data).priority(c.priority()).maxRetries(c.maxRetries()).timeout(timeout).build();
            EventResult result = bus.submit(event).get(60, TimeUnit.SECONDS);
            assertNull(result.exception(), mode + " with timeout " + timeout + ": " + result);
            assertTrue(result.success(), result.toString());
            assertEquals(1, Attempts.count(dir.toString(), id), "exactly one attempt");
        });
    }

    /** Cases 0-19: each mode with each edge timeout; then the modes in turn with random values. */
    private static Sample sample(RandomCases.Draw d) {
        ExecutionMode mode = MODES.get(d.index % MODES.size());
        int priority = d.withEdges(List.of(0, 10), () -> d.between(0, 10));
        int maxRetries = d.withEdges(List.of(0, 1000), () -> d.between(0, 1000));
        Duration timeout = d.index < MODES.size() * TIMEOUT_EDGES.size() ? TIMEOUT_EDGES.get(d.index / MODES.size())
                : longTimeout(d);
        return new Sample(mode, priority, maxRetries, timeout);
    }

    /** Timeouts a quick handler never reaches: 30 s up to the largest Duration (moderate 3 in 5, an edge 1 in 5). */
    private static Duration longTimeout(RandomCases.Draw d) {
        return switch (d.weighted(3, 1, 1)) {
            case 0 -> Duration.ofSeconds(d.between(30, 200L * 365 * 24 * 3600));
            case 1 -> Duration.ofSeconds(d.between(30, Long.MAX_VALUE), d.between(0, 999_999_999));
            default -> d.of(TIMEOUT_EDGES);
        };
    }
}
