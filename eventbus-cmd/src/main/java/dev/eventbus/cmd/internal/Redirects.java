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

    /** The errno of a missing file. */
    static final int ENOENT = 2;
    /** glibc's search path when PATH is unset. */
    private static final String DEFAULT_PATH = "/bin:/usr/bin";

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
        // Its directory exists, yet the file may still not open: no write permission, a read-only file system, a
        // link into a directory that does not exist. posix_spawn would report that errno as the executable's, so
        // open it here (as the launch will, which creates it anyway). Not a FIFO or device: opening one for writing
        // can wait for a reader, and the command's own open does that.
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            return;
        }
        try {
            java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE).close();
        } catch (IOException e) {
            throw new CmdLaunchException("Cannot run '" + exe + "': " + stream + " file cannot be created: "
                    + file.toAbsolutePath() + " (" + why(e) + ")", e);
        }
    }

    /** Says why a file could not be opened, without repeating its path as the exception's message does. */
    private static String why(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file or directory";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> String.valueOf(e.getMessage());
        };
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
     * Turns a launch failure from the JDK into words: "error=2, No such file or directory" (or "error: 2 (...)")
     * becomes the same reason {@link #describe(int)} gives the {@code posix_spawn} launcher for that errno.
     *
     * @param e the failure
     * @return the reason
     */
    static String reason(IOException e) {
        String message = String.valueOf(e.getMessage());
        int errno = errno(message);
        if (errno > 0) {
            String known = describe(errno);
            if (known != null) {
                return known;
            }
        }
        int detail = message.indexOf("error=");
        return detail >= 0 ? message.substring(detail) : message;
    }

    /**
     * As {@link #reason(IOException)}, for the launch of a request: a failure with ENOENT although the executable is
     * there says what is missing instead (see {@link #missingFileReason(CmdRequest)}).
     *
     * @param e the failure
     * @param request the request that failed to start
     * @return the reason
     */
    static String reason(IOException e, CmdRequest request) {
        String missing = errno(String.valueOf(e.getMessage())) == ENOENT ? missingFileReason(request) : null;
        return missing != null ? missing : reason(e);
    }

    /**
     * Says why a launch failed with ENOENT although the executable is there: the kernel gives that errno too when the
     * interpreter named by a script's {@code #!} line is missing (a script saved with Windows line endings names
     * {@code /bin/sh\r}), or a binary's dynamic loader is, where {@link #describe(int)} would say that the executable
     * was not found.
     *
     * @param request the request that failed to start with ENOENT
     * @return the reason, or null if the executable is indeed missing
     */
    static String missingFileReason(CmdRequest request) {
        String exe = request.executable();
        Path cwd = request.cwd();
        Path file = exe.indexOf('/') >= 0 ? (exe.startsWith("/") || cwd == null ? Path.of(exe) : cwd.resolve(exe))
                : onPath(exe, cwd, System.getenv("PATH"));
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        byte[] head = new byte[256];
        int n;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException | RuntimeException e) {
            n = 0;
        }
        if (n > 2 && head[0] == '#' && head[1] == '!') {
            // As the kernel reads the line: blanks, then the interpreter up to a blank or the end of the line. A
            // carriage return is part of the name.
            int start = 2;
            while (start < n && (head[start] == ' ' || head[start] == '\t')) {
                start++;
            }
            int end = start;
            while (end < n && head[end] != ' ' && head[end] != '\t' && head[end] != '\n' && head[end] != 0) {
                end++;
            }
            String interpreter = new String(head, start, end - start, java.nio.charset.StandardCharsets.UTF_8);
            boolean missing;
            try {
                missing = !interpreter.isEmpty()
                        && !Files.exists((cwd != null ? cwd : Path.of("")).resolve(interpreter));
            } catch (RuntimeException e) {
                missing = true; // not even a valid path
            }
            if (missing) {
                return "interpreter not found: its #! line names " + interpreter.replace("\r", "\\r")
                        + ", which does not exist" + (interpreter.endsWith("\r") ? " (the line ends in a carriage"
                        + " return: the script has Windows line endings)" : "");
            }
        }
        return "a file it needs was not found, though the executable is there: " + file.toAbsolutePath()
                + " (a #! interpreter, or the dynamic loader of a binary)";
    }

    /**
     * Finds an executable name as {@code execvp} does: the first executable regular file of that name in a directory
     * of {@code path}, relative directories taken in the command's working directory.
     *
     * @param name the name, without a {@code /}
     * @param cwd the command's working directory, or null for the JVM's
     * @param path the {@code PATH} searched, or null for glibc's default
     * @return the file, or null if there is none
     */
    static Path onPath(String name, Path cwd, String path) {
        Path base = (cwd != null ? cwd : Path.of("")).toAbsolutePath();
        for (String dir : (path != null ? path : DEFAULT_PATH).split(":", -1)) {
            Path candidate = base.resolve(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Reads the errno in a JDK launch failure ("error=7, ..." or "error: 7 ..."), or returns -1. */
    private static int errno(String message) {
        for (String tag : new String[] {"error=", "error: "}) {
            int at = message.indexOf(tag);
            if (at >= 0) {
                int start = at + tag.length();
                int end = start;
                while (end < message.length() && Character.isDigit(message.charAt(end))) {
                    end++;
                }
                if (end > start && end - start < 6) {
                    return Integer.parseInt(message.substring(start, end));
                }
            }
        }
        return -1;
    }

    /**
     * Says in words why a launch failed with an errno (Linux numbers, the same on x86-64 and AArch64), with its
     * symbolic name so it can be looked up. Both launchers use it, so a failure reads the same whichever started the
     * command.
     *
     * @param errno the error number
     * @return the reason, or null for an errno without one here
     */
    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted (EPERM)";
            case 2 -> "executable not found (not a file, and not on the PATH)";
            case 5 -> "input/output error while loading the executable (EIO)";
            case 7 -> "argument list too long (E2BIG: the arguments and environment exceed the system's limit,"
                    + " or one of them exceeds 128 KiB)";
            case 8 -> "not an executable format (ENOEXEC)";
            case 11 -> "resource temporarily unavailable (EAGAIN: too many processes for this user, or too little"
                    + " memory for a new one)";
            case 12 -> "out of memory (ENOMEM: no memory for the new process)";
            case 13 -> "permission denied (the executable, or a directory on the way, is not accessible)";
            case 20 -> "not a directory (ENOTDIR: a component of the executable's or the working directory's path"
                    + " is not a directory)";
            case 21 -> "is a directory (EISDIR)";
            case 22 -> "invalid argument (EINVAL)";
            case 23 -> "too many open files in the system (ENFILE)";
            case 24 -> "too many open files in this process (EMFILE)";
            case 26 -> "text file busy (ETXTBSY: the executable is open for writing)";
            case 30 -> "read-only file system (EROFS: an output file cannot be written)";
            case 36 -> "file name too long (ENAMETOOLONG: the path of the executable, or a component of it, is too"
                    + " long)";
            case 40 -> "too many levels of symbolic links (ELOOP: the path of the executable loops)";
            default -> null;
        };
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
