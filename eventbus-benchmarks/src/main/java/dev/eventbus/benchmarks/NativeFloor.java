package dev.eventbus.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Builds the C {@code posix_spawn} + {@code waitpid} floor of the CMD benchmark with gcc, at run time, into
 * {@code target/bench-native/} under the working directory.
 *
 * <p>Thread-safe (synchronized build, built once per JVM).
 */
final class NativeFloor {

    private static Path binary;
    private static String failure;

    private NativeFloor() {
    }

    /**
     * Returns the compiled floor, building it on first use.
     *
     * @return the executable, or empty with {@link #failure()} saying why (gcc missing, compile error)
     */
    static synchronized Optional<Path> binary() {
        if (binary == null && failure == null) {
            try {
                binary = build();
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted while compiling";
            }
        }
        return Optional.ofNullable(binary);
    }

    static synchronized String failure() {
        return failure;
    }

    private static Path build() throws IOException, InterruptedException {
        Path dir = Path.of("target", "bench-native").toAbsolutePath();
        Files.createDirectories(dir);
        Path source = dir.resolve("posix_spawn_floor.c");
        try (InputStream in = NativeFloor.class.getResourceAsStream("posix_spawn_floor.c")) {
            if (in == null) {
                throw new IllegalStateException("posix_spawn_floor.c missing from the class path");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path out = dir.resolve("posix_spawn_floor");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O2", "-o", out.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("gcc not found on the PATH: the C posix_spawn floor of the CMD benchmark"
                    + " is skipped (install gcc to measure it)", e);
        }
        String log = new String(gcc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!gcc.waitFor(2, TimeUnit.MINUTES) || gcc.exitValue() != 0) {
            gcc.destroyForcibly();
            throw new IllegalStateException("gcc failed to build the posix_spawn floor: " + log);
        }
        return out;
    }
}
