package dev.eventbus.corelet.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of a worker JVM: the parent's own java binary at nice 10, the parent's module path (with
 * {@code -m dev.eventbus.corelet/...}) when this module runs as a named module, else the parent's class path.
 * Immutable.
 *
 * @param nice the {@code nice -n 10} prefix, empty where there is no nice binary
 * @param java the java binary
 * @param options the JVM options: the defaults, then the user's
 * @param launch the class path or module path and the main class
 * @param paths every entry of the class path and module path, for what the JVM may archive from them
 */
record WorkerCommand(List<String> nice, String java, List<String> options, List<String> launch, List<Path> paths) {

    /** Options every worker gets before the user's: exit on OOM so that the parent sees a crash, not a hang. */
    static final List<String> DEFAULT_OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError");

    private static final Path NICE = Path.of("/usr/bin/nice");

    static WorkerCommand of(List<String> jvmOptions, String mainClass) {
        List<String> options = new ArrayList<>(DEFAULT_OPTIONS);
        options.addAll(jvmOptions);
        List<String> launch = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        String classPath = System.getProperty("java.class.path", "");
        Module module = WorkerCommand.class.getModule();
        String modulePath = System.getProperty("jdk.module.path");
        if (module.isNamed() && modulePath != null && !modulePath.isEmpty()) {
            launch.addAll(List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH"));
            paths.addAll(entries(modulePath));
            if (!classPath.isEmpty()) {
                launch.addAll(List.of("-cp", classPath));
                paths.addAll(entries(classPath));
            }
            launch.addAll(List.of("-m", module.getName() + "/" + mainClass));
        } else {
            launch.addAll(List.of("-cp", classPath, mainClass));
            paths.addAll(entries(classPath));
        }
        List<String> nice = niceBinary().map(n -> List.of(n.toString(), "-n", "10")).orElse(List.of());
        return new WorkerCommand(nice, javaBinary(), List.copyOf(options), List.copyOf(launch), List.copyOf(paths));
    }

    /** The worker's command line, without the trailing socket path and parent pid. */
    List<String> line() {
        return line(List.of());
    }

    /**
     * The worker's command line with more JVM options, placed before the others.
     *
     * @param extraOptions options such as the AOT cache's
     * @return nice, java, the options, the class path or module path and the main class
     */
    List<String> line(List<String> extraOptions) {
        List<String> line = new ArrayList<>(nice);
        line.add(java);
        line.addAll(extraOptions);
        line.addAll(options);
        line.addAll(launch);
        return line;
    }

    private static List<Path> entries(String path) {
        List<Path> entries = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(Path.of(entry));
            }
        }
        return entries;
    }

    static String javaBinary() {
        Optional<String> own = ProcessHandle.current().info().command();
        if (own.isPresent() && Files.isExecutable(Path.of(own.get()))
                && Path.of(own.get()).getFileName().toString().startsWith("java")) {
            return own.get();
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Optional<Path> niceBinary() {
        if (Files.isExecutable(NICE)) {
            return Optional.of(NICE);
        }
        Path bin = Path.of("/bin/nice");
        return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
    }
}
