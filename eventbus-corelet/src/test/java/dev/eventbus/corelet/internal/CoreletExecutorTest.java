package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.RemoteHandlerException;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.eventbus.runtime.TestAttempt.result;
import static dev.eventbus.runtime.TestAttempt.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The happy paths and handler failures, on one shared pool of one worker JVM. */
@Timeout(120)
class CoreletExecutorTest {

    private static final EventFactory FACTORY = new EventFactory();
    private static CoreletExecutor executor;

    @BeforeAll
    static void startPool() {
        FACTORY.registerEventType("where", TestHandlers.WhereAmI.class);
        FACTORY.registerEventType("square", TestHandlers.Square.class);
        FACTORY.registerEventType("throws", TestHandlers.Throws.class);
        FACTORY.registerEventType("throws-error", TestHandlers.ThrowsError.class);
        FACTORY.registerEventType("returns-exception", TestHandlers.ReturnsException.class);
        FACTORY.registerEventType("fails", TestHandlers.Fails.class);
        FACTORY.registerEventType("null", TestHandlers.ReturnsNull.class);
        FACTORY.registerEventType("chatty", TestHandlers.Chatty.class);
        executor = new CoreletExecutor(TestAttempt.config(FACTORY));
    }

    @AfterAll
    static void stopPool() {
        executor.close();
        TestAttempt.assertNoChildProcessLeft();
    }

    private static Event event(String type, Object data) {
        Event event = Event.builder(type).mode(ExecutionMode.CORELET).data(data).timeout(Duration.ofSeconds(60))
                .build();
        executor.validate(event);
        return event;
    }

    private static List<?> where() {
        EventResult result = result(executor, event("where", null));
        assertTrue(result.success());
        return (List<?>) result.data();
    }

    @Test
    void handlerRunsInTheWorkerJvmAndItsContextNamesTheWorkersPid() {
        List<?> where = where();
        long contextPid = (Long) where.get(0);
        long realPid = (Long) where.get(1);
        assertEquals(realPid, contextPid);
        assertNotEquals(ProcessHandle.current().pid(), contextPid);
        assertTrue(executor.workerPids().contains(contextPid), "pid " + contextPid + " is one of our workers "
                + executor.workerPids());
        assertEquals("null", where.get(4), "on the class path the worker loads the handler in the unnamed module");
    }

    @Test
    void consecutiveEventsReuseTheSameWorkerAndHandlerInstance() {
        List<?> first = where();
        List<?> second = where();
        assertEquals(first.get(0), second.get(0), "same worker pid");
        assertEquals(first.get(2), second.get(2), "same worker thread");
        assertEquals((Integer) first.get(3) + 1, second.get(3), "thread-local data kept across events");
        assertEquals(first.get(5), second.get(5), "same handler instance");
    }

    @Test
    void businessResultComesBackWithItsData() {
        EventResult result = result(executor, event("square", 12));
        assertEquals(new EventResult(result.eventId(), true, 144, null), result);
    }

    @Test
    void businessFailureComesBackAsAReturnedFailureWithData() {
        Event event = event("fails", "x");
        EventResult result = result(executor, event);
        assertEquals(EventResult.businessResult(event.id(), false, "nope x"), result);
    }

