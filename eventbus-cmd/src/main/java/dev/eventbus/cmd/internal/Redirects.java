package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a request's paths before a launch, so that a failure names the path and the reason instead of an errno
 * shared by several causes. Stateless.
 */
final class Redirects {

    private Redirects() {
    }

    /**
     * Checks the working directory, the executable (when given as a path) and the stdin and output files.
     *
     * @param request the request
     * @throws CmdLaunchException naming the first path that cannot work
     */
    static void check(CmdRequest request) {
        Path cwd = request.cwd();
        if (cwd != null && !Files.isDirectory(cwd)) {
            throw new CmdLaunchException("Cannot run '" + request.executable() + "': working directory "
                    + (Files.exists(cwd) ? "is not a directory: " : "does not exist: ") + cwd.toAbsolutePath(), null);
        }
        String exe = request.executable();
        if (exe.indexOf('/') >= 0) {
            Path path = exe.startsWith("/") || cwd == null ? Path.of(exe) : cwd.resolve(exe);
            if (!Files.exists(path)) {
                throw new CmdLaunchException("Cannot run '" + exe + "': executable does not exist: "
                        + path.toAbsolutePath(), null);
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw new CmdLaunchException("Cannot run '" + exe + "': not an executable file: "
                        + path.toAbsolutePath(), null);
            }
        }
        checkInput(exe, request.stdinFile());
        checkOutput(exe, "stdout", request.stdoutFile());
        checkOutput(exe, "stderr", request.stderrFile());
    }

    /**
     * Accepts any existing, readable file that is not a directory: a regular file, but also {@code /dev/null}, a
     * FIFO or another device, which the command reads as the launcher opens it.
     */
    private static void checkInput(String exe, Path file) {
        if (file == null) {
            return;
        }
        String problem;
        if (!Files.exists(file)) {
            problem = "does not exist: ";
        } else if (Files.isDirectory(file)) {
            problem = "is a directory: ";
        } else if (!Files.isReadable(file)) {
            problem = "is not readable: ";
        } else {
            return;
        }
        throw new CmdLaunchException("Cannot run '" + exe + "': stdin file " + problem + file.toAbsolutePath(), null);
    }

    private static void checkOutput(String exe, String stream, Path file) {
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file) || parent == null || !Files.isDirectory(parent)) {
            throw new CmdLaunchException("Cannot run '" + exe + "': " + stream + " file cannot be created: "
                    + file.toAbsolutePath() + (Files.isDirectory(file) ? " is a directory"
                    : " (its directory does not exist)"), null);
        }
    }

    /**
     * Tells whether stdout and stderr go to the same file, which then receives both streams through one descriptor.
     *
     * @param out the stdout file, or null
     * @param err the stderr file, or null
     * @return true if both are set and name the same file
     */
    static boolean sameFile(Path out, Path err) {
        return out != null && err != null
                && out.toAbsolutePath().normalize().equals(err.toAbsolutePath().normalize());
    }

    /**
     * Turns a launch failure from the JDK into words: "error=2, No such file or directory" becomes "not found".
     *
     * @param e the failure
     * @return the reason
     */
    static String reason(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("error=2,") || message.contains("error: 2 ")) {
            return "executable not found (not a file, and not on the PATH)";
        }
        if (message.contains("error=13,") || message.contains("error: 13 ")) {
            return "permission denied (the executable, or a directory on the way, is not accessible)";
        }
        int detail = message.indexOf("error=");
        return detail >= 0 ? message.substring(detail) : message;
    }

    /**
     * Closes, ignoring failures: for pipes the command may already have closed.
     *
     * @param closeable what to close, or null
     */
    static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // A pipe whose other end is gone: nothing left to release.
        }
    }
}
