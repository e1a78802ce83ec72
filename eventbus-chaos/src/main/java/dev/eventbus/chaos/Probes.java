package dev.eventbus.chaos;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Looks at what this process holds: bus threads, worker JVMs, other child processes, file descriptors, heap. */
final class Probes {

    static final String WORKER_MAIN = "CoreletWorkerMain";
    /**
     * How the paths of the CORELET pools' private directories (their workers' FIFOs) begin, as {@code /proc/self/fd}
     * shows them: {@code java.io.tmpdir/eventbus-corelet-}. Not just the name: the class path may hold
     * {@code eventbus-corelet/target/eventbus-corelet-*.jar}.
     */
    static final String CORELET_DIRECTORY = coreletDirectoryPrefix();

    private Probes() {
    }

    private static String coreletDirectoryPrefix() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            tmp = tmp.toRealPath(); // the kernel names a descriptor's file by its real path
        } catch (IOException e) {
            tmp = tmp.toAbsolutePath();
        }
        return tmp.resolve("eventbus-corelet-").toString();
    }

    /** Live threads started by an EventBus (their names start with "eventbus-"). */
    static List<String> busThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("eventbus-"))
                .map(Thread::getName).sorted().toList();
    }

    /** Live descendants of this process that are CORELET worker JVMs. */
    static List<ProcessHandle> workerJvms() {
        try (Stream<ProcessHandle> all = ProcessHandle.current().descendants()) {
            return all.filter(ProcessHandle::isAlive).filter(Probes::isWorker).toList();
        }
    }

    /** Live descendants of this process that are not CORELET worker JVMs (commands and their children). */
    static List<ProcessHandle> otherChildren() {
        try (Stream<ProcessHandle> all = ProcessHandle.current().descendants()) {
            return all.filter(ProcessHandle::isAlive).filter(p -> !isWorker(p)).toList();
        }
    }

    static boolean isWorker(ProcessHandle p) {
        ProcessHandle.Info info = p.info();
        String line = info.commandLine().orElse("") + " " + String.join(" ", info.arguments().orElse(new String[0]));
        return line.contains(WORKER_MAIN);
    }

    static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse(p.info().command().orElse("?"));
    }

    /** Open file descriptors of this process, or -1 where /proc is missing. */
    static int openFds() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return (int) list.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Where this process's open descriptors point ("pipe:[…]", a path, "anon_inode:[pidfd]"), sorted; empty if unknown. */
    static List<String> openFdTargets() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+\\]$", "[]");
                } catch (IOException e) {
                    return "?"; // closed since it was listed (the listing's own descriptor, say)
                }
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Those of the given descriptor targets that are in a CORELET pool's private directory: its workers' FIFOs. */
    static List<String> workerFifos(List<String> targets) {
        return targets.stream().filter(t -> t.startsWith(CORELET_DIRECTORY)).toList();
    }

    /** Heap in use right after a full collection. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
