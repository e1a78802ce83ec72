package dev.eventbus.benchmarks;

import dev.eventbus.ExecutionMode;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs the short benchmark profile with the JMH Runner API and prints a markdown table: every figure with its error,
 * its ratio to each baseline of the same run, the targets met or missed, and the machine. JSON results (JMH's
 * format, one array) and the markdown go to {@code target/benchmarks/} unless {@code --out DIR} says otherwise.
 *
 * <p>Usage: {@code java -jar benchmarks.jar [REGEX] [--out DIR]}; REGEX selects benchmarks by a search in their full
 * name ({@code Sync}, {@code Thread}, {@code CoreletBenchmark.eventbus}, ...). Benchmarks of a mode whose module is
 * not on the class path, and the C floor without gcc, are skipped with a message.
 *
 * <p>Not thread-safe; run from {@code main}.
 */
public final class BenchmarkReport {

    /** How one benchmark class is run in the short profile. */
    record Profile(Class<?> type, int warmups, long warmupMillis, int iterations, long iterationMillis) {
    }

    static final List<Profile> PROFILES = List.of(
            new Profile(SyncDispatchBenchmark.class, 2, 1000, 5, 1000),
            new Profile(SyncDispatchTwoThreadsBenchmark.class, 1, 1000, 4, 1000),
            new Profile(ThreadThroughputBenchmark.class, 2, 1000, 5, 1000),
            new Profile(ThreadLatencyBenchmark.class, 2, 1000, 4, 2000),
            new Profile(CoreletBenchmark.class, 1, 1000, 5, 1000),
            new Profile(CmdBenchmark.class, 2, 1000, 5, 1000),
            new Profile(MemoryBenchmark.class, 1, 0, 3, 0));

    /** The secondary results benchmarks record through {@link MetricsProfiler}. */
    static final List<String> METRICS = List.of("p50", "p99", "p999", "publisherLateP99", "bytesPerQueuedEvent",
            "bytesPerCachedResult");

    /**
     * Metrics that describe the run, not the code under test (how late the benchmark's own publisher was): shown,
     * never turned into a ratio.
     */
    static final Set<String> DIAGNOSTICS = Set.of("publisherLateP99");

    private BenchmarkReport() {
    }

