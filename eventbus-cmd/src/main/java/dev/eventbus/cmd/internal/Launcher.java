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
     * @param marker a variable added to the command's environment (unless the request clears the environment), so
     *     that its processes can be found after they left its tree; see {@link ProcessTree}
     * @return the running command
     * @throws CmdLaunchException if it cannot start, naming the executable or path
     */
    Child start(CmdRequest request, String marker);

    /**
     * Returns a short name for logs and benchmarks.
     *
     * @return the name
     */
    String name();
}
