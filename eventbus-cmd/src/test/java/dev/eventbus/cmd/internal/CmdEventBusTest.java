package dev.eventbus.cmd.internal;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventCancelledException;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;
import dev.eventbus.ExecutionMode;
import dev.eventbus.InvalidEventException;
import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CMD events through a real {@link EventBus} (found with {@link java.util.ServiceLoader}, like users get it): the
 * same priorities, retries, timeouts, shutdown and progress as every mode, with real commands. Runs once per
 * launcher. The runtime's handler-based behaviour suite does not apply to CMD (there is no handler to script), so
 * these are CMD's own versions of its checks.
 */
@ParameterizedClass(name = "launcher={0}")
@ValueSource(strings = {"jdk", "spawn"})
@Timeout(120)
class CmdEventBusTest {

    @Parameter
    String launcher;

    @TempDir
    Path dir;

    private String previous;

    @BeforeEach
    void chooseLauncher() {
        // Read when the bus creates the CMD executor, at the first CMD publish of each bus.
        previous = System.setProperty(Launchers.PROPERTY, launcher);
    }

    @AfterEach
    void restoreLauncher() {
        if (previous == null) {
            System.clearProperty(Launchers.PROPERTY);
        } else {
            System.setProperty(Launchers.PROPERTY, previous);
        }
    }

    @AfterAll
    static void noChildProcessIsLeft() throws Exception {
        Processes.assertNoChildLeft();
    }

    private static EventBus bus(int threads) {
        return EventBus.builder().threads(threads).factory(new EventFactory()).build();
    }

    private static Event.Builder cmd(Object data) {
        return Event.builder("any-type-at-all").mode(ExecutionMode.CMD).data(data);
    }

    /** A command that appends a line to a file, so that a test can count attempts and see their order. */
    private CmdRequest appending(String line, String file, String more) {
        return CmdRequest.of("sh", "-c", "echo \"$1\" >> \"$2\"; " + more, "sh", line, dir.resolve(file).toString());
    }

    private List<String> lines(String file) throws Exception {
        Path path = dir.resolve(file);
        return Files.exists(path) ? Files.readAllLines(path) : List.of();
    }

    @Test
    void anyEventTypeRunsItsCommandWithoutARegisteredHandler() throws Exception {
        try (EventBus bus = bus(2)) {
            String id = bus.publish(cmd(CmdRequest.of("echo", "from a command")).build());
            EventResult result = bus.getResults(List.of(id)).get(id);
            assertTrue(result.success(), result::toString);
            CmdResult cmd = assertInstanceOf(CmdResult.class, result.data());
            assertEquals("from a command\n", cmd.stdout());
            assertEquals(0, cmd.returnCode());
        }
    }

    @Test
    void mapDataInTheGuidesShapeRuns() throws Exception {
        try (EventBus bus = bus(1)) {
            EventResult result = bus.submit(cmd(Map.of("executable", "pwd", "cwd", dir.toString())).build())
                    .get(30, TimeUnit.SECONDS);
            assertEquals(dir.toRealPath() + "\n", ((CmdResult) result.data()).stdout());
        }
    }

    @Test
    void invalidDataIsRejectedAtPublishBeforeAnythingIsQueued() {
        try (EventBus bus = bus(1)) {
            InvalidEventException e = assertThrows(InvalidEventException.class,
                    () -> bus.publish(cmd(Map.of("args", List.of("-l"))).build()));
            assertEquals("Invalid CMD data for event type 'any-type-at-all': CMD data needs the key 'executable'"
                    + " (the program to run), got the keys [args]", e.getMessage());
            InvalidEventException s = assertThrows(InvalidEventException.class, () -> bus.submit(cmd(42).build()));
            assertEquals("CMD event data must be a CmdRequest or a Map, got java.lang.Integer for event type"
                    + " 'any-type-at-all'", s.getMessage());
            assertEquals(Map.of(), bus.getResults());
        }
    }

    @Test
    void aNonZeroExitIsABusinessFailureRunExactlyOnce() throws Exception {
        try (EventBus bus = bus(2)) {
            EventResult result = bus.submit(cmd(appending("run", "runs", "exit 42")).maxRetries(3).build())
                    .get(30, TimeUnit.SECONDS);
            assertFalse(result.success());
            assertNull(result.exception());
            assertEquals(42, ((CmdResult) result.data()).returnCode());
            assertEquals(List.of("run"), lines("runs"));
        }
    }

    @Test
    void aMissingExecutableIsAFinalExceptionResult() throws Exception {
        try (EventBus bus = bus(1)) {
            EventResult result = bus.submit(cmd(CmdRequest.of("no-such-program-evb")).maxRetries(3).build())
                    .get(30, TimeUnit.SECONDS);
            CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
            assertEquals("Cannot run 'no-such-program-evb': executable not found (not a file, and not on the PATH)",
                    e.getMessage());
        }
    }

