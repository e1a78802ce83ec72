package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RemoteHandlerExceptionTest {

    private static final StackTraceElement[] REMOTE_STACK = {
        new StackTraceElement("com.acme.ResizeHandler", "handle", "ResizeHandler.java", 42),
        new StackTraceElement("dev.eventbus.corelet.internal.Worker", "run", "Worker.java", 7),
    };

    @Test
    void carriesRemoteClassNameAndMessage() {
        RemoteHandlerException e = new RemoteHandlerException("java.io.IOException", "disk full", REMOTE_STACK, null);

        assertEquals("java.io.IOException", e.remoteClassName());
        assertEquals("disk full", e.remoteMessage());
        assertNull(e.getCause());
    }

    @Test
    void messageIsClassNameColonMessage() {
        RemoteHandlerException e = new RemoteHandlerException("java.io.IOException", "disk full", REMOTE_STACK, null);

        assertEquals("java.io.IOException: disk full", e.getMessage());
    }

    @Test
    void messageIsTheClassNameAloneWhenTheRemoteHadNoMessage() {
        RemoteHandlerException e = new RemoteHandlerException("java.lang.NullPointerException", null, REMOTE_STACK,
                null);

        assertEquals("java.lang.NullPointerException", e.getMessage());
        assertNull(e.remoteMessage());
    }

    @Test
    void stackTraceIsTheRemoteStack() {
        RemoteHandlerException e = new RemoteHandlerException("java.io.IOException", "disk full", REMOTE_STACK, null);

        assertArrayEquals(REMOTE_STACK, e.getStackTrace());
    }

    @Test
    void printedStackTraceShowsTheRemoteFramesAndCause() {
        RemoteHandlerException cause = new RemoteHandlerException("java.net.SocketException", "reset",
                new StackTraceElement[] {new StackTraceElement("com.acme.Net", "read", "Net.java", 9)}, null);
        RemoteHandlerException e = new RemoteHandlerException("java.io.UncheckedIOException", "read failed",
                REMOTE_STACK, cause);
        StringWriter text = new StringWriter();

        e.printStackTrace(new PrintWriter(text));

        assertSame(cause, e.getCause());
        String printed = text.toString();
        assertTrue(printed.contains("com.acme.ResizeHandler.handle(ResizeHandler.java:42)"), printed);
        assertTrue(printed.contains("Caused by: " + RemoteHandlerException.class.getName()
                + ": java.net.SocketException: reset"), printed);
        assertTrue(printed.contains("com.acme.Net.read(Net.java:9)"), printed);
    }

    @Test
    void emptyRemoteStackIsAllowed() {
        RemoteHandlerException e = new RemoteHandlerException("x.Y", "m", new StackTraceElement[0], null);

        assertEquals(0, e.getStackTrace().length);
    }

    @Test
    void nullClassNameIsRejectedNamingTheField() {
        var e = assertThrows(NullPointerException.class,
                () -> new RemoteHandlerException(null, "m", REMOTE_STACK, null));

        assertMessageNames(e, "remoteClassName");
    }

    @Test
    void nullStackIsRejectedNamingTheField() {
        var e = assertThrows(NullPointerException.class,
                () -> new RemoteHandlerException("x.Y", "m", null, null));

        assertMessageNames(e, "remoteStackTrace");
    }

    @Test
    void isAnEventBusException() {
        assertInstanceOf(EventBusException.class, new RemoteHandlerException("x.Y", "m", REMOTE_STACK, null));
    }
}
