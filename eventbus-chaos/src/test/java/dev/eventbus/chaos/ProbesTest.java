package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.Event;
import dev.eventbus.EventBus;
import dev.eventbus.EventFactory;
import dev.eventbus.EventResult;
import dev.eventbus.ExecutionMode;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The probes see what the chaos run's leak invariants count, and nothing else. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProbesTest {

    @TempDir
    Path dir;

    /**
     * The FIFO check must find a live worker's FIFO by its real path under java.io.tmpdir, and no file of the class
     * path: under {@code verify} that holds {@code eventbus-corelet/target/eventbus-corelet-*.jar}, which a check by
     * name alone took for a FIFO left open.
     */
    @Test
    void workerFifosAreTheIdleWorkersFifoWhileTheBusRunsAndNoneAfterItsShutdown() {
        EventFactory factory = new EventFactory();
        factory.registerEventType(ChaosRun.TYPE, ChaosHandler.class);
        EventBus bus = EventBus.builder().threads(1).factory(factory).coreletPoolSize(1).build();
        try {
            Event event = Event.builder(ChaosRun.TYPE).mode(ExecutionMode.CORELET)
                    .data(new Script(Behaviour.SUCCEED, 0, dir.toString(), dir.toString(), 0)).build();
            String id = bus.publish(event);
            EventResult result = bus.getResults(List.of(id)).get(id);
            assertTrue(result.success(), result.toString());

            List<String> fifos = Probes.workerFifos(Probes.openFdTargets());
            assertEquals(1, fifos.size(), "the idle worker's FIFO, read by this JVM: " + Probes.openFdTargets());
            assertTrue(fifos.getFirst().endsWith(".fifo (deleted)"), fifos.getFirst());
        } finally {
            bus.shutdown();
        }
        assertEquals(List.of(), Probes.workerFifos(Probes.openFdTargets()));
    }
}
