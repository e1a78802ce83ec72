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
 * <p>Every worker stores into it, so a store is one {@link ConcurrentHashMap} operation and one counter increment,
 * a read one map operation, with no order structure to maintain: each entry carries its store sequence number,
 * and the eviction order is recovered only when the cache overflows. Then one thread at a time (the others queue on
 * a lock, which only a count of the size takes: rarely, unless the cache is full) sorts the entries by sequence once and remembers the ids of the oldest half
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
     * Stores begun (also the store order), the store number at which the size is next counted, and how many counts
     * began and ended. On cache lines of their own: every storing thread writes the first, and when they shared lines
     * with other objects each store missed in cache twice.
     */
    @SuppressWarnings("unused") // the padding fields keep other data off these counters' cache lines
    private static final class Counts {
        private static final VarHandle STORED =
                VarHandles.field(MethodHandles.lookup(), Counts.class, "stored", long.class);

        private long p1, p2, p3, p4, p5, p6, p7;
        private volatile long stored;
        /** The store number from which the size must be counted again: see {@link ResultCache#put}. */
        private volatile long countAt;
        /** Counts begun and ended (odd while one runs): a store that overlaps one counts again itself. */
        private volatile long counted;
        private long q1, q2, q3, q4, q5, q6;

        long store() {
            return (long) STORED.getAndAdd(this, 1L);
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
        long countedBefore = counts.counted;
        long sequence = counts.store();
        results.put(result.eventId(), new Entry(result, sequence));
        // The size is counted only when it could exceed the capacity: a count of n results, taken for store number s,
        // leaves room for capacity - n more stores, so the next count is due at store s + 1 + capacity - n (reads and
        // evictions only make more room, and need no bookkeeping). A store that overlaps a count (a count began or
        // ended between its first look at the counts, before it took its number, and the end of its put) may be
        // missing from that count, so it counts again itself. Every stored result is thus in a count that left room
        // for it, or counts itself after its put: the size exceeds the capacity by at most one per thread between
        // its put and its count. (Counting on every store summed the map's count cells, which every storing core
        // writes; a removal counter beside the store counter made every read update a line every storer writes.)
        if (sequence >= counts.countAt || counts.counted != countedBefore) {
            countAndMakeRoom(sequence);
        }
    }

    /**
     * Counts the results (this store's included), evicts the eldest beyond the capacity and sets when the next count
     * is due. One thread at a time: a count that comes later but for an earlier store then only brings the next count
     * forward, never pushes it back.
     */
    private void countAndMakeRoom(long sequence) {
        evicting.lock();
        try {
            counts.counted++; // odd while this count runs; only the lock holder writes it
            long size = results.mappingCount();
            while (size > capacity) {
                if (nextCandidate == candidates && !findCandidates()) {
                    break;
                }
                String id = candidateIds[nextCandidate];
                long evicted = candidateSequences[nextCandidate];
                candidateIds[nextCandidate++] = null;
                Entry entry = results.get(id);
                if (entry != null && entry.sequence() == evicted && results.remove(id, entry)) {
                    evicted();
                }
                size = results.mappingCount();
            }
            counts.countAt = sequence + 1 + capacity - Math.min(size, capacity);
            counts.counted++;
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
