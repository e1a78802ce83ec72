package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The parent's handle on one worker JVM: its process and the two byte streams to it. Used by one attempt at a time;
 * the kill methods may be called from any thread.
 *
 * <p>Two transports, chosen per worker:
 * <ul>
 * <li><b>Pipes</b> (the default): requests go down the worker's stdin after the authentication token, replies come
 *     back through a FIFO (named pipe) made with {@code mkfifo} in the executor's private directory. The worker opens
 *     both as plain files, which costs it about 0.1 ms; a Unix-domain socket cost it 40 to 70 ms of its start (the
 *     JDK initialises a {@code SecureRandom} and the security providers for its first one).
 * <li><b>A Unix-domain socket</b>, when {@code mkfifo} cannot be run (a minimal container image without it): the
 *     worker connects to a socket in the same directory, and requests and replies share it.
 * </ul>
 * Either way the FIFO or socket file is deleted once the worker said hello, and the worker sees EOF on stdin when
 * this JVM dies. With pipes, the parent holds the FIFO open for reading and writing (so that neither side's open
 * blocks) only until the first byte of the hello arrives; it then reads through a read-only descriptor, so that the
 * worker's death is an end of file, as on a socket. Until that first byte the worker counts as starting (its start-up
 * is not charged to the attempt, bounded by the start timeout); after it, a worker that falls silent is stopped by the
 * attempt's timeout.
 */
final class WorkerProcess {

    private static final System.Logger LOG = System.getLogger(WorkerProcess.class.getName());

    /**
     * How long SIGTERM gets before SIGKILL: terminate() must be able to run in a worker at nice 10 on a busy
     * machine. It does not delay the attempt, which ends at the interrupt.
     */
    static final Duration TERMINATE_GRACE = Duration.ofMillis(1000);
    /** How long an idle worker that was asked to exit may take before SIGKILL. */
    static final Duration RETIRE_GRACE = Duration.ofSeconds(10);
    /** How long {@code mkfifo} may take. */
    private static final long MKFIFO_TIMEOUT_SECONDS = 10;
    /** The longest pause between two looks for a starting worker's first byte. */
    private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SOCKET_FALLBACK_COST = " They work the same, but each takes 40 to 70 ms longer to"
            + " start; install mkfifo (coreutils) to avoid that.";
    /** Set once {@code mkfifo} failed: every later worker connects over a socket. */
    private static volatile boolean fifosUnavailable;

    /** The transports, see the class comment. */
    enum Transport {
        /** The worker's stdin and a FIFO; the socket if {@code mkfifo} cannot be run. */
        PIPES,
        /** A Unix-domain socket. */
        SOCKET
    }

    private final Process process;
    private final Transport transport;
    /** The socket, or the read-only end of the reply FIFO. */
    private final Closeable link;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile boolean linkClosed;
    private final CompletableFuture<Void> channelClosed = new CompletableFuture<>();
    private volatile long idleSince;
    private int served;
    private final SpinningReader replies = new SpinningReader();

    private WorkerProcess(Process process, Transport transport, Closeable link, InputStream replies,
            OutputStream requests) {
        this.process = process;
        this.transport = transport;
        this.link = link;
        this.in = new DataInputStream(new BufferedInputStream(replies, 65536));
        this.out = new DataOutputStream(new BufferedOutputStream(requests, 65536));
    }

