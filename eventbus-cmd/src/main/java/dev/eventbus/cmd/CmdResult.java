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
 * <p><b>Incomplete output.</b> {@link #truncated()} is true whenever {@code stdout} or {@code stderr} is not all the
 * command wrote to it, for either of two reasons:
 * <ul>
 *   <li>the stream was longer than the output cap ({@link CmdRequest#outputCap()}, or the bus's
 *       {@code cmdOutputCap}): its first cap bytes are kept and the rest was read and dropped;</li>
 *   <li>the stream was still open when CMD stopped reading it. After the command exits, and the processes it left
 *       running are ended, CMD reads each captured stream until end-of-file, but for about 2 seconds at most: a
 *       process it could not find (one that left the command's process group and dropped its environment marker,
 *       or that opened the pipe from outside) may keep the stream open indefinitely. The stream then holds what was
 *       read until that deadline; whatever was not read by then (still in the pipe, or written later) is
 *       missing.</li>
 * </ul>
 * In both cases a character split by the cut is dropped rather than decoded as U+FFFD. The flag says neither which
 * stream nor which reason. A stream sent to a file never makes the result truncated.
 *
 * <p>Immutable and thread-safe.
 *
 * @param returnCode the exit code; 128 + n for a command ended by signal n
 * @param stdout the captured standard output, at most the output cap in bytes
 * @param stderr the captured standard error, at most the output cap in bytes
 * @param duration from just before the command started until it exited
 * @param truncated whether the captured output is incomplete: either captured stream was longer than the cap and was
 *     cut, or was still held open by some process when reading stopped at the drain deadline, about 2 s after the
 *     command exited (see above)
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
