package dev.eventbus.runtime;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.spi.EventBusConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bus first used in the application's own JVM shutdown hook (to report or flush at exit): the runtime registers its
 * own hook when the first bus is made, which the JVM refuses once it is shutting down.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownHookUseTest {

    /** Makes its first bus in a shutdown hook and prints the outcome of one SYNC and one THREAD event. */
    public static final class FirstBusInAShutdownHook {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    EventFactory factory = new EventFactory();
                    factory.registerEventType("bye", () -> (event, context) ->
                            EventResult.businessResult(event.id(), true, "bye"));
                    try (EventBus bus = EventBus.builder().threads(1).factory(factory).build()) {
                        String sync = bus.publish(Event.builder("bye").mode(ExecutionMode.SYNC).build());
                        String thread = bus.publish(Event.of("bye"));
                        var results = bus.getResults(List.of(sync, thread));
                        System.out.println("results " + results.get(sync).data() + " " + results.get(thread).data());
                    }
                } catch (Throwable t) {
                    System.out.println("failed " + t);
                }
            }));
        }
    }

    /**
     * Makes three buses and exits: each bus's mode closes at a barrier of three, so the closes meet only if the
     * runtime's exit hook stops the buses at once; prints one line per close, "met" or what broke the barrier.
     */
    public static final class ThreeBusesAtExit {
        public static void main(String[] args) {
            CyclicBarrier allClosing = new CyclicBarrier(3);
            for (int i = 0; i < 3; i++) {
                RuntimeEventBus bus = new RuntimeEventBus(EventBusConfig.defaults(new EventFactory()), List.of(
                        new SyncModeProvider(), new ThreadModeProvider(), TestBuses.succeedingMode("slow-close", () -> {
                            try {
                                allClosing.await(20, TimeUnit.SECONDS);
                                System.out.println("met");
                            } catch (Exception e) {
                                System.out.println(e.getClass().getSimpleName());
                            }
                        })));
                bus.submit(Event.builder("any").mode(new ExecutionMode("slow-close")).build()).join(); // mode in use
            }
            System.exit(0);
        }
    }

    @Test
    void aBusMadeFirstInAShutdownHookWorks() throws Exception {
        String output = outputOf(FirstBusInAShutdownHook.class);
        // It failed with ExceptionInInitializerError (IllegalStateException: Shutdown in progress), from LiveBuses.
        assertEquals("results bye bye", output.strip(), output);
    }

    /** The exit hook stopped one bus after another: the JVM's exit waited for the sum of their shutdowns. */
    @Test
    void theExitHookStopsEveryBusAtOnce() throws Exception {
        String output = outputOf(ThreeBusesAtExit.class);
        assertEquals(List.of("met", "met", "met"), output.lines().toList(), output);
    }

    /** Runs the class's main in a JVM of its own; returns what it printed once it has ended. */
    private static String outputOf(Class<?> main) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.getName())
                .redirectErrorStream(true)
                .start();
        try {
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), output);
            return output;
        } finally {
            process.destroyForcibly();
        }
    }
}