    /**
     * Starts a worker and waits until it said hello. Interruptible: the half-started worker is killed.
     *
     * @param command the command line, without the trailing FIFO or socket path and parent pid
     * @param stdout where the JVM's own output goes (the handlers' {@code System.out} goes to stderr)
     * @param directory a private directory for the FIFO or socket file
     * @param name a unique name for that file
     * @param transport {@link Transport#PIPES}, or {@link Transport#SOCKET} to use the socket even if pipes work
     * @param startTimeout how long the worker may take to connect
     * @param starting told the process as soon as it exists, so that a stop action can kill it
     * @param pollNanos how often to check the process and call {@code waiting}
     * @param waiting called while the worker starts (restarts the attempt's clock)
     */
    static WorkerProcess start(List<String> command, ProcessBuilder.Redirect stdout, Path directory, String name,
            Transport transport, Duration startTimeout, Consumer<Process> starting, long pollNanos, Runnable waiting)
            throws IOException, InterruptedException {
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        if (transport == Transport.PIPES && !fifosUnavailable && MkfifoOnPath.FOUND) {
            Path fifo = directory.resolve(name + ".fifo");
            try {
                WorkerProcess worker = startPiped(command, stdout, fifo, token, startTimeout, starting, pollNanos,
                        waiting);
                if (worker != null) {
                    return worker;
                }
            } finally {
                Files.deleteIfExists(fifo);
            }
        }
        return startWithSocket(command, stdout, directory.resolve(name + ".sock"), token, startTimeout, starting,
                pollNanos, waiting);
    }

    /**
     * Makes a FIFO readable and writable by this user only; false (and sockets from now on) if that fails. A directory
     * removed meanwhile (by a /tmp cleaner) says nothing about mkfifo: that fails this start only, and the executor
     * makes the directory again for the next.
     */
    static boolean makeFifo(Path fifo) throws IOException, InterruptedException {
        String failure = mkfifo(List.of("mkfifo", "-m", "600", fifo.toString()));
        if (failure == null) {
            return true;
        }
        if (!Files.isDirectory(fifo.getParent())) {
            throw new IOException("Cannot make the CORELET worker's FIFO " + fifo + ": its directory was removed"
                    + " meanwhile (by a temp-file cleaner?); the next worker start makes a new one");
        }
        fifosUnavailable = true;
        QuietLog.log(LOG, System.Logger.Level.INFO, () -> "CORELET workers connect over a Unix-domain socket: mkfifo"
                + " could not make " + fifo + " (" + failure + ")." + SOCKET_FALLBACK_COST);
        return false;
    }

    /**
     * Whether {@code mkfifo} is on the PATH, looked up once: where it is not, workers start on the socket at once
     * instead of being started for pipes and killed when {@code mkfifo} fails.
     */
    static final class MkfifoOnPath {
        static final boolean FOUND = found(System.getenv("PATH"));

