package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import com.google.common.eventbus.Subscribe;

import org.greenrobot.eventbus.ThreadMode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SYNC dispatch: the time to publish one event that runs in the caller's thread and read its result, per event.
 *
 * <p>eventbus is measured two ways: {@code publish} then {@code getResults(List.of(id), false)} (the result goes
 * through the result cache), and {@code submit(event).join()} (a per-event future, no cache). Each includes building
 * the {@link Event}, so its unique id. Baselines, doing the same handler work: a direct call storing its result in a
 * {@link ConcurrentHashMap} under a fresh counter id and reading it back (the floor); Guava {@code EventBus.post};
 * greenrobot {@code EventBus.post} with {@code ThreadMode.POSTING}; and, for scale, {@link UUID#randomUUID()} alone and building the
 * {@link Event} alone.
 * The baselines return no result to the publisher: that is the service eventbus adds.
 *
 * <p>Single-threaded; JMH runs it in one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class SyncDispatchBenchmark {

    static final String TYPE = "bench.sync";
    private static final Integer PAYLOAD = 42;

    private Blackhole blackhole;
    private final ConcurrentHashMap<Long, Object> floorResults = new ConcurrentHashMap<>();
    private long floorIds;
    private com.google.common.eventbus.EventBus guava;
    private org.greenrobot.eventbus.EventBus greenrobot;

    /** The event type the Guava and greenrobot baselines post. */
    public static final class Ping {
        final Object value;

        Ping(Object value) {
            this.value = value;
        }
    }

    /** The Guava subscriber: the same work as {@link SinkHandler}. */
    public static final class GuavaSubscriber {
        private final Blackhole blackhole;

        GuavaSubscriber(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        /**
         * Handles a ping.
         *
         * @param ping the event
         */
        @Subscribe
        public void on(Ping ping) {
            blackhole.consume(ping.value);
        }
    }

    /** The greenrobot subscriber: the same work as {@link SinkHandler}. */
    public static final class GreenrobotSubscriber {
        private final Blackhole blackhole;

        GreenrobotSubscriber(Blackhole blackhole) {
            this.blackhole = blackhole;
        }

        /**
         * Handles a ping.
         *
         * @param ping the event
         */
        @org.greenrobot.eventbus.Subscribe(threadMode = ThreadMode.POSTING)
        public void on(Ping ping) {
            blackhole.consume(ping.value);
        }
    }

    /** The eventbus under test, apart so that the baselines run without a runtime on the path. */
    @State(Scope.Thread)
    public static class Bus {
        EventBus bus;

        /**
         * Builds the bus with {@link SinkHandler} registered.
         *
         * @param blackhole the handler's sink
         */
        @Setup(Level.Trial)
        public void setUp(Blackhole blackhole) {
            EventFactory factory = new EventFactory();
            SinkHandler handler = new SinkHandler(blackhole);
            factory.registerEventType(TYPE, () -> handler);
            bus = EventBus.builder().factory(factory).build();
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
     * Builds the baselines.
     *
     * @param blackhole the sink of every handler
     */
    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        guava = new com.google.common.eventbus.EventBus("bench");
        guava.register(new GuavaSubscriber(blackhole));
        greenrobot = org.greenrobot.eventbus.EventBus.builder()
                .logNoSubscriberMessages(false).sendNoSubscriberEvent(false).build();
        greenrobot.register(new GreenrobotSubscriber(blackhole));
    }

    static Event event() {
        return Event.builder(TYPE).mode(ExecutionMode.SYNC).data(PAYLOAD).build();
    }

    /**
     * eventbus: publish, then read the result from the cache (removing it).
     *
     * @param state the bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusPublishGetResults(Bus state) {
        return publishAndRead(state.bus);
    }

    /** Publishes one SYNC event and reads its result from the cache (removing it): the work of every such row. */
    static EventResult publishAndRead(EventBus bus) {
        String id = bus.publish(event());
        EventResult result = bus.getResults(List.of(id), false).get(id);
        if (result == null) {
            throw new IllegalStateException("SYNC result missing right after publish: " + id);
        }
        return result;
    }

    /**
     * eventbus: submit and join the per-event future.
     *
     * @param state the bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusSubmitJoin(Bus state) {
        return state.bus.submit(event()).join();
    }

    /**
     * The floor: call the handler's work directly, store the result in a concurrent map under a fresh id, read it
     * back (removing it).
     *
     * @return the result
     */
    @Benchmark
    public Object directCallFloor() {
        Long id = ++floorIds;
        blackhole.consume(PAYLOAD);
        floorResults.put(id, PAYLOAD);
        return floorResults.remove(id);
    }

    /** Guava {@code EventBus.post}: synchronous dispatch to one subscriber. */
    @Benchmark
    public void guavaPost() {
        guava.post(new Ping(PAYLOAD));
    }

    /** greenrobot {@code EventBus.post}, {@code ThreadMode.POSTING}: synchronous dispatch to one subscriber. */
    @Benchmark
    public void greenrobotPost() {
        greenrobot.post(new Ping(PAYLOAD));
    }

    /**
     * For scale: building the {@link Event} alone (its id and timestamp included), the part of every eventbus row
     * that the API, not the runtime, costs.
     *
     * @return the event
     */
    @Benchmark
    public Event eventBuildOnly() {
        return event();
    }

    /**
     * For scale: one {@link UUID#randomUUID()} as a string, what a naive unique event id costs.
     *
     * @return the id
     */
    @Benchmark
    public String uuidRandomUUID() {
        return UUID.randomUUID().toString();
    }
}
