package dev.eventbus.chaos;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.EventResult;
import dev.eventbus.InvalidEventException;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression tests for defects that the wire-protocol properties found in the corelet module, each named after what
 * it reproduces.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CoreletProtocolRegressionTest {

    private static FakeWorkers fake;

    @BeforeAll
    static void startBus() throws Exception {
        fake = new FakeWorkers();
    }

    @AfterAll
    static void stopBus() throws Exception {
        fake.close();
        assertTrue(Probes.workerJvms().isEmpty(), "no fake worker may outlive the bus: " + Probes.workerJvms());
    }

    @Test
    void loadFailedReplyWithoutAMessageGivesAnErrorNamingTheEvent() throws Exception {
        for (String text : new String[] {null, ""}) {
            String id = UUID.randomUUID().toString();
            byte[] reply = ProtocolFrames.frame(ProtocolFrames.LOAD_FAILED, id,
                    ProtocolFrames.payload().string(text).bytes());
            EventResult result = fake.run(id, FakeWorkerAgent.CONTINUE, reply, 5_000);
            InvalidEventException e = assertInstanceOf(InvalidEventException.class, result.exception());
            assertNotNull(e.getMessage(), "LOAD_FAILED with text " + text + " gave no message");
            assertTrue(e.getMessage().contains(id), "the message must name the event " + id + ": " + e.getMessage());
        }
    }

    @Test
    void replyWithATruncatedPayloadIsNotReportedAsADeadWorkerWhileTheWorkerLives() throws Exception {
        String id = UUID.randomUUID().toString();
        // a RESULT frame whose (correctly delimited) payload is empty: no success flag, no data
        byte[] reply = ProtocolFrames.frame(ProtocolFrames.RESULT, id, new byte[0]);
        List<Long> before = Probes.workerJvms().stream().map(ProcessHandle::pid).toList();
        EventResult result = fake.run(id, FakeWorkerAgent.CONTINUE, reply, 5_000);
        assertFalse(result.success(), result.toString());
        String message = result.exception().getMessage();
        assertTrue(message.contains(id), "the message must name the event: " + message);
        Matcher died = Pattern.compile("CORELET worker (\\d+) died").matcher(message);
        if (died.find()) {
            long pid = Long.parseLong(died.group(1));
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the result says worker " + pid + " died, but it is alive (workers before: " + before + "): "
                            + message);
        }
        String next = UUID.randomUUID().toString();
        EventResult ok = fake.run(next, FakeWorkerAgent.CONTINUE, ProtocolFrames.success(next), 10_000);
        assertNull(ok.exception(), "the pool serves the next event: " + ok);
    }
}
