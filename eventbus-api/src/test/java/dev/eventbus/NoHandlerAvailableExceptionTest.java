package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class NoHandlerAvailableExceptionTest {

    @Test
    void namesTheTypeInTheContractMessage() {
        NoHandlerAvailableException e = new NoHandlerAvailableException("resize");

        assertEquals("No handler available for event type: resize", e.getMessage());
        assertEquals("resize", e.eventType());
        assertNull(e.getCause());
    }

    @Test
    void isAnEventBusException() {
        assertInstanceOf(EventBusException.class, new NoHandlerAvailableException("t"));
    }
}
