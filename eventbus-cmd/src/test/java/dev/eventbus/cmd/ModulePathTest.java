package dev.eventbus.cmd;

import dev.eventbus.Event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Launches real JVMs with {@code dev.eventbus} and {@code dev.eventbus.cmd} on the module path: the mode is found
 * through the module's {@code provides}, the {@code posix_spawn} launcher is used exactly when native access is
 * granted to the module, and the JVM prints no warning either way.
 */
@Timeout(120)
class ModulePathTest {

    @Test
    void withNativeAccessGrantedTheModuleSpawnsCommandsInTheirOwnGroupWithoutWarnings() throws Exception {
        Output out = launch(List.of("--enable-native-access=dev.eventbus.cmd"));
        assertEquals("", out.stderr);
        assertEquals("module=dev.eventbus.cmd\nownGroup=true\n", out.stdout);
    }

    @Test
    void withoutNativeAccessTheModuleFallsBackToProcessBuilderSilently() throws Exception {
        Output out = launch(List.of());
        assertEquals("", out.stderr);
        assertEquals("module=dev.eventbus.cmd\nownGroup=false\n", out.stdout);
    }

    private record Output(String stdout, String stderr) {
    }

    private static Output launch(List<String> options) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto"));
        command.addAll(options);
        command.addAll(List.of("--module-path", location(Event.class) + File.pathSeparator + location(CmdRequest.class),
                "--add-modules", "dev.eventbus.cmd",
                "-cp", location(ModulePathTest.class),
                "dev.eventbus.cmd.it.ModulePathMain"));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String stdout = read(p.getInputStream());
        String stderr = err.get(60, TimeUnit.SECONDS);
        assertEquals(0, p.waitFor(), "exit code; stderr: " + stderr);
        return new Output(stdout, stderr);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
