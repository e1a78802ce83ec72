package dev.eventbus;

import static dev.eventbus.MessageAssertions.assertMessageNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressTrackerTest {

    @Test
    void aLambdaIsATracker() {
        AtomicInteger total = new AtomicInteger();
        ProgressTracker tracker = total::addAndGet;

        tracker.progress(3);
        tracker.progress(4);

        assertEquals(7, total.get());
    }

    @Test
    void consoleReturnsAConsoleTrackerForTheGivenTotal() {
        ProgressTracker tracker = ProgressTracker.console(10, "files");

        ConsoleProgressTracker console = assertInstanceOf(ConsoleProgressTracker.class, tracker);
        assertEquals(10, console.total());
        assertEquals(0, console.current());
        assertEquals("ConsoleProgressTracker[files 0/10]", console.toString());
    }

    @Test
    void consoleRejectsANegativeTotalNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> ProgressTracker.console(-5, "files"));

        assertMessageNames(e, "total", "-5");
    }

    @Test
    void consoleRejectsANullDescriptionNamingTheArgument() {
        var e = assertThrows(NullPointerException.class, () -> ProgressTracker.console(5, null));

        assertMessageNames(e, "description");
    }
}
