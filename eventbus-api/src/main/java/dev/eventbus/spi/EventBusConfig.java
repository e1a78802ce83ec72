package dev.eventbus.spi;

import dev.eventbus.EventFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The settings of a bus, as validated by {@link dev.eventbus.EventBus.Builder}. Execution modes read their options
 * here. Immutable and thread-safe.
 *
 * @param threads worker threads
 * @param resultCacheSize capacity of the result cache
 * @param factory the handler registry
 * @param coreletPoolSize most CORELET worker JVMs alive at once
 * @param coreletIdleTimeout how long an idle CORELET worker lives
 * @param coreletJvmOptions JVM options for each CORELET worker
 * @param coreletAllowedClasses extra class patterns allowed in CORELET replies
 * @param cmdOutputCap bytes kept per captured CMD output stream
 * @param coreletAotCache the AOT cache file of the CORELET workers, absolute; null for none
 */
public record EventBusConfig(int threads, int resultCacheSize, EventFactory factory, int coreletPoolSize,
        Duration coreletIdleTimeout, List<String> coreletJvmOptions, List<String> coreletAllowedClasses,
        int cmdOutputCap, Path coreletAotCache) {

    /** Default {@link #coreletIdleTimeout()}: 10 minutes. */
    public static final Duration DEFAULT_CORELET_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /** Default {@link #cmdOutputCap()}: 4 MiB. */
    public static final int DEFAULT_CMD_OUTPUT_CAP = 4 * 1024 * 1024;

    /**
     * Validates and copies the settings.
     *
     * @throws IllegalArgumentException for a non-positive number or duration, a relative {@code coreletAotCache} or
     *         one of another file system than the default one, or JVM options that set what {@code coreletAotCache}
     *         manages
     * @throws NullPointerException for a null reference other than {@code coreletAotCache}
     */
    public EventBusConfig {
        positive("threads", threads);
        positive("resultCacheSize", resultCacheSize);
        positive("coreletPoolSize", coreletPoolSize);
        positive("cmdOutputCap", cmdOutputCap);
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(coreletIdleTimeout, "coreletIdleTimeout");
        if (coreletIdleTimeout.isNegative() || coreletIdleTimeout.isZero()) {
            throw new IllegalArgumentException("coreletIdleTimeout must be positive: " + coreletIdleTimeout);
        }
        coreletJvmOptions = copy("coreletJvmOptions", coreletJvmOptions);
        coreletAllowedClasses = copy("coreletAllowedClasses", coreletAllowedClasses);
        if (coreletAotCache != null) {
            if (coreletAotCache.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
                throw new IllegalArgumentException("coreletAotCache must be a path of the default file system, got "
                        + coreletAotCache + " in " + coreletAotCache.getFileSystem().provider().getScheme() + ":");
            }
            if (!coreletAotCache.isAbsolute()) {
                throw new IllegalArgumentException("coreletAotCache must be an absolute path: " + coreletAotCache);
            }
            for (String option : coreletJvmOptions) {
                if (option.startsWith("-XX:AOT") || option.startsWith("-XX:SharedArchiveFile")
                        || option.startsWith("-Xshare")) {
                    throw new IllegalArgumentException("coreletJvmOptions must not contain " + option + " when"
                            + " coreletAotCache is set: the bus sets the workers' AOT cache options itself");
                }
            }
        }
    }

    /**
     * The settings without a CORELET AOT cache: the constructor of the versions before {@code coreletAotCache}.
     *
     * @param threads worker threads
     * @param resultCacheSize capacity of the result cache
     * @param factory the handler registry
     * @param coreletPoolSize most CORELET worker JVMs alive at once
     * @param coreletIdleTimeout how long an idle CORELET worker lives
     * @param coreletJvmOptions JVM options for each CORELET worker
     * @param coreletAllowedClasses extra class patterns allowed in CORELET replies
     * @param cmdOutputCap bytes kept per captured CMD output stream
     */
    public EventBusConfig(int threads, int resultCacheSize, EventFactory factory, int coreletPoolSize,
            Duration coreletIdleTimeout, List<String> coreletJvmOptions, List<String> coreletAllowedClasses,
            int cmdOutputCap) {
        this(threads, resultCacheSize, factory, coreletPoolSize, coreletIdleTimeout, coreletJvmOptions,
                coreletAllowedClasses, cmdOutputCap, null);
    }

    /**
     * Returns the settings a bus gets with nothing configured but the factory.
     *
     * @param factory the handler registry
     * @return the defaults: CPU-count threads, cache threads × 1000, and so on
     */
    public static EventBusConfig defaults(EventFactory factory) {
        int threads = Runtime.getRuntime().availableProcessors();
        return new EventBusConfig(threads, threads * 1000, factory, threads, DEFAULT_CORELET_IDLE_TIMEOUT, List.of(),
                List.of(), DEFAULT_CMD_OUTPUT_CAP);
    }

    private static List<String> copy(String name, List<String> values) {
        Objects.requireNonNull(values, name);
        for (String value : values) {
            Objects.requireNonNull(value, () -> name + " must not contain null: " + values);
        }
        return List.copyOf(values);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0: " + value);
        }
    }
}
