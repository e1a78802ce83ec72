package dev.eventbus.corelet.internal;

import dev.eventbus.corelet.hostile.Payload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The reply filter on hand-made streams: what a hostile worker could send without our worker code. */
@Timeout(30)
class ReplyFilterTest {

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object read(byte[] bytes, ReplyFilter filter) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        }
    }

    @Test
    void arrayDeclaringAHugeLengthIsRejectedBeforeAllocation() throws Exception {
        byte[] bytes = serialize(new long[4]);
        // the stream ends with the array length and 4 × 8 bytes of elements: claim almost 2^31 elements
        ByteBuffer.wrap(bytes).putInt(bytes.length - 32 - 4, Integer.MAX_VALUE - 8);
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null);
        assertThrows(InvalidClassException.class, () -> read(bytes, filter));
        assertEquals("the reply declares an array of " + (Integer.MAX_VALUE - 8) + " elements", filter.rejection());
    }

    @Test
    void defaultAllowListTakesTheJdkValueTypesAndCollections() throws Exception {
        Map<String, Object> value = new TreeMap<>(Map.of("n", BigDecimal.TEN, "t", Instant.EPOCH, "l", List.of(1, 2L),
                "c", new ConcurrentHashMap<>(Map.of("a", new int[] {1}))));
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null);
        Object back = read(serialize(value), filter);
        assertEquals(value.toString().replaceAll("\\[I@\\w+", ""), back.toString().replaceAll("\\[I@\\w+", ""));
        assertEquals(null, filter.rejection());
    }

    @Test
    void classOutsideEveryListIsRejectedWithTheOptionToAllowIt() {
        ReplyFilter filter = new ReplyFilter("dev.eventbus.corelet.internal", Set.of(), null);
        assertThrows(InvalidClassException.class, () -> read(serialize(List.of(new Payload("p"))), filter));
        assertEquals("class dev.eventbus.corelet.hostile.Payload is not allowed in a CORELET reply; allow it with"
                + " EventBus.builder().coreletAllowedClasses(\"dev.eventbus.corelet.hostile.Payload\")"
                + " (or a pattern such as \"dev.eventbus.corelet.hostile.*\")", filter.rejection());
    }

    @Test
    void classAllowedByAConfiguredPatternOrByTheEventsDataIsAccepted() throws Exception {
        ObjectInputFilter configured = ObjectInputFilter.Config.createFilter("dev.eventbus.corelet.hostile.*");
        assertEquals(new Payload("a"), read(serialize(new Payload("a")), new ReplyFilter("x", Set.of(), configured)));
        assertEquals(new Payload("b"), read(serialize(new Payload("b")),
                new ReplyFilter("x", Set.of(Payload.class.getName()), null)));
    }

    @Test
    void nestedHashSetBombIsRejectedInsteadOfHashingForever() throws Exception {
        // sets shared across 40 levels: reading it back would hash 2^40 times
        java.util.Set<Object> root = new java.util.HashSet<>();
        java.util.Set<Object> s1 = root;
        java.util.Set<Object> s2 = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            java.util.Set<Object> t1 = new java.util.HashSet<>();
            java.util.Set<Object> t2 = new java.util.HashSet<>();
            t1.add("foo");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        byte[] bytes = serialize(root);
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null);
        assertThrows(InvalidClassException.class, () -> read(bytes, filter));
        assertEquals("the reply is nested deeper than " + ReplyFilter.MAX_DEPTH + " levels", filter.rejection());
    }

    @Test
    void configuredRejectionDoesNotOverrideTheLimits() {
        ObjectInputFilter permissive = ObjectInputFilter.Config.createFilter("*");
        Object deep = List.of();
        for (int i = 0; i < 100; i++) {
            deep = new Object[] {deep};
        }
        Object nested = deep;
        ReplyFilter filter = new ReplyFilter("x", Set.of(), permissive);
        assertThrows(InvalidClassException.class, () -> read(serialize(nested), filter));
        assertEquals("the reply is nested deeper than " + ReplyFilter.MAX_DEPTH + " levels", filter.rejection());
    }
}
