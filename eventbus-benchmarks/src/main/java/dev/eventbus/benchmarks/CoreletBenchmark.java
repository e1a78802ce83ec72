package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

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
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CORELET: warm round trip per event, events per second with both workers busy, and cold start to the first result.
 *
 * <p>eventbus: {@link EchoHandler} registered by class, events of mode CORELET carrying a small string, on a bus of
 * 2 threads and 2 worker JVMs started before measuring. {@code eventbusRoundTrip}: submit one event and join it;
 * {@code eventbusTwoWorkersBusy}: publish {@code batch} events, join, read every result (score per event, so the
 * inverse of events/s; {@code @OperationsPerInvocation} assumes the default batch of 1000);
 * {@code eventbusColdStart} (single shot): build a bus and time one event to its result, worker JVM start included;
 * {@code eventbusColdStartAotCache}: the same with the workers' AOT cache ({@code coreletAotCache}) made beforehand.
 * Baselines against an {@link EchoChild} JVM over its stdin/stdout: a raw length-prefixed frame round trip, the same
 * with the message serialized and deserialized with java.io serialization on both sides (under an
 * {@link java.io.ObjectInputFilter}, as eventbus does), that again with the child at nice 10 like CORELET's workers, and the cold start of such a child to its first reply.
 *
 * <p>The eventbus methods need the CORELET mode (artifact {@code eventbus-corelet}); the report runner skips them
 * with a message while it is missing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CoreletBenchmark {

    static final String TYPE = "bench.echo";
    static final String PAYLOAD = "ping-0123456789";

    private static EventBus newBus(int threads) {
        return newBus(threads, null);
    }

    private static EventBus newBus(int threads, Path aotCache) {
        Modes.require(ExecutionMode.CORELET, "dev.eventbus:eventbus-corelet");
        EventFactory factory = new EventFactory();
        factory.registerEventType(TYPE, EchoHandler.class);
        EventBus.Builder builder = EventBus.builder().threads(threads).coreletPoolSize(threads)
                .resultCacheSize(100_000).factory(factory);
        if (aotCache != null) {
            builder.coreletAotCache(aotCache);
        }
        return builder.build();
    }

    /**
     * How long each warm state exercises its worker JVMs, or its baseline child, before measuring: "warm" means at
     * steady speed on both sides. A count was not enough: on the 2-core AMD VM, round trips through a new worker JVM,
     * and through the java.io baseline's child alike, ran at up to twice their steady time for their first seconds
     * (about 80,000 sequential round trips through one worker, whether at nice 10 or not), and with 5,000 warm-up
     * round trips the rows measured that phase. Override with {@code -Dbench.corelet.warmUpMillis} (in the forks:
     * {@code -jvmArgsAppend}; the smoke test sets it in-process).
     */
    static final Duration WARM_UP = Duration.ofMillis(Long.getLong("bench.corelet.warmUpMillis", 6_000));

    /** Runs {@code roundTrip} in rounds of 100 until {@code duration} has passed (at least one round). */
    private static void warmUp(Duration duration, Runnable roundTrip) {
        long end = System.nanoTime() + duration.toNanos();
        do {
            for (int i = 0; i < 100; i++) {
                roundTrip.run();
            }
        } while (System.nanoTime() < end);
    }

    private static Event event() {
        return Event.builder(TYPE).mode(ExecutionMode.CORELET).data(PAYLOAD).build();
    }

    private static EventResult check(EventResult result) {
        if (!result.success()) {
            throw new IllegalStateException("CORELET echo failed: " + result, result.exception());
        }
        return result;
    }

    /** A warm bus: both worker JVMs started. */
    @State(Scope.Benchmark)
    public static class WarmBus {
        /** Events per invocation of the busy benchmark. */
        @Param({"1000"})
        public int batch;

        EventBus bus;

        /** Builds the bus, starts both workers and warms them up (see {@link #WARM_UP}). */
        @Setup(Level.Trial)
        public void setUp() {
            bus = newBus(2);
            warmUp(WARM_UP, () -> {
                List<CompletableFuture<EventResult>> warm = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    warm.add(bus.submit(event()));
                }
                warm.forEach(f -> check(f.join()));
            });
        }

        /** Shuts the bus and its workers down. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (bus != null) {
                bus.shutdown();
            }
        }
    }

    /** A fresh bus per invocation, for the cold start. */
    @State(Scope.Thread)
    public static class ColdBus {
        EventBus bus;

        /** Builds a bus whose workers have not started. */
        @Setup(Level.Invocation)
        public void setUp() {
            bus = newBus(2);
        }

        /** Shuts it down. */
        @TearDown(Level.Invocation)
        public void tearDown() {
            if (bus != null) {
                bus.shutdown();
            }
        }
    }

    /**
     * A fresh bus per invocation whose workers start from an AOT cache ({@code coreletAotCache}), made once per
     * trial: the first bus's first worker trains it, and its shutdown waits until the cache is written. The JDK makes
     * AOT caches from JARs only: with {@code -Dbench.corelet.aotCacheOptional=true} (the smoke test, which runs on
     * class directories) the row runs without one instead of failing.
     */
    @State(Scope.Thread)
    public static class AotColdBus {
        Path dir;
        Path cache;
        EventBus bus;

        /**
         * Makes the cache in a new temporary directory.
         *
         * @throws IOException if the directory cannot be made
         */
        @Setup(Level.Trial)
        public void makeCache() throws IOException {
            dir = Files.createTempDirectory("eventbus-bench-aot-");
            cache = dir.resolve("workers.aot");
            try (EventBus training = newBus(2, cache)) {
                check(training.submit(event()).join());
            }
            if (!Files.isRegularFile(cache) && !Boolean.getBoolean("bench.corelet.aotCacheOptional")) {
                throw new IllegalStateException("no AOT cache was made at " + cache + ": see the warnings above");
            }
        }

        /** Builds a bus whose workers have not started. */
        @Setup(Level.Invocation)
        public void setUp() {
            bus = newBus(2, cache);
        }

        /** Shuts it down. */
        @TearDown(Level.Invocation)
        public void tearDown() {
            if (bus != null) {
                bus.shutdown();
            }
        }

        /**
         * Deletes the cache and its directory.
         *
         * @throws IOException if they cannot be deleted
         */
        @TearDown(Level.Trial)
        public void deleteCache() throws IOException {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** The echo child of the baseline being measured: started and warmed for that baseline alone. */
    @State(Scope.Thread)
    public static class Pipe {
        PipeChild child;
        private boolean raw;
        private final byte[] frame = PAYLOAD.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        private long nextId;

        /**
         * Starts the child the benchmark method talks to and warms it up (see {@link #WARM_UP}).
         *
         * @param params names the benchmark method
         * @throws Exception if the child cannot start or answers wrongly
         */
        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws Exception {
            String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
            raw = method.equals("rawPipeRoundTrip");
            child = switch (method) {
                case "rawPipeRoundTrip" -> new PipeChild("raw");
                case "serializedPipeRoundTrip" -> new PipeChild("serial");
                case "serializedPipeRoundTripNice10" -> new PipeChild("serial", true);
                default -> throw new IllegalStateException("no echo child for benchmark " + method);
            };
            warmUp(WARM_UP, () -> {
                try {
                    requireReply(raw ? rawRoundTrip() : serializedRoundTrip());
                } catch (IOException | ClassNotFoundException e) {
                    throw new IllegalStateException("the echo child failed while warming up", e);
                }
            });
        }

        byte[] rawRoundTrip() throws IOException {
            return child.roundTrip(frame);
        }

        EchoMessage serializedRoundTrip() throws IOException, ClassNotFoundException {
            return child.roundTrip(new EchoMessage(Long.toString(nextId++), PAYLOAD));
        }

        private static void requireReply(Object reply) {
            if (reply == null) {
                throw new IllegalStateException("the echo child sent no reply");
            }
        }

        /** Ends the child. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (child != null) {
                child.close();
            }
        }
    }

    /**
     * eventbus CORELET, warm: submit one event and join its result.
     *
     * @param state the warm bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusRoundTrip(WarmBus state) {
        return check(state.bus.submit(event()).join());
    }

    /**
     * eventbus CORELET, both workers busy: publish a batch, join, read every result.
     *
     * @param state the warm bus
     * @return the number of results read
     */
    @Benchmark
    @OperationsPerInvocation(1000)
    public int eventbusTwoWorkersBusy(WarmBus state) {
        List<String> ids = new ArrayList<>(state.batch);
        for (int i = 0; i < state.batch; i++) {
            ids.add(state.bus.publish(event()));
        }
        state.bus.join();
        Map<String, EventResult> results = state.bus.getResults(ids, false);
        if (results.size() != state.batch) {
            throw new IllegalStateException("Read " + results.size() + " results of " + state.batch);
        }
        results.values().forEach(CoreletBenchmark::check);
        return results.size();
    }

    /**
     * eventbus CORELET, cold: a new bus, one event to its result (worker JVM start included).
     *
     * @param state a bus whose workers have not started
     * @return the result
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public EventResult eventbusColdStart(ColdBus state) {
        return check(state.bus.submit(event()).join());
    }

    /**
     * eventbus CORELET, cold, with {@code coreletAotCache}: a new bus, one event to its result, the worker JVM
     * starting from the AOT cache made in the trial's set-up.
     *
     * @param state a bus whose workers have not started, with a ready AOT cache
     * @return the result
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public EventResult eventbusColdStartAotCache(AotColdBus state) {
        return check(state.bus.submit(event()).join());
    }

    /**
     * Baseline: a raw length-prefixed frame to a child JVM and back.
     *
     * @param pipe the echo child
     * @return the echoed frame
     * @throws IOException on a broken pipe
     */
    @Benchmark
    public byte[] rawPipeRoundTrip(Pipe pipe) throws IOException {
        return pipe.rawRoundTrip();
    }

    /**
     * Baseline: a java.io-serialized message to a child JVM and back, deserialized on both sides.
     *
     * @param pipe the echo child
     * @return the reply
     * @throws Exception on a broken pipe or a bad reply
     */
    @Benchmark
    public EchoMessage serializedPipeRoundTrip(Pipe pipe) throws Exception {
        return pipe.serializedRoundTrip();
    }

    /**
     * Baseline: the same java.io-serialized round trip with the child at {@code nice -n 10}, the priority CORELET
     * gives its workers: on a busy machine this, not the protocol, can dominate.
     *
     * @param pipe the echo child
     * @return the reply
     * @throws Exception on a broken pipe or a bad reply
     */
    @Benchmark
    public EchoMessage serializedPipeRoundTripNice10(Pipe pipe) throws Exception {
        return pipe.serializedRoundTrip();
    }

    /**
     * Baseline: start an echo child JVM and get its first java.io-serialized reply.
     *
     * @return the reply
     * @throws Exception on a broken pipe
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public EchoMessage pipeChildColdStart() throws Exception {
        try (PipeChild child = new PipeChild("serial")) {
            return child.roundTrip(new EchoMessage("cold", PAYLOAD));
        }
    }
}