    @Test
    void aTimedOutCommandHasItsTreeKilledAndIsRetried() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        try (EventBus bus = bus(2)) {
            long start = System.nanoTime();
            CompletableFuture<EventResult> future = bus.submit(cmd(appending("attempt", "attempts",
                    "sleep 60 & sleep 60")).timeout(timeout).maxRetries(1).build());
            // Snapshot the first attempt's sleeps while they run: after the kill they are nobody's descendants.
            Processes.await("the first attempt's two sleeps run",
                    () -> Processes.descendantsNamed("sleep").size() == 2);
            List<ProcessHandle> firstAttempt = Processes.descendantsNamed("sleep");

            EventResult result = future.get(60, TimeUnit.SECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            EventTimeoutException e = assertInstanceOf(EventTimeoutException.class, result.exception());
            assertTrue(e.getMessage().contains("attempt 2 of 2"), e.getMessage());
            assertEquals(List.of("attempt", "attempt"), lines("attempts"));
            // DESIGN: each timeout reported within timeout + 1 s; one more second per attempt to start a command
            // on a loaded machine.
            Duration bound = timeout.plusSeconds(2).multipliedBy(2);
            assertTrue(elapsed.compareTo(bound) < 0, "timed out after " + elapsed + ", bound " + bound);
            Processes.assertAllEnd(firstAttempt, Duration.ofSeconds(5));
            Processes.await("no sleep is left", () -> Processes.descendantsNamed("sleep").isEmpty());
        }
    }

    /**
     * A FIFO as standard input is opened as a shell opens it, waiting for a writer, in the kernel's open, which no
     * interrupt ends: the event still ends with its timeout and the bus serves on (the launching worker is abandoned
     * and replaced). When a writer comes, the late command is killed, as its attempt was stopped.
     */
    @Test
    void aFifoWithoutAWriterStillTimesOutAndTheBusServesOn() throws Exception {
        Path fifo = dir.resolve("input");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (EventBus bus = bus(1)) {
            EventResult result = bus.submit(cmd(CmdRequest.builder("cat").stdinFile(fifo).build())
                    .timeout(Duration.ofMillis(500)).maxRetries(0).build()).get(30, TimeUnit.SECONDS);
            assertInstanceOf(EventTimeoutException.class, result.exception(), result::toString);
            EventResult next = bus.submit(cmd(CmdRequest.of("echo", "next")).build()).get(30, TimeUnit.SECONDS);
            assertEquals("next\n", ((CmdResult) next.data()).stdout(), next::toString);
            try (var writer = Files.newOutputStream(fifo)) { // frees the waiting open; cat reads an end of file
                writer.flush();
            }
            Processes.await("no cat is left", () -> Processes.descendantsNamed("cat").isEmpty());
        }
    }

    @Test
    void immediateShutdownKillsARunningCommand() throws Exception {
        EventBus bus = bus(1);
        try {
            CompletableFuture<EventResult> running = bus.submit(cmd(CmdRequest.of("sleep", "60")).build());
            CompletableFuture<EventResult> queued = bus.submit(cmd(appending("ran", "queued", "")).build());
            Processes.await("the command runs", () -> Processes.descendantsNamed("sleep").size() == 1);
            List<ProcessHandle> sleeps = Processes.descendantsNamed("sleep");

            bus.shutdown(true);

            assertInstanceOf(EventCancelledException.class, running.get(10, TimeUnit.SECONDS).exception());
            assertInstanceOf(EventCancelledException.class, queued.get(10, TimeUnit.SECONDS).exception());
            Processes.assertAllEnd(sleeps, Duration.ofSeconds(5));
            assertEquals(List.of(), lines("queued"));
        } finally {
            bus.shutdown(true);
        }
    }

    @Test
    void shutdownReturnsOnlyOnceTheCommandsItKilledHaveEnded() throws Exception {
        Path pids = dir.resolve("pids");
        EventBus bus = bus(1);
        try {
            // A shell and its background sleep, both ignoring SIGTERM: only the SIGKILL of close() ends them.
            CompletableFuture<EventResult> running = bus.submit(cmd(CmdRequest.of("sh", "-c",
                    "trap '' TERM; sleep 60 & echo $$ $! > \"$1.tmp\" && mv \"$1.tmp\" \"$1\"; wait",
                    "sh", pids.toString())).build());
            Processes.await("the command wrote its pids", () -> Files.exists(pids));
            List<Long> started = Arrays.stream(Files.readString(pids).trim().split(" "))
                    .map(Long::valueOf).toList();
            assertEquals(2, started.size(), started.toString());

            bus.shutdown(true);

            // Not eventually: shutdown has returned, so nothing it started may still run.
            for (long pid : started) {
                assertFalse(ProcessHandle.of(pid).map(ProcessTree::running).orElse(false),
                        "process " + pid + " still runs after shutdown returned");
            }
            assertInstanceOf(EventCancelledException.class, running.get(10, TimeUnit.SECONDS).exception());
        } finally {
            bus.shutdown(true);
        }
    }

