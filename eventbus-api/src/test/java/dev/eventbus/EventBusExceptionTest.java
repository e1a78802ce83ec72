package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventBusExceptionTest {

    @Test
    void isAnUncheckedException() {
        assertEquals(RuntimeException.class, EventBusException.class.getSuperclass());
    }

    @Test
    void everyEventbusExceptionHasTheOneRoot() {
        List<Class<?>> all = List.of(InvalidEventException.class, NoHandlerAvailableException.class,
                EventBusShutdownException.class, EventTimeoutException.class, EventCancelledException.class,
                RemoteHandlerException.class, CoreletCrashedException.class);

        for (Class<?> type : all) {
            assertEquals(EventBusException.class, type.getSuperclass(), type.getName());
        }
    }

    @Test
    void keepsMessage() {
        EventBusException e = new EventBusException("something failed");

        assertEquals("something failed", e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void keepsMessageAndCause() {
        IllegalStateException cause = new IllegalStateException("root");

        EventBusException e = new EventBusException("wrapped", cause);

        assertEquals("wrapped", e.getMessage());
        assertSame(cause, e.getCause());
        assertTrue(e instanceof RuntimeException);
    }
}
