package dev.eventbus.cmd.internal;

import dev.eventbus.EventResult;
import dev.eventbus.cmd.CmdRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every {@link CmdExecutorTest} check with the {@code posix_spawn} launcher. Surefire grants this JVM native
 * access ({@code --enable-native-access=ALL-UNNAMED}), so the launcher must be available here.
 */
@Timeout(60)
class SpawnLauncherTest extends CmdExecutorTest {

    @BeforeAll
    static void launcherIsAvailable() {
        assertTrue(SpawnLauncher.available(), "posix_spawn launcher: " + SpawnLauncher.unavailableReason());
    }

    @Override
    Launcher launcher() {
        return new SpawnLauncher();
    }

    @Test
    void theLauncherIsChosenByDefaultWhenAvailable() {
        assertEquals("posix_spawn", Launchers.preferred().name());
    }

    @Test
    void aDetachedLeftoverThatKeepsWritingToTheOutputIsEndedAndTheResultComes(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // The root exits at once; its leftover leaves the process group, ignores SIGTERM and floods stdout, so the
        // output never drains by itself: the wait for it must still end, find the leftover and kill it. (Here only:
        // with ProcessBuilder the JDK closes the pipes when the root exits, and such a leftover dies of SIGPIPE.)
        // The root waits until the leftover has left the group and ignores SIGTERM (it touches a file then).
        String ready = dir.resolve("ready").toString();
        EventResult result = run(CmdRequest.builder("sh").args("-c",
                "setsid sh -c 'trap \"\" TERM; echo $$ >&2; touch \"$0\"; exec yes flood' \"$0\" &"
                        + " while [ ! -e \"$0\" ]; do :; done", ready).outputCap(1 << 16).build());
        assertEquals(0, data(result).returnCode(), result::toString);
        long pid = Long.parseLong(data(result).stderr().strip());
        assertLeftoverEnds(pid);
    }

    @Test
    void aScriptWithoutAHashBangLineIsFoundOnThePathAsPosixSpawnpSearchedIt(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path skipped = java.nio.file.Files.createDirectories(dir.resolve("a"));
        java.nio.file.Path found = java.nio.file.Files.createDirectories(dir.resolve("b"));
        java.nio.file.Files.writeString(skipped.resolve("tool"), "echo not executable\n"); // the search skips it
        java.nio.file.Files.createDirectories(found.resolve("sub").resolve("tool")); // and a directory
        java.nio.file.Path tool = java.nio.file.Files.writeString(found.resolve("tool"), "echo run\n");
        assertTrue(tool.toFile().setExecutable(true));
        String path = dir.resolve("missing") + ":" + skipped + ":b/sub:b";
        assertEquals(tool.toString(), SpawnLauncher.scriptPath("tool", dir, path), "relative entries in the cwd");
        assertEquals("./tool", SpawnLauncher.scriptPath("./tool", dir, path), "a path is taken as given");
        assertEquals(null, SpawnLauncher.scriptPath("absent", dir, path));
    }

