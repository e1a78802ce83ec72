package dev.eventbus.examples;

import dev.eventbus.EventBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Launches real JVMs the way users deploy eventbus: once on the module path, once on the class path. Each finds the
 * runtime and the {@link ExampleHandlers} plugin through the ServiceLoader and runs SYNC and THREAD events.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginLaunchTest {

    private static String path() throws Exception {
        List<String> entries = new ArrayList<>();
        for (Class<?> type : List.of(EventBus.class, Class.forName("dev.eventbus.runtime.RuntimeProvider"),
                Class.forName("dev.eventbus.corelet.internal.CoreletModeProvider"),
                dev.eventbus.cmd.CmdRequest.class, PluginCheck.class)) {
            entries.add(location(type).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a JVM and returns its exit code and output; it is killed if it does not end in time. */
    static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "JVM did not exit: " + command);
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            process.onExit().get(10, TimeUnit.SECONDS);
        }
    }

    record Result(int exitCode, String output) {
    }

    @Test
    void pluginAndRuntimeAreFoundOnTheModulePath() throws Exception {
        Result result = run(List.of(java(), "--module-path", path(), "--add-modules", "ALL-MODULE-PATH",
                "-m", "dev.eventbus.examples/dev.eventbus.examples.PluginCheck"));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("module dev.eventbus.examples"), result.output());
        assertTrue(result.output().contains("sync 49") && result.output().contains("thread 64"), result.output());
    }

    @Test
    void pluginAndRuntimeAreFoundOnTheClassPath() throws Exception {
        Result result = run(List.of(java(), "-cp", path(), PluginCheck.class.getName()));
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("module null"), "expected the unnamed module: " + result.output());
        assertTrue(result.output().contains("sync 49") && result.output().contains("thread 64"), result.output());
    }

    @Test
    void withoutTheRuntimeTheErrorNamesTheArtifactToAdd() throws Exception {
        String apiAndPlugin = location(EventBus.class) + File.pathSeparator + location(PluginCheck.class);
        Result result = run(List.of(java(), "-cp", apiAndPlugin, PluginCheck.class.getName()));
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("No eventbus runtime found")
                && result.output().contains("dev.eventbus:eventbus-runtime"), result.output());
    }
}