    @Test
    void waitingCommandsRunByPriorityThenInPublishOrder() throws Exception {
        Path gate = dir.resolve("gate");
        assertEquals(0, new ProcessBuilder("mkfifo", gate.toString()).start().waitFor());
        try (EventBus bus = bus(1)) {
            // Holds the only worker until the test writes to the FIFO.
            bus.publish(cmd(CmdRequest.of("sh", "-c", "echo blocker >> \"$1\"; read line < \"$2\"", "sh",
                    dir.resolve("order").toString(), gate.toString())).priority(10).build());
            List<Integer> priorities = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
            Collections.shuffle(priorities, new Random(42));
            for (int p : priorities) {
                bus.publish(cmd(appending("p" + p, "order", "")).priority(p).build());
            }
            for (int i = 1; i <= 2; i++) {
                bus.publish(cmd(appending("p5-" + i, "order", "")).priority(5).build());
            }
            // Opening a FIFO for writing waits for its reader, uninterruptibly: not in the test's own thread.
            CompletableFuture<Path> opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.writeString(gate, "go\n");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            opened.get(60, TimeUnit.SECONDS);
            bus.join();
            List<String> expected = new ArrayList<>(List.of("blocker"));
            for (int p = 10; p >= 0; p--) {
                expected.add("p" + p);
                if (p == 5) {
                    expected.addAll(List.of("p5-1", "p5-2"));
                }
            }
            assertEquals(expected, lines("order"));
        }
    }

    @Test
    void progressAdvancesOncePerFinishedCommandWhateverTheOutcome() {
        AtomicLong steps = new AtomicLong();
        try (EventBus bus = bus(2)) {
            bus.publish(cmd(CmdRequest.of("true")).progressTracker(steps::addAndGet).progressSteps(2).build());
            bus.publish(cmd(CmdRequest.of("false")).progressTracker(steps::addAndGet).progressSteps(2).build());
            bus.publish(cmd(CmdRequest.of("no-such-program-evb")).progressTracker(steps::addAndGet)
                    .progressSteps(2).build());
            bus.join();
            assertEquals(6, steps.get());
        }
    }

    @Test
    void timedOutAndCancelledCommandsAdvanceProgressOnceEachAndZeroRetriesMeansOneAttempt() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        AtomicLong steps = new AtomicLong();
        dev.eventbus.ProgressTracker tracker = n -> {
            calls.incrementAndGet();
            steps.addAndGet(n);
        };
        EventBus bus = bus(1);
        try {
            EventResult timedOut = bus.submit(cmd(appending("attempt", "attempts", "sleep 60"))
                    .timeout(Duration.ofMillis(500)).maxRetries(0).progressTracker(tracker).progressSteps(2).build())
                    .get(30, TimeUnit.SECONDS);
            EventTimeoutException e = assertInstanceOf(EventTimeoutException.class, timedOut.exception(),
                    timedOut::toString);
            assertTrue(e.getMessage().contains("attempt 1 of 1"), e.getMessage());
            assertEquals(List.of("attempt"), lines("attempts"));
            assertEquals(1, calls.get(), "a timed-out command advances progress once");
            Processes.await("the timed-out command's sleep ended",
                    () -> Processes.descendantsNamed("sleep").isEmpty());

            CompletableFuture<EventResult> running = bus.submit(cmd(CmdRequest.of("sleep", "60"))
                    .progressTracker(tracker).progressSteps(2).build());
            String queued = bus.publish(cmd(appending("ran", "queued", "")).progressTracker(tracker)
                    .progressSteps(2).build());
            Processes.await("the command runs", () -> Processes.descendantsNamed("sleep").size() == 1);
            bus.shutdown(true);
            bus.join();
            assertEquals(3, calls.get(), "one progress call per cancelled command, the running one included");
            assertEquals(6, steps.get());
            EventResult cancelled = running.get(10, TimeUnit.SECONDS);
            assertInstanceOf(EventCancelledException.class, cancelled.exception(), cancelled::toString);
            EventResult dropped = bus.getResults(List.of(queued), false).get(queued);
            assertInstanceOf(EventCancelledException.class, dropped.exception(), String.valueOf(dropped));
            assertEquals(List.of(), lines("queued"));
        } finally {
            bus.shutdown(true);
        }
    }

    @Test
    void manyCommandsFromConcurrentPublishersEachGetOneResult() throws Exception {
        try (EventBus bus = bus(2)) {
            List<CompletableFuture<List<String>>> publishers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int publisher = t;
                publishers.add(CompletableFuture.supplyAsync(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        ids.add(bus.publish(cmd(CmdRequest.of("echo", publisher + "-" + i)).build()));
                    }
                    return ids;
                }));
            }
            List<String> ids = new ArrayList<>();
            for (CompletableFuture<List<String>> p : publishers) {
                ids.addAll(p.get(60, TimeUnit.SECONDS));
            }
            Map<String, EventResult> results = bus.getResults(ids);
            assertEquals(30, results.size());
            assertTrue(results.values().stream().allMatch(EventResult::success), results::toString);
        }
    }
}
