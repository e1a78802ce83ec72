package dev.eventbus.spi;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.EventFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class EventBusConfigTest {

    private static final int CPUS = Runtime.getRuntime().availableProcessors();
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final EventFactory factory = new EventFactory();

    private static void assertMessageNames(Throwable thrown, String... parts) {
        String message = thrown.getMessage();
        assertNotNull(message, () -> thrown.getClass().getName() + " has no message");
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "message '" + message + "' should contain '" + part + "'");
        }
    }

    private EventBusConfig config(int threads, int cache, int pool, int cap) {
        return new EventBusConfig(threads, cache, factory, pool, MINUTE, List.of(), List.of(), cap);
    }

    @Test
    void keepsEveryValue() {
        EventBusConfig config = new EventBusConfig(2, 20, factory, 3, MINUTE, List.of("-Xmx64m"),
                List.of("com.acme.*"), 512);

        assertAll(
                () -> assertEquals(2, config.threads()),
                () -> assertEquals(20, config.resultCacheSize()),
                () -> assertSame(factory, config.factory()),
                () -> assertEquals(3, config.coreletPoolSize()),
                () -> assertEquals(MINUTE, config.coreletIdleTimeout()),
                () -> assertEquals(List.of("-Xmx64m"), config.coreletJvmOptions()),
                () -> assertEquals(List.of("com.acme.*"), config.coreletAllowedClasses()),
                () -> assertEquals(512, config.cmdOutputCap()));
    }

    @Test
    void theConstructorWithoutAnAotCacheLeavesItNull() {
        assertNull(config(1, 1, 1, 1).coreletAotCache());
    }

    @Test
    void relativeAotCacheIsRejectedNamingIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> new EventBusConfig(1, 1, factory, 1, MINUTE,
                List.of(), List.of(), 1, Path.of("workers.aot")));

        assertMessageNames(e, "coreletAotCache", "absolute", "workers.aot");
    }

    @Test
    void aotCacheOnAnotherFileSystemIsRejectedNamingIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(dir.resolve("fs.zip"),
                java.util.Map.of("create", "true"))) {
            Path inZip = zip.getPath("/workers.aot"); // absolute, but not a file the worker JVMs can open

            var e = assertThrows(IllegalArgumentException.class, () -> new EventBusConfig(1, 1, factory, 1, MINUTE,
                    List.of(), List.of(), 1, inZip));

            assertEquals("coreletAotCache must be a path of the default file system, got /workers.aot in "
                    + zip.provider().getScheme() + ":", e.getMessage());
        }
    }

    @Test
    void aotOptionsBesideAnAotCacheAreRejectedNamingTheOption() {
        Path cache = Path.of("/tmp/workers.aot").toAbsolutePath();

        var e = assertThrows(IllegalArgumentException.class, () -> new EventBusConfig(1, 1, factory, 1, MINUTE,
                List.of("-XX:AOTMode=record"), List.of(), 1, cache));

        assertMessageNames(e, "-XX:AOTMode=record", "coreletAotCache");
    }

    @Test
    void defaultsFollowTheContract() {
        EventBusConfig config = EventBusConfig.defaults(factory);

        assertAll(
                () -> assertEquals(CPUS, config.threads()),
                () -> assertEquals(CPUS * 1000, config.resultCacheSize()),
                () -> assertSame(factory, config.factory()),
                () -> assertEquals(CPUS, config.coreletPoolSize()),
                () -> assertEquals(Duration.ofMinutes(10), config.coreletIdleTimeout()),
                () -> assertEquals(List.of(), config.coreletJvmOptions()),
                () -> assertEquals(List.of(), config.coreletAllowedClasses()),
                () -> assertEquals(4 * 1024 * 1024, config.cmdOutputCap()));
    }

    @Test
    void defaultConstantsMatchTheContract() {
        assertEquals(Duration.ofMinutes(10), EventBusConfig.DEFAULT_CORELET_IDLE_TIMEOUT);
        assertEquals(4_194_304, EventBusConfig.DEFAULT_CMD_OUTPUT_CAP);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void nonPositiveNumbersAreRejectedNamingFieldAndValue(int bad) {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> config(bad, 1, 1, 1)),
                "threads", String.valueOf(bad));
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> config(1, bad, 1, 1)),
                "resultCacheSize", String.valueOf(bad));
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> config(1, 1, bad, 1)),
                "coreletPoolSize", String.valueOf(bad));
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> config(1, 1, 1, bad)),
                "cmdOutputCap", String.valueOf(bad));
    }

    @Test
    void nonPositiveIdleTimeoutIsRejectedNamingFieldAndValue() {
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> new EventBusConfig(1, 1, factory, 1,
                Duration.ZERO, List.of(), List.of(), 1)), "coreletIdleTimeout", "PT0S");
        assertMessageNames(assertThrows(IllegalArgumentException.class, () -> new EventBusConfig(1, 1, factory, 1,
                Duration.ofMillis(-1), List.of(), List.of(), 1)), "coreletIdleTimeout", "PT-0.001S");
    }

    @Test
    void nullReferencesAreRejectedNamingTheField() {
        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, null, 1,
                MINUTE, List.of(), List.of(), 1)), "factory");
        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, factory, 1,
                null, List.of(), List.of(), 1)), "coreletIdleTimeout");
        assertMessageNames(assertThrows(NullPointerException.class, () -> EventBusConfig.defaults(null)),
                "factory");
    }

    @Test
    void nullListsAreRejectedNamingTheField() {
        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, factory, 1,
                MINUTE, null, List.of(), 1)), "coreletJvmOptions");
        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, factory, 1,
                MINUTE, List.of(), null, 1)), "coreletAllowedClasses");
    }

    @Test
    void nullListElementsAreRejectedNamingTheField() {
        List<String> withNull = Arrays.asList("a", null);

        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, factory, 1,
                MINUTE, withNull, List.of(), 1)), "coreletJvmOptions");
        assertMessageNames(assertThrows(NullPointerException.class, () -> new EventBusConfig(1, 1, factory, 1,
                MINUTE, List.of(), withNull, 1)), "coreletAllowedClasses");
    }

    @Test
    void listsAreCopiedAndImmutable() {
        List<String> options = new ArrayList<>(List.of("-Xmx64m"));
        List<String> patterns = new ArrayList<>(List.of("com.acme.*"));
        EventBusConfig config = new EventBusConfig(1, 1, factory, 1, MINUTE, options, patterns, 1);

        options.add("-Xint");
        patterns.clear();

        assertEquals(List.of("-Xmx64m"), config.coreletJvmOptions());
        assertEquals(List.of("com.acme.*"), config.coreletAllowedClasses());
        assertThrows(UnsupportedOperationException.class, () -> config.coreletJvmOptions().clear());
        assertThrows(UnsupportedOperationException.class, () -> config.coreletAllowedClasses().add("x.*"));
    }
}
