package dev.eventbus.corelet.internal;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The worker's own pid and its parent's: read from {@code /proc/self/stat} where there is one (Linux), else from
 * {@link ProcessHandle}. In a fresh JVM the first {@code ProcessHandle.current()} costs about 17 ms (its class
 * initialization starts the process reaper's executor, and with it the JVM's first lambda), on the way to every
 * CORELET worker's first reply; reading the file costs a fraction of a millisecond.
 */
final class OwnProcess {

    private static final String STAT = "/proc/self/stat";

    private OwnProcess() {
    }

    /** @return this process's pid */
    static long pid() {
        long[] ids = readStat();
        return ids != null ? ids[0] : ProcessHandle.current().pid();
    }

    /** @return the parent's pid, or -1 if it has none (it died, and the system did not adopt this process) */
    static long parentPid() {
        long[] ids = readStat();
        if (ids != null) {
            return ids[1];
        }
        var parent = ProcessHandle.current().parent();
        return parent.isPresent() ? parent.get().pid() : -1;
    }

    private static long[] readStat() {
        try (FileInputStream in = new FileInputStream(STAT)) {
            return parseStat(new String(in.readNBytes(512), StandardCharsets.ISO_8859_1));
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /**
     * Parses the start of a {@code /proc/<pid>/stat} line, {@code "pid (comm) state ppid ..."}; the command name may
     * hold spaces and parentheses, so the fields after it start after the last {@code ')'}.
     *
     * @param stat the line, or its first few hundred characters
     * @return the pid and the parent's pid, or null if the line is not of that form
     */
    static long[] parseStat(String stat) {
        int open = stat.indexOf(" (");
        int close = stat.lastIndexOf(") ");
        if (open <= 0 || close < open) {
            return null;
        }
        int state = close + 2;
        int ppidStart = state + 2;
        if (ppidStart >= stat.length() || stat.charAt(state + 1) != ' ') {
            return null;
        }
        int ppidEnd = stat.indexOf(' ', ppidStart);
        try {
            return new long[] {Long.parseLong(stat, 0, open, 10),
                    Long.parseLong(stat, ppidStart, ppidEnd < 0 ? stat.length() : ppidEnd, 10)};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
