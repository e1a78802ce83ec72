package dev.eventbus.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionedMapTest {

    @Test
    void smallSizesGetAPlainHashMapAndLargeOnesArePartitioned() {
        assertInstanceOf(HashMap.class, PartitionedMap.forSize(0));
        assertInstanceOf(HashMap.class, PartitionedMap.forSize(PartitionedMap.PARTITION_CAPACITY));
        assertInstanceOf(PartitionedMap.class, PartitionedMap.forSize(PartitionedMap.PARTITION_CAPACITY + 1));
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        Random random = new Random(20261206);
        Map<String, Integer> expected = new HashMap<>();
        Map<String, Integer> actual = new PartitionedMap<>(50_000);
        for (int i = 0; i < 200_000; i++) {
            String key = "k" + random.nextInt(60_000);
            switch (random.nextInt(4)) {
                case 0, 1 -> assertEquals(expected.put(key, i), actual.put(key, i));
                case 2 -> assertEquals(expected.remove(key), actual.remove(key));
                default -> {
                    assertEquals(expected.get(key), actual.get(key));
                    assertEquals(expected.containsKey(key), actual.containsKey(key));
                }
            }
        }
        assertEquals(expected.size(), actual.size());
        assertEquals(expected, actual);
        assertEquals(actual, expected);
        assertEquals(expected.hashCode(), actual.hashCode());
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(expected.entrySet(), actual.entrySet());
    }

    @Test
    void iteratorVisitsEveryEntryOnceAndRemovesTheLastOne() {
        Map<String, Integer> map = new PartitionedMap<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            map.put("k" + i, i);
        }
        Map<String, Integer> seen = new HashMap<>();
        Iterator<Map.Entry<String, Integer>> it = map.entrySet().iterator();
        assertThrows(IllegalStateException.class, it::remove);
        while (it.hasNext()) {
            Map.Entry<String, Integer> e = it.next();
            assertNull(seen.put(e.getKey(), e.getValue()), "visited twice: " + e);
            if (e.getValue() % 2 == 0) {
                it.remove();
                assertThrows(IllegalStateException.class, it::remove);
            }
        }
        assertThrows(NoSuchElementException.class, it::next);
        assertEquals(10_000, seen.size());
        assertEquals(5_000, map.size());
        assertTrue(map.values().stream().allMatch(v -> v % 2 == 1));
        map.values().removeIf(v -> v < 5_000);
        assertEquals(2_500, map.size());
        map.clear();
        assertTrue(map.isEmpty());
        assertFalse(map.entrySet().iterator().hasNext());
    }

    /**
     * What {@code getResults} returns for more than 4,096 ids must behave as the {@code HashMap} it returns for fewer: a
     * caller that puts a null (a placeholder for an id still pending, say) got a NullPointerException only from the
     * large one.
     */
    @Test
    void nullKeysAndValuesAreKeptAsInAHashMap() {
        Map<String, Integer> map = new PartitionedMap<>(10_000);
        assertNull(map.get(null));
        assertFalse(map.containsKey(null));
        assertNull(map.remove(null));
        assertNull(map.put(null, 1));
        assertNull(map.put("k", null));
        assertEquals(1, map.get(null));
        assertTrue(map.containsKey("k"));
        assertNull(map.get("k"));
        java.util.HashMap<String, Integer> expected = new java.util.HashMap<>();
        expected.put(null, 1);
        expected.put("k", null);
        assertEquals(expected, map);
        assertEquals(expected, new java.util.HashMap<>(map), "the entries iterate as put");
        assertEquals(1, map.remove(null));
        assertFalse(map.containsKey(null));
        assertThrows(IllegalArgumentException.class, () -> new PartitionedMap<String, Integer>(-1));
    }
}
