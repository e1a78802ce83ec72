package dev.eventbus.corelet.internal;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventContext;
import dev.eventbus.EventFactory;
import dev.eventbus.EventHandler;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parent JVM for {@link CoreletAotCacheTest}: one CORELET event on a bus with {@code coreletAotCache}, then a
 * graceful shutdown. Prints "WORKER " and the worker JVM's arguments, then "CHILDREN " and the number of its child
 * processes still alive, then "CACHE true" or "CACHE false". With a second argument "crash-first", a first event
 * halts its worker JVM (printing "FIRST " and its result) before that; with "immediately", the shutdown is
 * {@code shutdown(true)}.
 */
public final class AotCacheParentMain {

    private AotCacheParentMain() {
    }

    /** Answers with the arguments of the JVM it runs in. */
    public static final class JvmArguments implements EventHandler {
        @Override
        public EventResult handle(Event event, EventContext context) {
            String[] arguments = ProcessHandle.current().info().arguments().orElse(new String[0]);
            return EventResult.businessResult(event.id(), true, String.join(" ", arguments));
        }
    }

    /**
     * Runs the parent.
     *
     * @param args the cache file, and optionally "crash-first" or "immediately"
     */
    public static void main(String[] args) {
        Path cache = Path.of(args[0]);
        EventFactory factory = new EventFactory();
        factory.registerEventType("aot.arguments", JvmArguments.class);
        factory.registerEventType("aot.crash", TestHandlers.Crashes.class);
        String mode = args.length > 1 ? args[1] : "";
        EventBus bus = EventBus.builder().threads(1).factory(factory).coreletAotCache(cache).build();
        try {
            if (mode.equals("crash-first")) {
                EventResult first = bus.submit(Event.builder("aot.crash").mode(ExecutionMode.CORELET).data("halt")
                        .maxRetries(0).build()).join();
                System.out.println("FIRST " + first);
            }
            EventResult result = bus.submit(Event.builder("aot.arguments").mode(ExecutionMode.CORELET).build())
                    .join();
            System.out.println("WORKER " + (result.success() ? result.data() : result));
        } finally {
            bus.shutdown(mode.equals("immediately"));
        }
        System.out.println("CHILDREN " + ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count());
        System.out.println("CACHE " + Files.isRegularFile(cache));
    }
}
