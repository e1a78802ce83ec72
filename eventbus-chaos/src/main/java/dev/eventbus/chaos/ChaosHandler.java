package dev.eventbus.chaos;

import dev.eventbus.Event;
import dev.eventbus.EventContext;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chaos handler: does what the event's {@link Script} says, after recording the attempt. A class with a no-arg
 * constructor, so that CORELET workers can load it by name. Instances are used by one thread at a time.
 */
public final class ChaosHandler implements EventHandler {

    /** Creates a handler. */
    public ChaosHandler() {
    }

    @Override
    public EventResult handle(Event event, EventContext context) throws Exception {
        Script script = event.data(Script.class);
        int attempt = Attempts.record(script.attemptDir(), event.id());
        String tag = event.id() + " attempt " + attempt;
        switch (script.behaviour()) {
            case SUCCEED -> {
                Thread.sleep(script.workMillis());
                return EventResult.businessResult(event.id(), true, "ok " + tag);
            }
            case PRINT -> {
                System.out.println("chaos stdout from " + tag + " in pid " + context.processId());
                System.err.println("chaos stderr from " + tag);
                Thread.sleep(script.workMillis());
                return EventResult.businessResult(event.id(), true, "printed " + tag);
            }
            case FAIL_BUSINESS -> {
                Thread.sleep(script.workMillis());
                return EventResult.businessResult(event.id(), false, "business failure " + tag);
            }
            case THROW -> {
                Thread.sleep(script.workMillis());
                throw new ChaosException("chaos throw in " + tag);
            }
            case RETURN_EXCEPTION -> {
                return EventResult.exceptionResult(event.id(), new ChaosException("chaos returned exception in " + tag));
            }
            case RETURN_NULL -> {
                return null;
            }
            case HANG -> {
                Thread.sleep(script.holdMillis()); // interrupted at the timeout
                return EventResult.businessResult(event.id(), true, "hang was not interrupted " + tag);
            }
            case IGNORE_INTERRUPT -> {
                ignoreInterruption(script.holdMillis());
                return EventResult.businessResult(event.id(), true, "ignored interruption " + tag);
            }
            case OOM -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 17]);
                }
            }
            case EXIT -> {
                System.exit(7);
                return null;
            }
            case HALT -> {
                Runtime.getRuntime().halt(9);
                return null;
            }
            case VICTIM -> {
                announceVictim(script.victimDir());
                Thread.sleep(script.holdMillis());
                return EventResult.businessResult(event.id(), true, "victim survived " + tag);
            }
            default -> throw new IllegalStateException("not a handler behaviour: " + script.behaviour());
        }
    }

    /** Holds the thread until the time is up, swallowing interrupts, then restores the flag. Bounded. */
    private static void ignoreInterruption(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        boolean interrupted = false;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                Thread.sleep(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void announceVictim(String dir) {
        long pid = ProcessHandle.current().pid();
        try {
            Files.writeString(Path.of(dir, Long.toString(pid)), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
