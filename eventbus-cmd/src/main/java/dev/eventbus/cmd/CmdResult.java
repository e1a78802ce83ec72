package dev.eventbus.cmd;

import java.time.Duration;
import java.util.Objects;

/**
 * What an external command did: its exit code, its captured output and how long it ran. The data of every CMD
 * event's result that ran the command: a successful result for exit code 0, a business failure for any other.
 *
 * <p>A stream sent to a file ({@link CmdRequest#stdoutFile()}, {@link CmdRequest#stderrFile()}) reads {@code ""}
 * here. Captured text is decoded as UTF-8 (malformed bytes become U+FFFD).
 *
 * <p>Immutable and thread-safe.
 *
 * @param returnCode the exit code; 128 + n for a command ended by signal n
 * @param stdout the captured standard output, at most the output cap in bytes
 * @param stderr the captured standard error, at most the output cap in bytes
 * @param duration from just before the command started until it exited
 * @param truncated whether either captured stream was longer than the cap and was cut
 */
public record CmdResult(int returnCode, String stdout, String stderr, Duration duration, boolean truncated) {

    /**
     * Validates the result.
     *
     * @throws NullPointerException if a string or the duration is null
     * @throws IllegalArgumentException if the duration is negative
     */
    public CmdResult {
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative: " + duration);
        }
    }

    /**
     * Returns whether the command exited with code 0.
     *
     * @return true for exit code 0
     */
    public boolean succeeded() {
        return returnCode == 0;
    }
}
