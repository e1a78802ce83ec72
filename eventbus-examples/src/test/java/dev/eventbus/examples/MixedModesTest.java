package dev.eventbus.examples;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;
import dev.eventbus.cmd.CmdRequest;
import dev.eventbus.cmd.CmdResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One bus, all four modes at once: one model of results, one join, one progress count. The modes' own tests each
 * check one mode; this checks that join, getResults and progress treat events of mixed modes alike.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MixedModesTest {

    private static final List<ExecutionMode> MODES =
            List.of(ExecutionMode.SYNC, ExecutionMode.THREAD, ExecutionMode.CORELET, ExecutionMode.CMD);

    private static Event event(ExecutionMode mode) {
        return mode.equals(ExecutionMode.CMD)
                ? Event.builder("any").mode(mode).data(CmdRequest.of("echo", "49")).build()
                : Event.builder(ExampleHandlers.SQUARE).mode(mode).data(7).build();
    }

    private static void assertSquared(ExecutionMode mode, String id, EventResult result) {
        assertEquals(id, result.eventId(), mode + ": " + result);
        assertTrue(result.success(), mode + ": " + result);
        if (mode.equals(ExecutionMode.CMD)) {
            assertEquals("49\n", assertInstanceOf(CmdResult.class, result.data()).stdout());
        } else {
            assertEquals(49, result.data(), mode + ": " + result);
        }
    }

    @Test
    void joinResultsAndProgressTreatEventsOfEveryModeAlike() throws Exception {
        EventFactory factory = new EventFactory();
        new ExampleHandlers().registerHandlers(factory);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        EventBus bus = EventBus.builder().threads(2).factory(factory).build();
        try {
            bus.setProgressTracker(n -> {
                calls.incrementAndGet();
                steps.addAndGet(n);
            }, 2);
            Map<String, ExecutionMode> published = new LinkedHashMap<>();
            List<Event> submitted = new ArrayList<>();
            List<CompletableFuture<EventResult>> futures = new ArrayList<>();
            for (ExecutionMode mode : MODES) {
                published.put(bus.publish(event(mode)), mode);
                Event e = event(mode);
                submitted.add(e);
                futures.add(bus.submit(e));
            }
            bus.join();
            assertEquals(8, calls.get(), "every event, of every mode, advanced progress before join() returned");
            assertEquals(16, steps.get());
            for (int i = 0; i < MODES.size(); i++) {
                assertTrue(futures.get(i).isDone(), MODES.get(i) + ": future not done when join() returned");
                assertSquared(MODES.get(i), submitted.get(i).id(), futures.get(i).join());
            }
            Map<String, EventResult> observed = bus.getResults();
            assertEquals(published.keySet(), observed.keySet(), "published results only, of every mode");
            published.forEach((id, mode) -> assertSquared(mode, id, observed.get(id)));

            bus.shutdown();
            assertEquals(observed, bus.getResults(), "results stay readable after shutdown");
            assertEquals(published.keySet(), bus.getResults(published.keySet()).keySet());
            assertTrue(bus.getResults().isEmpty(), "consumed");
        } finally {
            bus.shutdown(true);
        }
    }
}
