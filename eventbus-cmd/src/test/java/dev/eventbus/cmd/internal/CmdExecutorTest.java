package dev.eventbus.cmd.internal;

import dev.eventbus.Event;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;
import dev.eventbus.runtime.TestAttempt;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs real commands through the CMD executor directly, with a test {@link TestAttempt} standing in for the bus.
 * Subclasses run the same checks with another launcher.
 */
@Timeout(60)
class CmdExecutorTest {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    CmdExecutor executor;

    /** The launcher under test. */
    Launcher launcher() {
        return new JdkLauncher();
    }

    @BeforeEach
    void createExecutor() {
        executor = new CmdExecutor(4 * MIB, launcher());
    }

    @AfterEach
    void closeAndCheckNothingIsLeft() throws Exception {
        executor.close();
        Processes.assertNoChildLeft();
    }

    static Event cmd(Object data) {
        return Event.builder("cmd-test").mode(ExecutionMode.CMD).data(data).build();
    }

    EventResult run(CmdRequest request) throws Exception {
        return executor.execute(cmd(request), new TestAttempt().runIn(Thread.currentThread()));
    }

    static CmdResult data(EventResult result) {
        return assertInstanceOf(CmdResult.class, result.data(), "result data " + result);
    }

    @Test
    void echoIsCapturedAsASuccessfulResult() throws Exception {
        Event event = cmd(CmdRequest.of("echo", "hello", "world"));
        EventResult result = executor.execute(event, new TestAttempt().runIn(Thread.currentThread()));
        assertEquals(event.id(), result.eventId());
        assertTrue(result.success(), "success " + result);
        assertNull(result.exception());
        CmdResult cmd = data(result);
        assertEquals(0, cmd.returnCode());
        assertEquals("hello world\n", cmd.stdout());
        assertEquals("", cmd.stderr());
        assertFalse(cmd.truncated());
        assertTrue(cmd.duration().isPositive(), "duration " + cmd.duration());
        Processes.await("the exited command is no longer tracked", () -> executor.running() == 0);
    }

    @Test
    void stderrIsCapturedApartFromStdout() throws Exception {
        CmdResult cmd = data(run(CmdRequest.of("sh", "-c", "echo out; echo err >&2")));
        assertEquals("out\n", cmd.stdout());
        assertEquals("err\n", cmd.stderr());
    }

    @Test
    void argumentsArePassedVerbatimWithoutAShell() throws Exception {
        CmdResult cmd = data(run(CmdRequest.of("printf", "%s|", "a b", "*", "$HOME", "")));
        assertEquals("a b|*|$HOME||", cmd.stdout());
    }

