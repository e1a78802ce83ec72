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
 * {@code shutdown(true)}; with "busy-common-pool" (and a common pool of 2 threads or more), all that while the
 * common ForkJoinPool is busy.
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
     * Blocks every thread of the common ForkJoinPool for the rest of this JVM's life, as an application's long parallel
     * work keeps them; they are parked, not in a managed block, so the pool adds none.
     */
    private static void occupyTheCommonPool() {
        int parallelism = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
        if (parallelism < 2) {
            throw new IllegalStateException("start with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        }
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(parallelism);
        for (int i = 0; i < parallelism; i++) {
            java.util.concurrent.ForkJoinPool.commonPool().execute(() -> {
                busy.countDown();
                while (true) {
                    java.util.concurrent.locks.LockSupport.park();
                }
            });
        }
        try {
            busy.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
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
        if (mode.equals("busy-common-pool")) {
            occupyTheCommonPool();
        }
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
