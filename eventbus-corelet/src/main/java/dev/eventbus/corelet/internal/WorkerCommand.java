package dev.eventbus.corelet.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the command line of a worker JVM: the parent's own java binary at nice 10, the parent's module path
 * (with {@code -m dev.eventbus.corelet/...}) when this module runs as a named module, else the parent's class path.
 * Stateless.
 */
final class WorkerCommand {

    /** Options every worker gets before the user's: exit on OOM so that the parent sees a crash, not a hang. */
    static final List<String> DEFAULT_OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError");

    private static final Path NICE = Path.of("/usr/bin/nice");

    private WorkerCommand() {
    }

    static List<String> build(List<String> jvmOptions, String mainClass) {
        List<String> command = new ArrayList<>();
        Optional<Path> nice = niceBinary();
        if (nice.isPresent()) {
            command.add(nice.get().toString());
            command.add("-n");
            command.add("10");
        }
        command.add(javaBinary());
        command.addAll(DEFAULT_OPTIONS);
        command.addAll(jvmOptions);
        String classPath = System.getProperty("java.class.path", "");
        Module module = WorkerCommand.class.getModule();
        String modulePath = System.getProperty("jdk.module.path");
        if (module.isNamed() && modulePath != null && !modulePath.isEmpty()) {
            command.add("--module-path");
            command.add(modulePath);
            command.add("--add-modules");
            command.add("ALL-MODULE-PATH");
            if (!classPath.isEmpty()) {
                command.add("-cp");
                command.add(classPath);
            }
            command.add("-m");
            command.add(module.getName() + "/" + mainClass);
        } else {
            command.add("-cp");
            command.add(classPath);
            command.add(mainClass);
        }
        return List.copyOf(command);
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
