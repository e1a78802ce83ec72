package dev.eventbus.benchmarks;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.Collection;
import java.util.List;

/**
 * A JMH profiler that turns the {@link Metrics} a benchmark recorded during an iteration into secondary results
 * (such as {@code p99} in microseconds), so they are aggregated with an error like any score and land in the JSON.
 * Add it with {@code OptionsBuilder.addProfiler(MetricsProfiler.class)} (the report runner does).
 *
 * <p>JMH calls it from one thread at a time, in the benchmark's JVM.
 */
public final class MetricsProfiler implements InternalProfiler {

    /** Creates the profiler; JMH calls this reflectively. */
    public MetricsProfiler() {
    }

    @Override
    public String getDescription() {
        return "Figures recorded by eventbus benchmarks (latency percentiles, retained bytes)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        Metrics.clear();
    }

    @Override
    public Collection<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        List<Metrics.Figure> figures = Metrics.drain();
        return figures.stream()
                .filter(f -> !Double.isNaN(f.value()))
                .map(f -> new ScalarResult(f.name(), f.value(), f.unit(), AggregationPolicy.AVG))
                .toList();
    }
}
