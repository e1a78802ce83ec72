package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The Event builder under any int and any Duration: valid values are built as given, invalid ones are rejected with
 * an IllegalArgumentException naming the field and the value. Seeded random cases ({@link RandomCases}), every edge
 * value first.
 */
class EventBuilderProperties {

    private static final List<Duration> DURATION_EDGES = List.of(Duration.ZERO, Duration.ofNanos(1),
            Duration.ofNanos(-1), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), Duration.ofSeconds(Long.MIN_VALUE),
            Duration.ofMillis(Long.MAX_VALUE), Duration.ofNanos(Long.MAX_VALUE), Duration.ofNanos(Long.MIN_VALUE),
            Duration.ofSeconds(-1), Duration.ofSeconds(1));
    private static final List<String> TYPE_EDGES = List.of("", " ", "\t", "\n", "\u2003", "\u3000", " \t\r\n\u000B\f",
            "a", " a ", "\0");

    @Test
    void priorityInsideZeroToTenIsKeptAndAnyOtherIsRejectedNamingIt() {
        RandomCases.forAll("priority", 500, RandomCases.Draw::anyInt, priority -> {
            if (priority >= 0 && priority <= 10) {
                assertEquals(priority, Event.builder("t").priority(priority).build().priority());
            } else {
                rejected("priority", String.valueOf(priority), () -> Event.builder("t").priority(priority));
            }
        });
    }

    @Test
    void nonNegativeMaxRetriesIsKeptAndNegativeIsRejectedNamingIt() {
        RandomCases.forAll("maxRetries", 500, RandomCases.Draw::anyInt, maxRetries -> {
            if (maxRetries >= 0) {
                assertEquals(maxRetries, Event.builder("t").maxRetries(maxRetries).build().maxRetries());
            } else {
                rejected("maxRetries", String.valueOf(maxRetries), () -> Event.builder("t").maxRetries(maxRetries));
            }
        });
    }

    @Test
    void nonNegativeProgressStepsAreKeptAndNegativeAreRejectedNamingThem() {
        RandomCases.forAll("progressSteps", 500, RandomCases.Draw::anyInt, steps -> {
            if (steps >= 0) {
                assertEquals(steps, Event.builder("t").progressSteps(steps).build().progressSteps());
            } else {
                rejected("progressSteps", String.valueOf(steps), () -> Event.builder("t").progressSteps(steps));
            }
        });
    }

    @Test
    void positiveTimeoutIsKeptAndZeroOrNegativeIsRejectedNamingIt() {
        RandomCases.forAll("timeout", 500, EventBuilderProperties::duration, timeout -> {
            if (timeout.isPositive()) {
                assertEquals(timeout, Event.builder("t").timeout(timeout).build().timeout());
            } else {
                rejected("timeout", timeout.toString(), () -> Event.builder("t").timeout(timeout));
            }
        });
    }

    @Test
    void nonBlankTypeIsKeptAndBlankIsRejectedNamingIt() {
        RandomCases.forAll("type", 300, EventBuilderProperties::type, type -> {
            if (!type.isBlank()) {
                assertEquals(type, Event.builder(type).build().type());
            } else {
                rejected("type", "'" + type + "'", () -> Event.builder(type));
            }
        });
    }

    record Fields(int priority, int maxRetries, int steps, Duration timeout) {
    }

    /** All fields at once: valid → every value kept; otherwise the first invalid field, in call order, is named. */
    @Test
    void anyCombinationIsBuiltAsGivenOrRejectedNamingTheFirstInvalidField() {
        RandomCases.forAll("all fields", 1000,
                d -> new Fields(d.anyInt(), d.someInt(), d.someInt(), duration(d)), f -> {
                    int priority = f.priority();
                    int maxRetries = f.maxRetries();
                    int steps = f.steps();
                    Duration timeout = f.timeout();
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
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Event
                                .builder("t").priority(priority).timeout(timeout).maxRetries(maxRetries)
                                .progressSteps(steps).build());
                        assertTrue(e.getMessage().startsWith(firstInvalid + " "), e.getMessage());
                    }
                });
    }

    /** Any Duration: the edges first, then any seconds with any nanos, or a few seconds either side of zero. */
    private static Duration duration(RandomCases.Draw d) {
        return d.withEdges(DURATION_EDGES, () -> d.nextBoolean()
                ? Duration.ofSeconds(d.between(Long.MIN_VALUE, Long.MAX_VALUE), d.between(0, 999_999_999))
                : Duration.ofNanos(d.between(-5_000_000_000L, 5_000_000_000L)));
    }

    /** Any string up to 20 chars, or whitespace only (up to 5 chars): the edges first. */
    private static String type(RandomCases.Draw d) {
        return d.withEdges(TYPE_EDGES, () -> d.nextBoolean() ? d.anyString(20)
                : d.stringOf(" \t\n\r\u000B\f\u2003\u3000", 0, 5));
    }

    private static void rejected(String field, String value, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(field), "message must name the field " + field + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(value), "message must quote the value " + value + ": " + e.getMessage());
    }
}
