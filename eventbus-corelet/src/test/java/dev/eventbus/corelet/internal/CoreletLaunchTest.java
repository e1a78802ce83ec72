package dev.eventbus.corelet.internal;

import dev.eventbus.EventHandler;
import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.eventbus.runtime.TestAttempt.assertEnds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Worker JVMs launched from real parent JVMs: on the module path, and orphaned by a SIGKILLed parent. */
@Timeout(180)
class CoreletLaunchTest {

    @TempDir
    Path dir;

    @AfterAll
    static void noProcessLeft() {
        TestAttempt.assertNoChildProcessLeft();
    }

    private static Path locationOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String java() {
        return WorkerCommand.javaBinary();
    }

    @Test
    void modulePathBusRunsTheHandlerInItsNamedModuleInAWorker() throws Exception {
        Path api = locationOf(EventHandler.class);
        Path corelet = locationOf(CoreletWorkerMain.class);
        Path runtime = locationOf(java.util.ServiceLoader.load(dev.eventbus.spi.EventBusProvider.class).stream()
                .findFirst().orElseThrow().type());
        Path out = dir.resolve("mods");
        Path sources = Path.of("src/test/module-demo/corelet.demo");
        List<String> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).map(Path::toString).toList();
        }
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        List<String> args = new ArrayList<>(List.of(javac, "-d", out.toString(), "--module-path", api.toString()));
        args.addAll(files);
        Process compile = new ProcessBuilder(args).redirectErrorStream(true).start();
        String errors = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(compile.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, compile.exitValue(), errors);

        String modulePath = String.join(File.pathSeparator, api.toString(), runtime.toString(), corelet.toString(),
                out.toString());
        Process parent = new ProcessBuilder(java(), "--module-path", modulePath, "-m", "corelet.demo/corelet.demo.Main")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(parent.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, parent.exitValue(), output);
        // RESULT [81, corelet.demo, <worker pid>] PARENT <parent pid>
        String[] words = output.replaceAll("[\\[\\],]", "").split(" ");
        assertEquals("RESULT", words[0], output);
        assertEquals("81", words[1], output);
        assertEquals("corelet.demo", words[2], "handler loaded from its named module in the worker: " + output);
        assertNotEquals(words[3], words[5], "worker pid differs from the parent's: " + output);
        assertEnds(Long.parseLong(words[3]), Duration.ofSeconds(5));
    }

    @Test
    void workersOfASigkilledParentExitWithinSeconds() throws Exception {
        parentWithBusyWorkersEnds(false);
    }

    @Test
    void workersOfAParentThatExitsNormallyAreStoppedWithIt() throws Exception {
        parentWithBusyWorkersEnds(true);
    }

    private void parentWithBusyWorkersEnds(boolean normalExit) throws Exception {
        // its own temporary directory: a killed parent leaves the pool's (empty) private directory behind
        List<String> command = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + dir, "-cp",
                System.getProperty("java.class.path"), OrphanParentMain.class.getName(), dir.toString()));
        if (normalExit) {
            command.add("exit");
        }
        Process parent = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Long> workers = new ArrayList<>();
        try {
            String line = firstLine(parent);
            assertTrue(line != null && line.startsWith("WORKERS "), "parent said: " + line);
            Arrays.stream(line.substring("WORKERS ".length()).split(" ")).map(Long::parseLong).forEach(workers::add);
            assertEquals(2, workers.size(), line);
            if (normalExit) {
                assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, parent.exitValue());
            } else {
                for (long pid : workers) {
                    assertEquals(parent.pid(), ProcessHandle.of(pid).orElseThrow().parent().orElseThrow().pid());
                    assertEquals(10, niceOf(pid), "workers run at nice 10");
                }
                parent.destroyForcibly();
                assertTrue(parent.waitFor(10, TimeUnit.SECONDS));
                assertEquals(137, parent.exitValue());
            }
            for (long pid : workers) {
                assertEnds(pid, Duration.ofSeconds(5));
            }
        } finally {
            parent.destroyForcibly();
            workers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /** The first line a parent JVM prints (its report of what it started), waiting at most 90 s for it. */
    private static String firstLine(Process parent) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(90, TimeUnit.SECONDS);
    }

    @Test
    void theToolsOfTheWorkersOfASigkilledParentEndWithThem() throws Exception {
        parentWithAToolRunningEnds(false);
    }

    @Test
    void theToolsOfTheWorkersOfAParentThatExitsNormallyEndWithThem() throws Exception {
        parentWithAToolRunningEnds(true);
    }

    /**
     * No orphans, ever: a process a handler started (a tool it runs) is part of its worker's work, and ends with the
     * worker when the parent dies. It did not: the worker exited (watching its parent), or the parent's shutdown hook
     * SIGKILLed it, and the tool ran on, re-parented away, for as long as it liked.
     */
    private void parentWithAToolRunningEnds(boolean normalExit) throws Exception {
        // its own temporary directory: a parent that is killed, or that exits without closing its pool, leaves the
        // pool's (empty) private directory behind
        List<String> command = new ArrayList<>(List.of(java(), "-Djava.io.tmpdir=" + dir, "-cp",
                System.getProperty("java.class.path"), ToolParentMain.class.getName(), dir.toString()));
        if (normalExit) {
            command.add("exit");
        }
        Process parent = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long worker = -1;
        long tool = -1;
        try {
            String line = firstLine(parent);
            String[] words = String.valueOf(line).split(" ");
            assertTrue(words.length == 4 && words[0].equals("WORKER") && words[2].equals("TOOL"), "parent said: " + line);
            worker = Long.parseLong(words[1]);
            tool = Long.parseLong(words[3]);
            if (!normalExit) {
                parent.destroyForcibly();
            }
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            assertEnds(worker, Duration.ofSeconds(10));
            assertEnds(tool, Duration.ofSeconds(10));
        } finally {
            parent.destroyForcibly();
            for (long pid : new long[] {worker, tool}) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void missingTempDirectoryFailsEveryAttemptClearlyAndLosesNoPoolSlot() throws Exception {
        Path missing = dir.resolve("no-such-tmpdir");
        Process parent = new ProcessBuilder(java(), "-Djava.io.tmpdir=" + missing, "-cp",
                System.getProperty("java.class.path"), MissingTmpdirParentMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String out = outputOf(parent);
            List<String> lines = out.lines().toList();
            assertEquals(3, lines.size(), out);
            // with a pool of one, a slot lost by the first attempt would leave the others waiting for ever
            for (int i = 1; i <= 3; i++) {
                String line = lines.get(i - 1);
                assertTrue(line.startsWith("ATTEMPT " + i + " threw java.io.IOException: Cannot create the CORELET"
                        + " workers' private directory in java.io.tmpdir=" + missing), line);
                assertTrue(line.contains("-Djava.io.tmpdir"), line);
            }
        } finally {
            parent.destroyForcibly();
        }
    }

    /**
     * The pool registers a shutdown hook of its own when it starts its first worker, which the JVM refuses once it is
     * shutting down: a first CORELET event run in the application's shutdown hook failed with "Shutdown in progress".
     * Its workers end with the parent anyway (they watch it), so the pool goes on without the hook.
     */
    @Test
    void theFirstEventRunsInAShutdownHook() throws Exception {
        Process parent = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
                ShutdownHookParentMain.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String out = outputOf(parent);
            assertTrue(out.startsWith("HOOK result 9 worker ["), out);
            long worker = Long.parseLong(out.substring(out.indexOf('[') + 1, out.indexOf(']')));
            assertEnds(worker, Duration.ofSeconds(10));
        } finally {
            parent.destroyForcibly();
        }
    }

    /**
     * A stopped worker's SIGKILL after its grace, and the wait for a crashed worker's exit code, ran on the JDK's
     * common ForkJoinPool (through CompletableFuture's async defaults): in an application that keeps that pool busy,
     * a worker whose terminate() hangs was never killed (its pool slot lost with it, and with a pool of one every
     * later CORELET event waited for ever), and a crash came back without its exit code.
     */
    @Test
    void aBusyCommonPoolDelaysNeitherTheKillOfAStoppedWorkerNorACrashsExitCode() throws Exception {
        Process parent = new ProcessBuilder(java(), "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", "-cp",
                System.getProperty("java.class.path"), BusyCommonPoolParentMain.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String out = outputOf(parent);
            assertEquals(List.of("STOPPED WORKER killed", "CRASH exit code OptionalInt[7]"), out.lines().toList(), out);
            assertEquals(0, parent.exitValue(), out);
        } finally {
            parent.destroyForcibly();
        }
    }

    /** A parent JVM's standard output once it has ended (both bounded: it must not hang the test). */
    private static String outputOf(Process parent) throws Exception {
        String out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(120, TimeUnit.SECONDS);
        assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    /** The nice value of a process, from /proc/<pid>/stat (field 19). */
    private static int niceOf(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
