package dev.eventbus;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable event: a type that selects the handler, an optional payload, and how to run it (mode, priority,
 * per-attempt timeout, retries, progress).
 *
 * <p>Defaults: mode {@link ExecutionMode#THREAD}, priority 5, timeout 30 s, 3 retries, no progress tracker.
 * The id is a unique RFC 4122 UUID string made at build time; the timestamp is the build time.
 *
 * {@snippet :
 * Event event = Event.builder("resize")
 *         .data(Path.of("photo.jpg"))
 *         .priority(8)                       // 0..10, higher runs first
 *         .timeout(Duration.ofSeconds(5))    // per attempt
 *         .maxRetries(2)                     // 3 attempts at most
 *         .build();
 * String id = bus.publish(event);
 * }
 *
 * <p>Thread-safe: events are immutable (their payload should be too).
 */
public final class Event {

    /** Default priority. */
    public static final int DEFAULT_PRIORITY = 5;
    /** Lowest priority. */
    public static final int MIN_PRIORITY = 0;
    /** Highest priority. */
    public static final int MAX_PRIORITY = 10;
    /** Default per-attempt timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Default number of retries after the first attempt. */
    public static final int DEFAULT_MAX_RETRIES = 3;

    private final String id;
    private final String type;
    private final ExecutionMode mode;
    private final Object data;
    private final int priority;
    private final Duration timeout;
    private final int maxRetries;
    // The timestamp as its two parts: an Instant per queued event would cost 24 bytes more.
    private final long timestampSeconds;
    private final int timestampNanos;
    private final int progressSteps;
    /** The settings most events leave unset, in one object that is null when none is set: 16 bytes less each. */
    private final Extras extras;

    private record Extras(String name, Object source, Object target, ProgressTracker progressTracker,
            HandlerMeta coreletMeta) {
    }

    private Event(Builder b) {
        this.id = b.id != null ? b.id : EventIds.next();
        this.type = b.type;
        this.mode = b.mode;
        this.data = b.data;
        this.priority = b.priority;
        this.timeout = b.timeout;
        this.maxRetries = b.maxRetries;
        Instant timestamp = b.timestamp != null ? b.timestamp : Instant.now();
        this.timestampSeconds = timestamp.getEpochSecond();
        this.timestampNanos = timestamp.getNano();
        this.progressSteps = b.progressSteps;
        this.extras = b.name == null && b.source == null && b.target == null && b.progressTracker == null
                && b.coreletMeta == null ? null
                : new Extras(b.name, b.source, b.target, b.progressTracker, b.coreletMeta);
    }

    /**
     * Creates a THREAD event with default settings and no data.
     *
     * @param type the event type, not blank
     * @return the event
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code type} is blank
     */
    public static Event of(String type) {
        return new Builder(type).build();
    }

    /**
     * Creates a THREAD event with default settings.
     *
     * @param type the event type, not blank
     * @param data the payload, may be null
     * @return the event
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code type} is blank
     */
    public static Event of(String type, Object data) {
        return new Builder(type).data(data).build();
    }

    /**
     * Starts building an event.
     *
     * @param type the event type, not blank
     * @return a builder with the defaults
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code type} is blank
     */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /**
     * Returns a builder initialised with this event's settings, for a new event (with a new id and timestamp).
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(type).mode(mode).data(data).priority(priority).timeout(timeout).maxRetries(maxRetries)
                .progressSteps(progressSteps);
        if (extras != null) {
            b.name = extras.name();
            b.source = extras.source();
            b.target = extras.target();
            b.progressTracker = extras.progressTracker();
            b.coreletMeta = extras.coreletMeta();
        }
        return b;
    }

    /** @return the unique id, an RFC 4122 UUID string */
    public String id() {
        return id;
    }

    /** @return the event type, which selects the handler */
    public String type() {
        return type;
    }

    /** @return how the event runs */
    public ExecutionMode mode() {
        return mode;
    }

    /** @return the payload, or null */
    public Object data() {
        return data;
    }

    /**
     * Returns the payload as the given type.
     *
     * @param <T> the expected type
     * @param type the expected class; a primitive class such as {@code int.class} accepts its boxed type
     * @return the payload, or null if there is none
     * @throws NullPointerException if {@code type} is null
     * @throws ClassCastException naming both types if the payload is of another type
     */
    @SuppressWarnings("unchecked") // checked against the boxed type just before
    public <T> T data(Class<T> type) {
        Objects.requireNonNull(type, "type");
        Class<?> boxed = type.isPrimitive() ? java.lang.invoke.MethodType.methodType(type).wrap().returnType() : type;
        if (data != null && !boxed.isInstance(data)) {
            throw new ClassCastException("Event " + id + " (" + this.type + ") has data of type "
                    + data.getClass().getName() + ", not " + type.getName());
        }
        return (T) data;
    }

    /** @return a human-readable name, if one was set */
    public Optional<String> name() {
        return Optional.ofNullable(extras == null ? null : extras.name());
    }

    /** @return the source, if one was set */
    public Optional<Object> source() {
        return Optional.ofNullable(extras == null ? null : extras.source());
    }

    /** @return the target, if one was set */
    public Optional<Object> target() {
        return Optional.ofNullable(extras == null ? null : extras.target());
    }

    /** @return the priority, 0 to 10, higher first */
    public int priority() {
        return priority;
    }

    /** @return the timeout of each attempt */
    public Duration timeout() {
        return timeout;
    }

    /** @return retries after the first attempt: at most {@code maxRetries() + 1} attempts */
    public int maxRetries() {
        return maxRetries;
    }

    /** @return when the event was built */
    public Instant timestamp() {
        return Instant.ofEpochSecond(timestampSeconds, timestampNanos);
    }

    /** @return the event's own progress tracker, which beats the publishing thread's */
    public Optional<ProgressTracker> progressTracker() {
        return Optional.ofNullable(extras == null ? null : extras.progressTracker());
    }

    /** @return the steps this event is worth to its own tracker */
    public int progressSteps() {
        return progressSteps;
    }

    /** @return the handler to load in a CORELET worker, if set explicitly */
    public Optional<HandlerMeta> coreletMeta() {
        return Optional.ofNullable(extras == null ? null : extras.coreletMeta());
    }

    @Override
    public String toString() {
        return "Event[id=" + id + ", type=" + type + ", mode=" + mode + ", priority=" + priority + "]";
    }

    /**
     * Builds an {@link Event}. Each setter validates its argument at once. Not thread-safe.
     */
    public static final class Builder {

        private final String type;
        private String id;
        private Instant timestamp;
        private ExecutionMode mode = ExecutionMode.THREAD;
        private Object data;
        private String name;
        private Object source;
        private Object target;
        private int priority = DEFAULT_PRIORITY;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private ProgressTracker progressTracker;
        private int progressSteps;
        private HandlerMeta coreletMeta;

        private Builder(String type) {
            Objects.requireNonNull(type, "type");
            if (type.isBlank()) {
                throw new IllegalArgumentException("type must not be blank: '" + type + "'");
            }
            this.type = type;
        }

        /**
         * Sets how the event runs.
         *
         * @param mode the mode
         * @return this builder
         * @throws NullPointerException if {@code mode} is null
         */
        public Builder mode(ExecutionMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the payload. CORELET payloads must be {@link java.io.Serializable}; CMD payloads are a
         * {@code CmdRequest} or a map.
         *
         * @param data the payload, or null for none
         * @return this builder
         */
        public Builder data(Object data) {
            this.data = data;
            return this;
        }

        /**
         * Sets a human-readable name.
         *
         * @param name the name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Sets the source of the event (for handlers' use; never sent to a worker process).
         *
         * @param source the source
         * @return this builder
         * @throws NullPointerException if {@code source} is null
         */
        public Builder source(Object source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Sets the target of the event (for handlers' use; never sent to a worker process).
         *
         * @param target the target
         * @return this builder
         * @throws NullPointerException if {@code target} is null
         */
        public Builder target(Object target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /**
         * Sets the priority: waiting events run highest first, in publish order within a priority.
         *
         * @param priority 0 to 10
         * @return this builder
         * @throws IllegalArgumentException if outside 0..10
         */
        public Builder priority(int priority) {
            if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
                throw new IllegalArgumentException("priority must be between 0 and 10: " + priority);
            }
            this.priority = priority;
            return this;
        }

        /**
         * Sets the timeout of each attempt.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets the number of retries after the first attempt.
         *
         * @param maxRetries zero or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * Sets a tracker advanced by {@link #progressSteps(int)} when this event finishes, whatever the outcome.
         *
         * @param tracker the tracker
         * @return this builder
         * @throws NullPointerException if {@code tracker} is null
         */
        public Builder progressTracker(ProgressTracker tracker) {
            this.progressTracker = Objects.requireNonNull(tracker, "progressTracker");
            return this;
        }

        /**
         * Sets the steps this event is worth to its own tracker.
         *
         * @param steps zero or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder progressSteps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("progressSteps must be >= 0: " + steps);
            }
            this.progressSteps = steps;
            return this;
        }

        /**
         * Names the handler a CORELET worker loads, overriding the factory's registration.
         *
         * @param meta the handler's module and class
         * @return this builder
         * @throws NullPointerException if {@code meta} is null
         * @throws IllegalArgumentException if the meta names no class
         */
        public Builder coreletMeta(HandlerMeta meta) {
            Objects.requireNonNull(meta, "coreletMeta");
            if (meta.className() == null) {
                throw new IllegalArgumentException("coreletMeta must name a handler class: " + meta);
            }
            this.coreletMeta = meta;
            return this;
        }

        /**
         * Sets the id. Ids are normally made by {@link #build()}; set one only to re-create an event elsewhere
         * (an execution mode does this in a worker process). Ids must be unique within a bus.
         *
         * @param id the id, not blank
         * @return this builder
         * @throws NullPointerException if {@code id} is null
         * @throws IllegalArgumentException if {@code id} is blank
         */
        public Builder id(String id) {
            Objects.requireNonNull(id, "id");
            if (id.isBlank()) {
                throw new IllegalArgumentException("id must not be blank: '" + id + "'");
            }
            this.id = id;
            return this;
        }

        /**
         * Sets the timestamp. Normally the build time; set it only to re-create an event elsewhere.
         *
         * @param timestamp the timestamp
         * @return this builder
         * @throws NullPointerException if {@code timestamp} is null
         */
        public Builder timestamp(Instant timestamp) {
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            return this;
        }

        /**
         * Builds the event, with a new id and the current time unless they were set.
         *
         * @return the event
         */
        public Event build() {
            return new Event(this);
        }
    }
}
