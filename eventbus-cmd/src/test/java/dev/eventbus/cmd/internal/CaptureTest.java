package dev.eventbus.cmd.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a {@link Capture} keeps and whether it reads as truncated, on in-memory streams. */
@Timeout(60)
class CaptureTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCaptureCutAfterEndOfFileIsComplete() {
        Capture capture = new Capture(new ByteArrayInputStream(utf8("all of it\n")), 100);
        capture.run();
        capture.cut(); // the owner gave up just as the reader reached end-of-file

        assertTrue(capture.isDone());
        assertEquals("all of it\n", capture.text());
        assertFalse(capture.truncated(), "everything was read: nothing is missing");
    }

    @Test
    void aCaptureCutBeforeEndOfFileKeepsWhatItReadAndReadsTruncated() throws Exception {
        PipedOutputStream writer = new PipedOutputStream();
        Capture capture = new Capture(new PipedInputStream(writer, 1024), 100);
        Thread reader = Thread.ofPlatform().name("capture-reader").start(capture);
        writer.write(utf8("start\n"));
        writer.flush();
        Processes.await("the reader took the first line", () -> capture.text().equals("start\n"));

        capture.cut();

        assertEquals("start\n", capture.text());
        assertTrue(capture.truncated(), "cut before end-of-file: the rest was never read");
        // The reader runs on: what it still reads must not change the result already taken from the capture.
        writer.write(utf8("late\n"));
        writer.close();
        assertTrue(capture.await(30, TimeUnit.SECONDS), "the reader reached end-of-file");
        reader.join();
        assertEquals("start\n", capture.text());
        assertTrue(capture.truncated());
    }

    @Test
    void outputOverTheCapReadsTruncatedWithoutACut() {
        Capture capture = new Capture(new ByteArrayInputStream(utf8("123456")), 5);
        capture.run();

        assertEquals("12345", capture.text());
        assertTrue(capture.truncated());
    }
}
