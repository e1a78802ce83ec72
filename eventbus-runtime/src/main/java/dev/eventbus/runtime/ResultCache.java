package dev.eventbus.runtime;

import dev.eventbus.EventResult;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded cache of {@code publish} results: the least recently stored are evicted beyond {@code capacity}.
 * Evictions are counted, and the first one is logged once at WARNING with the capacity to raise.
 *
 * <p>Every worker stores into it, so the path of a store and of a read is one {@link ConcurrentHashMap} operation
 * and one counter increment, with no order structure to maintain: each entry carries its store sequence number,
 * and the eviction order is recovered only when the cache overflows. Then one thread at a time (the others queue on
 * a lock, which only a full cache takes) sorts the entries by sequence once and remembers the ids of the oldest half
 * as the next eviction candidates, so an eviction costs O(log capacity) amortized. A candidate read in the
 * meantime is skipped; candidates hold ids, never results, so nothing read is retained. A store that overflows the
 * capacity evicts before it returns: the cache holds at most {@code capacity} results plus one per thread storing at
 * that instant.
 */
final class ResultCache {

    private static final System.Logger LOG = System.getLogger(ResultCache.class.getName());
    private static final Comparator<Entry> BY_SEQUENCE = Comparator.comparingLong(Entry::sequence);

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> results;
    private final Counts counts = new Counts();
    private final LongAdder evictions = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final ReentrantLock evicting = new ReentrantLock();
    // The next eviction candidates, oldest first, from the last sort; guarded by evicting.
    private String[] candidateIds = new String[0];
    private long[] candidateSequences = new long[0];
    private int nextCandidate;
    private int candidates;

    /**
     * Stores begun (also the store order) and results removed (read or evicted): their difference bounds the size
     * from above at the cost of no count. Together, as a store reads both, and on cache lines of their own: every
     * worker writes them, and when they shared lines with other objects each store missed in cache twice.
     */
    @SuppressWarnings("unused") // the padding fields keep other data off these counters' cache lines
    private static final class Counts {
        private static final VarHandle STORED =
                VarHandles.field(MethodHandles.lookup(), Counts.class, "stored", long.class);
        private static final VarHandle REMOVED =
                VarHandles.field(MethodHandles.lookup(), Counts.class, "removed", long.class);

        private long p1, p2, p3, p4, p5, p6, p7;
        private volatile long stored;
        private volatile long removed;
        private long q1, q2, q3, q4, q5, q6, q7;

        long store() {
            return (long) STORED.getAndAdd(this, 1L);
        }

        void removed(long count) {
            REMOVED.getAndAdd(this, count);
        }

        long sizeBound() {
            return stored - removed; // stored first: see put
        }
    }

    /** A stored result and its place in the store order. */
    private record Entry(EventResult result, long sequence) {
    }

    ResultCache(int capacity) {
        this.capacity = capacity;
        this.results = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    void put(EventResult result) {
        // A repeated id (ids are unique per bus) replaces its result and takes a new place in the order.
        long sequence = counts.store();
        if (results.put(result.eventId(), new Entry(result, sequence)) != null) {
            counts.removed(1); // the same event published again: its old result is replaced
        }
        // Stores minus removals bounds the size from above (both read after the put: stores counts every put begun,
        // removals only those done) without summing the map's own count on each store, which made the workers'
        // cores trade its cache lines; only near the capacity is the exact count taken. Not this store's own
        // sequence + 1: a store that took its sequence earlier but put later would miss the one between.
        if (counts.sizeBound() > capacity && results.mappingCount() > capacity) {
            evictEldest();
        }
    }

    private void evictEldest() {
        evicting.lock();
        try {
            while (results.mappingCount() > capacity) {
                if (nextCandidate == candidates && !findCandidates()) {
                    return;
                }
                String id = candidateIds[nextCandidate];
                long sequence = candidateSequences[nextCandidate];
                candidateIds[nextCandidate++] = null;
                Entry entry = results.get(id);
                if (entry != null && entry.sequence() == sequence && results.remove(id, entry)) {
                    counts.removed(1);
                    evicted();
                }
            }
        } finally {
            evicting.unlock();
        }
    }

    /** Sorts the entries by store order and keeps the oldest half as candidates; false if the cache is empty. */
    private boolean findCandidates() {
        Entry[] all = results.values().toArray(new Entry[0]);
        if (all.length == 0) {
            return false;
        }
        Arrays.sort(all, BY_SEQUENCE);
        int count = Math.max(1, all.length / 2);
        if (candidateIds.length < count) {
            candidateIds = new String[count];
            candidateSequences = new long[count];
        }
        for (int i = 0; i < count; i++) {
            candidateIds[i] = all[i].result().eventId();
            candidateSequences[i] = all[i].sequence();
        }
        nextCandidate = 0;
        candidates = count;
        return true;
    }

    private void evicted() {
        evictions.increment();
        if (!warned.get() && warned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, () -> "The result cache is full (capacity " + capacity
                    + "): the oldest results are being evicted unread. Read results with getResults(ids),"
                    + " use submit() futures, or raise EventBus.builder().resultCacheSize(...). Further"
                    + " evictions are counted, not logged.");
        }
    }

    Map<String, EventResult> remove(Collection<String> eventIds) {
        Map<String, EventResult> found = PartitionedMap.forSize(eventIds.size());
        for (String id : eventIds) {
            if (id != null) {
                Entry entry = results.remove(id);
                if (entry != null) {
                    found.put(id, entry.result());
                }
            }
        }
        counts.removed(found.size());
        return found;
    }

    Map<String, EventResult> snapshot() {
        Map<String, EventResult> copy = PartitionedMap.forSize(results.size());
        results.forEach((id, entry) -> copy.put(id, entry.result()));
        return Collections.unmodifiableMap(copy);
    }

    int size() {
        return results.size();
    }

    /** Eviction candidates remembered (ids, read or not): at most half the capacity. */
    int remembered() {
        evicting.lock();
        try {
            int left = 0;
            for (int i = nextCandidate; i < candidates; i++) {
                left += candidateIds[i] != null ? 1 : 0;
            }
            return left;
        } finally {
            evicting.unlock();
        }
    }

    long evictions() {
        return evictions.sum();
    }

    int capacity() {
        return capacity;
    }
}
