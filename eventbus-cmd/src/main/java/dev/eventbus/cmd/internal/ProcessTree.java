package dev.eventbus.cmd.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The processes of one command: its root and every descendant seen so far. Descendants are recorded before any
 * signal, because once a parent dies its children are re-parented away and no longer show as descendants.
 *
 * <p>Three nets catch them: the process group (when the launcher gave the command its own), snapshots of the
 * descendants taken while the command runs, and, on Linux, a marker variable in the command's environment that its
 * processes inherit: {@code /proc/<pid>/environ} finds even those re-parented before any snapshot. A scan costs a
 * few milliseconds, so it runs when a command is stopped, and after exits in batches on the executor's reaper thread,
 * off the path that returns results.
 *
 * <p>Thread-safe.
 */
final class ProcessTree {

    /** The environment variable that marks a command's processes. */
    static final String MARKER = "EVENTBUS_CMD_RUN";

    private static final Path PROC = Path.of("/proc");
    private static final boolean CAN_SCAN = Files.isReadable(PROC.resolve("self").resolve("environ"));

    private final Child child;
    private static final byte[] PREFIX = (MARKER + "=").getBytes(StandardCharsets.UTF_8);

    private final String marker;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    ProcessTree(Child child, String marker) {
        this.child = child;
        this.marker = marker;
    }

    /**
     * Records the root's current descendants and those of every recorded process still alive (re-parented away from
     * the root, they may still start children), and forgets recorded processes that are gone: a command that keeps
     * starting short-lived children would otherwise make every later snapshot and signal walk all it ever started.
     * Takes one listing of the processes however many are recorded, where a walk per process would scan them all
     * each time.
     */
    void snapshot() {
        // Gone for good: isAlive compares the start time, so a process that reused the pid is not taken for it.
        seen.removeIf(h -> !h.isAlive());
        Deque<ProcessHandle> todo = new ArrayDeque<>(seen);
        todo.addFirst(child.handle());
        Set<Long> known = new HashSet<>();
        todo.forEach(h -> known.add(h.pid()));
        Map<Long, List<Long>> childrenByParent = childrenByParent();
        while (!todo.isEmpty()) {
            ProcessHandle parent = todo.poll();
            for (long pid : childrenByParent.getOrDefault(parent.pid(), List.of())) {
                if (!known.add(pid)) {
                    continue;
                }
                // The listing links pids only: the parent check compares start times too, so that neither a parent's
                // pid reused since nor a child's is taken for ours.
                ProcessHandle h = ProcessHandle.of(pid).orElse(null);
                if (h != null && h.parent().filter(parent::equals).isPresent()) {
                    seen.add(h);
                    todo.add(h);
                }
            }
        }
    }

