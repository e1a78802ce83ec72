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
 * <p>Every worker stores into it, so a store is one {@link ConcurrentHashMap} operation, a read one map operation,
 * with no order structure to maintain: each entry carries its store sequence number,
 * and the eviction order is recovered only when the cache overflows. Then one thread at a time (the others queue on
 * a lock, which only a count of the size takes: rarely, unless the cache is full) sorts the entries by sequence once
 * and remembers the ids of the oldest half as the next eviction candidates, so an eviction costs O(log capacity) amortized. A candidate read in the
 * meantime is skipped; candidates hold ids, never results, so nothing read is retained. A store that overflows the
 * capacity evicts before it returns: the cache holds at most {@code capacity} results plus one per thread storing at
 * that instant. (The map's count sums its cells one after another, not as a snapshot: a count preempted between two
 * cells while a reader removes results stored meanwhile finds too few, by at most the results stored while it ran.
 * So a count leaves no room for the store numbers taken while it ran, and the stores that took them count again.)
 *
 * <p>Store numbers come from one shared counter, which a thread that stores often takes {@value #BLOCK} at a time
 * ({@link Numbers}): two workers taking one number per result traded the counter's cache line on every store, 14% of
 * the CPU time of the THREAD throughput benchmark. A block is given up when a count begins or ends (see
 * {@link #put(EventResult, Numbers)}) and when the counter has moved on by more than {@value #STALE}, so the eviction
 * order is the store order except among results that different threads stored within about {@value #STALE} stores of
 * each other; one thread's results always leave in the order it stored them.
 */
final class ResultCache {

    private static final System.Logger LOG = System.getLogger(ResultCache.class.getName());
    private static final Comparator<Entry> BY_SEQUENCE = Comparator.comparingLong(Entry::sequence);
    /** Store numbers a thread takes at a time. */
    static final int BLOCK = 16;
    /** How far the shared counter may have moved past a block before the block is given up. */
    static final int STALE = 64;

    private final int capacity;
    private final ConcurrentHashMap<String, Entry> results;
    private final Counts counts = new Counts();
    private final LongAdder evictions = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final LongAdder replaced = new LongAdder();
    private final AtomicBoolean warnedReplaced = new AtomicBoolean();
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

        long store(long count) {
            return (long) STORED.getAndAdd(this, count);
        }
    }

    /**
     * One thread's block of store numbers, taken from the shared counter: not thread-safe, each storing thread has its
     * own (a bus keeps one in each {@code ThreadState}).
     */
    static final class Numbers {
        private long next;
        private long end;
        /** The value of {@code Counts.counted} when the block was taken: a count in between voids it. */
        private long counted = -1;
    }

    /** A stored result and its place in the store order. */
    private record Entry(EventResult result, long sequence) {
    }

    ResultCache(int capacity) {
        this.capacity = capacity;
        this.results = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    /** Stores a result under a store number of its own: for a thread that stores rarely. */
    void put(EventResult result) {
        put(result, null);
    }

    /**
     * Stores a result.
     *
     * @param numbers the calling thread's block of store numbers, or null to take one number from the shared counter
     */
    void put(EventResult result, Numbers numbers) {
        // A repeated id (ids are unique per bus) replaces its result and takes a new place in the order.
        long countedBefore = counts.counted;
        long sequence = numbers == null ? counts.store(1) : next(numbers, countedBefore);
        if (results.put(result.eventId(), new Entry(result, sequence)) != null) {
            replacedUnread(result.eventId());
        }
        // The size is counted only when it could exceed the capacity. A count that finds n results, begun when the
        // shared counter stood at t, leaves room for capacity - n more stores: the next count is due at store number
        // t + capacity - n (reads and evictions only make more room, and need no bookkeeping). Every stored result is
        // in a count that left room for it, or counts itself after its put:
        // - a store that first read the counts after a count began numbers itself from a block taken after that too
        //   (a block serves only stores that read the counts it was taken under), so its number is t or more: it is one
        //   of the room's stores, or its number reaches the next count's and it counts (while a count runs, that
        //   number is t itself);
        // - a store that first read the counts before a count began either put before the count began, and is in it,
        //   or finds the counts changed after its put, and counts again itself.
        // So the size exceeds the capacity by at most one per thread between its put and its count. (Counting on
        // every store summed the map's count cells, which every storing core writes; a removal counter beside the
        // store counter made every read update a line every storer writes.)
        if (sequence >= counts.countAt || counts.counted != countedBefore) {
            countAndMakeRoom();
        }
    }

    /** The next number of a thread's block, after taking a new block if it is used up, stale, or void. */
    private long next(Numbers numbers, long countedBefore) {
        if (numbers.next == numbers.end || numbers.counted != countedBefore
                || counts.stored - numbers.next > STALE) {
            numbers.next = counts.store(BLOCK);
            numbers.end = numbers.next + BLOCK;
            numbers.counted = countedBefore;
        }
        return numbers.next++;
    }

    /**
     * Counts the results (this store's included), evicts the eldest beyond the capacity and sets when the next count
     * is due. One thread at a time.
     */
    private void countAndMakeRoom() {
        evicting.lock();
        try {
            long taken = counts.stored; // every number a store that sees this count's mark takes is at least this
            // Until this count ends, every store numbered from here counts again: a store that begins and ends while
            // this count runs sees no change of the counts, and might read the next count's number before it is set.
            counts.countAt = taken;
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
            // Results stored while the count ran and removed by a reader before the count reached the reader's cell
            // make the count too low: leave no room for them (their stores count again anyway, after this one).
            long storedMeanwhile = counts.stored - taken;
            counts.countAt = taken + Math.max(0, capacity - size - storedMeanwhile);
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
            // Guarded, as every log call inside a store: a failing backend made the store throw after its result was
            // in (out of a SYNC publish whose event ran fine) and cut the eviction short, over the capacity.
            QuietLog.log(LOG, System.Logger.Level.WARNING, () -> "The result cache is full (capacity " + capacity
                    + "): the oldest results are being evicted unread. Read results with getResults(ids),"
                    + " use submit() futures, or raise EventBus.builder().resultCacheSize(...). Further"
                    + " evictions are counted, not logged.", null);
        }
    }

    /**
     * A result stored under the id of one not read yet, which is lost: the same {@code Event} published twice, or ids
     * set by hand that repeat. Counted, and logged once, as an eviction is: silently, one of the two results was gone.
     */
    private void replacedUnread(String eventId) {
        replaced.increment();
        if (!warnedReplaced.get() && warnedReplaced.compareAndSet(false, true)) {
            QuietLog.log(LOG, System.Logger.Level.WARNING, () -> "Event id " + eventId + " got a second result"
                    + " before the first was read, which is lost: ids must be unique per bus. Publish a new Event each"
                    + " time (event.toBuilder().build() makes one with a new id), or read the first result before."
                    + " Further cases are counted, not logged.", null);
        }
    }

    Map<String, EventResult> remove(Collection<String> eventIds) {
        // Copied first: a collection that fails halfway (its iterator, or a non-String in a raw one) must fail
        // before any result is removed, or the results removed so far are lost.
        String[] ids = eventIds.toArray(new String[0]);
        Map<String, EventResult> found = PartitionedMap.forSize(ids.length);
        for (String id : ids) {
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

    /**
     * The size while no eviction runs: with only stores running meanwhile, between the sizes at the start and at the
     * end ({@link #size()} can be too high by the evictions made while it sums the map's count cells). For tests.
     */
    int sizeBetweenEvictions() {
        evicting.lock();
        try {
            return results.size();
        } finally {
            evicting.unlock();
        }
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

    /** Results replaced unread by another with the same id. */
    long replaced() {
        return replaced.sum();
    }

    int capacity() {
        return capacity;
    }
}
