package dev.eventbus.runtime;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A mutable hash map that never holds one huge array: the keys are spread over {@code HashMap} partitions of at most
 * {@link #PARTITION_CAPACITY} entries each. What {@code getResults} returns, when it is large.
 *
 * <p>Why: a {@code HashMap} of 100,000 results has a table of 262,144 slots, 1 MiB. With G1's default region sizes
 * that is a humongous object, allocated straight into the old generation. Once the caller drops the map, the dead
 * table still points at young entries, and until a concurrent cycle reclaims it every young collection treats those
 * references as roots: the entries, results and ids it held are copied and promoted as if live. Measured with 100k
 * results per read: 23 young pauses of up to 160 ms instead of 5 short ones, and three times the time per event.
 * Partitions of up to 4,096 entries have tables of 32 KiB, far from the humongous threshold of any region size.
 *
 * <p>Not thread-safe; null keys and values are kept, as in the {@code HashMap} that {@code getResults} returns for
 * fewer entries, so that callers see one behaviour whatever the size.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
final class PartitionedMap<K, V> extends AbstractMap<K, V> {

    /** Entries per partition at the expected size: a table of 8,192 slots (32 KiB with compressed oops). */
    static final int PARTITION_CAPACITY = 4096;

    private final HashMap<K, V>[] partitions;
    private final int shift;
    private Set<Map.Entry<K, V>> entrySet;

    /**
     * Returns a map for about {@code expectedSize} entries: a plain {@code HashMap} when that is small enough, this
     * map otherwise.
     */
    static <K, V> Map<K, V> forSize(int expectedSize) {
        return expectedSize <= PARTITION_CAPACITY ? HashMap.newHashMap(expectedSize) : new PartitionedMap<>(expectedSize);
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array
    PartitionedMap(int expectedSize) {
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expectedSize must be >= 0: " + expectedSize);
        }
        int needed = (int) (((long) expectedSize + PARTITION_CAPACITY - 1) / PARTITION_CAPACITY);
        int count = needed <= 2 ? 2 : Math.min(Integer.highestOneBit(needed - 1) << 1, 1 << 16); // a power of two
        partitions = new HashMap[count];
        int perPartition = expectedSize / count + 1;
        for (int i = 0; i < count; i++) {
            partitions[i] = HashMap.newHashMap(perPartition);
        }
        shift = 32 - Integer.numberOfTrailingZeros(count);
    }

    private HashMap<K, V> partition(Object key) {
        // The high bits pick the partition; HashMap uses the low ones for its buckets, so both stay uniform.
        int h = key == null ? 0 : key.hashCode() * 0x9E3779B9;
        return partitions[h >>> shift];
    }

    @Override
    public int size() {
        int size = 0;
        for (HashMap<K, V> p : partitions) {
            size += p.size();
        }
        return size;
    }

    @Override
    public boolean isEmpty() {
        for (HashMap<K, V> p : partitions) {
            if (!p.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean containsKey(Object key) {
        return partition(key).containsKey(key);
    }

    @Override
    public V get(Object key) {
        return partition(key).get(key);
    }

    @Override
    public V put(K key, V value) {
        return partition(key).put(key, value);
    }

    @Override
    public V remove(Object key) {
        return partition(key).remove(key);
    }

    @Override
    public void clear() {
        for (HashMap<K, V> p : partitions) {
            p.clear();
        }
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        Set<Map.Entry<K, V>> set = entrySet;
        if (set == null) {
            set = new EntrySet();
            entrySet = set;
        }
        return set;
    }

    private final class EntrySet extends AbstractSet<Map.Entry<K, V>> {
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new EntryIterator();
        }

        @Override
        public int size() {
            return PartitionedMap.this.size();
        }

        @Override
        public void clear() {
            PartitionedMap.this.clear();
        }
    }

    /** Walks the partitions in turn; {@code remove()} removes from the partition of the last entry returned. */
    private final class EntryIterator implements Iterator<Map.Entry<K, V>> {
        private int next;
        private Iterator<Map.Entry<K, V>> current = partitions[0].entrySet().iterator();
        private Iterator<Map.Entry<K, V>> last;

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (++next >= partitions.length) {
                    return false;
                }
                current = partitions[next].entrySet().iterator();
            }
            return true;
        }

        @Override
        public Map.Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            last = current;
            return current.next();
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException("next() was not called, or remove() was already called");
            }
            last.remove();
            last = null;
        }
    }
}
