package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The parent's handle on one worker JVM: its process and its socket. Used by one attempt at a time; the kill
 * methods may be called from any thread.
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

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Process process;
    private final SocketChannel channel;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final AtomicBoolean dead = new AtomicBoolean();
    private volatile long idleSince;
    private int served;
    private final SpinningReader replies = new SpinningReader();

    private WorkerProcess(Process process, SocketChannel channel) {
        this.process = process;
        this.channel = channel;
        this.in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel), 65536));
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 65536));
    }

    /**
     * Starts a worker and waits until it said hello. Interruptible: the half-started worker is killed.
     *
     * @param command the command line, without the trailing socket path and parent pid
     * @param stdout where the JVM's own output goes (the handlers' {@code System.out} goes to stderr)
     * @param socketDir a private directory for the socket file
     * @param name a unique name for the socket file
     * @param startTimeout how long the worker may take to connect
     * @param starting told the process as soon as it exists, so that a stop action can kill it
     * @param pollNanos how often to check the process and call {@code waiting}
     * @param waiting called while the worker starts (restarts the attempt's clock)
     */
    static WorkerProcess start(List<String> command, ProcessBuilder.Redirect stdout, Path socketDir, String name,
            Duration startTimeout, Consumer<Process> starting, long pollNanos, Runnable waiting)
            throws IOException, InterruptedException {
        Path socket = socketDir.resolve(name + ".sock");
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            server.bind(UnixDomainSocketAddress.of(socket));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            List<String> full = new java.util.ArrayList<>(command);
            full.add(socket.toString());
            full.add(Long.toString(ProcessHandle.current().pid()));
            Process process = new ProcessBuilder(full)
                    .redirectOutput(stdout)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            starting.accept(process);
            SocketChannel channel = null;
            try {
                OutputStream stdin = process.getOutputStream();
                stdin.write((token + "\n").getBytes(StandardCharsets.US_ASCII));
                stdin.flush(); // stdin stays open: its EOF tells the worker that we died
                long deadline = System.nanoTime() + startTimeout.toNanos();
                while (channel == null) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while a CORELET worker started");
                    }
                    if (!process.isAlive()) {
                        throw new CoreletCrashedException("CORELET worker " + process.pid()
                                + " exited with code " + process.exitValue() + " before it was ready; check the"
                                + " coreletJvmOptions and the worker's stderr. Command: " + full, process.exitValue());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CoreletCrashedException("CORELET worker " + process.pid() + " did not start within "
                                + startTimeout, null);
                    }
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(pollNanos)));
                    selector.selectedKeys().clear();
                    waiting.run();
                    channel = server.accept();
                }
                channel.configureBlocking(true);
                WorkerProcess worker = new WorkerProcess(process, channel);
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

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    boolean isUsable() {
        return !dead.get() && process.isAlive() && channel.isOpen();
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
     * @param spin whether to poll for the frame briefly before sleeping in the read (see {@link SpinningReader})
     */
    Frames.Frame receive(int maxPayload, boolean spin) throws IOException {
        if (spin) {
            replies.beforeRead(in);
        }
        Frames.Frame frame = Frames.read(in, maxPayload);
        replies.afterRead();
        return frame;
    }

    /**
     * Waits briefly for the process to end after its channel closed, so a crash can report its exit code.
     *
     * @return the exit code, or null if it is still running after the wait
     */
    Integer awaitExitCode(Duration wait) throws InterruptedException {
        try {
            return process.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS).exitValue();
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    /**
     * SIGTERM now (the worker calls the running handler's terminate()), SIGKILL after the grace if still alive.
     * Idempotent; does not block.
     */
    void terminate() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "Terminating CORELET worker " + pid());
        process.destroy();
        CompletableFuture.delayedExecutor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            closeChannel();
        });
    }

    /**
     * Retires an idle worker gracefully: closing the channel makes it exit normally (so JVM exit actions such as
     * writing a CDS or AOT archive can run); SIGKILL only if it is still alive after a long grace. Idempotent; does
     * not block.
     */
    void retire() {
        if (!dead.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the worker notices EOF either way
        }
        process.onExit().completeOnTimeout(process, RETIRE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                .thenRun(() -> {
                    if (process.isAlive()) {
                        process.destroyForcibly();
                    }
                    closeChannel();
                });
    }

    /** SIGKILL now. */
    void kill() {
        dead.set(true);
        process.destroyForcibly();
        closeChannel();
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket to a dead process: nothing to report
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // same
        }
    }

    @Override
    public String toString() {
        return "CoreletWorker[pid=" + pid() + ", served=" + served + "]";
    }
}
