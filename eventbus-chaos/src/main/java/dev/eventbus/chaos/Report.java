package dev.eventbus.chaos;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The outcome of a chaos run: the counters and the invariants, each with its value, its bound and whether it held.
 * Immutable.
 *
 * @param seed the seed that replays the run
 * @param duration how long events were published
 * @param rows the table, in print order
 * @param violations the first violations found, each naming the event or bus (empty if every invariant held)
 */
public record Report(long seed, Duration duration, List<Row> rows, List<String> violations) {

    /**
     * One line of the table.
     *
     * @param name what is counted
     * @param value its value
     * @param bound the bound, or "" for a plain counter
     * @param ok whether the invariant held (always true for a counter)
     */
    public record Row(String name, long value, String bound, boolean ok) {
    }

    /** Copies the lists. */
    public Report {
        rows = List.copyOf(rows);
        violations = List.copyOf(violations);
    }

    /**
     * Returns a row's value.
     *
     * @param name the row's name
     * @return its value
     * @throws NoSuchElementException if there is no such row
     */
    public long value(String name) {
        return row(name).value();
    }

    /**
     * Returns a row.
     *
     * @param name the row's name
     * @return the row
     * @throws NoSuchElementException if there is no such row
     */
    public Row row(String name) {
        for (Row row : rows) {
            if (row.name().equals(name)) {
                return row;
            }
        }
        throw new NoSuchElementException("no row named '" + name + "' in " + names());
    }

    /** Whether every invariant held. */
    public boolean allOk() {
        return rows.stream().allMatch(Row::ok) && violations.isEmpty();
    }

    private Map<String, Long> names() {
        Map<String, Long> names = new LinkedHashMap<>();
        rows.forEach(r -> names.put(r.name(), r.value()));
        return names;
    }

    /** The table as text (markdown), seed first. */
    public String table() {
        StringBuilder s = new StringBuilder();
        s.append("chaos seed ").append(seed).append(", duration ").append(duration).append('\n');
        s.append(String.format("| %-48s | %10s | %-34s | %-4s |%n", "invariant / counter", "value", "bound", "ok"));
        s.append(String.format("|%s|%s|%s|%s|%n", "-".repeat(50), "-".repeat(12), "-".repeat(36), "-".repeat(6)));
        for (Row row : rows) {
            s.append(String.format("| %-48s | %10d | %-34s | %-4s |%n", row.name(), row.value(), row.bound(),
                    row.bound().isEmpty() ? "" : row.ok() ? "yes" : "NO"));
        }
        s.append(allOk() ? "ALL INVARIANTS HELD\n" : "INVARIANTS VIOLATED (replay with seed " + seed + ")\n");
        for (String v : violations) {
            s.append("  violation: ").append(v).append('\n');
        }
        return s.toString();
    }
}
