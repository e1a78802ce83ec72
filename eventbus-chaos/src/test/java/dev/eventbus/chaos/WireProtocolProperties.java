package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.CoreletCrashedException;
import dev.eventbus.EventResult;
import dev.eventbus.EventTimeoutException;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The corelet wire protocol from the parent's side, against a fake worker ({@link FakeWorkerAgent}) that answers
 * with truncated, stalled, oversized, reordered, garbage and hostile frames: every such event gets exactly one
 * failed result, within a bound, with a message naming the event, and the pool serves the next event normally.
 */
class WireProtocolProperties {

    private static final int MAX_REPLY = 64 * 1024 * 1024;
    private static FakeWorkers fake;

    @BeforeContainer
    static void startBus() throws IOException {
        fake = new FakeWorkers();
    }

    @AfterContainer
    static void stopBus() throws IOException, InterruptedException {
        fake.close();
        assertTrue(Probes.workerJvms().isEmpty(), "no fake worker may outlive the bus: " + Probes.workerJvms());
    }

    /** One hostile answer. */
    record Case(String category, String eventId, byte action, byte[] reply, long timeoutMs) {
        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(reply, 0, Math.min(reply.length, 96));
            return category + "[action " + action + ", " + reply.length + " bytes: " + hex
                    + (reply.length > 96 ? "..." : "") + "]";
        }
    }

    static EventResult run(String eventId, byte action, byte[] reply, long timeoutMs) throws Exception {
        return fake.run(eventId, action, reply, timeoutMs);
    }

    static void assertPoolStillServes() throws Exception {
        String id = UUID.randomUUID().toString();
        EventResult next = run(id, FakeWorkerAgent.CONTINUE, ProtocolFrames.success(id), 10_000);
        assertNull(next.exception(), "the pool must serve the next event normally: " + next);
        assertTrue(next.success(), "the next event succeeds: " + next);
    }

    @Property(tries = 60)
    void everyHostileReplyFailsOnlyItsEventWithAClearErrorAndThePoolKeepsWorking(@ForAll("cases") Case c)
            throws Exception {
        Statistics.collect(c.category());
        long t0 = System.nanoTime();
        EventResult result = run(c.eventId(), c.action(), c.reply(), c.timeoutMs());
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertEquals(c.eventId(), result.eventId());
        // DESIGN.md: a CORELET timeout is reported within timeout + 2 s; a crash waits at most 2 s for the exit code;
        // the worker's start-up is not charged, so allow a few seconds for it.
        assertTrue(ms <= c.timeoutMs() + 2_000 + 2_000 + 8_000, c.category() + " took " + ms + " ms");
        if (knownDefectLoadFailedPassedThrough(result, c.eventId())) {
            // reproduced by CoreletProtocolRegressionTest.loadFailedReplyWithoutAMessageGivesAnErrorNamingTheEvent
            Statistics.label("known defects").collect("LOAD_FAILED without a message");
            assertPoolStillServes();
            return;
        }
        switch (c.category()) {
            case "well-formed" -> assertTrue(result.success(), "a valid reply is a success: " + result);
            case "hostile-payload" -> {
                if (result.exception() != null) {
                    assertClear(result, c);
                }
            }
            case "stalled" -> assertTrue(result.exception() instanceof EventTimeoutException,
                    "a worker that stops mid-frame is a timeout: " + result);
            case "garbage" -> {
                assertFalse(result.success(), result.toString());
                assertTrue(result.exception() instanceof CoreletCrashedException
                        || result.exception() instanceof EventTimeoutException, result.toString());
                assertClear(result, c);
            }
            default -> {
                assertFalse(result.success(), result.toString());
                assertNotNull(result.exception(), result.toString());
                assertClear(result, c);
            }
        }
        assertPoolStillServes();
    }

    /**
     * DEFECT (reported): the parent uses a LOAD_FAILED reply's text verbatim as the InvalidEventException message, so a
     * worker can make it null, blank or anything, naming neither the event nor the worker.
     */
    static boolean knownDefectLoadFailedPassedThrough(EventResult result, String eventId) {
        return result.exception() instanceof dev.eventbus.InvalidEventException e
                && (e.getMessage() == null || !e.getMessage().contains(eventId));
    }

    private static void assertClear(EventResult result, Case c) {
        String message = result.exception().getMessage();
        assertNotNull(message, c.category() + " gave an exception without a message: " + result.exception());
        assertFalse(message.isBlank(), c.category() + " gave a blank message");
        if (!(result.exception() instanceof dev.eventbus.RemoteHandlerException)) {
            assertTrue(message.contains(c.eventId()), c.category() + ": the message must name the event "
                    + c.eventId() + ": " + message);
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<String> ids = Arbitraries.create(() -> UUID.randomUUID().toString());
        return Arbitraries.oneOf(wellFormed(ids), truncated(ids), stalled(ids), oversized(ids), garbage(ids),
                wrongId(ids), reordered(ids), badHeader(ids), hostilePayload(ids));
    }

    private static Arbitrary<Case> wellFormed(Arbitrary<String> ids) {
        return ids.map(id -> new Case("well-formed", id, FakeWorkerAgent.CONTINUE, ProtocolFrames.success(id), 5_000));
    }

    private static Arbitrary<Case> truncated(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.integers().between(0, 999), Arbitraries.of(true, false))
                .as((id, cut, threw) -> {
                    byte[] full = threw ? ProtocolFrames.threw(id, "x.Boom", "boom") : ProtocolFrames.success(id);
                    return new Case("truncated-then-exit", id, FakeWorkerAgent.EXIT,
                            Arrays.copyOf(full, full.length * cut / 1000), 5_000);
                });
    }

    private static Arbitrary<Case> stalled(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.integers().between(0, 999)).as((id, cut) -> {
            byte[] full = ProtocolFrames.success(id);
            return new Case("stalled", id, FakeWorkerAgent.HANG, Arrays.copyOf(full, full.length * cut / 1000), 1_000);
        });
    }

    private static Arbitrary<Case> oversized(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.integers().between(MAX_REPLY + 1, Integer.MAX_VALUE))
                .as((id, length) -> new Case("oversized", id, FakeWorkerAgent.CONTINUE,
                        ProtocolFrames.frame(ProtocolFrames.MAGIC, ProtocolFrames.VERSION, ProtocolFrames.RESULT, id,
                                length, new byte[] {1, 2, 3}), 5_000));
    }

    private static Arbitrary<Case> garbage(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64),
                Arbitraries.of(FakeWorkerAgent.CONTINUE, FakeWorkerAgent.EXIT)).as((id, bytes, action) -> {
                    if (bytes[0] == 0x45) {
                        bytes[0] = 0x46;
                    } // never the magic's first byte
                    return new Case("garbage", id, action, bytes, 2_000);
                });
    }

    private static Arbitrary<Case> wrongId(Arbitrary<String> ids) {
        return Combinators.combine(ids, ids).as((id, other) -> new Case("wrong-event-id", id,
                FakeWorkerAgent.CONTINUE, ProtocolFrames.success(other), 5_000));
    }

    private static Arbitrary<Case> reordered(Arbitrary<String> ids) {
        return Combinators.combine(ids, ids).as((id, other) -> {
            byte[] first = ProtocolFrames.success(other);
            byte[] second = ProtocolFrames.success(id);
            byte[] both = Arrays.copyOf(first, first.length + second.length);
            System.arraycopy(second, 0, both, first.length, second.length);
            return new Case("reordered", id, FakeWorkerAgent.CONTINUE, both, 5_000);
        });
    }

    private static Arbitrary<Case> badHeader(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.integers().between(0, 3), Arbitraries.integers())
                .as((id, which, n) -> {
                    byte[] payload = ProtocolFrames.payload().bool(true).intValue(-1).bytes();
                    byte[] reply = switch (which) {
                        case 0 -> ProtocolFrames.frame(ProtocolFrames.MAGIC, (n & 0xff) == 1 ? 2 : n & 0xff,
                                ProtocolFrames.RESULT, id, payload.length, payload);
                        case 1 -> ProtocolFrames.frame(ProtocolFrames.MAGIC, ProtocolFrames.VERSION,
                                ProtocolFrames.RESULT, id, n >= 0 ? -1 - n : n, payload);
                        case 2 -> ProtocolFrames.payload().intValue(ProtocolFrames.MAGIC).byteValue(1).byteValue(3)
                                .intValue(n >= -1 ? Math.max(2048, n) : n).raw(payload).bytes();
                        default -> ProtocolFrames.frame(n == ProtocolFrames.MAGIC ? 0 : n, ProtocolFrames.VERSION,
                                ProtocolFrames.RESULT, id, payload.length, payload);
                    };
                    return new Case("bad-header", id, FakeWorkerAgent.CONTINUE, reply, 5_000);
                });
    }

    /** Right header, hostile payload: random bytes, or structures with absurd counts and lengths. */
    private static Arbitrary<Case> hostilePayload(Arbitrary<String> ids) {
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(256);
        Arbitrary<byte[]> absurd = Combinators.combine(Arbitraries.integers(), Arbitraries.integers())
                .as((a, b) -> ProtocolFrames.payload().intValue(a).intValue(b).intValue(b).bytes());
        Arbitrary<byte[]> deepException = Arbitraries.integers().between(1, 16).map(depth -> {
            ProtocolFrames.Builder p = ProtocolFrames.payload().intValue(depth);
            for (int i = 0; i < depth; i++) {
                p.string("x.E" + i).string(null).intValue(0);
            }
            return p.bytes();
        });
        Arbitrary<Integer> kinds = Arbitraries.oneOf(Arbitraries.of(3, 4, 5, 6),
                Arbitraries.integers().between(-128, 127));
        return Combinators.combine(ids, kinds, Arbitraries.oneOf(randomBytes, absurd, deepException))
                .as((id, kind, payload) -> new Case("hostile-payload", id, FakeWorkerAgent.CONTINUE,
                        ProtocolFrames.frame(kind, id, payload), 5_000));
    }

}
