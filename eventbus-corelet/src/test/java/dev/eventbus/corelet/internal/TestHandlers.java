package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.corelet.hostile.Payload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Handlers that run in real worker JVMs in the tests. */
public final class TestHandlers {

    private TestHandlers() {
    }

    /** Reports where it ran: context pid, real pid, thread id, a per-thread counter, its module, its identity. */
    public static final class WhereAmI implements EventHandler {
        /** Creates the handler. */
        public WhereAmI() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            Map<String, Object> local = context.threadLocalData();
            int count = (Integer) local.merge("count", 1, (a, b) -> (Integer) a + (Integer) b);
            return EventResult.businessResult(event.id(), true, List.of(context.processId(),
                    ProcessHandle.current().pid(), context.threadId(), count,
                    String.valueOf(getClass().getModule().getName()), System.identityHashCode(this)));
        }
    }

    /** Returns its data unchanged, and as a second element what the worker saw: the data's class and value. */
    public static final class Echo implements EventHandler {
        /** Creates the handler. */
        public Echo() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            Object data = event.data();
            String seen = data == null ? "null" : data.getClass().getName() + ":"
                    + (data instanceof byte[] bytes ? java.util.Arrays.toString(bytes) : data);
            return EventResult.businessResult(event.id(), true, new Object[] {data, seen});
        }
    }

    /** Squares an Integer. */
    public static final class Square implements EventHandler {
        /** Creates the handler. */
        public Square() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            int n = event.data(Integer.class);
            return EventResult.businessResult(event.id(), true, n * n);
        }
    }

    /** Throws an IllegalArgumentException naming its data. */
    public static final class Throws implements EventHandler {
        /** Creates the handler. */
        public Throws() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            throw new IllegalArgumentException("boom " + event.data(), new ArithmeticException("root cause"));
        }
    }

    /**
     * Throws an {@link Error} that is neither a LinkageError nor an AssertionError, chosen by its data: "service", "io",
     * "internal" or "plain"; with "data" it returns data whose serialization throws one. With "unprintable" it throws
     * an {@link Unprintable}, and with "unprintable-data" it returns data whose serialization throws one. With "huge" it
     * throws an exception whose message alone is larger than the largest reply.
     */
    public static final class ThrowsError implements EventHandler {
        /** Creates the handler. */
        public ThrowsError() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            String kind = event.data(String.class);
            switch (kind) {
                case "service" -> throw new java.util.ServiceConfigurationError("provider broken");
                case "io" -> throw new java.io.IOError(new IOException("disk gone"));
                case "internal" -> throw new InternalError("internal trouble");
                case "plain" -> throw new Error("plain error");
                case "unprintable" -> throw new Unprintable();
                case "huge" -> throw new IllegalStateException("x".repeat(ReplyFilter.MAX_REPLY_BYTES + 1));
                case "data" -> {
                    return EventResult.businessResult(event.id(), true, new ErrorOnWrite());
                }
                case "unprintable-data" -> {
                    return EventResult.businessResult(event.id(), true, new UnprintableOnWrite());
                }
                default -> throw new IllegalArgumentException("unknown kind " + kind);
            }
        }
    }

    /** An exception that cannot be described: its message, string, stack trace and cause all throw. */
    public static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("no message");
        }

        @Override
        public String toString() {
            throw new Error("no string");
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new UnsupportedOperationException("no trace");
        }

        @Override
        public synchronized Throwable getCause() {
            throw new Error("no cause");
        }
    }

    /** Data whose serialization throws an {@link Unprintable}. */
    public static final class UnprintableOnWrite implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) {
            throw new Unprintable();
        }
    }

    /** Data whose serialization throws a plain Error. */
    public static final class ErrorOnWrite implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void writeObject(java.io.ObjectOutputStream out) {
            throw new Error("cannot write me");
        }
    }

    /** Returns an exception result. */
    public static final class ReturnsException implements EventHandler {
        /** Creates the handler. */
        public ReturnsException() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.exceptionResult(event.id(), new IllegalStateException("returned " + event.data()));
        }
    }

    /** Returns a business failure with data. */
    public static final class Fails implements EventHandler {
        /** Creates the handler. */
        public Fails() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), false, "nope " + event.data());
        }
    }

    /** Returns null. */
    public static final class ReturnsNull implements EventHandler {
        /** Creates the handler. */
        public ReturnsNull() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return null;
        }
    }

    /** Prints a lot on System.out and System.err, including frame-like bytes, then answers. */
    public static final class Chatty implements EventHandler {
        /** Creates the handler. */
        public Chatty() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            for (int i = 0; i < 5; i++) {
                System.out.println("chatty stdout line " + i + " EBC1 frame-like text");
            }
            System.out.write(new byte[] {0x45, 0x42, 0x43, 0x31, 1, 3, '\n'}, 0, 7);
            System.out.flush();
            System.err.println("chatty stderr line");
            return EventResult.businessResult(event.id(), true, "still fine");
        }
    }

    /**
     * Dies in the way its data says: "halt" (Runtime.halt(7)), "exit" (System.exit(3)), "oom" (fills the heap),
     * or a path: creates that file, then sleeps (to be killed from outside).
     */
    public static final class Crashes implements EventHandler {
        /** Creates the handler. */
        public Crashes() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws Exception {
            String how = event.data(String.class);
            switch (how) {
                case "halt" -> Runtime.getRuntime().halt(7);
                case "exit" -> System.exit(3);
                case "oom" -> {
                    List<long[]> hog = new ArrayList<>();
                    while (hog.size() >= 0) {
                        hog.add(new long[1 << 20]);
                    }
                }
                default -> {
                    Files.writeString(Path.of(how), "started");
                    Thread.sleep(120_000); // simulates a long job; killed from outside
                }
            }
            return EventResult.businessResult(event.id(), true, "survived " + how);
        }
    }

    /**
     * Works for a long time ignoring interrupts; terminate() writes "terminated by <pid>" to the file named by the
     * event's data.
     */
    public static final class Stubborn implements EventHandler {
        /** Creates the handler. */
        public Stubborn() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            context.threadLocalData().put("terminate-file", event.data(String.class));
            long end = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(100); // simulates slow work that ignores interruption
                } catch (InterruptedException ignored) {
                    // stubborn on purpose
                }
            }
            return EventResult.businessResult(event.id(), true, "finished");
        }

        @Override
        public void terminate(EventContext context) {
            try {
                Files.writeString(Path.of((String) context.threadLocalData().get("terminate-file")),
                        "terminated by " + context.processId(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Creates the file named by its data, then works for a long time ignoring interrupts; its terminate() never
     * returns, so that its worker, told to stop, does not end by itself (the JVM waits for its shutdown hooks).
     */
    public static final class HangsInTerminate implements EventHandler {
        /** Creates the handler. */
        public HangsInTerminate() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws IOException {
            Files.writeString(Path.of(event.data(String.class)), "started");
            long end = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < end) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // slow work that ignores interrupts
            }
            return EventResult.businessResult(event.id(), true, "finished");
        }

        @Override
        public void terminate(EventContext context) {
            while (true) {
                java.util.concurrent.locks.LockSupport.park(); // a terminate() that never returns
            }
        }
    }

    /**
     * Starts a long {@code sleep} process, as a handler does that runs a tool, writes its pid to the file named by the
     * event's data, then works for a long time ignoring interrupts.
     */
    public static final class Spawns implements EventHandler {
        /** Creates the handler. */
        public Spawns() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws IOException {
            Process tool = new ProcessBuilder("sleep", "600").start();
            Path file = Path.of(event.data(String.class));
            Path written = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(written, Long.toString(tool.pid()));
            Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long end = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < end) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // slow work that ignores interrupts
            }
            return EventResult.businessResult(event.id(), true, "finished");
        }
    }

    /** Sends hostile or unusual replies, chosen by its data. */
    public static final class Hostile implements EventHandler {
        /** Creates the handler. */
        public Hostile() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            Object reply = switch (event.data()) {
                case String s when s.equals("oversized") -> new byte[ReplyFilter.MAX_REPLY_BYTES + 16];
                case String s when s.equals("deep") -> nested(200);
                case String s when s.equals("shallow") -> nested(10);
                case String s when s.equals("foreign") -> new Payload("smuggled");
                case Payload p -> new Payload(p.text() + " back");
                case null, default -> "unknown " + event.data();
            };
            return EventResult.businessResult(event.id(), true, reply);
        }

        private static Object nested(int depth) {
            List<Object> list = new ArrayList<>();
            List<Object> current = list;
            for (int i = 0; i < depth; i++) {
                List<Object> inner = new ArrayList<>();
                current.add(inner);
                current = inner;
            }
            return list;
        }
    }

    /** Halts its worker on the first attempt (marked by the file named in data), answers its pid on the next. */
    public static final class CrashOnce implements EventHandler {
        /** Creates the handler. */
        public CrashOnce() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws IOException {
            Path marker = Path.of(event.data(String.class));
            if (!Files.exists(marker)) {
                Files.writeString(marker, Long.toString(context.processId()));
                Runtime.getRuntime().halt(9);
            }
            return EventResult.businessResult(event.id(), true, context.processId());
        }
    }

    /** CPU-bound: counts the primes below its Integer data, and says which worker did it. */
    public static final class CountPrimes implements EventHandler {
        /** Creates the handler. */
        public CountPrimes() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            int limit = event.data(Integer.class);
            int count = 0;
            for (int n = 2; n < limit; n++) {
                boolean prime = true;
                for (int d = 2; (long) d * d <= n; d++) {
                    if (n % d == 0) {
                        prime = false;
                        break;
                    }
                }
                if (prime) {
                    count++;
                }
            }
            return EventResult.businessResult(event.id(), true, List.of(count, context.processId()));
        }
    }

    /**
     * With data "interrupt" sets its own thread's interrupt flag and returns, as a handler does that restores an
     * interrupt it caught; with anything else reports whether it finds the flag set. Both answer with the worker's pid.
     */
    public static final class Interrupts implements EventHandler {
        /** Creates the handler. */
        public Interrupts() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            if ("interrupt".equals(event.data())) {
                Thread.currentThread().interrupt();
                return EventResult.businessResult(event.id(), true, List.of(context.processId(), "interrupted"));
            }
            return EventResult.businessResult(event.id(), true, List.of(context.processId(),
                    "found interrupted: " + Thread.currentThread().isInterrupted()));
        }
    }

    /** Reads one byte of System.in, as a tool that takes its input there does, and returns what it read. */
    public static final class ReadsStdin implements EventHandler {
        /** Creates the handler. */
        public ReadsStdin() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws IOException {
            return EventResult.businessResult(event.id(), true, System.in.read());
        }
    }

    /** A handler whose constructor always fails, naming how many times this JVM tried it. */
    public static final class FailsToConstruct implements EventHandler {
        private static final java.util.concurrent.atomic.AtomicInteger TRIES =
                new java.util.concurrent.atomic.AtomicInteger();

        /** Always throws. */
        public FailsToConstruct() {
            throw new IllegalStateException("construction " + TRIES.incrementAndGet());
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, null);
        }
    }

    /** A handler whose class fails to initialize (its static initializer throws). */
    public static final class FailsInStaticInit implements EventHandler {
        private static final int READY = fail();

        /** Never completes: the class cannot be initialized. */
        public FailsInStaticInit() {
        }

        static int fail() {
            throw new IllegalStateException("static initializer of FailsInStaticInit failed");
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, READY);
        }
    }

    /** The same as {@link FailsInStaticInit}, for the parent JVM (a class fails its initialization once per JVM). */
    public static final class FailsInStaticInitToo implements EventHandler {
        private static final int READY = fail();

        /** Never completes: the class cannot be initialized. */
        public FailsInStaticInitToo() {
        }

        static int fail() {
            throw new IllegalStateException("static initializer of FailsInStaticInitToo failed");
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, READY);
        }
    }

    /** Not a handler at all. */
    public static final class NotAHandler {
        /** Public no-arg constructor, to show that only the interface is missing. */
        public NotAHandler() {
        }
    }

    /** A handler without a public no-arg constructor. */
    public static final class NeedsArgument implements EventHandler {
        private final String name;

        /**
         * Creates the handler.
         *
         * @param name a name
         */
        public NeedsArgument(String name) {
            this.name = name;
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            return EventResult.businessResult(event.id(), true, name);
        }
    }

    /** Holds its worker until the test opens the FIFO named by its data for writing and closes it. */
    public static final class Gate implements EventHandler {
        /** Creates the handler. */
        public Gate() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) throws IOException {
            byte[] read = Files.readAllBytes(Path.of(event.data(String.class))); // blocks until a writer closes it
            return EventResult.businessResult(event.id(), true, new String(read, StandardCharsets.UTF_8));
        }
    }

    /** Returns how many events of its type this worker JVM served before: the order the pool served them in. */
    public static final class Turn implements EventHandler {
        private static int served;

        /** Creates the handler. */
        public Turn() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            synchronized (Turn.class) {
                return EventResult.businessResult(event.id(), true, served++);
            }
        }
    }

    /** Returns a failed result carrying both data (its own data, as a list) and an exception. */
    public static final class ReturnsExceptionWithData implements EventHandler {
        /** Creates the handler. */
        public ReturnsExceptionWithData() {
        }

        @Override
        public EventResult handle(Event event, EventContext context) {
            Object data = "unserializable".equals(event.data()) ? new Object()
                    : java.util.List.of("partial", event.data());
            return new EventResult(event.id(), false, data, new IllegalStateException("returned " + event.data()));
        }
    }
}
