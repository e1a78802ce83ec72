package dev.eventbus.corelet.internal;

import dev.eventbus.runtime.TestAttempt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code coreletAotCache} with real parent and worker JVMs: trained by the first worker, used by the next ones,
 * made again when a JAR changes, and refused with a warning where the JDK cannot make one. Each case runs
 * {@link AotCacheParentMain} in a JVM of its own, whose output includes its workers'.
 */
@Timeout(300)
class CoreletAotCacheTest {

    @TempDir
    Path dir;

    @AfterAll
    static void noProcessLeft() {
        TestAttempt.assertNoChildProcessLeft();
    }

    /** What a parent JVM printed: its workers' arguments, whether the cache exists after shutdown, and all output. */
    private record Run(String worker, boolean cache, String output) {
    }

    private static Run run(String classPath, Path cache, String... more) throws Exception {
        return run(List.of(), classPath, cache, more);
    }

    private static Run run(List<String> jvmOptions, String classPath, Path cache, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(WorkerCommand.javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, AotCacheParentMain.class.getName(), cache.toString()));
        command.addAll(List.of(more));
        Process parent = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(parent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(parent.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, parent.exitValue(), output);
        String worker = line(output, "WORKER ");
        return new Run(worker, Boolean.parseBoolean(line(output, "CACHE ")), output);
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in:\n" + output));
    }

