package dev.eventbus.corelet.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a worker's reply FIFO is made, and what a missing or failing {@code mkfifo} reports. */
@Timeout(60)
class MkfifoTest {

    @TempDir
    Path dir;

    @Test
    void makesAFifoOnlyItsOwnerCanOpen() throws Exception {
        Path fifo = dir.resolve("w.fifo");
        assertNull(WorkerProcess.mkfifo(List.of("mkfifo", "-m", "600", fifo.toString())));
        assertTrue(Files.exists(fifo));
        assertFalse(Files.isRegularFile(fifo) || Files.isDirectory(fifo), "a FIFO is neither file nor directory");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
    }

    @Test
    void mkfifoIsLookedUpOnThePath() throws Exception {
        assertTrue(WorkerProcess.MkfifoOnPath.found(System.getenv("PATH")), "this machine has mkfifo");
        assertFalse(WorkerProcess.MkfifoOnPath.found(dir + ":" + dir.resolve("missing")), "not in these directories");
        assertFalse(WorkerProcess.MkfifoOnPath.found(""));
        assertFalse(WorkerProcess.MkfifoOnPath.found(null), "no PATH at all");
        Path fake = Files.createFile(dir.resolve("mkfifo"));
        assertFalse(WorkerProcess.MkfifoOnPath.found(dir.toString()), "a file that is not executable does not count");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        assertTrue(WorkerProcess.MkfifoOnPath.found(dir.toString()));
    }

    @Test
    void aRemovedDirectoryFailsThatStartAndDoesNotTurnPipesOff() {
        Path fifo = dir.resolve("removed-by-a-cleaner").resolve("w.fifo");
        IOException e = assertThrows(IOException.class, () -> WorkerProcess.makeFifo(fifo));
        assertEquals("Cannot make the CORELET worker's FIFO " + fifo + ": its directory was removed meanwhile (by a"
                + " temp-file cleaner?); the next worker start makes a new one", e.getMessage());
    }

    @Test
    void aMissingProgramIsReportedNotThrown() throws Exception {
        String failure = WorkerProcess.mkfifo(List.of("no-such-mkfifo-program", dir.resolve("w.fifo").toString()));
        assertNotNull(failure);
        assertTrue(failure.contains("no-such-mkfifo-program"), failure);
    }

    @Test
    void aFailingProgramIsReportedWithItsExitCodeAndOutput() throws Exception {
        Path existing = Files.createFile(dir.resolve("taken"));
        String failure = WorkerProcess.mkfifo(List.of("mkfifo", existing.toString()));
        assertNotNull(failure);
        assertTrue(failure.startsWith("it exited with code 1: "), failure);
        assertTrue(failure.contains("taken"), "mkfifo's own message names the file: " + failure);
    }
}
