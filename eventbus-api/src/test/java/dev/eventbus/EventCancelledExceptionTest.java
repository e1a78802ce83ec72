package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventCancelledExceptionTest {

    @Test
    void keepsItsMessageAndIsAnEventBusException() {
        EventCancelledException e = new EventCancelledException("event 42 (resize)");

        assertEquals("event 42 (resize)", e.getMessage());
        assertNull(e.getCause());
        assertInstanceOf(EventBusException.class, e);
    }

    @Test
    void keepsItsCause() {
        RuntimeException cause = new RuntimeException("underlying");

        EventCancelledException e = new EventCancelledException("event 42 (resize)", cause);

        assertEquals("event 42 (resize)", e.getMessage());
        assertSame(cause, e.getCause());
    }
}
