package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;

import com.google.common.eventbus.AllowConcurrentEvents;
import com.google.common.eventbus.AsyncEventBus;
import com.google.common.eventbus.Subscribe;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * THREAD queue throughput: a batch of {@code batch} trivial events published from one thread, then joined and every
 * result read; the score is the time per event (the inverse of events per second).
 *
 * <p>eventbus: {@code publish} each event (THREAD mode, default priority, retries and timeout), {@code join()},
 * then {@code getResults(ids, false)}; and the same with {@code submit} futures instead of the result cache. Baselines: a {@link ThreadPoolExecutor} with {@code threads} workers over a
 * {@link PriorityBlockingQueue} of {@link PriorityTask}s (priority, sequence), each result read from its future;
 * the same over a {@link LinkedBlockingQueue} (FIFO, no priorities); Guava {@link AsyncEventBus} over a fixed pool
 * of {@code threads}; and an LMAX Disruptor with one producer and one consumer (yielding wait), the near-physical
 * limit of a hand-off between two threads. {@code @OperationsPerInvocation} assumes the default batch of 100000.
 *
 * <p>Single publishing thread; the pools' workers are the concurrency under test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(ThreadThroughputBenchmark.BATCH)
@State(Scope.Benchmark)
public class ThreadThroughputBenchmark {

    static final int BATCH = 100_000;
    static final String TYPE = "bench.thread";
    private static final Integer PAYLOAD = 42;
    private static final int PRIORITY = 5;

    /** Events per invocation. */
    @Param({"100000"})
    public int batch;

    /**
     * Worker threads of the bus and of the pools: the default of a 2-core machine, and one, which shows what the
     * hand-offs cost without a second worker contending for the same queue, counters and cache lines.
     */
    @Param({"2", "1"})
    public int threads;

    private Blackhole blackhole;
    private ThreadPoolExecutor pbqPool;
    private ThreadPoolExecutor lbqPool;
    private long sequence;
    private ExecutorService guavaExecutor;
    private AsyncEventBus guava;
    private GuavaSubscriber guavaSubscriber;

    /** The Guava subscriber: stores each result in its slot and counts the batch down. */
    public static final class GuavaSubscriber {
        private final Blackhole blackhole;
        volatile Object[] results;
        volatile CountDownLatch done;

        GuavaSubscriber(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        /**
         * Handles one message.
         *
         * @param message the event
         */
        @Subscribe
        @AllowConcurrentEvents
        public void on(Message message) {
            blackhole.consume(message.value);
            results[message.index] = message.value;
            done.countDown();
        }
    }

    /** A message of the Guava baseline. */
    public record Message(int index, Object value) {
    }

    /** A pre-allocated slot of the Disruptor ring. */
    static final class Slot {
        Object value;
        int index;
    }

    /** The Disruptor's single consumer: stores each result and releases the producer at the batch's last slot. */
    static final class DisruptorConsumer implements com.lmax.disruptor.EventHandler<Slot> {
        private final Blackhole blackhole;
        volatile Object[] results;
        volatile long lastSequence = -1;
        volatile CountDownLatch done;

        DisruptorConsumer(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        @Override
        public void onEvent(Slot slot, long seq, boolean endOfBatch) {
            blackhole.consume(slot.value);
            results[slot.index] = slot.value;
            if (seq == lastSequence) {
                done.countDown();
            }
        }
    }

    /** The eventbus under test, apart so that the baselines run without a runtime on the path. */
    @State(Scope.Benchmark)
    public static class Bus {
        EventBus bus;

