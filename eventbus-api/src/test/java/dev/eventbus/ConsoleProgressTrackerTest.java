package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ConsoleProgressTrackerTest {

    private static final String NL = System.lineSeparator();
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The fake clock, in nanoseconds; starts at an arbitrary non-zero value. */
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final long start = clock.get();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private ConsoleProgressTracker tracker(long total, boolean terminal) {
        return new ConsoleProgressTracker(total, "work", out, terminal, clock::get);
    }

    private ConsoleProgressTracker tracker(long total, String description) {
        return new ConsoleProgressTracker(total, description, out, true, clock::get);
    }

    private void at(long millisSinceStart) {
        clock.set(start + millisSinceStart * MS);
    }

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private List<String> lines() {
        String text = output();
        return text.isEmpty() ? List.of() : List.of(text.split(NL));
    }

    /** The bar between the brackets: {@code filled} of its 30 cells done. */
    private static String bar(int filled) {
        return "[" + "#".repeat(filled) + ".".repeat(30 - filled) + "]";
    }

    // ----- counting -----

    @Test
    void startsAtZeroAndKnowsItsTotal() {
        ConsoleProgressTracker tracker = tracker(100, false);

        assertEquals(0, tracker.current());
        assertEquals(100, tracker.total());
        assertEquals("", output());
    }

    @Test
    void addsTheGivenSteps() {
        ConsoleProgressTracker tracker = tracker(100, false);

        tracker.progress(3);
        tracker.progress(0);
        tracker.progress(4);

        assertEquals(7, tracker.current());
    }

    @Test
    void countsUpdatesFromSeveralThreadsExactly() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        ConsoleProgressTracker tracker = tracker(1_000_000, false);
        CyclicBarrier go = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = startUpdaters(pool, threads, go, tracker, perThread);
            for (Future<?> f : futures) {
                f.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals((long) threads * perThread, tracker.current());
        assertEquals(1, lines().size(), "the clock never moved: only the first update draws a line");
    }

    // ----- bad input -----

    @Test
    void negativeStepsAreRejectedNamingTheValueAndNotCounted() {
        ConsoleProgressTracker tracker = tracker(10, false);
        tracker.progress(2);

        var e = assertThrows(IllegalArgumentException.class, () -> tracker.progress(-1));

        assertMessageNames(e, "steps", "-1");
        assertEquals(2, tracker.current());
    }

    @Test
    void negativeTotalIsRejectedNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> tracker(-1, false));

        assertMessageNames(e, "total", "-1");
    }

    @Test
    void nullDescriptionAndStreamAreRejectedNamingTheArgument() {
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> new ConsoleProgressTracker(1, null, out, false, clock::get)), "description");
        assertMessageNames(assertThrows(NullPointerException.class,
                () -> new ConsoleProgressTracker(1, "work", null, false, clock::get)), "out");
    }

    @Test
    void descriptionWithAControlCharacterIsRejectedShowingIt() {
        // A line break in the label put every redraw of a terminal bar on a line of its own; an escape sequence can
        // move the cursor or clear the screen.
        var newline = assertThrows(IllegalArgumentException.class, () -> tracker(1, "two\nlines"));
        var escape = assertThrows(IllegalArgumentException.class, () -> tracker(1, "red\u001B[31m"));
        var carriageReturn = assertThrows(IllegalArgumentException.class, () -> ProgressTracker.console(1, "a\rb"));

        assertEquals("description must be one line of text without control characters (line breaks, escapes): "
                + "\"two\\u000Alines\"", newline.getMessage());
        assertMessageNames(escape, "description", "\"red\\u001B[31m\"");
        assertMessageNames(carriageReturn, "description", "\"a\\u000Db\"");
        assertEquals("", output());
    }

    // ----- terminal mode -----

    @Test
    void terminalModeRedrawsInPlaceOnEveryUpdateAndEndsTheLineWhenDone() {
        ConsoleProgressTracker tracker = tracker(3, true);

        at(100);
        tracker.progress(1);
        at(101);
        tracker.progress(1);
        String beforeTheEnd = output();
        at(102);
        tracker.progress(1);
        String text = output();

        assertEquals(3, text.chars().filter(c -> c == '\r').count(), text);
        assertTrue(text.startsWith("\rwork ["), text);
        assertTrue(text.contains(" 1/3 "), text);
        assertTrue(text.contains(" 2/3 "), text);
        assertTrue(text.contains(" 3/3 100%"), text);
        assertFalse(beforeTheEnd.contains(NL), "no new line before the end: " + beforeTheEnd);
        assertTrue(text.endsWith(NL), text);
        assertEquals(text.indexOf(NL), text.length() - NL.length(), "exactly one new line, at the end");
    }

    @Test
    void terminalModeBlanksWhatAShorterRedrawWouldLeaveOfTheBarBefore() {
        ConsoleProgressTracker tracker = tracker(100, true);

        at(1000);
        tracker.progress(10);
        at(2000);
        tracker.progress(9);     // 19 in 2 s: 9.5/s, a character shorter than 10.0/s
        at(2100);
        tracker.progress(1);     // 20 in 2.1 s: 9.5/s again, same length: nothing to blank

        // Without the blank, the terminal showed "... 9.5/s ETA 0:099": the last character of the longer line.
        assertEquals("\rwork " + bar(3) + " 10/100 10% 10.0/s ETA 0:09"
                + "\rwork " + bar(5) + " 19/100 19% 9.5/s ETA 0:09 "
                + "\rwork " + bar(6) + " 20/100 20% 9.5/s ETA 0:09", output());
    }

    @Test
    void terminalModeBlanksTheRestOfALongerBarOnTheLineItEnds() {
        ConsoleProgressTracker tracker = tracker(200, true);

        at(1000);
        tracker.progress(100);
        at(30_000);
        tracker.progress(100);   // the total: 200 in 30 s, 6.7/s, two characters shorter than 100.0/s

        // 100% is one character longer than 50%: one is left to blank.
        assertEquals("\rwork " + bar(15) + " 100/200 50% 100.0/s ETA 0:01"
                + "\rwork " + bar(30) + " 200/200 100% 6.7/s ETA 0:00 " + NL, output());
    }

    /** Draws three updates with {@link ProgressTracker#console}, after a line saying whether there is a terminal. */
    public static final class ConsoleMain {
        public static void main(String[] args) {
            System.err.println("console terminal: " + (System.console() != null && System.console().isTerminal()));
            ConsoleProgressTracker tracker = ProgressTracker.console(3, "work");
            for (int i = 0; i < 3; i++) {
                tracker.progress(1);
            }
        }
    }

    @Test
    void standardErrorSentToAFileGetsPlainLinesThoughStandardInputAndOutputAreATerminal(@TempDir Path dir)
            throws Exception {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script) && Files.isDirectory(Path.of("/proc/self/fd")),
                "needs script(1), to run a JVM on a pseudo-terminal, and /proc");
        Path err = dir.resolve("err.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // java App 2>err.txt, typed at a terminal: script(1) gives the child a pseudo-terminal as stdin and stdout.
        String command = "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' '"
                + ConsoleMain.class.getName() + "' 2>'" + err + "'";
        Process process = new ProcessBuilder(script.toString(), "-qec", command, "/dev/null")
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(25, TimeUnit.SECONDS), "the child JVM did not finish");

        String text = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("console terminal: true" + NL), "the child had a terminal as its console: " + text);
        // The bar went to the file as carriage-return redraws, one per update and unthrottled.
        assertFalse(text.contains("\r"), text.replace("\r", "<CR>"));
        assertTrue(List.of(text.split(NL)).getLast().startsWith("work [" + "#".repeat(30) + "] 3/3 100% "), text);
    }

    // ----- plain (non-terminal) mode -----

    @Test
    void plainModePrintsAtMostOneLinePerTwoHundredMillisecondsPlusTheFinalLine() {
        ConsoleProgressTracker tracker = tracker(100, false);

        at(0);
        tracker.progress(1);     // first update: drawn
        at(100);
        tracker.progress(1);     // too soon
        at(199);
        tracker.progress(1);     // too soon
        at(200);
        tracker.progress(1);     // 200 ms after the last line: drawn
        at(250);
        tracker.progress(1);     // too soon
        at(260);
        tracker.progress(95);    // finished: always drawn

        List<String> lines = lines();
        assertEquals(3, lines.size(), output());
        assertTrue(lines.get(0).contains(" 1/100 "), lines.get(0));
        assertTrue(lines.get(1).contains(" 4/100 "), lines.get(1));
        assertTrue(lines.get(2).contains(" 100/100 100%"), lines.get(2));
        assertFalse(output().contains("\r"), "no carriage returns when not on a terminal");
    }

    @Test
    void plainModeDrawsFiveLinesForASecondOfMillisecondUpdates() {
        ConsoleProgressTracker tracker = tracker(1_000_000, false);

        for (int ms = 0; ms < 1000; ms++) {
            at(ms);
            tracker.progress(1);
        }

        assertEquals(1000, tracker.current());
        assertEquals(5, lines().size(), output());
    }

    @Test
    void plainModeKeepsItsRateLimitOnceTheTotalIsReached() {
        ConsoleProgressTracker tracker = tracker(10, false);

        for (int ms = 0; ms < 1000; ms++) {
            at(ms);
            tracker.progress(1); // the total is an estimate: 1000 events come, not 10
        }

        assertEquals(1000, tracker.current());
        // the line that reaches the total, and then about five a second as before: not one line per update
        assertTrue(lines().size() <= 7, lines().size() + " lines: " + output());
        assertTrue(lines().get(1).contains(" 10/10 100%"), "the line that reaches the total is drawn: " + output());
    }

    @Test
    void plainModeWithAnEmptyTotalKeepsItsRateLimit() {
        ConsoleProgressTracker tracker = tracker(0, false);

        for (int ms = 0; ms < 1000; ms++) {
            at(ms);
            tracker.progress(1);
        }

        assertTrue(lines().size() <= 6, lines().size() + " lines: " + output());
    }

    @Test
    void terminalModeEndsTheLineOnceWhenTheTotalIsReachedNotOnEveryLaterUpdate() {
        ConsoleProgressTracker tracker = tracker(2, true);

        for (int ms = 0; ms < 5; ms++) {
            at(ms);
            tracker.progress(1);
        }

        // Past the total, within 200 ms of the line that reached it: counted, not drawn.
        assertEquals("\rwork " + bar(15) + " 1/2 50% ?/s ETA ?"
                + "\rwork " + bar(30) + " 2/2 100% ?/s ETA 0:00" + NL, output());
        assertEquals(5, tracker.current());
    }

    @Test
    void terminalModeEndsEveryLineItDrawsPastTheTotal() {
        ConsoleProgressTracker tracker = tracker(2, true);

        at(1000);
        tracker.progress(1);     // redrawn in place
        at(1100);
        tracker.progress(1);     // the total: its line is ended
        at(1200);
        tracker.progress(1);     // past the total, 100 ms after the last line: not drawn
        at(1300);
        tracker.progress(1);     // 200 ms after: a line of its own, ended too

        // The line of 4/2 was left open: the program's next output went on after "ETA 0:00".
        assertEquals("\rwork " + bar(15) + " 1/2 50% 1.0/s ETA 0:01"
                + "\rwork " + bar(30) + " 2/2 100% 1.8/s ETA 0:00" + NL
                + "\rwork " + bar(30) + " 4/2 100% 3.1/s ETA 0:00" + NL, output());
    }

    @Test
    void terminalModeKeepsARateLimitPastTheTotalAndEndsItsLastLine() {
        ConsoleProgressTracker tracker = tracker(10, true);

        for (int ms = 0; ms < 1000; ms++) {
            at(ms);
            tracker.progress(1); // the total is an estimate: 1000 events come, not 10
        }

        // The bar redrawn in place up to the total (at 9 ms), then a line per 200 ms: at 209, 409, 609 and 809 ms.
        List<String> lines = lines();
        assertEquals(5, lines.size(), output());
        assertTrue(lines.getFirst().endsWith("\rwork " + bar(30) + " 10/10 100% ?/s ETA 0:00"), lines.getFirst());
        assertEquals(10, lines.getFirst().chars().filter(c -> c == '\r').count(), lines.getFirst());
        assertEquals(List.of("210", "410", "610", "810"),
                lines.subList(1, 5).stream().map(l -> l.substring(l.indexOf("] ") + 2, l.indexOf('/'))).toList());
        assertEquals("\rwork " + bar(30) + " 810/10 100% ?/s ETA 0:00", lines.getLast());
        assertTrue(output().endsWith(NL), "the last line drawn is ended: " + output());
    }

    @Test
    void terminalModeEndsTheLineOfAFirstUpdateThatOvershootsTheTotal() {
        ConsoleProgressTracker tracker = tracker(10, true);

        at(1000);
        tracker.progress(15);

        assertEquals("\rwork " + bar(30) + " 15/10 100% 15.0/s ETA 0:00" + NL, output());
    }

    // ----- close -----

    @Test
    void closeEndsTheLineOfABarLeftOpenOnATerminalBeforeTheTotal() {
        ConsoleProgressTracker tracker = tracker(10, true);
        at(1000);
        tracker.progress(4);

        tracker.close();

        // The bar on the open line shows the count already: only its end is missing.
        assertEquals("\rwork " + bar(12) + " 4/10 40% 4.0/s ETA 0:02" + NL, output());
    }

    @Test
    void closeDrawsTheCountALineWithinTheRateLimitLeftUndrawn() {
        ConsoleProgressTracker tracker = tracker(100, false);
        at(1000);
        tracker.progress(1);     // drawn
        at(1100);
        tracker.progress(1);     // 100 ms after the last line: not drawn

        at(1150);
        tracker.close();

        // 2 in 1.15 s: 1.7/s; 98 left at that rate: 56.4 s.
        assertEquals(List.of(
                "work " + bar(0) + " 1/100 1% 1.0/s ETA 1:39",
                "work " + bar(0) + " 2/100 2% 1.7/s ETA 0:57"), lines());
        assertTrue(output().endsWith(NL), output());
    }

    @Test
    void closeOnATerminalDrawsTheCountPastTheTotalOnAnEndedLine() {
        ConsoleProgressTracker tracker = tracker(2, true);
        at(1000);
        tracker.progress(2);     // the total: its line is ended
        at(1100);
        tracker.progress(1);     // past it, 100 ms later: not drawn

        at(1250);
        tracker.close();

        assertEquals("\rwork " + bar(30) + " 2/2 100% 2.0/s ETA 0:00" + NL
                + "\rwork " + bar(30) + " 3/2 100% 2.4/s ETA 0:00" + NL, output());
    }

    @Test
    void closeAfterTheLineThatReachedTheTotalAddsNothingInEitherMode() {
        for (boolean terminal : new boolean[] {true, false}) {
            bytes.reset();
            at(0);
            ConsoleProgressTracker tracker = tracker(2, terminal);
            at(1000);
            tracker.progress(2);
            String drawn = output();

            tracker.close();

            assertEquals((terminal ? "\r" : "") + "work " + bar(30) + " 2/2 100% 2.0/s ETA 0:00" + NL, drawn);
            assertEquals(drawn, output(), "terminal: " + terminal);
        }
    }

    @Test
    void closeOfATrackerThatCountedNothingDrawsNothing() {
        ConsoleProgressTracker tracker = tracker(10, true);

        tracker.close();

        assertEquals("", output());
    }

    @Test
    void closeIsIdempotentAndLaterUpdatesAreCountedButNotDrawn() {
        ConsoleProgressTracker tracker = tracker(10, true);
        at(1000);
        tracker.progress(4);
        tracker.close();
        String closed = output();

        tracker.close();
        at(2000);
        tracker.progress(6);     // even the one that reaches the total: the bar's line is ended for good

        assertEquals("\rwork " + bar(12) + " 4/10 40% 4.0/s ETA 0:02" + NL, closed);
        assertEquals(closed, output());
        assertEquals(10, tracker.current());
    }

    @Test
    void closeWhileSeveralThreadsUpdateEndsTheLineAndNothingIsDrawnAfterIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            bytes.reset();
            int threads = 3;
            int perThread = 2_000;
            ConsoleProgressTracker tracker = tracker(1_000_000, true);
            CyclicBarrier go = new CyclicBarrier(threads + 1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            String afterClose;
            try {
                List<Future<?>> futures = startUpdaters(pool, threads, go, tracker, perThread);
                go.await(10, TimeUnit.SECONDS);
                tracker.close();
                afterClose = output();
                for (Future<?> f : futures) {
                    f.get(20, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }

            assertEquals((long) threads * perThread, tracker.current());
            assertEquals(afterClose, output(), "drawn after close()");
            if (!afterClose.isEmpty()) { // close() may come before any update: then there is no line to end
                assertEquals(afterClose.length() - NL.length(), afterClose.indexOf(NL),
                        "one line, ended once, by close(): " + afterClose.replace("\r", "<CR>"));
            }
        }
    }

    // ----- rendering -----

    @Test
    void lineShowsDescriptionBarCountPercentRateAndEta() {
        ConsoleProgressTracker tracker = tracker(100, false);

        at(10_000);
        tracker.progress(42);

        // 42 steps in 10 s: 4.2/s; 58 left at that rate: 13.8 s, shown rounded up.
        assertEquals(List.of("work [############..................] 42/100 42% 4.2/s ETA 0:14"), lines());
    }

    @Test
    void etaOfMoreThanAnHourShowsHours() {
        ConsoleProgressTracker tracker = tracker(100_000, false);

        at(1000);
        tracker.progress(1);

        // 99,999 s left at 1/s = 27 h 46 min 39 s.
        assertTrue(lines().getFirst().endsWith(" 1/100000 0% 1.0/s ETA 27:46:39"), lines().getFirst());
    }

    @Test
    void etaIsUnknownWhileNothingHasBeenDone() {
        ConsoleProgressTracker tracker = tracker(10, false);

        at(1500);
        tracker.progress(0);

        assertTrue(lines().getFirst().endsWith(" 0/10 0% 0.0/s ETA ?"), lines().getFirst());
    }

    @Test
    void rateAndEtaAreUnknownForAnUpdateRightAfterCreation() {
        ConsoleProgressTracker tracker = tracker(10, false);

        tracker.progress(1); // the clock has not moved: one step in no time at all

        // was "1000000000.0/s ETA 0:01": the elapsed time, 0, was taken as a nanosecond
        assertEquals(List.of("work " + bar(3) + " 1/10 10% ?/s ETA ?"), lines());
    }

    @Test
    void rateAndEtaAreShownOnceASecondHasPassedSinceCreation() {
        ConsoleProgressTracker tracker = tracker(100, false);

        at(1);
        tracker.progress(1);
        at(800);
        tracker.progress(1);
        at(1000);
        tracker.progress(2);

        // 4 steps in 1 s: 4.0/s; 96 left at that rate: 24 s.
        assertEquals(List.of(
                "work " + bar(0) + " 1/100 1% ?/s ETA ?",
                "work " + bar(0) + " 2/100 2% ?/s ETA ?",
                "work " + bar(1) + " 4/100 4% 4.0/s ETA 0:24"), lines());
    }

    @Test
    void aJobDoneWithinItsFirstSecondEndsWithNothingLeftAndAnUnknownRate() {
        ConsoleProgressTracker tracker = tracker(2, false);

        at(300);
        tracker.progress(2);

        assertEquals(List.of("work " + bar(30) + " 2/2 100% ?/s ETA 0:00"), lines());
    }

    @Test
    void anEmptyTotalHasNothingLeftFromTheStart() {
        ConsoleProgressTracker tracker = tracker(0, false);

        tracker.progress(0);

        assertEquals(List.of("work " + bar(30) + " 0/0 100% ?/s ETA 0:00"), lines());
    }

    @Test
    void emptyTotalShowsAFullBarAtOneHundredPercent() {
        ConsoleProgressTracker tracker = tracker(0, false);

        at(1000);
        tracker.progress(0);

        assertTrue(lines().getFirst().startsWith("work [" + "#".repeat(30) + "] 0/0 100%"), lines().getFirst());
    }

    @Test
    void countingPastTheTotalKeepsCountingButCapsBarAndPercent() {
        ConsoleProgressTracker tracker = tracker(10, false);

        at(1000);
        tracker.progress(15);

        assertEquals(15, tracker.current());
        assertTrue(lines().getFirst().startsWith("work [" + "#".repeat(30) + "] 15/10 100%"), lines().getFirst());
    }

    @Test
    void aHugeTotalIsDrawnWithoutOverflowingTheBarOrThePercentage() {
        ConsoleProgressTracker tracker = tracker(400_000_000_000_000_000L, false);
        at(0);
        tracker.progress(0);
        // 30 times the count overflows a long from about 3.1e17 steps (100 times, from 9.2e16): count past both.
        long calls = Long.MAX_VALUE / 30 / Integer.MAX_VALUE + 1;
        for (long i = 0; i < calls; i++) {
            tracker.progress(Integer.MAX_VALUE); // within the same 200 ms: counted, not drawn
        }
        at(1000);
        tracker.progress(0); // drawn: threw IllegalArgumentException ("count is negative") from the bar's width

        long count = calls * Integer.MAX_VALUE; // 76.9% of the total
        assertEquals(count, tracker.current());
        String last = lines().getLast();
        assertTrue(last.startsWith("work [" + "#".repeat(23) + ".".repeat(7) + "] " + count
                + "/400000000000000000 76% "), last);
    }

    @Test
    void toStringNamesDescriptionAndCount() {
        ConsoleProgressTracker tracker = tracker(100, false);
        tracker.progress(42);

        assertEquals("ConsoleProgressTracker[work 42/100]", tracker.toString());
    }

    /** Submits {@code threads} tasks that each pass the barrier, then add {@code perThread} single steps. */
    private static List<Future<?>> startUpdaters(ExecutorService pool, int threads, CyclicBarrier go,
            ConsoleProgressTracker tracker, int perThread) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                go.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < perThread; i++) {
                    tracker.progress(1);
                }
                return null;
            }));
        }
        return futures;
    }
}
