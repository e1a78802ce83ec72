package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chaos program's command line: durations and options. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChaosRunOptionsTest {

    @Test
    void durationsAreReadInSecondsMinutesHoursMillisPlainSecondsAndIso() {
        assertEquals(Duration.ofSeconds(90), ChaosRun.parseDuration("90s"));
        assertEquals(Duration.ofMinutes(30), ChaosRun.parseDuration("30m"));
        assertEquals(Duration.ofHours(1), ChaosRun.parseDuration("1h"));
        assertEquals(Duration.ofMillis(500), ChaosRun.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(60), ChaosRun.parseDuration("60"));
        assertEquals(Duration.ofMinutes(30), ChaosRun.parseDuration("PT30M"));
    }

    @Test
    void aDurationThatIsNoneOfTheFormsIsRejectedQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChaosRun.parseDuration("soon"));
        assertTrue(e.getMessage().contains("'soon'"), e.getMessage());
    }

    @Test
    void optionsRejectAZeroDurationAndZeroThreads() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> ChaosRun.Options.defaults(Duration.ZERO, 1, 3));
        assertTrue(zero.getMessage().contains("duration"), zero.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> ChaosRun.Options.defaults(Duration.ofSeconds(1), 1, 0));
        assertTrue(threads.getMessage().contains("publishers"), threads.getMessage());
    }

    @Test
    void defaultsKeepTheLoadModerateForTwoCores() {
        ChaosRun.Options o = ChaosRun.Options.defaults(Duration.ofSeconds(60), 7, 3);
        assertEquals(2, o.busThreads());
        assertEquals(2, o.coreletPoolSize());
        assertEquals(4, o.maxBatch());
        assertEquals(List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"),
                o.coreletJvmOptions());
    }
}
