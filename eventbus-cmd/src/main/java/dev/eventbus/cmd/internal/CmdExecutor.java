package dev.eventbus.cmd.internal;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.InvalidEventException;
import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.ModeExecutor;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs CMD attempts: starts the command, feeds its stdin, drains its output, waits for it, and kills its whole
 * process tree when the attempt is stopped or the command has left processes behind. Thread-safe: many worker threads
 * call {@link #execute(Event, Attempt)} at once.
 */
final class CmdExecutor implements ModeExecutor {

    private static final System.Logger LOG = System.getLogger("dev.eventbus.cmd");

    /** Time between SIGTERM and SIGKILL. */
    static final Duration GRACE = Duration.ofMillis(500);
    /** How long {@link #close()} waits, for all commands together, for the processes it killed to end. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(1);
    /**
     * How long output pipes may stay open after the command's tree is gone before we stop reading them, and the result
     * reads truncated. {@link CmdResult} documents it (with {@link #QUICK_DRAIN}) as "about 2 seconds".
     */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);
    private static final long FIRST_POLL_MILLIS = 10;
    private static final long MAX_POLL_MILLIS = 200;
    /** How long output pipes may stay open after the command exited before we look for processes holding them. */
    private static final Duration QUICK_DRAIN = Duration.ofMillis(100);
    /** How long exited commands wait to be swept together for processes they left behind. */
    private static final Duration SWEEP_DELAY = Duration.ofMillis(50);
    private static final String MARKER_PREFIX = ProcessHandle.current().pid() + ":";
    private static final java.util.concurrent.atomic.AtomicLong SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    private final int outputCap;
    private final Launcher launcher;
    private final Set<Run> runs = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor reaper;
    private final java.util.concurrent.ThreadPoolExecutor io;
    private static final java.util.concurrent.atomic.AtomicInteger IO_THREADS =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Run> unswept = new ConcurrentHashMap<>();
    private final AtomicBoolean sweepPending = new AtomicBoolean();
    /**
     * For tests: called with each started command before the executor tracks it, where an Error (no memory for the
     * bookkeeping, a stack overflow) may strike. Null but in tests.
     */
    java.util.function.Consumer<Child> afterStart;

    CmdExecutor(int outputCap, Launcher launcher) {
        if (outputCap <= 0) {
            throw new IllegalArgumentException("cmdOutputCap must be > 0: " + outputCap);
        }
        this.outputCap = outputCap;
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.reaper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "eventbus-cmd-reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.setRemoveOnCancelPolicy(true);
        // Pipe I/O blocks in the kernel: reused platform threads, not virtual threads that would pin their carrier.
        this.io = new java.util.concurrent.ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "eventbus-cmd-io-" + IO_THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Override
    public void validate(Event event) {
        request(event);
    }

    /**
     * Converts an event's data into a request.
     *
     * @param event a CMD event
     * @return its request
     * @throws InvalidEventException naming the problem, if the data is not a valid request or map
     */
    static CmdRequest request(Event event) {
        Object data = event.data();
        return switch (data) {
            case CmdRequest request -> request;
            case Map<?, ?> map -> {
                try {
                    yield CmdRequest.fromMap(map);
                } catch (IllegalArgumentException | IllegalStateException | NullPointerException e) {
                    throw new InvalidEventException("Invalid CMD data for event type '" + event.type() + "': "
                            + e.getMessage(), e);
                }
            }
            case null -> throw new InvalidEventException("CMD event of type '" + event.type() + "' has no data: give"
                    + " a CmdRequest or a Map with at least the key 'executable'");
            default -> throw new InvalidEventException("CMD event data must be a CmdRequest or a Map, got "
                    + data.getClass().getName() + " for event type '" + event.type() + "'");
        };
    }

    @Override
    public EventResult execute(Event event, Attempt attempt) throws Exception {
        CmdRequest request = request(event);
        if (closed.get()) {
            throw new IllegalStateException("The CMD executor is closed: the bus is shut down");
        }
        int cap = request.outputCap() > 0 ? request.outputCap() : outputCap;
        long start = System.nanoTime();
        String marker = MARKER_PREFIX + SEQUENCE.incrementAndGet();
        Child child;
        try {
            Redirects.check(request);
            child = launcher.start(request, marker);
        } catch (CmdLaunchException e) {
            return EventResult.exceptionResult(event.id(), e);
        }
        // From here the child holds native resources (a pidfd, raw pipe ends) until released, whatever happens.
        try {
            Run run;
            try {
                if (afterStart != null) {
                    afterStart.accept(child);
                }
                run = new Run(child, marker);
            } catch (Throwable t) {
                // An Error before the command is tracked (no memory for the Run, a stack overflow): nothing else
                // would ever stop it.
                killUntracked(child, marker, t);
                throw t;
            }
            boolean ended = false;
            try {
                // Inside the try: an Error here too stops the command, as a timeout does.
                runs.add(run);
                if (closed.get()) {
                    run.kill();
                }
                attempt.onStop(run::stop);
                feed(child.stdin(), request.stdin());
                Capture out = capture(child, child.stdout(), cap);
                Capture err = capture(child, child.stderr(), cap);
                int code = run.awaitExit(out, err);
                Duration duration = Duration.ofNanos(System.nanoTime() - start);
                ended = true;
                // Processes the command left running belong to this event and end with it.
                boolean leftovers = run.tree.descendantsAlive();
                if (leftovers) {
                    run.endLeftovers();
                }
                if (request.inheritEnv()) {
                    // Not in a recorded tree nor in the group, a leftover may still carry the marker: one that left
                    // the group (setsid) or was orphaned between two snapshots, and no longer holds the output open.
                    // Swept even after the group's signal: a child still in the group when we looked may call setsid
                    // before the signal reaches it.
                    sweepLater(run);
                } else if (!leftovers) {
                    runs.remove(run);
                }
                if (!awaitDrained(child, out, err, QUICK_DRAIN)) {
                    // Someone still holds the output open: a process that left the tree before we saw it.
                    if (run.tree.scanMarked()) {
                        run.endLeftovers();
                    }
                    if (!awaitDrained(child, out, err, DRAIN_WAIT)) {
                        LOG.log(Level.WARNING, () -> "Command " + child.handle().pid() + " (" + request.executable()
                                + ") exited but a process outside its tree still holds its output open; returning the"
                                + " output read so far, marked truncated");
                        // Before the close: what a reader thread still appends must not change the result's text
                        // after its flag is read, and the result must say it lacks what was never read.
                        cut(out);
                        cut(err);
                        Redirects.closeQuietly(child.stdout());
                        Redirects.closeQuietly(child.stderr());
                    }
                }
                throwReaderFailure(out);
                throwReaderFailure(err);
                CmdResult result = new CmdResult(code, out == null ? "" : out.text(), err == null ? "" : err.text(),
                        duration, (out != null && out.truncated()) || (err != null && err.truncated()));
                return EventResult.businessResult(event.id(), code == 0, result);
            } finally {
                if (!ended) {
                    // Interrupted (timeout, shutdown) or failed while running: the command must not outlive its
                    // attempt.
                    run.stop();
                }
            }
        } finally {
            child.release();
        }
    }

    /**
     * SIGKILLs a command that started but is not tracked, and its tree: first what needs no allocation (the group, the
     * root), then the descendants and marked processes, as far as memory allows. Never throws: what fails is added to
     * {@code cause}, which the caller rethrows.
     */
    private static void killUntracked(Child child, String marker, Throwable cause) {
        try {
            child.signalGroup(Child.SIGKILL);
            child.handle().destroyForcibly();
            new ProcessTree(child, marker).signal(true);
        } catch (Throwable t) {
            try {
                cause.addSuppressed(t);
            } catch (Throwable ignored) {
                // no memory even for that: the kill was best effort, the cause still propagates
            }
        }
    }

    /** Throws what stopped a reader thread, as the attempt's thread throws it when it reads the pipes itself. */
    private static void throwReaderFailure(Capture capture) {
        Throwable failure = capture == null ? null : capture.failure();
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
    }

    private static void cut(Capture capture) {
        if (capture != null) {
            capture.cut();
        }
    }

    private void feed(OutputStream stdin, byte[] bytes) {
        if (stdin == null) {
            return;
        }
        io.execute(() -> {
            try (stdin) {
                stdin.write(bytes);
            } catch (IOException e) {
                // The command exited or closed its input without reading everything: not an error of ours.
            }
        });
    }

    /** A capture of a piped stream, read by a thread of its own unless the child's waiting thread pumps it. */
    private Capture capture(Child child, java.io.InputStream in, int cap) {
        if (in == null) {
            return null;
        }
        Capture capture = new Capture(in, cap);
        if (!child.pumpsOutput()) {
            io.execute(capture);
        }
        return capture;
    }

    private static boolean awaitDrained(Child child, Capture out, Capture err, Duration wait)
            throws InterruptedException, ExecutionException {
        if (child.pumpsOutput()) {
            return child.drain(wait.toMillis(), out, err);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (Capture c : new Capture[] {out, err}) {
            if (c != null && !c.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Looks for processes a command left behind, later and together with other commands' on one pass over
     * {@code /proc}: the JDK's pipes reach end-of-file when the command exits, so a leftover holding them open would
     * otherwise go unnoticed, and neither a process group nor the output pipes hold a leftover that left the group
     * and closed them.
     */
    private void sweepLater(Run run) {
        unswept.put(run.tree.marker(), run);
        if (sweepPending.compareAndSet(false, true)) {
            try {
                reaper.schedule(this::sweep, SWEEP_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                sweepPending.set(false); // closed: close() killed everything tracked
            }
        }
    }

    private void sweep() {
        sweepPending.set(false);
        Map<String, ProcessTree> trees = new java.util.HashMap<>();
        List<Run> batch = new java.util.ArrayList<>();
        for (var it = unswept.values().iterator(); it.hasNext(); ) {
            Run run = it.next();
            it.remove();
            batch.add(run);
            trees.put(run.tree.marker(), run.tree);
        }
        Set<ProcessTree> found = ProcessTree.scanMarked(trees);
        for (Run run : batch) {
            if (found.contains(run.tree)) {
                LOG.log(Level.DEBUG, () -> "Command " + run.child.handle().pid() + " left processes behind;"
                        + " ending them");
                run.endLeftovers();
            } else {
                runs.remove(run);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<Run> killed = List.copyOf(runs);
        for (Run run : killed) {
            run.kill();
        }
        runs.clear();
        unswept.clear();
        reaper.shutdownNow();
        // Its threads end with the pipes of the commands just killed. Not shut down: an attempt whose command started
        // while we closed (so was not in runs, and is killed by its attempt) must still feed and read it to give its
        // result, where a rejected task failed that attempt and left its stdin pipe open.
        io.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
        awaitEnded(killed);
    }

    /** Waits, a bounded time for all together, until the processes of the given commands have ended. */
    private static void awaitEnded(List<Run> killed) {
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        try {
            for (Run run : killed) {
                if (!run.tree.awaitEnded(deadline)) {
                    LOG.log(Level.WARNING, () -> "Command " + run.child.handle().pid() + " or a process it started"
                            + " still runs " + KILL_WAIT.toMillis() + " ms after SIGKILL; not waiting longer");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // every process has its SIGKILL; only the wait is cut short
        }
    }

    /**
     * Returns how many commands (or their leftovers) are still tracked: for tests.
     *
     * @return the number of running commands
     */
    int running() {
        return runs.size();
    }

    /** One started command and its stop logic. */
    private final class Run {

        final Child child;
        final ProcessTree tree;
        private final AtomicBoolean stopping = new AtomicBoolean();

        Run(Child child, String marker) {
            this.child = child;
            this.tree = new ProcessTree(child, marker);
        }

        /**
         * Waits for the root to exit, recording descendants now and then so they can be found after their parent
         * is gone.
         */
        int awaitExit(Capture out, Capture err) throws InterruptedException, ExecutionException {
            long poll = FIRST_POLL_MILLIS;
            while (true) {
                Integer code;
                try {
                    code = child.awaitExit(poll, out, err);
                } catch (CancellationException e) {
                    throw new ExecutionException("Lost track of command " + child.handle().pid(), e);
                }
                if (code != null) {
                    return code;
                }
                tree.snapshot();
                poll = Math.min(poll * 2, MAX_POLL_MILLIS);
            }
        }

        /** Stops the command: {@link #endLeftovers()} once. Idempotent; does not block. */
        void stop() {
            if (stopping.compareAndSet(false, true)) {
                endLeftovers();
            }
        }

        /** SIGTERM to the tree now, SIGKILL to whatever is left after the grace. Does not block. */
        void endLeftovers() {
            tree.signal(false);
            try {
                reaper.schedule(this::escalate, GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                kill(); // closed meanwhile
            }
        }

        private void escalate() {
            // The marker is looked for even when the tree and the group are empty: a process may have started since
            // the SIGTERM's scan, one the command started as it ended (a trap), outside the recorded tree and, if it
            // called setsid, the group. Only SIGKILL leaves nothing to start such a process.
            if (tree.anyAlive() || tree.scanMarked()) {
                LOG.log(Level.DEBUG, () -> "Command " + child.handle().pid() + " outlived SIGTERM; sending SIGKILL");
                tree.signal(true);
            }
            runs.remove(this);
        }

        /** SIGKILL to the tree now. */
        void kill() {
            stopping.set(true);
            tree.signal(true);
            runs.remove(this);
        }
    }
}
