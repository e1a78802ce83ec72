package dev.eventbus.benchmarks;

import dev.eventbus.ExecutionMode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each benchmark class starts and completes one tiny iteration (JMH in this JVM, a few milliseconds, small
 * parameters), so the benchmarks never rot; no timing is asserted. Afterwards no child process and no benchmark or
 * bus thread may be left.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchmarkSmokeTest {

    private static final BenchmarkReport.Profile TINY_TIMES = new BenchmarkReport.Profile(Object.class, 1, 5, 1, 5);
    /**
     * Threads the JDK, JUnit and JMH itself may keep; everything else must end. The JDK starts its virtual-thread
     * scheduler ({@code ForkJoinPool-N-worker-M}, {@code VirtualThread-unblocker}) the first time any code starts a
     * virtual thread, as a bus does for an attempt's stop actions, and keeps it for the JVM's life; whichever test
     * stops the first attempt would otherwise see it as a leak. eventbus itself creates no {@code ForkJoinPool}.
     */
    private static final Pattern ALLOWED_THREADS = Pattern.compile(
            "jmh-.*|process reaper.*|Common-Cleaner|Attach Listener|Notification Thread|Signal Dispatcher|"
                    + "Finalizer|Reference Handler|ForkJoinPool\\.commonPool.*|surefire-.*|.*Cleaner.*|"
                    + "junit-.*|JFR.*|RMI.*|InnocuousThread.*|ForkJoinPool-\\d+-worker-\\d+|VirtualThread-unblocker");

    private Set<Thread> threadsBefore;

    @BeforeAll
    static void warmUpBriefly() {
        // Read once, when CoreletBenchmark initializes: one round of warm-up round trips instead of seconds of them.
        System.setProperty("bench.corelet.warmUpMillis", "0");
        // The JDK makes AOT caches from JARs only, and this test runs on class directories.
        System.setProperty("bench.corelet.aotCacheOptional", "true");
    }

    @BeforeEach
    void rememberThreads() {
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    }

    @AfterEach
    void leavesNoProcessAndNoThreadBehind() throws Exception {
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            child.onExit().get(15, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), ProcessHandle.current().descendants().map(p -> p.pid() + " " + p.info().command())
                .toList(), "child processes left behind");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        List<Thread> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!threadsBefore.contains(t) && !ALLOWED_THREADS.matcher(t.getName()).matches()) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    left.add(t);
                }
            }
        }
        assertEquals(List.of(), left.stream().map(Thread::getName).toList(), "threads left behind");
    }

    private static List<RunResult> runTiny(Class<?> type, Map<String, String> params, int expectedBenchmarks)
            throws Exception {
        List<String> notes = new ArrayList<>();
        List<String> names = BenchmarkReport.selected(type, Pattern.compile(".*"), notes);
        List<RunResult> results = BenchmarkReport.run(TINY_TIMES, names, null, 0, params, true);
        Set<String> ran = results.stream().map(r -> r.getParams().getBenchmark()).collect(Collectors.toSet());
        System.out.println("smoke " + type.getSimpleName() + ": completed " + ran.size() + " benchmarks; " + notes);
        assertEquals(Set.copyOf(names), ran, "benchmarks that completed; skipped: " + notes);
        assertEquals(expectedBenchmarks, names.size() + notes.size(), "benchmarks found in " + type.getSimpleName());
        for (RunResult r : results) {
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), r.getParams().getBenchmark() + " scored " + score);
        }
        return results;
    }

    @BeforeAll
    static void runtimeIsOnTheClassPath() {
        assertTrue(Modes.runtimeAvailable(), "eventbus-runtime must be on the test class path");
        for (ExecutionMode mode : List.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET,
                ExecutionMode.CMD)) {
            assertTrue(Modes.available(mode), mode + " provider must be found through ServiceLoader");
        }
    }

    @Test
    void syncDispatchBenchmarkCompletesATinyIteration() throws Exception {
        runTiny(SyncDispatchBenchmark.class, Map.of(), 7);
    }

    @Test
    void syncDispatchTwoThreadsBenchmarkCompletesATinyIteration() throws Exception {
        runTiny(SyncDispatchTwoThreadsBenchmark.class, Map.of(), 6);
    }

    @Test
    void threadThroughputBenchmarkCompletesATinyIteration() throws Exception {
        runTiny(ThreadThroughputBenchmark.class, Map.of("batch", "2000"), 6);
    }

    @Test
    void threadLatencyBenchmarkCompletesATinyIterationAndReportsPercentiles() throws Exception {
        List<RunResult> results = runTiny(ThreadLatencyBenchmark.class,
                Map.of("rate", "10000", "batchMillis", "5"), 2);
        for (RunResult r : results) {
            for (String p : List.of("p50", "p99", "p999")) {
                var metric = r.getSecondaryResults().get(p);
                assertTrue(metric != null && metric.getScore() >= 0,
                        r.getParams().getBenchmark() + " reported " + p + ": " + metric);
            }
        }
    }

    @Test
    void coreletBenchmarkCompletesATinyIteration() throws Exception {
        runTiny(CoreletBenchmark.class, Map.of("batch", "10"), 8);
    }

    @Test
    void cmdBenchmarkCompletesATinyIteration() throws Exception {
        runTiny(CmdBenchmark.class, Map.of("batch", "4"), 5);
    }

    @Test
    void memoryBenchmarkCompletesATinyIterationAndReportsBytes() throws Exception {
        List<RunResult> results = runTiny(MemoryBenchmark.class, Map.of("events", "2000"), 4);
        for (RunResult r : results) {
            boolean reported = r.getSecondaryResults().containsKey("bytesPerQueuedEvent")
                    || r.getSecondaryResults().containsKey("bytesPerCachedResult");
            assertTrue(reported, r.getParams().getBenchmark() + " reported no bytes: " + r.getSecondaryResults());
        }
    }
}
