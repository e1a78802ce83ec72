package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts commands with {@link ProcessBuilder}: portable, and the fallback when {@link SpawnLauncher} is not available.
 * Thread-safe.
 */
final class JdkLauncher implements Launcher {

    @Override
    public Child start(CmdRequest request, String marker) {
        ProcessBuilder builder = new ProcessBuilder(request.commandLine());
        if (request.cwd() != null) {
            builder.directory(request.cwd().toFile());
        }
        Map<String, String> env = builder.environment();
        if (!request.inheritEnv()) {
            env.clear();
        }
        request.unsetEnv().forEach(env::remove);
        env.putAll(request.env());
        if (request.inheritEnv()) {
            env.put(ProcessTree.MARKER, marker);
        }
        if (request.stdinFile() != null) {
            builder.redirectInput(request.stdinFile().toFile());
        }
        if (request.stdoutFile() != null) {
            builder.redirectOutput(request.stdoutFile().toFile());
        }
        if (request.stderrFile() != null) {
            if (Redirects.sameFile(request.stdoutFile(), request.stderrFile())) {
                builder.redirectErrorStream(true);
            } else {
                builder.redirectError(request.stderrFile().toFile());
            }
        }
        // Asked before the start: the accessor copies the bytes, and a copy of a large input that does not fit must
        // fail the launch, not leave a started command behind.
        boolean feedsStdin = request.stdin() != null;
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new CmdLaunchException("Cannot run '" + request.executable() + "': " + Redirects.reason(e, request), e);
        }
        try {
            OutputStream stdin = process.getOutputStream();
            if (!feedsStdin) {
                // stdin is a pipe (or the file): with no bytes to send, the command reads end-of-file at once.
                Redirects.closeQuietly(stdin);
                stdin = null;
            }
            return new ProcessChild(process, request.stdinFile() == null ? stdin : null,
                    request.stdoutFile() == null ? process.getInputStream() : null,
                    request.stderrFile() == null ? process.getErrorStream() : null,
                    process.onExit().thenApply(Process::exitValue));
        } catch (Throwable t) {
            // Started but not handed over, so nobody would track, time out or kill it: any throwable, an Error too
            // (as in SpawnLauncher).
            process.destroyForcibly();
            throw t;
        }
    }

    @Override
    public String name() {
        return "ProcessBuilder";
    }

    /**
     * A started process. {@code exit} is derived from {@link Process#onExit()} once: each poll of a long command asks
     * for it, and a stage made per call would stay attached to the JDK's exit future until the process exits.
     */
    private record ProcessChild(Process process, OutputStream stdin, InputStream stdout, InputStream stderr,
            CompletableFuture<Integer> exit) implements Child {

        @Override
        public ProcessHandle handle() {
            return process.toHandle();
        }

        @Override
        public CompletableFuture<Integer> exitCode() {
            return exit;
        }

        @Override
        public boolean grouped() {
            return false;
        }

        @Override
        public boolean signalGroup(int signal) {
            return false;
        }
    }
}
