package dev.eventbus.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The targets of issue 5, checked against the rows of one run: each line says the target, the measured ratio or
 * figure, and whether it is met. A target whose rows did not run reads "not run".
 *
 * <p>Stateless.
 */
final class Targets {

    private Targets() {
    }

    static String table(List<BenchmarkReport.Row> rows) {
        StringBuilder md = new StringBuilder("### Targets (issue 5)\n\n| Target | Measured | Verdict |\n|---|---:|---|\n");
        ratio(md, rows, "SYNC below Guava", "SyncDispatchBenchmark", "eventbusPublishGetResults", "guavaPost", "",
                Map.of(), 1.0, true);
        ratio(md, rows, "SYNC below greenrobot", "SyncDispatchBenchmark", "eventbusPublishGetResults",
                "greenrobotPost", "", Map.of(), 1.0, true);
        ratio(md, rows, "SYNC within 2× the direct-call floor", "SyncDispatchBenchmark", "eventbusPublishGetResults",
                "directCallFloor", "", Map.of(), 2.0, false);
        // The target's row: publish, results read from the cache, two workers. Then, to show where the time goes,
        // the same with submit() futures (no cache) and with one worker (no second worker contending).
        for (var variant : List.of(List.of("eventbus", "2", ""), List.of("eventbusSubmit", "2", ", submit futures"),
                List.of("eventbus", "1", ", one worker"))) {
            String ours = variant.get(0);
            Map<String, String> threads = Map.of("threads", variant.get(1));
            ratio(md, rows, "THREAD throughput ≥ 3× the PriorityBlockingQueue pool (time ratio ≤ 0.33)"
                    + variant.get(2), "ThreadThroughputBenchmark", ours, "pbqPool", "", threads, 1 / 3.0, false);
            ratio(md, rows, "THREAD throughput ≥ 1.2× the LinkedBlockingQueue pool (time ratio ≤ 0.83)"
                    + variant.get(2), "ThreadThroughputBenchmark", ours, "lbqPool", "", threads, 1 / 1.2, false);
        }
        ratio(md, rows, "THREAD p50 at 10k/s ≤ the PBQ pool's", "ThreadLatencyBenchmark", "eventbus", "pbqPool",
                "p50", Map.of("rate", "10000"), 1.0, false);
        ratio(md, rows, "THREAD p99 at 10k/s ≥ 2× lower than the PBQ pool's (ratio ≤ 0.5)", "ThreadLatencyBenchmark",
                "eventbus", "pbqPool", "p99", Map.of("rate", "10000"), 0.5, false);
        absolute(md, rows, "CORELET ≥ 20k events/s with two workers", "CoreletBenchmark", "eventbusTwoWorkersBusy",
                "", r -> r.perSecond(), 20_000, true, "events/s");
        ratio(md, rows, "CORELET warm round trip within 1.5× the java.io pipe round trip", "CoreletBenchmark",
                "eventbusRoundTrip", "serializedPipeRoundTrip", "", Map.of(), 1.5, false);
        absolute(md, rows, "CORELET cold start to first result < 150 ms", "CoreletBenchmark", "eventbusColdStart",
                "", BenchmarkReport.Row::score, 150, false, "ms");
        absolute(md, rows, "CORELET cold start to first result < 150 ms, with `coreletAotCache`",
                "CoreletBenchmark", "eventbusColdStartAotCache", "", BenchmarkReport.Row::score, 150, false, "ms");
        ratio(md, rows, "CMD per-command overhead within 1.5× C posix_spawn+waitpid", "CmdBenchmark",
                "eventbusCommand", "posixSpawnFloor", "", Map.of(), 1.5, false);
        absolute(md, rows, "≤ 200 B retained per queued event", "MemoryBenchmark", "eventbusQueuedEvent",
                "bytesPerQueuedEvent", BenchmarkReport.Row::score, 200, false, "B");
        absolute(md, rows, "≤ 200 B retained per cached result", "MemoryBenchmark", "eventbusCachedResult",
                "bytesPerCachedResult", BenchmarkReport.Row::score, 200, false, "B");
        return md.toString();
    }

    private static Optional<BenchmarkReport.Row> find(List<BenchmarkReport.Row> rows, String type, String method,
            String metric, Map<String, String> params) {
        return rows.stream()
                .filter(r -> r.type().equals(type) && r.method().equals(method) && r.metric().equals(metric))
                .filter(r -> params.entrySet().stream().allMatch(e -> e.getValue().equals(r.params().get(e.getKey()))))
                .findFirst();
    }

    private static void ratio(StringBuilder md, List<BenchmarkReport.Row> rows, String target, String type,
            String ours, String baseline, String metric, Map<String, String> params, double limit, boolean strict) {
        var a = find(rows, type, ours, metric, params);
        var b = find(rows, type, baseline, metric, params);
        if (a.isEmpty() || b.isEmpty()) {
            md.append("| ").append(target).append(" | | not run |\n");
            return;
        }
        double ratio = a.get().score() / b.get().score();
        boolean met = strict ? ratio < limit : ratio <= limit;
        md.append("| ").append(target).append(" | ").append(BenchmarkReport.fmt(ratio)).append("× | ")
                .append(met ? "met" : "**MISSED**").append(" |\n");
    }

    private static void absolute(StringBuilder md, List<BenchmarkReport.Row> rows, String target, String type,
            String ours, String metric, java.util.function.ToDoubleFunction<BenchmarkReport.Row> figure, double limit,
            boolean atLeast, String unit) {
        var a = find(rows, type, ours, metric, Map.of());
        if (a.isEmpty()) {
            md.append("| ").append(target).append(" | | not run |\n");
            return;
        }
        double value = figure.applyAsDouble(a.get());
        boolean met = atLeast ? value >= limit : value < limit || (value == limit && !unit.equals("ms"));
        md.append("| ").append(target).append(" | ").append(BenchmarkReport.fmt(value)).append(' ').append(unit)
                .append(" | ").append(met ? "met" : "**MISSED**").append(" |\n");
    }
}
