package dev.eventbus.runtime;

import dev.eventbus.EventResult;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounded cache of {@code publish} results: at most {@code capacity} entries at all times, the least recently
 * stored evicted first. Evictions are counted, and the first one is logged once at WARNING with the capacity to
 * raise. Thread-safe; a short critical section per operation.
 */
final class ResultCache {

    private static final System.Logger LOG = System.getLogger(ResultCache.class.getName());

    private final int capacity;
    private final LinkedHashMap<String, EventResult> results;
    private long evictions; // guarded by this
    private boolean warned; // guarded by this

    ResultCache(int capacity) {
        this.capacity = capacity;
        this.results = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 4 / 3 + 1);
    }

    void put(EventResult result) {
        boolean warn = false;
        synchronized (this) {
            results.put(result.eventId(), result);
            if (results.size() > capacity) {
                var eldest = results.entrySet().iterator();
                eldest.next();
                eldest.remove();
                evictions++;
                if (!warned) {
                    warned = true;
                    warn = true;
                }
            }
        }
        if (warn) {
            LOG.log(System.Logger.Level.WARNING, () -> "The result cache is full (capacity " + capacity
                    + "): the oldest results are being evicted unread. Read results with getResults(ids), use"
                    + " submit() futures, or raise EventBus.builder().resultCacheSize(...). Further evictions are"
                    + " counted, not logged.");
        }
    }

    synchronized Map<String, EventResult> remove(Collection<String> eventIds) {
        Map<String, EventResult> found = new HashMap<>();
        for (String id : eventIds) {
            if (id != null) {
                EventResult result = results.remove(id);
                if (result != null) {
                    found.put(id, result);
                }
            }
        }
        return found;
    }

    synchronized Map<String, EventResult> snapshot() {
        return Map.copyOf(results);
    }

    synchronized int size() {
        return results.size();
    }

    synchronized long evictions() {
        return evictions;
    }

    int capacity() {
        return capacity;
    }
}
