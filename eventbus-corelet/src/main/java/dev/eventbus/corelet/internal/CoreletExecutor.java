package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.Event;
import dev.eventbus.EventBusException;
import dev.eventbus.EventResult;
import dev.eventbus.HandlerMeta;
import dev.eventbus.InvalidEventException;
import dev.eventbus.RemoteHandlerException;
import dev.eventbus.spi.Attempt;
import dev.eventbus.spi.EventBusConfig;
import dev.eventbus.spi.ModeExecutor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.nio.channels.AsynchronousCloseException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs CORELET attempts in a pool of worker JVMs: at most {@code coreletPoolSize} alive, started lazily, reused,
 * replaced when they crash, time out or stay idle longer than {@code coreletIdleTimeout}.
 *
 * <p>Thread-safe: {@link #execute(Event, Attempt)} is called by the bus's worker threads at once; each attempt holds
 * one worker exclusively. When more attempts want a worker than the pool has, they wait their turn: the highest
 * event priority first, then in arrival order. A freed worker goes to the first in line, never to an attempt that
 * came later (with more bus threads than workers, one that had just freed a worker took it straight back, and the
 * others could wait as long as the queue kept it busy).
 */
final class CoreletExecutor implements ModeExecutor {

    private static final System.Logger LOG = System.getLogger(CoreletExecutor.class.getName());
    private static final String MAIN_CLASS = CoreletWorkerMain.class.getName();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CRASH_EXIT_WAIT = Duration.ofSeconds(2);
    /** How long {@link #close()} waits beyond a stopped worker's grace, and for a killed process to be gone. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(1);
    /** How long {@link #close()} waits, at most, for an AOT cache being made (documented on the builder). */
    static final Duration AOT_CACHE_WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger WORKER_NAMES = new AtomicInteger();
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private final EventBusConfig config;
    private final WorkerCommand command;
    /** The workers' AOT cache; null without {@code coreletAotCache}. */
    private final AotCache aot;
    private final ObjectInputFilter allowedByConfig;
    private final Map<Event, Prepared> prepared = Collections.synchronizedMap(new WeakHashMap<>());

    private final ReentrantLock lock = new ReentrantLock();
    /** Attempts waiting for a worker, in the order they are served; guarded by lock. */
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>(Waiter.TURN_ORDER);
    private long arrivals; // guarded by lock
    private final ArrayDeque<WorkerProcess> idle = new ArrayDeque<>();
    private final Set<WorkerProcess> all = ConcurrentHashMap.newKeySet();
    private final Set<Process> starting = ConcurrentHashMap.newKeySet();
    /**
     * Every worker process started and not yet exited, whatever the pool thinks of it: a stopped worker leaves the
     * pool at once but lives on for its grace, calling the handler's terminate(); {@link #close()} waits for it.
     */
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    /**
     * Every worker whose streams are still open, in the pool or not: a stopped worker's close after its grace, from a
     * timer ({@link WorkerProcess#terminate()}) or once its process has exited ({@link WorkerProcess#retire()}), so
     * {@link #close()}, which waits for those processes but not for the timer, closes them itself: a closed pool holds
     * no descriptor of a worker (a chaos run found up to three FIFOs open after the bus's shutdown had returned).
     */
    private final Set<WorkerProcess> unclosed = ConcurrentHashMap.newKeySet();
    /** Attempts that sent their request and wait for the reply. */
    private final AtomicInteger awaitingReplies = new AtomicInteger();
    private int alive;
    private boolean closed;
    private ScheduledExecutorService sweeper;
    private Thread shutdownHook;
    /** The private directory of the workers' FIFOs and sockets. */
    private Path privateDir;
    private final WorkerProcess.Transport transport;

    CoreletExecutor(EventBusConfig config) {
        this(config, WorkerProcess.Transport.PIPES);
    }

    /** With a given transport: tests run the socket fallback with it. */
    CoreletExecutor(EventBusConfig config, WorkerProcess.Transport transport) {
        this.config = config;
        this.transport = transport;
        this.command = WorkerCommand.of(config.coreletJvmOptions(), MAIN_CLASS);
        this.aot = config.coreletAotCache() == null ? null
                : new AotCache(config.coreletAotCache(), command, this::track);
        this.allowedByConfig = config.coreletAllowedClasses().isEmpty() ? null
                : ObjectInputFilter.Config.createFilter(String.join(";", config.coreletAllowedClasses()));
    }

    /** An attempt waiting for a worker; {@code turn} is signalled when it may be first in line. */
    private record Waiter(int priority, long arrival, Condition turn) {
        static final Comparator<Waiter> TURN_ORDER =
                Comparator.comparingInt(Waiter::priority).reversed().thenComparingLong(Waiter::arrival);
    }

    /** What validation found out about an event, reused by its attempts. */
    private record Prepared(HandlerMeta meta, byte[] data, Set<String> dataClasses) {

        String handlerPackage() {
            String name = meta.className();
            int dot = name.lastIndexOf('.');
            return dot < 0 ? "" : name.substring(0, dot);
        }
    }

    @Override
    public void validate(Event event) {
        prepared.put(event, prepare(event));
    }

    private Prepared prepare(Event event) {
        HandlerMeta meta = event.coreletMeta().orElse(null);
        if (meta == null) {
            meta = config.factory().getHandlerMeta(event.type());
            if (meta.className() == null) {
                throw new InvalidEventException("CORELET event type '" + event.type() + "' is registered as a"
                        + " Supplier (lambda), which a worker JVM cannot load: register a handler class with"
                        + " registerEventType(\"" + event.type() + "\", YourHandler.class), or set"
                        + " Event.builder(...).coreletMeta(HandlerMeta.of(YourHandler.class, \"" + event.type()
                        + "\"))");
            }
        }
        if (event.data() == null) {
            return new Prepared(meta, null, Set.of());
        }
        Set<String> classes = new HashSet<>();
        byte[] data;
        try {
            data = DataCodec.encode(event.data(), bytes -> new ClassRecordingOutputStream(bytes, classes));
        } catch (NotSerializableException e) {
            throw new InvalidEventException("CORELET event " + event.id() + " (" + event.type() + ") has data that"
                    + " cannot be serialized: class " + e.getMessage() + " is not java.io.Serializable"
                    + " (the data goes to a worker JVM; make it Serializable or send something that is)", e);
        } catch (IOException | RuntimeException | StackOverflowError e) { // a chain of objects too long for it
            throw cannotSerialize(event, e);
        } catch (VirtualMachineError e) {
            throw e; // this JVM's trouble (out of memory), not the data's
        } catch (Error e) { // what the data's own writeObject throws, as the worker takes it
            throw cannotSerialize(event, e);
        }
        return new Prepared(meta, data, Set.copyOf(classes));
    }

    /**
     * Data that cannot be serialized, whatever the serialization threw: an Error too (a writeObject's, or the stack
     * overflow of a long chain of plain serializable objects) used to escape publish as itself.
     */
    private static InvalidEventException cannotSerialize(Event event, Throwable e) {
        return new InvalidEventException("CORELET event " + event.id() + " (" + event.type() + ") has data of class "
                + event.data().getClass().getName() + " that cannot be serialized: " + Frames.text(e), e);
    }

    /** Records the classes of everything serialized: replies may contain them too. */
    private static final class ClassRecordingOutputStream extends ObjectOutputStream {
        private final Set<String> classes;

        ClassRecordingOutputStream(ByteArrayOutputStream out, Set<String> classes) throws IOException {
            super(out);
            this.classes = classes;
        }

        @Override
        protected void annotateClass(Class<?> c) {
            Class<?> element = c;
            while (element.isArray()) {
                element = element.getComponentType();
            }
            classes.add(element.getName());
        }
    }

    @Override
    public EventResult execute(Event event, Attempt attempt) throws Exception {
        Prepared p = prepared.get(event);
        if (p == null) {
            p = prepare(event);
            prepared.put(event, p);
        }
        StopGuard guard = new StopGuard();
        attempt.onStop(guard);
        WorkerProcess worker;
        try {
            worker = acquire(guard, attempt, event.priority());
        } catch (Frames.ProtocolException e) { // a worker that botched its start: like a crash, retried
            throw new CoreletCrashedException(e.getMessage() + " (event " + event.id() + ")", null);
        }
        boolean reusable = false;
        boolean untouched = false;
        try {
            guard.target(worker);
            if (!guard.maySend(attempt)) {
                // Stopped before the request went out: the worker never saw this event and is as good as before, so
                // it goes back to the pool (killing it made the next event pay for a cold JVM start); unless the stop
                // came while it started, and killed its process then.
                untouched = !guard.killed();
                throw new InterruptedException("attempt stopped before it reached a CORELET worker");
            }
            byte[] request = new Frames.Request(event.type(), event.timestamp().getEpochSecond(),
                    event.timestamp().getNano(), event.name().orElse(null), event.priority(),
                    cappedMillis(event.timeout()), event.maxRetries(), attempt.number(), p.meta().moduleName(),
                    p.meta().className(), p.data()).encode();
            worker.send(event.id(), request);
            attempt.restartClock();
            Frames.Frame reply = receive(worker, Frames.maxIdBytes(event.id()));
            if (reply == null) {
                throw crashed(worker, event, null);
            }
            if (!event.id().equals(reply.eventId())) {
                throw new Frames.ProtocolException("reply for event " + reply.eventId() + " while waiting for "
                        + event.id());
            }
            reusable = true;
            try {
                return decode(event, p, worker, reply);
            } catch (IOException e) {
                reusable = false;
                throw new Frames.ProtocolException("malformed reply of kind " + reply.kind() + ": " + e);
            }
        } catch (Frames.OversizedFrameException e) {
            QuietLog.log(LOG, System.Logger.Level.WARNING, () -> "CORELET worker " + worker.pid() + " sent a reply of "
                    + e.length + " bytes for event " + event.id() + "; killed it");
            return EventResult.exceptionResult(event.id(), new EventBusException("CORELET reply of event "
                    + event.id() + " (" + event.type() + ") rejected: " + e.length + " bytes exceed the limit of "
                    + ReplyFilter.MAX_REPLY_BYTES + " bytes"));
        } catch (AsynchronousCloseException e) {
            // ClosedByInterruptException included: the attempt was stopped (or the bus closed us)
            if (attempt.isStopped() || Thread.currentThread().isInterrupted()) {
                worker.terminate();
                throw interrupted(e);
            }
            throw crashed(worker, event, e);
        } catch (Frames.ProtocolException e) {
            reusable = false;
            throw new CoreletCrashedException("CORELET worker " + worker.pid() + " broke the protocol on event "
                    + event.id() + ": " + e.getMessage(), null);
        } catch (IOException e) {
            if (attempt.isStopped()) {
                throw interrupted(e);
            }
            throw crashed(worker, event, e);
        } finally {
            guard.finish();
            release(worker, reusable && !attempt.isStopped(), untouched);
        }
    }

    /**
     * Waits for the worker's reply, polling for it first while there are cores to spare: a worker JVM that runs the
     * event needs one, a polling parent thread another. With more attempts waiting than that, their workers would
     * lose CPU to the polling, so the parents sleep in the read at once.
     */
    private Frames.Frame receive(WorkerProcess worker, int maxIdBytes) throws IOException {
        int waiting = awaitingReplies.incrementAndGet();
        try {
            return worker.receive(ReplyFilter.MAX_REPLY_BYTES, maxIdBytes, 2 * waiting <= CPUS);
        } finally {
            awaitingReplies.decrementAndGet();
        }
    }

    /**
     * The attempt's stop action: kills what the attempt is using, unless the attempt already finished (a late stop
     * must not kill a worker that went back to the pool and may serve another event), and unless the worker has not
     * received the request yet: then the attempt's own thread, which checks for a stop before it sends
     * ({@link #maySend}), gives the worker back to the pool untouched. Either the stop comes first, and nothing is
     * sent, or the request does, and the stop kills the worker: the two decide under this guard's monitor, since the
     * bus runs the stop action only once the attempt reads as stopped.
     */
    private static final class StopGuard implements Runnable {
        private Object target;
        private boolean sent;
        private boolean killed;
        private boolean finished;

        /** What a stop kills: the process of a worker while it starts, then the worker. */
        synchronized void target(Object target) {
            this.target = target;
        }

        /** Just before the request goes out: false if the attempt was stopped, and nothing may be sent. */
        synchronized boolean maySend(Attempt attempt) {
            if (attempt.isStopped()) {
                return false;
            }
            sent = true;
            return true;
        }

        /** Whether the stop killed what the attempt was using. */
        synchronized boolean killed() {
            return killed;
        }

        synchronized void finish() {
            finished = true;
        }

        @Override
        public synchronized void run() {
            if (finished) {
                return;
            }
            if (target instanceof WorkerProcess worker) {
                if (sent) {
                    worker.terminate();
                    killed = true;
                }
            } else if (target instanceof Process process) {
                process.destroyForcibly();
                killed = true;
            }
        }
    }

    private static InterruptedException interrupted(Exception cause) {
        Thread.interrupted(); // reported by the exception instead
        InterruptedException e = new InterruptedException("CORELET attempt stopped");
        e.initCause(cause);
        return e;
    }

    private static CoreletCrashedException crashed(WorkerProcess worker, Event event, Exception cause)
            throws InterruptedException {
        Integer exitCode = worker.awaitExitCode(CRASH_EXIT_WAIT);
        CoreletCrashedException e = new CoreletCrashedException("CORELET worker " + worker.pid()
                + " died while running event " + event.id() + " (" + event.type() + ")"
                + (exitCode == null ? "" : " with exit code " + exitCode)
                + (cause == null ? "" : ": " + cause), exitCode);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private EventResult decode(Event event, Prepared p, WorkerProcess worker, Frames.Frame reply)
            throws IOException {
        DataInputStream in = Frames.payloadReader(reply.payload());
        int max = reply.payload().length;
        switch (reply.kind()) {
            case Frames.RESULT -> {
                boolean success = in.readBoolean();
                return result(event, p, worker, success, Frames.readBytes(in, max), null);
            }
            case Frames.THREW -> throw remote(Frames.readException(in, max));
            case Frames.RETURNED_EXCEPTION -> {
                RemoteHandlerException exception = remote(Frames.readException(in, max));
                // its data as a business result's: decoded under the same filter, rejected the same way
                return result(event, p, worker, false, Frames.readBytes(in, max), exception);
            }
            case Frames.LOAD_FAILED -> {
                String why = Frames.readString(in, max);
                return EventResult.exceptionResult(event.id(), new InvalidEventException(why == null || why.isBlank()
                        ? "The CORELET worker could not run event " + event.id() + " (" + event.type() + ") and gave"
                                + " no reason"
                        : why.contains(event.id()) ? why : why + " (event " + event.id() + ")"));
            }
            default -> throw new Frames.ProtocolException("unknown reply kind " + reply.kind());
        }
    }

    /**
     * A returned result, its serialized data decoded under a {@link ReplyFilter}; data the filter rejects (or that
     * cannot be read) fails the event with an {@link EventBusException} instead.
     *
     * @param exception the exception the handler's result carried, or null
     */
    private EventResult result(Event event, Prepared p, WorkerProcess worker, boolean success, byte[] data,
            RemoteHandlerException exception) {
        if (data == null) {
            return new EventResult(event.id(), success, null, exception);
        }
        ReplyFilter filter = new ReplyFilter(p.handlerPackage(), p.dataClasses(), allowedByConfig, data.length);
        try {
            return new EventResult(event.id(), success, DataCodec.decode(data, bytes -> {
                ObjectInputStream objects = new ReplyInputStream(bytes);
                objects.setObjectInputFilter(filter);
                return objects;
            }), exception);
        } catch (IOException | ClassNotFoundException | RuntimeException | StackOverflowError e) {
            String why = filter.rejection() != null ? filter.rejection() : e.toString();
            QuietLog.log(LOG, System.Logger.Level.WARNING, () -> "Rejected the CORELET reply of event "
                    + event.id() + " from worker " + worker.pid() + ": " + why);
            return EventResult.exceptionResult(event.id(), new EventBusException("CORELET reply of event "
                    + event.id() + " (" + event.type() + ") rejected: " + why));
        }
    }

    /**
     * A duration in milliseconds, capped at about 292 years so that deadline and period arithmetic (even in
     * nanoseconds) cannot overflow: the builders accept any positive duration.
     */
    static long cappedMillis(Duration duration) {
        return duration.getSeconds() >= MAX_SECONDS ? MAX_SECONDS * 1000 : duration.toMillis();
    }

    private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L / 4;

    private static RemoteHandlerException remote(Frames.ExceptionInfo info) {
        return new RemoteHandlerException(info.className(), info.message(), info.stackTrace(),
                info.cause() == null ? null : remote(info.cause()));
    }

    /** Resolves reply classes with the thread's context loader too, for handlers' own data classes. */
    private static final class ReplyInputStream extends ObjectInputStream {
        ReplyInputStream(ByteArrayInputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return super.resolveClass(desc);
            } catch (ClassNotFoundException e) {
                ClassLoader context = Thread.currentThread().getContextClassLoader();
                if (context == null) {
                    throw e;
                }
                return Class.forName(desc.getName(), false, context);
            }
        }
    }

    // ---- pool -------------------------------------------------------------------------------------------------

    /**
     * Takes an idle worker or starts one, in turn (see the class comment). Waiting for a free worker and a worker's
     * start-up are not charged to the attempt: its clock is restarted while it waits (often enough for short timeouts
     * too).
     */
    private WorkerProcess acquire(StopGuard guard, Attempt attempt, int priority)
            throws IOException, InterruptedException {
        long pollNanos = Math.clamp(cappedMillis(attempt.timeout()) * 250_000L, TimeUnit.MILLISECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(50));
        Path dir;
        Waiter me = null;
        lock.lockInterruptibly();
        try {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("The CORELET executor is closed: no worker is started");
                }
                if (me == null && !waiters.isEmpty()) {
                    me = new Waiter(priority, arrivals++, lock.newCondition());
                    waiters.add(me);
                }
                if (me == null || waiters.peek() == me) {
                    WorkerProcess worker = takeIdle();
                    if (worker != null) {
                        leaveLine(me);
                        return worker;
                    }
                    if (alive < config.coreletPoolSize()) {
                        // the slot is taken before anything that can fail, and given back if it does: a lost slot
                        // would never come back, and once all were lost every attempt would wait here for ever
                        alive++;
                        leaveLine(me);
                        try {
                            startHousekeeping();
                        } catch (IOException | RuntimeException | Error e) {
                            alive--;
                            wakeFirstInLine();
                            throw e;
                        }
                        dir = privateDir;
                        break;
                    }
                }
                if (me == null) {
                    me = new Waiter(priority, arrivals++, lock.newCondition());
                    waiters.add(me);
                }
                me.turn().awaitNanos(pollNanos);
                attempt.restartClock();
            }
        } finally {
            if (me != null && waiters.remove(me)) { // left by an exception: interrupted, or closed
                wakeFirstInLine();
            }
            lock.unlock();
        }
        WorkerProcess worker = null;
        AotCache.Launch launch = null;
        boolean closedMeanwhile = false;
        try {
            // Not under the pool's lock, which every attempt and every release needs: the AOT cache's monitor can be
            // held a while, by the start of the cache's assembly process and by file operations beside the cache,
            // wherever the user put it. A failure here gives the slot back like a failed start.
            launch = aot == null ? AotCache.Launch.PLAIN : aot.launch(dir);
            boolean trainer = launch.trainer();
            worker = WorkerProcess.start(command.line(launch.options()), launch.stdout(), dir,
                    "w" + WORKER_NAMES.incrementAndGet(), transport, START_TIMEOUT, process -> {
                        starting.add(process);
                        track(process);
                        if (trainer) {
                            aot.trainerStarted(process);
                        }
                        guard.target(process);
                    }, pollNanos, attempt::restartClock);
            unclosed.add(worker);
            WorkerProcess started = worker;
            worker.channelClosed().thenRun(() -> unclosed.remove(started));
            guard.target(worker); // from here a stop kills it only once the request is sent (see StopGuard)
            QuietLog.log(LOG, System.Logger.Level.DEBUG, "Started CORELET worker {0}", worker.pid());
        } finally {
            lock.lock();
            try {
                if (worker != null) {
                    starting.remove(worker.process());
                }
                starting.removeIf(process -> !process.isAlive());
                closedMeanwhile = closed;
                if (worker == null && launch != null && launch.trainer()) {
                    aot.trainerNotStarted();
                }
                if (worker == null || closed) {
                    alive--;
                    wakeFirstInLine();
                    if (worker != null) {
                        worker.kill();
                    }
                } else {
                    all.add(worker);
                }
            } finally {
                lock.unlock();
            }
        }
        if (closedMeanwhile) {
            throw new IllegalStateException("The CORELET executor was closed while a worker started");
        }
        return worker;
    }

    /** Has the executor stop a process with its workers: {@link #close()} and the JVM shutdown hook. */
    private void track(Process process) {
        running.add(process);
        WorkerProcess.whenExited(process, () -> running.remove(process));
    }

    /**
     * Gives a worker back after an attempt: to the pool if it can serve again, else it is stopped.
     *
     * @param reusable it answered the attempt's request and can serve another
     * @param untouched it never received the attempt's request (the attempt was stopped first): as good as before
     */
    private void release(WorkerProcess worker, boolean reusable, boolean untouched) {
        // The AOT cache's trainer serves one event, then exits normally so that its JVM writes what it recorded. One
        // that served none is stopped as before: a trainer never waits idle in the pool.
        boolean trainer = aot != null && aot.isTrainer(worker.process());
        boolean retire = false;
        boolean terminate = false;
        lock.lock();
        try {
            if ((reusable || untouched) && !closed && worker.isUsable() && !trainer) {
                worker.markIdle();
                idle.addFirst(worker);
            } else {
                alive--;
                all.remove(worker);
                if (trainer && reusable && worker.isUsable()) {
                    aot.trainerRetired();
                    retire = true;
                } else {
                    terminate = true;
                }
            }
            wakeFirstInLine();
        } finally {
            lock.unlock();
        }
        // Out of the pool's lock, which every attempt needs: both look for the processes the worker's handlers
        // started, a scan of the system's processes that can take milliseconds.
        if (retire) {
            worker.retire();
        } else if (terminate) {
            worker.terminate();
        }
    }

    /** The workers' AOT cache, or null: for tests. */
    AotCache aotCache() {
        return aot;
    }

    /** Idle workers in the pool now: for tests. */
    int idleWorkers() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Attempts waiting for a worker now: for tests. */
    int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: an idle worker that is still usable, or null; the unusable ones leave the pool. */
    private WorkerProcess takeIdle() {
        WorkerProcess worker;
        while ((worker = idle.pollFirst()) != null) {
            if (worker.isUsable()) {
                return worker;
            }
            alive--;
            all.remove(worker);
            worker.kill();
        }
        return null;
    }

    /** Under the lock: a waiter served leaves the line, and wakes the next if a worker is still to be had. */
    private void leaveLine(Waiter served) {
        if (served != null) {
            waiters.remove(served);
            if (!idle.isEmpty() || alive < config.coreletPoolSize()) {
                wakeFirstInLine();
            }
        }
    }

    /** Under the lock, when a worker or a slot for one is freed: the first in line takes it. */
    private void wakeFirstInLine() {
        Waiter first = waiters.peek();
        if (first != null) {
            first.turn().signal();
        }
    }

    /**
     * Under the lock, before each worker starts: the private directory, the idle sweeper, the JVM hook. The directory
     * is made again, under a new random name, when it is gone: a /tmp cleaner (systemd-tmpfiles, tmpwatch) removes
     * an old, empty one while the pool is idle, and without it no FIFO or socket could be made.
     */
    private void startHousekeeping() throws IOException {
        if (privateDir != null && !Files.isDirectory(privateDir, LinkOption.NOFOLLOW_LINKS)) {
            Path gone = privateDir;
            privateDir = null;
            QuietLog.log(LOG, System.Logger.Level.INFO, () -> "The CORELET workers' private directory " + gone
                    + " was removed (by a temp-file cleaner?): making a new one");
        }
        if (privateDir == null) {
            try {
                privateDir = Files.createTempDirectory("eventbus-corelet-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new IOException("Cannot create the CORELET workers' private directory in java.io.tmpdir="
                        + System.getProperty("java.io.tmpdir") + " (" + e + "): no worker is started; make that"
                        + " directory exist and writable, or point -Djava.io.tmpdir at one that is", e);
            }
        }
        if (sweeper == null) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
                    .name("eventbus-corelet-idle-sweeper").unstarted(r));
            long period = Math.clamp(cappedMillis(config.coreletIdleTimeout()) / 4, 10, 60_000);
            sweeper.scheduleWithFixedDelay(this::retireIdleWorkers, period, period, TimeUnit.MILLISECONDS);
        }
        if (shutdownHook == null) {
            shutdownHook = new Thread(() -> {
                running.forEach(CoreletExecutor::killWithDescendants);
                if (aot != null) {
                    aot.close();
                }
            }, "eventbus-corelet-shutdown");
            try {
                Runtime.getRuntime().addShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // A first CORELET event run in the application's own shutdown hook: too late for a hook of ours, and
                // not needed, as the workers end with this JVM (they watch their parent). Failing here failed the
                // event with "Shutdown in progress".
            }
        }
    }

    /**
     * SIGKILLs a process and the processes it started (a worker's handlers' tools), which would otherwise live on,
     * re-parented away; the JVM shutdown hook's kill, where nobody waits for a worker's exit to take its tools along.
     */
    private static void killWithDescendants(Process process) {
        List<ProcessHandle> started;
        try (var all = process.descendants()) {
            started = all.toList();
        } catch (RuntimeException e) {
            started = List.of();
        }
        process.destroyForcibly();
        started.forEach(ProcessHandle::destroyForcibly);
    }

    private void retireIdleWorkers() {
        long now = System.nanoTime();
        long limit = cappedMillis(config.coreletIdleTimeout()) * 1_000_000L;
        List<WorkerProcess> retired = new ArrayList<>();
        lock.lock();
        try {
            for (var it = idle.iterator(); it.hasNext(); ) {
                WorkerProcess worker = it.next();
                if (now - worker.idleSince() >= limit || !worker.isUsable()) {
                    it.remove();
                    all.remove(worker);
                    alive--;
                    retired.add(worker);
                }
            }
            if (!retired.isEmpty()) {
                wakeFirstInLine(); // who takes a slot wakes the next while slots are left
            }
        } finally {
            lock.unlock();
        }
        for (WorkerProcess worker : retired) {
            QuietLog.log(LOG, System.Logger.Level.DEBUG, "Retiring idle CORELET worker {0}", worker.pid());
            worker.retire();
        }
    }

    private void killAll() {
        for (Process process : starting) {
            process.destroyForcibly();
        }
        for (WorkerProcess worker : all) {
            worker.kill();
        }
    }

    /**
     * Waits until every worker process has exited, so that no handler code runs anywhere once the bus is shut down:
     * the pool's workers were just killed; a stopped one still has its grace to call terminate(), after which its own
     * timer kills it; one retiring idle is cut short at the same deadline. Bounded: whatever lives past it is killed,
     * and waited for once more, for all of them together at most {@link #EXIT_WAIT}.
     *
     * <p>Not cut short by an interrupt, which is kept for the caller: the runtime closes the modes in the thread that
     * called shutdown, with that thread's interrupt. It used to end the wait, and close() returned while the workers
     * it had just killed were still alive.
     */
    private void awaitExits() {
        long deadline = System.nanoTime() + WorkerProcess.TERMINATE_GRACE.toNanos() + EXIT_WAIT.toNanos();
        if (!awaitExitsUninterruptibly(deadline)) {
            running.forEach(Process::destroyForcibly);
            if (!awaitExitsUninterruptibly(System.nanoTime() + EXIT_WAIT.toNanos())) {
                QuietLog.log(LOG, System.Logger.Level.WARNING, "CORELET workers {0} survived SIGKILL for {1}",
                        running.stream().map(Process::pid).toList(), EXIT_WAIT);
            }
        }
    }

    /** {@link #awaitExits(long)}, which an interrupt does not end; the interrupt is kept for the caller. */
    private boolean awaitExitsUninterruptibly(long deadline) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return awaitExits(deadline);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits until every tracked worker process has exited or the deadline passes; true if all have exited. */
    private boolean awaitExits(long deadline) throws InterruptedException {
        for (Process process : List.copyOf(running)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !process.waitFor(left, TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }

    /** The private directory of the workers' FIFOs and sockets, or null before the first start; for tests. */
    Path privateDirectory() {
        lock.lock();
        try {
            return privateDir;
        } finally {
            lock.unlock();
        }
    }

    /** The transports of the workers started and not yet stopped; for tests and diagnostics. */
    Set<WorkerProcess.Transport> workerTransports() {
        lock.lock();
        try {
            Set<WorkerProcess.Transport> transports = EnumSet.noneOf(WorkerProcess.Transport.class);
            for (WorkerProcess worker : all) {
                transports.add(worker.transport());
            }
            return transports;
        } finally {
            lock.unlock();
        }
    }

    /** The pids of the worker JVMs alive now; for tests and diagnostics. */
    Set<Long> workerPids() {
        Set<Long> pids = new HashSet<>();
        for (WorkerProcess worker : all) {
            if (worker.process().isAlive()) {
                pids.add(worker.pid());
            }
        }
        for (Process process : starting) {
            if (process.isAlive()) {
                pids.add(process.pid());
            }
        }
        return pids;
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Kills the workers and waits, boundedly, until they are gone. Unless {@code immediately}, first waits for an AOT
     * cache being made, at most {@link #AOT_CACHE_WAIT}.
     */
    @Override
    public void close(boolean immediately) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            idle.clear();
            for (Waiter waiter : waiters) {
                waiter.turn().signal(); // each finds the executor closed
            }
        } finally {
            lock.unlock();
        }
        if (aot != null) {
            try {
                if (!immediately) {
                    aot.awaitMade(System.nanoTime() + AOT_CACHE_WAIT.toNanos());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            aot.close();
        }
        killAll();
        awaitExits();
        unclosed.forEach(WorkerProcess::closeChannel); // their processes are gone (or SIGKILLed): nothing to wait for
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or ran
            }
        }
        if (privateDir != null) {
            try (var files = Files.list(privateDir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(privateDir);
            } catch (IOException e) {
                QuietLog.log(LOG, System.Logger.Level.DEBUG, "Could not delete " + privateDir, e);
            }
        }
    }

    @Override
    public String toString() {
        return "CoreletExecutor[poolSize=" + config.coreletPoolSize() + ", workers=" + all.size() + "]";
    }
}
