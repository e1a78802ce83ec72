package dev.eventbus.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The parent side of the CORELET baselines: starts an {@link EchoChild} JVM with this JVM's java binary and class
 * path, and makes round trips over its stdin/stdout.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class PipeChild implements AutoCloseable {

    private static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "maxdepth=10;maxbytes=65536;dev.eventbus.benchmarks.EchoMessage;java.lang.*;!*");

    private static final Path NICE = Path.of("/usr/bin/nice");

    private final Process process;
    private final DataOutputStream out;
    private final DataInputStream in;

    PipeChild(String kind) throws IOException {
        this(kind, false);
    }

    /**
     * Starts a child.
     *
     * @param kind {@code raw} or {@code serial}
     * @param nice10 whether to start it under {@code nice -n 10}, as CORELET starts its workers
     */
    PipeChild(String kind, boolean nice10) throws IOException {
        List<String> command = new ArrayList<>();
        if (nice10 && Files.isExecutable(NICE)) {
            command.add(NICE.toString());
            command.add("-n");
            command.add("10");
        }
        command.add(javaBinary());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EchoChild.class.getName());
        command.add(kind);
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
        in = new DataInputStream(new BufferedInputStream(process.getInputStream()));
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Sends a frame and returns the echoed frame. */
    byte[] roundTrip(byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
        int length = in.readInt();
        return in.readNBytes(length);
    }

    /** Serializes a message, sends it, and deserializes the reply under a filter. */
    EchoMessage roundTrip(EchoMessage message) throws IOException, ClassNotFoundException {
        byte[] reply = roundTrip(EchoChild.serialize(message));
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(reply))) {
            ois.setObjectInputFilter(FILTER);
            return (EchoMessage) ois.readObject();
        }
    }

    @Override
    public void close() {
        try {
            out.close(); // EOF: the child returns from main
        } catch (IOException e) {
            // the child is gone already
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
