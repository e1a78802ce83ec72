package dev.eventbus.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Attempt counting across processes: every attempt appends one line to a file named after the event id, whatever
 * process runs it (the parent, a worker JVM, a shell). Thread-safe (appends of one short line are atomic).
 */
public final class Attempts {

    private Attempts() {
    }

    /**
     * Records one attempt.
     *
     * @param dir the attempt directory
     * @param eventId the event
     * @return the number of this attempt (1 for the first)
     */
    public static int record(String dir, String eventId) {
        Path file = Path.of(dir, eventId);
        try {
            Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            return count(dir, eventId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Counts the attempts recorded for an event.
     *
     * @param dir the attempt directory
     * @param eventId the event
     * @return how many attempts ran (0 if none)
     */
    public static int count(String dir, String eventId) {
        try {
            String text = Files.readString(Path.of(dir, eventId), StandardCharsets.US_ASCII);
            return (int) text.chars().filter(c -> c == '\n').count();
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
