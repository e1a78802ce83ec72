package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CoreletCrashedExceptionTest {

    @Test
    void exitCodeIsPresentWhenKnown() {
        CoreletCrashedException e = new CoreletCrashedException("worker 1234 exited with 137", 137);

        assertEquals(OptionalInt.of(137), e.exitCode());
        assertEquals("worker 1234 exited with 137", e.getMessage());
    }

    @Test
    void exitCodeZeroIsPresentToo() {
        assertEquals(OptionalInt.of(0), new CoreletCrashedException("worker called System.exit(0)", 0).exitCode());
    }

    @Test
    void exitCodeIsEmptyWhenUnknown() {
        CoreletCrashedException e = new CoreletCrashedException("worker 1234 closed its channel", null);

        assertEquals(OptionalInt.empty(), e.exitCode());
        assertEquals("worker 1234 closed its channel", e.getMessage());
    }

    @Test
    void isAnEventBusException() {
        assertInstanceOf(EventBusException.class, new CoreletCrashedException("crash", 1));
    }
}
