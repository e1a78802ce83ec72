package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for the corelet module's handling of durations that the builders accept (any positive Duration)
 * but that overflow {@code toMillis()}/{@code toNanos()}. Found by {@link ValidEventProperties}; the corelet module
 * now caps durations before its arithmetic.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CoreletDurationRegressionTest {

    private static EventResult runSucceedingCoreletEvent(Duration timeout, Duration idleTimeout) throws Exception {
        Path dir = Files.createTempDirectory("eventbus-chaos-duration-");
        EventFactory factory = new EventFactory();
        factory.registerEventType(ChaosRun.TYPE, ChaosHandler.class);
        EventBus bus = EventBus.builder().threads(1).coreletPoolSize(1).factory(factory).coreletIdleTimeout(idleTimeout)
                .coreletJvmOptions(List.of("-Xmx48m", "-XX:TieredStopAtLevel=1")).build();
        try {
            Event event = Event.builder(ChaosRun.TYPE).mode(ExecutionMode.CORELET).maxRetries(0).timeout(timeout)
                    .data(new Script(Behaviour.SUCCEED, 0, dir.toString(), dir.toString(), 0)).build();
            return bus.submit(event).get(60, TimeUnit.SECONDS);
        } finally {
            bus.shutdown();
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void coreletEventWithTheLargestTimeoutRunsInsteadOfFailingWithLongOverflow() throws Exception {
        for (Duration timeout : new Duration[] {Duration.ofNanos(Long.MAX_VALUE).plusNanos(1),
                Duration.ofDays(365L * 1000), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)}) {
            EventResult result = runSucceedingCoreletEvent(timeout, Duration.ofMinutes(10));
            assertNull(result.exception(), "timeout " + timeout + ": " + result);
            assertTrue(result.success(), result.toString());
        }
    }

    @Test
    void coreletBusWithTheLargestIdleTimeoutRunsEvents() throws Exception {
        EventResult result = runSucceedingCoreletEvent(Duration.ofSeconds(30),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
        assertNull(result.exception(), result.toString());
        assertTrue(result.success(), result.toString());
    }
}
