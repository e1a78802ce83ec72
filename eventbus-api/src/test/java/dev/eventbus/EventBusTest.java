package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.eventbus.spi.EventBusConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parts of {@link EventBus} that live in the API module: its builder's validation and defaults, and the clear
 * error when no runtime is on the path (this module's tests have none).
 */
@Timeout(30)
class EventBusTest {

    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    /** Each int option, by name, with its setter. */
    private static final Map<String, IntSetter> INT_OPTIONS = Map.of(
            "threads", EventBus.Builder::threads,
            "resultCacheSize", EventBus.Builder::resultCacheSize,
            "coreletPoolSize", EventBus.Builder::coreletPoolSize,
            "cmdOutputCap", EventBus.Builder::cmdOutputCap);

    @FunctionalInterface
    private interface IntSetter {
        EventBus.Builder set(EventBus.Builder builder, int value);
    }

    // ----- defaults -----

    @Test
    void configWithNothingSetHasTheDocumentedDefaults() {
        EventBusConfig config = EventBus.builder().config();

        assertAll(
                () -> assertEquals(CPUS, config.threads()),
                () -> assertEquals(CPUS * 1000, config.resultCacheSize()),
                () -> assertSame(EventFactory.getDefault(), config.factory()),
                () -> assertEquals(CPUS, config.coreletPoolSize()),
                () -> assertEquals(Duration.ofMinutes(10), config.coreletIdleTimeout()),
                () -> assertEquals(List.of(), config.coreletJvmOptions()),
                () -> assertEquals(List.of(), config.coreletAllowedClasses()),
                () -> assertEquals(4 * 1024 * 1024, config.cmdOutputCap()));
    }

    @Test
    void cacheSizeAndCoreletPoolDefaultFromTheThreadsSet() {
        EventBusConfig config = EventBus.builder().threads(3).config();

        assertEquals(3, config.threads());
        assertEquals(3000, config.resultCacheSize());
        assertEquals(3, config.coreletPoolSize());
    }

    @Test
    void defaultCacheSizeDoesNotOverflowForHugeThreadCounts() {
        EventBusConfig config = EventBus.builder().threads(Integer.MAX_VALUE).config();

        assertEquals(Integer.MAX_VALUE, config.resultCacheSize());
    }

    @Test
    void configCarriesEveryValueSet() {
        EventFactory factory = new EventFactory();

        EventBusConfig config = EventBus.builder()
                .threads(2)
                .resultCacheSize(50)
                .factory(factory)
                .coreletPoolSize(1)
                .coreletIdleTimeout(Duration.ofSeconds(30))
                .coreletJvmOptions(List.of("-Xmx64m", "-Dmode=test"))
                .coreletAllowedClasses("com.acme.model.*", "com.acme.Type", "org.example.**")
                .cmdOutputCap(1024)
                .config();

        assertAll(
                () -> assertEquals(2, config.threads()),
                () -> assertEquals(50, config.resultCacheSize()),
                () -> assertSame(factory, config.factory()),
                () -> assertEquals(1, config.coreletPoolSize()),
                () -> assertEquals(Duration.ofSeconds(30), config.coreletIdleTimeout()),
                () -> assertEquals(List.of("-Xmx64m", "-Dmode=test"), config.coreletJvmOptions()),
                () -> assertEquals(List.of("com.acme.model.*", "com.acme.Type", "org.example.**"),
                        config.coreletAllowedClasses()),
                () -> assertEquals(1024, config.cmdOutputCap()));
    }

    @Test
    void coreletPoolMayBeLargerOrSmallerThanTheThreads() {
        assertEquals(8, EventBus.builder().threads(2).coreletPoolSize(8).config().coreletPoolSize());
        assertEquals(1, EventBus.builder().threads(4).coreletPoolSize(1).config().coreletPoolSize());
    }

    @Test
    void jvmOptionsAreCopiedWhenSet() {
        List<String> options = new ArrayList<>(List.of("-Xmx64m"));
        EventBus.Builder builder = EventBus.builder().coreletJvmOptions(options);

        options.add("-Xss1m");

        EventBusConfig config = builder.config();
        assertEquals(List.of("-Xmx64m"), config.coreletJvmOptions());
        assertThrows(UnsupportedOperationException.class, () -> config.coreletJvmOptions().add("-Xint"));
    }

    @Test
    void allowedClassPatternsAreCopiedWhenSet() {
        String[] patterns = {"com.acme.*"};
        EventBus.Builder builder = EventBus.builder().coreletAllowedClasses(patterns);

        patterns[0] = "org.evil.*";

        EventBusConfig config = builder.config();
        assertEquals(List.of("com.acme.*"), config.coreletAllowedClasses());
        assertThrows(UnsupportedOperationException.class, () -> config.coreletAllowedClasses().add("x.*"));
    }

    @Test
    void emptyListsAreAccepted() {
        EventBusConfig config = EventBus.builder().coreletJvmOptions(List.of()).coreletAllowedClasses().config();

        assertEquals(List.of(), config.coreletJvmOptions());
        assertEquals(List.of(), config.coreletAllowedClasses());
    }

    @Test
    void eachCallToConfigGivesTheSameSettings() {
        EventBus.Builder builder = EventBus.builder().threads(2);

        EventBusConfig first = builder.config();
        EventBusConfig second = builder.config();

        assertNotSame(first, second);
        assertEquals(first, second);
    }

    // ----- bad numbers -----

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveIntOptionsAreRejectedNamingOptionAndValue(int value) {
        INT_OPTIONS.forEach((option, setter) -> {
            var e = assertThrows(IllegalArgumentException.class, () -> setter.set(EventBus.builder(), value), option);
            assertMessageNames(e, option, String.valueOf(value));
        });
    }

    @Test
    void smallestPositiveIntOptionsAreAccepted() {
        EventBusConfig config = EventBus.builder().threads(1).resultCacheSize(1).coreletPoolSize(1).cmdOutputCap(1)
                .config();

        assertEquals(List.of(1, 1, 1, 1),
                List.of(config.threads(), config.resultCacheSize(), config.coreletPoolSize(), config.cmdOutputCap()));
    }

    @Test
    void zeroIdleTimeoutIsRejectedNamingOptionAndValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletIdleTimeout(Duration.ZERO));

        assertMessageNames(e, "coreletIdleTimeout", "PT0S");
    }

    @Test
    void negativeIdleTimeoutIsRejectedNamingOptionAndValue() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletIdleTimeout(Duration.ofSeconds(-1)));

        assertMessageNames(e, "coreletIdleTimeout", "PT-1S");
    }

    // ----- bad lists -----

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void blankJvmOptionIsRejectedNamingTheOption(String blank) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletJvmOptions(List.of("-Xmx64m", blank)));

        assertMessageNames(e, "coreletJvmOptions", "blank");
    }

    @Test
    void jvmOptionWithANulCharacterIsRejectedNamingIt() {
        // A worker's command line cannot carry a NUL (ProcessBuilder.start throws for it): the option was accepted
        // and every CORELET worker start then failed, event after event, instead of the builder saying so once.
        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletJvmOptions(List.of("-Xmx64m", "-Da=b\0c")));

        assertEquals("coreletJvmOptions must not contain a NUL character: '-Da=b\\0c'", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " "})
    void blankAllowedClassPatternIsRejectedNamingTheOption(String blank) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletAllowedClasses("com.acme.*", blank));

        assertMessageNames(e, "coreletAllowedClasses", "blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!x", "!com.acme.*", "a;b", "com.acme.*;!*", "maxdepth=5", "maxbytes=100"})
    void filterSyntaxInAllowedClassesIsRejectedNamingThePattern(String pattern) {
        var e = assertThrows(IllegalArgumentException.class, () -> EventBus.builder().coreletAllowedClasses(pattern));

        assertMessageNames(e, "coreletAllowedClasses", "'" + pattern + "'");
    }

    // ----- nulls -----

    @Test
    void nullFactoryIsRejectedNamingTheOption() {
        assertMessageNames(assertThrows(NullPointerException.class, () -> EventBus.builder().factory(null)),
                "factory");
    }

    @Test
    void nullIdleTimeoutIsRejectedNamingTheOption() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventBus.builder().coreletIdleTimeout(null)), "coreletIdleTimeout");
    }

    @Test
    void nullJvmOptionsAndNullElementsAreRejectedNamingTheOption() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventBus.builder().coreletJvmOptions(null)), "coreletJvmOptions");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventBus.builder().coreletJvmOptions(Arrays.asList("-Xmx64m", null))), "coreletJvmOptions");
    }

    @Test
    void nullAllowedClassesAndNullElementsAreRejected() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventBus.builder().coreletAllowedClasses((String[]) null)), "patterns");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> EventBus.builder().coreletAllowedClasses("com.acme.*", null)), "coreletAllowedClasses");
    }

    // ----- coreletAotCache -----

    @Test
    void aotCacheIsNoneByDefaultAndAbsoluteWhenSet(@TempDir Path dir) {
        assertNull(EventBus.builder().config().coreletAotCache());

        Path relative = Path.of("workers.aot");
        assertEquals(relative.toAbsolutePath(),
                EventBus.builder().coreletAotCache(relative).config().coreletAotCache());
        Path absolute = dir.resolve("sub/../workers.aot");
        assertEquals(dir.resolve("workers.aot"), EventBus.builder().coreletAotCache(absolute).config()
                .coreletAotCache());
    }

    @Test
    void aotCacheThatIsADirectoryIsRejectedNamingIt(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> EventBus.builder().coreletAotCache(dir));

        assertMessageNames(e, "coreletAotCache", "directory", dir.toString());
    }

    @Test
    void aotCacheInADirectoryThatDoesNotExistIsRejectedNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("missing");

        var e = assertThrows(IllegalArgumentException.class,
                () -> EventBus.builder().coreletAotCache(missing.resolve("workers.aot")));

        assertMessageNames(e, "coreletAotCache", "does not exist", missing.toString());
    }

    @Test
    void aotCacheOnAnotherFileSystemIsRejectedNamingIt(@TempDir Path dir) throws Exception {
        // The worker JVMs read and write the cache by its path string on the operating system's files: a zip file
        // system's "/workers.aot" names another file there, and the bus's move into the zip failed only at run time.
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(dir.resolve("fs.zip"),
                Map.of("create", "true"))) {
            Path inZip = zip.getPath("/workers.aot");

            var e = assertThrows(IllegalArgumentException.class, () -> EventBus.builder().coreletAotCache(inZip));

            assertEquals("coreletAotCache must be a path of the default file system, got /workers.aot in "
                    + zip.provider().getScheme() + ":", e.getMessage());
        }
    }

    @Test
    void nullAotCacheIsRejectedNamingTheOption() {
        assertMessageNames(assertThrows(NullPointerException.class, () -> EventBus.builder().coreletAotCache(null)),
                "coreletAotCache");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-XX:AOTCache=my.aot", "-XX:AOTMode=on", "-XX:AOTCacheOutput=x.aot",
            "-XX:SharedArchiveFile=app.jsa", "-Xshare:off"})
    void jvmOptionsThatSetAnArchiveAreRejectedWithAnAotCacheNamingTheOption(String option) {
        EventBus.Builder builder = EventBus.builder().coreletJvmOptions(List.of("-Xmx64m", option))
                .coreletAotCache(Path.of("workers.aot"));

        var e = assertThrows(IllegalArgumentException.class, builder::config);

        assertMessageNames(e, option, "coreletAotCache");
    }

    @Test
    void theSameJvmOptionsAreAcceptedWithoutAnAotCache() {
        List<String> options = List.of("-XX:AOTCache=my.aot", "-Xshare:auto");

        assertEquals(options, EventBus.builder().coreletJvmOptions(options).config().coreletJvmOptions());
    }

    // ----- each option once -----

    @Test
    void settingAnyOptionTwiceIsRejectedNamingTheOption() {
        Map<String, Consumer<EventBus.Builder>> options = Map.of(
                "threads", b -> b.threads(2),
                "resultCacheSize", b -> b.resultCacheSize(10),
                "factory", b -> b.factory(new EventFactory()),
                "coreletPoolSize", b -> b.coreletPoolSize(2),
                "coreletIdleTimeout", b -> b.coreletIdleTimeout(Duration.ofMinutes(1)),
                "coreletJvmOptions", b -> b.coreletJvmOptions(List.of("-Xmx64m")),
                "coreletAllowedClasses", b -> b.coreletAllowedClasses("com.acme.*"),
                "cmdOutputCap", b -> b.cmdOutputCap(100),
                "coreletAotCache", b -> b.coreletAotCache(Path.of("workers.aot")));

        options.forEach((option, set) -> {
            EventBus.Builder builder = EventBus.builder();
            set.accept(builder);

            var e = assertThrows(IllegalStateException.class, () -> set.accept(builder), option);

            assertMessageNames(e, option);
        });
    }

    @Test
    void settingAnOptionTwiceIsRejectedEvenWithTheSameValue() {
        EventBus.Builder builder = EventBus.builder().threads(2);

        var e = assertThrows(IllegalStateException.class, () -> builder.threads(2));

        assertMessageNames(e, "threads", "already set");
        assertEquals(2, builder.config().threads());
    }

    @Test
    void rejectedValueDoesNotCountAsSet() {
        EventBus.Builder builder = EventBus.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.threads(0));

        builder.threads(4);

        assertEquals(4, builder.config().threads());
    }

    // ----- no runtime on this module's test path -----

    @Test
    void buildWithoutARuntimeNamesTheArtifactToAdd() {
        EventBus.Builder builder = EventBus.builder().threads(1).factory(new EventFactory());

        var e = assertThrows(IllegalStateException.class, builder::build);

        assertMessageNames(e, "eventbus-runtime");
    }

    @Test
    void installDefaultWithoutARuntimeNamesTheArtifactToAdd() {
        var e = assertThrows(IllegalStateException.class, () -> EventBus.builder().installDefault());

        assertMessageNames(e, "eventbus-runtime");
    }

    @Test
    void getDefaultWithoutARuntimeNamesTheArtifactToAddEveryTime() {
        var first = assertThrows(IllegalStateException.class, EventBus::getDefault);
        var second = assertThrows(IllegalStateException.class, EventBus::getDefault);

        assertMessageNames(first, "eventbus-runtime");
        assertMessageNames(second, "eventbus-runtime");
    }
}
