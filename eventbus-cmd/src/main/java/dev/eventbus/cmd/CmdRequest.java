package dev.eventbus.cmd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An external command to run as a CMD event: the executable, its arguments, working directory, environment, input
 * and where its output goes. It is the data of an event published with {@link dev.eventbus.ExecutionMode#CMD}.
 *
 * {@snippet :
 * CmdRequest request = CmdRequest.builder("git")
 *         .args("log", "--oneline", "-5")
 *         .cwd(Path.of("/src/project"))
 *         .env("GIT_PAGER", "cat")
 *         .build();
 * String id = bus.publish(Event.builder("git-log").mode(ExecutionMode.CMD).data(request).build());
 * CmdResult result = (CmdResult) bus.getResults(List.of(id)).get(id).data();
 * }
 *
 * <p>The executable runs directly, without a shell: no globbing, quoting, pipes or variable expansion. A name without
 * a {@code /} is looked up on the JVM's {@code PATH} like the operating system does (a {@code PATH} set with
 * {@link Builder#env(String, String)} is the command's, not the one searched); a relative path with a {@code /} is
 * resolved against {@code cwd}. Relative {@code cwd}, stdin, stdout and
 * stderr paths are resolved against the JVM's working directory (not the command's).
 *
 * <p>Instances are immutable (collections and the stdin bytes are copied in and out) and thread-safe.
 *
 * @param executable the program: a name looked up on the {@code PATH}, or a path
 * @param args the arguments after the executable, possibly empty
 * @param cwd the working directory of the command, or null for the JVM's
 * @param env variables added to (or replacing those of) the environment, possibly empty
 * @param unsetEnv names of inherited variables the command must not see, possibly empty
 * @param inheritEnv whether the command starts from the JVM's environment (true) or an empty one (false)
 * @param stdin bytes written to the command's standard input, or null
 * @param stdinFile a file read as the command's standard input, or null; with neither, the input is empty
 * @param stdoutFile a file that receives standard output (truncated first), or null to capture it in the result
 * @param stderrFile a file that receives standard error (truncated first), or null to capture it in the result; the
 *     same path as {@code stdoutFile} receives both streams, interleaved as written
 * @param outputCap bytes kept per captured stream, or 0 for the bus's {@code cmdOutputCap} (4 MiB by default)
 */
public record CmdRequest(String executable, List<String> args, Path cwd, Map<String, String> env,
        Set<String> unsetEnv, boolean inheritEnv, byte[] stdin, Path stdinFile, Path stdoutFile, Path stderrFile,
        int outputCap) {

    /** The keys a map may use as CMD event data, in the Python guide's spelling. */
    public static final Set<String> MAP_KEYS = Set.of("executable", "args", "cwd", "env", "stdin", "stdout_file",
            "stderr_file");

    /**
     * Validates and copies the request.
     *
     * @throws NullPointerException if {@code executable}, a collection, or an element of one is null
     * @throws IllegalArgumentException if the executable is blank, a string holds a NUL character, a variable name is
     *     empty or holds {@code =}, a variable is both set and unset, both {@code stdin} and {@code stdinFile} are
     *     given, a path is not of the default file system, or {@code outputCap} is negative
     */
    public CmdRequest {
        Objects.requireNonNull(executable, "executable");
        if (executable.isBlank()) {
            throw new IllegalArgumentException("executable must not be blank: '" + executable + "'");
        }
        noNul("executable", executable);
        args = copyArgs(args);
        env = copyEnv(env);
        unsetEnv = copyUnset(unsetEnv);
        for (String name : unsetEnv) {
            if (env.containsKey(name)) {
                throw new IllegalArgumentException("Environment variable '" + name + "' is both set and unset");
            }
        }
        if (stdin != null && stdinFile != null) {
            throw new IllegalArgumentException("Give stdin bytes or a stdinFile, not both (stdinFile: " + stdinFile
                    + ")");
        }
        stdin = stdin == null ? null : stdin.clone();
        local("cwd", cwd);
        local("stdinFile", stdinFile);
        local("stdoutFile", stdoutFile);
        local("stderrFile", stderrFile);
        if (outputCap < 0) {
            throw new IllegalArgumentException("outputCap must be > 0, or 0 for the bus's cmdOutputCap: "
                    + outputCap);
        }
    }

    /**
     * Returns a request for an executable and its arguments, with everything else at its default.
     *
     * @param executable the program
     * @param args its arguments
     * @return the request
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the executable is blank, or it or an argument holds a NUL character
     */
    public static CmdRequest of(String executable, String... args) {
        return builder(executable).args(args).build();
    }

    /**
     * Starts a builder.
     *
     * @param executable the program: a name looked up on the {@code PATH}, or a path
     * @return a new builder
     * @throws NullPointerException if {@code executable} is null
     * @throws IllegalArgumentException if {@code executable} is blank or holds a NUL character
     */
    public static Builder builder(String executable) {
        return new Builder(executable);
    }

    /**
     * Converts event data given as a map with the Python guide's keys: {@code executable} (String), {@code args}
     * (List of String), {@code cwd} (String or Path), {@code env} (Map of String to String, added to the inherited
     * environment), {@code stdin} (String, sent as UTF-8, or byte[]), {@code stdout_file} and {@code stderr_file}
     * (String or Path). Only {@code executable} is required.
     *
     * @param map the data
     * @return the request
     * @throws NullPointerException if {@code map} is null
     * @throws IllegalArgumentException naming the key and the value, if a key is unknown or missing, or a value has
     *     the wrong type or is invalid
     */
    public static CmdRequest fromMap(Map<?, ?> map) {
        Objects.requireNonNull(map, "map");
        for (Object key : map.keySet()) {
            if (!(key instanceof String name) || !MAP_KEYS.contains(name)) {
                throw new IllegalArgumentException("Unknown CMD data key " + describe(key) + "; the keys are "
                        + String.join(", ", new java.util.TreeSet<>(MAP_KEYS)));
            }
        }
        if (!map.containsKey("executable")) {
            throw new IllegalArgumentException("CMD data needs the key 'executable' (the program to run), got the keys "
                    + map.keySet());
        }
        Object executable = map.get("executable");
        if (!(executable instanceof String exe) || exe.isBlank()) {
            throw new IllegalArgumentException("CMD data key 'executable' must be a non-blank String, got "
                    + describe(executable));
        }
        Builder builder = builder(exe);
        if (map.containsKey("args")) {
            Object args = map.get("args");
            if (!(args instanceof List<?> list)) {
                throw new IllegalArgumentException("CMD data key 'args' must be a List of String, got "
                        + describe(args));
            }
            List<String> strings = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String s)) {
                    throw new IllegalArgumentException("CMD data key 'args' must be a List of String, but args[" + i
                            + "] is " + describe(list.get(i)));
                }
                strings.add(s);
            }
            builder.args(strings);
        }
        if (map.containsKey("cwd")) {
            builder.cwd(path(map, "cwd"));
        }
        if (map.containsKey("env")) {
            Object env = map.get("env");
            if (!(env instanceof Map<?, ?> vars)) {
                throw new IllegalArgumentException("CMD data key 'env' must be a Map of String to String, got "
                        + describe(env));
            }
            for (Map.Entry<?, ?> e : vars.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof String value)) {
                    throw new IllegalArgumentException("CMD data key 'env' must be a Map of String to String, but has"
                            + " the entry " + describe(e.getKey()) + " -> " + describe(e.getValue()));
                }
                builder.env(name, value);
            }
        }
        if (map.containsKey("stdin")) {
            Object stdin = map.get("stdin");
            switch (stdin) {
                case String s -> builder.stdin(s.getBytes(StandardCharsets.UTF_8));
                case byte[] bytes -> builder.stdin(bytes);
                case null, default -> throw new IllegalArgumentException(
                        "CMD data key 'stdin' must be a String or a byte[], got " + describe(stdin));
            }
        }
        if (map.containsKey("stdout_file")) {
            builder.stdoutFile(path(map, "stdout_file"));
        }
        if (map.containsKey("stderr_file")) {
            builder.stderrFile(path(map, "stderr_file"));
        }
        return builder.build();
    }

    /**
     * Returns the bytes written to the command's standard input.
     *
     * @return a copy of the bytes, or null if none were given
     */
    @Override
    public byte[] stdin() {
        return stdin == null ? null : stdin.clone();
    }

    /**
     * Returns the command line as a list: the executable followed by the arguments.
     *
     * @return an unmodifiable list
     */
    public List<String> commandLine() {
        List<String> line = new ArrayList<>(args.size() + 1);
        line.add(executable);
        line.addAll(args);
        return List.copyOf(line);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmdRequest r && executable.equals(r.executable) && args.equals(r.args)
                && Objects.equals(cwd, r.cwd) && env.equals(r.env) && unsetEnv.equals(r.unsetEnv)
                && inheritEnv == r.inheritEnv && Arrays.equals(stdin, r.stdin) && Objects.equals(stdinFile, r.stdinFile)
                && Objects.equals(stdoutFile, r.stdoutFile) && Objects.equals(stderrFile, r.stderrFile)
                && outputCap == r.outputCap;
    }

    @Override
    public int hashCode() {
        return Objects.hash(executable, args, cwd, env, unsetEnv, inheritEnv, Arrays.hashCode(stdin), stdinFile,
                stdoutFile, stderrFile, outputCap);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("CmdRequest").append(commandLine());
        if (cwd != null) {
            s.append(", cwd=").append(cwd);
        }
        if (!env.isEmpty()) {
            s.append(", env=").append(env.keySet());
        }
        if (!unsetEnv.isEmpty()) {
            s.append(", unsetEnv=").append(unsetEnv);
        }
        if (!inheritEnv) {
            s.append(", inheritEnv=false");
        }
        if (stdin != null) {
            s.append(", stdin=").append(stdin.length).append(" bytes");
        }
        if (stdinFile != null) {
            s.append(", stdinFile=").append(stdinFile);
        }
        if (stdoutFile != null) {
            s.append(", stdoutFile=").append(stdoutFile);
        }
        if (stderrFile != null) {
            s.append(", stderrFile=").append(stderrFile);
        }
        if (outputCap != 0) {
            s.append(", outputCap=").append(outputCap);
        }
        return s.toString();
    }

    private static Path path(Map<?, ?> map, String key) {
        Object value = map.get(key);
        return switch (value) {
            case Path p -> p;
            case String s when !s.isBlank() && s.indexOf('\0') < 0 -> Path.of(s);
            case null, default -> throw new IllegalArgumentException("CMD data key '" + key
                    + "' must be a non-blank String or a Path, got " + describe(value));
        };
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof String s ? "'" + s + "'"
                : value instanceof byte[] b ? b.length + " bytes" : String.valueOf(value);
        if (text.length() > 200) {
            text = text.substring(0, 200) + "...";
        }
        return text + " (" + value.getClass().getName() + ")";
    }

    /**
     * Rejects a path of another file system (a zip file's, an in-memory one): the command sees the operating
     * system's files only, where such a path's string names another file, and {@code toFile()} fails.
     */
    private static void local(String what, Path path) {
        if (path != null && path.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new IllegalArgumentException(what + " must be a path of the default file system, got " + path
                    + " in " + path.getFileSystem().provider().getScheme() + ":");
        }
    }

    private static void noNul(String what, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character: '"
                    + value.replace("\0", "\\0") + "'");
        }
    }

    private static List<String> copyArgs(List<String> args) {
        Objects.requireNonNull(args, "args");
        List<String> copy = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String arg = Objects.requireNonNull(args.get(i), "args[" + i + "]");
            noNul("args[" + i + "]", arg);
            copy.add(arg);
        }
        return List.copyOf(copy);
    }

    private static Map<String, String> copyEnv(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        Map<String, String> copy = new LinkedHashMap<>();
        env.forEach((name, value) -> {
            checkVariableName(name);
            Objects.requireNonNull(value, "env value of " + name);
            noNul("env value of " + name, value);
            copy.put(name, value);
        });
        return java.util.Collections.unmodifiableMap(copy);
    }

    private static Set<String> copyUnset(Set<String> names) {
        Objects.requireNonNull(names, "unsetEnv");
        Set<String> copy = new LinkedHashSet<>();
        for (String name : names) {
            checkVariableName(name);
            copy.add(name);
        }
        return java.util.Collections.unmodifiableSet(copy);
    }

    private static void checkVariableName(String name) {
        Objects.requireNonNull(name, "environment variable name");
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("Environment variable name must be non-empty and without '=': '"
                    + name + "'");
        }
        noNul("environment variable name", name);
    }

    /**
     * Builds a {@link CmdRequest}. Each option may be set once (an environment variable once per name); setting it
     * again is an {@link IllegalStateException}. Not thread-safe.
     */
    public static final class Builder {

        private final String executable;
        private List<String> args;
        private Path cwd;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Set<String> unsetEnv = new LinkedHashSet<>();
        private Boolean inheritEnv;
        private byte[] stdin;
        private Path stdinFile;
        private Path stdoutFile;
        private Path stderrFile;
        private int outputCap;

        private Builder(String executable) {
            Objects.requireNonNull(executable, "executable");
            if (executable.isBlank()) {
                throw new IllegalArgumentException("executable must not be blank: '" + executable + "'");
            }
            noNul("executable", executable);
            this.executable = executable;
        }

        /**
         * Sets the arguments.
         *
         * @param args the arguments after the executable
         * @return this builder
         * @throws NullPointerException if {@code args} or an element is null
         * @throws IllegalArgumentException if an argument holds a NUL character
         * @throws IllegalStateException if the arguments were already set
         */
        public Builder args(String... args) {
            Objects.requireNonNull(args, "args");
            return args(Arrays.asList(args));
        }

        /**
         * Sets the arguments.
         *
         * @param args the arguments after the executable
         * @return this builder
         * @throws NullPointerException if {@code args} or an element is null
         * @throws IllegalArgumentException if an argument holds a NUL character
         * @throws IllegalStateException if the arguments were already set
         */
        public Builder args(List<String> args) {
            once("args", this.args);
            this.args = copyArgs(args);
            return this;
        }

        /**
         * Sets the working directory of the command; it must exist when the command starts.
         *
         * @param cwd the directory
         * @return this builder
         * @throws NullPointerException if {@code cwd} is null
         * @throws IllegalArgumentException if it is a path of another file system than the default one
         * @throws IllegalStateException if it was already set
         */
        public Builder cwd(Path cwd) {
            Objects.requireNonNull(cwd, "cwd");
            local("cwd", cwd);
            once("cwd", this.cwd);
            this.cwd = cwd;
            return this;
        }

        /**
         * Adds a variable to the command's environment, replacing an inherited one of the same name.
         *
         * @param name the variable's name
         * @param value its value
         * @return this builder
         * @throws NullPointerException if {@code name} or {@code value} is null
         * @throws IllegalArgumentException if the name is empty or holds {@code =}, or either holds a NUL character
         * @throws IllegalStateException if this variable was already set or unset
         */
        public Builder env(String name, String value) {
            checkVariableName(name);
            Objects.requireNonNull(value, "value");
            noNul("env value of " + name, value);
            if (env.containsKey(name) || unsetEnv.contains(name)) {
                throw new IllegalStateException("Environment variable '" + name + "' is already set or unset");
            }
            env.put(name, value);
            return this;
        }

        /**
         * Removes an inherited variable from the command's environment.
         *
         * @param name the variable's name
         * @return this builder
         * @throws NullPointerException if {@code name} is null
         * @throws IllegalArgumentException if the name is empty or holds {@code =} or a NUL character
         * @throws IllegalStateException if this variable was already set or unset
         */
        public Builder unsetEnv(String name) {
            checkVariableName(name);
            if (env.containsKey(name) || !unsetEnv.add(name)) {
                throw new IllegalStateException("Environment variable '" + name + "' is already set or unset");
            }
            return this;
        }

        /**
         * Starts the command with an empty environment instead of the JVM's: it sees only the {@link #env(String,
         * String) added} variables.
         *
         * @return this builder
         * @throws IllegalStateException if called twice
         */
        public Builder clearEnv() {
            once("clearEnv", inheritEnv);
            inheritEnv = Boolean.FALSE;
            return this;
        }

        /**
         * Sets the bytes written to the command's standard input (then closed).
         *
         * @param stdin the bytes, copied
         * @return this builder
         * @throws NullPointerException if {@code stdin} is null
         * @throws IllegalStateException if stdin or a stdin file was already set
         */
        public Builder stdin(byte[] stdin) {
            Objects.requireNonNull(stdin, "stdin");
            onceInput();
            this.stdin = stdin.clone();
            return this;
        }

        /**
         * Sets a file the command reads as its standard input; it must be readable when the command starts. Any file
         * but a directory will do: a regular file, or a device or FIFO such as {@code /dev/null}.
         *
         * @param stdinFile the file
         * @return this builder
         * @throws NullPointerException if {@code stdinFile} is null
         * @throws IllegalArgumentException if it is a path of another file system than the default one
         * @throws IllegalStateException if stdin or a stdin file was already set
         */
        public Builder stdinFile(Path stdinFile) {
            Objects.requireNonNull(stdinFile, "stdinFile");
            local("stdinFile", stdinFile);
            onceInput();
            this.stdinFile = stdinFile;
            return this;
        }

        /**
         * Sends standard output to a file (created or truncated) instead of capturing it.
         *
         * @param stdoutFile the file
         * @return this builder
         * @throws NullPointerException if {@code stdoutFile} is null
         * @throws IllegalArgumentException if it is a path of another file system than the default one
         * @throws IllegalStateException if it was already set
         */
        public Builder stdoutFile(Path stdoutFile) {
            Objects.requireNonNull(stdoutFile, "stdoutFile");
            local("stdoutFile", stdoutFile);
            once("stdoutFile", this.stdoutFile);
            this.stdoutFile = stdoutFile;
            return this;
        }

        /**
         * Sends standard error to a file (created or truncated) instead of capturing it. The same path as
         * {@link #stdoutFile(Path)} receives both streams.
         *
         * @param stderrFile the file
         * @return this builder
         * @throws NullPointerException if {@code stderrFile} is null
         * @throws IllegalArgumentException if it is a path of another file system than the default one
         * @throws IllegalStateException if it was already set
         */
        public Builder stderrFile(Path stderrFile) {
            Objects.requireNonNull(stderrFile, "stderrFile");
            local("stderrFile", stderrFile);
            once("stderrFile", this.stderrFile);
            this.stderrFile = stderrFile;
            return this;
        }

        /**
         * Sets the bytes kept per captured stream, overriding the bus's {@code cmdOutputCap}. Output beyond it is
         * read and dropped, and the result says {@link CmdResult#truncated() truncated} (as it does when a stream is
         * still held open when reading stops, about 2 s after the command exited: see {@link CmdResult}).
         *
         * @param bytes a positive number of bytes
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder outputCap(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("outputCap must be > 0: " + bytes);
            }
            if (outputCap != 0) {
                throw new IllegalStateException("outputCap is already set: " + outputCap);
            }
            this.outputCap = bytes;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         */
        public CmdRequest build() {
            return new CmdRequest(executable, args == null ? List.of() : args, cwd, env, unsetEnv,
                    inheritEnv == null, stdin, stdinFile, stdoutFile, stderrFile, outputCap);
        }

        private void onceInput() {
            if (stdin != null || stdinFile != null) {
                throw new IllegalStateException("stdin is already set: "
                        + (stdinFile != null ? stdinFile : stdin.length + " bytes"));
            }
        }

        private static void once(String option, Object current) {
            if (current != null) {
                throw new IllegalStateException(option + " is already set: " + current);
            }
        }
    }
}
