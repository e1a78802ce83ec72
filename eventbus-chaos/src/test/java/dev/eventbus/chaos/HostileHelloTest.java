package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.EventBusException;
import dev.eventbus.EventResult;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Workers that botch the hello (silent, wrong pid, wrong token, garbage, hanging up): the event fails within its
 * timeout plus DESIGN.md's CORELET grace, with a message naming the problem, and no worker process is left.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HostileHelloTest {

    @ParameterizedTest
    @ValueSource(strings = {"silent", "wrong-pid", "wrong-token", "garbage", "hang-up"})
    void aWorkerThatBotchesItsHelloFailsTheEventInBoundedTimeAndLeavesNothing(String hello) throws Exception {
        FakeWorkers fake = new FakeWorkers(hello);
        try {
            String id = UUID.randomUUID().toString();
            long t0 = System.nanoTime();
            EventResult result = fake.run(id, FakeWorkerAgent.CONTINUE, ProtocolFrames.success(id), 2_000);
            long ms = (System.nanoTime() - t0) / 1_000_000L;
            assertFalse(result.success(), result.toString());
            assertNotNull(result.exception(), result.toString());
            assertNotNull(result.exception().getMessage(), result.exception().toString());
            // timeout 2 s + CORELET grace 2 s; the worker's own JVM start is not charged: allow 10 s for it
            assertTrue(ms < 2_000 + 2_000 + 10_000, hello + " took " + ms + " ms");
        } finally {
            fake.close();
        }
        assertTrue(Probes.workerJvms().isEmpty(), "no worker may be left: " + Probes.workerJvms());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-pid", "wrong-token", "garbage", "hang-up"})
    void aWorkerThatBotchesItsHelloFailsTheEventWithAnEventBusExceptionNamingTheWorker(String hello)
            throws Exception {
        FakeWorkers fake = new FakeWorkers(hello);
        try {
            String id = UUID.randomUUID().toString();
            EventResult result = fake.run(id, FakeWorkerAgent.CONTINUE, ProtocolFrames.success(id), 2_000);
            assertInstanceOf(EventBusException.class, result.exception(), result.toString());
            assertTrue(result.exception().getMessage().contains("CORELET worker"), result.exception().getMessage());
        } finally {
            fake.close();
        }
    }
}
