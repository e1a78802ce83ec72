package dev.eventbus.cmd.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Test helpers about the processes of this JVM. */
final class Processes {

    private Processes() {
    }

    /** Returns this JVM's descendants whose executable's file name is {@code name}. */
    static List<ProcessHandle> descendantsNamed(String name) {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
                .toList();
    }

    /** Waits, up to a generous bound, until the condition holds. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Asserts that every given process has ended, waiting for each up to a bound. */
    static void assertAllEnd(List<ProcessHandle> handles, Duration within) throws Exception {
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("Process " + h.pid() + " " + h.info().commandLine().orElse("?") + " is still alive after "
                        + within);
            }
            // onExit completes at exit; a child is alive (a zombie) until its parent reaps it, just after.
            await("process " + h.pid() + " is reaped", () -> !h.isAlive());
        }
    }

    /** Asserts that this JVM has no child process left, waiting up to a bound for those being killed. */
    static void assertNoChildLeft() throws Exception {
        assertAllEnd(ProcessHandle.current().descendants().toList(), Duration.ofSeconds(10));
        assertEquals(List.of(), ProcessHandle.current().descendants().map(ProcessHandle::pid).toList(),
                "child processes left");
    }
}
