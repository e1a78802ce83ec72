package dev.eventbus.cmd.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** How launch failures are put into words, whichever launcher met them. */
class RedirectsTest {

    @Test
    void aJdkFailureInEitherFormatReadsLikeTheSpawnLaunchersForTheSameErrno() {
        String e2big = Redirects.describe(7);
        assertEquals(e2big, Redirects.reason(new IOException(
                "Cannot run program \"echo\": Exec failed, error: 7 (Argument list too long) ")));
        assertEquals(e2big, Redirects.reason(new IOException(
                "Cannot run program \"echo\": error=7, Argument list too long")));
        assertEquals("executable not found (not a file, and not on the PATH)", Redirects.reason(new IOException(
                "Cannot run program \"nope\": error=2, No such file or directory")));
    }

    @Test
    void anErrnoWithoutAReasonHereKeepsTheJdksWords() {
        assertNull(Redirects.describe(95));
        assertEquals("error=95, Operation not supported", Redirects.reason(new IOException(
                "Cannot run program \"x\": error=95, Operation not supported")));
        assertEquals("Cannot run program \"x\": Exec failed, error: 95 (Operation not supported) ",
                Redirects.reason(new IOException("Cannot run program \"x\": Exec failed, error: 95 (Operation not"
                        + " supported) ")));
    }

    @Test
    void everyCommonLaunchErrnoIsNamed() {
        for (int errno : new int[] {1, 5, 7, 8, 11, 12, 20, 21, 22, 23, 24, 26, 30, 36, 40}) {
            String reason = Redirects.describe(errno);
            assertEquals(true, reason != null && reason.matches(".*\\(E[A-Z0-9]+[:)].*"),
                    "errno " + errno + ": " + reason);
        }
    }
}
