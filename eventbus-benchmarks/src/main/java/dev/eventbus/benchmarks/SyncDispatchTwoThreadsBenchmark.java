package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventResult;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SYNC dispatch from two threads at once into one bus: {@link SyncDispatchBenchmark}'s work, per event and per thread,
 * with two JMH threads sharing each bus and each baseline's bus. A SYNC event runs in its publisher's thread with no
 * bus-wide lock, so each thread should take about as long per event as one thread alone; whatever the threads share
 * (an id counter, a join count, the result cache) shows here as contention, which a single-threaded run never sees.
 *
 * <p>The baselines as there, shared the same way: the floor stores into one {@link ConcurrentHashMap} under ids from
 * disjoint per-thread ranges; Guava {@code EventBus.post} (which calls a subscriber without
 * {@code @AllowConcurrentEvents} under its lock, one thread at a time: its default); greenrobot {@code EventBus.post}
 * ({@code ThreadMode.POSTING}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Threads(2)
public class SyncDispatchTwoThreadsBenchmark {

    private static final Integer PAYLOAD = 42;

    private Blackhole blackhole;
    private final ConcurrentHashMap<Long, Object> floorResults = new ConcurrentHashMap<>();
    private com.google.common.eventbus.EventBus guava;
    private org.greenrobot.eventbus.EventBus greenrobot;

    /** The eventbus both threads publish into: {@link SyncDispatchBenchmark.Bus}, shared by the threads. */
    @State(Scope.Benchmark)
    public static class SharedBus extends SyncDispatchBenchmark.Bus {
    }

    /** A thread's floor ids: a range of its own, so that the threads never share a key. */
    @State(Scope.Thread)
    public static class FloorIds {
        long next;

        /**
         * Starts this thread's range.
         *
         * @param thread which JMH thread this is
         */
        @Setup(Level.Trial)
        public void setUp(ThreadParams thread) {
            next = (long) thread.getThreadIndex() << 48;
        }
    }

    /**
     * Builds the baselines, shared by both threads.
     *
     * @param blackhole the sink of every handler
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        guava = new com.google.common.eventbus.EventBus("bench");
        guava.register(new SyncDispatchBenchmark.GuavaSubscriber(blackhole));
        greenrobot = org.greenrobot.eventbus.EventBus.builder()
                .logNoSubscriberMessages(false).sendNoSubscriberEvent(false).build();
        greenrobot.register(new SyncDispatchBenchmark.GreenrobotSubscriber(blackhole));
    }

    /**
     * eventbus: publish, then read the result from the shared cache (removing it).
     *
     * @param state the shared bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusPublishGetResults(SharedBus state) {
        return SyncDispatchBenchmark.publishAndRead(state.bus);
    }

    /**
     * eventbus: submit and join the per-event future.
     *
     * @param state the shared bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusSubmitJoin(SharedBus state) {
        return state.bus.submit(SyncDispatchBenchmark.event()).join();
    }

    /**
     * The floor: call the handler's work directly, store the result in the shared map under a fresh id, read it back
     * (removing it).
     *
     * @param ids this thread's id range
     * @return the result
     */
    @Benchmark
    public Object directCallFloor(FloorIds ids) {
        Long id = ++ids.next;
        blackhole.consume(PAYLOAD);
        floorResults.put(id, PAYLOAD);
        return floorResults.remove(id);
    }

    /** Guava {@code EventBus.post}: synchronous dispatch to one subscriber. */
    @Benchmark
    public void guavaPost() {
        guava.post(new SyncDispatchBenchmark.Ping(PAYLOAD));
    }

    /** greenrobot {@code EventBus.post}, {@code ThreadMode.POSTING}: synchronous dispatch to one subscriber. */
    @Benchmark
    public void greenrobotPost() {
        greenrobot.post(new SyncDispatchBenchmark.Ping(PAYLOAD));
    }

    /**
     * For scale: building the {@link Event} alone in each thread (its id and timestamp included).
     *
     * @return the event
     */
    @Benchmark
    public Event eventBuildOnly() {
        return SyncDispatchBenchmark.event();
    }
}