    @Test
    void thrownHandlerExceptionArrivesAsRemoteHandlerExceptionAtOnce() {
        long before = where().hashCode();
        Event event = event("throws", "abc");
        TestAttempt.Outcome outcome = run(executor, event);
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, outcome.thrown());
        assertFalse(outcome.stopped());
        assertTrue(outcome.sinceClockStart().compareTo(Duration.ofSeconds(10)) < 0,
                "reported long before the 60 s timeout: " + outcome.sinceClockStart());
        assertEquals("java.lang.IllegalArgumentException", e.remoteClassName());
        assertEquals("boom abc", e.remoteMessage());
        assertEquals("java.lang.IllegalArgumentException: boom abc", e.getMessage());
        assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(el -> el.getClassName()
                .equals(TestHandlers.Throws.class.getName()) && el.getMethodName().equals("handle")),
                Arrays.toString(e.getStackTrace()));
        RemoteHandlerException cause = assertInstanceOf(RemoteHandlerException.class, e.getCause());
        assertEquals("java.lang.ArithmeticException", cause.remoteClassName());
        assertEquals("root cause", cause.remoteMessage());
        assertNotEquals(0, before); // the worker survived: the next event runs on it
        assertEquals(where().get(0), executor.workerPids().iterator().next());
    }

    @Test
    void anyErrorTheHandlerThrowsArrivesAsRemoteHandlerExceptionAndTheWorkerServesOn() {
        Object pid = where().get(0);
        Map<String, String> thrown = new LinkedHashMap<>();
        thrown.put("service", "java.util.ServiceConfigurationError: provider broken");
        thrown.put("io", "java.io.IOError: java.io.IOException: disk gone");
        thrown.put("internal", "java.lang.InternalError: internal trouble");
        thrown.put("plain", "java.lang.Error: plain error");
        thrown.forEach((kind, expected) -> {
            TestAttempt.Outcome outcome = run(executor, event("throws-error", kind));
            RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, outcome.thrown(),
                    kind + ": " + outcome.thrown());
            assertEquals(expected, e.getMessage(), kind);
            assertEquals(pid, where().get(0), kind + ": the same worker runs the next event");
        });
        EventResult result = result(executor, event("throws-error", "data"));
        assertFalse(result.success());
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, result.exception());
        assertEquals("java.lang.IllegalStateException", e.remoteClassName());
        assertTrue(e.remoteMessage().contains("returned data that cannot be serialized ("
                + TestHandlers.ErrorOnWrite.class.getName() + "): java.lang.Error: cannot write me"), e.remoteMessage());
        assertEquals(pid, where().get(0), "the same worker runs the next event");
    }

    /**
     * Describing an exception for the parent calls its getMessage, getCause and getStackTrace, all of which a user's
     * exception may override to throw: the worker died of that, and the event came back as a crash after a fresh JVM
     * for every retry. Now what can be said arrives, and the worker serves on.
     */
    @Test
    void anExceptionThatCannotBeDescribedStillArrivesAndTheWorkerServesOn() {
        Object pid = where().get(0);
        TestAttempt.Outcome outcome = run(executor, event("throws-error", "unprintable"));
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, outcome.thrown(),
                String.valueOf(outcome.thrown()));
        assertEquals(TestHandlers.Unprintable.class.getName(), e.remoteClassName());
        assertEquals("(getMessage() threw java.lang.IllegalStateException)", e.remoteMessage());
        assertEquals(0, e.getStackTrace().length, "its trace could not be read");
        assertNull(e.getCause(), "its cause could not be read");
        assertEquals(pid, where().get(0), "the same worker runs the next event");

        EventResult result = result(executor, event("throws-error", "unprintable-data"));
        RemoteHandlerException unwritable = assertInstanceOf(RemoteHandlerException.class, result.exception());
        assertTrue(unwritable.remoteMessage().endsWith("returned data that cannot be serialized ("
                + TestHandlers.UnprintableOnWrite.class.getName() + "): " + TestHandlers.Unprintable.class.getName()
                + " (its toString() threw java.lang.Error)"), unwritable.remoteMessage());
        assertEquals(pid, where().get(0), "the same worker runs the next event");
    }

    /**
     * A thrown exception arrives as a RemoteHandlerException, retried, and the worker serves on, whatever its message:
     * one longer than the largest reply made the reply oversized, and the event failed for good with "reply rejected"
     * (not retried, its exception's class lost) and its healthy worker was killed. The message is cut, saying so.
     */
    @Test
    void anExceptionWhoseMessageIsLargerThanAReplyStillArrivesAndTheWorkerServesOn() {
        Object pid = where().get(0);
        TestAttempt.Outcome outcome = run(executor, event("throws-error", "huge"));
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, outcome.thrown(),
                () -> "outcome: " + outcome);
        assertEquals("java.lang.IllegalStateException", e.remoteClassName());
        String kept = "x".repeat(Frames.MAX_MESSAGE_CHARS);
        assertEquals(kept + "... (" + (ReplyFilter.MAX_REPLY_BYTES + 1 - Frames.MAX_MESSAGE_CHARS)
                + " more characters)", e.remoteMessage());
        assertEquals(pid, where().get(0), "the same worker runs the next event");
    }

    /**
     * Any non-blank id is a valid event id (Event.Builder.id). One longer than 1024 bytes broke the frame limits: the
     * worker could not read its request and exited, and the event came back as a crash, on a fresh JVM every retry.
     */
    @Test
    void anEventWithALongIdRunsAndItsResultCarriesTheId() {
        String id = "event-" + "\u00e9".repeat(2000); // 4000 bytes in UTF-8
        Event event = Event.builder("square").id(id).mode(ExecutionMode.CORELET).data(6)
                .timeout(Duration.ofSeconds(60)).build();
        executor.validate(event);
        TestAttempt.Outcome outcome = run(executor, event);
        assertNull(outcome.thrown(), () -> "threw " + outcome.thrown());
        assertEquals(EventResult.businessResult(id, true, 36), outcome.result());
    }

    @Test
    void returnedExceptionResultIsAFinalResultCarryingRemoteHandlerException() {
        Event event = event("returns-exception", "r");
        EventResult result = result(executor, event);
        assertFalse(result.success());
        assertEquals(event.id(), result.eventId());
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, result.exception());
        assertEquals("java.lang.IllegalStateException", e.remoteClassName());
        assertEquals("returned r", e.remoteMessage());
        assertNull(result.data());
    }

    @Test
    void handlerReturningNullFailsWithAnExceptionThatIsRetried() {
        TestAttempt.Outcome outcome = run(executor, event("null", null));
        RemoteHandlerException e = assertInstanceOf(RemoteHandlerException.class, outcome.thrown());
        assertEquals("java.lang.IllegalStateException", e.remoteClassName());
        assertEquals("handler returned null", e.remoteMessage());
    }

    @Test
    void handlerOutputOnSystemOutDoesNotCorruptTheChannel() {
        Event event = event("chatty", null);
        assertEquals(EventResult.businessResult(event.id(), true, "still fine"), result(executor, event));
        assertEquals(EventResult.businessResult("x", true, 4).data(), result(executor, event("square", 2)).data());
    }

    @Test
    void clockIsRestartedWhenTheWorkerHasTheRequest() {
        where(); // a ready worker is in the pool: no start-up
        TestAttempt.Outcome outcome = run(executor, event("square", 3));
        assertEquals(1, outcome.clockRestarts());
        assertEquals(9, outcome.result().data());
    }
}