        static boolean found(String path) {
            if (path == null) {
                return false;
            }
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "mkfifo"))) {
                    return true;
                }
            }
            QuietLog.log(LOG, System.Logger.Level.INFO, "CORELET workers connect over a Unix-domain socket: there is no"
                    + " mkfifo on the PATH." + SOCKET_FALLBACK_COST);
            return false;
        }
    }

    /** Runs a {@code mkfifo} command line: null if it made the FIFO, else why not. */
    static String mkfifo(List<String> command) throws InterruptedException {
        try {
            Process mkfifo = new ProcessBuilder(command).redirectErrorStream(true).start();
            mkfifo.getOutputStream().close();
            if (!mkfifo.waitFor(MKFIFO_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                mkfifo.destroyForcibly();
                return "it did not finish within " + MKFIFO_TIMEOUT_SECONDS + " s";
            }
            // Read after the exit: its one line of complaint fits the pipe, and the read cannot outlast the timeout.
            String output = new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return mkfifo.exitValue() == 0 ? null : "it exited with code " + mkfifo.exitValue() + ": " + output;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static Process launch(List<String> command, Path path, ProcessBuilder.Redirect stdout,
            Consumer<Process> starting) throws IOException {
        List<String> full = new ArrayList<>(command);
        full.add(path.toString());
        full.add(Long.toString(ProcessHandle.current().pid()));
        Process process = new ProcessBuilder(full)
                .redirectOutput(stdout)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        starting.accept(process);
        return process;
    }

    /**
     * The worker reads nothing before the token: with pipes, it opens the FIFO only after it. A worker that died
     * before (a bad JVM option ends it within milliseconds) fails the write: that is reported as the wait for its
     * first byte reports it, with its exit code, not as the write's broken or closed stream.
     */
    private static void sendToken(Process process, String token, List<String> command)
            throws IOException, InterruptedException {
        try {
            OutputStream stdin = process.getOutputStream();
            stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush(); // stdin stays open: its EOF tells the worker that we died
        } catch (IOException e) {
            // Its stdin is closed, so it is exiting, if the JDK has not seen it end yet.
            if (process.waitFor(1, TimeUnit.SECONDS)) {
                throw exitedBeforeReady(process, command);
            }
            throw e;
        }
    }

    private static CoreletCrashedException exitedBeforeReady(Process process, List<String> command) {
        return new CoreletCrashedException("CORELET worker " + process.pid() + " exited with code "
                + process.exitValue() + " before it was ready; check the coreletJvmOptions and the worker's"
                + " stderr. Command: " + command, process.exitValue());
    }

    /** Between two looks for a starting worker: fails if it died, took too long, or the caller was interrupted. */
    private static void checkStarting(Process process, List<String> command, long deadline, Duration startTimeout)
            throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while a CORELET worker started");
        }
        if (!process.isAlive()) {
            throw exitedBeforeReady(process, command);
        }
        if (System.nanoTime() - deadline > 0) {
            throw new CoreletCrashedException("CORELET worker " + process.pid() + " did not start within "
                    + startTimeout, null);
        }
    }

    /**
     * Starts a worker on pipes; null if {@code mkfifo} failed (the worker it started for them is killed, and the
     * caller starts one on the socket). {@code mkfifo} runs while the worker's JVM starts: the worker opens the FIFO
     * only after the token, which is sent once the FIFO exists.
     */
    private static WorkerProcess startPiped(List<String> command, ProcessBuilder.Redirect stdout, Path fifo,
            String token, Duration startTimeout, Consumer<Process> starting, long pollNanos, Runnable waiting)
            throws IOException, InterruptedException {
        Process process = launch(command, fifo, stdout, starting);
        FileInputStream replies;
        try {
            if (!makeFifo(fifo)) {
                process.destroyForcibly();
                return null;
            }
            // Read and write: opening a FIFO for reading alone would wait for the worker to open it.
            try (RandomAccessFile both = new RandomAccessFile(fifo.toFile(), "rw");
                    FileInputStream firstByte = new FileInputStream(both.getFD())) {
                sendToken(process, token, command);
                long deadline = System.nanoTime() + startTimeout.toNanos();
                long pause = TimeUnit.MICROSECONDS.toNanos(50);
                while (firstByte.available() == 0) {
                    checkStarting(process, command, deadline, startTimeout);
                    waiting.run();
                    LockSupport.parkNanos(pause);
                    pause = Math.min(Math.min(pause * 2, pollNanos), MAX_POLL_NANOS);
                }
                // The worker has the FIFO open for writing, and so do we until this returns: no wait.
                replies = new FileInputStream(fifo.toFile());
            }
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        WorkerProcess worker = new WorkerProcess(process, Transport.PIPES, replies, replies,
                process.getOutputStream());
        try {
            worker.hello(token);
        } catch (IOException | RuntimeException e) {
            worker.kill();
            throw e;
        }
        return worker;
    }

    private static WorkerProcess startWithSocket(List<String> command, ProcessBuilder.Redirect stdout, Path socket,
            String token, Duration startTimeout, Consumer<Process> starting, long pollNanos, Runnable waiting)
            throws IOException, InterruptedException {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            Process process = launch(command, socket, stdout, starting);
            SocketChannel channel = null;
            try {
                sendToken(process, token, command);
                long deadline = System.nanoTime() + startTimeout.toNanos();
                while (channel == null) {
                    checkStarting(process, command, deadline, startTimeout);
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(pollNanos)));
                    selector.selectedKeys().clear();
                    waiting.run();
                    channel = server.accept();
                }
                channel.configureBlocking(true);
                WorkerProcess worker = new WorkerProcess(process, Transport.SOCKET, channel,
                        Channels.newInputStream(channel), Channels.newOutputStream(channel));
                worker.hello(token);
                return worker;
            } catch (IOException | RuntimeException | InterruptedException | Error e) {
                process.destroyForcibly();
                if (channel != null) {
                    channel.close();
                }
                throw e;
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private void hello(String token) throws IOException {
        Frames.Frame frame;
        String received;
        long pid;
        try {
            frame = Frames.read(in, 4096);
            if (frame == null || frame.kind() != Frames.HELLO) {
                throw new Frames.ProtocolException("CORELET worker " + pid() + " did not say hello");
            }
            DataInputStream p = Frames.payloadReader(frame.payload());
            received = Frames.readString(p, 1024);
            pid = p.readLong();
        } catch (Frames.ProtocolException e) {
            throw e.getMessage().startsWith("CORELET worker") ? e
                    : new Frames.ProtocolException("CORELET worker " + pid() + " sent a bad hello: " + e.getMessage());
        } catch (java.io.EOFException e) {
            throw new Frames.ProtocolException("CORELET worker " + pid() + " sent a truncated hello");
        }
        if (!token.equals(received) || pid != process.pid()) {
            throw new Frames.ProtocolException("CORELET worker " + process.pid() + " sent a wrong hello (pid " + pid
                    + ")");
        }
    }

    /** The transport this worker uses. */
    Transport transport() {
        return transport;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    boolean isUsable() {
        return !dead.get() && process.isAlive() && !linkClosed;
    }

    long idleSince() {
        return idleSince;
    }

    void markIdle() {
        idleSince = System.nanoTime();
    }

    void send(String eventId, byte[] payload) throws IOException {
        served++;
        Frames.write(out, Frames.REQUEST, eventId, payload);
    }

    /**
     * Reads the next frame; null at EOF (the worker died or closed the channel).
     *
     * @param maxIdBytes the longest event id accepted, in bytes (see {@link Frames#maxIdBytes})
     * @param spin whether to poll for the frame briefly before sleeping in the read (see {@link SpinningReader})
     */
    Frames.Frame receive(int maxPayload, int maxIdBytes, boolean spin) throws IOException {
        if (spin) {
            replies.beforeRead(in);
        }
        Frames.Frame frame = Frames.read(in, maxPayload, maxIdBytes);
        replies.afterRead();
        return frame;
    }

    /**
     * Waits briefly for the process to end after its channel closed, so a crash can report its exit code.
     *
     * @return the exit code, or null if it is still running after the wait
     */
    Integer awaitExitCode(Duration wait) throws InterruptedException {
        // waitFor, not onExit(): that future completes on the common ForkJoinPool, which an application may keep busy
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /**
     * SIGTERM now (the worker calls the running handler's terminate()), SIGKILL after the grace if still alive, to
     * the worker and to the processes its handlers started (see {@link #descendants()}). Idempotent; does not block.
     */
    void terminate() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        QuietLog.log(LOG, System.Logger.Level.DEBUG, () -> "Terminating CORELET worker " + pid());
        List<ProcessHandle> started = descendants();
        process.destroy();
        killAfter(TERMINATE_GRACE, started);
    }

    /**
     * The processes the worker's handlers started, and theirs: part of the handlers' work, which ends with the worker
     * (a timeout stops the work; no process outlives the pool). Taken before the worker is signalled: once it has died
     * they are re-parented away, and nothing can find them. Empty if the system does not tell.
     */
    private List<ProcessHandle> descendants() {
        try (var all = process.descendants()) {
            return all.toList();
        } catch (RuntimeException e) { // SecurityException, UnsupportedOperationException
            return List.of();
        }
    }

    /**
     * Once the process has exited, or the grace has passed (SIGKILL then), SIGKILLs what is left of the processes its
     * handlers started and closes the channel; on a thread of its own, which ends with the wait. Not on the common
     * ForkJoinPool, where CompletableFuture's timers and {@code onExit()} run their actions: in an application that
     * kept that pool busy, a worker whose terminate() hung was never killed, and its pool slot was lost with it.
     * Without a thread (the system allows no more), kills at once.
     */
    private void killAfter(Duration grace, List<ProcessHandle> started) {
        try {
            Thread.ofPlatform().daemon().name("eventbus-corelet-stop-" + pid()).start(() -> {
                try {
                    process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    // nobody interrupts this thread; if someone does, the kill comes early
                }
                if (process.isAlive()) {
                    process.destroyForcibly();
                }
                started.forEach(ProcessHandle::destroyForcibly);
                closeChannel();
            });
        } catch (Throwable noThread) { // an OutOfMemoryError: unable to create a native thread
            process.destroyForcibly();
            started.forEach(ProcessHandle::destroyForcibly);
            closeChannel();
        }
    }

    /**
     * Runs the action once the process has exited, on a virtual thread that waits for it. Not {@code onExit()}, whose
     * actions run on the common ForkJoinPool: in an application that kept that pool busy they did not run, and the AOT
     * cache, which learns that way that its trainer and its assembly ended, was never made (every graceful shutdown
     * waited the full {@link CoreletExecutor#AOT_CACHE_WAIT} for it). Without a thread (the system allows no more),
     * falls back to {@code onExit()}.
     */
    static void whenExited(Process process, Runnable action) {
        try {
            Thread.ofVirtual().name("eventbus-corelet-exit-" + process.pid()).start(() -> {
                boolean exited = false;
                while (!exited) {
                    try {
                        process.waitFor();
                        exited = true;
                    } catch (InterruptedException e) {
                        // nobody interrupts this thread: wait on
                    }
                }
                action.run();
            });
        } catch (Throwable noThread) { // an OutOfMemoryError: unable to create a thread
            process.onExit().thenRun(action);
        }
    }

    /**
     * Retires an idle worker gracefully: closing the channel makes it exit normally (so JVM exit actions such as
     * writing a CDS or AOT archive can run); SIGKILL only if it is still alive after a long grace. What its handlers
     * started and left running is killed once it has exited. Idempotent; does not block.
     */
    void retire() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        List<ProcessHandle> started = descendants();
        try {
            if (transport == Transport.PIPES) {
                out.close(); // EOF on the worker's stdin
            } else {
                closeLink();
            }
        } catch (IOException ignored) {
            // the worker notices EOF either way
        }
        killAfter(RETIRE_GRACE, started);
    }

    /** SIGKILL now, to the worker and to the processes its handlers started. */
    void kill() {
        dead.set(true);
        List<ProcessHandle> started = descendants();
        process.destroyForcibly();
        started.forEach(ProcessHandle::destroyForcibly);
        closeChannel();
    }

    /**
     * Closes both streams to the worker now: what {@link #terminate()} and {@link #retire()} do after their grace.
     * For a worker whose process has exited, so that nothing of it stays open once the pool is closed. Idempotent.
     */
    void closeChannel() {
        try {
            closeLink();
        } catch (IOException ignored) {
            // closing a link to a dead process: nothing to report
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // same
        }
        channelClosed.complete(null);
    }

    /** Completes once {@link #closeChannel()} ran: both streams to the worker are closed. */
    CompletableFuture<Void> channelClosed() {
        return channelClosed;
    }

    private void closeLink() throws IOException {
        linkClosed = true;
        link.close();
    }

    @Override
    public String toString() {
        return "CoreletWorker[pid=" + pid() + ", " + transport + ", served=" + served + "]";
    }
}