        /**
         * Builds the bus with {@link SinkHandler} registered.
         *
         * @param benchmark the parameters
         * @param blackhole the handler's sink
         */
        @Setup(Level.Trial)
        public void setUp(ThreadThroughputBenchmark benchmark, Blackhole blackhole) {
            EventFactory factory = new EventFactory();
            SinkHandler handler = new SinkHandler(blackhole);
            factory.registerEventType(TYPE, () -> handler);
            bus = EventBus.builder().threads(benchmark.threads).resultCacheSize(benchmark.batch * 2)
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

    /**
     * The Disruptor baseline, apart because its consumer never parks: a yielding wait strategy keeps a thread
     * runnable, and on two cores it would steal time from every other benchmark of this class.
     */
    @State(Scope.Benchmark)
    public static class Ring {
        Disruptor<Slot> disruptor;
        DisruptorConsumer consumer;

        /**
         * Starts the ring and its consumer.
         *
         * @param blackhole the consumer's sink
         */
        @Setup(Level.Trial)
        public void setUp(Blackhole blackhole) {
            disruptor = new Disruptor<>(Slot::new, 65_536, Threads.named("bench-disruptor"), ProducerType.SINGLE,
                    new YieldingWaitStrategy());
            consumer = new DisruptorConsumer(blackhole);
            disruptor.handleEventsWith(consumer);
            disruptor.start();
        }

        /** Stops the consumer. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (disruptor != null) {
                disruptor.halt();
            }
        }
    }

    /**
     * Starts the baselines that park when idle.
     *
     * @param blackhole the sink of every handler
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        pbqPool = pool(new PriorityBlockingQueue<>(), "bench-pbq");
        lbqPool = pool(new LinkedBlockingQueue<>(), "bench-lbq");
        guavaExecutor = Executors.newFixedThreadPool(threads, Threads.named("bench-guava"));
        guava = new AsyncEventBus("bench", guavaExecutor);
        guavaSubscriber = new GuavaSubscriber(blackhole);
        guava.register(guavaSubscriber);
    }

    private ThreadPoolExecutor pool(BlockingQueue<Runnable> queue, String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue,
                Threads.named(name));
        pool.prestartAllCoreThreads();
        return pool;
    }

    /** Stops every baseline, waiting for their threads. */
    @TearDown(Level.Trial)
    public void tearDown() {
        Threads.stop(pbqPool);
        Threads.stop(lbqPool);
        Threads.stop(guavaExecutor);
    }

    /**
     * eventbus THREAD: publish the batch, join, read every result.
     *
     * @param state the bus
     * @return the number of results read
     */
    @Benchmark
    public int eventbus(Bus state) {
        EventBus bus = state.bus;
        String[] ids = new String[batch];
        for (int i = 0; i < batch; i++) {
            ids[i] = bus.publish(Event.of(TYPE, PAYLOAD));
        }
        bus.join();
        Map<String, EventResult> results = bus.getResults(Arrays.asList(ids), false);
        if (results.size() != batch) {
            throw new IllegalStateException("Read " + results.size() + " results of " + batch);
        }
        return results.size();
    }

    /**
     * eventbus THREAD with per-event futures: submit the batch, join, read every future (no result cache).
     *
     * @param state the bus
     * @return the number of results read
     */
    @Benchmark
    public int eventbusSubmit(Bus state) {
        EventBus bus = state.bus;
        List<CompletableFuture<EventResult>> futures = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            futures.add(bus.submit(Event.of(TYPE, PAYLOAD)));
        }
        bus.join();
        for (CompletableFuture<EventResult> future : futures) {
            blackhole.consume(future.join());
        }
        return batch;
    }

    /**
     * {@code ThreadPoolExecutor} over a {@code PriorityBlockingQueue} of (priority, sequence) tasks.
     *
     * @return the number of results read
     * @throws Exception never in practice
     */
    @Benchmark
    public int pbqPool() throws Exception {
        return runPool(pbqPool);
    }

    /**
     * {@code ThreadPoolExecutor} over a {@code LinkedBlockingQueue}: FIFO, no priorities.
     *
     * @return the number of results read
     * @throws Exception never in practice
     */
    @Benchmark
    public int lbqPool() throws Exception {
        return runPool(lbqPool);
    }

    private int runPool(ThreadPoolExecutor pool) throws InterruptedException, ExecutionException {
        Blackhole sink = blackhole;
        List<PriorityTask<Object>> tasks = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            PriorityTask<Object> task = new PriorityTask<>(PRIORITY, sequence++, () -> {
                sink.consume(PAYLOAD);
                return PAYLOAD;
            });
            tasks.add(task);
            pool.execute(task);
        }
        for (PriorityTask<Object> task : tasks) {
            blackhole.consume(task.get());
        }
        return batch;
    }

    /**
     * Guava {@code AsyncEventBus}: post the batch, wait for it, read the results.
     *
     * @return the number of results read
     * @throws InterruptedException never in practice
     */
    @Benchmark
    public int guavaAsyncEventBus() throws InterruptedException {
        Object[] results = new Object[batch];
        CountDownLatch done = new CountDownLatch(batch);
        guavaSubscriber.results = results;
        guavaSubscriber.done = done;
        for (int i = 0; i < batch; i++) {
            guava.post(new Message(i, PAYLOAD));
        }
        done.await();
        blackhole.consume(results);
        return batch;
    }

    /**
     * LMAX Disruptor, one producer and one consumer: publish the batch, wait for the last slot, read the results.
     *
     * @param state the ring
     * @return the number of results read
     * @throws InterruptedException never in practice
     */
    @Benchmark
    public int disruptor1P1C(Ring state) throws InterruptedException {
        Object[] results = new Object[batch];
        CountDownLatch done = new CountDownLatch(1);
        RingBuffer<Slot> ring = state.disruptor.getRingBuffer();
        DisruptorConsumer consumer = state.consumer;
        consumer.results = results;
        consumer.done = done;
        consumer.lastSequence = ring.getCursor() + batch;
        for (int i = 0; i < batch; i++) {
            long seq = ring.next();
            Slot slot = ring.get(seq);
            slot.index = i;
            slot.value = PAYLOAD;
            ring.publish(seq);
        }
        done.await();
        blackhole.consume(results);
        return batch;
    }
}
