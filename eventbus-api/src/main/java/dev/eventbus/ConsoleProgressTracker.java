package dev.eventbus;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A {@link ProgressTracker} that draws {@code description [#####.....] 42/100 42% 12.3/s ETA 0:05} on standard
 * error. On a terminal the bar is redrawn in place on every update (blanking what a longer bar before it leaves on
 * the line), and its line is ended by the update that reaches the total; otherwise a plain line is printed per
 * update, at most about five per second, plus the one that reaches the total. Counts past the total (a total that was
 * an estimate, or 0) are drawn as plain lines in both modes, at most about five per second, so that on a terminal too
 * every line drawn is ended and the program's next output starts on a line of its own. Created by
 * {@link ProgressTracker#console(long, String)}; {@link #close()} finishes the bar wherever the count stopped:
 *
 * {@snippet :
 * try (ConsoleProgressTracker bar = ProgressTracker.console(paths.size(), "copy")) {
 *     bus.setProgressTracker(bar, 1);
 *     for (Path path : paths) {
 *         bus.publish(Event.builder("copy").data(path).build());
 *     }
 *     bus.join();
 * }
 * }
 *
 * <p>The rate is the count divided by the time since the tracker was created. During the first second it is shown as
 * {@code ?/s}, and the ETA as {@code ?}: a count over a few milliseconds (or none, for an update right after creation)
 * measures the clock, not the work, and gave rates of millions per second. Once the total is reached the ETA is
 * {@code 0:00}, whatever the rate; before that it is {@code ?} while the rate is unknown or zero.
 *
 * <p>Thread-safe: updates from several threads are counted exactly and drawn one at a time; {@code close()} may be
 * called from any thread, and nothing is drawn once it has returned.
 */
public final class ConsoleProgressTracker implements ProgressTracker, AutoCloseable {

    private static final int BAR_WIDTH = 30;
    private static final long PLAIN_LINE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long the count must have run before a rate and an ETA are computed from it. */
    private static final long RATE_MIN_ELAPSED_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long total;
    private final String description;
    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long current;
    private long lastLineNanos;
    /** Whether the total was reached: the update that reaches it is drawn and ends its line, once. */
    private boolean reached;
    /** On a terminal, the length of the bar drawn in place on a line not ended yet; 0 when there is none. */
    private int openLineLength;
    /** The count shown by the last bar drawn; 0 before the first. */
    private long drawnCount;
    /** Whether {@link #close()} was called: the bar is finished, later updates are counted and not drawn. */
    private boolean closed;

    ConsoleProgressTracker(long total, String description) {
        this(total, description, System.err, standardErrorIsTerminal(), System::nanoTime);
    }

    /**
     * Whether standard error, where the bar goes, is a terminal. {@code System.console().isTerminal()} answers for
     * standard input and output: with {@code java App 2>log} typed at a terminal it said yes, and the log got a
     * carriage-return redraw per update, unthrottled, instead of plain lines. Where the process's descriptors can be
     * read (Linux's {@code /proc}), standard error's own is asked; elsewhere the console's answer stands.
     */
    private static boolean standardErrorIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            Console console = System.console();
            return console != null && console.isTerminal();
        }
    }

    ConsoleProgressTracker(long total, String description, PrintStream out, boolean terminal, LongSupplier nanoClock) {
        if (total < 0) {
            throw new IllegalArgumentException("total must be >= 0: " + total);
        }
        this.total = total;
        this.description = requireOneLine(Objects.requireNonNull(description, "description"));
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastLineNanos = startNanos - PLAIN_LINE_INTERVAL_NANOS;
    }

    /**
     * Rejects a description with a control character. The bar is redrawn by returning to the start of its line: a line
     * break in the label put every redraw of a terminal bar on a line of its own, and an escape sequence can move the
     * cursor or clear the screen.
     */
    private static String requireOneLine(String description) {
        if (description.chars().noneMatch(Character::isISOControl)) {
            return description;
        }
        StringBuilder shown = new StringBuilder();
        description.chars().forEach(c -> shown.append(Character.isISOControl(c)
                ? String.format(Locale.ROOT, "\\u%04X", c) : Character.toString(c)));
        throw new IllegalArgumentException(
                "description must be one line of text without control characters (line breaks, escapes): \""
                        + shown + "\"");
    }

    /**
     * Adds {@code steps} and draws the bar, as the class describes; after {@link #close()} only adds them.
     *
     * @param steps steps to add, zero or more
     * @throws IllegalArgumentException if {@code steps} is negative
     */
    @Override
    public void progress(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0: " + steps);
        }
        synchronized (this) {
            current += steps;
            if (closed) {
                return;
            }
            long now = nanoClock.getAsLong();
            // Only the update that reaches the total is special: it is always drawn, and ends its line. Counts past
            // it (a total that was an estimate, or 0) are drawn as plain lines, rate-limited, in either mode:
            // treating each as the last printed a line per update, unthrottled; redrawing them in place on a terminal
            // left the last one's line open, and the program's next output went on after the bar.
            boolean finished = !reached && current >= total;
            reached |= finished;
            if (terminal && !reached) {
                drawInPlace(render(now));
            } else if (finished || now - lastLineNanos >= PLAIN_LINE_INTERVAL_NANOS) {
                lastLineNanos = now;
                drawLine(render(now));
            }
        }
    }

    /** Redraws the bar on the terminal's current line and leaves the line open for the next update. */
    private void drawInPlace(String line) {
        out.print('\r' + line + blankAfter(line));
        out.flush();
        openLineLength = line.length();
        drawnCount = current;
    }

    /** Draws the bar as a whole line: over the bar on an open line, if any, which it ends. */
    private void drawLine(String line) {
        out.print((terminal ? "\r" : "") + line + blankAfter(line) + System.lineSeparator());
        out.flush();
        openLineLength = 0;
        drawnCount = current;
    }

    /**
     * Spaces over what the bar on the open line shows past the end of {@code line}. A carriage return only moves the
     * cursor: a bar shorter than the one it redraws (9.5/s after 10.0/s, an ETA below an hour) left the longer one's
     * last characters on screen, as in "0:099".
     */
    private String blankAfter(String line) {
        return " ".repeat(Math.max(0, openLineLength - line.length()));
    }

    /**
     * Finishes the bar, so that the program's next output starts on a line of its own. The line of a bar left open on
     * a terminal (a total never reached) is ended; a count that no line shows yet (an update within 200 ms of the
     * line before it, past the total or in the plain mode) is drawn on a line of its own. Nothing is drawn when the
     * last line drawn shows the count and is ended, as after the update that reaches the total: never a blank line.
     * Updates after {@code close()} are still counted, and no longer drawn. Calling it again does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (openLineLength > 0) {
                // Before the total, a terminal draws every update: the open line shows the count already.
                out.print(System.lineSeparator());
                out.flush();
                openLineLength = 0;
            } else if (drawnCount != current) {
                drawLine(render(nanoClock.getAsLong()));
            }
        }
    }

    /**
     * Returns the steps counted so far.
     *
     * @return the current count
     */
    public synchronized long current() {
        return current;
    }

    /**
     * Returns the steps expected.
     *
     * @return the total
     */
    public long total() {
        return total;
    }

    String render(long nowNanos) {
        long elapsedNanos = nowNanos - startNanos;
        long shown = Math.min(current, total);
        int filled = total == 0 ? BAR_WIDTH : (int) share(shown, BAR_WIDTH);
        long percent = total == 0 ? 100 : share(shown, 100);
        String rate = "?";
        String eta = shown == total ? formatDuration(0) : "?";
        if (elapsedNanos >= RATE_MIN_ELAPSED_NANOS) {
            double perSecond = current / (elapsedNanos / 1e9);
            rate = String.format(Locale.ROOT, "%.1f", perSecond);
            if (shown < total && perSecond > 0) {
                eta = formatDuration((long) Math.ceil((total - shown) / perSecond));
            }
        }
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %d%% %s/s ETA %s", description, "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled), current, total, percent, rate, eta);
    }

    /**
     * {@code shown * scale / total}, rounded down, for {@code 0 <= shown <= total}: exact while the product fits a
     * long, else in floating point. The product alone overflowed for counts past {@code Long.MAX_VALUE / scale}
     * (a total of bytes, or {@code Long.MAX_VALUE} for "unknown"): a negative bar width threw from every update.
     */
    private long share(long shown, int scale) {
        return shown <= Long.MAX_VALUE / scale ? shown * scale / total
                : Math.min(scale, (long) ((double) shown / total * scale));
    }

    private static String formatDuration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    @Override
    public String toString() {
        return "ConsoleProgressTracker[" + description + " " + current() + "/" + total + "]";
    }
}
