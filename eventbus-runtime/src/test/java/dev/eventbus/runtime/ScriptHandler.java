package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The behaviour suite's handler: does what the event's {@link Script} says, and records each attempt in
 * {@code dir/<event id>.attempts} and each {@code terminate} in {@code dir/<event id>.terminated}.
 * Public with a no-arg constructor so that a CORELET worker can load it by class name.
 */
public final class ScriptHandler implements EventHandler {

    /** The event type the suite registers this handler for. */
    public static final String TYPE = "script";

    private volatile Event running;

    public ScriptHandler() {
    }

    @Override
    public EventResult handle(Event event, EventContext context) throws Exception {
        Script script = event.data(Script.class);
        running = event;
        int attempt = append(Path.of(script.dir()).resolve(event.id() + ".attempts"), "attempt");
        return switch (script.action()) {
            case "echo" -> EventResult.businessResult(event.id(), true, script.payload());
            case "business-failure" -> EventResult.businessResult(event.id(), false, script.payload());
            case "throw" -> throw new IllegalArgumentException("boom in attempt " + attempt);
            case "fail-then-succeed" -> {
                if (attempt <= script.failures()) {
                    throw new IllegalStateException("failure in attempt " + attempt);
                }
                yield EventResult.businessResult(event.id(), true, attempt);
            }
            case "null" -> null;
            case "interrupt-then-report" -> {
                if (attempt == 1) {
                    // as code does that restores an interrupt it caught (an InterruptedIOException), then fails
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("failed in attempt 1, interrupt flag restored");
                }
                yield EventResult.businessResult(event.id(), true, Thread.currentThread().isInterrupted());
            }
            case "exception-result" -> EventResult.exceptionResult(event.id(), new IllegalStateException("returned"));
            case "sleep" -> {
                Thread.sleep(script.millis()); // simulates slow, interruptible work
                yield EventResult.businessResult(event.id(), true, "slept");
            }
            case "ignore-interrupt" -> {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(script.millis());
                boolean interrupted = false;
                while (System.nanoTime() - end < 0) {
                    try {
                        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
                    } catch (InterruptedException e) {
                        interrupted = true; // deliberately ignored: this handler simulates one that will not stop
                    }
                }
                yield EventResult.businessResult(event.id(), true, interrupted ? "ignored interrupt" : "slept");
            }
            case "gated" -> {
                String[] parts = script.payload().split("\\|", 2);
                Path gate = Path.of(parts[0]);
                while (!Files.exists(gate)) {
                    Thread.sleep(2); // polling a file: the only gate that also crosses into worker JVMs
                }
                append(Path.of(script.dir()).resolve("order"), parts[1]);
                yield EventResult.businessResult(event.id(), true, parts[1]);
            }
            case "order" -> {
                append(Path.of(script.dir()).resolve("order"), script.payload());
                yield EventResult.businessResult(event.id(), true, script.payload());
            }
            default -> throw new IllegalArgumentException("unknown action " + script.action());
        };
    }

    @Override
    public void terminate(EventContext context) {
        Event event = running;
        if (event != null) {
            append(Path.of(event.data(Script.class).dir()).resolve(event.id() + ".terminated"), "terminated");
        }
    }

    /** Appends a line and returns how many lines the file has now. */
    static synchronized int append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return Files.readAllLines(file).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines recorded in a file, empty if it does not exist. */
    public static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
