package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventBusException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.HandlerMeta;
import dev.eventbus.InvalidEventException;
import dev.eventbus.NoHandlerAvailableException;
import dev.eventbus.corelet.hostile.Payload;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.NotSerializableException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.eventbus.runtime.TestAttempt.assertEnds;
import static dev.eventbus.runtime.TestAttempt.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad events rejected at publish, bad handler classes failing at once, and hostile replies. */
@Timeout(120)
class CoreletInputTest {

    private static final EventFactory FACTORY = new EventFactory();
    private static CoreletExecutor executor;
    private static CoreletExecutor allowing;

    @BeforeAll
    static void startPool() {
        FACTORY.registerEventType("square", TestHandlers.Square.class);
        FACTORY.registerEventType("hostile", TestHandlers.Hostile.class);
        FACTORY.registerEventType("lambda", () -> (event, context) -> EventResult.businessResult(event.id(), true,
                "lambda"));
        executor = new CoreletExecutor(TestAttempt.config(FACTORY));
        allowing = new CoreletExecutor(TestAttempt.config(FACTORY, 1, Duration.ofMinutes(10), List.of(),
                List.of("dev.eventbus.corelet.hostile.*")));
    }

    @AfterAll
    static void stopPool() {
        executor.close();
        allowing.close();
        TestAttempt.assertNoChildProcessLeft();
    }

    private static Event.Builder corelet(String type) {
        return Event.builder(type).mode(ExecutionMode.CORELET).timeout(Duration.ofSeconds(60));
    }

    private static Event validated(CoreletExecutor on, Event event) {
        on.validate(event);
        return event;
    }

    /** Not serializable, and nested inside a serializable list. */
    static final class Unserializable {
    }

