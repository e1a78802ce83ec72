package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdRequest;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Run by {@link JdkLauncherTest} in a JVM with a small heap: starts {@code sleep 60} with {@link JdkLauncher} and an
 * input that leaves too little heap for one more copy of it, then prints what the start threw and which child
 * processes it left, and ends them.
 */
public final class HugeStdinMain {

    private HugeStdinMain() {
    }

    /**
     * Runs the check.
     *
     * @param args the input's size and the size of the ballast kept beside it, in MiB
     */
    public static void main(String[] args) {
        int mib = 1024 * 1024;
        CmdRequest request = new CmdRequest("sleep", List.of("60"), null, Map.of(), Set.of(), true,
                new byte[Integer.parseInt(args[0]) * mib], null, null, null, 0);
        byte[] ballast = new byte[Integer.parseInt(args[1]) * mib];
        try {
            Child child = new JdkLauncher().start(request, "huge-stdin-test");
            System.out.println("started " + child.handle().pid());
        } catch (OutOfMemoryError e) {
            System.out.println("OutOfMemoryError");
        }
        List<ProcessHandle> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        System.out.println("children left: " + children.stream().map(ProcessHandle::pid).toList());
        children.forEach(ProcessHandle::destroyForcibly);
        System.out.println("ballast " + ballast.length / mib);
    }
}