    /** Lists every process's children by pid, in one pass: over {@code /proc} where it exists, else the JDK's. */
    private static Map<Long, List<Long>> childrenByParent() {
        Map<Long, List<Long>> children = new HashMap<>();
        if (CAN_SCAN) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                        long parent = parentOf(entry);
                        if (parent > 0) {
                            children.computeIfAbsent(parent, k -> new ArrayList<>()).add(Long.parseLong(name));
                        }
                    }
                }
                return children;
            } catch (IOException | RuntimeException e) {
                children.clear(); // /proc is not what we expect: ask the JDK
            }
        }
        ProcessHandle.allProcesses().forEach(h -> h.parent().ifPresent(
                p -> children.computeIfAbsent(p.pid(), k -> new ArrayList<>()).add(h.pid())));
        return children;
    }

    /** Returns the parent pid in {@code /proc/<pid>/stat}, or -1 if the process is gone or the file unreadable. */
    private static long parentOf(Path proc) {
        String stat;
        try {
            stat = new String(Files.readAllBytes(proc.resolve("stat")), StandardCharsets.ISO_8859_1);
        } catch (IOException | SecurityException e) {
            return -1;
        }
        // "pid (comm) S ppid ...": the fields follow the last ')', as comm may hold one.
        int start = stat.lastIndexOf(')') + 4;
        int end = start;
        while (end < stat.length() && Character.isDigit(stat.charAt(end))) {
            end++;
        }
        return start >= 4 && end > start ? Long.parseLong(stat.substring(start, end)) : -1;
    }

    /**
     * Returns the processes recorded so far, for tests.
     *
     * @return a copy
     */
    Set<ProcessHandle> recorded() {
        return Set.copyOf(seen);
    }

    /**
     * Records the processes carrying this command's marker, wherever they are now in the process tree (Linux only).
     *
     * @return true if a live process was found
     */
    boolean scanMarked() {
        return !scanMarked(Map.of(marker, this)).isEmpty();
    }

    /**
     * Records, for many commands at once, the live processes carrying their markers (Linux only): one pass over
     * {@code /proc}, however many commands.
     *
     * @param trees the commands' trees by marker
     * @return the trees that have a live marked process
     */
    static Set<ProcessTree> scanMarked(Map<String, ProcessTree> trees) {
        Set<ProcessTree> found = new java.util.HashSet<>();
        if (!CAN_SCAN || trees.isEmpty()) {
            return found;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0)) || Long.parseLong(name) == self) {
                    continue;
                }
                ProcessTree tree = trees.get(markerOf(entry));
                if (tree != null) {
                    ProcessHandle h = ProcessHandle.of(Long.parseLong(name)).orElse(null);
                    if (h != null && h.isAlive()) {
                        tree.seen.add(h);
                        found.add(tree);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changed under us or is not what we expect: the other nets still apply.
        }
        return found;
    }

    /** Returns the value of the marker variable in a process's environment, or "" if it has none or is gone. */
    private static String markerOf(Path proc) {
        byte[] env;
        try {
            env = Files.readAllBytes(proc.resolve("environ"));
        } catch (IOException | SecurityException e) {
            return ""; // another user's process, or gone
        }
        // NUL-terminated NAME=value entries.
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start > PREFIX.length && regionMatches(env, start, PREFIX)) {
                    return new String(env, start + PREFIX.length, i - start - PREFIX.length,
                            StandardCharsets.UTF_8);
                }
                start = i + 1;
            }
        }
        return "";
    }

    private static boolean regionMatches(byte[] hay, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (hay[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns this command's marker value.
     *
     * @return the marker
     */
    String marker() {
        return marker;
    }

    /**
     * Signals the whole tree: records descendants first, then signals the process group (when the launcher made
     * one), every recorded descendant and the root. Does not wait.
     *
     * @param force SIGKILL if true, SIGTERM otherwise
     */
    void signal(boolean force) {
        ProcessHandle root = child.handle();
        if (root.isAlive()) {
            snapshot();
        }
        scanMarked();
        child.signalGroup(force ? Child.SIGKILL : Child.SIGTERM);
        for (ProcessHandle h : List.copyOf(seen)) {
            destroy(h, force);
        }
        destroy(root, force);
    }

    /**
     * Tells whether a recorded descendant (or a member of the command's process group) is alive.
     *
     * @return true if something besides the root is still running
     */
    boolean descendantsAlive() {
        return seen.stream().anyMatch(ProcessHandle::isAlive) || child.signalGroup(Child.PROBE);
    }

    /**
     * Tells whether anything of the tree is alive, root included.
     *
     * @return true while something runs
     */
    boolean anyAlive() {
        return child.handle().isAlive() || descendantsAlive();
    }

    /**
     * Waits until no process of the tree runs code any more, at most until the deadline. A zombie (exited, waiting
     * for its parent to reap it) counts as ended: it holds no resources but its table entry, and its reaping is its
     * parent's business (ours for the root, through the launcher).
     *
     * @param deadline the {@link System#nanoTime()} at which to give up
     * @return true if everything ended in time
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    boolean awaitEnded(long deadline) throws InterruptedException {
        // Polls: descendants are not our children, so nothing tells us when they exit, and onExit() on the root
        // would have the JDK reap it behind the launcher's back.
        long pauseMillis = 1;
        while (anyRunning()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(pauseMillis, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
        return true;
    }

    private boolean anyRunning() {
        return running(child.handle()) || seen.stream().anyMatch(ProcessTree::running);
    }

    /**
     * Tells whether a process still runs: alive and, where {@code /proc} tells, neither a zombie nor dead.
     *
     * @param h the process
     * @return true while it can still execute
     */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        if (!CAN_SCAN) {
            return true;
        }
        try {
            // "pid (comm) S ...": the state follows the last ')', as comm may hold one.
            String stat = Files.readString(PROC.resolve(Long.toString(h.pid())).resolve("stat"));
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : 'R';
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return h.isAlive(); // gone meanwhile, or unreadable: trust the handle
        }
    }

    private static void destroy(ProcessHandle h, boolean force) {
        if (h.isAlive()) {
            if (force) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
    }
}
