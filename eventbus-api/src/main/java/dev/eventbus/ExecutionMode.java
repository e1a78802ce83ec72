package dev.eventbus;

import java.util.Objects;

/**
 * How an event runs: an open set of modes, compared by name, so that plugins can add their own.
 *
 * <p>The built-in modes are {@link #SYNC} (in the publishing thread), {@link #THREAD} (on the bus's priority-ordered
 * worker pool), {@link #CORELET} (in a pooled worker JVM; artifact {@code eventbus-corelet}) and {@link #CMD} (as an
 * external command; artifact {@code eventbus-cmd}). A mode is implemented by a
 * {@link dev.eventbus.spi.ExecutionModeProvider} found through {@link java.util.ServiceLoader}.
 *
 * <p>Instances are immutable values and thread-safe.
 *
 * @param name the mode's name: lower-case letters, digits, {@code -} and {@code _}, starting with a letter
 */
public record ExecutionMode(String name) {

    /** Runs the handler in the publishing thread: the result is ready when {@code publish} returns. */
    public static final ExecutionMode SYNC = new ExecutionMode("sync");
    /** Runs the handler on the bus's worker pool, ordered by priority (higher first). The default. */
    public static final ExecutionMode THREAD = new ExecutionMode("thread");
    /** Runs the handler in a pooled, crash-isolated worker JVM; the event's data is serialized across. */
    public static final ExecutionMode CORELET = new ExecutionMode("corelet");
    /** Runs an external command described by the event's data; no handler is needed. */
    public static final ExecutionMode CMD = new ExecutionMode("cmd");

    /**
     * Validates the name.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is not a lower-case identifier
     */
    public ExecutionMode {
        Objects.requireNonNull(name, "name");
        if (!isLowerCaseIdentifier(name)) {
            throw new IllegalArgumentException("Execution mode name must be lower-case letters, digits, '-' or '_',"
                    + " starting with a letter: '" + name + "'");
        }
    }

    /**
     * Whether a name matches {@code [a-z][a-z0-9_-]*}; a loop, not a regular expression, which would load the regex
     * engine (and link its lambdas) in every CORELET worker JVM on its way to its first reply.
     */
    private static boolean isLowerCaseIdentifier(String name) {
        if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns the Maven artifact that provides this mode, for the built-in modes.
     *
     * @return {@code eventbus-runtime}, {@code eventbus-corelet} or {@code eventbus-cmd}; empty for other modes
     */
    public java.util.Optional<String> builtInArtifact() {
        return java.util.Optional.ofNullable(switch (name) {
            case "sync", "thread" -> "eventbus-runtime";
            case "corelet" -> "eventbus-corelet";
            case "cmd" -> "eventbus-cmd";
            default -> null;
        });
    }

    @Override
    public String toString() {
        return name.toUpperCase(java.util.Locale.ROOT);
    }
}