    /**
     * Runs the selected benchmarks and prints the report.
     *
     * @param args {@code [REGEX] [--out DIR]}
     * @throws Exception if JMH cannot run or the results cannot be written
     */
    public static void main(String[] args) throws Exception {
        Pattern select = Pattern.compile(".*");
        Path out = Path.of("target", "benchmarks");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: java -jar benchmarks.jar [REGEX] [--out DIR]");
                return;
            } else if (!args[i].isBlank()) {
                select = Pattern.compile(args[i]);
            }
        }
        Files.createDirectories(out);
        String loadBefore = loadAverage();
        List<String> notes = new ArrayList<>();
        List<RunResult> results = new ArrayList<>();
        List<String> jsonParts = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Profile profile : PROFILES) {
            List<String> names = selected(profile.type(), select, notes);
            if (names.isEmpty()) {
                continue;
            }
            Path json = out.resolve(profile.type().getSimpleName() + ".json");
            List<RunResult> run = run(profile, names, json, 1, Map.of(), false);
            results.addAll(run);
            if (Files.exists(json)) {
                jsonParts.add(stripArray(Files.readString(json)));
            }
            for (String name : names) {
                if (run.stream().noneMatch(r -> r.getParams().getBenchmark().equals(name))) {
                    missing.add(name);
                }
            }
        }
        for (String name : missing) {
            notes.add("`" + shortName(name) + "` failed: see the JMH output above");
        }
        Path json = out.resolve("results.json");
        Files.writeString(json, "[\n" + jsonParts.stream().filter(s -> !s.isBlank())
                .collect(Collectors.joining(",\n")) + "\n]\n");
        notes.add("load average (1/5/15 min) before: " + loadBefore + ", after: " + loadAverage()
                + " (other work on the machine widens the errors)");
        String markdown = markdown(results, notes);
        Files.writeString(out.resolve("results.md"), markdown);
        System.out.println();
        System.out.println(markdown);
        System.out.println("JSON: " + json.toAbsolutePath());
    }

    /**
     * Runs one profile's benchmarks; a seam for the smoke test (no fork, tiny times and parameters, fail on error).
     *
     * @param profile iterations and times
     * @param names full benchmark names
     * @param json where JMH writes its JSON, or null
     * @param forks JMH forks; 0 runs in this JVM
     * @param params parameter overrides
     * @param failOnError whether a failing benchmark throws
     * @return the results
     * @throws RunnerException if JMH fails (or a benchmark does, with failOnError)
     */
    static List<RunResult> run(Profile profile, List<String> names, Path json, int forks, Map<String, String> params,
            boolean failOnError) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .forks(forks)
                .warmupIterations(profile.warmups())
                .measurementIterations(profile.iterations())
                .timeout(TimeValue.minutes(3))
                // A fixed, pre-touched heap: otherwise page faults of a growing heap land in whichever row runs then.
                .jvmArgsPrepend("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch")
                .shouldFailOnError(failOnError)
                .addProfiler(MetricsProfiler.class);
        params.forEach(options::param);
        if (failOnError) {
            options.verbosity(VerboseMode.SILENT);
        }
        if (profile.warmupMillis() > 0) {
            options.warmupTime(TimeValue.milliseconds(profile.warmupMillis()));
        }
        if (profile.iterationMillis() > 0) {
            options.measurementTime(TimeValue.milliseconds(profile.iterationMillis()));
        }
        if (json != null) {
            options.resultFormat(ResultFormatType.JSON).result(json.toString());
        }
        for (String name : names) {
            options.include("^" + Pattern.quote(name) + "$");
        }
        return new ArrayList<>(new Runner(options.build()).run());
    }

    /** The benchmark methods of a class that the regex selects and that can run here. */
    static List<String> selected(Class<?> type, Pattern select, List<String> notes) {
        boolean runtime = Modes.runtimeAvailable();
        List<String> names = new ArrayList<>();
        for (String name : benchmarkNames(type)) {
            if (!select.matcher(name).find()) {
                continue;
            }
            String method = name.substring(name.lastIndexOf('.') + 1);
            Optional<String> skip = Optional.empty();
            if (method.startsWith("eventbus") && !runtime) {
                skip = Optional.of("no eventbus runtime on the class path (dev.eventbus:eventbus-runtime)");
            } else if (method.startsWith("eventbus") && type == CoreletBenchmark.class
                    && !Modes.available(ExecutionMode.CORELET)) {
                skip = Optional.of("CORELET mode not available yet (dev.eventbus:eventbus-corelet)");
            } else if (method.startsWith("eventbus") && type == CmdBenchmark.class
                    && !Modes.available(ExecutionMode.CMD)) {
                skip = Optional.of("CMD mode not available yet (dev.eventbus:eventbus-cmd)");
            } else if (method.startsWith("posixSpawn") && NativeFloor.binary().isEmpty()) {
                skip = Optional.of(NativeFloor.failure());
            }
            if (skip.isPresent()) {
                notes.add("skipped `" + shortName(name) + "`: " + skip.get());
            } else {
                names.add(name);
            }
        }
        return names;
    }

    static List<String> benchmarkNames(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.isAnnotationPresent(Benchmark.class))
                .sorted(Comparator.comparing(Method::getName))
                .map(m -> type.getName() + "." + m.getName())
                .toList();
    }

    private static String stripArray(String json) {
        String s = json.strip();
        if (s.startsWith("[")) {
            s = s.substring(1);
        }
        if (s.endsWith("]")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.strip();
    }

    static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    /** One figure of the table. */
    record Row(String type, String method, String metric, String mode, Map<String, String> params, double score,
            double error, String unit) {

        boolean ours() {
            return method.startsWith("eventbus");
        }

        /** Our rows get ratios to the baselines, except diagnostics of the run itself. */
        boolean hasRatios() {
            return ours() && !DIAGNOSTICS.contains(metric);
        }

        String label() {
            return metric.isEmpty() ? method : method + " · " + metric;
        }

        boolean comparable(Row other) {
            if (!type.equals(other.type) || !metric.equals(other.metric) || !mode.equals(other.mode)
                    || !unit.equals(other.unit)) {
                return false;
            }
            for (var e : params.entrySet()) {
                String theirs = other.params.get(e.getKey());
                if (theirs != null && !theirs.equals(e.getValue())) {
                    return false;
                }
            }
            return true;
        }

        Row withUnit(String newUnit) {
            return new Row(type, method, metric, mode, params, score, error, newUnit);
        }

        /** Operations per second for a time-per-operation figure, else NaN. */
        double perSecond() {
            double scale = switch (unit) {
                case "ns/op" -> 1e9;
                case "us/op" -> 1e6;
                case "ms/op" -> 1e3;
                case "s/op" -> 1;
                default -> Double.NaN;
            };
            return scale / score;
        }
    }

    static List<Row> rows(List<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            var params = r.getParams();
            String benchmark = params.getBenchmark();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String type = benchmark.substring(0, benchmark.lastIndexOf('.'));
            type = type.substring(type.lastIndexOf('.') + 1);
            Map<String, String> values = new LinkedHashMap<>();
            for (String key : params.getParamsKeys()) {
                values.put(key, params.getParam(key));
            }
            String mode = params.getMode().shortLabel();
            boolean secondaryOnly = false;
            for (String metric : METRICS) {
                Result<?> secondary = r.getSecondaryResults().get(metric);
                if (secondary != null) {
                    secondaryOnly = true;
                    rows.add(new Row(type, method, metric, mode, values, secondary.getScore(),
                            secondary.getScoreError(), secondary.getScoreUnit()));
                }
            }
            if (!secondaryOnly) {
                Result<?> primary = r.getPrimaryResult();
                rows.add(new Row(type, method, "", mode, values, primary.getScore(), primary.getScoreError(),
                        primary.getScoreUnit()));
            }
        }
        return rows;
    }

    static String markdown(List<RunResult> results, List<String> notes) {
        List<Row> rows = rows(results);
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(machine()).append("\n\n");
        md.append("Ratio = our figure ÷ the baseline's, from the same run: below 1 is better for eventbus "
                + "(less time, fewer bytes). ops/s is the inverse of a per-operation time.\n\n");
        Map<String, List<Row>> byType = rows.stream()
                .collect(Collectors.groupingBy(Row::type, LinkedHashMap::new, Collectors.toList()));
        for (var entry : byType.entrySet()) {
            md.append("### ").append(entry.getKey()).append("\n\n");
            md.append("| Benchmark | Params | Score | Error | Unit | ops/s | Ratio to baselines |\n");
            md.append("|---|---|---:|---:|---|---:|---|\n");
            for (Row row : entry.getValue()) {
                String ratios = "";
                if (row.hasRatios()) {
                    ratios = entry.getValue().stream()
                            .filter(b -> !b.ours() && row.comparable(b))
                            .map(b -> fmt(row.score() / b.score()) + "× " + b.method())
                            .collect(Collectors.joining(", "));
                }
                double perSecond = row.perSecond();
                md.append("| ").append(row.ours() ? "**" + row.label() + "**" : row.label())
                        .append(" | ").append(row.params().entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")))
                        .append(" | ").append(fmt(row.score()))
                        .append(" | ").append(Double.isNaN(row.error()) ? "" : "± " + fmt(row.error()))
                        .append(" | ").append(row.unit())
                        .append(" | ").append(Double.isNaN(perSecond) ? "" : fmt(perSecond))
                        .append(" | ").append(ratios).append(" |\n");
            }
            md.append('\n');
        }
        md.append(Targets.table(rows));
        if (!notes.isEmpty()) {
            md.append("\nNotes:\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    static String fmt(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value);
        }
        double abs = Math.abs(value);
        if (abs >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(cpu);
        } catch (IOException e) {
            // not Linux: keep "unknown CPU"
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + Runtime.version() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
