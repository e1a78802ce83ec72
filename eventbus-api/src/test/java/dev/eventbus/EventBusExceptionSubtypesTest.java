package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The message-only exceptions: each keeps its message and cause and is an {@link EventBusException}. */
@Timeout(10)
class EventBusExceptionSubtypesTest {

    static Stream<Arguments> subtypes() {
        return Stream.of(
                subtype(EventTimeoutException::new, EventTimeoutException::new),
                subtype(EventCancelledException::new, EventCancelledException::new),
                subtype(EventBusShutdownException::new, EventBusShutdownException::new),
                subtype(InvalidEventException::new, InvalidEventException::new));
    }

    private static Arguments subtype(Function<String, EventBusException> withMessage,
            BiFunction<String, Throwable, EventBusException> withCause) {
        return Arguments.of(withMessage.apply("x").getClass().getSimpleName(), withMessage, withCause);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subtypes")
    void keepsItsMessageAndIsAnEventBusException(String name, Function<String, EventBusException> withMessage,
            BiFunction<String, Throwable, EventBusException> withCause) {
        EventBusException e = withMessage.apply("event 42 (resize)");

        assertEquals("event 42 (resize)", e.getMessage());
        assertNull(e.getCause());
        assertInstanceOf(RuntimeException.class, e);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subtypes")
    void keepsItsCause(String name, Function<String, EventBusException> withMessage,
            BiFunction<String, Throwable, EventBusException> withCause) {
        RuntimeException cause = new RuntimeException("underlying");

        EventBusException e = withCause.apply("event 42 (resize)", cause);

        assertEquals("event 42 (resize)", e.getMessage());
        assertSame(cause, e.getCause());
    }
}
