package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a command's {@link ProcessTree} records of its processes, on real processes. */
@Timeout(60)
class ProcessTreeTest {

    @TempDir
    Path dir;

    private final List<ProcessHandle> started = new ArrayList<>();
    private Child child;
    private ProcessTree tree;

    private void start(String... commandLine) {
        child = new JdkLauncher().start(CmdRequest.of(commandLine[0],
                List.of(commandLine).subList(1, commandLine.length).toArray(String[]::new)), "tree-test");
        tree = new ProcessTree(child, "tree-test");
    }

    @AfterEach
    void killEverything() throws Exception {
        if (tree != null) {
            started.addAll(tree.recorded());
            started.add(child.handle());
            tree.signal(true);
            child.release();
            Processes.assertAllEnd(started, Duration.ofSeconds(10));
        }
        Processes.assertNoChildLeft();
    }

    private static Path fifo(Path path) throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", path.toString()).start().waitFor());
        return path;
    }

    @Test
    void aSnapshotForgetsRecordedProcessesThatEnded() throws Exception {
        start("sh", "-c", "sleep 60; sleep 60; exit");
        Processes.await("the first sleep runs", () -> Processes.descendantsNamed("sleep").size() == 1);
        ProcessHandle first = Processes.descendantsNamed("sleep").getFirst();
        tree.snapshot();
        assertEquals(Set.of(first), tree.recorded());

        first.destroyForcibly();
        Processes.await("the shell reaped the first sleep and started the second", () -> !first.isAlive()
                && Processes.descendantsNamed("sleep").size() == 1);
        ProcessHandle second = Processes.descendantsNamed("sleep").getFirst();
        tree.snapshot();

        assertEquals(Set.of(second), tree.recorded(), "the ended sleep is no longer recorded");
    }

    @Test
    void aSnapshotFindsWhatARecordedProcessStartsAfterItsParentEnded() throws Exception {
        // root runs a.sh and then sleeps; a.sh starts m.sh and exits when told; m.sh, re-parented away from the root,
        // then starts a sleep when told: only the walk from the recorded m.sh can find that sleep.
        Path a = fifo(dir.resolve("a"));
        Path m = fifo(dir.resolve("m"));
        Files.writeString(dir.resolve("a.sh"), "sh \"$1/m.sh\" \"$1\" & read x < \"$1/a\"\n");
        Files.writeString(dir.resolve("m.sh"), "read y < \"$1/m\"; sleep 60 & wait\n");
        start("sh", "-c", "sh \"$0/a.sh\" \"$0\"; sleep 60; exit", dir.toString());
        ProcessHandle root = child.handle();
        Processes.await("a.sh and m.sh run", () -> root.descendants().count() == 2);
        tree.snapshot();
        Set<ProcessHandle> both = tree.recorded();
        assertEquals(2, both.size(), both::toString);
        ProcessHandle shA = both.stream().filter(h -> h.parent().filter(root::equals).isPresent()).findFirst()
                .orElseThrow();
        ProcessHandle shM = both.stream().filter(h -> !h.equals(shA)).findFirst().orElseThrow();

        Files.writeString(a, "end\n");
        Processes.await("a.sh ended and the root sleeps", () -> !shA.isAlive()
                && Processes.descendantsNamed("sleep").size() == 1);
        ProcessHandle rootSleep = Processes.descendantsNamed("sleep").getFirst();
        assertFalse(shM.parent().filter(root::equals).isPresent(), "m.sh is re-parented away from the root");
        Files.writeString(m, "go\n");
        Processes.await("m.sh started its sleep", () -> shM.children().count() == 1);
        ProcessHandle orphanSleep = shM.children().findFirst().orElseThrow();
        started.add(orphanSleep);
        tree.snapshot();

        assertEquals(Set.of(shM, orphanSleep, rootSleep), tree.recorded());
        assertTrue(tree.descendantsAlive());
    }
}
