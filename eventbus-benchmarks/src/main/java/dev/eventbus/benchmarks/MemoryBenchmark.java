package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Memory: bytes retained per queued event and per cached result, beyond the user's payload.
 *
 * <p>Each invocation measures heap used after full GCs before and after {@code events} events are held, and reports
 * the difference divided by {@code events} through {@link MetricsProfiler} as {@code bytesPerQueuedEvent} or
 * {@code bytesPerCachedResult}. The payload is one shared object, so it adds nothing; the event object, its id and
 * everything the bus keeps count. Queued: a THREAD bus with one worker blocked by a first event, then {@code events}
 * events published behind it. Cached: {@code events} SYNC events published into a result cache large enough to hold
 * them all. Baselines: a {@link PriorityTask} queued in a {@link ThreadPoolExecutor} over a
 * {@link PriorityBlockingQueue} behind a blocked worker, and an {@link EventResult} kept in a
 * {@link ConcurrentHashMap} under its {@link UUID} string. The primary score (time per invocation, mostly GC) means
 * nothing here.
 *
 * <p>Single-threaded measurement; run in its own fork with a fixed heap.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MemoryBenchmark {

    static final String TYPE = "bench.memory";
    static final String BLOCK = "bench.memory.block";
    private static final Object PAYLOAD = new Object();

    /** How many events or results are held at the measurement. */
    @Param({"100000"})
    public int events;

    /** Blocks its worker until released; tells when it started. */
    private static final class Blocker implements EventHandler {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public EventResult handle(Event event, EventContext context) throws InterruptedException {
            started.countDown();
            if (!release.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("memory benchmark blocker was never released");
            }
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    private static EventFactory factory(Blocker blocker) {
        EventFactory factory = new EventFactory();
        factory.registerEventType(TYPE, () -> (event, context) -> EventResult.businessResult(event.id(), true,
                event.data()));
        factory.registerEventType(BLOCK, () -> blocker);
        return factory;
    }

    /**
     * eventbus THREAD: bytes per event waiting in the queue.
     *
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    public void eventbusQueuedEvent() throws InterruptedException {
        Blocker blocker = new Blocker();
        EventBus bus = EventBus.builder().threads(1).resultCacheSize(events + 16).factory(factory(blocker)).build();
        try {
            bus.publish(Event.builder(BLOCK).maxRetries(0).build());
            if (!blocker.started.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("blocker did not start");
            }
            long before = usedHeapAfterGc();
            for (int i = 0; i < events; i++) {
                bus.publish(Event.of(TYPE, PAYLOAD));
            }
            long after = usedHeapAfterGc();
            Metrics.put("bytesPerQueuedEvent", (after - before) / (double) events, "B");
        } finally {
            blocker.release.countDown();
            bus.shutdown(true);
        }
    }

    /** eventbus SYNC: bytes per result waiting in the result cache. */
    @Benchmark
    public void eventbusCachedResult() {
        EventBus bus = EventBus.builder().threads(1).resultCacheSize(events + 16).factory(factory(new Blocker()))
                .build();
        try {
            bus.publish(Event.builder(TYPE).mode(ExecutionMode.SYNC).data(PAYLOAD).build()); // warm the SYNC path
            long before = usedHeapAfterGc();
            for (int i = 0; i < events; i++) {
                bus.publish(Event.builder(TYPE).mode(ExecutionMode.SYNC).data(PAYLOAD).build());
            }
            long after = usedHeapAfterGc();
            int cached = bus.getResults().size();
            if (cached < events) {
                throw new IllegalStateException("Only " + cached + " of " + events + " results cached");
            }
            Metrics.put("bytesPerCachedResult", (after - before) / (double) events, "B");
        } finally {
            bus.shutdown(true);
        }
    }

    /**
     * Baseline: bytes per {@link PriorityTask} waiting in a {@code PriorityBlockingQueue} pool.
     *
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    public void pbqPoolQueuedTask() throws InterruptedException {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new PriorityBlockingQueue<>(), Threads.named("bench-memory-pbq"));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(new PriorityTask<>(10, -1, () -> {
                started.countDown();
                return release.await(5, TimeUnit.MINUTES);
            }));
            if (!started.await(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("blocker did not start");
            }
            long before = usedHeapAfterGc();
            for (int i = 0; i < events; i++) {
                pool.execute(new PriorityTask<>(5, i, () -> PAYLOAD));
            }
            long after = usedHeapAfterGc();
            Metrics.put("bytesPerQueuedEvent", (after - before) / (double) events, "B");
        } finally {
            release.countDown();
            Threads.stop(pool);
        }
    }

    /** Baseline: bytes per {@link EventResult} kept in a {@code ConcurrentHashMap} under its UUID string. */
    @Benchmark
    public void chmCachedResult() {
        ConcurrentHashMap<String, EventResult> cache = new ConcurrentHashMap<>();
        long before = usedHeapAfterGc();
        for (int i = 0; i < events; i++) {
            String id = UUID.randomUUID().toString();
            cache.put(id, EventResult.businessResult(id, true, PAYLOAD));
        }
        long after = usedHeapAfterGc();
        if (cache.size() != events) {
            throw new IllegalStateException("cache lost entries");
        }
        Metrics.put("bytesPerCachedResult", (after - before) / (double) events, "B");
    }

    static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