    /** Asserts that the test directory holds exactly these names: no temporary file of the cache's making is left. */
    private void assertOnlyLeft(String... names) throws java.io.IOException {
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(Set.of(names), left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()),
                    "no temporary file left");
        }
    }

    /** This test JVM's class path with every directory packed into a JAR in {@code jars}: what AOT caches need. */
    private static String jarsOnly(Path jars) throws Exception {
        Files.createDirectories(jars);
        ToolProvider jar = ToolProvider.findFirst("jar").orElseThrow();
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                Path packed = jars.resolve("dir-" + n++ + ".jar");
                ByteArrayOutputStream errors = new ByteArrayOutputStream();
                int code = jar.run(new PrintStream(errors, true, StandardCharsets.UTF_8), new PrintStream(errors, true,
                        StandardCharsets.UTF_8), "--create", "--file", packed.toString(), "-C", path.toString(), ".");
                assertEquals(0, code, errors.toString(StandardCharsets.UTF_8));
                entries.add(packed.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void firstWorkerTrainsTheCacheLaterWorkersUseItAndAChangedJarMakesItAgain() throws Exception {
        Path jars = dir.resolve("jars");
        String classPath = jarsOnly(jars);
        Path cache = dir.resolve("workers.aot");
        Path key = dir.resolve("workers.aot.key");
        Files.writeString(cache, "not an AOT cache, and no key file: the bus makes it again");
        Files.writeString(key, "a key for something else");
        Path abandoned = Files.createDirectory(dir.resolve(".workers.aot.making-1"));
        Files.writeString(abandoned.resolve("cache.aot"), "left by a parent killed mid-assembly two hours ago");
        Files.setLastModifiedTime(abandoned, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        Path young = Files.createDirectory(dir.resolve(".workers.aot.making-2"));

        Run first = run(classPath, cache);

        assertTrue(first.worker().contains("-XX:AOTMode=record"), "the first worker trains: " + first.output());
        assertTrue(first.cache(), "made before the bus's shutdown returned: " + first.output());
        assertEquals("0", line(first.output(), "CHILDREN "), first.output());
        assertTrue(Files.size(cache) > 1000, "the JVM's cache replaced the file that was there");
        assertFalse(first.output().contains("AOTConfiguration recorded"),
                "the training JVM's own output does not reach the application's: " + first.output());
        assertFalse(Files.exists(abandoned), "an abandoned assembly is deleted");
        assertTrue(Files.exists(young), "a young one may be another JVM's, at work now");
        Files.delete(young);
        String firstKey = Files.readString(key);
        assertTrue(firstKey.contains("java.vm.version=" + System.getProperty("java.vm.version")), firstKey);
        FileTime made = Files.getLastModifiedTime(cache);

        Run second = run(classPath, cache);

        assertTrue(second.worker().contains("-XX:AOTCache=" + cache), "the next worker uses it: " + second.output());
        assertFalse(second.worker().contains("AOTMode"), second.output());
        assertFalse(second.output().contains("][aot"), "the JVM took the cache without complaint: "
                + second.output());
        assertEquals(made, Files.getLastModifiedTime(cache), "used, not made again");

        Path changed;
        try (Stream<Path> packed = Files.list(jars)) {
            changed = packed.findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(changed, FileTime.fromMillis(made.toMillis() + 60_000));

        Run third = run(classPath, cache);

        assertTrue(third.worker().contains("-XX:AOTMode=record"), "a changed JAR: trained again: " + third.output());
        assertTrue(third.cache(), third.output());
        assertNotEquals(firstKey, Files.readString(key));
        assertOnlyLeft("jars", "workers.aot", "workers.aot.key");

        // a damaged cache, dated as before: made again, never handed to a JVM
        byte[] whole = Files.readAllBytes(cache);
        Files.write(cache, java.util.Arrays.copyOf(whole, whole.length / 2));
        Files.setLastModifiedTime(cache, Files.getLastModifiedTime(key));

        Run damaged = run(classPath, cache);

        assertTrue(damaged.worker().contains("-XX:AOTMode=record"), damaged.output());
        assertFalse(damaged.output().contains("][aot"), damaged.output());
        assertTrue(Files.size(cache) > whole.length * 3L / 4, "a whole cache again, not the half left");
    }

    /**
     * The cache learnt that its trainer and its assembly had exited through Process.onExit(), whose actions run on the
     * common ForkJoinPool: in an application that keeps that pool busy, the cache was never made, and every graceful
     * shutdown waited the full 30 s for it.
     */
    @Test
    void aBusyCommonPoolDoesNotKeepTheCacheFromBeingMade() throws Exception {
        Path cache = dir.resolve("workers.aot");

        Run run = run(List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2"),
                jarsOnly(dir.resolve("jars")), cache, "busy-common-pool");

        assertTrue(run.worker().contains("-XX:AOTMode=record"), run.output());
        assertTrue(run.cache(), "made before the bus's shutdown returned: " + run.output());
        assertEquals("0", line(run.output(), "CHILDREN "), run.output());
        assertOnlyLeft("jars", "workers.aot", "workers.aot.key");
    }

    @Test
    void anImmediateShutdownDoesNotWaitForTheCacheAndLeavesNothingBehind() throws Exception {
        Path cache = dir.resolve("workers.aot");

        Run run = run(jarsOnly(dir.resolve("jars")), cache, "immediately");

        assertTrue(run.worker().contains("-XX:AOTMode=record"), run.output());
        assertFalse(run.cache(), "the training was cut short, not waited for: " + run.output());
        assertEquals("0", line(run.output(), "CHILDREN "), "no trainer or assembly left: " + run.output());
        assertFalse(run.output().contains("not made"), "a cut short training is no failure to warn of: "
                + run.output());
        assertOnlyLeft("jars");
    }

    @Test
    void aTrainingWorkerThatDiesLeavesWorkersWithoutACacheAndTheLogSaysWhy() throws Exception {
        Path cache = dir.resolve("workers.aot");

        Run run = run(jarsOnly(dir.resolve("jars")), cache, "crash-first");

        assertTrue(line(run.output(), "FIRST ").contains("CoreletCrashedException"), run.output());
        assertFalse(run.worker().contains("AOT"), "the next worker starts without: " + run.output());
        assertFalse(run.cache(), run.output());
        assertTrue(run.output().contains("CORELET AOT cache " + cache + " not made: the training worker"),
                run.output());
        assertTrue(run.output().contains("ended with exit code 7 before its first event completed"), run.output());
        assertOnlyLeft("jars");
    }

    @Test
    void aDirectoryOnThePathLeavesWorkersWithoutACacheAndTheLogSaysWhy() throws Exception {
        String classPath = System.getProperty("java.class.path");
        String directory = Stream.of(classPath.split(File.pathSeparator)).filter(e -> Files.isDirectory(Path.of(e)))
                .findFirst().orElseThrow(() -> new AssertionError("the test class path has no directory"));
        Path cache = dir.resolve("workers.aot");

        Run run = run(classPath, cache);

        assertFalse(run.worker().contains("AOT"), "no AOT option for the worker: " + run.output());
        assertFalse(run.cache());
        assertTrue(run.output().contains("CORELET workers start without the AOT cache " + cache), run.output());
        assertTrue(run.output().contains("the directory " + directory + " is on the worker's class path"),
                run.output());
    }
}
