package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * THREAD latency: the time from publish to the start of the handler, at a fixed offered rate ({@code rate} events
 * per second, from one paced publisher), as p50, p99 and p99.9 in microseconds.
 *
 * <p>Each invocation publishes {@code batchMillis} worth of events, event i due at {@code t0 + i / rate}; the
 * publisher waits (park, then spin) until an event is due, and the event carries its due time. The handler's first
 * act is to record {@code System.nanoTime() - due} into a {@link LatencyHistogram}; measuring from the due time
 * rather than from the actual publish keeps a late publisher from hiding queueing delay (no coordinated omission).
 * The percentiles are reported per iteration through {@link MetricsProfiler} as secondary results {@code p50},
 * {@code p99}, {@code p999}; the primary score (time per batch) only shows that the publisher kept its pace.
 * Baseline: a {@link ThreadPoolExecutor} of {@code threads} workers over a {@link PriorityBlockingQueue}.
 *
 * <p>One publishing thread; the handlers run on the pools' workers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ThreadLatencyBenchmark {

    static final String TYPE = "bench.latency";
    private static final int PRIORITY = 5;

    /** Offered load, events per second. */
    @Param({"1000", "10000", "50000"})
    public int rate;

    /** Length of one paced batch (one invocation), in milliseconds. */
    @Param({"200"})
    public int batchMillis;

    /** Worker threads of the bus and of the pool. */
    @Param({"2"})
    public int threads;

    private final LatencyHistogram histogram = new LatencyHistogram();
    /** How late the publisher itself was at each event's due time: the part of the latency no queue can remove. */
    private final LatencyHistogram publisherLateness = new LatencyHistogram();
    private ThreadPoolExecutor pbqPool;
    private long sequence;
    private int perBatch;
    private long period;

    /** The handler: records its start latency, then returns the data. */
    private static final class LatencyHandler extends SinkHandlerBase {
        private final LatencyHistogram histogram;

        LatencyHandler(LatencyHistogram histogram, Blackhole blackhole) {
            super(blackhole);
            this.histogram = histogram;
        }

        @Override
        void started(Object data) {
            histogram.record(System.nanoTime() - (Long) data);
        }
    }

    /** The eventbus under test, apart so that the baseline runs without a runtime on the path. */
    @State(Scope.Benchmark)
    public static class Bus {
        EventBus bus;

        /**
         * Builds the bus with the latency-recording handler registered.
         *
         * @param benchmark the parameters and the histogram
         * @param blackhole the handler's sink
         */
        @Setup(Level.Trial)
        public void setUp(ThreadLatencyBenchmark benchmark, Blackhole blackhole) {
            EventFactory factory = new EventFactory();
            LatencyHandler handler = new LatencyHandler(benchmark.histogram, blackhole);
            factory.registerEventType(TYPE, () -> handler);
            bus = EventBus.builder().threads(benchmark.threads).resultCacheSize(benchmark.perBatch() * 2)
                    .factory(factory).build();
        }

        /** Shuts the bus down. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (bus != null) {
                bus.shutdown();
            }
        }
    }

    int perBatch() {
        return Math.max(1, (int) ((long) rate * batchMillis / 1000));
    }

    /** Starts the baseline pool. */
    @Setup(Level.Trial)
    public void setUp() {
        perBatch = perBatch();
        period = 1_000_000_000L / rate;
        pbqPool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(),
                Threads.named("bench-latency-pbq"));
        pbqPool.prestartAllCoreThreads();
    }

    /** Starts each iteration with an empty histogram. */
    @Setup(Level.Iteration)
    public void resetHistogram() {
        histogram.reset();
        publisherLateness.reset();
    }

    /** Hands this iteration's percentiles to {@link MetricsProfiler}. */
    @TearDown(Level.Iteration)
    public void reportPercentiles() {
        Metrics.put("p50", histogram.percentile(50) / 1000.0, "us");
        Metrics.put("p99", histogram.percentile(99) / 1000.0, "us");
        Metrics.put("p999", histogram.percentile(99.9) / 1000.0, "us");
        Metrics.put("publisherLateP99", publisherLateness.percentile(99) / 1000.0, "us");
        histogram.reset();
        publisherLateness.reset();
    }

    /** Stops the pool. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Threads.stop(pbqPool);
    }

    /**
     * eventbus THREAD: one paced batch, then join and read the results.
     *
     * @param state the bus
     * @return the number of results read
     */
    @Benchmark
    public int eventbus(Bus state) {
        EventBus bus = state.bus;
        String[] ids = new String[perBatch];
        long t0 = System.nanoTime() + period;
        for (int i = 0; i < perBatch; i++) {
            long due = t0 + i * period;
            publisherLateness.record(pace(due));
            ids[i] = bus.publish(Event.of(TYPE, due));
        }
        bus.join();
        Map<String, EventResult> results = bus.getResults(Arrays.asList(ids), false);
        return results.size();
    }

    /**
     * Baseline: the same paced batch on a {@code ThreadPoolExecutor} over a {@code PriorityBlockingQueue}.
     *
     * @return the number of results read
     * @throws Exception never in practice
     */
    @Benchmark
    public int pbqPool() throws Exception {
        List<PriorityTask<Long>> tasks = new ArrayList<>(perBatch);
        long t0 = System.nanoTime() + period;
        for (int i = 0; i < perBatch; i++) {
            long due = t0 + i * period;
            publisherLateness.record(pace(due));
            PriorityTask<Long> task = new PriorityTask<>(PRIORITY, sequence++, () -> {
                histogram.record(System.nanoTime() - due);
                return due;
            });
            tasks.add(task);
            pbqPool.execute(task);
        }
        int read = 0;
        for (PriorityTask<Long> task : tasks) {
            if (task.get() != null) {
                read++;
            }
        }
        return read;
    }

    /** Waits until {@code due}: parks while far, spins for the last 100 µs; returns how late it was, in ns. */
    static long pace(long due) {
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            if (left > 100_000) {
                LockSupport.parkNanos(left - 80_000);
            } else {
                Thread.onSpinWait();
            }
        }
        return -left;
    }
}
