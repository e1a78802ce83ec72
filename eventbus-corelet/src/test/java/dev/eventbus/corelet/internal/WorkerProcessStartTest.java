package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a worker that dies while it starts is reported, whichever step of the start finds it dead. */
@Timeout(60)
class WorkerProcessStartTest {

    @TempDir
    Path dir;

    /**
     * A worker that has exited before the parent sends its token (a JVM with a bad option ends within milliseconds,
     * sooner than the parent gets there on a busy machine) is a crash with its exit code, as when the wait for its
     * first byte finds it dead: the write used to fail with the closed stream's bare {@code IOException}. The
     * {@code starting} hook waits for the exit, so the token always comes too late here.
     */
    @ParameterizedTest
    @EnumSource(WorkerProcess.Transport.class)
    void aWorkerThatDiedBeforeItsTokenIsACrashWithItsExitCode(WorkerProcess.Transport transport) {
        CoreletCrashedException e = assertThrows(CoreletCrashedException.class, () -> WorkerProcess.start(
                List.of("sh", "-c", "exit 3"), ProcessBuilder.Redirect.DISCARD, dir, "w1", transport,
                Duration.ofSeconds(30), WorkerProcessStartTest::awaitExit, TimeUnit.MILLISECONDS.toNanos(1), () -> { }));
        assertEquals(OptionalInt.of(3), e.exitCode());
        assertTrue(e.getMessage().contains("before it was ready"), e.getMessage());
    }

    private static void awaitExit(Process process) {
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the stand-in worker did not exit");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
