package dev.eventbus.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TargetsTest {

    private static BenchmarkReport.Row row(String type, String method, String metric, Map<String, String> params,
            double score, String unit) {
        return new BenchmarkReport.Row(type, method, metric, "avgt", params, score, 1, unit);
    }

    @Test
    void syncTargetsAreJudgedFromRatiosOfTheSameRun() {
        List<BenchmarkReport.Row> rows = List.of(
                row("SyncDispatchBenchmark", "eventbusPublishGetResults", "", Map.of(), 50, "ns/op"),
                row("SyncDispatchBenchmark", "guavaPost", "", Map.of(), 100, "ns/op"),
                row("SyncDispatchBenchmark", "greenrobotPost", "", Map.of(), 40, "ns/op"),
                row("SyncDispatchBenchmark", "directCallFloor", "", Map.of(), 25, "ns/op"));
        String table = Targets.table(rows);
        assertTrue(table.contains("| SYNC below Guava | 0.50× | met |"), table);
        assertTrue(table.contains("| SYNC below greenrobot | 1.25× | **MISSED** |"), table);
        assertTrue(table.contains("| SYNC within 2× the direct-call floor | 2.00× | met |"), table);
        assertTrue(table.contains("| CMD per-command overhead within 1.5× C posix_spawn+waitpid | | not run |"), table);
    }

    @Test
    void latencyTargetsCompareTheTenThousandRateOnly() {
        List<BenchmarkReport.Row> rows = List.of(
                row("ThreadLatencyBenchmark", "eventbus", "p99", Map.of("rate", "1000"), 1, "us"),
                row("ThreadLatencyBenchmark", "pbqPool", "p99", Map.of("rate", "1000"), 100, "us"),
                row("ThreadLatencyBenchmark", "eventbus", "p99", Map.of("rate", "10000"), 60, "us"),
                row("ThreadLatencyBenchmark", "pbqPool", "p99", Map.of("rate", "10000"), 100, "us"));
        String table = Targets.table(rows);
        assertTrue(table.contains("(ratio ≤ 0.5) | 0.60× | **MISSED** |"), table);
    }

    @Test
    void throughputTargetsJudgeTwoWorkersAndShowFuturesAndOneWorkerApart() {
        Map<String, String> two = Map.of("batch", "100000", "threads", "2");
        Map<String, String> one = Map.of("batch", "100000", "threads", "1");
        List<BenchmarkReport.Row> rows = List.of(
                row("ThreadThroughputBenchmark", "eventbus", "", two, 500, "ns/op"),
                row("ThreadThroughputBenchmark", "eventbusSubmit", "", two, 200, "ns/op"),
                row("ThreadThroughputBenchmark", "pbqPool", "", two, 1000, "ns/op"),
                row("ThreadThroughputBenchmark", "lbqPool", "", two, 400, "ns/op"),
                row("ThreadThroughputBenchmark", "eventbus", "", one, 300, "ns/op"),
                row("ThreadThroughputBenchmark", "pbqPool", "", one, 1000, "ns/op"),
                row("ThreadThroughputBenchmark", "lbqPool", "", one, 600, "ns/op"));
        String table = Targets.table(rows);
        assertTrue(table.contains("pool (time ratio ≤ 0.33) | 0.50× | **MISSED** |"), table);
        assertTrue(table.contains("pool (time ratio ≤ 0.83) | 1.25× | **MISSED** |"), table);
        assertTrue(table.contains("pool (time ratio ≤ 0.33), submit futures | 0.20× | met |"), table);
        assertTrue(table.contains("pool (time ratio ≤ 0.83), submit futures | 0.50× | met |"), table);
        assertTrue(table.contains("pool (time ratio ≤ 0.33), one worker | 0.30× | met |"), table);
        assertTrue(table.contains("pool (time ratio ≤ 0.83), one worker | 0.50× | met |"), table);
    }

    @Test
    void coreletThroughputIsJudgedInEventsPerSecond() {
        List<BenchmarkReport.Row> rows = List.of(
                row("CoreletBenchmark", "eventbusTwoWorkersBusy", "", Map.of("batch", "1000"), 40, "us/op"));
        String table = Targets.table(rows);
        assertTrue(table.contains("| CORELET ≥ 20k events/s with two workers | 25,000 events/s | met |"), table);
    }

    @Test
    void ratiosPairOnlyRowsWithTheSameMetricUnitAndParams() {
        var ours = row("ThreadLatencyBenchmark", "eventbus", "p50", Map.of("rate", "1000", "threads", "2"), 1, "us");
        assertTrue(ours.comparable(row("ThreadLatencyBenchmark", "pbqPool", "p50", Map.of("rate", "1000"), 1, "us")));
        assertFalse(ours.comparable(row("ThreadLatencyBenchmark", "pbqPool", "p50", Map.of("rate", "10000"), 1, "us")));
        assertFalse(ours.comparable(row("ThreadLatencyBenchmark", "pbqPool", "p99", Map.of("rate", "1000"), 1, "us")));
        assertEquals(1_000_000, ours.withUnit("us/op").perSecond(), 1e-6);
    }

    @Test
    void thePublishersLatenessIsShownWithoutRatios() {
        Map<String, String> params = Map.of("rate", "10000");
        assertTrue(row("ThreadLatencyBenchmark", "eventbus", "p99", params, 1, "us").hasRatios());
        assertFalse(row("ThreadLatencyBenchmark", "eventbus", "publisherLateP99", params, 1, "us").hasRatios());
        assertFalse(row("ThreadLatencyBenchmark", "pbqPool", "p99", params, 1, "us").hasRatios());
    }
}
