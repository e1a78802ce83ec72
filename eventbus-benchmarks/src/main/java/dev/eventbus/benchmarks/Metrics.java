package dev.eventbus.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figures a benchmark computes itself (latency percentiles, retained bytes) and hands to {@link MetricsProfiler},
 * which reports them to JMH as secondary results of the iteration, averaged over iterations and forks.
 *
 * <p>Thread-safe (synchronized); benchmarks put their figures from a {@code @TearDown(Level.Iteration)} method or
 * at the end of a single-shot invocation.
 */
public final class Metrics {

    /** One figure: name, value, unit. */
    record Figure(String name, double value, String unit) {
    }

    private static final Map<String, Figure> FIGURES = new LinkedHashMap<>();

    private Metrics() {
    }

    /**
     * Records a figure of the current iteration; a later put of the same name replaces it.
     *
     * @param name such as {@code p99} or {@code bytesPerQueuedEvent}
     * @param value the value
     * @param unit such as {@code us} or {@code B}
     */
    public static synchronized void put(String name, double value, String unit) {
        FIGURES.put(name, new Figure(name, value, unit));
    }

    static synchronized List<Figure> drain() {
        List<Figure> out = new ArrayList<>(FIGURES.values());
        FIGURES.clear();
        return out;
    }

    static synchronized void clear() {
        FIGURES.clear();
    }
}
