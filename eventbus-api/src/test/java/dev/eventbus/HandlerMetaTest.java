package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class HandlerMetaTest {

    /** A handler on the class path, for {@link HandlerMeta#of(Class, String)}. */
    public static final class SampleHandler implements EventHandler {
        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    @Test
    void aLambdaClassIsRejectedAsNoWorkerCanLoadIt() {
        // A lambda's class is hidden: its name (Outer$$Lambda/0x...) cannot be loaded in another JVM. As a coreletMeta
        // it passed publish, started a worker and only then failed the event with "not found in the worker JVM".
        EventHandler lambda = (event, context) -> EventResult.businessResult(event.id(), true, null);
        String name = lambda.getClass().getName();

        var e = assertThrows(IllegalArgumentException.class, () -> HandlerMeta.of(lambda.getClass(), "greet"));
        assertEquals("className must be a loadable class name, not a hidden class's (such as a lambda's): '" + name
                + "'", e.getMessage());
        var direct = assertThrows(IllegalArgumentException.class, () -> new HandlerMeta(null, name, "greet"));
        assertEquals(e.getMessage(), direct.getMessage());
    }

    @Test
    void keepsItsFields() {
        HandlerMeta meta = new HandlerMeta("com.acme", "com.acme.Resize", "resize");

        assertEquals("com.acme", meta.moduleName());
        assertEquals("com.acme.Resize", meta.className());
        assertEquals("resize", meta.eventType());
    }

    @Test
    void moduleAndClassMayBeAbsent() {
        HandlerMeta meta = new HandlerMeta(null, null, "greet");

        assertNull(meta.moduleName());
        assertNull(meta.className());
        assertEquals("greet", meta.eventType());
    }

    @Test
    void nullEventTypeIsRejectedNamingTheField() {
        var e = assertThrows(NullPointerException.class, () -> new HandlerMeta("m", "c.C", null));

        assertMessageNames(e, "eventType");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void blankNamesAreRejectedNamingTheField(String blank) {
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> new HandlerMeta("m", "c.C", blank)), "eventType");
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> new HandlerMeta(blank, "c.C", "t")), "moduleName");
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> new HandlerMeta("m", blank, "t")), "className");
    }

    @Test
    void ofDescribesAClassPathHandlerWithoutAModuleName() {
        HandlerMeta meta = HandlerMeta.of(SampleHandler.class, "sample");

        assertNull(meta.moduleName(), "the test class path is the unnamed module");
        assertEquals(SampleHandler.class.getName(), meta.className());
        assertEquals("dev.eventbus.HandlerMetaTest$SampleHandler", meta.className());
        assertEquals("sample", meta.eventType());
    }

    @Test
    void ofRejectsANullClassNamingTheArgument() {
        var e = assertThrows(NullPointerException.class, () -> HandlerMeta.of(null, "t"));

        assertMessageNames(e, "handlerClass");
    }

    @Test
    void ofRejectsABadEventTypeLikeTheConstructor() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> HandlerMeta.of(SampleHandler.class, null)), "eventType");
        assertMessageNames(assertThrows(IllegalArgumentException.class,
                () -> HandlerMeta.of(SampleHandler.class, " ")), "eventType");
    }

    @Test
    void survivesJavaSerializationForTheTripToAWorker() throws Exception {
        HandlerMeta meta = new HandlerMeta("com.acme", "com.acme.Resize", "resize");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(meta);
        }

        Object copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = in.readObject();
        }

        assertEquals(meta, copy);
    }
}