    @Test
    void supplierRegistrationWithoutCoreletMetaIsRejectedAtValidation() {
        Event event = corelet("lambda").build();
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(event));
        assertTrue(e.getMessage().contains("'lambda' is registered as a Supplier"), e.getMessage());
        assertTrue(e.getMessage().contains("register a handler class"), e.getMessage());
        assertTrue(e.getMessage().contains("coreletMeta"), e.getMessage());
    }

    @Test
    void supplierRegistrationWithCoreletMetaRunsTheNamedClass() {
        Event event = validated(executor, corelet("lambda").data(5)
                .coreletMeta(HandlerMeta.of(TestHandlers.Square.class, "lambda")).build());
        assertEquals(25, result(executor, event).data());
    }

    @Test
    void unknownTypeIsRejectedWithNoHandlerAvailable() {
        Event event = corelet("nobody-handles-this").build();
        NoHandlerAvailableException e = assertThrows(NoHandlerAvailableException.class,
                () -> executor.validate(event));
        assertTrue(e.getMessage().contains("nobody-handles-this"), e.getMessage());
    }

    @Test
    void unserializableDataIsRejectedAtValidationNamingTheClass() {
        List<Object> data = new ArrayList<>(List.of("fine", new Unserializable()));
        Event event = corelet("square").data(data).build();
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(event));
        assertTrue(e.getMessage().contains("class " + Unserializable.class.getName() + " is not java.io.Serializable"),
                e.getMessage());
        assertInstanceOf(NotSerializableException.class, e.getCause());
        assertTrue(executor.workerPids().isEmpty() || executor.workerPids().size() == 1);
    }

    /** An exception whose toString() throws. */
    static final class Unprintable extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            throw new UnsupportedOperationException("toString() fails too");
        }
    }

    /** Serializable, but its writeObject throws an {@link Unprintable}. */
    static final class FailsToWrite implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) {
            throw new Unprintable();
        }
    }

    /**
     * Data whose serialization threw an exception with a throwing toString(): building the message of the
     * InvalidEventException threw that in its place, and publish failed with an UnsupportedOperationException.
     */
    @Test
    void dataWhoseSerializationFailureCannotBePrintedIsStillRejectedAsInvalid() {
        Event event = corelet("square").data(new FailsToWrite()).build();
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(event));
        assertTrue(e.getMessage().endsWith("has data of class " + FailsToWrite.class.getName() + " that cannot be"
                + " serialized: " + Unprintable.class.getName() + " (its toString() threw "
                + UnsupportedOperationException.class.getName() + ")"), e.getMessage());
        assertTrue(e.getCause() instanceof Unprintable, "the cause is the exception serialization threw");
    }

    /** A link of a chain that Java serialization writes recursively, one stack frame set per link. */
    static final class Link implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final Link next;

        Link(Link next) {
            this.next = next;
        }
    }

    /** Data whose writeObject throws an Error, as user code may. */
    static final class ErrorToWrite implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) {
            throw new AssertionError("cannot write me");
        }
    }

    /**
     * Data that cannot be serialized is an InvalidEventException at publish, whatever the serialization throws: a long
     * chain of plain serializable objects (a user's own linked nodes) overflowed the stack, and a writeObject may throw
     * an Error; both escaped validate(), and publish, as themselves.
     */
    @Test
    void dataWhoseSerializationThrowsAnErrorIsRejectedAsInvalid() {
        Link chain = null;
        for (int i = 0; i < 1_000_000; i++) {
            chain = new Link(chain);
        }
        Event deep = corelet("square").data(chain).build();
        InvalidEventException tooDeep = assertThrows(InvalidEventException.class, () -> executor.validate(deep));
        assertInstanceOf(StackOverflowError.class, tooDeep.getCause());
        assertTrue(tooDeep.getMessage().contains("has data of class " + Link.class.getName() + " that cannot be"
                + " serialized: java.lang.StackOverflowError"), tooDeep.getMessage());

        Event failing = corelet("square").data(new ErrorToWrite()).build();
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> executor.validate(failing));
        assertInstanceOf(AssertionError.class, e.getCause());
        assertTrue(e.getMessage().endsWith("has data of class " + ErrorToWrite.class.getName() + " that cannot be"
                + " serialized: java.lang.AssertionError: cannot write me"), e.getMessage());
    }

    @Test
    void missingHandlerClassFailsTheEventAtOnceWithAFinalResult() {
        Event event = validated(executor, corelet("square").data(1)
                .coreletMeta(new HandlerMeta(null, "com.example.NoSuchHandler", "square")).build());
        EventResult result = result(executor, event);
        InvalidEventException e = assertInstanceOf(InvalidEventException.class, result.exception());
        assertFalse(result.success());
        assertEquals("CORELET handler class com.example.NoSuchHandler for event type 'square' not found in the"
                + " worker JVM (the class path) (event " + event.id() + ")", e.getMessage());
    }

    @Test
    void classThatIsNotAHandlerFailsTheEventAtOnceWithAFinalResult() {
        Event event = validated(executor, corelet("square").data(1)
                .coreletMeta(new HandlerMeta(null, TestHandlers.NotAHandler.class.getName(), "square")).build());
        EventResult result = result(executor, event);
        InvalidEventException e = assertInstanceOf(InvalidEventException.class, result.exception());
        assertEquals("CORELET handler class " + TestHandlers.NotAHandler.class.getName() + " for event type 'square'"
                + " is not an EventHandler: it must implement dev.eventbus.EventHandler (event " + event.id() + ")",
                e.getMessage());
    }

    @Test
    void handlerClassWithoutANoArgConstructorFailsTheEventAtOnce() {
        Event event = validated(executor, corelet("square").data(1)
                .coreletMeta(new HandlerMeta(null, TestHandlers.NeedsArgument.class.getName(), "square")).build());
        EventResult result = result(executor, event);
        InvalidEventException e = assertInstanceOf(InvalidEventException.class, result.exception());
        assertTrue(e.getMessage().contains("cannot be used") && e.getMessage().contains("public no-arg constructor"),
                e.getMessage());
    }

    @Test
    void dataOfAClassTheWorkerCannotLoadFailsTheEventAtOnce(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path source = dir.resolve("src/extra/OnlyInTheParent.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package extra; public record OnlyInTheParent(int n) implements java.io.Serializable {}");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d", dir.resolve("classes").toString(), source.toString()).redirectErrorStream(true).start();
        String output = new String(javac.getInputStream().readAllBytes());
        assertTrue(javac.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) && javac.exitValue() == 0, output);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()})) {
            Object data = loader.loadClass("extra.OnlyInTheParent").getConstructor(int.class).newInstance(1);
            Event event = validated(executor, corelet("hostile").data(data).build());
            EventResult result = result(executor, event);
            InvalidEventException e = assertInstanceOf(InvalidEventException.class, result.exception());
            assertEquals("The data of CORELET event " + event.id() + " (hostile) cannot be read in the worker JVM:"
                    + " class extra.OnlyInTheParent is not on its class path or module path", e.getMessage());
        }
    }

    @Test
    void oversizedReplyFailsTheEventWithoutHurtingTheParent() {
        long before = pidAfterSquare(executor);
        Event event = validated(executor, corelet("hostile").data("oversized").build());
        EventResult result = result(executor, event);
        EventBusException e = assertInstanceOf(EventBusException.class, result.exception());
        assertTrue(e.getMessage().contains("rejected") && e.getMessage().contains("exceed the limit of "
                + ReplyFilter.MAX_REPLY_BYTES + " bytes"), e.getMessage());
        assertEnds(before, Duration.ofSeconds(5));
        assertNotEquals(before, pidAfterSquare(executor), "the worker that sent it was replaced");
    }

    @Test
    void deeplyNestedReplyIsRejectedAndTheWorkerKeepsServing() {
        long before = pidAfterSquare(executor);
        Event event = validated(executor, corelet("hostile").data("deep").build());
        EventResult result = result(executor, event);
        EventBusException e = assertInstanceOf(EventBusException.class, result.exception());
        assertTrue(e.getMessage().contains("nested deeper than " + ReplyFilter.MAX_DEPTH + " levels"),
                e.getMessage());
        assertEquals(before, pidAfterSquare(executor));
        Event shallow = validated(executor, corelet("hostile").data("shallow").build());
        assertInstanceOf(List.class, result(executor, shallow).data());
    }

    @Test
    void replyOfAClassOutsideTheAllowListIsRejectedNamingTheClassAndTheOption() {
        Event event = validated(executor, corelet("hostile").data("foreign").build());
        EventResult result = result(executor, event);
        EventBusException e = assertInstanceOf(EventBusException.class, result.exception());
        assertTrue(e.getMessage().contains("class " + Payload.class.getName() + " is not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("coreletAllowedClasses(\"" + Payload.class.getName() + "\")"),
                e.getMessage());
    }

    @Test
    void replyOfAClassAllowedByCoreletAllowedClassesComesBack() {
        Event event = validated(allowing, corelet("hostile").data("foreign").build());
        assertEquals(new Payload("smuggled"), result(allowing, event).data());
    }

    @Test
    void replyOfAClassFoundInTheEventsDataIsAllowed() {
        Event event = validated(executor, corelet("hostile").data(new Payload("mine")).build());
        assertEquals(new Payload("mine back"), result(executor, event).data());
    }

    private static long pidAfterSquare(CoreletExecutor on) {
        assertEquals(4, result(on, validated(on, corelet("square").data(2).build())).data());
        return on.workerPids().iterator().next();
    }
}
