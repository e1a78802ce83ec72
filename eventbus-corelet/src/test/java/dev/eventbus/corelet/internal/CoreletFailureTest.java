package dev.eventbus.corelet.internal;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.Event;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static dev.eventbus.runtime.TestAttempt.assertEnds;
import static dev.eventbus.runtime.TestAttempt.awaitTrue;
import static dev.eventbus.runtime.TestAttempt.result;
import static dev.eventbus.runtime.TestAttempt.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers that die, hang or idle: every failure is one failed attempt, and the pool keeps working. With the default
 * transport (pipes); {@link CoreletSocketFallbackTest} runs the same with the socket.
 */
@Timeout(120)
class CoreletFailureTest {

    private final EventFactory factory = new EventFactory();
    private CoreletExecutor executor;

    @TempDir
    Path dir;

    @BeforeEach
    void register() {
        factory.registerEventType("square", TestHandlers.Square.class);
        factory.registerEventType("crash", TestHandlers.Crashes.class);
        factory.registerEventType("stubborn", TestHandlers.Stubborn.class);
        factory.registerEventType("where", TestHandlers.WhereAmI.class);
        factory.registerEventType("interrupts", TestHandlers.Interrupts.class);
        factory.registerEventType("spawns", TestHandlers.Spawns.class);
        factory.registerEventType("reads-stdin", TestHandlers.ReadsStdin.class);
        executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(10), List.of("-Xmx64m"),
                List.of()), transport());
    }

    /** The transport under test: pipes here, the socket fallback in {@link CoreletSocketFallbackTest}. */
    WorkerProcess.Transport transport() {
        return WorkerProcess.Transport.PIPES;
    }

    @Test
    void workersUseTheTransportAsked() {
        assertEquals(42 * 42, result(executor, event("square", 42, Duration.ofSeconds(60))).data());
        assertEquals(Set.of(transport()), executor.workerTransports(),
                "mkfifo is on every machine that runs these tests, so pipes never fall back to the socket here");
    }

    @AfterEach
    void close() {
        executor.close();
    }

    @AfterAll
    static void noWorkerLeft() {
        TestAttempt.assertNoChildProcessLeft();
    }

    private Event event(String type, Object data, Duration timeout) {
        Event event = Event.builder(type).mode(ExecutionMode.CORELET).data(data).timeout(timeout).build();
        executor.validate(event);
        return event;
    }

    private static Set<Long> children() {
        Set<Long> pids = new java.util.HashSet<>();
        ProcessHandle.current().children().forEach(h -> pids.add(h.pid()));
        return pids;
    }

    private long workerPid() {
        Set<Long> pids = executor.workerPids();
        assertEquals(1, pids.size(), "one worker: " + pids);
        return pids.iterator().next();
    }

    /** Runs a square on the pool and returns the pid of the worker that ran it. */
    private long squareWorks() {
        EventResult result = result(executor, event("square", 7, Duration.ofSeconds(60)));
        assertEquals(49, result.data());
        return workerPid();
    }

    /** Runs an event that reports its worker's pid (without asking the pool, which may retire it at once). */
    private long pidOfWhere() {
        EventResult result = result(executor, event("where", null, Duration.ofSeconds(60)));
        return (Long) ((List<?>) result.data()).get(0);
    }

    private void crashGivesOneFailedAttemptAndAFreshWorker(String how, int exitCode) {
        long before = squareWorks();
        TestAttempt.Outcome outcome = run(executor, event("crash", how, Duration.ofSeconds(60)));
        CoreletCrashedException e = assertInstanceOf(CoreletCrashedException.class, outcome.thrown());
        assertNull(outcome.result());
        assertEquals(OptionalInt.of(exitCode), e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("CORELET worker " + before + " died while running event"),
                e.getMessage());
        assertTrue(e.getMessage().contains("with exit code " + exitCode), e.getMessage());
        assertEnds(before, Duration.ofSeconds(5));
        long after = squareWorks();
        assertNotEquals(before, after, "the next event gets a fresh worker");
    }

    @Test
    void runtimeHaltInTheHandlerIsACrashWithItsExitCode() {
        crashGivesOneFailedAttemptAndAFreshWorker("halt", 7);
    }

    @Test
    void systemExitInTheHandlerIsACrashWithItsExitCode() {
        crashGivesOneFailedAttemptAndAFreshWorker("exit", 3);
    }

    @Test
    void outOfMemoryInTheHandlerIsACrash() {
        // -XX:+ExitOnOutOfMemoryError makes the JVM exit with code 3
        crashGivesOneFailedAttemptAndAFreshWorker("oom", 3);
    }

    @Test
    void sigkillFromOutsideMidEventIsACrash() throws Exception {
        long before = squareWorks();
        Path started = dir.resolve("started");
        Event event = event("crash", started.toString(), Duration.ofSeconds(60));
        var outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(executor, event));
        awaitTrue(Duration.ofSeconds(20), () -> Files.exists(started), "the handler started");
        ProcessHandle.of(before).orElseThrow().destroyForcibly();
        CoreletCrashedException e = assertInstanceOf(CoreletCrashedException.class,
                outcome.get(30, java.util.concurrent.TimeUnit.SECONDS).thrown());
        assertEquals(OptionalInt.of(137), e.exitCode(), e.getMessage());
        long after = squareWorks();
        assertNotEquals(before, after);
    }

    /**
     * A handler that leaves its thread's interrupt flag set (as one does that restores an interrupt it caught) must
     * not reach past its own event: over pipes the flag stayed on the worker's main thread and the next handler found
     * itself interrupted (a sleep or a wait of its failed at once); over the socket the worker's write of the reply
     * closed the interruptible channel, and a handler that had succeeded came back as a crash, to be run again.
     */
    @Test
    void aHandlerThatLeavesItsThreadInterruptedDoesNotHarmItsReplyNorTheNextEvent() {
        TestAttempt.Outcome interrupted = run(executor, event("interrupts", "interrupt", Duration.ofSeconds(60)));
        assertNull(interrupted.thrown(), () -> "the reply was lost: " + interrupted.thrown());
        List<?> first = (List<?>) interrupted.result().data();
        assertEquals("interrupted", first.get(1));

        List<?> next = (List<?>) result(executor, event("interrupts", "check", Duration.ofSeconds(60))).data();
        assertEquals(List.of(first.get(0), "found interrupted: false"), next,
                "the same worker runs the next event, on a thread that is not interrupted");
    }

    /**
     * A handler's System.in is empty, whatever the transport: the worker's stdin is the parent's channel (requests
     * over pipes, the parent's death over the socket). Over the socket a handler that read System.in took the
     * worker's own stdin, where nothing ever comes, and hung until its timeout.
     */
    @Test
    void aHandlerReadingSystemInFindsItEmpty() {
        TestAttempt.Outcome outcome = run(executor, event("reads-stdin", null, Duration.ofSeconds(10)));
        assertFalse(outcome.stopped(), "the handler hung reading System.in");
        assertEquals(-1, outcome.result().data());
        assertEquals(49, result(executor, event("square", 7, Duration.ofSeconds(60))).data());
    }

    @Test
    void timeoutKillsTheWorkerAfterTerminateRanInIt() throws Exception {
        long before = squareWorks();
        Path file = dir.resolve("terminated");
        Event event = event("stubborn", file.toString(), Duration.ofSeconds(1));
        TestAttempt.Outcome outcome = run(executor, event);
        assertTrue(outcome.stopped());
        assertTrue(outcome.sinceClockStart().compareTo(Duration.ofSeconds(3)) < 0,
                "execute came back within timeout + 2 s: " + outcome.sinceClockStart());
        awaitTrue(Duration.ofSeconds(5), () -> Files.exists(file), "terminate() wrote its file");
        assertEquals("terminated by " + before, Files.readString(file));
        assertEnds(before, Duration.ofSeconds(5));
        long after = squareWorks();
        assertNotEquals(before, after, "the retry gets a fresh worker");
    }

    /**
     * A timeout stops the work: a process the handler started is part of it. Killing the worker alone left such a
     * process running, re-parented away from this JVM (so no check of its descendants saw it) for as long as it
     * liked; so did close().
     */
    @Test
    void timeoutAndCloseAlsoEndTheProcessesTheHandlerStarted() throws Exception {
        Path timedOut = dir.resolve("timed-out-tool");
        TestAttempt.Outcome outcome = run(executor, event("spawns", timedOut.toString(), Duration.ofSeconds(1)));
        assertTrue(outcome.stopped());
        long tool = Long.parseLong(Files.readString(timedOut));
        try {
            assertEnds(tool, Duration.ofSeconds(10));
        } finally {
            ProcessHandle.of(tool).ifPresent(ProcessHandle::destroyForcibly);
        }

        Path closed = dir.resolve("closed-tool");
        var running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> run(executor, event("spawns", closed.toString(), Duration.ofSeconds(60))));
        awaitTrue(Duration.ofSeconds(20), () -> Files.exists(closed), "the handler started its tool");
        long closedTool = Long.parseLong(Files.readString(closed));
        try {
            executor.close();
            assertEnds(closedTool, Duration.ofSeconds(10));
        } finally {
            ProcessHandle.of(closedTool).ifPresent(ProcessHandle::destroyForcibly);
        }
        assertInstanceOf(CoreletCrashedException.class,
                running.get(30, java.util.concurrent.TimeUnit.SECONDS).thrown());
    }

    /**
     * A logging backend can fail (a filter or handler that throws, no memory for the message). The stop of a timed-out
     * attempt logged the worker's termination, at DEBUG, before it signalled the worker, and after it had marked the
     * worker dead: when that log call threw, the worker was never signalled and could never be again, the attempt's
     * thread waited for its reply for ever and the pool slot was lost. The pool's log calls are contained now.
     */
    @Test
    void aTimedOutWorkerIsKilledEvenWhenLoggingItsTerminationFails() throws Exception {
        try (dev.eventbus.EventBus bus = dev.eventbus.EventBus.builder().threads(1).coreletPoolSize(1).factory(factory)
                .build()) {
            EventResult where = bus.submit(Event.builder("where").mode(ExecutionMode.CORELET)
                    .timeout(Duration.ofSeconds(60)).build()).get(60, java.util.concurrent.TimeUnit.SECONDS);
            long pid = (Long) ((List<?>) where.data()).get(0);
            // The logging backend (java.util.logging, which this module does not read: reached by reflection) logs the
            // pool's DEBUG records and fails on every one that names this worker.
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> levelClass = Class.forName("java.util.logging.Level");
            Class<?> filterClass = Class.forName("java.util.logging.Filter");
            Object logger = loggerClass.getMethod("getLogger", String.class).invoke(null,
                    WorkerProcess.class.getName());
            Object previousLevel = loggerClass.getMethod("getLevel").invoke(logger);
            Object previousFilter = loggerClass.getMethod("getFilter").invoke(logger);
            java.util.concurrent.atomic.AtomicInteger thrown = new java.util.concurrent.atomic.AtomicInteger();
            Object failing = java.lang.reflect.Proxy.newProxyInstance(filterClass.getClassLoader(),
                    new Class<?>[] {filterClass}, (proxy, method, args) -> {
                        if (!method.getName().equals("isLoggable")) {
                            return method.invoke(this, args); // toString, hashCode, equals: not called by the logger
                        }
                        Object message = args[0].getClass().getMethod("getMessage").invoke(args[0]);
                        if (message instanceof String text && text.contains(Long.toString(pid))) {
                            thrown.incrementAndGet();
                            throw new IllegalStateException("the logging backend fails (simulated)");
                        }
                        return true;
                    });
            loggerClass.getMethod("setLevel", levelClass).invoke(logger, levelClass.getField("FINE").get(null));
            loggerClass.getMethod("setFilter", filterClass).invoke(logger, failing);
            try {
                EventResult stopped = bus.submit(Event.builder("stubborn").mode(ExecutionMode.CORELET)
                        .data(dir.resolve("terminated").toString()).timeout(Duration.ofSeconds(1)).maxRetries(0)
                        .build()).get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertInstanceOf(dev.eventbus.EventTimeoutException.class, stopped.exception(), stopped::toString);
                assertEnds(pid, Duration.ofSeconds(10));
                assertTrue(thrown.get() > 0, "the backend failed on the worker's records");
            } finally {
                loggerClass.getMethod("setFilter", filterClass).invoke(logger, previousFilter);
                loggerClass.getMethod("setLevel", levelClass).invoke(logger, previousLevel);
            }
            EventResult after = bus.submit(Event.builder("square").mode(ExecutionMode.CORELET).data(7)
                    .timeout(Duration.ofSeconds(60)).build()).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(49, after.data(), "a fresh worker serves: the slot was given back");
        }
    }

    /**
     * A stopped worker leaves the pool at once but lives on for its grace, calling terminate(): close() must not
     * return while it is alive (before, it did, and the worker wrote into a test's deleted temp directory).
     */
    @Test
    void closeWaitsUntilAStoppedWorkerRanTerminateAndExited() throws Exception {
        long pid = squareWorks();
        Path file = dir.resolve("terminated");
        TestAttempt.Outcome outcome = run(executor, event("stubborn", file.toString(), Duration.ofSeconds(1)));
        assertTrue(outcome.stopped());

        executor.close();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "worker " + pid + " is still alive after close()");
        assertEquals("terminated by " + pid, Files.readString(file), "terminate() ran before the worker exited");
    }

    /**
     * The runtime closes the modes from the thread that called shutdown, with that thread's interrupt kept: an
     * interrupted caller must not cut the close short. It did: the wait for the workers' exits ended at the
     * interrupt, right after their SIGKILL, and close() returned while they were still alive.
     */
    @Test
    void closeFromAnInterruptedThreadStillWaitsUntilTheWorkersAreGone() {
        long pid = squareWorks();

        boolean keptInterrupt;
        Thread.currentThread().interrupt();
        try {
            executor.close();
        } finally {
            keptInterrupt = Thread.interrupted();
        }

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "worker " + pid + " is still alive after close()");
        assertTrue(keptInterrupt, "close() keeps the caller's interrupt");
    }

    /**
     * A stopped worker's streams used to be closed by a timer at the end of its grace only; close() waited for its
     * process but not for that timer, so a closed pool still held the worker's FIFO (or socket) for up to a second:
     * the chaos run's fd growth invariant failed on it.
     */
    @Test
    void closeLeavesNoDescriptorOfAStoppedWorkerOpen() throws Exception {
        Map<String, String> before = channelDescriptors();
        long pid = squareWorks();
        Map<String, String> ofWorker = channelDescriptors();
        ofWorker.entrySet().removeAll(before.entrySet());
        assertFalse(ofWorker.isEmpty(), "the worker's channel is one of this JVM's descriptors");
        TestAttempt.Outcome outcome = run(executor, event("stubborn", dir.resolve("terminated").toString(),
                Duration.ofSeconds(1)));
        assertTrue(outcome.stopped());
        // gone now, long before the end of its grace: close() has nothing to wait for
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

        executor.close();

        Map<String, String> left = channelDescriptors();
        left.entrySet().retainAll(ofWorker.entrySet());
        assertEquals(Map.of(), left, "descriptors of worker " + pid + " open after close()");
    }

    /** This JVM's pipes, sockets and FIFOs in the pool's private directory, as descriptor number to target. */
    private Map<String, String> channelDescriptors() throws java.io.IOException {
        Path privateDir = executor.privateDirectory();
        Map<String, String> found = new java.util.TreeMap<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:") || target.startsWith("socket:")
                            || privateDir != null && target.startsWith(privateDir + "/")) {
                        found.put(fd.getFileName().toString(), target);
                    }
                } catch (java.io.IOException gone) {
                    // closed while listed (the directory stream's own descriptor, for one)
                }
            }
        }
        return found;
    }

    @Test
    void poolSurvivesItsPrivateDirectoryBeingCleanedAwayWhileIdle() throws Exception {
        executor.close();
        executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMillis(300), List.of(), List.of()),
                transport());
        long first = pidOfWhere();
        assertEnds(first, Duration.ofSeconds(10));
        awaitTrue(Duration.ofSeconds(5), () -> executor.workerPids().isEmpty(), "the pool forgot the worker");
        Path gone = executor.privateDirectory();
        // what systemd-tmpfiles or tmpwatch do to an old directory in /tmp
        try (var files = Files.list(gone)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(gone);
        for (int i = 0; i < 2; i++) {
            TestAttempt.Outcome outcome = run(executor, event("square", 5, Duration.ofSeconds(60)));
            assertNull(outcome.thrown(), String.valueOf(outcome.thrown()));
            assertEquals(25, outcome.result().data());
        }
        assertEquals(Set.of(transport()), executor.workerTransports(),
                "a removed directory is no reason to give up pipes for the socket");
        assertTrue(Files.isDirectory(executor.privateDirectory()), executor.privateDirectory().toString());
    }

    @Test
    void idleWorkerExpiresAndIsReplacedOnTheNextEvent() {
        executor.close();
        executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMillis(300), List.of(), List.of()));
        long first = pidOfWhere();
        assertEnds(first, Duration.ofSeconds(10));
        awaitTrue(Duration.ofSeconds(5), () -> executor.workerPids().isEmpty(), "the pool forgot the worker");
        long second = pidOfWhere();
        assertNotEquals(first, second);
    }

    @Test
    void poolNeverHasMoreWorkersThanItsSizeAndReusesThem() throws Exception {
        executor.close();
        executor = new CoreletExecutor(TestAttempt.config(factory, 2, Duration.ofMinutes(10), List.of(),
                List.of()));
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<EventResult>>();
        for (int i = 0; i < 6; i++) {
            Event event = event("square", i, Duration.ofSeconds(60));
            futures.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> result(executor, event)));
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(i * i, futures.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS).data());
        }
        assertTrue(executor.workerPids().size() <= 2, executor.workerPids().toString());
    }

    @Test
    void closeKillsWorkersAtOnceAndStartsNoneAfterwards() {
        long pid = squareWorks();
        executor.close();
        executor.close();
        assertEnds(pid, Duration.ofSeconds(5));
        Event event = event("square", 1, Duration.ofSeconds(60));
        Set<Long> childrenBefore = children();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> executor.execute(event,
                new TestAttempt(1, Duration.ofSeconds(5))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(executor.workerPids().isEmpty());
        Set<Long> started = children();
        started.removeAll(childrenBefore);
        assertEquals(Set.of(), started, "no worker started after close");
    }

    @Test
    void closeWhileAnEventRunsEndsTheAttemptPromptly() throws Exception {
        long pid = squareWorks();
        Path started = dir.resolve("started-close");
        Event event = event("crash", started.toString(), Duration.ofSeconds(60));
        var outcome = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(executor, event));
        awaitTrue(Duration.ofSeconds(20), () -> Files.exists(started), "the handler started");
        executor.close();
        assertInstanceOf(CoreletCrashedException.class,
                outcome.get(10, java.util.concurrent.TimeUnit.SECONDS).thrown());
        assertEnds(pid, Duration.ofSeconds(5));
    }

    /** A jar of {@link SlowStartAgent}: a worker started with it takes more than 1.5 s to be ready. */
    private Path slowStartAgent() throws java.io.IOException {
        Path agent = dir.resolve("slow-start-agent.jar");
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", SlowStartAgent.class.getName());
        String entry = SlowStartAgent.class.getName().replace('.', '/') + ".class";
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(agent), manifest);
                var in = SlowStartAgent.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new java.util.jar.JarEntry(entry));
            in.transferTo(jar);
        }
        return agent;
    }

    @Test
    void workerStartUpIsNotChargedToTheAttemptByTheBusWatchdog() throws Exception {
        // The same through a bus: its watchdog, not a test attempt, must honour the executor's clock restarts.
        try (dev.eventbus.EventBus bus = dev.eventbus.EventBus.builder().threads(1).factory(factory)
                .coreletJvmOptions(List.of("-javaagent:" + slowStartAgent())).build()) {
            EventResult result = bus.submit(Event.builder("square").mode(ExecutionMode.CORELET).data(3)
                    .timeout(Duration.ofSeconds(1)).maxRetries(0).build()).get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(result.success(), result::toString);
            assertEquals(9, result.data());
        }
    }

    @Test
    void workerStartUpIsNotChargedToTheAttempt() throws Exception {
        Path agent = slowStartAgent();
        executor.close();
        executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(10),
                List.of("-javaagent:" + agent), List.of()));
        // start-up takes more than 1.5 s; the attempt's 1 s clock starts when the ready worker has the event
        TestAttempt.Outcome outcome = run(executor, event("square", 3, Duration.ofSeconds(1)));
        assertEquals(false, outcome.stopped(), () -> "stopped: " + outcome);
        assertEquals(9, outcome.result().data());
    }

    @Test
    void badJvmOptionFailsTheAttemptWithTheWorkersExitCode() {
        executor.close();
        executor = new CoreletExecutor(TestAttempt.config(factory, 1, Duration.ofMinutes(10),
                List.of("-XX:+NoSuchOptionForEventbus"), List.of()));
        TestAttempt.Outcome outcome = run(executor, event("square", 2, Duration.ofSeconds(60)));
        CoreletCrashedException e = assertInstanceOf(CoreletCrashedException.class, outcome.thrown());
        assertTrue(e.getMessage().contains("before it was ready") && e.getMessage().contains("coreletJvmOptions"),
                e.getMessage());
        assertEquals(OptionalInt.of(1), e.exitCode());
    }
}
