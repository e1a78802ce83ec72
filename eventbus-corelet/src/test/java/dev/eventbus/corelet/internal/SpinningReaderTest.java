package dev.eventbus.corelet.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SpinningReaderTest {

    /** A stream that never has data and counts how often it was asked. */
    private static final class EmptyStream extends InputStream {
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public int available() {
            asked.incrementAndGet();
            return 0;
        }

        @Override
        public int read() {
            throw new AssertionError("SpinningReader must not read");
        }
    }

    private static void elapse(long nanos) {
        long until = System.nanoTime() + nanos; // time passing, not synchronization
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void dataAlreadyThereEndsTheSpinAtOnceAndKeepsTheWindow() {
        SpinningReader reader = new SpinningReader();
        AtomicInteger asked = new AtomicInteger();
        InputStream ready = new InputStream() {
            @Override
            public int available() {
                asked.incrementAndGet();
                return 1;
            }

            @Override
            public int read() {
                return 0;
            }
        };
        reader.beforeRead(ready);
        reader.afterRead();
        assertEquals(1, asked.get());
        assertEquals(SpinningReader.MIN_SPIN_NANOS, reader.windowNanos());
    }

    @Test
    void aWaitJustLongerThanTheWindowGrowsItAndALongWaitShrinksItBack() {
        SpinningReader reader = new SpinningReader();
        EmptyStream empty = new EmptyStream();
        reader.beforeRead(empty); // spins the whole window: at least MIN_SPIN_NANOS
        reader.afterRead();
        long grown = reader.windowNanos();
        assertTrue(grown >= SpinningReader.MIN_SPIN_NANOS * 5 / 4 && grown <= SpinningReader.MAX_SPIN_NANOS,
                "window after a short wait: " + grown);
        assertTrue(empty.asked.get() > 1);

        reader.beforeRead(empty);
        elapse(SpinningReader.MAX_SPIN_NANOS * 2);
        reader.afterRead();
        assertEquals(SpinningReader.MIN_SPIN_NANOS, reader.windowNanos());
    }

    @Test
    void anInterruptedReaderStopsPollingAndKeepsItsInterrupt() {
        SpinningReader reader = new SpinningReader();
        EmptyStream empty = new EmptyStream();
        Thread.currentThread().interrupt();
        try {
            reader.beforeRead(empty);
            assertTrue(Thread.currentThread().isInterrupted(), "the read that follows must see the interrupt");
        } finally {
            Thread.interrupted();
        }
        assertEquals(2, empty.asked.get());
        reader.afterRead();
        assertEquals(SpinningReader.MIN_SPIN_NANOS, reader.windowNanos());
    }

    @Test
    void aBrokenChannelIsLeftToTheReadToReport() {
        SpinningReader reader = new SpinningReader();
        InputStream broken = new InputStream() {
            @Override
            public int available() throws IOException {
                throw new IOException("closed");
            }

            @Override
            public int read() {
                return -1;
            }
        };
        reader.beforeRead(broken); // no exception
        reader.afterRead();
        assertEquals(SpinningReader.MIN_SPIN_NANOS, reader.windowNanos());
    }
}
