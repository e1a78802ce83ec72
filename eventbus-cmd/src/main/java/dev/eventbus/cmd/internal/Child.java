package dev.eventbus.cmd.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
     * 128 + n for a process ended by signal n. The same future on every call, as the owner asks for it at each poll.
     *
     * @return the future
     */
    CompletableFuture<Integer> exitCode();

    /**
     * Waits in the calling thread, at most {@code millis}, for the root process to exit, and reaps it. A thread
     * interrupted meanwhile gets {@link InterruptedException} (at the latest when the wait ends: a launcher may wait
     * in native code, which an interrupt does not wake, so callers keep {@code millis} short).
     *
     * @param millis how long to wait at most
     * @return the exit code, as {@link #exitCode()} gives it, or null if the root still runs
     * @throws InterruptedException if the thread was interrupted
     * @throws ExecutionException if the exit could not be observed
     */
    default Integer awaitExit(long millis) throws InterruptedException, ExecutionException {
        try {
            return exitCode().get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        }
    }

    /**
     * Tells whether the thread that waits for the command can also read its output pipes, through
     * {@link #awaitExit(long, Capture, Capture)} and {@link #drain(long, Capture, Capture)}: then no thread per pipe
     * is needed. When true, only that thread may read the output streams.
     *
     * @return true if the output is pumped by the waiting thread
     */
    default boolean pumpsOutput() {
        return false;
    }

    /**
     * As {@link #awaitExit(long)}, reading meanwhile whatever the output pipes hold into the captures. A null
     * capture means that stream is not piped, or not read here: a pumping child then stops watching it for good.
     * Only for a child that {@link #pumpsOutput()}; others ignore the captures.
     *
     * @param millis how long to wait at most
     * @param out the stdout capture, or null
     * @param err the stderr capture, or null
     * @return the exit code, or null if the root still runs
     * @throws InterruptedException if the thread was interrupted
     * @throws ExecutionException if the exit could not be observed
     */
    default Integer awaitExit(long millis, Capture out, Capture err) throws InterruptedException, ExecutionException {
        return awaitExit(millis);
    }

    /**
     * Reads the output pipes into the captures until both reach end-of-file, at most {@code millis}. Only for a
     * child that {@link #pumpsOutput()}.
     *
     * @param millis how long to read at most
     * @param out the stdout capture, or null
     * @param err the stderr capture, or null
     * @return true if both are drained
     * @throws InterruptedException if the thread was interrupted
     * @throws ExecutionException if the pipes could not be watched
     */
    default boolean drain(long millis, Capture out, Capture err) throws InterruptedException, ExecutionException {
        throw new UnsupportedOperationException("this child's output is read by threads of its own");
    }

    /**
     * Called once by the owner when it no longer waits for this command: frees what the launcher holds for it and
     * makes sure the root is reaped when it exits, if nobody waited for that.
     */
    default void release() {
    }

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
