package dev.eventbus;

import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.EventBusProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes events to their handlers and collects the results. One event can run four ways (see
 * {@link ExecutionMode}) with the same retries, per-attempt timeouts, results and progress.
 *
 * {@snippet :
 * try (EventBus bus = EventBus.builder().threads(4).build()) {
 *     bus.factory().registerEventType("square", SquareHandler.class);
 *     List<String> ids = new ArrayList<>();
 *     for (int i = 0; i < 100; i++) {
 *         ids.add(bus.publish(Event.of("square", i)));       // THREAD mode: queued by priority
 *     }
 *     Map<String, EventResult> results = bus.getResults(ids); // joins, then takes these results out
 * }
 * }
 *
 * <p><b>Results.</b> Results of {@link #publish(Event)} go to a bounded LRU cache read with {@link #getResults()}
 * (observer: removes nothing) and {@link #getResults(Collection)} (consumer: removes what it returns). Results of
 * {@link #submit(Event)} go to the returned future only. Every accepted event gets exactly one result.
 *
 * <p><b>Threading.</b> All methods are thread-safe. SYNC handlers run in the publishing thread; the others on the
 * bus's worker threads (or in worker processes). {@link #join()} and joining reads throw
 * {@link IllegalStateException} when called from a handler, where they could never return.
 *
 * <p>The runtime (artifact {@code eventbus-runtime}) is found through {@link java.util.ServiceLoader}.
 */
public interface EventBus extends AutoCloseable {

    /**
     * Returns the process-wide bus, creating it on first use with default settings and
     * {@link EventFactory#getDefault()}. After it is shut down, the next call creates a fresh one.
     *
     * @return the live default bus
     * @throws IllegalStateException if no runtime is on the class path or module path
     */
    static EventBus getDefault() {
        return DefaultBus.get();
    }

    /**
     * Starts configuring a bus.
     *
     * @return a builder with the defaults
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Publishes an event. SYNC events have run when this returns; others are queued by priority.
     *
     * @param event the event
     * @return the event's id, the key of its result
     * @throws NullPointerException if {@code event} is null
     * @throws NoHandlerAvailableException if no handler is registered for the event's type (CMD needs none)
     * @throws InvalidEventException if the event cannot run in its mode (module missing, bad data)
     * @throws EventBusShutdownException if {@link #shutdown()} has been called
     * @throws IllegalStateException if the event is SYNC and would nest more than 128 deep in this thread (SYNC
     *         handlers that publish SYNC events without end)
     */
    String publish(Event event);

    /**
     * Publishes an event whose result goes to the returned future instead of the result cache. The future
     * completes normally with the result, whatever the outcome (also {@link EventCancelledException} results).
     *
     * @param event the event
     * @return the future result
     * @throws NullPointerException if {@code event} is null
     * @throws NoHandlerAvailableException if no handler is registered for the event's type (CMD needs none)
     * @throws InvalidEventException if the event cannot run in its mode
     * @throws EventBusShutdownException if {@link #shutdown()} has been called
     * @throws IllegalStateException if the event is SYNC and would nest more than 128 deep in this thread (SYNC
     *         handlers that publish SYNC events without end)
     */
    CompletableFuture<EventResult> submit(Event event);

    /**
     * Waits until every event accepted before this call, from any thread, has its result.
     *
     * @throws IllegalStateException if called from a handler
     */
    void join();

    /**
     * Waits until every event accepted before this call has its result, or the timeout passes.
     *
     * @param timeout how long to wait; zero or negative checks without waiting
     * @return true if all those events are done, false if some are still running at the deadline
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalStateException if called from a handler
     */
    boolean join(Duration timeout);

    /**
     * Joins, then returns every result in the cache without removing any.
     *
     * @return an immutable snapshot, keyed by event id
     * @throws IllegalStateException if called from a handler
     */
    Map<String, EventResult> getResults();

    /**
     * Joins, then removes and returns the results of the given events. Unknown ids are absent.
     *
     * @param eventIds the ids
     * @return the results found, keyed by event id
     * @throws NullPointerException if {@code eventIds} is null
     * @throws IllegalStateException if called from a handler
     */
    default Map<String, EventResult> getResults(Collection<String> eventIds) {
        return getResults(eventIds, true);
    }

    /**
     * Removes and returns the results of the given events, after joining if asked. Pending and unknown ids are
     * absent.
     *
     * @param eventIds the ids
     * @param joinBefore whether to {@link #join()} first
     * @return the results found, keyed by event id
     * @throws NullPointerException if {@code eventIds} is null
     * @throws IllegalStateException if {@code joinBefore} and called from a handler
     */
    Map<String, EventResult> getResults(Collection<String> eventIds, boolean joinBefore);

    /**
     * Sets the tracker advanced by events that the calling thread publishes from now on (an event's own tracker
     * beats it).
     *
     * @param tracker the tracker
     * @param steps the steps each of those events is worth, zero or more
     * @throws NullPointerException if {@code tracker} is null
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    void setProgressTracker(ProgressTracker tracker, int steps);

    /** Stops advancing the calling thread's tracker for events it publishes from now on. */
    void clearProgressTracker();

    /**
     * Shuts down gracefully: new events are refused at once, queued events finish, then worker threads and
     * processes stop. Idempotent. Never hangs longer than the queued events' timeouts allow. If the calling thread is
     * interrupted while it waits for the queued events (or calls with its interrupt flag set), the shutdown turns
     * immediate, as {@code ExecutorService.close()} does: what is left is cancelled as by {@code shutdown(true)},
     * and the flag stays set.
     */
    void shutdown();

    /**
     * Shuts down; if {@code immediately}, running attempts are interrupted and queued events are not run: each gets
     * an {@link EventCancelledException} result. Idempotent.
     *
     * @param immediately whether to cancel queued and running events
     */
    void shutdown(boolean immediately);

    /**
     * Returns whether {@link #shutdown()} has been called.
     *
     * @return true once shutdown began
     */
    boolean isShutdown();

    /** Same as {@link #shutdown()}. */
    @Override
    void close();

    /**
     * Returns the number of worker threads.
     *
     * @return the thread count
     */
    int threads();

    /**
     * Returns the registry this bus looks handlers up in.
     *
     * @return the factory
     */
    EventFactory factory();

    /**
     * Configures an {@link EventBus}. Each option may be set once; values are checked when set.
     * Not thread-safe.
     */
    final class Builder {

        private Integer threads;
        private Integer resultCacheSize;
        private EventFactory factory;
        private Integer coreletPoolSize;
        private Duration coreletIdleTimeout;
        private List<String> coreletJvmOptions;
        private List<String> coreletAllowedClasses;
        private Integer cmdOutputCap;
        private Path coreletAotCache;

        Builder() {
        }

        /**
         * Sets the number of worker threads.
         *
         * @param threads more than zero; default: the number of CPUs
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder threads(int threads) {
            requireUnset(this.threads, "threads");
            this.threads = positive("threads", threads);
            return this;
        }

        /**
         * Sets how many {@code publish} results the cache keeps; the least recently stored are evicted beyond it.
         *
         * @param size more than zero; default: threads × 1000
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder resultCacheSize(int size) {
            requireUnset(this.resultCacheSize, "resultCacheSize");
            this.resultCacheSize = positive("resultCacheSize", size);
            return this;
        }

        /**
         * Sets the handler registry.
         *
         * @param factory the registry; default: {@link EventFactory#getDefault()}
         * @return this builder
         * @throws NullPointerException if {@code factory} is null
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder factory(EventFactory factory) {
            requireUnset(this.factory, "factory");
            this.factory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Sets the most CORELET worker JVMs alive at once.
         *
         * @param size more than zero; default: threads
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder coreletPoolSize(int size) {
            requireUnset(this.coreletPoolSize, "coreletPoolSize");
            this.coreletPoolSize = positive("coreletPoolSize", size);
            return this;
        }

        /**
         * Sets how long an idle CORELET worker lives before it exits (a new one starts on demand).
         *
         * @param idleTimeout positive; default 10 minutes
         * @return this builder
         * @throws NullPointerException if {@code idleTimeout} is null
         * @throws IllegalArgumentException if zero or negative
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder coreletIdleTimeout(Duration idleTimeout) {
            requireUnset(this.coreletIdleTimeout, "coreletIdleTimeout");
            Objects.requireNonNull(idleTimeout, "coreletIdleTimeout");
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("coreletIdleTimeout must be positive: " + idleTimeout);
            }
            this.coreletIdleTimeout = idleTimeout;
            return this;
        }

        /**
         * Sets JVM options for each CORELET worker, such as {@code -Xmx256m}.
         *
         * @param options the options, none blank
         * @return this builder
         * @throws NullPointerException if {@code options} or an element is null
         * @throws IllegalArgumentException if an option is blank or holds a NUL character
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder coreletJvmOptions(List<String> options) {
            requireUnset(this.coreletJvmOptions, "coreletJvmOptions");
            List<String> checked = nonBlank("coreletJvmOptions", options);
            for (String option : checked) {
                if (option.indexOf('\0') >= 0) { // no command line can carry it: every worker start would fail
                    throw new IllegalArgumentException("coreletJvmOptions must not contain a NUL character: '"
                            + option.replace("\0", "\\0") + "'");
                }
            }
            this.coreletJvmOptions = checked;
            return this;
        }

        /**
         * Allows more classes in CORELET replies, beyond {@code java.lang}, {@code java.util}, {@code java.time},
         * {@code java.math}, the handler's package and the classes in the event's data.
         *
         * @param patterns {@link java.io.ObjectInputFilter} patterns such as {@code com.acme.model.*}
         * @return this builder
         * @throws NullPointerException if {@code patterns} or an element is null
         * @throws IllegalArgumentException if a pattern is blank, or uses filter syntax ({@code ;}, {@code !},
         *     {@code =}) rather than naming classes or packages
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder coreletAllowedClasses(String... patterns) {
            requireUnset(this.coreletAllowedClasses, "coreletAllowedClasses");
            Objects.requireNonNull(patterns, "patterns");
            List<String> list = nonBlank("coreletAllowedClasses", new ArrayList<>(java.util.Arrays.asList(patterns)));
            for (String pattern : list) {
                if (pattern.contains(";") || pattern.startsWith("!") || pattern.contains("=")) {
                    throw new IllegalArgumentException("coreletAllowedClasses takes class or package patterns"
                            + " (com.acme.Type, com.acme.*, com.acme.**), not filter syntax: '" + pattern + "'");
                }
            }
            this.coreletAllowedClasses = list;
            return this;
        }

        /**
         * Lets CORELET workers start from a JDK AOT cache (JEP 483, 514, 515) kept in {@code file}: a worker JVM
         * then finds the classes it needs already loaded and linked, and starts about a third faster.
         *
         * <p>The bus manages the file. While it is missing, was made for another Java runtime, worker command or
         * JAR, or changed since (the bus keeps what it was made for in {@code file + ".key"}), the first worker to
         * start records a training run (that one start takes about twice as long), serves its first event and exits;
         * the bus then assembles the cache in the background (a second or two, at nice 10) and moves it into place
         * atomically. Workers started after that use it. A graceful shutdown while the cache is being made waits for
         * it, at most 30 seconds, once; {@code shutdown(true)} does not (the next bus makes it). If making it fails,
         * the bus logs a warning with the reason, and its workers start without a cache.
         *
         * <p>The JDK makes AOT caches from JAR files only: with a directory on the class path or module path (class
         * output, or a folder of modules), the bus logs a warning and workers start without one. {@link #build()} refuses {@link #coreletJvmOptions(List)}
         * that set an AOT or CDS archive themselves ({@code -XX:AOT...}, {@code -XX:SharedArchiveFile},
         * {@code -Xshare}) alongside this option.
         *
         * @param file where the cache is kept; its directory must exist; default: no AOT cache
         * @return this builder
         * @throws NullPointerException if {@code file} is null
         * @throws IllegalArgumentException if {@code file} is a directory, its directory does not exist, or it is a
         *     path of another file system than the default one
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder coreletAotCache(Path file) {
            requireUnset(this.coreletAotCache, "coreletAotCache");
            Objects.requireNonNull(file, "coreletAotCache");
            if (file.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
                // Worker JVMs take the cache by its path string, on the operating system's files.
                throw new IllegalArgumentException("coreletAotCache must be a path of the default file system, got "
                        + file + " in " + file.getFileSystem().provider().getScheme() + ":");
            }
            Path absolute = file.toAbsolutePath().normalize();
            if (Files.isDirectory(absolute)) {
                throw new IllegalArgumentException("coreletAotCache must be a file, not a directory: " + file);
            }
            Path directory = absolute.getParent();
            if (directory == null || !Files.isDirectory(directory)) {
                throw new IllegalArgumentException("coreletAotCache's directory does not exist: " + directory);
            }
            this.coreletAotCache = absolute;
            return this;
        }

        /**
         * Sets how many bytes of each of stdout and stderr a CMD event keeps; output beyond is dropped and the
         * result says it was truncated.
         *
         * @param bytesPerStream more than zero; default 4 MiB
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set on this builder
         */
        public Builder cmdOutputCap(int bytesPerStream) {
            requireUnset(this.cmdOutputCap, "cmdOutputCap");
            this.cmdOutputCap = positive("cmdOutputCap", bytesPerStream);
            return this;
        }

        /**
         * Builds the bus.
         *
         * @return a running bus
         * @throws IllegalStateException if no runtime is on the class path or module path
         * @throws IllegalArgumentException if {@link #coreletJvmOptions(List)} set an AOT or CDS archive while
         *     {@link #coreletAotCache(Path)} is set
         */
        public EventBus build() {
            return DefaultBus.provider().create(config());
        }

        /**
         * Builds the bus and makes it the one {@link EventBus#getDefault()} returns.
         *
         * @return the new default bus
         * @throws IllegalStateException if a live default bus exists (a shut-down one does not count)
         */
        public EventBus installDefault() {
            return DefaultBus.install(this);
        }

        EventBusConfig config() {
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            return new EventBusConfig(t,
                    resultCacheSize != null ? resultCacheSize : (int) Math.min(Integer.MAX_VALUE, t * 1000L),
                    factory != null ? factory : EventFactory.getDefault(),
                    coreletPoolSize != null ? coreletPoolSize : t,
                    coreletIdleTimeout != null ? coreletIdleTimeout : EventBusConfig.DEFAULT_CORELET_IDLE_TIMEOUT,
                    coreletJvmOptions != null ? coreletJvmOptions : List.of(),
                    coreletAllowedClasses != null ? coreletAllowedClasses : List.of(),
                    cmdOutputCap != null ? cmdOutputCap : EventBusConfig.DEFAULT_CMD_OUTPUT_CAP, coreletAotCache);
        }

        private static void requireUnset(Object current, String option) {
            if (current != null) {
                throw new IllegalStateException(option + " was already set");
            }
        }

        private static int positive(String option, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(option + " must be > 0: " + value);
            }
            return value;
        }

        private static List<String> nonBlank(String option, List<String> values) {
            Objects.requireNonNull(values, option);
            for (String value : values) {
                Objects.requireNonNull(value, option + " element");
                if (value.isBlank()) {
                    throw new IllegalArgumentException(option + " must not contain a blank value: " + values);
                }
            }
            return List.copyOf(values);
        }
    }
}
