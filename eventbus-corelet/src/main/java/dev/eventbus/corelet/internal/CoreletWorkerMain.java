package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The main class of a CORELET worker JVM. Started by the parent with the path of a FIFO (name ending in
 * {@code .fifo}) or a Unix-domain socket, and the parent's pid; reads an authentication token from stdin, says hello,
 * then runs one event at a time on its main thread until the parent closes the channel.
 *
 * <p>With a FIFO, requests come down stdin after the token and replies go into the FIFO, both opened as plain files
 * (see {@link WorkerProcess} for why). With a socket, requests and replies share it. Either way {@code System.in} is
 * replaced by an empty stream: handler code can neither take the parent's bytes nor wait for ever where only the
 * parent's death comes.
 *
 * <p>The worker dies with its parent: stdin reaching EOF (the parent's end of the pipe closes when it dies, even by
 * SIGKILL) or the parent pid changing halts it at once, with the processes its handlers started. On SIGTERM (a timed-out attempt) a shutdown hook calls
 * {@link EventHandler#terminate(EventContext)} on the running handler before the JVM exits.
 *
 * <p>Whatever a handler, its constructor, or the reading or writing of the data throws, {@link Error}s included,
 * is replied as a failure ({@code RemoteHandlerException} in the parent) and the worker serves on: the throw has
 * unwound the handler's frames, and the worker's own state (the running handler, the channel) is reset or untouched.
 * The one exception is an {@link OutOfMemoryError} the JVM raises: the worker runs with
 * {@code -XX:+ExitOnOutOfMemoryError}, so it exits at once, since a heap that ran out may leave any object half made,
 * and the parent reports a {@code CoreletCrashedException}, retried like any failure.
 *
 * <p>{@code System.out} is redirected to {@code System.err} so that handler output never reaches the channel,
 * which is a separate file anyway.
 *
 * <p>Nothing on the way to the first reply spins a lambda or a method reference, asks {@link ProcessHandle} or
 * compiles a regular expression (the bus's and the worker's code alike: named classes instead, {@link OwnProcess},
 * a loop): in a fresh JVM the first lambda costs about 11 ms, the first {@code ProcessHandle} about 17 ms, and the
 * lot about 25 of the 165 ms a cold start took on a 2-core VM. {@code CoreletBusTest} reads a worker's class-loading
 * log to keep it so.
 */
public final class CoreletWorkerMain {

    private static final int MAX_REQUEST = Integer.MAX_VALUE - 16;
    private static final long PARENT_POLL_MILLIS = 200;
    private static final long EXIT_GRACE_MILLIS = 1000;

    private final Map<String, EventHandler> handlers = new HashMap<>();
    private final Map<String, Object> threadLocalData = new HashMap<>();
    private final long pid = OwnProcess.pid();
    private volatile Running running;

    private record Running(EventHandler handler, EventContext context) {
    }

    private record WorkerContext(Map<String, Object> threadLocalData, long threadId, long processId,
            Instant timestamp) implements EventContext {
    }

    private CoreletWorkerMain() {
    }

    /**
     * Runs the worker.
     *
     * @param args the FIFO or socket path and the parent's pid
     * @throws IOException if the channel cannot be opened
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CoreletWorkerMain <FIFO or socket path> <parent pid> (token on stdin)");
            System.exit(2);
        }
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        long parentPid = Long.parseLong(args[1]);
        startDaemon("corelet-warm-up", new WarmUp());
        CoreletWorkerMain worker = new CoreletWorkerMain();
        Runtime.getRuntime().addShutdownHook(new Thread(new TerminateRunning(worker), "corelet-terminate"));
        if (args[0].endsWith(".fifo")) {
            InputStream requests = new FileInputStream(FileDescriptor.in); // unbuffered: the token only, then frames
            System.setIn(InputStream.nullInputStream());
            String token = readLine(requests);
            watchParentPid(parentPid);
            OutputStream replies = new FileOutputStream(args[0]); // java.io: no NIO to initialise
            worker.serve(requests, replies, token, parentPid);
        } else {
            InputStream stdin = System.in;
            // the parent's death comes down stdin: a handler that read System.in would wait there for ever
            System.setIn(InputStream.nullInputStream());
            String token = readLine(stdin);
            watchStdin(stdin);
            watchParentPid(parentPid);
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            worker.serve(Channels.newInputStream(channel), Channels.newOutputStream(channel), token, parentPid);
        }
    }

    /**
     * Runs the code of an event once, on a side thread, while the main thread connects and waits for the first
     * request: loading and linking those classes (the event builder, the data codec, the frame encoders) otherwise
     * delays the first reply, while the cores sit idle as the parent answers the hello. Cold start on a 2-core VM, when
     * the worker still linked lambdas: medians 215-235 ms without, 209-219 ms with. Touches nothing the main thread
     * uses; class initialization is thread-safe.
     */
    private static final class WarmUp implements Runnable {
        @Override
        public void run() {
            try {
                byte[] data = DataCodec.encode("warm-up", DataCodec.PLAIN);
                Frames.Request request = Frames.Request.decode(new Frames.Request("warm-up", 0, 0, null, 5, 1000, 0,
                        1, null, WarmUp.class.getName(), data).encode());
                Event event = event("warm-up", request);
                EventResult result = EventResult.businessResult(event.id(), true, event.data());
                EventContext context = new WorkerContext(new HashMap<>(), Thread.currentThread().threadId(), 0,
                        Instant.now());
                byte[] reply = DataCodec.encode(result.data(), DataCodec.PLAIN);
                Frames.Payload p = new Frames.Payload();
                p.writeBoolean(context.timestamp() != null);
                Frames.writeBytes(p, reply);
                new EventFactory().isHandlerAvailable(event.type());
            } catch (Exception | LinkageError e) {
                // only a warm-up: the real event reports whatever fails
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static void startDaemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Halts the worker as soon as stdin reaches EOF: the parent died (it never writes after the token). */
    private static void watchStdin(InputStream stdin) {
        startDaemon("corelet-stdin-watch", new StdinWatch(stdin));
    }

    private static final class StdinWatch implements Runnable {
        private final InputStream stdin;

        StdinWatch(InputStream stdin) {
            this.stdin = stdin;
        }

        @Override
        public void run() {
            try {
                byte[] buffer = new byte[256];
                while (stdin.read(buffer) >= 0) {
                    // the parent never writes after the token; anything else is ignored
                }
            } catch (IOException ignored) {
                // same as EOF
            }
            exitSoon();
        }
    }

    /**
     * Halts the worker when the parent pid is no longer ours: the parent died while the main thread runs a handler
     * (with a FIFO, stdin is only read between events).
     */
    private static void watchParentPid(long parentPid) {
        startDaemon("corelet-parent-watch", new ParentWatch(parentPid));
    }

    private static final class ParentWatch implements Runnable {
        private final long parentPid;

        ParentWatch(long parentPid) {
            this.parentPid = parentPid;
        }

        @Override
        public void run() {
            while (OwnProcess.parentPid() == parentPid) {
                try {
                    Thread.sleep(PARENT_POLL_MILLIS); // polling the parent: no event to wait for
                } catch (InterruptedException e) {
                    return;
                }
            }
            exitSoon();
        }
    }

    /**
     * Exits, running the shutdown hooks (so a running handler's terminate() is called: the parent closes stdin
     * right after its SIGTERM), but halts after a short grace in case a hook hangs or a shutdown is already
     * running.
     */
    private static void exitSoon() {
        startDaemon("corelet-halt", new HaltAfterGrace());
        endStartedProcesses();
        System.exit(0);
    }

    /**
     * Kills the processes the handlers started (tools they run), and theirs: they are the worker's work, and with the
     * parent gone nobody else could find them once this JVM has exited (they would be re-parented away).
     */
    private static void endStartedProcesses() {
        try (var started = ProcessHandle.current().descendants()) {
            started.forEach(ProcessHandle::destroyForcibly);
        } catch (RuntimeException e) {
            System.err.println("corelet worker: could not stop the processes its handlers started: " + e);
        }
    }

    private static final class HaltAfterGrace implements Runnable {
        @Override
        public void run() {
            try {
                Thread.sleep(EXIT_GRACE_MILLIS); // a bounded grace for shutdown hooks, then no mercy
            } catch (InterruptedException ignored) {
                // halt now
            }
            Runtime.getRuntime().halt(0);
        }
    }

    /** The shutdown hook: on SIGTERM, the running handler's terminate(). */
    private static final class TerminateRunning implements Runnable {
        private final CoreletWorkerMain worker;

        TerminateRunning(CoreletWorkerMain worker) {
            this.worker = worker;
        }

        @Override
        public void run() {
            worker.terminateRunning();
        }
    }

    private void serve(InputStream requests, OutputStream replies, String token, long parentPid) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(requests, 65536));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(replies, 65536));
        Frames.Payload hello = new Frames.Payload();
        Frames.writeString(hello, token);
        hello.writeLong(pid);
        Frames.write(out, Frames.HELLO, "", hello.bytes());
        while (true) {
            Frames.Frame frame;
            try {
                frame = Frames.read(in, MAX_REQUEST, MAX_REQUEST); // the parent's: any id an event may have
            } catch (IOException e) {
                frame = null;
            }
            if (frame == null) {
                if (OwnProcess.parentPid() == parentPid) {
                    // the parent closed the channel: retire normally (no handler runs, the hooks have nothing to do,
                    // and JVM exit actions such as writing an AOT configuration get the time they need)
                    System.exit(0);
                } else {
                    exitSoon();
                }
                return;
            }
            if (frame.kind() != Frames.REQUEST) {
                System.err.println("corelet worker " + pid + ": ignoring frame kind " + frame.kind());
                continue;
            }
            Reply reply = run(frame.eventId(), Frames.Request.decode(frame.payload()));
            // Nobody interrupts this thread but the event's own code (a timeout is a SIGTERM): an interrupt it left
            // set (as code does that restores one it caught) is the event's, and ends with it. Left set, it closed
            // the socket at the reply's write (the reply lost, a handler that had succeeded run again as after a
            // crash), and over pipes the next event's handler found itself interrupted.
            Thread.interrupted();
            Frames.write(out, reply.kind(), frame.eventId(), reply.payload());
        }
    }

    private record Reply(byte kind, byte[] payload) {
    }

    private void terminateRunning() {
        Running r = running;
        if (r != null) {
            try {
                r.handler().terminate(r.context());
            } catch (Throwable t) {
                System.err.println("corelet worker " + pid + ": terminate() threw " + Frames.text(t));
            }
        }
    }

    private Reply run(String eventId, Frames.Request request) throws IOException {
        EventHandler handler;
        try {
            handler = handlerFor(request);
        } catch (LoadFailure e) {
            return loadFailed(e.getMessage());
        } catch (Throwable e) { // whatever the handler's constructor throws: see the class javadoc
            return exceptionReply(Frames.THREW, e);
        }
        Event event;
        try {
            event = event(eventId, request);
        } catch (ClassNotFoundException e) {
            String message = "The data of CORELET event " + eventId + " (" + request.type() + ") cannot be read in the"
                    + " worker JVM: class " + e.getMessage() + " is not on its class path or module path";
            return loadFailed(message);
        } catch (Throwable e) { // the data's own readObject may throw anything
            return exceptionReply(Frames.THREW, e);
        }
        EventContext context = new WorkerContext(threadLocalData, Thread.currentThread().threadId(), pid,
                Instant.now());
        EventResult result;
        running = new Running(handler, context);
        try {
            result = handler.handle(event, context);
        } catch (Throwable e) { // any Error too (ServiceConfigurationError, IOError, ...): see the class javadoc
            return exceptionReply(Frames.THREW, e);
        } finally {
            running = null;
        }
        if (result == null) {
            return exceptionReply(Frames.THREW, new IllegalStateException("handler returned null"));
        }
        byte[] data;
        try {
            data = serialize(result.data());
        } catch (Throwable e) { // the data's own writeObject may throw anything
            return exceptionReply(Frames.RETURNED_EXCEPTION, new IllegalStateException("CORELET handler "
                    + handler.getClass().getName() + " returned data that cannot be serialized ("
                    + (result.data() == null ? "null" : result.data().getClass().getName()) + "): " + Frames.text(e)
                    + (result.exception() == null ? "" : "; the result's exception was "
                            + Frames.text(result.exception())), e), null);
        }
        if (result.exception() != null) {
            // the data too: SYNC and THREAD keep a returned result's data along with its exception
            return exceptionReply(Frames.RETURNED_EXCEPTION, result.exception(), data);
        }
        Frames.Payload p = new Frames.Payload();
        p.writeBoolean(result.success());
        Frames.writeBytes(p, data);
        return new Reply(Frames.RESULT, p.bytes());
    }

    private static Reply loadFailed(String message) throws IOException {
        Frames.Payload p = new Frames.Payload();
        Frames.writeString(p, message);
        return new Reply(Frames.LOAD_FAILED, p.bytes());
    }

    private static Reply exceptionReply(byte kind, Throwable t) throws IOException {
        Frames.Payload p = new Frames.Payload();
        Frames.writeException(p, Frames.describe(t));
        return new Reply(kind, p.bytes());
    }

    /** A {@link Frames#RETURNED_EXCEPTION} reply: the exception, then the result's serialized data (or null). */
    private static Reply exceptionReply(byte kind, Throwable t, byte[] data) throws IOException {
        Frames.Payload p = new Frames.Payload();
        Frames.writeException(p, Frames.describe(t));
        Frames.writeBytes(p, data);
        return new Reply(kind, p.bytes());
    }

    private static byte[] serialize(Object data) throws IOException {
        return data == null ? null : DataCodec.encode(data, DataCodec.PLAIN);
    }

    private static Event event(String eventId, Frames.Request r) throws IOException, ClassNotFoundException {
        Object data = null;
        if (r.data() != null) {
            data = DataCodec.decode(r.data(), DataCodec.PLAIN);
        }
        Event.Builder b = Event.builder(r.type()).id(eventId).mode(ExecutionMode.CORELET)
                .timestamp(Instant.ofEpochSecond(r.epochSecond(), r.nano())).data(data).priority(r.priority())
                .timeout(Duration.ofMillis(Math.max(1, r.timeoutMillis()))).maxRetries(r.maxRetries());
        if (r.name() != null) {
            b.name(r.name());
        }
        if (r.className() != null) {
            b.coreletMeta(new dev.eventbus.HandlerMeta(r.moduleName(), r.className(), r.type()));
        }
        return b.build();
    }

    /** A handler that cannot be loaded at all: final, not retried. */
    private static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LoadFailure(String message) {
            super(message);
        }
    }

    private EventHandler handlerFor(Frames.Request r) throws LoadFailure {
        // String.concat, not +: the first + of a JVM links a string concatenation bootstrap, milliseconds of a cold
        // worker's first event
        String key = r.className() == null ? "provider:".concat(r.type()) : r.className().concat("|").concat(r.type());
        EventHandler handler = handlers.get(key);
        if (handler != null) {
            return handler;
        }
        EventFactory factory;
        if (r.className() == null) {
            factory = EventFactory.getDefault();
            if (!factory.isHandlerAvailable(r.type())) {
                throw new LoadFailure("No handler available for event type '" + r.type() + "' in the CORELET worker:"
                        + " no EventHandlerProvider registers it there; register a handler class or set coreletMeta");
            }
        } else {
            Class<? extends EventHandler> handlerClass = loadClass(r);
            factory = new EventFactory();
            try {
                factory.registerEventType(r.type(), handlerClass);
            } catch (IllegalArgumentException e) {
                throw new LoadFailure("CORELET handler class " + r.className() + " for event type '" + r.type()
                        + "' cannot be used: " + e.getMessage());
            }
        }
        handler = factory.createHandler(r.type());
        handlers.put(key, handler);
        return handler;
    }

    private static String where(Frames.Request r) {
        return r.moduleName() == null ? "the class path" : "module " + r.moduleName();
    }

    private static Class<? extends EventHandler> loadClass(Frames.Request r) throws LoadFailure {
        Class<?> c = null;
        try {
            Optional<Module> module = r.moduleName() == null ? Optional.empty()
                    : ModuleLayer.boot().findModule(r.moduleName());
            if (module.isPresent()) {
                c = Class.forName(module.get(), r.className());
            }
            if (c == null) {
                // Not initialized here (as Class.forName(Module, String) on the module path does not): a static
                // initializer that throws is the handler's construction failing, thrown by createHandler and retried,
                // as in THREAD mode; initialized here, it was a load failure, final, on the class path only.
                c = Class.forName(r.className(), false, ClassLoader.getSystemClassLoader());
            }
        } catch (ClassNotFoundException e) {
            c = null;
        } catch (LinkageError e) {
            throw new LoadFailure("CORELET handler class " + r.className() + " for event type '" + r.type()
                    + "' could not be loaded from " + where(r) + ": " + e);
        }
        if (c == null) {
            throw new LoadFailure("CORELET handler class " + r.className() + " for event type '" + r.type()
                    + "' not found in the worker JVM (" + where(r) + ")");
        }
        if (!EventHandler.class.isAssignableFrom(c)) {
            throw new LoadFailure("CORELET handler class " + r.className() + " for event type '" + r.type()
                    + "' is not an EventHandler: it must implement dev.eventbus.EventHandler");
        }
        return c.asSubclass(EventHandler.class);
    }
}
