package dev.eventbus.cmd.internal;

import dev.eventbus.cmd.CmdLaunchException;
import dev.eventbus.cmd.CmdRequest;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Starts commands with glibc's {@code posix_spawnp} through the FFM API: one {@code clone(CLONE_VM|CLONE_VFORK)} and
 * one {@code exec}, where {@link ProcessBuilder} execs a helper ({@code jspawnhelper}) first. Each command gets a
 * process group of its own ({@code POSIX_SPAWN_SETPGROUP}), so {@code kill(-pgid)} reaches every process it
 * started, even those re-parented away. An executable file the kernel cannot run ({@code ENOEXEC}: a script without
 * a {@code #!} line) is run again through {@code /bin/sh}, as {@link ProcessBuilder} and {@code execvp} do.
 *
 * <p>Linux (glibc 2.34 or later, x86-64 or AArch64) only, and only when native access is enabled for this module
 * ({@code --enable-native-access=dev.eventbus.cmd}, or {@code ALL-UNNAMED} on the class path): otherwise
 * {@link #available()} is false and {@link Launchers} falls back to {@link JdkLauncher}, silently, so no JVM warning is
 * ever printed. The parent ends of the output pipes are opened as Java streams through {@code /proc/self/fd}; the
 * parent end of the stdin pipe is written without blocking ({@link StdinPipe}).
 *
 * <p>Thread-safe: each launch uses its own native memory.
 */
final class SpawnLauncher implements Launcher {

    private static final int POSIX_SPAWN_SETPGROUP = 0x02;
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int O_CLOEXEC = 02000000;
    private static final int ENOEXEC = 8;
    /** The shell that runs a script without a "#!" line, as ProcessBuilder and execvp use. */
    private static final String SHELL = "/bin/sh";
    private static final int ESRCH = 3;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int EPIPE = 32;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 04000;
    /** Where a downcall saves errno, and how to read it. */
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Larger than glibc's posix_spawnattr_t (336 bytes), posix_spawn_file_actions_t (80) and sigset_t (128). */
    private static final long OPAQUE = 1024;

    private static final Native NATIVE = Native.load();
    private static final System.Logger LOG = System.getLogger("dev.eventbus.cmd");

    private final JdkLauncher fallback = new JdkLauncher();
    private volatile boolean fallbackLogged;

    /**
     * Tells whether this launcher can run here: Linux with glibc's spawn extensions, and native access granted.
     *
     * @return true if {@link #start(CmdRequest, String)} can be used
     */
    static boolean available() {
        return NATIVE != null;
    }

    /**
     * Explains why the launcher is not available, for logs.
     *
     * @return the reason, or "available"
     */
    static String unavailableReason() {
        return Native.reason;
    }

    @Override
    public String name() {
        return "posix_spawn";
    }

    /**
     * Finds the file {@code posix_spawnp} tried to run: the executable as given when it holds a {@code /} (the child
     * resolves a relative one in its working directory), else the first executable file of that name in a directory
     * of {@code PATH}, as the search skips those it cannot run. Relative directories on {@code PATH} are taken in the
     * command's working directory, as the child searches them after changing to it.
     *
     * @param executable the request's executable
     * @param cwd the command's working directory, or null for the JVM's
     * @param path the JVM's {@code PATH} (the one the search used), or null for glibc's default
     * @return the path to run through {@code /bin/sh}, or null if there is none
     */
    static String scriptPath(String executable, Path cwd, String path) {
        if (executable.indexOf('/') >= 0) {
            return executable;
        }
        Path found = Redirects.onPath(executable, cwd, path);
        return found == null ? null : found.toString();
    }

    @Override
    public Child start(CmdRequest request, String marker) {
        if (NATIVE == null) {
            throw new IllegalStateException("posix_spawn launcher not available: " + Native.reason);
        }
        try {
            return NATIVE.spawn(request, marker);
        } catch (CmdLaunchException | KilledAfterStart e) {
            // KilledAfterStart: the command may have begun, so it is not run again here; the attempt fails.
            throw e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            // A native step failed before the command could run (nothing is left behind): ProcessBuilder can still
            // start it. Said once, since it would say the same for every command.
            if (!fallbackLogged) {
                fallbackLogged = true;
                LOG.log(Level.WARNING, "posix_spawn failed (" + t + "); starting this command with ProcessBuilder."
                        + " Set -D" + Launchers.PROPERTY + "=jdk to always use it.", t);
            }
            return fallback.start(request, marker);
        }
    }

    /** The command started but could not be tracked, and was killed: the attempt fails (and may be retried). */
    private static final class KilledAfterStart extends IllegalStateException {

        @java.io.Serial
        private static final long serialVersionUID = 1L;

        KilledAfterStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bound libc functions. */
    private static final class Native {

        static String reason = "available";

        private final MethodHandle spawnp;
        private final MethodHandle faInit;
        private final MethodHandle faDestroy;
        private final MethodHandle faAddDup2;
        private final MethodHandle faAddOpen;
        private final MethodHandle faAddChdir;
        private final MethodHandle faAddCloseFrom;
        private final MethodHandle attrInit;
        private final MethodHandle attrDestroy;
        private final MethodHandle attrSetFlags;
        private final MethodHandle attrSetPgroup;
        private final MethodHandle attrSetSigMask;
        private final MethodHandle attrSetSigDefault;
        private final MethodHandle sigEmptySet;
        private final MethodHandle sigFillSet;
        private final MethodHandle pipe2;
        private final MethodHandle close;
        private final MethodHandle kill;
        private final MethodHandle waitpid;
        /** pidfd_open(2), glibc 2.36 and Linux 5.3 or later; null without it (waits then go through the JDK). */
        private final MethodHandle pidfdOpen;
        private final MethodHandle poll;
        private final MethodHandle fcntl;
        private final MethodHandle write;

        private Native(Linker linker, SymbolLookup libc) {
            spawnp = bind(linker, libc, "posix_spawnp", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
            faInit = bind(linker, libc, "posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
            faDestroy = bind(linker, libc, "posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
            faAddDup2 = bind(linker, libc, "posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
            faAddOpen = bind(linker, libc, "posix_spawn_file_actions_addopen", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS,
                    JAVA_INT, JAVA_INT);
            faAddChdir = bind(linker, libc, "posix_spawn_file_actions_addchdir_np", JAVA_INT, ADDRESS, ADDRESS);
            faAddCloseFrom = bind(linker, libc, "posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS,
                    JAVA_INT);
            attrInit = bind(linker, libc, "posix_spawnattr_init", JAVA_INT, ADDRESS);
            attrDestroy = bind(linker, libc, "posix_spawnattr_destroy", JAVA_INT, ADDRESS);
            attrSetFlags = bind(linker, libc, "posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
            attrSetPgroup = bind(linker, libc, "posix_spawnattr_setpgroup", JAVA_INT, ADDRESS, JAVA_INT);
            attrSetSigMask = bind(linker, libc, "posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
            attrSetSigDefault = bind(linker, libc, "posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);
            sigEmptySet = bind(linker, libc, "sigemptyset", JAVA_INT, ADDRESS);
            sigFillSet = bind(linker, libc, "sigfillset", JAVA_INT, ADDRESS);
            pipe2 = bind(linker, libc, "pipe2", JAVA_INT, ADDRESS, JAVA_INT);
            close = bind(linker, libc, "close", JAVA_INT, JAVA_INT);
            kill = bind(linker, libc, "kill", JAVA_INT, JAVA_INT, JAVA_INT);
            waitpid = bind(linker, libc, "waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
            pidfdOpen = libc.find("pidfd_open").isPresent()
                    ? bind(linker, libc, "pidfd_open", JAVA_INT, JAVA_INT, JAVA_INT) : null;
            poll = bindCapturingErrno(linker, libc, "poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
            fcntl = bindVariadic(linker, libc, "fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
            write = bindCapturingErrno(linker, libc, "write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
        }

        static Native load() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                reason = "not Linux";
                return null;
            }
            String arch = System.getProperty("os.arch", "");
            if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
                reason = "untested architecture " + arch;
                return null;
            }
            // Checked first: calling a restricted method without native access would print a JVM warning.
            if (!SpawnLauncher.class.getModule().isNativeAccessEnabled()) {
                Module module = SpawnLauncher.class.getModule();
                reason = "native access not enabled: add --enable-native-access="
                        + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
                return null;
            }
            if (!Boolean.TRUE.equals(ProcFd.WORKS)) {
                reason = "/proc/self/fd is not usable";
                return null;
            }
            try {
                Linker linker = Linker.nativeLinker();
                return new Native(linker, linker.defaultLookup());
            } catch (RuntimeException | LinkageError e) {
                reason = "libc lacks a function (glibc 2.34 or later is needed): " + e.getMessage();
                return null;
            }
        }

        // The one restricted call: reached only after load() checked isNativeAccessEnabled(), so it never warns.
        @SuppressWarnings("restricted")
        private static MethodHandle bind(Linker linker, SymbolLookup libc, String name, ValueLayout result,
                ValueLayout... args) {
            MemorySegment symbol = libc.find(name)
                    .orElseThrow(() -> new IllegalStateException("no symbol " + name));
            return linker.downcallHandle(symbol, FunctionDescriptor.of(result, args));
        }

        /** As {@link #bind}, the handle taking first a segment of {@link #CALL_STATE} where errno is saved. */
        @SuppressWarnings("restricted")
        private static MethodHandle bindCapturingErrno(Linker linker, SymbolLookup libc, String name,
                ValueLayout result, ValueLayout... args) {
            MemorySegment symbol = libc.find(name)
                    .orElseThrow(() -> new IllegalStateException("no symbol " + name));
            return linker.downcallHandle(symbol, FunctionDescriptor.of(result, args),
                    Linker.Option.captureCallState("errno"));
        }

        /** As {@link #bind}, for a function whose arguments from {@code firstVariadic} on are variadic. */
        @SuppressWarnings("restricted")
        private static MethodHandle bindVariadic(Linker linker, SymbolLookup libc, String name, int firstVariadic,
                ValueLayout result, ValueLayout... args) {
            MemorySegment symbol = libc.find(name)
                    .orElseThrow(() -> new IllegalStateException("no symbol " + name));
            return linker.downcallHandle(symbol, FunctionDescriptor.of(result, args),
                    Linker.Option.firstVariadicArg(firstVariadic));
        }

        Child spawn(CmdRequest request, String marker) throws Throwable {
            int[] stdinPipe = null;
            int[] stdoutPipe = null;
            int[] stderrPipe = null;
            boolean readEndsHandedOver = false;
            boolean stdinWriteEndHandedOver = false;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment actions = arena.allocate(OPAQUE, 16);
                MemorySegment attr = arena.allocate(OPAQUE, 16);
                check("posix_spawn_file_actions_init", (int) faInit.invokeExact(actions));
                try {
                    check("posix_spawnattr_init", (int) attrInit.invokeExact(attr));
                    try {
                        MemorySegment sigs = arena.allocate(OPAQUE, 16);
                        check("sigemptyset", (int) sigEmptySet.invokeExact(sigs));
                        check("posix_spawnattr_setsigmask", (int) attrSetSigMask.invokeExact(attr, sigs));
                        MemorySegment all = arena.allocate(OPAQUE, 16);
                        check("sigfillset", (int) sigFillSet.invokeExact(all));
                        check("posix_spawnattr_setsigdefault", (int) attrSetSigDefault.invokeExact(attr, all));
                        check("posix_spawnattr_setpgroup", (int) attrSetPgroup.invokeExact(attr, 0));
                        check("posix_spawnattr_setflags", (int) attrSetFlags.invokeExact(attr,
                                (short) (POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));

                        // stdin
                        if (request.stdinFile() != null) {
                            addOpen(arena, actions, 0, request.stdinFile().toAbsolutePath().toString(), O_RDONLY);
                        } else if (request.stdin() != null) {
                            stdinPipe = pipe(arena);
                            // Our end only (the command's is another open file): see StdinPipe.
                            int flags = (int) fcntl.invokeExact(stdinPipe[1], F_GETFL, 0);
                            if (flags < 0 || (int) fcntl.invokeExact(stdinPipe[1], F_SETFL, flags | O_NONBLOCK) != 0) {
                                throw new IOException("fcntl(O_NONBLOCK) failed on the stdin pipe");
                            }
                            check("adddup2", (int) faAddDup2.invokeExact(actions, stdinPipe[0], 0));
                        } else {
                            addOpen(arena, actions, 0, "/dev/null", O_RDONLY);
                        }
                        // stdout and stderr
                        int write = O_WRONLY | O_CREAT | O_TRUNC;
                        if (request.stdoutFile() != null) {
                            addOpen(arena, actions, 1, request.stdoutFile().toAbsolutePath().toString(), write);
                        } else {
                            stdoutPipe = pipe(arena);
                            check("adddup2", (int) faAddDup2.invokeExact(actions, stdoutPipe[1], 1));
                        }
                        if (request.stderrFile() != null) {
                            if (Redirects.sameFile(request.stdoutFile(), request.stderrFile())) {
                                check("adddup2", (int) faAddDup2.invokeExact(actions, 1, 2));
                            } else {
                                addOpen(arena, actions, 2, request.stderrFile().toAbsolutePath().toString(), write);
                            }
                        } else {
                            stderrPipe = pipe(arena);
                            check("adddup2", (int) faAddDup2.invokeExact(actions, stderrPipe[1], 2));
                        }
                        // Nothing of the JVM's leaks into the command, whatever its close-on-exec flags.
                        check("addclosefrom_np", (int) faAddCloseFrom.invokeExact(actions, 3));
                        if (request.cwd() != null) {
                            MemorySegment dir = arena.allocateFrom(request.cwd().toAbsolutePath().toString());
                            check("addchdir_np", (int) faAddChdir.invokeExact(actions, dir));
                        }

                        MemorySegment argv = strings(arena, request.commandLine());
                        MemorySegment envp = cStrings(arena, environment(request, marker));
                        MemorySegment file = arena.allocateFrom(request.executable());
                        MemorySegment pidOut = arena.allocate(JAVA_INT);
                        int error = (int) spawnp.invokeExact(pidOut, file, actions, attr, argv, envp);
                        String script = error == ENOEXEC ? scriptPath(request.executable(), request.cwd(),
                                System.getenv("PATH")) : null;
                        if (script != null) {
                            // A file the kernel cannot run: as execvp and ProcessBuilder do, run it as a shell script
                            // without a "#!" line (glibc's posix_spawnp stopped doing so in 2.15).
                            List<String> line = request.commandLine();
                            List<String> shell = new ArrayList<>(line.size() + 1);
                            shell.add(SHELL);
                            shell.add(script);
                            shell.addAll(line.subList(1, line.size()));
                            error = (int) spawnp.invokeExact(pidOut, arena.allocateFrom(SHELL), actions, attr,
                                    strings(arena, shell), envp);
                        }
                        if (error != 0) {
                            String missing = error == Redirects.ENOENT ? Redirects.missingFileReason(request) : null;
                            throw new CmdLaunchException("Cannot run '" + request.executable() + "': "
                                    + (missing != null ? missing : describe(error)), null);
                        }
                        int pid = pidOut.get(JAVA_INT, 0);
                        OutputStream in = null;
                        InputStream out = null;
                        InputStream err = null;
                        try {
                            if (stdinPipe != null) {
                                in = new StdinPipe(this, stdinPipe[1]);
                                stdinWriteEndHandedOver = true;
                            }
                            out = stdoutPipe == null ? null : new FileInputStream(ProcFd.reopen(stdoutPipe[0]));
                            err = stderrPipe == null ? null : new FileInputStream(ProcFd.reopen(stderrPipe[0]));
                            SpawnChild child = new SpawnChild(this, pid, in, out, err,
                                    stdoutPipe == null ? -1 : stdoutPipe[0], stderrPipe == null ? -1 : stderrPipe[0]);
                            readEndsHandedOver = true;
                            return child;
                        } catch (Throwable e) {
                            // Started but not tracked: it must not run on unseen. Any throwable, an Error too: one
                            // that escaped here left the command running, and start() then ran it a second time
                            // with ProcessBuilder (or, for a VirtualMachineError, left it untracked).
                            kill(-pid, Child.SIGKILL);
                            reap(pid);
                            Redirects.closeQuietly(in);
                            Redirects.closeQuietly(out);
                            Redirects.closeQuietly(err);
                            if (e instanceof VirtualMachineError vme) {
                                throw vme;
                            }
                            throw new KilledAfterStart("Started " + request.commandLine() + " as " + pid
                                    + " but could not open its pipes; killed it", e);
                        }
                    } finally {
                        int ignored = (int) attrDestroy.invokeExact(attr);
                    }
                } finally {
                    int ignored = (int) faDestroy.invokeExact(actions);
                }
            } finally {
                // The child has its copies (or never started): the parent keeps the reopened streams, the stdin
                // pipe's write end once its stream owns it, and the raw read ends of the output pipes once the child
                // owns them (it polls them).
                closeStdin(stdinPipe, stdinWriteEndHandedOver);
                closeWriteEnd(stdoutPipe, readEndsHandedOver);
                closeWriteEnd(stderrPipe, readEndsHandedOver);
            }
        }

        /** Closes a pipe's write end, and its read end too unless a child now owns it. */
        private void closeWriteEnd(int[] pipe, boolean readEndOwned) throws Throwable {
            if (pipe != null) {
                int b = (int) close.invokeExact(pipe[1]);
                if (!readEndOwned) {
                    int a = (int) close.invokeExact(pipe[0]);
                }
            }
        }

        /** Closes the stdin pipe's read end (the child has its copy), and its write end unless a stream owns it. */
        private void closeStdin(int[] pipe, boolean writeEndOwned) throws Throwable {
            if (pipe != null) {
                int a = (int) close.invokeExact(pipe[0]);
                if (!writeEndOwned) {
                    int b = (int) close.invokeExact(pipe[1]);
                }
            }
        }

        private void addOpen(Arena arena, MemorySegment actions, int fd, String path, int flags) throws Throwable {
            check("addopen", (int) faAddOpen.invokeExact(actions, fd, arena.allocateFrom(path), flags, 0666));
        }

        private int[] pipe(Arena arena) throws Throwable {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) pipe2.invokeExact(fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2 failed");
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }

        private static MemorySegment cStrings(Arena arena, List<byte[]> values) {
            MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
            for (int i = 0; i < values.size(); i++) {
                byte[] value = values.get(i);
                MemorySegment string = arena.allocate(value.length + 1L); // zeroed: NUL-terminated
                MemorySegment.copy(value, 0, string, ValueLayout.JAVA_BYTE, 0, value.length);
                array.setAtIndex(ADDRESS, i, string);
            }
            array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
            return array;
        }

        private static MemorySegment strings(Arena arena, List<String> values) {
            MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
            for (int i = 0; i < values.size(); i++) {
                array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
            }
            array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
            return array;
        }

        /**
         * The command's environment, each entry's bytes without the terminating NUL: the inherited variables (as the
         * JVM got their bytes) that the request neither unsets nor sets, then the request's (UTF-8) and the marker.
         */
        private static List<byte[]> environment(CmdRequest request, String marker) {
            Map<String, String> set = new LinkedHashMap<>(request.env());
            if (request.inheritEnv()) {
                set.put(ProcessTree.MARKER, marker);
            }
            List<byte[]> entries = new ArrayList<>();
            if (request.inheritEnv()) {
                InheritedEnv.ENTRIES.forEach((name, entry) -> {
                    if (!set.containsKey(name) && !request.unsetEnv().contains(name)) {
                        entries.add(entry);
                    }
                });
            }
            set.forEach((k, v) -> entries.add((k + "=" + v).getBytes(StandardCharsets.UTF_8)));
            return entries;
        }

        private static void check(String what, int result) {
            if (result != 0) {
                throw new IllegalStateException(what + " failed: " + result);
            }
        }

        /** The reason ProcessBuilder's launcher gives for the same errno, so both read alike; the number if unknown. */
        private static String describe(int errno) {
            String known = Redirects.describe(errno);
            return known != null ? known : "posix_spawn failed with error=" + errno;
        }

        /** kill(2); returns true on success. */
        boolean kill(int pid, int signal) {
            try {
                return (int) kill.invokeExact(pid, signal) == 0;
            } catch (Throwable t) {
                throw new IllegalStateException("kill failed", t);
            }
        }

        /** A descriptor that becomes readable when the process exits, or -1 where pidfds are missing. */
        int pidfdOpen(int pid) {
            if (pidfdOpen == null) {
                return -1;
            }
            try {
                return (int) pidfdOpen.invokeExact(pid, 0);
            } catch (Throwable t) {
                throw new IllegalStateException("pidfd_open failed", t);
            }
        }

        /**
         * poll(2) on {@code count} entries of {@code pollfds} (struct pollfd: int fd, short events, short revents;
         * a negative fd is skipped). Returns how many are ready, 0 at the timeout or when a signal interrupted the
         * wait (EINTR: the caller loops), -1 on another error.
         */
        int poll(MemorySegment pollfds, int count, int millis, MemorySegment callState) {
            try {
                int ready = (int) poll.invokeExact(callState, pollfds, (long) count, millis);
                if (ready >= 0) {
                    return ready;
                }
                return (int) ERRNO.get(callState, 0L) == EINTR ? 0 : -1;
            } catch (Throwable t) {
                throw new IllegalStateException("poll failed", t);
            }
        }

        /**
         * write(2) to a non-blocking descriptor: the bytes written (possibly fewer than {@code count}), or minus the
         * errno ({@code -EAGAIN} when the pipe is full).
         */
        long write(int fd, MemorySegment bytes, long count, MemorySegment callState) {
            try {
                long written = (long) write.invokeExact(callState, fd, bytes, count);
                return written >= 0 ? written : -(int) ERRNO.get(callState, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("write failed", t);
            }
        }

        /** close(2), ignoring the result. */
        void closeQuietly(int fd) {
            try {
                int ignored = (int) close.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException("close failed", t);
            }
        }

        /** Reaps an exited child; returns its exit code (128 + n for signal n). */
        int reap(int pid) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment status = arena.allocate(JAVA_INT);
                int r = (int) waitpid.invokeExact(pid, status, 0);
                if (r != pid) {
                    throw new IllegalStateException("waitpid(" + pid + ") returned " + r);
                }
                int s = status.get(JAVA_INT, 0);
                int signal = s & 0x7f;
                return signal == 0 ? (s >> 8) & 0xff : 128 + signal;
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("waitpid failed", t);
            }
        }
    }

    /**
     * Our end of a command's stdin pipe, non-blocking and written with poll(2) and write(2), where a blocking
     * {@link FileOutputStream} would do. A process outside the command's tree (not ended with it) may hold the pipe's
     * read end open without reading: the pipe stays full and a blocking write then waits as long as that process
     * runs, keeping its thread, the bytes and the pipe. Here a write waits for room a slice at a time and gives up
     * once the stream is {@link #close() closed} by the owner, who no longer waits for the command; the writing
     * thread then closes the descriptor on its way out. Thread-safe: one thread writes, any thread may close.
     */
    private static final class StdinPipe extends OutputStream {

        private static final int CHUNK = 64 * 1024;
        /** How long a write waits for room before it looks again whether the stream was closed. */
        private static final int SLICE_MILLIS = 100;

        private final Native nat;
        private int fd; // guarded by this: -1 once closed
        private boolean writing; // guarded by this
        private volatile boolean closing;

        StdinPipe(Native nat, int fd) {
            this.nat = nat;
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            int descriptor;
            synchronized (this) {
                if (closing || writing) {
                    throw new IOException(closing ? "Stream closed" : "another write is in progress");
                }
                writing = true;
                descriptor = fd;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment chunk = arena.allocate(Math.max(1, Math.min(len, CHUNK)));
                MemorySegment pollfd = arena.allocate(8, 4);
                MemorySegment callState = arena.allocate(CALL_STATE);
                while (len > 0) {
                    if (closing) {
                        throw new IOException("The command's input was abandoned: the command is no longer waited for");
                    }
                    int n = (int) Math.min(len, chunk.byteSize());
                    MemorySegment.copy(b, off, chunk, ValueLayout.JAVA_BYTE, 0, n);
                    long written = nat.write(descriptor, chunk, n, callState);
                    if (written > 0) {
                        off += (int) written;
                        len -= (int) written;
                    } else if (written == -EAGAIN) {
                        // Full: wait for room (or for the read end to close, which poll reports as POLLERR).
                        pollfd.set(JAVA_INT, 0, descriptor);
                        pollfd.set(JAVA_SHORT, 4, POLLOUT);
                        pollfd.set(JAVA_SHORT, 6, (short) 0);
                        if (nat.poll(pollfd, 1, SLICE_MILLIS, callState) < 0) {
                            throw new IOException("poll failed on the command's input");
                        }
                    } else if (written != -EINTR) {
                        throw new IOException(written == -EPIPE ? "Broken pipe"
                                : "write failed on the command's input: errno " + -written);
                    }
                }
            } finally {
                synchronized (this) {
                    writing = false;
                    if (closing) {
                        closeDescriptor();
                    }
                }
            }
        }

        /** Closes the descriptor now, or, while a write runs, makes that write give up and close it. Idempotent. */
        @Override
        public synchronized void close() {
            closing = true;
            if (!writing) {
                closeDescriptor();
            }
        }

        private void closeDescriptor() {
            if (fd >= 0) {
                nat.closeQuietly(fd);
                fd = -1;
            }
        }
    }

    /**
     * The JVM's environment as bytes, read once. {@link System#getenv()} holds it decoded, and a value that is not
     * valid in the platform's encoding (say Latin-1 bytes under a UTF-8 locale) would come out of a re-encoding
     * changed, where {@link ProcessBuilder} passes the original bytes on. So the entries are taken from
     * {@code /proc/self/environ}, the environment the JVM started with, each one whose decoded value is still the
     * JVM's; a variable found only in {@link System#getenv()} (or all of them, if the file cannot be read) is encoded
     * as UTF-8.
     */
    private static final class InheritedEnv {

        /** "NAME=value" bytes by name, without the terminating NUL. */
        static final Map<String, byte[]> ENTRIES = load();

        private static Map<String, byte[]> load() {
            Map<String, String> jvm = System.getenv();
            Map<String, byte[]> entries = new LinkedHashMap<>();
            Charset charset = Charset.forName(System.getProperty("sun.jnu.encoding", ""), Charset.defaultCharset());
            byte[] raw;
            try {
                raw = Files.readAllBytes(Path.of("/proc/self/environ"));
            } catch (java.io.IOException | RuntimeException e) {
                raw = new byte[0];
            }
            int start = 0;
            for (int i = 0; i <= raw.length; i++) {
                if (i == raw.length || raw[i] == 0) {
                    int eq = indexOf(raw, (byte) '=', start + 1, i); // a name is not empty
                    if (eq > 0) {
                        String name = new String(raw, start, eq - start, charset);
                        String value = new String(raw, eq + 1, i - eq - 1, charset);
                        // The first of duplicate names, as the JVM keeps; none the JVM no longer sees that way.
                        if (value.equals(jvm.get(name)) && !entries.containsKey(name)) {
                            entries.put(name, java.util.Arrays.copyOfRange(raw, start, i));
                        }
                    }
                    start = i + 1;
                }
            }
            jvm.forEach((name, value) -> entries.computeIfAbsent(name,
                    k -> (k + "=" + value).getBytes(StandardCharsets.UTF_8)));
            return java.util.Collections.unmodifiableMap(entries);
        }

        private static int indexOf(byte[] bytes, byte b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Reopens a descriptor as a path, so that plain Java streams can own it. */
    private static final class ProcFd {

        static final Boolean WORKS = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/fd"));

        static String reopen(int fd) {
            return "/proc/self/fd/" + fd;
        }
    }

    private static final class SpawnChild implements Child {

        private final Native nat;
        private final int pid;
        private final ProcessHandle handle;
        private final OutputStream stdin;
        private final InputStream stdout;
        private final InputStream stderr;
        /**
         * Readable once the root exits: the owner waits on it in its own thread, with the output pipes, sparing the
         * hand-offs through the JDK's process reaper thread and through a reader thread per pipe (together about
         * 1.2 ms a command here). -1 without pidfds; then the streams are read by threads and the JDK reaps.
         */
        private int pidfd;
        // The parent's raw read ends of the output pipes, polled for readiness (the streams read the same pipes);
        // -1 when not piped, at end-of-file, or without a pidfd. Touched by the owner's thread only.
        private int stdoutFd;
        private int stderrFd;
        private Integer code; // guarded by this: set once reaped
        private CompletableFuture<Integer> exit; // guarded by this: made on first use

        SpawnChild(Native nat, int pid, OutputStream stdin, InputStream stdout, InputStream stderr, int stdoutFd,
                int stderrFd) {
            this.nat = nat;
            this.pid = pid;
            this.handle = ProcessHandle.of(pid).orElseThrow(
                    () -> new IllegalStateException("spawned process " + pid + " is not visible"));
            this.stdin = stdin;
            this.stdout = stdout;
            this.stderr = stderr;
            // Our child stays a zombie until we reap it, so its pid cannot be reused before this.
            this.pidfd = nat.pidfdOpen(pid);
            this.stdoutFd = stdoutFd;
            this.stderrFd = stderrFd;
            if (pidfd < 0) {
                closeRawPipes();
            }
        }

        private void closeRawPipes() {
            if (stdoutFd >= 0) {
                nat.closeQuietly(stdoutFd);
                stdoutFd = -1;
            }
            if (stderrFd >= 0) {
                nat.closeQuietly(stderrFd);
                stderrFd = -1;
            }
        }

        /** Reaps the root once, whichever way its exit was observed. */
        private synchronized int reap() {
            if (code == null) {
                code = nat.reap(pid);
            }
            return code;
        }

        @Override
        public boolean pumpsOutput() {
            return pidfd >= 0;
        }

        @Override
        public Integer awaitExit(long millis) throws InterruptedException, ExecutionException {
            return awaitExit(millis, null, null);
        }

        @Override
        public Integer awaitExit(long millis, Capture out, Capture err) throws InterruptedException,
                ExecutionException {
            if (pidfd < 0) {
                return Child.super.awaitExit(millis);
            }
            return pump(millis, out, err, true) ? reap() : null;
        }

        @Override
        public boolean drain(long millis, Capture out, Capture err) throws InterruptedException, ExecutionException {
            return pump(millis, out, err, false);
        }

        /**
         * Polls the output pipes (and the pidfd if {@code untilExit}) for at most {@code millis}, reading each pipe
         * when it is ready. Returns true when the root exited ({@code untilExit}) or both pipes are drained.
         */
        private boolean pump(long millis, Capture out, Capture err, boolean untilExit) throws InterruptedException,
                ExecutionException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment pollfds = arena.allocate(3 * 8L, 4);
                MemorySegment callState = arena.allocate(CALL_STATE);
                while (true) {
                    if (stdoutFd >= 0 && (out == null || out.isDone())) {
                        nat.closeQuietly(stdoutFd);
                        stdoutFd = -1;
                    }
                    if (stderrFd >= 0 && (err == null || err.isDone())) {
                        nat.closeQuietly(stderrFd);
                        stderrFd = -1;
                    }
                    if (!untilExit && stdoutFd < 0 && stderrFd < 0) {
                        return true;
                    }
                    setPollFd(pollfds, 0, untilExit ? pidfd : -1);
                    setPollFd(pollfds, 1, stdoutFd);
                    setPollFd(pollfds, 2, stderrFd);
                    long left = deadline - System.nanoTime();
                    int timeout = (int) Math.max(0, Math.min(Integer.MAX_VALUE,
                            TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
                    int ready = nat.poll(pollfds, 3, timeout, callState);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while waiting for command " + pid);
                    }
                    if (ready < 0) {
                        throw new ExecutionException(new java.io.IOException("poll failed while waiting for command "
                                + pid));
                    }
                    if (revents(pollfds, 1) != 0 && !out.readReady()) {
                        nat.closeQuietly(stdoutFd);
                        stdoutFd = -1;
                    }
                    if (revents(pollfds, 2) != 0 && !err.readReady()) {
                        nat.closeQuietly(stderrFd);
                        stderrFd = -1;
                    }
                    if (untilExit && revents(pollfds, 0) != 0) {
                        return true;
                    }
                    // The deadline holds even while output keeps coming (a leftover that floods the pipes must not
                    // keep the caller from its next step: finding and ending that leftover).
                    if (deadline - System.nanoTime() <= 0) {
                        return !untilExit && stdoutFd < 0 && stderrFd < 0;
                    }
                }
            }
        }

        private static void setPollFd(MemorySegment pollfds, int index, int fd) {
            pollfds.set(JAVA_INT, index * 8L, fd);
            pollfds.set(JAVA_SHORT, index * 8L + 4, POLLIN);
            pollfds.set(JAVA_SHORT, index * 8L + 6, (short) 0);
        }

        private static short revents(MemorySegment pollfds, int index) {
            return pollfds.get(JAVA_INT, index * 8L) < 0 ? 0 : pollfds.get(JAVA_SHORT, index * 8L + 6);
        }

        @Override
        public synchronized void release() {
            // Nobody waits for the command any more: a write still waiting for room in its input gives up.
            Redirects.closeQuietly(stdin);
            if (pidfd >= 0) {
                nat.closeQuietly(pidfd);
                pidfd = -1;
                // Nobody reads the pipes any more: a leftover writing to them gets EPIPE instead of blocking.
                closeRawPipes();
                Redirects.closeQuietly(stdout);
                Redirects.closeQuietly(stderr);
            }
            exitCode(); // if nobody reaped the root yet, the JDK's reaper thread does when it exits
        }

        @Override
        public ProcessHandle handle() {
            return handle;
        }

        @Override
        public OutputStream stdin() {
            return stdin;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public InputStream stderr() {
            return stderr;
        }

        @Override
        public synchronized CompletableFuture<Integer> exitCode() {
            if (exit == null) {
                // The JDK waits without reaping (waitid WNOWAIT) in its reaper thread; then we reap and read the
                // status.
                exit = code != null ? CompletableFuture.completedFuture(code) : handle.onExit().thenApply(h -> reap());
            }
            return exit;
        }

        @Override
        public boolean grouped() {
            return true;
        }

        @Override
        public synchronized boolean signalGroup(int signal) {
            // The group outlives its leader while members remain, and its id cannot be reused until they are all
            // gone. Once they are, the number is free: a process that got it since leads a group of the same id
            // that is not ours (seen in a soak: a sweep's SIGTERM hit a later command). Until we reap our leader
            // (reap() holds this lock too), a process with its pid is our leader; once we have, it is not, and our
            // group is empty: nothing to signal. (Comparing start times missed a pid reused within the same clock
            // tick, 10 ms, which the reuse test hit now and then.)
            ProcessHandle holder = ProcessHandle.of(pid).orElse(null);
            if (holder != null && (code != null || !holder.equals(handle))) {
                return false;
            }
            return nat.kill(-pid, signal);
        }
    }
}
