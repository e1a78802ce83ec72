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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
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

    /** The filters of the tests that are not about the arrays' total get the budget of the largest reply. */
    private static final int MAX = ReplyFilter.MAX_REPLY_BYTES;

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
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null, MAX);
        assertThrows(InvalidClassException.class, () -> read(bytes, filter));
        assertEquals("the reply declares an array of " + (Integer.MAX_VALUE - 8) + " elements", filter.rejection());
    }

    @Test
    void tinyReplyOfNestedMapsClaimingMillionsOfMappingsIsRejectedBeforeItsTablesAreAllocated() throws Exception {
        HashMap<Object, Object> map = new HashMap<>();
        map.put("x", "y");
        for (int i = 1; i < 19; i++) {
            HashMap<Object, Object> outer = new HashMap<>();
            outer.put(map, "y");
            map = outer;
        }
        byte[] bytes = serialize(map);
        // HashMap.writeObject writes 8 bytes of block data, its buckets (16) and its size (1): claim 12,000,000
        // mappings in each, so that each level would allocate a table of 16M slots before its first key
        byte[] sizeOfOne = {0x77, 0x08, 0, 0, 0, 0x10, 0, 0, 0, 0x01};
        int patched = 0;
        for (int i = 0; i + sizeOfOne.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + sizeOfOne.length, sizeOfOne, 0, sizeOfOne.length)) {
                ByteBuffer.wrap(bytes).putInt(i + 6, 12_000_000);
                patched++;
            }
        }
        assertEquals(19, patched);
        // each table alone (16M slots, 128 MiB counted) passes the bound on one array: 19 of them would not fit in
        // the heap of a parent with -Xmx1g
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null, bytes.length);
        assertThrows(InvalidClassException.class, () -> read(bytes, filter));
        long budget = ReplyFilter.ARRAY_BUDGET_BASE + ReplyFilter.ARRAY_BYTES_PER_REPLY_BYTE * bytes.length;
        assertEquals("the reply declares arrays of " + (16L << 20) * 8 + " bytes in all, more than the " + budget
                + " bytes allowed for a reply of its size", filter.rejection());
    }

    @Test
    void honestRepliesWithLargeArraysAndMapsFitTheirBudget() throws Exception {
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < 300_000; i++) {
            map.put(i, i);
        }
        List<Object> reply = List.of(map, new HashSet<>(map.keySet()), new ArrayList<>(map.values()),
                new Object[200_000], new long[500_000], new byte[3_000_000]);
        byte[] bytes = serialize(reply);
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null, bytes.length);
        Object back = read(bytes, filter);
        assertEquals(null, filter.rejection());
        assertEquals(map, ((List<?>) back).get(0));
    }

    @Test
    void defaultAllowListTakesTheJdkValueTypesAndCollections() throws Exception {
        Map<String, Object> value = new TreeMap<>(Map.of("n", BigDecimal.TEN, "t", Instant.EPOCH, "l", List.of(1, 2L),
                "c", new ConcurrentHashMap<>(Map.of("a", new int[] {1}))));
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null, MAX);
        Object back = read(serialize(value), filter);
        assertEquals(value.toString().replaceAll("\\[I@\\w+", ""), back.toString().replaceAll("\\[I@\\w+", ""));
        assertEquals(null, filter.rejection());
    }

    @Test
    void classOutsideEveryListIsRejectedWithTheOptionToAllowIt() {
        ReplyFilter filter = new ReplyFilter("dev.eventbus.corelet.internal", Set.of(), null, MAX);
        assertThrows(InvalidClassException.class, () -> read(serialize(List.of(new Payload("p"))), filter));
        assertEquals("class dev.eventbus.corelet.hostile.Payload is not allowed in a CORELET reply; allow it with"
                + " EventBus.builder().coreletAllowedClasses(\"dev.eventbus.corelet.hostile.Payload\")"
                + " (or a pattern such as \"dev.eventbus.corelet.hostile.*\")", filter.rejection());
    }

    @Test
    void classAllowedByAConfiguredPatternOrByTheEventsDataIsAccepted() throws Exception {
        ObjectInputFilter configured = ObjectInputFilter.Config.createFilter("dev.eventbus.corelet.hostile.*");
        assertEquals(new Payload("a"), read(serialize(new Payload("a")),
                new ReplyFilter("x", Set.of(), configured, MAX)));
        assertEquals(new Payload("b"), read(serialize(new Payload("b")),
                new ReplyFilter("x", Set.of(Payload.class.getName()), null, MAX)));
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
        ReplyFilter filter = new ReplyFilter("x", Set.of(), null, MAX);
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
        ReplyFilter filter = new ReplyFilter("x", Set.of(), permissive, MAX);
        assertThrows(InvalidClassException.class, () -> read(serialize(nested), filter));
        assertEquals("the reply is nested deeper than " + ReplyFilter.MAX_DEPTH + " levels", filter.rejection());
    }
}
