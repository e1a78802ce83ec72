package dev.eventbus.cmd.internal;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes of one command: its root and every descendant seen so far. Descendants are recorded before any
 * signal, because once a parent dies its children are re-parented away and no longer show as descendants.
 * Thread-safe.
 */
final class ProcessTree {

    private final Child child;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    ProcessTree(Child child) {
        this.child = child;
    }

    /** Records the root's current descendants and those of every recorded process still alive. */
    void snapshot() {
        ProcessHandle root = child.handle();
        root.descendants().forEach(seen::add);
        for (ProcessHandle h : List.copyOf(seen)) {
            if (h.isAlive()) {
                h.descendants().forEach(seen::add);
            }
        }
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
