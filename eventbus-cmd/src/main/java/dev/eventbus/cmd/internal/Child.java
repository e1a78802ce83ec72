package dev.eventbus.cmd.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A command started by a {@link Launcher}: its root process and its pipes. Thread-safe.
 */
interface Child {

    /**
     * Returns the root process.
     *
     * @return its handle
     */
    ProcessHandle handle();

    /**
     * Returns the write end of the command's stdin pipe.
     *
     * @return the stream, or null if stdin is a file or empty
     */
    OutputStream stdin();

    /**
     * Returns the read end of the command's stdout pipe.
     *
     * @return the stream, or null if stdout goes to a file
     */
    InputStream stdout();

    /**
     * Returns the read end of the command's stderr pipe.
     *
     * @return the stream, or null if stderr goes to a file
     */
    InputStream stderr();

    /**
     * Returns a future completed with the exit code once the root process has exited and been reaped: the code, or
     * 128 + n for a process ended by signal n.
     *
     * @return the future
     */
    CompletableFuture<Integer> exitCode();

    /**
     * Tells whether the launcher put the command in a process group of its own, which then holds all its processes
     * (except those that leave it on purpose with {@code setsid} or {@code setpgid}).
     *
     * @return true with a group
     */
    boolean grouped();

    /** Signal 0: only checks that the process group still has a member. */
    int PROBE = 0;
    /** SIGKILL. */
    int SIGKILL = 9;
    /** SIGTERM. */
    int SIGTERM = 15;

    /**
     * Sends a signal to the whole process group of the command, if the launcher put it in its own group.
     *
     * @param signal {@link #SIGTERM}, {@link #SIGKILL} or {@link #PROBE}
     * @return true if the group exists and was signalled; false without a group
     */
    boolean signalGroup(int signal);
}
