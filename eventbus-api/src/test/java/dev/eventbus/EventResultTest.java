package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventResultTest {

    @Test
    void successfulBusinessResultCarriesIdAndDataAndNoException() {
        List<String> data = List.of("done");

        EventResult result = EventResult.businessResult("id-1", true, data);

        assertAll(
                () -> assertEquals("id-1", result.eventId()),
                () -> assertTrue(result.success()),
                () -> assertSame(data, result.data()),
                () -> assertNull(result.exception()),
                () -> assertFalse(result.isException()));
    }

    @Test
    void failedBusinessResultIsNotAnExceptionResult() {
        EventResult result = EventResult.businessResult("id-2", false, "disk full");

        assertAll(
                () -> assertFalse(result.success()),
                () -> assertEquals("disk full", result.data()),
                () -> assertNull(result.exception()),
                () -> assertFalse(result.isException()));
    }

    @Test
    void businessResultAcceptsNullData() {
        assertNull(EventResult.businessResult("id", true, null).data());
    }

    @Test
    void exceptionResultIsNeverASuccessAndCarriesTheVeryException() {
        IllegalStateException failure = new IllegalStateException("boom");

        EventResult result = EventResult.exceptionResult("id-3", failure);

        assertAll(
                () -> assertEquals("id-3", result.eventId()),
                () -> assertFalse(result.success()),
                () -> assertNull(result.data()),
                () -> assertSame(failure, result.exception()),
                () -> assertTrue(result.isException()));
    }

    @Test
    void exceptionResultWithoutExceptionIsRejectedNamingTheField() {
        var e = assertThrows(NullPointerException.class, () -> EventResult.exceptionResult("id", null));

        assertMessageNames(e, "exception");
    }

    @Test
    void nullEventIdIsRejectedByEveryWayOfMakingAResult() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventResult.businessResult(null, true, "x")), "eventId");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventResult.exceptionResult(null, new RuntimeException())), "eventId");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> new EventResult(null, false, null, null)), "eventId");
    }

    @Test
    void successfulResultWithAnExceptionIsRejectedNamingTheException() {
        RuntimeException failure = new RuntimeException("contradiction");

        var e = assertThrows(IllegalArgumentException.class, () -> new EventResult("id", true, null, failure));

        assertMessageNames(e, "success", "contradiction");
    }

    @Test
    void failedResultMayCarryDataAndAnException() {
        RuntimeException failure = new RuntimeException("partial");

        EventResult result = new EventResult("id", false, "partial output", failure);

        assertEquals("partial output", result.data());
        assertTrue(result.isException());
    }

    @Test
    void resultsAreEqualByValue() {
        assertEquals(EventResult.businessResult("id", true, 1), new EventResult("id", true, 1, null));
        assertEquals(EventResult.businessResult("id", true, 1).hashCode(),
                new EventResult("id", true, 1, null).hashCode());
    }
}