    @Test
    void theInputIsLetGoOnceTheCommandExitedThoughAnOutsiderHoldsItUnread(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // The command never reads its 1 MiB of input, and a process outside its tree, group and marker holds the
        // input's read end open without reading: the pipe stays full and no write to it fails. Once the result is
        // in, this JVM must not keep the write end (nor a thread blocked writing to it) until the outsider ends.
        java.nio.file.Path ready = dir.resolve("ready");
        java.nio.file.Path go = dir.resolve("go");
        assertEquals(0, new ProcessBuilder("mkfifo", ready.toString(), go.toString()).start().waitFor());
        java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().name("cmd-worker").start(() -> {
            try {
                outcome.complete(run(CmdRequest.builder("sh").args("-c", "echo $$ > \"$0\"; read go < \"$1\"",
                        ready.toString(), go.toString()).stdin(new byte[1 << 20]).build()));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        String pid;
        try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(ready)) {
            pid = r.readLine();
        }
        String input = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", pid, "fd", "0")).toString();
        Process holder = new ProcessBuilder("sh", "-c", "exec 3< \"/proc/$0/fd/0\"; echo held; exec sleep 60", pid)
                .redirectErrorStream(true).start();
        try (java.io.BufferedReader held = holder.inputReader()) {
            holder.getOutputStream().close();
            assertEquals("held", held.readLine(), "the holder opened the command's input");
            java.nio.file.Files.writeString(go, "exit\n");
            EventResult result = assertInstanceOf(EventResult.class,
                    outcome.get(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, data(result).returnCode(), result::toString);
            Processes.await("this JVM let go of the input " + input + " while the holder still holds it", () -> {
                try {
                    return !openPipes().toString().contains(input);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(holder.isAlive(), "the holder held the input all along");
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "holder ended");
        }
    }

    @Test
    void anInheritedVariableThatIsNotUtf8ReachesTheCommandWithItsBytesAsWithProcessBuilder() throws Exception {
        // A JVM whose environment holds the Latin-1 byte 0xE9, set by a shell since a Java string cannot carry it.
        String classPath = String.join(java.io.File.pathSeparator, location(dev.eventbus.Event.class),
                location(dev.eventbus.cmd.CmdRequest.class), location(InheritedEnvMain.class));
        Process jvm = new ProcessBuilder("sh", "-c", "EVB_LATIN1=\"$(printf '\\351')\" exec \"$0\""
                + " --enable-native-access=ALL-UNNAMED -cp \"$1\" " + InheritedEnvMain.class.getName(),
                ProcessHandle.current().info().command().orElseThrow(), classPath)
                .redirectErrorStream(true).start();
        jvm.getOutputStream().close();
        String out = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(0, jvm.exitValue(), out);
        assertEquals("ProcessBuilder e9 0\nposix_spawn e9 0\n", out);
    }

    private static String location(Class<?> type) throws java.net.URISyntaxException {
        return java.nio.file.Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static boolean gone(long pid) {
        return !java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + pid)); // a zombie still has an entry
    }

    @Test
    void theRootIsWaitedForInTheCallingThreadAndReapedOnce() throws Exception {
        Child child = new SpawnLauncher().start(
                dev.eventbus.cmd.CmdRequest.builder("sh").args("-c", "exit 7").build(), "wait-test");
        long pid = child.handle().pid();
        Integer code = null;
        for (int polls = 0; code == null && polls < 600; polls++) { // bounded: 600 waits of 50 ms at most
            code = child.awaitExit(50);
        }
        assertEquals(7, code);
        assertEquals(7, child.exitCode().get(30, java.util.concurrent.TimeUnit.SECONDS), "the same code afterwards");
        child.release();
        assertTrue(gone(pid), "reaped: no zombie left");
    }

    @Test
    void aChildReleasedWithoutAWaitIsStillReaped() throws Exception {
        Child child = new SpawnLauncher().start(
                dev.eventbus.cmd.CmdRequest.builder("sh").args("-c", "exit 3").build(), "release-test");
        long pid = child.handle().pid();
        child.release(); // as when an attempt fails before it waits
        assertEquals(3, child.exitCode().get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(3, child.awaitExit(10), "a later wait reads the same code");
        assertTrue(dev.eventbus.runtime.Await.until(java.time.Duration.ofSeconds(10), () -> gone(pid)),
                "the JDK's reaper reaped it: no zombie left");
    }

    /**
     * Found by the chaos soak: after a command's process group emptied, its id was taken by a later command, and a
     * leftover sweep's SIGTERM to the old group id killed that command. Forces the reuse through ns_last_pid (root).
     */
    @Test
    void signalToAnEmptiedGroupNeverReachesAProcessThatReusedItsId() throws Exception {
        java.nio.file.Path lastPid = java.nio.file.Path.of("/proc/sys/kernel/ns_last_pid");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isWritable(lastPid),
                "needs a writable /proc/sys/kernel/ns_last_pid (root) to force a pid to be reused");
        Child first = new SpawnLauncher().start(dev.eventbus.cmd.CmdRequest.builder("true").build(), "reuse-test");
        assertEquals(0, first.exitCode().get(30, java.util.concurrent.TimeUnit.SECONDS));
        first.release();
        long reused = first.handle().pid();
        Process later = null;
        for (int tries = 0; tries < 20 && later == null; tries++) { // other processes may grab the pid first
            java.nio.file.Files.writeString(lastPid, Long.toString(reused - 1));
            Process candidate = new ProcessBuilder("setsid", "sleep", "30").start(); // leads a group: pgid == pid
            if (candidate.pid() == reused) {
                later = candidate;
            } else {
                candidate.destroyForcibly().waitFor();
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(later != null, "could not get pid " + reused + " reused");
        try {
            assertEquals(false, first.signalGroup(Child.SIGTERM), "the old group is gone: nothing to signal");
            assertTrue(later.isAlive(), "the process that reused the id was signalled");
        } finally {
            later.destroyForcibly().waitFor();
        }
    }
}
