package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The 60-second chaos run of the normal test suite (set {@code -Dchaos.duration=5m} and {@code -Dchaos.seed=N} to
 * run longer or replay a seed).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ChaosRunTest {

    @Test
    void aMinuteOfChaosLosesDuplicatesAndLeaksNothing() {
        Duration duration = ChaosRun.parseDuration(System.getProperty("chaos.duration", "60s"));
        String seedProperty = System.getProperty("chaos.seed", "random");
        long seed = seedProperty.equals("random") ? System.nanoTime() : Long.parseLong(seedProperty);
        System.out.println("ChaosRunTest seed " + seed);
        Report report = ChaosRun.run(ChaosRun.Options.defaults(duration, seed, 3), System.out);

        String table = "seed " + seed + "\n" + report.table();
        for (String zero : List.of("lost results", "duplicated results", "wrong result kind", "wrong attempt count",
                "leaked threads", "leaked worker JVMs", "leaked child processes", "shutdowns leaving worker FIFOs open",
                "join over its bound", "shutdown over its bound", "progress not advanced exactly once",
                "caller interrupt flag left set", "harness errors")) {
            assertEquals(0, report.value(zero), zero + "\n" + table);
        }
        assertTrue(report.row("fd growth after shutdowns (last vs first third)").ok(), table);
        assertTrue(report.row("heap after GC, last third (KiB)").ok(), table);
        assertTrue(report.value("buses started") >= 2, "the run must replace its bus at least once\n" + table);
        assertTrue(report.value("results delivered") > 50, "too few events for a meaningful run\n" + table);
        assertEquals(report.value("events published") + report.value("events submitted"),
                report.value("results delivered"), "every accepted event has exactly one result\n" + table);
        assertTrue(report.allOk(), table);
    }
}
