package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;

/**
 * Starts commands. Two implementations: {@link JdkLauncher} ({@link ProcessBuilder}) and, on Linux with native
 * access granted, {@link SpawnLauncher} ({@code posix_spawn} through the FFM API). Thread-safe.
 */
interface Launcher {

    /**
     * Starts a command described by a request whose paths were already checked. Standard streams that the request
     * does not send to files are pipes, exposed by the returned child.
     *
     * @param request the command
     * @return the running command
     * @throws CmdLaunchException if it cannot start, naming the executable or path
     */
    Child start(CmdRequest request);

    /**
     * Returns a short name for logs and benchmarks.
     *
     * @return the name
     */
    String name();
}
