package dev.eventbus.corelet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The AOT cache of one executor's worker JVMs ({@code EventBus.Builder.coreletAotCache}): which options a new worker
 * gets, and the making of the cache (JDK 25's two-step form, so that every process has an owner here).
 *
 * <p>Life of a cache: while the file is missing, or its key file says it was made for something else (another Java
 * runtime, worker command, or size or date of a JAR on the paths) or that it changed since, it is ABSENT, and the
 * next worker to start is the trainer: it runs with {@code -XX:AOTMode=record}, and after its first event the
 * executor retires it (the JVM writes its training configuration when it exits normally). Once it has exited with
 * code 0, a {@code java -XX:AOTMode=create} process at nice 10 assembles the cache in a private temporary directory
 * beside the target, from which the key and then the cache are moved into place atomically: READY, and every worker
 * started after that gets {@code -XX:AOTCache}. If anything of that fails, the cache is OFF for this executor, with
 * one warning; the next bus tries again. Every file it writes but the two it moves into place is deleted when the
 * training ends, whichever way, or when the executor closes.
 *
 * <p>Thread-safe: its monitor guards the state; process exits arrive on threads that wait for them.
 */
final class AotCache {

    private static final System.Logger LOG = System.getLogger(AotCache.class.getName());
    private static final AtomicInteger TEMP_NAMES = new AtomicInteger();
    private static final int LOG_TAIL_CHARS = 2000;
    private static final java.time.Duration ABANDONED_AFTER = java.time.Duration.ofHours(1);

    private enum State { ABSENT, TRAINING, ASSEMBLING, READY, OFF }

    /** The JVM options of a worker about to start, where its JVM's own output goes, and whether it trains. */
    record Launch(List<String> options, ProcessBuilder.Redirect stdout, boolean trainer) {
        static final Launch PLAIN = new Launch(List.of(), ProcessBuilder.Redirect.INHERIT, false);
    }

    private final Path file;
    private final Path keyFile;
    private final WorkerCommand command;
    private final String key;
    private final Consumer<Process> track;
    private final String unusable;

    /** Written under the monitor; volatile for {@link #isTrainer}, which reads it without. */
    private volatile State state;
    private boolean warned;
    /** Written under the monitor; volatile for {@link #isTrainer}, which reads it without. */
    private volatile Process trainer;
    private boolean trainerRetired;
    private Path configuration;
    private Path trainerOutput;
    private Path assemblyDir;
    private Path assemblyLog;
    private Process assembler;
    private boolean closed;

    /**
     * @param file the cache file, absolute
     * @param command the workers' command
     * @param track told every process this starts, so that the executor stops it with the workers
     */
    AotCache(Path file, WorkerCommand command, Consumer<Process> track) {
        this.file = file;
        this.keyFile = file.resolveSibling(file.getFileName() + ".key");
        this.command = command;
        this.track = track;
        this.unusable = command.paths().stream().filter(Files::isDirectory).findFirst()
                .map(dir -> "the directory " + dir + " is on the worker's class path or module path, and the JDK"
                        + " makes AOT caches from JAR files only")
                .orElse(null);
        this.key = unusable == null ? key(command) : null;
        this.state = unusable != null ? State.OFF : matches() ? State.READY : State.ABSENT;
        if (state == State.ABSENT) {
            deleteAbandonedAssemblies();
        }
    }

    /**
     * Deletes the assembly directories that a parent killed mid-assembly left beside the cache (its assembly process
     * ran on for a second or two). Only old ones: a young one may belong to another JVM making the cache now.
     */
    private void deleteAbandonedAssemblies() {
        long before = System.currentTimeMillis() - ABANDONED_AFTER.toMillis();
        try (var siblings = Files.newDirectoryStream(file.getParent(), "." + file.getFileName() + ".making-*")) {
            for (Path dir : siblings) {
                if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.getLastModifiedTime(dir).toMillis() < before) {
                    deleteDirectory(dir);
                }
            }
        } catch (IOException e) {
            QuietLog.log(LOG, System.Logger.Level.DEBUG, "Could not look for abandoned assemblies of " + file, e);
        }
    }

    /** What the cache is made for: the runtime, the worker command, and the size and date of every path entry. */
    private static String key(WorkerCommand command) {
        List<String> lines = new ArrayList<>();
        lines.add("java.home=" + System.getProperty("java.home"));
        lines.add("java.vm.version=" + System.getProperty("java.vm.version"));
        lines.add("command=" + String.join(" ", command.line()));
        for (Path entry : command.paths()) {
            String stamp;
            try {
                stamp = Files.size(entry) + " " + Files.getLastModifiedTime(entry).toMillis();
            } catch (IOException e) {
                stamp = "missing";
            }
            lines.add("path=" + entry + " " + stamp);
        }
        return String.join("\n", lines) + "\n";
    }

    /** Whether the file is a cache made for this key, and untouched since: the key file ends with its stamp. */
    private boolean matches() {
        try {
            return Files.isRegularFile(file)
                    && Files.readString(keyFile, StandardCharsets.UTF_8).equals(key + stamp(file));
        } catch (IOException e) {
            return false;
        }
    }

    private static String stamp(Path cache) throws IOException {
        return "cache=" + Files.size(cache) + " " + Files.getLastModifiedTime(cache).toMillis() + "\n";
    }

    /**
     * The options of a worker about to start. The first worker while the cache is absent becomes the trainer.
     *
     * @param workDir a private directory for the training files, which outlives every process started here
     * @return the worker's extra JVM options
     */
    synchronized Launch launch(Path workDir) {
        if (state == State.READY && !Files.isRegularFile(file)) {
            state = State.ABSENT; // deleted behind our back: make it again
        }
        switch (state) {
            case READY -> {
                return new Launch(List.of("-XX:AOTCache=" + file), ProcessBuilder.Redirect.INHERIT, false);
            }
            case ABSENT -> {
                if (closed) {
                    return Launch.PLAIN;
                }
                state = State.TRAINING;
                trainer = null;
                trainerRetired = false;
                int n = TEMP_NAMES.incrementAndGet();
                configuration = workDir.resolve("aot-" + n + ".aotconf");
                trainerOutput = workDir.resolve("aot-" + n + ".out");
                assemblyLog = workDir.resolve("aot-" + n + ".log");
                // the JVM prints that it recorded the configuration on its stdout: not the application's business
                return new Launch(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + configuration,
                        "-Xlog:aot*=error"), ProcessBuilder.Redirect.appendTo(trainerOutput.toFile()), true);
            }
            case OFF -> {
                if (unusable != null && !warned) {
                    warned = true;
                    QuietLog.log(LOG, System.Logger.Level.WARNING, "CORELET workers start without the AOT cache "
                            + file + ": " + unusable);
                }
                return Launch.PLAIN;
            }
            default -> {
                return Launch.PLAIN; // being made: this worker starts as before
            }
        }
    }

    /** The trainer's process exists: its exit, whatever the cause, decides what happens next. */
    synchronized void trainerStarted(Process process) {
        trainer = process;
        WorkerProcess.whenExited(process, () -> trainerExited(process));
    }

    /** The trainer never got a process (its start failed before one existed): let the next worker train. */
    synchronized void trainerNotStarted() {
        if (state == State.TRAINING && trainer == null) {
            state = State.ABSENT;
        }
    }

    /**
     * Whether the process is the trainer. Not synchronized: the executor asks for every worker it gets back, and the
     * monitor can be held a while (by the start of the assembly process, by file operations beside the cache). The two
     * reads are not atomic, which can only make the answer true for a trainer that has just exited (a process trains
     * once, and a new training begins with no trainer): the executor then stops a process that has ended.
     */
    boolean isTrainer(Process process) {
        return state == State.TRAINING && process == trainer;
    }

    /** The executor retired the trainer after its first event: it is writing its configuration. */
    synchronized void trainerRetired() {
        trainerRetired = true;
    }

    private synchronized void trainerExited(Process process) {
        if (state != State.TRAINING || process != trainer) {
            return;
        }
        long size = sizeOf(configuration);
        if (closed || !trainerRetired || process.exitValue() != 0 || size <= 0) {
            off(closed ? null : "the training worker " + process.pid() + " ended with exit code "
                    + process.exitValue() + (trainerRetired ? "" : " before its first event completed")
                    + (size > 0 ? "" : " and wrote no training configuration") + "; its output: "
                    + tail(trainerOutput));
            return;
        }
        try {
            // private (rwx------) and beside the target, so that the result moves into place atomically
            assemblyDir = Files.createTempDirectory(file.getParent(), "." + file.getFileName() + ".making-");
            // the worker's own command line, main class included: the JDK checks that the cache matches it
            List<String> line = command.line(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration,
                    "-XX:AOTCache=" + assemblyDir.resolve("cache.aot")));
            assembler = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(assemblyLog.toFile())
                    .start();
        } catch (IOException e) {
            off("its assembly could not start: " + e);
            return;
        }
        track.accept(assembler);
        state = State.ASSEMBLING;
        Process started = assembler;
        WorkerProcess.whenExited(started, () -> assemblyExited(started));
        notifyAll();
    }

    private synchronized void assemblyExited(Process process) {
        if (state != State.ASSEMBLING || process != assembler) {
            return;
        }
        if (closed) {
            off(null);
            return;
        }
        Path made = assemblyDir.resolve("cache.aot");
        if (process.exitValue() != 0 || sizeOf(made) <= 0) {
            off("its assembly (java -XX:AOTMode=create) ended with exit code " + process.exitValue() + ": "
                    + tail(assemblyLog));
            return;
        }
        try {
            Path keyMade = Files.writeString(assemblyDir.resolve("cache.key"), key + stamp(made),
                    StandardCharsets.UTF_8);
            Files.move(keyMade, keyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(made, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            off("it could not be moved into place: " + e);
            return;
        }
        state = State.READY;
        cleanUp();
        notifyAll();
        QuietLog.log(LOG, System.Logger.Level.INFO, "CORELET AOT cache written: {0} ({1} bytes)", file, sizeOf(file));
    }

    /** Turns the cache off for this executor; warns with the reason unless there is none to give. */
    private void off(String reason) {
        state = State.OFF;
        cleanUp();
        if (reason != null) {
            QuietLog.log(LOG, System.Logger.Level.WARNING, "CORELET AOT cache " + file + " not made: " + reason
                    + "; workers start without it until the next bus tries again");
        }
        notifyAll();
    }

    /** Deletes the files of a training and assembly that ended. */
    private void cleanUp() {
        for (Path path : new Path[] {configuration, trainerOutput, assemblyLog}) {
            deleteQuietly(path);
        }
        if (assemblyDir != null) {
            deleteDirectory(assemblyDir);
            assemblyDir = null;
        }
    }

    /** Deletes a directory of files (no subdirectories), as far as it can. */
    private static void deleteDirectory(Path dir) {
        try (var files = Files.list(dir)) {
            files.forEach(AotCache::deleteQuietly);
        } catch (IOException e) {
            QuietLog.log(LOG, System.Logger.Level.DEBUG, "Could not list " + dir, e);
        }
        deleteQuietly(dir);
    }

    /**
     * Waits until a cache being made is written, at most until the deadline: while the retired trainer writes its
     * configuration, or the assembly runs. A trainer that has not finished its first event is not waited for.
     *
     * @return true if nothing is being made any more
     */
    synchronized boolean awaitMade(long deadlineNanos) throws InterruptedException {
        while ((state == State.TRAINING && trainerRetired && trainer != null) || state == State.ASSEMBLING) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Stops making the cache: kills the assembly if it still runs and deletes its files (the executor kills the
     * trainer with the other workers). Also called by the executor's JVM shutdown hook. Idempotent.
     */
    synchronized void close() {
        closed = true;
        if (state == State.ASSEMBLING) {
            assembler.destroyForcibly();
            cleanUp();
        }
    }

    private static long sizeOf(Path path) {
        try {
            return path == null ? -1 : Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The end of a process's output file, for a warning. */
    private static String tail(Path output) {
        String text;
        try {
            text = Files.readString(output, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            text = "";
        }
        if (text.isEmpty()) {
            return "(none)";
        }
        return text.length() <= LOG_TAIL_CHARS ? text : "..." + text.substring(text.length() - LOG_TAIL_CHARS);
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            QuietLog.log(LOG, System.Logger.Level.DEBUG, "Could not delete " + path, e);
        }
    }
}
