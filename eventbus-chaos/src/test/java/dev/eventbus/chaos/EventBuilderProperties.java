package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;

import java.time.Duration;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The Event builder under any int and any Duration: valid values are built as given, invalid ones are rejected with
 * an IllegalArgumentException naming the field and the value.
 */
class EventBuilderProperties {

    @Property(tries = 500)
    void priorityInsideZeroToTenIsKeptAndAnyOtherIsRejectedNamingIt(@ForAll int priority) {
        if (priority >= 0 && priority <= 10) {
            assertEquals(priority, Event.builder("t").priority(priority).build().priority());
        } else {
            rejected("priority", String.valueOf(priority), () -> Event.builder("t").priority(priority));
        }
    }

    @Property(tries = 500)
    void nonNegativeMaxRetriesIsKeptAndNegativeIsRejectedNamingIt(@ForAll int maxRetries) {
        if (maxRetries >= 0) {
            assertEquals(maxRetries, Event.builder("t").maxRetries(maxRetries).build().maxRetries());
        } else {
            rejected("maxRetries", String.valueOf(maxRetries), () -> Event.builder("t").maxRetries(maxRetries));
        }
    }

    @Property(tries = 500)
    void nonNegativeProgressStepsAreKeptAndNegativeAreRejectedNamingThem(@ForAll int steps) {
        if (steps >= 0) {
            assertEquals(steps, Event.builder("t").progressSteps(steps).build().progressSteps());
        } else {
            rejected("progressSteps", String.valueOf(steps), () -> Event.builder("t").progressSteps(steps));
        }
    }

    @Property(tries = 500)
    void positiveTimeoutIsKeptAndZeroOrNegativeIsRejectedNamingIt(@ForAll("durations") Duration timeout) {
        if (timeout.isPositive()) {
            assertEquals(timeout, Event.builder("t").timeout(timeout).build().timeout());
        } else {
            rejected("timeout", timeout.toString(), () -> Event.builder("t").timeout(timeout));
        }
    }

    @Property(tries = 300)
    void nonBlankTypeIsKeptAndBlankIsRejectedNamingIt(@ForAll("types") String type) {
        if (!type.isBlank()) {
            assertEquals(type, Event.builder(type).build().type());
        } else {
            rejected("type", "'" + type + "'", () -> Event.builder(type));
        }
    }

    /** All fields at once: valid → every value kept; otherwise the first invalid field, in call order, is named. */
    @Property(tries = 1000)
    void anyCombinationIsBuiltAsGivenOrRejectedNamingTheFirstInvalidField(@ForAll int priority,
            @ForAll int maxRetries, @ForAll int steps, @ForAll("durations") Duration timeout) {
        String firstInvalid = priority < 0 || priority > 10 ? "priority"
                : !timeout.isPositive() ? "timeout"
                : maxRetries < 0 ? "maxRetries"
                : steps < 0 ? "progressSteps" : null;
        if (firstInvalid == null) {
            Event e = Event.builder("t").priority(priority).timeout(timeout).maxRetries(maxRetries)
                    .progressSteps(steps).build();
            assertEquals(priority, e.priority());
            assertEquals(timeout, e.timeout());
            assertEquals(maxRetries, e.maxRetries());
            assertEquals(steps, e.progressSteps());
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Event.builder("t")
                    .priority(priority).timeout(timeout).maxRetries(maxRetries).progressSteps(steps).build());
            assertTrue(e.getMessage().startsWith(firstInvalid + " "), e.getMessage());
        }
    }

    @Provide
    Arbitrary<Duration> durations() {
        Arbitrary<Duration> any = Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 999_999_999))
                .as(Duration::ofSeconds);
        Arbitrary<Duration> small = Arbitraries.longs().between(-5_000_000_000L, 5_000_000_000L).map(Duration::ofNanos);
        Arbitrary<Duration> edges = Arbitraries.of(Duration.ZERO, Duration.ofNanos(1), Duration.ofNanos(-1),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofSeconds(Long.MIN_VALUE),
                Duration.ofMillis(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE));
        return Arbitraries.oneOf(any, small, edges);
    }

    @Provide
    Arbitrary<String> types() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings().withChars(" \t\n\r\u000B\f\u2003\u3000").ofMaxLength(5));
    }

    private static void rejected(String field, String value, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(field), "message must name the field " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(value), "message must quote the value " + value + ": " + e.getMessage());
    }
}
