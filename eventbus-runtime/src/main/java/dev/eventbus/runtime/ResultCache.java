package dev.eventbus.runtime;

import dev.eventbus.EventResult;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded cache of {@code publish} results: the least recently stored are evicted beyond {@code capacity}.
 * Evictions are counted, and the first one is logged once at WARNING with the capacity to raise.
 *
 * <p>Lock-free on the hot path, because every worker stores into it: results live in a {@link ConcurrentHashMap};
 * a FIFO of ids remembers the order they were stored in. A consumed result leaves its id behind in the FIFO; the
 * evictor skips such ids, and when they outnumber the capacity one thread sweeps them out, so both structures stay
 * bounded. A store that overflows the capacity evicts before it returns: the cache holds at most
 * {@code capacity} results plus one per thread storing at that instant.
 */
final class ResultCache {

    private static final System.Logger LOG = System.getLogger(ResultCache.class.getName());

    private final int capacity;
    private final ConcurrentHashMap<String, EventResult> results;
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicInteger ordered = new AtomicInteger();
    private final LongAdder evictions = new LongAdder();
    private final AtomicBoolean warned = new AtomicBoolean();
    private final ReentrantLock sweeping = new ReentrantLock();

    ResultCache(int capacity) {
        this.capacity = capacity;
        this.results = new ConcurrentHashMap<>(Math.min(capacity, 1 << 16));
    }

    void put(EventResult result) {
        String id = result.eventId();
        if (results.put(id, result) != null) {
            return; // ids are unique per bus; a repeated id only replaces its result
        }
        order.offer(id);
        ordered.incrementAndGet();
        if (size.incrementAndGet() > capacity) {
            evictEldest();
        }
        // When this store returns, the cache is within its capacity unless another store is in progress.
        if (ordered.get() > 2 * capacity + 64) {
            sweepConsumed();
        }
    }

    /** Evicts while over capacity; each eviction is claimed on the count first, so threads never over-evict. */
    private void evictEldest() {
        for (int n = size.get(); n > capacity; n = size.get()) {
            if (size.compareAndSet(n, n - 1) && !removeEldest()) {
                size.incrementAndGet(); // nothing left to evict: another thread's store is still in flight
                return;
            }
        }
    }

    private boolean removeEldest() {
        for (String id = order.poll(); id != null; id = order.poll()) {
            ordered.decrementAndGet();
            if (results.remove(id) != null) {
                evictions.increment();
                if (!warned.get() && warned.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, () -> "The result cache is full (capacity " + capacity
                            + "): the oldest results are being evicted unread. Read results with getResults(ids),"
                            + " use submit() futures, or raise EventBus.builder().resultCacheSize(...). Further"
                            + " evictions are counted, not logged.");
                }
                return true;
            }
        }
        return false;
    }

    /** Drops the ids of results consumed already; one thread at a time, the others need not wait. */
    private void sweepConsumed() {
        if (!sweeping.tryLock()) {
            return;
        }
        try {
            for (var it = order.iterator(); it.hasNext(); ) {
                if (!results.containsKey(it.next())) {
                    it.remove();
                    ordered.decrementAndGet();
                }
            }
        } finally {
            sweeping.unlock();
        }
    }

    Map<String, EventResult> remove(Collection<String> eventIds) {
        Map<String, EventResult> found = HashMap.newHashMap(eventIds.size());
        for (String id : eventIds) {
            if (id != null) {
                EventResult result = results.remove(id);
                if (result != null) {
                    size.decrementAndGet();
                    found.put(id, result);
                }
            }
        }
        return found;
    }

    Map<String, EventResult> snapshot() {
        return Map.copyOf(results);
    }

    int size() {
        return size.get();
    }

    /** Ids remembered for eviction order, consumed ones included: bounded by about twice the capacity. */
    int remembered() {
        return ordered.get();
    }

    long evictions() {
        return evictions.sum();
    }

    int capacity() {
        return capacity;
    }
}
