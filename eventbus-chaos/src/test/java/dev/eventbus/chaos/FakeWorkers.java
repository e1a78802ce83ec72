package dev.eventbus.chaos;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A bus whose CORELET workers are {@link FakeWorkerAgent}s: real worker JVMs whose main never runs, answering each
 * event with the frame bytes carried in its data. One bus thread, one worker. Not thread-safe: one test class at a
 * time.
 */
final class FakeWorkers {

    static final String TYPE = "fake";

    private final Path agentDir;
    final EventBus bus;

    FakeWorkers() throws IOException {
        this("");
    }

    /**
     * Creates the bus.
     *
     * @param hello how the fake workers greet: "" (correctly), "silent", "wrong-pid", "wrong-token", "garbage" or
     *     "hang-up"
     */
    FakeWorkers(String hello) throws IOException {
        agentDir = Files.createTempDirectory("eventbus-chaos-agent-");
        Path jar = agentDir.resolve("fake-worker-agent.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), FakeWorkerAgent.class.getName());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        EventFactory factory = new EventFactory();
        factory.registerEventType(TYPE, ChaosHandler.class); // never loaded: the fake worker answers instead
        bus = EventBus.builder().threads(1).coreletPoolSize(1).factory(factory)
                .coreletJvmOptions(List.of("-javaagent:" + jar + (hello.isEmpty() ? "" : "=" + hello), "-Xmx32m", "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC"))
                .build();
    }

    /** Sends one event whose worker answers with {@code reply}, then does {@code action}; waits for its result. */
    EventResult run(String eventId, byte action, byte[] reply, long timeoutMs) throws Exception {
        byte[] script = new byte[reply.length + 1];
        script[0] = action;
        System.arraycopy(reply, 0, script, 1, reply.length);
        Event event = Event.builder(TYPE).id(eventId).mode(ExecutionMode.CORELET).data(script)
                .timeout(Duration.ofMillis(timeoutMs)).maxRetries(0).build();
        return bus.submit(event).get(60, TimeUnit.SECONDS);
    }

    /** Shuts the bus down, waits (bounded) for its workers to be reaped, and deletes the agent jar. */
    void close() throws IOException, InterruptedException {
        bus.shutdown(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Probes.workerJvms().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50); // a SIGKILLed process needs a moment to be reaped: poll, bounded
        }
        try (var files = Files.list(agentDir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(agentDir);
    }
}