    @Test
    void commandRunsInTheGivenWorkingDirectory() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("pwd").cwd(dir).build()));
        assertEquals(dir.toRealPath() + "\n", cmd.stdout());
    }

    @Test
    void addedVariablesReachTheCommandAndUnsetOnesDoNot() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("sh").args("-c", "echo \"$EVB_ADDED:${HOME-unset}:$PATH\"")
                .env("EVB_ADDED", "a value").unsetEnv("HOME").build()));
        assertEquals("a value:unset:" + System.getenv("PATH") + "\n", cmd.stdout());
    }

    @Test
    void clearedEnvironmentHoldsOnlyTheAddedVariables() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("env").clearEnv().env("ONLY", "1").build()));
        assertEquals("ONLY=1\n", cmd.stdout());
    }

    @Test
    void stdinBytesAreTheCommandsInput() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("cat").stdin("line 1\nline 2\n".getBytes(StandardCharsets.UTF_8))
                .build()));
        assertEquals("line 1\nline 2\n", cmd.stdout());
    }

    @Test
    void largeStdinIsFedWhileOutputIsDrained() throws Exception {
        byte[] input = new byte[3 * MIB];
        Arrays.fill(input, (byte) 'x');
        CmdResult cmd = data(run(CmdRequest.builder("cat").stdin(input).build()));
        assertEquals(3 * MIB, cmd.stdout().length());
        assertFalse(cmd.truncated());
    }

    @Test
    void withoutStdinTheCommandReadsEndOfFile() throws Exception {
        CmdResult cmd = data(run(CmdRequest.of("wc", "-c")));
        assertEquals("0", cmd.stdout().strip());
    }

    @Test
    void stdinFileIsTheCommandsInput() throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "from a file\n");
        CmdResult cmd = data(run(CmdRequest.builder("cat").stdinFile(input).build()));
        assertEquals("from a file\n", cmd.stdout());
    }

    @Test
    void outputFilesReceiveTheStreamsAndTheResultReadsEmpty() throws Exception {
        Path out = dir.resolve("out.log");
        Path err = dir.resolve("err.log");
        Files.writeString(out, "old content that must be truncated\n");
        CmdResult cmd = data(run(CmdRequest.builder("sh").args("-c", "echo out; echo err >&2")
                .stdoutFile(out).stderrFile(err).build()));
        assertEquals("", cmd.stdout());
        assertEquals("", cmd.stderr());
        assertEquals("out\n", Files.readString(out));
        assertEquals("err\n", Files.readString(err));
    }

    @Test
    void aLoneStdoutFileTakesStdoutOnly() throws Exception {
        Path out = dir.resolve("out.log");
        CmdResult cmd = data(run(CmdRequest.builder("sh").args("-c", "echo out; echo err >&2").stdoutFile(out)
                .build()));
        assertEquals("", cmd.stdout());
        assertEquals("err\n", cmd.stderr());
        assertEquals("out\n", Files.readString(out));
    }

    @Test
    void theSameFileForBothStreamsReceivesBoth() throws Exception {
        Path log = dir.resolve("both.log");
        CmdResult cmd = data(run(CmdRequest.builder("sh").args("-c", "echo out; echo err >&2; echo out2")
                .stdoutFile(log).stderrFile(log).build()));
        assertEquals("", cmd.stdout() + cmd.stderr());
        assertEquals("out\nerr\nout2\n", Files.readString(log));
    }

    @Test
    void sixteenMibOnBothStreamsAtOnceIsDrainedAndCapped() throws Exception {
        String script = "head -c 16777216 /dev/zero | tr '\\0' o & head -c 16777216 /dev/zero | tr '\\0' e >&2; wait";
        CmdResult cmd = data(run(CmdRequest.builder("sh").args("-c", script).outputCap(MIB).build()));
        assertEquals(0, cmd.returnCode());
        assertTrue(cmd.truncated());
        assertEquals("o".repeat(MIB), cmd.stdout());
        assertEquals("e".repeat(MIB), cmd.stderr());
    }

    @Test
    void theBusCapAppliesWhenTheRequestSetsNone() throws Exception {
        executor.close();
        executor = new CmdExecutor(1000, launcher());
        CmdResult cmd = data(run(CmdRequest.of("sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a; echo short >&2")));
        assertTrue(cmd.truncated());
        assertEquals("a".repeat(1000), cmd.stdout());
        assertEquals("short\n", cmd.stderr());
    }

    @Test
    void outputUnderTheCapIsNotTruncated() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("printf").args("12345").outputCap(5).build()));
        assertFalse(cmd.truncated());
        assertEquals("12345", cmd.stdout());
    }

    @Test
    void aNonZeroExitIsABusinessFailureCarryingTheResult() throws Exception {
        Path count = dir.resolve("runs");
        EventResult result = run(CmdRequest.of("sh", "-c", "echo run >> \"$1\"; echo failing >&2; exit 42", "sh",
                count.toString()));
        assertFalse(result.success());
        assertNull(result.exception(), "a business failure has no exception");
        CmdResult cmd = data(result);
        assertEquals(42, cmd.returnCode());
        assertEquals("failing\n", cmd.stderr());
        assertEquals(List.of("run"), Files.readAllLines(count));
    }

    @Test
    void aCommandKilledBySignalReportsOneHundredTwentyEightPlusTheSignal() throws Exception {
        CmdResult cmd = data(run(CmdRequest.of("sh", "-c", "kill -9 $$")));
        assertEquals(137, cmd.returnCode());
    }

    @Test
    void aMissingExecutableIsAnExceptionResultNamingIt() throws Exception {
        EventResult result = run(CmdRequest.of("no-such-program-evb"));
        assertFalse(result.success());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'no-such-program-evb': executable not found (not a file, and not on the PATH)",
                e.getMessage());
    }

    @Test
    void aMissingExecutablePathIsAnExceptionResultNamingThePath() throws Exception {
        Path missing = dir.resolve("missing-tool");
        EventResult result = run(CmdRequest.of(missing.toString()));
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run '" + missing + "': executable does not exist: " + missing, e.getMessage());
    }

    @Test
    void aFileThatIsNotExecutableIsAnExceptionResultNamingIt() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.txt"), "not a program");
        EventResult result = run(CmdRequest.of(plain.toString()));
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run '" + plain + "': not an executable file: " + plain, e.getMessage());
    }

    @Test
    void anOverLongArgumentIsAnExceptionResultSayingSo() throws Exception {
        EventResult result = run(CmdRequest.of("echo", "x".repeat(200_000))); // one argument may hold 128 KiB
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'echo': argument list too long (E2BIG: the arguments and environment exceed the"
                + " system's limit, or one of them exceeds 128 KiB)", e.getMessage());
    }

    @Test
    void anExecutableOpenForWritingIsAnExceptionResultSayingSo() throws Exception {
        Path tool = dir.resolve("being-written");
        try (var writing = Files.newOutputStream(tool)) {
            writing.write("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            writing.flush();
            assertTrue(tool.toFile().setExecutable(true));
            EventResult result = run(CmdRequest.of(tool.toString()));
            CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
            assertEquals("Cannot run '" + tool + "': text file busy (ETXTBSY: the executable is open for writing)",
                    e.getMessage());
        }
    }

    @Test
    void anExecutableScriptWithoutAHashBangLineRunsThroughTheShell() throws Exception {
        Path script = Files.writeString(dir.resolve("no-hash-bang"), "printf '%s|' \"$0\" \"$@\"\n");
        assertTrue(script.toFile().setExecutable(true));
        CmdResult cmd = data(run(CmdRequest.of(script.toString(), "a b", "c")));
        assertEquals(0, cmd.returnCode(), cmd::stderr);
        assertEquals(script + "|a b|c|", cmd.stdout());
    }

    @Test
    void aRelativeScriptWithoutAHashBangLineRunsInTheWorkingDirectory() throws Exception {
        Path script = Files.writeString(dir.resolve("no-hash-bang"), "printf '%s|' \"$0\" \"$@\" \"$PWD\"\n");
        assertTrue(script.toFile().setExecutable(true));
        CmdResult cmd = data(run(CmdRequest.builder("./no-hash-bang").args("x").cwd(dir).build()));
        assertEquals(0, cmd.returnCode(), cmd::stderr);
        assertEquals("./no-hash-bang|x|" + dir + "|", cmd.stdout());
    }

    @Test
    void aScriptWhoseInterpreterIsMissingIsAnExceptionResultNamingTheInterpreter() throws Exception {
        // The kernel says ENOENT, as for a missing executable, though the script is there.
        assertScriptFailsToLaunch("#!/no/such/interpreter -x\necho run\n",
                "interpreter not found: its #! line names /no/such/interpreter, which does not exist");
    }

    @Test
    void aScriptWithWindowsLineEndingsIsAnExceptionResultSayingSo() throws Exception {
        assertScriptFailsToLaunch("#!/bin/sh\r\necho run\r\n", "interpreter not found: its #! line names"
                + " /bin/sh\\r, which does not exist (the line ends in a carriage return: the script has Windows"
                + " line endings)");
    }

    /** Runs an executable script of the given text: its result is a {@link CmdLaunchException} saying {@code why}. */
    private void assertScriptFailsToLaunch(String text, String why) throws Exception {
        Path script = Files.writeString(dir.resolve("tool"), text);
        assertTrue(script.toFile().setExecutable(true));
        EventResult result = run(CmdRequest.of(script.toString()));
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception(), result::toString);
        assertEquals("Cannot run '" + script + "': " + why, e.getMessage());
    }

    @Test
    void aMissingWorkingDirectoryIsAnExceptionResultNamingIt() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        EventResult result = run(CmdRequest.builder("pwd").cwd(missing).build());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'pwd': working directory does not exist: " + missing, e.getMessage());
    }

    @Test
    void aMissingStdinFileIsAnExceptionResultNamingIt() throws Exception {
        Path missing = dir.resolve("no-input.txt");
        EventResult result = run(CmdRequest.builder("cat").stdinFile(missing).build());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'cat': stdin file does not exist: " + missing, e.getMessage());
    }

    @Test
    void aDeviceIsAValidStdinFile() throws Exception {
        CmdResult cmd = data(run(CmdRequest.builder("wc").args("-c").stdinFile(Path.of("/dev/null")).build()));
        assertEquals("0", cmd.stdout().strip());
    }

    @Test
    void aFifoIsAValidStdinFile() throws Exception {
        Path fifo = dir.resolve("input");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // Opening a FIFO for reading waits for a writer: one writes from another thread, whenever the open comes.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, "through a fifo\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        CmdResult cmd = data(run(CmdRequest.builder("cat").stdinFile(fifo).build()));
        writer.get(30, TimeUnit.SECONDS);
        assertEquals("through a fifo\n", cmd.stdout());
    }

    @Test
    void aDirectoryAsStdinFileIsAnExceptionResultNamingIt() throws Exception {
        EventResult result = run(CmdRequest.builder("cat").stdinFile(dir).build());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'cat': stdin file is a directory: " + dir, e.getMessage());
    }

    @Test
    void anOutputFileInAMissingDirectoryIsAnExceptionResultNamingIt() throws Exception {
        Path out = dir.resolve("no-dir").resolve("out.log");
        EventResult result = run(CmdRequest.builder("echo").stdoutFile(out).build());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception());
        assertEquals("Cannot run 'echo': stdout file cannot be created: " + out + " (its directory does not exist)",
                e.getMessage());
    }

    @Test
    void anOutputFileThatCannotBeCreatedIsAnExceptionResultNamingIt() throws Exception {
        // The directory exists but the file cannot be created in it: a link into a directory that does not (as a
        // log link to an unmounted volume); for another user, a directory without write permission.
        Path out = Files.createSymbolicLink(dir.resolve("out.log"), dir.resolve("gone").resolve("out.log"));
        EventResult result = run(CmdRequest.builder("echo").stdoutFile(out).build());
        CmdLaunchException e = assertInstanceOf(CmdLaunchException.class, result.exception(), result::toString);
        assertEquals("Cannot run 'echo': stdout file cannot be created: " + out + " (no such file or directory)",
                e.getMessage());
    }

    @Test
    void anErrorRightAfterTheStartKillsTheWholeProcessTreeBeforeItPropagates() throws Exception {
        // An Error between the start and the attempt's stop action (no memory for the executor's bookkeeping, a
        // stack overflow): the command must not run on untracked, never timed out or killed.
        Path fifo = dir.resolve("ready");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        List<ProcessHandle> tree = new ArrayList<>();
        StackOverflowError injected = new StackOverflowError("injected after the start");
        executor.afterStart = child -> {
            try (BufferedReader ready = Files.newBufferedReader(fifo)) {
                assertEquals("ready", ready.readLine());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            tree.add(child.handle());
            tree.addAll(child.handle().descendants().toList());
            throw injected;
        };

        StackOverflowError thrown = assertThrows(StackOverflowError.class, () -> run(CmdRequest.of("sh", "-c",
                "sleep 60 & sleep 60 & echo ready > \"$1\"; wait", "sh", fifo.toString())));

        assertEquals(injected, thrown);
        assertEquals(3, tree.size(), "sh and two sleeps: " + tree);
        Processes.assertAllEnd(tree, Duration.ofSeconds(10));
        assertEquals(List.of(), Processes.descendantsNamed("sleep"));
        assertEquals(0, executor.running());
    }

    @Test
    void aStoppedAttemptKillsTheWholeProcessTree() throws Exception {
        Path fifo = dir.resolve("ready");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        TestAttempt attempt = new TestAttempt();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().name("cmd-worker").start(() -> {
            try {
                outcome.complete(executor.execute(cmd(CmdRequest.of("sh", "-c",
                        "sleep 60 & sleep 60 & echo ready > \"$1\"; sleep 60", "sh", fifo.toString())), attempt));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        attempt.runIn(worker);
        try (BufferedReader ready = Files.newBufferedReader(fifo)) {
            assertEquals("ready", ready.readLine());
        }
        Processes.await("three sleeps run", () -> Processes.descendantsNamed("sleep").size() == 3);
        List<ProcessHandle> tree = new ArrayList<>(ProcessHandle.current().descendants().toList());
        assertEquals(4, tree.size(), "sh and three sleeps: " + tree);

        attempt.stop();

        Object ended = outcome.get(5, TimeUnit.SECONDS);
        assertInstanceOf(InterruptedException.class, ended, "the interrupted attempt ends with " + ended);
        Processes.assertAllEnd(tree, Duration.ofSeconds(5));
        assertEquals(List.of(), Processes.descendantsNamed("sleep"));
    }

    @Test
    void aTreeThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
        Path fifo = dir.resolve("ready");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        TestAttempt attempt = new TestAttempt();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                // The ignored SIGTERM is inherited by the sleep too: only SIGKILL ends either.
                outcome.complete(executor.execute(cmd(CmdRequest.of("sh", "-c",
                        "trap '' TERM; sleep 60 & echo ready > \"$1\"; wait; wait", "sh", fifo.toString())),
                        attempt));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        attempt.runIn(worker);
        try (BufferedReader ready = Files.newBufferedReader(fifo)) {
            assertEquals("ready", ready.readLine());
        }
        List<ProcessHandle> tree = ProcessHandle.current().descendants().toList();
        assertEquals(2, tree.size(), "sh and sleep: " + tree);

        attempt.stop();

        assertInstanceOf(InterruptedException.class, outcome.get(5, TimeUnit.SECONDS));
        Processes.assertAllEnd(tree, Duration.ofSeconds(5));
    }

    @Test
    @SuppressWarnings("try") // a FIFO end held open, never used
    void aProcessTheCommandStartsOnSigtermIsKilledAfterTheGrace() throws Exception {
        // The command answers SIGTERM by starting a process that leaves the group (setsid), and exits: the new process
        // is in no recorded tree nor in the group when the SIGKILL is due, and only its marker finds it then. The
        // command spins until then (a shell runs a trap between two commands), so that no child of its own, ended
        // but not yet reaped, keeps the tree looking alive.
        Path ready = dir.resolve("ready");
        Path started = dir.resolve("started");
        assertEquals(0, new ProcessBuilder("mkfifo", ready.toString(), started.toString()).start().waitFor());
        // Held open at both ends, so that the trap's write never waits for the test, which only reads what is there.
        try (var bothEnds = java.nio.channels.FileChannel.open(started, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
                java.io.FileInputStream startedPids = new java.io.FileInputStream(started.toFile())) {
            TestAttempt attempt = new TestAttempt();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread worker = Thread.ofPlatform().start(() -> {
                try {
                    outcome.complete(executor.execute(cmd(CmdRequest.of("sh", "-c",
                            "trap 'setsid sleep 60 < /dev/null > /dev/null 2>&1 & echo $! > \"$2\"; exit 0' TERM;"
                                    + " echo $$ > \"$1\"; while :; do :; done", "sh", ready.toString(),
                            started.toString())), attempt));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            attempt.runIn(worker);
            long root;
            try (BufferedReader r = Files.newBufferedReader(ready)) {
                root = Long.parseLong(r.readLine());
            }

            attempt.stop();

            assertInstanceOf(InterruptedException.class, outcome.get(5, TimeUnit.SECONDS));
            Processes.await("the command's shell has ended", () -> ProcessHandle.of(root).isEmpty());
            // Its trap wrote the pid before the shell exited, unless the SIGKILL came first, before the trap could
            // run: then there is nothing to check.
            org.junit.jupiter.api.Assumptions.assumeTrue(startedPids.available() > 0,
                    "the shell was killed before its trap ran");
            long pid = Long.parseLong(new BufferedReader(new java.io.InputStreamReader(startedPids,
                    StandardCharsets.US_ASCII)).readLine());
            assertLeftoverEnds(pid);
        }
    }

    @Test
    void aBackgroundProcessHoldingTheOutputIsKilledWhenTheCommandExits() throws Exception {
        EventResult result = run(CmdRequest.of("sh", "-c", "sleep 60 & echo $!"));
        long pid = Long.parseLong(data(result).stdout().strip());
        assertLeftoverEnds(pid);
    }

    @Test
    void aDetachedBackgroundProcessIsKilledWhenTheCommandExits() throws Exception {
        EventResult result = run(CmdRequest.of("sh", "-c", "sleep 60 > /dev/null 2>&1 & echo $!"));
        long pid = Long.parseLong(data(result).stdout().strip());
        assertLeftoverEnds(pid);
    }

    @Test
    void aBackgroundProcessInASessionOfItsOwnIsKilledWhenTheCommandExits() throws Exception {
        // It leaves the process group but keeps the marker in its environment: only a daemon that also drops the
        // marker may escape.
        EventResult result = run(CmdRequest.of("sh", "-c", "setsid sleep 60 < /dev/null > /dev/null 2>&1 & echo $!"));
        long pid = Long.parseLong(data(result).stdout().strip());
        assertLeftoverEnds(pid);
    }

    @Test
    void outputStillHeldOpenAtTheDrainDeadlineIsReportedTruncated() throws Exception {
        // A process outside the command's tree, group and marker holds its stdout open after it exits, so the pipe
        // never reaches end-of-file and reading stops at the drain deadline: the result holds only the output read
        // until then, and must say so. The holder is started by the test and opens the pipe through /proc: one the
        // command started itself escapes only by racing the polls of its tree, which would make this test flaky.
        CmdResult cmd = runWhileAnOutsiderHoldsStdout("echo start");
        assertEquals(0, cmd.returnCode());
        assertEquals("start\n", cmd.stdout());
        assertEquals("", cmd.stderr());
        assertTrue(cmd.truncated(), "output cut at the drain deadline must read as truncated");
    }

    @Test
    void aCharacterSplitByTheDrainDeadlineIsDroppedAsAtTheCap() throws Exception {
        // The command wrote the first two of the three bytes of U+20AC; the third may still come through the pipe
        // the outsider holds. As at the cap, the split character is dropped, not turned into U+FFFD.
        CmdResult cmd = runWhileAnOutsiderHoldsStdout("printf 'start \\342\\202'");
        assertEquals(0, cmd.returnCode());
        assertEquals("start ", cmd.stdout());
        assertTrue(cmd.truncated());
    }

    /**
     * Runs {@code sh -c "<script>; ..."} and, before it exits, has a process of the test's own (not the command's
     * descendant, not in its group, without its marker) open the command's stdout and hold it open until the result
     * is in. Kills that holder before returning, and checks that then none of the command's pipes stays open here.
     */
    CmdResult runWhileAnOutsiderHoldsStdout(String script) throws Exception {
        java.util.Set<String> before = openPipes();
        Path ready = dir.resolve("ready");
        Path go = dir.resolve("go");
        assertEquals(0, new ProcessBuilder("mkfifo", ready.toString(), go.toString()).start().waitFor());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread.ofPlatform().name("cmd-worker").start(() -> {
            try {
                outcome.complete(run(CmdRequest.of("sh", "-c", script + "; echo $$ > \"$0\"; read go < \"$1\"",
                        ready.toString(), go.toString())));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        String pid;
        try (BufferedReader r = Files.newBufferedReader(ready)) {
            pid = r.readLine();
        }
        Process holder = new ProcessBuilder("sh", "-c", "exec 3> \"/proc/$0/fd/1\"; echo held; exec sleep 60", pid)
                .redirectErrorStream(true).start();
        try (BufferedReader held = holder.inputReader()) {
            holder.getOutputStream().close();
            assertEquals("held", held.readLine(), "the holder opened the command's stdout");
            Files.writeString(go, "exit\n");
            EventResult result = assertInstanceOf(EventResult.class, outcome.get(30, TimeUnit.SECONDS));
            assertTrue(holder.isAlive(), "the holder still held the output when the result came");
            return data(result);
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS), "holder ended");
            Processes.await("no pipe of the command or the holder is left open", () -> {
                try {
                    return before.containsAll(openPipes());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    static void assertLeftoverEnds(long pid) throws Exception {
        java.util.Optional<ProcessHandle> leftover = ProcessHandle.of(pid);
        if (leftover.isPresent()) {
            Processes.assertAllEnd(List.of(leftover.get()), Duration.ofSeconds(5));
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "leftover " + pid + " alive");
    }

    @Test
    void closeKillsRunningCommandsAndIsIdempotent() throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        TestAttempt attempt = new TestAttempt();
        Thread.ofPlatform().start(() -> {
            try {
                outcome.complete(executor.execute(cmd(CmdRequest.of("sleep", "60")), attempt));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Processes.await("sleep runs", () -> Processes.descendantsNamed("sleep").size() == 1);
        List<ProcessHandle> sleeps = Processes.descendantsNamed("sleep");

        executor.close();
        executor.close();

        EventResult result = assertInstanceOf(EventResult.class, outcome.get(5, TimeUnit.SECONDS));
        assertEquals(128 + 9, data(result).returnCode());
        Processes.assertAllEnd(sleeps, Duration.ofSeconds(5));
        assertEquals(0, executor.running());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> executor.execute(cmd(CmdRequest.of("true")), new TestAttempt()));
        assertEquals("The CMD executor is closed: the bus is shut down", e.getMessage());
    }

    @Test
    void aCommandStartedWhileTheExecutorClosesIsKilledAndReported() throws Exception {
        // close() comes while the command starts (a shutdown racing a launch): it cannot see the command, which is
        // then the attempt's to kill, and nothing of it may stay open.
        Launcher real = launcher();
        CmdExecutor[] closing = new CmdExecutor[1];
        executor.close();
        executor = new CmdExecutor(4 * MIB, new Launcher() {
            @Override
            public Child start(CmdRequest request, String marker) {
                Child child = real.start(request, marker);
                closing[0].close();
                return child;
            }

            @Override
            public String name() {
                return real.name();
            }
        });
        closing[0] = executor;
        java.util.Set<String> before = openPipes();
        // Killed like every command close() meets, and its result says so.
        EventResult result = run(CmdRequest.builder("sh").args("-c", "cat; sleep 60").stdin(new byte[] {'x'}).build());
        assertEquals(128 + 9, data(result).returnCode(), result::toString);
        Processes.await("no pipe of the command is left open", () -> {
            try {
                return before.containsAll(openPipes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void anErrorWhileReadingTheOutputFailsTheAttemptInsteadOfCuttingTheOutputSilently() throws Exception {
        // An OutOfMemoryError as the buffer of a large output cap grows, stood in for by the stream: whichever thread
        // reads the output, the attempt ends with that error, as an error around a handler does, and does not pass a
        // part of the output for all of it.
        OutOfMemoryError failure = new OutOfMemoryError("stand-in for a capture buffer that cannot grow");
        Launcher real = launcher();
        executor.close();
        executor = new CmdExecutor(4 * MIB, new Launcher() {
            @Override
            public Child start(CmdRequest request, String marker) {
                return new FailingStdout(real.start(request, marker), failure);
            }

            @Override
            public String name() {
                return real.name();
            }
        });
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class,
                () -> run(CmdRequest.of("echo", "output")));
        assertTrue(thrown == failure, "the reader's own error: " + thrown);
    }

    /** A started command whose stdout stream fails with an error at its first read. */
    private record FailingStdout(Child child, Error failure) implements Child {

        @Override
        public java.io.InputStream stdout() {
            return new java.io.FilterInputStream(child.stdout()) {
                @Override
                public int read(byte[] b, int off, int len) {
                    throw failure;
                }
            };
        }

        @Override
        public ProcessHandle handle() {
            return child.handle();
        }

        @Override
        public java.io.OutputStream stdin() {
            return child.stdin();
        }

        @Override
        public java.io.InputStream stderr() {
            return child.stderr();
        }

        @Override
        public CompletableFuture<Integer> exitCode() {
            return child.exitCode();
        }

        @Override
        public Integer awaitExit(long millis) throws InterruptedException, ExecutionException {
            return child.awaitExit(millis);
        }

        @Override
        public boolean pumpsOutput() {
            return child.pumpsOutput();
        }

        @Override
        public Integer awaitExit(long millis, Capture out, Capture err) throws InterruptedException,
                ExecutionException {
            return child.awaitExit(millis, out, err);
        }

        @Override
        public boolean drain(long millis, Capture out, Capture err) throws InterruptedException,
                ExecutionException {
            return child.drain(millis, out, err);
        }

        @Override
        public void release() {
            child.release();
        }

        @Override
        public boolean grouped() {
            return child.grouped();
        }

        @Override
        public boolean signalGroup(int signal) {
            return child.signalGroup(signal);
        }
    }

    /** This JVM's descriptors that are pipes, as "fd -> pipe:[inode]". */
    static java.util.Set<String> openPipes() throws java.io.IOException {
        java.util.Set<String> pipes = new java.util.TreeSet<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:")) {
                        pipes.add(fd.getFileName() + " -> " + target);
                    }
                } catch (java.io.IOException gone) {
                    // closed while listed (the directory stream's own descriptor, for one)
                }
            }
        }
        return pipes;
    }

    @Test
    void mapDataRunsLikeARequest() throws Exception {
        Path out = dir.resolve("out.txt");
        EventResult result = executor.execute(cmd(java.util.Map.of("executable", "sh",
                "args", List.of("-c", "cat; echo \"$GREETING\"; pwd >&2"), "cwd", dir.toString(),
                "env", java.util.Map.of("GREETING", "hi"), "stdin", "piped\n", "stdout_file", out)),
                new TestAttempt());
        CmdResult cmd = data(result);
        assertEquals(dir.toRealPath() + "\n", cmd.stderr());
        assertEquals("piped\nhi\n", Files.readString(out));
    }

    @Test
    void manyCommandsRunAtOnce() throws Exception {
        List<CompletableFuture<EventResult>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String word = "w" + i;
            results.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return run(CmdRequest.of("echo", word));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("w" + i + "\n", data(results.get(i).get(30, TimeUnit.SECONDS)).stdout());
        }
    }

    @Test
    void everyWaitForTheExitSharesOneFuture() throws Exception {
        // The executor polls a running command's exit every 200 ms at most: a stage made per poll would pile up on
        // the JDK's exit future for as long as the command runs.
        Child child = launcher().start(CmdRequest.of("sh", "-c", "exit 5"), "exit-test");
        try {
            CompletableFuture<Integer> exit = child.exitCode();
            for (int polls = 0; polls < 3; polls++) {
                child.awaitExit(1);
                assertTrue(exit == child.exitCode(), "the same future on every call");
            }
            assertEquals(5, exit.get(30, TimeUnit.SECONDS));
        } finally {
            child.release();
        }
    }

    @Test
    void stdinBytesAreNotSharedWithTheRequest() throws ExecutionException {
        byte[] bytes = {1, 2, 3};
        CmdRequest request = CmdRequest.builder("cat").stdin(bytes).build();
        bytes[0] = 9;
        request.stdin()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, request.stdin());
    }
}
