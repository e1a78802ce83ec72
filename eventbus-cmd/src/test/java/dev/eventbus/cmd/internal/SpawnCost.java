package dev.eventbus.cmd.internal;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.runtime.TestAttempt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Measures what starting a command costs, per command, sequentially: the C floor ({@code posix_spawn} +
 * {@code waitpid}, built with gcc from the benchmarks' {@code posix_spawn_floor.c}, the one C floor of the project), a bare {@link ProcessBuilder}, and a whole
 * CMD attempt through {@link CmdExecutor} with each launcher. A rough tool to decide and document; the JMH benchmark
 * in {@code eventbus-benchmarks} is the reference. Not a test.
 *
 * <p>Run after {@code ./mvnw -pl eventbus-cmd -am test-compile}:
 * {@snippet lang=sh :
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp eventbus-cmd/target/test-classes:eventbus-cmd/target/classes:eventbus-api/target/classes \
 *   dev.eventbus.cmd.internal.SpawnCost 2000
 * }
 */
public final class SpawnCost {

    private SpawnCost() {
    }

    /**
     * Prints microseconds per command for each way of starting one.
     *
     * @param args the number of commands per round (default 1000)
     * @throws Exception if a command cannot run
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String exe = "/bin/true";
        Path floor = buildFloor();
        CmdExecutor jdk = new CmdExecutor(1 << 20, new JdkLauncher());
        CmdExecutor spawn = SpawnLauncher.available() ? new CmdExecutor(1 << 20, new SpawnLauncher()) : null;
        System.out.printf(Locale.ROOT, "%d x %s in 10 interleaved rounds, %d CPUs, %s %s; median (min) us/command%n",
                n, exe, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        int batch = Math.max(1, n / 10);
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        attempts(jdk, batch, exe); // warm-up
        if (spawn != null) {
            attempts(spawn, batch, exe);
        }
        processBuilder(batch, exe);
        for (int round = 0; round < 10; round++) {
            if (floor != null) {
                samples.computeIfAbsent("C posix_spawn+waitpid", k -> new ArrayList<>())
                        .add(run(floor, batch, exe, false));
                samples.computeIfAbsent("C posix_spawn, stdout+stderr piped", k -> new ArrayList<>())
                        .add(run(floor, batch, exe, true));
            }
            samples.computeIfAbsent("ProcessBuilder (" + System.getProperty("jdk.lang.Process.launchMechanism",
                    "default") + ")", k -> new ArrayList<>()).add(processBuilder(batch, exe));
            samples.computeIfAbsent("CMD attempt, ProcessBuilder launcher", k -> new ArrayList<>())
                    .add(attempts(jdk, batch, exe));
            if (spawn != null) {
                samples.computeIfAbsent("CMD attempt, posix_spawn (FFM) launcher", k -> new ArrayList<>())
                        .add(attempts(spawn, batch, exe));
                samples.computeIfAbsent("  the same, output to /dev/null (no capture)", k -> new ArrayList<>())
                        .add(attempts(spawn, batch, CmdRequest.builder(exe).stdoutFile(Path.of("/dev/null"))
                                .stderrFile(Path.of("/dev/null")).build()));
            }
        }
        samples.forEach((name, values) -> {
            List<Double> sorted = values.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "  %-42s %8.1f (%.1f)%n", name, sorted.get(sorted.size() / 2),
                    sorted.get(0));
        });
        if (spawn == null) {
            System.out.println("  posix_spawn launcher unavailable: " + SpawnLauncher.unavailableReason());
        }
        jdk.close();
        if (spawn != null) {
            spawn.close();
        }
    }

    private static double processBuilder(int n, String exe) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Process p = new ProcessBuilder(exe).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            p.getErrorStream().readAllBytes();
            p.waitFor();
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private static double attempts(CmdExecutor executor, int n, String exe) throws Exception {
        return attempts(executor, n, CmdRequest.of(exe));
    }

    private static double attempts(CmdExecutor executor, int n, CmdRequest request) throws Exception {
        Event event = Event.builder("spawn-cost").mode(ExecutionMode.CMD).data(request).build();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            EventResult result = executor.execute(event, new TestAttempt());
            if (!result.success()) {
                throw new IllegalStateException("command failed: " + result);
            }
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private static final String FLOOR_SOURCE =
            "eventbus-benchmarks/src/main/resources/dev/eventbus/benchmarks/posix_spawn_floor.c";

    private static Path buildFloor() throws IOException, InterruptedException {
        Path source = Path.of(FLOOR_SOURCE);
        if (!Files.exists(source)) {
            source = Path.of("..", FLOOR_SOURCE); // run from the module's folder
        }
        Path dir = Files.createTempDirectory("spawn-floor");
        Path binary = dir.resolve("posix_spawn_floor");
        dir.toFile().deleteOnExit(); // deleted last: registered first
        binary.toFile().deleteOnExit();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString()).inheritIO()
                .start();
        if (gcc.waitFor() != 0) {
            System.out.println("gcc failed: no C floor");
            return null;
        }
        return binary;
    }

    /** Runs the C floor for {@code n} commands; microseconds per command, its own start amortized over them. */
    private static double run(Path floor, int n, String exe, boolean pipes) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(floor.toString(), Integer.toString(n)));
        if (pipes) {
            command.add("--pipes");
        }
        command.add(exe);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the C floor failed: " + command);
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }
}
