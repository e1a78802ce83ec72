package dev.eventbus.benchmarks;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import java.util.concurrent.TimeUnit;

/**
 * CMD: per-command overhead and commands per second for {@code /bin/true}.
 *
 * <p>eventbus: {@code eventbusCommand} submits one CMD event (data: a Map with {@code executable}) and joins its
 * result, one command at a time; {@code eventbusTwoWorkersBusy} publishes {@code batch} commands, joins and reads
 * every result, with both workers busy (score per command; {@code @OperationsPerInvocation} assumes the default
 * batch of 100). Baselines: {@link ProcessBuilder#start()} + {@code waitFor()} with the default pipes, one at a time;
 * the floor, a tiny C program doing {@code posix_spawn} + {@code waitpid} 100 times per invocation, compiled
 * with gcc at run time into {@code target/bench-native/} (skipped with a message if gcc is missing); and the same
 * floor with stdout and stderr on pipes read to end-of-file, the least that capturing output costs.
 *
 * <p>The forks enable native access, as a deployment that wants CMD's {@code posix_spawn} launcher does (without it
 * CMD falls back to {@link ProcessBuilder}).
 *
 * <p>The eventbus methods need the CMD mode (artifact {@code eventbus-cmd}); the report runner skips them with a
 * message while it is missing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CmdBenchmark {

    static final String TYPE = "bench.true";
    static final String EXECUTABLE = "/bin/true";
    static final int FLOOR_SPAWNS = 100;

    private static Event command() {
        return Event.builder(TYPE).mode(ExecutionMode.CMD).data(Map.of("executable", EXECUTABLE, "args", List.of())).build();
    }

    private static EventResult check(EventResult result) {
        if (!result.success()) {
            throw new IllegalStateException("CMD /bin/true failed: " + result, result.exception());
        }
        return result;
    }

    /** A bus with 2 workers. */
    @State(Scope.Benchmark)
    public static class Bus {
        /** Commands per invocation of the busy benchmark. */
        @Param({"100"})
        public int batch;

        EventBus bus;

        /** Builds the bus and runs a first command. */
        @Setup(Level.Trial)
        public void setUp() {
            Modes.require(ExecutionMode.CMD, "dev.eventbus:eventbus-cmd");
            bus = EventBus.builder().threads(2).resultCacheSize(10_000).factory(new EventFactory()).build();
            check(bus.submit(command()).join());
        }

        /** Shuts it down. */
        @TearDown(Level.Trial)
        public void tearDown() {
            if (bus != null) {
                bus.shutdown();
            }
        }
    }

    /** The compiled C floor. */
    @State(Scope.Benchmark)
    public static class Floor {
        Path binary;

        /** Compiles it, or fails the benchmark saying why. */
        @Setup(Level.Trial)
        public void setUp() {
            binary = NativeFloor.binary().orElseThrow(() -> new IllegalStateException(NativeFloor.failure()));
        }
    }

    /**
     * eventbus CMD: one {@code /bin/true} to its result.
     *
     * @param state the bus
     * @return the result
     */
    @Benchmark
    public EventResult eventbusCommand(Bus state) {
        return check(state.bus.submit(command()).join());
    }

    /**
     * eventbus CMD: a batch of {@code /bin/true} on both workers, joined, every result read.
     *
     * @param state the bus
     * @return the number of results read
     */
    @Benchmark
    @OperationsPerInvocation(100)
    public int eventbusTwoWorkersBusy(Bus state) {
        List<String> ids = new ArrayList<>(state.batch);
        for (int i = 0; i < state.batch; i++) {
            ids.add(state.bus.publish(command()));
        }
        state.bus.join();
        Map<String, EventResult> results = state.bus.getResults(ids, false);
        if (results.size() != state.batch) {
            throw new IllegalStateException("Read " + results.size() + " results of " + state.batch);
        }
        results.values().forEach(CmdBenchmark::check);
        return results.size();
    }

    /**
     * Baseline: {@code new ProcessBuilder("/bin/true").start().waitFor()}.
     *
     * @return the exit code
     * @throws Exception if the process cannot start
     */
    @Benchmark
    public int processBuilder() throws Exception {
        Process process = new ProcessBuilder(EXECUTABLE).start();
        int code = process.waitFor();
        process.getOutputStream().close();
        process.getInputStream().close();
        process.getErrorStream().close();
        return code;
    }

    /**
     * The floor: C {@code posix_spawn} + {@code waitpid} of {@code /bin/true}, 100 per invocation (the one spawn of
     * the C program itself is amortized over them).
     *
     * @param floor the compiled program
     * @return the C program's exit code
     * @throws IOException if it cannot start
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @OperationsPerInvocation(FLOOR_SPAWNS)
    public int posixSpawnFloor(Floor floor) throws IOException, InterruptedException {
        return runFloor(floor, Integer.toString(FLOOR_SPAWNS), EXECUTABLE);
    }

    /**
     * The floor with output capture: as {@link #posixSpawnFloor}, with each child's stdout and stderr on pipes that
     * the C program reads to end-of-file (with {@code poll}) before {@code waitpid}, as CMD does.
     *
     * @param floor the compiled program
     * @return the C program's exit code
     * @throws IOException if it cannot start
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @OperationsPerInvocation(FLOOR_SPAWNS)
    public int posixSpawnPipesFloor(Floor floor) throws IOException, InterruptedException {
        return runFloor(floor, Integer.toString(FLOOR_SPAWNS), "--pipes", EXECUTABLE);
    }

    private static int runFloor(Floor floor, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(floor.binary.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException("posix_spawn floor " + String.join(" ", args) + " exited " + code);
        }
        process.getOutputStream().close();
        return code;
    }
}
